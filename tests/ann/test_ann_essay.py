"""The essay's MLP (sigmoid + MSE, full-batch GD) as a correct preset, and what its bug does.

The essay's listing multiplies the hidden delta by ``1 - A2`` (the sigmoid derivative is
``A2 (1 - A2)``) and uses ``A3 - y`` as the output delta (dropping the output sigmoid's derivative
from the MSE gradient). Reproduced here with two layer subclasses, trained side by side with the
correct network from the same initial weights.
"""

import numpy as np
import pytest

from ann import gradcheck
from ann.layers import Dense, Sequential, Sigmoid
from ann.losses import MeanSquaredError
from ann.optimizers import SGD
from ann.presets import ESSAY_MLP_DEFAULTS, essay_mlp

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0, 1, 1, 0])


class EssayHiddenSigmoid(Sigmoid):
    """The essay's hidden-layer derivative: ``1 - a``."""

    @staticmethod
    def _grad(x, y, dy):
        return dy * (1 - y)


class EssayOutputSigmoid(Sigmoid):
    """The essay's output delta ``A3 - y``: the sigmoid derivative dropped."""

    @staticmethod
    def _grad(x, y, dy):
        return dy


def train_xor(essay_bug: bool, seed: int, epochs=2000, learning_rate=2.0, hidden=4):
    """Full-batch GD on XOR with one-hot MSE from the essay's ``randn`` weights and zero biases;
    returns (loss per epoch, final accuracy)."""
    rng = np.random.default_rng(seed)
    f64 = np.float64
    hidden_act = EssayHiddenSigmoid if essay_bug else Sigmoid
    out_act = EssayOutputSigmoid if essay_bug else Sigmoid
    net = Sequential([Dense(2, hidden, rng=rng, init="normal", dtype=f64), hidden_act(dtype=f64),
                      Dense(hidden, 2, rng=rng, init="normal", dtype=f64), out_act(dtype=f64)])
    loss, opt, target = MeanSquaredError(), SGD(learning_rate), np.eye(2)[XOR_Y]
    curve = []
    for _ in range(epochs):
        curve.append(loss.forward(net.forward(XOR_X), target))
        net.backward(loss.backward(), input_grad=False)
        opt.step({"w": net.flat_params}, {"w": net.flat_grads})
    accuracy = float(np.mean(net.forward(XOR_X).argmax(axis=1) == XOR_Y))
    return np.array(curve), accuracy


@pytest.mark.parametrize("seed", range(5))
def test_essay_preset_learns_xor_to_100_percent(seed):
    model = essay_mlp(hidden_layer_sizes=(4,), random_state=seed).fit(XOR_X, XOR_Y)
    assert model.score(XOR_X, XOR_Y) == 1.0
    assert model.history_[-1]["loss"] < 0.01


def test_essay_preset_reaches_090_on_digits(digits):
    model = essay_mlp(random_state=0).fit(digits.X_train, digits.y_train)
    assert model.score(digits.X_test, digits.y_test) >= 0.90


def test_essay_preset_is_what_the_essay_describes(capsys):
    model = essay_mlp(hidden_layer_sizes=(4,), epochs=300, verbose=True, random_state=0)
    for key, value in ESSAY_MLP_DEFAULTS.items():
        if key not in ("hidden_layer_sizes", "epochs"):
            assert getattr(model, key) == value
    assert (model.activation, model.output_activation, model.loss) == ("sigmoid", "sigmoid",
                                                                       "mse")
    assert model.batch_size is None and model.optimizer == "sgd"
    model.fit(XOR_X, XOR_Y)
    out = capsys.readouterr()
    logged = [line for line in (out.out + out.err).splitlines() if line.startswith("epoch ")]
    assert [line.split(":")[0] for line in logged] == ["epoch 100", "epoch 200", "epoch 300"]
    # the preset's gradient is the true one (float64 copy of the fitted network)
    net = model.network_.astype("float64")
    errors = gradcheck.check_network(net, MeanSquaredError(), XOR_X, np.eye(2)[XOR_Y])
    assert max(errors.values()) < 1e-5


def test_the_essays_derivative_is_not_the_gradient():
    rng = np.random.default_rng(0)
    net = Sequential([Dense(2, 4, rng=rng, dtype=np.float64), EssayHiddenSigmoid(dtype=np.float64),
                      Dense(4, 2, rng=rng, dtype=np.float64), EssayOutputSigmoid(dtype=np.float64)])
    errors = gradcheck.check_network(net, MeanSquaredError(), XOR_X, np.eye(2)[XOR_Y])
    assert errors["0.W"] > 0.1 and errors["2.W"] > 0.1


@pytest.mark.parametrize("learning_rate", [10.0, 2.0])
def test_the_correct_gradient_learns_xor_where_the_essays_does_worse(learning_rate):
    # same initial weights (seeds 0-9), same learning rate, 2000 full-batch epochs
    correct = [train_xor(False, seed, learning_rate=learning_rate) for seed in range(10)]
    buggy = [train_xor(True, seed, learning_rate=learning_rate) for seed in range(10)]
    assert all(acc == 1.0 for _, acc in correct)
    assert np.mean([c[-1] for c, _ in correct]) < 0.01
    assert np.mean([c[-1] for c, _ in buggy]) > 10 * np.mean([c[-1] for c, _ in correct])
    assert sum(acc == 1.0 for _, acc in buggy) < 10
