"""The multi-layer perceptron (:class:`MLPClassifier`), trained by backpropagation."""

from __future__ import annotations

from ann.io import register
from ann.layers import ACTIVATIONS, Dense
from ann.network import _HIDDEN_ACTIVATIONS, NetworkClassifier
from ann.params import _check_choice, _check_sizes


@register
class MLPClassifier(NetworkClassifier):
    """Multi-layer perceptron classifier trained by backpropagation.

    ``fit(X, y)`` takes ``X`` ``(n_samples, n_features)`` and labels ``y`` ``(n_samples,)``;
    ``y == -1`` marks an unlabelled sample, which backprop skips (see :meth:`fit`).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (128,)
        Units of each hidden layer; ``()`` for none: ``softmax(X W + b)``, multinomial logistic
        regression (``activation`` is then unused).
    activation : {"relu", "tanh", "sigmoid"}, default "relu"
        Hidden-layer non-linearity.
    output_activation : {"softmax", "sigmoid"}, default "softmax"
    loss : {"cross_entropy", "mse"}, default "cross_entropy"
        ``cross_entropy`` is fused with the softmax output (stable); ``mse`` compares the output
        activations with one-hot targets (the essay's choice).
    optimizer : {"adam", "sgd", "momentum"}, default "adam"
    learning_rate : float, default 1e-3
    batch_size : int or None, default 32
        ``None`` for full-batch gradient descent.
    epochs : int, default 50
    momentum : float, default 0.9
        Used by ``optimizer="momentum"``.
    weight_decay : float, default 0.0
        L2 penalty ``weight_decay / 2 * ||W||^2`` on weights (not biases).
    init : {"auto", "xavier", "he", "normal"}, default "auto"
        ``auto``: He for ReLU, Xavier otherwise.
    shuffle : bool, default True
        Reshuffle the training set every epoch (mini-batch training only).
    dtype : {"float32", "float64"}, default "float32"
    random_state : int, numpy Generator or None
    n_threads : int or None, default 1
        BLAS threads during ``fit``, ``partial_fit``, ``predict``, ``predict_proba`` and
        ``cost`` (:mod:`ann.threads`); ``None`` keeps the caller's setting (the process default
        or an enclosing ``threadpoolctl.threadpool_limits``). The count BLAS really ran with is
        ``threads_used_``. One thread is fastest for networks of this size.
    verbose : bool, default False
        Show a tqdm bar over epochs with the current loss.
    log_every : int or None
        With ``verbose``, also print the loss every ``log_every`` epochs.
    """

    def __init__(self, hidden_layer_sizes=(128,), *, activation="relu",
                 output_activation="softmax", loss="cross_entropy", optimizer="adam",
                 learning_rate=1e-3, batch_size=32, epochs=50, momentum=0.9, weight_decay=0.0,
                 init="auto", shuffle=True, dtype="float32", random_state=None, n_threads=1,
                 verbose=False, log_every=None):
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
        _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=True)
        _check_choice(self.activation, "activation", _HIDDEN_ACTIVATIONS)
        super()._check_params()

    def _flatten_input(self, X, name="X"):
        return X

    def _build_layers(self, n_features, n_classes, rng, dtype, init):
        sizes = [n_features, *_check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes",
                                           allow_empty=True)]
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [Dense(a, b, rng=rng, init=init, dtype=dtype),
                       ACTIVATIONS[self.activation](dtype=dtype)]
        out_init = "normal" if init == "normal" else "xavier"
        layers.append(Dense(sizes[-1], n_classes, rng=rng, init=out_init, dtype=dtype))
        return layers
