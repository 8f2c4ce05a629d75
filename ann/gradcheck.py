"""Central finite-difference gradient checks for layers, losses and whole models (float64).

``dL/dθ_i ≈ (L(θ + eps e_i) - L(θ - eps e_i)) / (2 eps)``, compared with the analytic gradient
by the max relative error of each array::

    max_i |analytic_i - numeric_i| / max(max_i |analytic_i|, max_i |numeric_i|)

(the infinity-norm relative error: robust to individual near-zero entries, yet a wrong term in
any entry of order of the array's largest shows up at O(1)). A layer is checked through the
scalar ``L = sum(forward(x) * R)`` with a fixed random ``R``, so ``dL/dy = R``.

Checks need float64 (float32 finite differences are too noisy): build float64 layers or use
``layer.astype("float64")``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "check_layer", "check_loss",
           "check_network", "check_model", "self_test", "TOLERANCE"]

#: pass threshold on the max relative error used by :func:`self_test`
TOLERANCE = 1e-5


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to array ``x``.

    ``x`` is perturbed in place one entry at a time and restored exactly afterwards.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("x must be a contiguous array so it can be perturbed in place")
    g = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        g[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric) -> float:
    """Infinity-norm relative error ``max|a - n| / max(max|a|, max|n|)`` (0 when both are 0)."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"analytic and numeric shapes differ: {a.shape} vs {n.shape}")
    scale = max(np.abs(a).max(initial=0.0), np.abs(n).max(initial=0.0))
    if scale == 0:
        return 0.0
    return float(np.abs(a - n).max() / scale)


def _require_float64(obj, what):
    if obj.dtype != np.float64:
        raise ValueError(f"{what} must be float64 for a gradient check, got {obj.dtype}; "
                         "use .astype('float64') or dtype='float64'")


def check_layer(layer, x, *, eps: float = 1e-5, seed: int = 0) -> dict[str, float]:
    """Max relative error of ``dL/dx`` and of every ``dL/dparam`` of a layer.

    Returns
    -------
    dict
        ``{"x": err, "<param>": err, ...}``.
    """
    _require_float64(layer, "layer")
    x = np.array(x, dtype=np.float64)
    y = layer.forward(x)
    r = np.random.default_rng(seed).standard_normal(y.shape)
    dx = layer.backward(r)
    analytic = {k: g.copy() for k, g in layer.grads.items()}

    def f():
        return float(np.sum(layer.forward(x) * r))

    out = {"x": relative_error(dx, numerical_gradient(f, x, eps))}
    for k, p in layer.params.items():
        out[k] = relative_error(analytic[k], numerical_gradient(f, p, eps))
    return out


def check_loss(loss, y_pred, target, *, eps: float = 1e-5) -> dict[str, float]:
    """Max relative error of ``dL/dy_pred`` of a loss at ``(y_pred, target)``."""
    y = np.array(y_pred, dtype=np.float64)
    loss.forward(y, target)
    analytic = loss.backward()
    return {"y_pred": relative_error(analytic, numerical_gradient(
        lambda: loss.forward(y, target), y, eps))}


def check_network(network, loss, x, target, *, eps: float = 1e-5) -> dict[str, float]:
    """Max relative error of ``dL/dx`` and every parameter of ``network`` under ``loss``."""
    _require_float64(network, "network")
    x = np.array(x, dtype=np.float64)
    loss.forward(network.forward(x), target)
    dx = network.backward(loss.backward())
    analytic = {k: g.copy() for k, g in network.grads.items()}

    def f():
        return loss.forward(network.forward(x), target)

    out = {"x": relative_error(dx, numerical_gradient(f, x, eps))}
    for k, p in network.params.items():
        out[k] = relative_error(analytic[k], numerical_gradient(f, p, eps))
    return out


def check_model(model, X, y, *, eps: float = 1e-5) -> dict[str, float]:
    """Gradient check of a fitted float64 estimator's whole network and loss on ``(X, y)``."""
    from ann.base import check_is_fitted

    check_is_fitted(model)
    Xn = model._prepare(X)
    y_enc = model._encode(np.asarray(y))
    if model.loss == "cross_entropy":
        target = y_enc
    else:
        target = np.zeros((len(y_enc), len(model.classes_)))
        target[np.arange(len(y_enc)), y_enc] = 1
    return check_network(model.network_, model.loss_, Xn, target, eps=eps)


def _cases(seed):
    from ann.cnn import CNNClassifier
    from ann.layers import (
        RNN,
        Conv2D,
        Dense,
        Flatten,
        Identity,
        MaxPool2D,
        ReLU,
        Sequential,
        Sigmoid,
        Softmax,
        Tanh,
    )
    from ann.losses import MeanSquaredError, SoftmaxCrossEntropy
    from ann.mlp import MLPClassifier
    from ann.rnn import RNNClassifier

    f64 = np.float64
    rng = np.random.default_rng(seed)

    def g(*shape):
        return rng.standard_normal(shape)

    def layer(name, lay, x):
        return name, lambda: check_layer(lay, x, seed=seed)

    yield layer("Dense", Dense(5, 4, rng=rng, dtype=f64), g(3, 5))
    for cls in (Sigmoid, Tanh, ReLU, Softmax, Identity):
        yield layer(cls.__name__, cls(dtype=f64), g(3, 5))
    yield layer("Conv2D(3x3, pad 1)", Conv2D(2, 3, 3, padding=1, rng=rng, dtype=f64),
                g(2, 2, 5, 5))
    yield layer("Conv2D(2x3, stride 2)", Conv2D(2, 2, (2, 3), stride=2, rng=rng, dtype=f64),
                g(2, 2, 6, 7))
    yield layer("MaxPool2D(2)", MaxPool2D(2, dtype=f64), g(2, 2, 4, 4))
    yield layer("MaxPool2D(3, stride 2)", MaxPool2D(3, stride=2, dtype=f64), g(2, 1, 7, 7))
    yield layer("Flatten", Flatten(dtype=f64), g(2, 2, 3, 3))
    yield layer("RNN(last)", RNN(3, 4, rng=rng, dtype=f64), g(2, 5, 3))
    yield layer("RNN(sequences)", RNN(3, 4, return_sequences=True, rng=rng, dtype=f64),
                g(2, 5, 3))
    yield "MeanSquaredError", lambda: check_loss(MeanSquaredError(), g(4, 3), g(4, 3))
    yield "SoftmaxCrossEntropy(labels)", lambda: check_loss(
        SoftmaxCrossEntropy(), g(4, 3), np.array([0, 2, 1, 2]))
    p = rng.dirichlet(np.ones(3), size=4)
    yield "SoftmaxCrossEntropy(probabilities)", lambda: check_loss(SoftmaxCrossEntropy(),
                                                                   g(4, 3), p)
    net = Sequential([Dense(4, 5, rng=rng, dtype=f64), Tanh(dtype=f64),
                      Dense(5, 3, rng=rng, dtype=f64), Sigmoid(dtype=f64)])
    yield "Sequential(dense, tanh, sigmoid) + MSE", lambda: check_network(
        net, MeanSquaredError(), g(3, 4), np.eye(3)[[0, 1, 2]])

    X = rng.uniform(0, 1, size=(6, 16))
    y = np.array([0, 1, 2, 0, 1, 2])
    kw = {"dtype": "float64", "epochs": 1, "random_state": seed, "batch_size": 6}
    models = {
        "MLPClassifier": MLPClassifier((6,), activation="tanh", **kw),
        "MLPClassifier(relu)": MLPClassifier((6, 5), **kw),
        "MLPClassifier(essay: sigmoid + MSE)": MLPClassifier(
            (5,), activation="sigmoid", output_activation="sigmoid", loss="mse", **kw),
        "CNNClassifier": CNNClassifier((4, 4), channels=(2,), hidden_layer_sizes=(5,), **kw),
        "RNNClassifier": RNNClassifier((4, 4), n_hidden=5, **kw),
    }
    for name, model in models.items():
        yield name, lambda m=model: check_model(m.fit(X, y), X, y)


def self_test(seed: int = 0) -> list[dict]:
    """Run every gradient check (each layer, both losses, MLP/CNN/RNN models) in float64.

    Returns
    -------
    list of dict
        One row per check: ``name``, ``max_rel_error`` (worst array), ``passed``
        (``max_rel_error < TOLERANCE``), ``errors`` (per array).
    """
    rows = []
    for name, run in _cases(seed):
        errors = run()
        worst = max(errors.values())
        rows.append({"name": name, "max_rel_error": worst, "passed": bool(worst < TOLERANCE),
                     "errors": errors})
    return rows
