"""The essay's MLP (sigmoid + MSE, full-batch GD) as a correct preset, and its errors apart.

The essay's listing multiplies the hidden delta by ``1 - A2`` (the sigmoid derivative is
``A2 (1 - A2)``) and uses ``A3 - y`` as the output delta (dropping the output sigmoid's derivative
from the MSE gradient). :func:`ann.presets.train_essay_network` trains the essay's network with
either error alone, both, or neither; ``benchmarks/essay_errors.py`` sweeps the learning rate and
``docs/ann.md`` holds its table. These tests pin what it found: the wrong hidden derivative does
the damage, the dropped output derivative alone does not.
"""

import numpy as np
import pytest

from ann import gradcheck
from ann.losses import MeanSquaredError
from ann.presets import (
    ESSAY_MLP_DEFAULTS,
    XOR_X,
    XOR_Y,
    essay_gradients,
    essay_init,
    essay_mlp,
    train_essay_network,
)


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


def _numeric_gradients(params, X, Y):
    def loss():
        return essay_gradients(params, X, Y)[0]

    return {k: gradcheck.numerical_gradient(loss, params[k]) for k in params}


def test_only_the_correct_backward_pass_is_the_gradient():
    params = essay_init(2, 4, 2, seed=0)
    Y = np.eye(2)[XOR_Y]
    numeric = _numeric_gradients(params, XOR_X, Y)
    errors = {}
    for gradient in ("correct", "hidden", "output", "both"):
        _, grads = essay_gradients(params, XOR_X, Y, gradient)
        errors[gradient] = {k: gradcheck.relative_error(grads[k], numeric[k]) for k in grads}
    assert max(errors["correct"].values()) < 1e-6
    # the hidden error leaves the output layer's gradient right and spoils the first layer's
    assert errors["hidden"]["W2"] < 1e-6 and errors["hidden"]["W1"] > 0.1
    # the output error spoils both layers (the hidden delta is built from the output one)
    assert errors["output"]["W2"] > 0.1 and errors["output"]["W1"] > 0.1
    assert errors["both"]["W1"] > 0.1


def test_the_essay_network_matches_the_layer_library_with_the_correct_gradient():
    # same randn weights, same MSE, same full-batch SGD: the layer library's network
    model = essay_mlp(hidden_layer_sizes=(4,), epochs=200, learning_rate=2.0, dtype="float64",
                      random_state=3).fit(XOR_X, XOR_Y)
    run = train_essay_network(gradient="correct", learning_rate=2.0, seed=3, epochs=200)
    np.testing.assert_allclose(run.losses, [r["loss"] for r in model.history_], rtol=1e-9)


def _solved(gradient, learning_rate, seeds, epochs=2000):
    return sum(train_essay_network(gradient=gradient, learning_rate=learning_rate, seed=s,
                                   epochs=epochs).solved for s in seeds)


def test_the_hidden_derivative_does_the_damage():
    # benchmarks/essay_errors.py, lr 10 (the preset's): 10/10, 0/10, 10/10, 0/10
    solved = {g: _solved(g, 10.0, range(10)) for g in ("correct", "hidden", "output", "both")}
    assert solved == {"correct": 10, "hidden": 0, "output": 10, "both": 0}
    # and at a smaller rate the output error alone still learns, the hidden one does not
    assert _solved("output", 1.0, range(5)) == 5
    assert _solved("hidden", 1.0, range(5)) == 0


def test_the_output_error_alone_is_the_cross_entropy_step_and_converges_faster():
    # A3 - y is the exact dL/dZ3 of sigmoid + cross-entropy: without the A3 (1 - A3) factor the
    # saturated outputs keep learning, so its final MSE is far below the correct MSE gradient's
    for seed in range(3):
        correct = train_essay_network(gradient="correct", learning_rate=2.0, seed=seed)
        output = train_essay_network(gradient="output", learning_rate=2.0, seed=seed)
        assert output.solved and correct.solved
        assert output.final_loss < correct.final_loss / 10


def test_the_wrong_hidden_derivative_makes_training_chaotic():
    # initial weights changed by a relative 1e-12: the gradient settles the same way, the
    # essay's hidden update ends somewhere else (hence seed counts that move with rounding)
    def change(gradient, seed):
        kw = {"gradient": gradient, "learning_rate": 5.0, "epochs": 500}
        init = {k: v * (1 + 1e-12) for k, v in essay_init(2, 4, 2, seed).items()}
        a = train_essay_network(seed=seed, **kw)
        return abs(a.final_loss - train_essay_network(init=init, **kw).final_loss)

    assert max(change("correct", s) for s in range(5)) < 1e-9
    assert max(change("hidden", s) for s in range(5)) > 1e-3


def test_train_essay_network_is_seeded_and_checks_its_arguments():
    a = train_essay_network(gradient="both", learning_rate=2.0, seed=4, epochs=300)
    b = train_essay_network(gradient="both", learning_rate=2.0, seed=4, epochs=300)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert a.losses.shape == (300,)
    with pytest.raises(ValueError, match="gradient must be one of"):
        train_essay_network(gradient="wrong")
    with pytest.raises(ValueError, match="learning_rate"):
        train_essay_network(learning_rate=0.0)
    with pytest.raises(ValueError, match="epochs"):
        train_essay_network(epochs=0)
    with pytest.raises(ValueError, match="init must hold"):
        train_essay_network(init={"W1": np.zeros((2, 3))})
