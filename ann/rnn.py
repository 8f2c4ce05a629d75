"""The recurrent network (:class:`RNNClassifier`) over sequences, trained by backpropagation through
time."""

from __future__ import annotations

from ann.io import register
from ann.layers import RNN, Dense
from ann.network import NetworkClassifier
from ann.params import _check_int, _check_shape2


@register
class RNNClassifier(NetworkClassifier):
    """Elman RNN classifier: ``RNN(d, n_hidden)`` over ``T`` steps, its last state -> dense output.

    Parameters
    ----------
    sequence_shape : (int, int) or None, default (8, 8)
        ``(T, d)``: flat rows hold ``T * d`` features, step-major (an image read row by row).
        ``None``: each feature is one step (``T = n_features``, ``d = 1``); 2-D ``X`` only.
    n_hidden : int, default 64
    learning_rate : float, default 3e-3
    epochs : int, default 40
    Other parameters
        As for :class:`MLPClassifier` (the recurrent non-linearity is tanh).
    """

    _input_ndims = (2, 3)

    def __init__(self, sequence_shape=(8, 8), *, n_hidden=64, output_activation="softmax",
                 loss="cross_entropy", optimizer="adam", learning_rate=3e-3, batch_size=32,
                 epochs=40, momentum=0.9, weight_decay=0.0, init="auto", shuffle=True,
                 dtype="float32", random_state=None, n_threads=1, verbose=False,
                 log_every=None):
        self.sequence_shape = sequence_shape
        self.n_hidden = n_hidden
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
        super()._check_params()

    def _flatten_input(self, X, name="X"):
        shape = _check_shape2(self.sequence_shape, "sequence_shape", allow_none=True)
        if shape is None:
            if X.ndim == 3:
                raise ValueError(f"{name} is 3-D {X.shape} but sequence_shape=None reads flat "
                                 f"rows one feature per step; set sequence_shape=({X.shape[1]}, "
                                 f"{X.shape[2]})")
            return X
        t, d = shape
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
        if self.sequence_shape is None:
            return (n_features, 1)
        return tuple(self.sequence_shape)

    def _build_layers(self, n_features, n_classes, rng, dtype, init):
        t, d = self._sample_shape(n_features)
        return [RNN(d, self.n_hidden, rng=rng, init=init, dtype=dtype),
                Dense(self.n_hidden, n_classes, rng=rng, init="xavier", dtype=dtype)]
