"""The convolutional network (:class:`CNNClassifier`) over images read from flat rows."""

from __future__ import annotations

from ann.io import register
from ann.layers import ACTIVATIONS, Conv2D, Dense, Flatten, MaxPool2D, Sequential
from ann.network import _HIDDEN_ACTIVATIONS, NetworkClassifier
from ann.params import _check_choice, _check_int, _check_shape2, _check_sizes


@register
class CNNClassifier(NetworkClassifier):
    """Convolutional classifier: ``[Conv2D -> activation -> MaxPool2D] x len(channels)``, then
    dense layers.

    Parameters
    ----------
    image_shape : (int, int), default (8, 8)
        ``(H, W)``; flat rows hold ``C * H * W`` features, channel-major (``C`` inferred).
    channels : tuple of int, default (16,)
        Output channels of each convolution block.
    kernel_size : int, default 3
    padding : int, default 1
        Zero padding (1 keeps a 3x3 convolution's output the size of its input).
    pool_size : int or None, default 2
        Max-pool window after each convolution; ``None`` for no pooling.
    hidden_layer_sizes : tuple of int, default ()
        Dense layers between the flattened features and the output.
    learning_rate : float, default 3e-3
    Other parameters
        As for :class:`MLPClassifier`.
    """

    _input_ndims = (2, 4)

    def __init__(self, image_shape=(8, 8), *, channels=(16,), kernel_size=3, padding=1,
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
        _check_shape2(self.image_shape, "image_shape")
        _check_sizes(self.channels, "channels")
        _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=True)
        _check_int(self.kernel_size, "kernel_size")
        _check_int(self.padding, "padding", low=0)
        _check_int(self.pool_size, "pool_size", allow_none=True)
        _check_choice(self.activation, "activation", _HIDDEN_ACTIVATIONS)
        super()._check_params()

    def _flatten_input(self, X, name="X"):
        h, w = _check_shape2(self.image_shape, "image_shape")
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
        h, w = self.image_shape
        return (n_features // (h * w), h, w)

    def _build_layers(self, n_features, n_classes, rng, dtype, init):
        shape = self._sample_shape(n_features)
        layers = []
        c_in = shape[0]
        for c_out in _check_sizes(self.channels, "channels"):
            layers += [Conv2D(c_in, c_out, self.kernel_size, padding=self.padding, rng=rng,
                              init=init, dtype=dtype),
                       ACTIVATIONS[self.activation](dtype=dtype)]
            if self.pool_size not in (None, 1):
                layers.append(MaxPool2D(self.pool_size, dtype=dtype))
            c_in = c_out
        layers.append(Flatten(dtype=dtype))
        n = Sequential(layers).output_shape(shape)[0]
        for h in _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=True):
            layers += [Dense(n, h, rng=rng, init=init, dtype=dtype),
                       ACTIVATIONS[self.activation](dtype=dtype)]
            n = h
        layers.append(Dense(n, n_classes, rng=rng, init="xavier", dtype=dtype))
        return layers
