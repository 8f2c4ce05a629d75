"""The convolutional network (:class:`CNNClassifier`) over images read from flat rows."""

from __future__ import annotations

from ann.io import register
from ann.layers import ACTIVATIONS, Conv2D, Dense, Flatten, MaxPool2D, Sequential
from ann.network import _HIDDEN_ACTIVATIONS, NetworkClassifier
from ann.params import _check_choice, _check_int, _check_shape2, _check_sizes, _inferred_shape


def _check_int_or_pair(value, param, *, low):
    """An int >= ``low`` or a pair of them (a list, as JSON gives back, counts as a pair)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            from ann.base import InvalidParameterError

            raise InvalidParameterError(param, f"{param} must be an int or a pair of ints, "
                                               f"got {value!r}; pass e.g. {param}=(5, 1)")
        return tuple(_check_int(v, param, low=low, name=f"{param}[{i}]")
                     for i, v in enumerate(value))
    return _check_int(value, param, low=low)


def _per_layer(value, param, n, *, low):
    """``n`` per-layer values (ints or pairs): one int/pair for every layer, or a sequence of
    ``n`` pairs (``((5, 2), (5, 1), (5, 1))``), one per convolution."""
    if isinstance(value, (tuple, list)) and value and all(
            isinstance(v, (tuple, list)) for v in value):
        if len(value) != n:
            from ann.base import InvalidParameterError

            raise InvalidParameterError(param, f"{param} lists {len(value)} per-layer values "
                                               f"but channels has {n} layers; give one pair "
                                               "per convolution")
        return [_check_int_or_pair(v, param, low=low) for v in value]
    return [_check_int_or_pair(value, param, low=low)] * n


@register
class CNNClassifier(NetworkClassifier):
    """Convolutional classifier: ``[Conv2D -> activation -> MaxPool2D] x len(channels)``, then
    dense layers.

    Parameters
    ----------
    image_shape : (int, int) or None, default None
        ``(H, W)``; flat rows hold ``C * H * W`` features, channel-major (``C`` inferred).
        ``None``: from the data at ``fit`` — a ``(n, C, H, W)`` array's ``(H, W)``; flat rows
        of ``s * s`` features a square ``(s, s)`` image, any other width one row ``(1, n)``.
        The shape used is ``image_shape_``.
    channels : tuple of int, default (16,)
        Output channels of each convolution block.
    kernel_size : int, (int, int) or sequence of (int, int), default 3
        ``(kh, kw)`` for a non-square kernel, e.g. ``(5, 1)`` over a ``(40, 1)`` sequence image
        (a 1-D convolution along the rows); a sequence of pairs gives each convolution its own,
        e.g. ``((5, 2), (5, 1), (5, 1))`` over MNIST-1D's ``(40, 2)`` on/off layout (the first
        kernel spans both columns, like a two-channel 1-D convolution).
    padding : int, (int, int) or sequence of (int, int), default 1
        Zero padding (1 keeps a 3x3 convolution's output the size of its input; ``(2, 0)``
        keeps a ``(5, 1)`` one's); per convolution like ``kernel_size``.
    pool_size : int, (int, int) or None, default 2
        Max-pool window after each convolution (stride: its height); ``None`` for no pooling.
        A window taller or wider than the feature map is cut to it (a 1-row image pools (1, p)).
    hidden_layer_sizes : tuple of int, default ()
        Dense layers between the flattened features and the output.
    learning_rate : float, default 3e-3
    Other parameters
        As for :class:`MLPClassifier`.
    """

    _input_ndims = (2, 4)

    def __init__(self, image_shape=None, *, channels=(16,), kernel_size=3, padding=1,
                 pool_size=2, hidden_layer_sizes=(), activation="relu",
                 output_activation="softmax", loss="cross_entropy", optimizer="adam",
                 learning_rate=3e-3, batch_size=32, epochs=30, momentum=0.9, weight_decay=0.0,
                 init="auto", shuffle=True, dtype="float32", random_state=None, n_threads=1,
                 verbose=False, log_every=None):
        self.image_shape = image_shape
        self.channels = channels
        self.kernel_size = kernel_size
        self.padding = padding
        self.pool_size = pool_size
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.init = init
        self.shuffle = shuffle
        self.dtype = dtype
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose
        self.log_every = log_every

    def _check_params(self):
        _check_shape2(self.image_shape, "image_shape", allow_none=True)
        _check_sizes(self.channels, "channels")
        _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=True)
        n_conv = len(_check_sizes(self.channels, "channels"))
        _per_layer(self.kernel_size, "kernel_size", n_conv, low=1)
        _per_layer(self.padding, "padding", n_conv, low=0)
        if self.pool_size is not None:
            _check_int_or_pair(self.pool_size, "pool_size", low=1)
        _check_choice(self.activation, "activation", _HIDDEN_ACTIVATIONS)
        super()._check_params()

    def _image_hw(self, X=None):
        """``(H, W)``: the parameter, else the fitted ``image_shape_``, else from ``X``."""
        if self.image_shape is not None:
            return _check_shape2(self.image_shape, "image_shape")
        fitted = getattr(self, "image_shape_", None)
        if fitted is not None:
            return tuple(fitted)
        if X is not None and X.ndim == 4:
            return tuple(int(v) for v in X.shape[2:])
        seen = getattr(self, "_hw_from_input", None)
        if seen is not None:
            return seen
        n = int(X.reshape(X.shape[0], -1).shape[1])
        return _inferred_shape(n) or (1, n)

    def _record_input_shape(self, n_features):
        hw = self.__dict__.pop("_hw_from_input", None)
        if self.image_shape is not None:
            hw = tuple(self.image_shape)
        self.image_shape_ = hw if hw is not None else (_inferred_shape(n_features)
                                                       or (1, n_features))

    def _flatten_input(self, X, name="X"):
        h, w = self._image_hw(X)
        if X.ndim == 4 and self.image_shape is None and \
                getattr(self, "image_shape_", None) is None:
            self._hw_from_input = (h, w)  # fit: keep the images' shape for image_shape_
        if X.ndim == 4 and X.shape[2:] != (h, w):
            raise ValueError(f"{name} has images of shape {X.shape[2:]} but image_shape is "
                             f"{(h, w)}; set image_shape=({X.shape[2]}, {X.shape[3]})")
        X2 = X.reshape(X.shape[0], -1)
        if X2.shape[1] % (h * w):
            raise ValueError(
                f"{name} has {X2.shape[1]} features, not a multiple of image_shape {(h, w)} = "
                f"{h * w} pixels; set image_shape to the (height, width) of your images"
            )
        return X2

    def _sample_shape(self, n_features):
        h, w = self.image_shape_
        return (n_features // (h * w), h, w)

    def _build_layers(self, n_features, n_classes, rng, dtype, init):
        shape = self._sample_shape(n_features)
        layers = []
        c_in = shape[0]
        channels = _check_sizes(self.channels, "channels")
        kernels = _per_layer(self.kernel_size, "kernel_size", len(channels), low=1)
        pads = _per_layer(self.padding, "padding", len(channels), low=0)
        cur = shape
        for c_out, kernel, pad in zip(channels, kernels, pads, strict=True):
            conv = Conv2D(c_in, c_out, kernel, padding=pad, rng=rng, init=init, dtype=dtype)
            layers += [conv, ACTIVATIONS[self.activation](dtype=dtype)]
            cur = conv.output_shape(cur)
            pool = self.pool_size
            if pool is not None:  # a window never wider than the map (a 1-row image: (1, p))
                ph, pw = (pool, pool) if isinstance(pool, int) else tuple(pool)
                pool = (min(ph, cur[1]), min(pw, cur[2]))
            if pool not in (None, (1, 1)):
                pool_layer = MaxPool2D(pool if pool[0] != pool[1] else pool[0], dtype=dtype)
                layers.append(pool_layer)
                cur = pool_layer.output_shape(cur)
            c_in = c_out
        layers.append(Flatten(dtype=dtype))
        n = Sequential(layers).output_shape(shape)[0]
        for h in _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=True):
            layers += [Dense(n, h, rng=rng, init=init, dtype=dtype),
                       ACTIVATIONS[self.activation](dtype=dtype)]
            n = h
        layers.append(Dense(n, n_classes, rng=rng, init="xavier", dtype=dtype))
        return layers
