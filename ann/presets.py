"""Ready-made configurations, and the essay's MLP with its errors one at a time.

:func:`essay_mlp` is the essay's NumPy MLP as a configured, *correct* estimator.

:func:`train_essay_network` is the essay's listing itself in plain NumPy (2-layer sigmoid
network, MSE loss, ``randn`` weights, zero biases, full-batch gradient descent), with a switch
for its backward pass:

============  ==========================================  ==================================
gradient      hidden delta ``dZ2``                        output delta ``dZ3``
============  ==========================================  ==================================
``correct``   ``(dZ3 W2^T) * A2 * (1 - A2)``              ``dL/dA3 * A3 * (1 - A3)``
``hidden``    ``(dZ3 W2^T) * (1 - A2)`` (the essay's)     correct
``output``    correct                                     ``dL/dA3`` (the essay's ``A3 - y``)
``both``      the essay's                                 the essay's
============  ==========================================  ==================================

with ``L = mean((A3 - Y)**2)`` over all ``n x k`` entries, so ``dL/dA3 = 2 (A3 - Y) / (n k)``:
the essay's ``A3 - y`` is kept at the same scale, so that a learning rate means the same step
for every variant and only the missing derivative differs. (``A3 - y`` is the exact gradient
with respect to ``Z3`` of a sigmoid output with the cross-entropy loss; it is an error only with
the MSE loss the essay prints.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from ann.mlp import MLPClassifier

__all__ = ["essay_mlp", "ESSAY_MLP_DEFAULTS", "ESSAY_GRADIENTS", "XOR_X", "XOR_Y", "EssayRun",
           "essay_init", "essay_forward", "essay_gradients", "train_essay_network"]

#: the essay's choices: sigmoid hidden and output layers, mean-squared-error loss, weights drawn
#: from N(0, 1) (``np.random.randn``) and zero biases, full-batch gradient descent, loss printed
#: every 100 epochs when verbose. Width, learning rate and epochs are ours (the essay gives none
#: for these tasks): they learn XOR and reach about 0.94 on ``digits``.
ESSAY_MLP_DEFAULTS = {
    "hidden_layer_sizes": (32,),
    "activation": "sigmoid",
    "output_activation": "sigmoid",
    "loss": "mse",
    "optimizer": "sgd",
    "batch_size": None,
    "learning_rate": 10.0,
    "epochs": 2000,
    "init": "normal",
    "log_every": 100,
}

#: the backward passes :func:`essay_gradients` offers (see the module docstring)
ESSAY_GRADIENTS = ("correct", "hidden", "output", "both")

#: XOR: inputs (4, 2) and labels (4,)
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def essay_mlp(**overrides) -> MLPClassifier:
    """The essay's MLP as a configured, *correct* :class:`~ann.MLPClassifier`.

    Sigmoid hidden and output layers, ``L = mean((a_out - onehot(y))**2)``, ``randn`` weights and
    zero biases, full-batch gradient descent, the loss printed every 100 epochs when
    ``verbose=True``. Unlike the essay's listing
    the backward pass uses the sigmoid derivative ``a (1 - a)`` in both layers (the essay used
    ``1 - a`` and dropped the output-layer derivative), as :mod:`ann.gradcheck` verifies.

    Parameters
    ----------
    **overrides
        Any :class:`~ann.MLPClassifier` hyper-parameter, e.g. ``hidden_layer_sizes=(4,)``.

    Returns
    -------
    MLPClassifier
        Unfitted.
    """
    params = {**ESSAY_MLP_DEFAULTS, **overrides}
    return MLPClassifier(**params)


def essay_init(n_in: int, n_hidden: int, n_out: int, seed: int) -> dict[str, np.ndarray]:
    """The essay's initial parameters: ``randn`` weights, zero biases (float64).

    Returns
    -------
    dict
        ``W1`` (n_in, n_hidden), ``b1`` (n_hidden,), ``W2`` (n_hidden, n_out), ``b2`` (n_out,);
        ``W1`` is drawn before ``W2`` from ``numpy.random.default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((n_in, n_hidden)), "b1": np.zeros(n_hidden),
            "W2": rng.standard_normal((n_hidden, n_out)), "b2": np.zeros(n_out)}


def essay_forward(params: dict, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``A2 = sigmoid(X W1 + b1)`` (n, n_hidden), ``A3 = sigmoid(A2 W2 + b2)`` (n, n_out)."""
    A2 = expit(X @ params["W1"] + params["b1"])
    return A2, expit(A2 @ params["W2"] + params["b2"])


def _check_gradient(gradient):
    if not isinstance(gradient, str) or gradient not in ESSAY_GRADIENTS:
        raise ValueError(f"gradient must be one of {list(ESSAY_GRADIENTS)}, got {gradient!r}")


def essay_gradients(params: dict, X: np.ndarray, Y: np.ndarray,
                    gradient: str = "correct") -> tuple[float, dict[str, np.ndarray]]:
    """The MSE loss and the parameter update directions of one full batch.

    Parameters
    ----------
    params : dict
        As from :func:`essay_init`.
    X : ndarray of shape (n, n_in)
    Y : ndarray of shape (n, n_out)
        One-hot targets.
    gradient : {"correct", "hidden", "output", "both"}
        Which backward pass (module docstring); only ``"correct"`` is ``dL/dparam``.

    Returns
    -------
    loss : float
        ``mean((A3 - Y)**2)`` before the update.
    grads : dict
        Same keys and shapes as ``params``.
    """
    _check_gradient(gradient)
    A2, A3 = essay_forward(params, X)
    diff = A3 - Y
    dA3 = diff * (2.0 / diff.size)
    dZ3 = dA3 if gradient in ("output", "both") else dA3 * A3 * (1 - A3)
    dA2 = dZ3 @ params["W2"].T
    dZ2 = dA2 * (1 - A2) if gradient in ("hidden", "both") else dA2 * A2 * (1 - A2)
    ones = np.ones(X.shape[0])  # ones @ d sums the rows: a bias gradient
    grads = {"W1": X.T @ dZ2, "b1": ones @ dZ2, "W2": A2.T @ dZ3, "b2": ones @ dZ3}
    return float(np.vdot(diff, diff)) / diff.size, grads


@dataclass(frozen=True)
class EssayRun:
    """One training run of :func:`train_essay_network`.

    Attributes
    ----------
    gradient : str
    learning_rate : float
    seed : int
    losses : ndarray of shape (epochs,)
        MSE before each update.
    final_loss : float
        MSE after the last update.
    accuracy : float
        Fraction of samples whose largest output is the target's class, after training.
    """

    gradient: str
    learning_rate: float
    seed: int
    losses: np.ndarray
    final_loss: float
    accuracy: float

    @property
    def solved(self) -> bool:
        """Every sample classified correctly."""
        return self.accuracy == 1.0


def _initial_params(init, default):
    """A float64 copy of ``init`` checked against ``default``'s keys and shapes, or ``default``."""
    if init is None:
        return default
    shapes = {k: v.shape for k, v in default.items()}
    given = {k: np.shape(v) for k, v in init.items()}
    if given != shapes:
        raise ValueError(f"init must hold arrays of shapes {shapes}, got {given}")
    return {k: np.array(v, dtype=np.float64) for k, v in init.items()}


def train_essay_network(X=XOR_X, y=XOR_Y, *, gradient="correct", learning_rate=2.0, seed=0,
                        epochs=2000, n_hidden=4, init=None) -> EssayRun:
    """Train the essay's network by full-batch gradient descent with a chosen backward pass.

    Parameters
    ----------
    X : ndarray of shape (n, n_in), default XOR inputs
    y : ndarray of int of shape (n,), default XOR labels
        Labels ``0..k-1``; targets are their one-hot rows.
    gradient : {"correct", "hidden", "output", "both"}
    learning_rate : float
        ``p -= learning_rate * grad`` every epoch.
    seed : int
        Initial weights (:func:`essay_init`); same seed, same run.
    epochs : int
    n_hidden : int
    init : dict, optional
        Initial parameters (copied; keys and shapes as :func:`essay_init` returns), instead of
        ``essay_init(n_in, n_hidden, n_out, seed)``.

    Returns
    -------
    EssayRun
    """
    _check_gradient(gradient)
    if isinstance(learning_rate, bool) or not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1, got {epochs!r}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    Y = np.eye(int(y.max()) + 1)[y]
    params = _initial_params(init, essay_init(X.shape[1], n_hidden, Y.shape[1], seed))
    losses = np.empty(epochs)
    for epoch in range(epochs):
        losses[epoch], grads = essay_gradients(params, X, Y, gradient)
        for key, g in grads.items():
            params[key] -= learning_rate * g
    _, A3 = essay_forward(params, X)
    return EssayRun(gradient, float(learning_rate), int(seed), losses,
                    float(np.mean((A3 - Y) ** 2)), float(np.mean(A3.argmax(axis=1) == y)))
