"""Finite-difference gradient checks (float64) and float32-vs-float64 analytic gradients."""

import numpy as np
import pytest

from ann import gradcheck
from ann.layers import RNN, Conv2D, Dense, MaxPool2D, ReLU, Sequential, Sigmoid, Softmax, Tanh
from ann.losses import MeanSquaredError, SoftmaxCrossEntropy

CASES = dict(gradcheck._cases(seed=0))


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_matches_central_differences(name):
    errors = CASES[name]()
    assert errors, "a check must compare at least one array"
    worst = max(errors.values())
    assert worst < 1e-5, f"{name}: {errors}"


def test_self_test_reports_every_check_passing():
    rows = gradcheck.self_test(seed=1)
    names = {r["name"] for r in rows}
    for required in ("Dense", "Conv2D(3x3, pad 1)", "MaxPool2D(2)", "RNN(last)",
                     "MeanSquaredError", "SoftmaxCrossEntropy(labels)", "MLPClassifier",
                     "CNNClassifier", "RNNClassifier"):
        assert required in names
    assert all(set(r) >= {"name", "max_rel_error", "passed"} for r in rows)
    assert all(r["passed"] for r in rows), [r for r in rows if not r["passed"]]


def test_gradcheck_detects_a_wrong_gradient():
    class WrongSigmoid(Sigmoid):  # the essay's derivative: (1 - a) instead of a (1 - a)
        @staticmethod
        def _grad(x, y, dy):
            return dy * (1 - y)

    err = gradcheck.check_layer(WrongSigmoid(dtype=np.float64),
                                np.random.default_rng(0).standard_normal((3, 4)))
    assert err["x"] > 0.1


def test_gradcheck_refuses_float32():
    with pytest.raises(ValueError, match="float64"):
        gradcheck.check_layer(Dense(2, 2, rng=0), np.ones((1, 2)))


def _analytic(layer, x, r):
    layer.forward(x)
    dx = layer.backward(r)
    return dx, {k: np.array(g, dtype=np.float64) for k, g in layer.grads.items()}


FLOAT32_LAYERS = {
    "Dense": (lambda: Dense(6, 5, rng=1, dtype=np.float64), (4, 6)),
    "Sigmoid": (lambda: Sigmoid(dtype=np.float64), (4, 6)),
    "Tanh": (lambda: Tanh(dtype=np.float64), (4, 6)),
    "ReLU": (lambda: ReLU(dtype=np.float64), (4, 6)),
    "Softmax": (lambda: Softmax(dtype=np.float64), (4, 6)),
    "Conv2D": (lambda: Conv2D(2, 3, 3, padding=1, rng=1, dtype=np.float64), (3, 2, 6, 6)),
    "MaxPool2D": (lambda: MaxPool2D(2, dtype=np.float64), (3, 2, 6, 6)),
    "RNN": (lambda: RNN(4, 5, return_sequences=True, rng=1, dtype=np.float64), (3, 6, 4)),
}


@pytest.mark.parametrize("name", list(FLOAT32_LAYERS))
def test_float32_gradients_match_float64_at_the_same_point(name):
    make, shape = FLOAT32_LAYERS[name]
    layer64 = make()
    layer32 = layer64.astype("float32")
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(np.float32).astype(np.float64)  # same point
    for k, p in layer64.params.items():  # params representable in float32 exactly
        p[...] = layer32.params[k]
    r = rng.standard_normal(layer64.forward(x).shape)
    dx64, g64 = _analytic(layer64, x, r)
    dx32, g32 = _analytic(layer32, x.astype(np.float32), r.astype(np.float32))
    assert dx32.dtype == np.float32
    assert gradcheck.relative_error(dx64, dx32) < 1e-5
    for k in g64:
        assert layer32.grads[k].dtype == np.float32
        assert gradcheck.relative_error(g64[k], g32[k]) < 1e-5, k


def test_float32_network_and_loss_gradients_match_float64():
    rng = np.random.default_rng(0)
    net64 = Sequential([Dense(8, 16, rng=rng, dtype=np.float64), ReLU(dtype=np.float64),
                        Dense(16, 4, rng=rng, dtype=np.float64)])
    net32 = net64.astype(np.float32)
    net64.flat_params[...] = net32.flat_params
    x = rng.standard_normal((5, 8)).astype(np.float32)
    y = np.array([0, 1, 2, 3, 1])
    for net in (net64, net32):
        loss = SoftmaxCrossEntropy()
        loss.forward(net.forward(x.astype(net.dtype)), y)
        net.backward(loss.backward())
    assert net32.flat_grads.dtype == np.float32
    assert gradcheck.relative_error(net64.flat_grads, net32.flat_grads) < 1e-5
    mse = MeanSquaredError()
    t = rng.standard_normal((5, 3))
    mse.forward(t.astype(np.float32), np.zeros((5, 3), np.float32))
    g32 = mse.backward()
    mse.forward(t.astype(np.float32).astype(np.float64), np.zeros((5, 3)))
    assert gradcheck.relative_error(mse.backward(), g32) < 1e-6
