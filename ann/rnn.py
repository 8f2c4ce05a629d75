"""The recurrent network (:class:`RNNClassifier`) over sequences, trained by backpropagation through
time."""

from __future__ import annotations

from ann.io import register
from ann.layers import GRU, RNN, Dense
from ann.network import NetworkClassifier
from ann.params import _check_choice, _check_int, _check_real, _check_shape2, _inferred_shape

_CELLS = {"rnn": RNN, "gru": GRU}


@register
class RNNClassifier(NetworkClassifier):
    """Recurrent classifier: ``RNN(d, n_hidden)`` (Elman) or ``GRU(d, n_hidden)`` over ``T``
    steps, its last state -> dense output.

    Parameters
    ----------
    sequence_shape : (int, int) or None, default None
        ``(T, d)``: flat rows hold ``T * d`` features, step-major (an image read row by row).
        ``None``: from the data at ``fit`` — a ``(n, T, d)`` array's ``(T, d)``; flat rows of
        ``s * s`` features read as ``s`` rows of ``s`` (an image row by row), any other width
        one feature per step ``(n_features, 1)``. The shape used is ``sequence_shape_``.
    n_hidden : int, default 64
    cell : {"rnn", "gru"}, default "rnn"
        :class:`ann.layers.RNN` (tanh) or :class:`ann.layers.GRU` (gated).
    clip_norm : float or None, default 1.0
        Cap on the global L2 norm of each mini-batch gradient (see :mod:`ann.optimizers`);
        ``None`` disables clipping. Through many steps an unclipped Elman RNN can blow up: on
        MNIST-1D's raw signed values (40 steps, learning rate 1e-3) the median gradient norm
        grows from ~2 to ~12 as ``Wh``'s spectral radius passes 1.7, then one mini-batch of
        epoch 8 has norm ~2,300; Adam takes a large step along it (radius 2.0, saturated tanh
        units) and its inflated second moment then stalls learning: loss 2.13 -> 1.65 -> 2.60,
        accuracy back to chance. Clipped, the same run keeps improving (loss 1.59 after 10
        epochs). Clipping prevents the blow-up; it does not make an Elman cell good at 40
        steps (about 0.55 validation accuracy on MNIST-1D): a GRU (``cell="gru"``) reaches
        0.97 (see ``benchmarks/tune_mnist1d.py``).
    learning_rate : float, default 3e-3
    epochs : int, default 40
    Other parameters
        As for :class:`MLPClassifier` (the recurrent non-linearity is tanh).
    """

    _input_ndims = (2, 3)

    def __init__(self, sequence_shape=None, *, n_hidden=64, cell="rnn", clip_norm=1.0,
                 output_activation="softmax",
                 loss="cross_entropy", optimizer="adam", learning_rate=3e-3, batch_size=32,
                 epochs=40, momentum=0.9, weight_decay=0.0, init="auto", shuffle=True,
                 dtype="float32", random_state=None, n_threads=1, verbose=False,
                 log_every=None):
        self.sequence_shape = sequence_shape
        self.n_hidden = n_hidden
        self.cell = cell
        self.clip_norm = clip_norm
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
        _check_shape2(self.sequence_shape, "sequence_shape", allow_none=True)
        _check_int(self.n_hidden, "n_hidden")
        _check_choice(self.cell, "cell", tuple(_CELLS))
        if self.clip_norm is not None:
            _check_real(self.clip_norm, "clip_norm", low=0.0, example=1.0)
        super()._check_params()

    def _initialize(self, n_features, classes, rng):
        super()._initialize(n_features, classes, rng)
        self.optimizer_.clip_norm = None if self.clip_norm is None else float(self.clip_norm)

    def _shape(self, X):
        """``(T, d)``: the parameter, else the fitted ``sequence_shape_``, else from ``X``."""
        shape = _check_shape2(self.sequence_shape, "sequence_shape", allow_none=True)
        if shape is not None:
            return shape
        fitted = getattr(self, "sequence_shape_", None)
        if fitted is not None:
            return tuple(fitted)
        if X.ndim == 3:
            return tuple(int(v) for v in X.shape[1:])
        seen = getattr(self, "_shape_from_input", None)
        if seen is not None:
            return seen
        n = int(X.shape[1])
        return _inferred_shape(n) or (n, 1)

    def _record_input_shape(self, n_features):
        shape = self.__dict__.pop("_shape_from_input", None)
        if self.sequence_shape is not None:
            shape = tuple(self.sequence_shape)
        self.sequence_shape_ = shape if shape is not None else (_inferred_shape(n_features)
                                                                or (n_features, 1))

    def _flatten_input(self, X, name="X"):
        t, d = self._shape(X)
        if X.ndim == 3 and self.sequence_shape is None and \
                getattr(self, "sequence_shape_", None) is None:
            self._shape_from_input = (t, d)  # fit: keep the sequences' shape
        if X.ndim == 3 and X.shape[1:] != (t, d):
            raise ValueError(f"{name} has sequences of shape {X.shape[1:]} but sequence_shape is "
                             f"{(t, d)}; set sequence_shape=({X.shape[1]}, {X.shape[2]})")
        X2 = X.reshape(X.shape[0], -1)
        if X2.shape[1] != t * d:
            raise ValueError(
                f"{name} has {X2.shape[1]} features but sequence_shape {(t, d)} needs {t * d}; "
                "set sequence_shape=(steps, features_per_step) with steps * features = n_features"
            )
        return X2

    def _sample_shape(self, n_features):
        return tuple(self.sequence_shape_)

    def _build_layers(self, n_features, n_classes, rng, dtype, init):
        t, d = self._sample_shape(n_features)
        return [_CELLS[self.cell](d, self.n_hidden, rng=rng, init=init, dtype=dtype),
                Dense(self.n_hidden, n_classes, rng=rng, init="xavier", dtype=dtype)]
