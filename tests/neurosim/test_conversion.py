"""ANN-to-SNN conversion (``neurosim.conversion``): normalisation, IF dynamics, read-out, cost.

The expected numbers of the tiny 2-2-2 network are worked out by hand in the comments; none of
them comes from the code under test.
"""

from __future__ import annotations

import brian2 as b2
import numpy as np
import pytest

from contract import COST_KEYS, InvalidParameterError
from neurosim._checks import codegen_target
from neurosim.conversion import (
    convert,
    data_based_scales,
    if_group,
    normalize_parameters,
)

# The tiny network: 2 inputs -> 2 ReLU hidden units -> 2 outputs.
W1 = np.array([[1.0, -1.0],
               [2.0, 1.0]])
B1 = np.array([0.0, 0.5])
W2 = np.array([[1.0, 0.0],
               [-1.0, 2.0]])
B2 = np.array([0.1, -1.0])
# Hidden pre-activations x W1 + b1:
#   (1, 0)     -> (1, -1 + 0.5 = -0.5)          -> ReLU (1, 0)
#   (0, 1)     -> (2, 1 + 0.5 = 1.5)            -> (2, 1.5)
#   (0.5, 0.5) -> (0.5 + 1 = 1.5, -0.5 + 0.5 + 0.5 = 0.5) -> (1.5, 0.5)
# non-zero hidden activations: 0.5, 1, 1.5, 1.5, 2
# Output pre-activations h W2 + b2:
#   (1, 0)     -> (1 + 0.1 = 1.1, -1)           -> ReLU (1.1, 0)
#   (2, 1.5)   -> (2 - 1.5 + 0.1 = 0.6, 3 - 1 = 2) -> (0.6, 2)
#   (1.5, 0.5) -> (1.5 - 0.5 + 0.1 = 1.1, 1 - 1 = 0) -> (1.1, 0)
# non-zero output activations: 0.6, 1.1, 1.1, 2
X_CAL = np.array([[1.0, 0.0],
                  [0.0, 1.0],
                  [0.5, 0.5]])


@pytest.fixture(autouse=True)
def _runtime_target():
    with codegen_target("numpy"):
        yield


# -- normalisation --------------------------------------------------------------------------------
def test_scales_by_hand_maximum():
    # percentile 100 = Diehl et al.'s maximum: hidden max 2, output max 2.
    np.testing.assert_allclose(data_based_scales([W1, W2], [B1, B2], X_CAL, 100.0), [2.0, 2.0])


def test_scales_by_hand_percentile_of_nonzero_activations():
    # Median (50th percentile) of the NON-ZERO activations: hidden 0.5, 1, [1.5], 1.5, 2 -> 1.5
    # (with the zero included it would be 1.25); output 0.6, [1.1, 1.1], 2 -> 1.1.
    np.testing.assert_allclose(data_based_scales([W1, W2], [B1, B2], X_CAL, 50.0), [1.5, 1.1])
    # 25th percentile (linear interpolation over 5 values: position 1) -> 1.0;
    # output over 4 values: position 0.75 -> 0.6 + 0.75 * (1.1 - 0.6) = 0.975.
    np.testing.assert_allclose(data_based_scales([W1, W2], [B1, B2], X_CAL, 25.0),
                               [1.0, 0.975])


def test_normalized_parameters_by_hand():
    # lambda = (1.5, 1.1), lambda_0 = 1: W1' = W1 / 1.5, b1' = b1 / 1.5,
    # W2' = W2 * 1.5 / 1.1, b2' = b2 / 1.1.
    w, b = normalize_parameters([W1, W2], [B1, B2], np.array([1.5, 1.1]))
    np.testing.assert_allclose(w[0], [[1 / 1.5, -1 / 1.5], [2 / 1.5, 1 / 1.5]])
    np.testing.assert_allclose(b[0], [0.0, 0.5 / 1.5])
    np.testing.assert_allclose(w[1], [[1.5 / 1.1, 0.0], [-1.5 / 1.1, 3.0 / 1.1]])
    np.testing.assert_allclose(b[1], [0.1 / 1.1, -1.0 / 1.1])


def test_convert_stores_normalized_network_and_leaves_inputs_alone():
    arrays = [a.copy() for a in (W1, B1, W2, B2, X_CAL)]
    net = convert([W1, W2], [B1, B2], X_CAL, percentile=100.0)
    for before, after in zip(arrays, (W1, B1, W2, B2, X_CAL), strict=True):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_allclose(net.scales_, [2.0, 2.0])
    np.testing.assert_allclose(net.weights_[0], W1 / 2.0)
    np.testing.assert_allclose(net.weights_[1], W2)  # lambda_1 / lambda_2 = 1
    np.testing.assert_allclose(net.biases_[1], [0.05, -0.5])


# -- the IF neuron ------------------------------------------------------------------------------
def test_if_neuron_reset_by_subtraction_fires_at_input_rate():
    # A constant input of c thresholds per step gives floor(k c) spikes in k steps (rate
    # c / dt); reset to zero would give k / ceil(1 / c) (e.g. 25, not 30, for c = 0.3).
    c = np.array([0.0, 0.1, 0.25, 0.3, 0.45, 0.7, 1.0])
    group = if_group(c.size, dt_ms=1.0, drive_per_step=c)
    b2.Network(group).run(200 * b2.ms, namespace={})
    counts = np.asarray(group.count_[:])
    expected = np.array([0, 20, 50, 60, 90, 140, 200])
    assert np.all(np.abs(counts - expected) <= 1), counts
    rate_hz = counts / 0.2
    np.testing.assert_allclose(rate_hz, c * 1000.0, atol=5.0)
    # The surplus stays on the membrane: count + v is the total input, 200 c.
    np.testing.assert_allclose(counts + np.asarray(group.v_[:]), 200 * c, atol=1e-9)


# -- a hand-simulated run ------------------------------------------------------------------------
def test_cost_of_a_hand_simulated_run():
    # percentile 100 -> lambda = (2, 2); W1' = W1 / 2, b1' = (0, 0.25), W2' = W2,
    # b2' = (0.05, -0.5). Sample x = (0.4, 0.6): hidden drive = (0.4 + 1.2, -0.4 + 0.6 + 0.5) / 2
    # = (0.8, 0.35) per step.
    #   hidden 0: v = .8, 1.6*, 1.4*, 1.2*          -> spikes at steps 2, 3, 4
    #   hidden 1: v = .35, .7, 1.05*, .4            -> spike at step 3
    # Outputs integrate the bias, are thresholded, then receive this step's hidden spikes:
    #   step 1: v = (.05, -.5)
    #   step 2: v = (.1, -1) -> + W2'[0] = (1, 0)         -> (1.1, -1)
    #   step 3: v = (1.15*, -1.5) -> + (1, 0) + (-1, 2)   -> (1.15, .5), reset -> (.15, .5)
    #   step 4: v = (.2, 0) -> + (1, 0)                   -> (1.2, 0)
    # Spikes: 3 + 1 hidden, 1 output = 5 in 4 neurons x 4 steps.
    net = convert([W1, W2], [B1, B2], X_CAL, percentile=100.0, duration_ms=4.0, dt_ms=1.0,
                  train_samples=30, epochs=2, labels_used=15)
    X = np.array([[0.4, 0.6]])
    cost = net.cost(X)
    assert list(cost) == list(COST_KEYS)
    assert cost["neurons"] == 4
    assert cost["synapses"] == 8
    assert cost["params"] == 12
    assert cost["connection_sparsity"] == pytest.approx(1 / 8)  # the 0 in W2
    assert cost["parallel_width"] == 4
    assert cost["timesteps"] == cost["sequential_depth"] == cost["steps_to_final_output"] == 4
    assert cost["sim_ms_per_inference"] == pytest.approx(4.0)
    assert cost["dense_ops"] == 8 * 4
    assert cost["membrane_updates"] == 4 * 4
    assert cost["input_draws"] == 0
    # x W1' once: both inputs non-zero, each with 2 non-zero outgoing weights.
    assert cost["effective_macs"] == pytest.approx(4.0)
    # hidden 0: 3 spikes x 1 non-zero fan-out (W2 row (1, 0)); hidden 1: 1 x 2.
    assert cost["effective_acs"] == pytest.approx(5.0)
    assert cost["activation_sparsity"] == pytest.approx(1 - 5 / 16)
    assert cost["spike_rate_hz"] == pytest.approx(5 / (4 * 0.004))
    assert cost["fraction_active"] == pytest.approx(1.0)
    assert cost["steps_to_first_output"] == pytest.approx(3.0)
    assert cost["ms_to_first_output"] == pytest.approx(3.0)
    assert cost["update_locality"] == "global"
    assert (cost["train_samples"], cost["epochs"], cost["labels_used"]) == (30, 2, 15)
    assert cost["footprint_bytes"] > (8 + 4) * 8  # at least the float64 weights and biases
    # Read-out: charge = count + v = (1 + 1.2, 0 + 0) -> class 0 (the ANN's output (1.0, 0.4)).
    sim = net.simulate(X)
    np.testing.assert_allclose(sim.scores[0, 0], [2.2, 0.0], atol=1e-9)
    np.testing.assert_array_equal(sim.spike_counts[0], [[3, 1]])
    np.testing.assert_array_equal(sim.spike_counts[1], [[1, 0]])
    assert net.predict(X).tolist() == [0]


def test_cost_without_data_and_with_poisson_input():
    net = convert([W1, W2], [B1, B2], X_CAL, duration_ms=10.0, input_coding="poisson",
                  random_state=0)
    cost = net.cost()
    assert list(cost) == list(COST_KEYS)
    for key in ("effective_acs", "effective_macs", "activation_sparsity", "spike_rate_hz",
                "fraction_active", "steps_to_first_output", "ms_to_first_output"):
        assert cost[key] is None
    assert cost["input_draws"] == 2 * 10
    assert cost["dense_ops"] == 8 * 10
    with_data = net.cost(X_CAL)
    assert with_data["effective_macs"] == 0
    assert with_data["effective_acs"] > 0


# -- anytime read-out -----------------------------------------------------------------------------
def _teacher_problem(seed=0, n=120):
    """Labels from a random ReLU teacher (so the ANN itself is exactly right), with the output
    biases centring the logits so that the four classes all occur."""
    rng = np.random.default_rng(seed)
    w1 = rng.normal(0.0, 0.5, (8, 24))
    b1 = rng.normal(0.0, 0.1, 24)
    w2 = rng.normal(0.0, 0.5, (24, 4))
    X = rng.uniform(0.0, 1.0, (n, 8))
    logits = np.maximum(X @ w1 + b1, 0.0) @ w2
    b2_ = -logits.mean(axis=0)
    return [w1, w2], [b1, b2_], X, np.argmax(logits + b2_, axis=1)


@pytest.mark.parametrize("coding", ["current", "poisson"])
def test_accuracy_rises_with_time(coding):
    coefs, intercepts, X, y = _teacher_problem()
    assert np.bincount(y, minlength=4).min() >= 10
    net = convert(coefs, intercepts, X, percentile=99.9, duration_ms=100.0, input_coding=coding,
                  random_state=1)
    times = [1.0, 5.0, 20.0, 100.0]
    pred = net.predict_at(X, times)
    assert pred.shape == (len(times), X.shape[0])
    assert np.issubdtype(pred.dtype, np.integer)
    acc = (pred == y).mean(axis=1)
    assert np.all(np.diff(acc) > 0), acc
    assert acc[0] < 0.5 and acc[-1] >= 0.85, acc
    np.testing.assert_array_equal(net.predict(X), net.predict_at(X, [100.0])[0])


def test_same_input_same_random_state_same_predictions():
    coefs, intercepts, X, _ = _teacher_problem(seed=2, n=40)

    def run(seed):
        net = convert(coefs, intercepts, X, input_coding="poisson", random_state=seed,
                      duration_ms=20.0, batch_size=25)
        sim = net.simulate(X, [3.0, 20.0])
        return sim.scores.argmax(axis=2), sim.input_spike_counts

    (p1, s1), (p2, s2), (_, s3) = run(5), run(5), run(6)
    np.testing.assert_array_equal(p1, p2)
    np.testing.assert_array_equal(s1, s2)
    assert not np.array_equal(s1, s3)
    # Current coding is deterministic without a seed.
    net = convert(coefs, intercepts, X, duration_ms=20.0)
    np.testing.assert_array_equal(net.predict(X), net.predict(X))


def test_batches_do_not_change_current_coded_answers():
    coefs, intercepts, X, _ = _teacher_problem(seed=3, n=30)
    whole = convert(coefs, intercepts, X, duration_ms=15.0).simulate(X)
    parts = convert(coefs, intercepts, X, duration_ms=15.0, batch_size=16).simulate(X)
    np.testing.assert_allclose(whole.scores, parts.scores)
    for a, b in zip(whole.spike_counts, parts.spike_counts, strict=True):
        np.testing.assert_array_equal(a, b)


def test_classes_label_the_outputs():
    net = convert([W1, W2], [B1, B2], X_CAL, classes=[7, 9], duration_ms=4.0)
    assert net.predict(np.array([[0.4, 0.6]])).tolist() == [7]


# -- validation -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("option", "value"), [
    ("percentile", 0.0), ("percentile", 100.5), ("percentile", "high"),
    ("duration_ms", -1.0), ("dt_ms", 0.0), ("input_coding", "rate"),
    ("input_rate_hz", 5000.0), ("random_state", -1), ("batch_size", 0), ("epochs", -2),
    ("classes", [1, 2, 3]),
])
def test_bad_options_name_the_option(option, value):
    with pytest.raises(InvalidParameterError) as err:
        convert([W1, W2], [B1, B2], X_CAL, **{option: value})
    assert err.value.param == option
    assert option in str(err.value)


def test_duration_shorter_than_a_step_is_refused():
    with pytest.raises(InvalidParameterError, match="duration_ms"):
        convert([W1, W2], [B1, B2], X_CAL, duration_ms=0.5, dt_ms=1.0)


@pytest.mark.parametrize(("coefs", "intercepts", "match"), [
    ([W1, W2.T[:1]], [B1, B2], r"coefs\[1\]"),
    ([W1, W2], [B1, B2[:1]], r"intercepts\[1\]"),
    ([W1, W2], [B1], "one bias vector per weight matrix"),
    ([], [], "at least one layer"),
    (W1, B1, "list of arrays"),
])
def test_inconsistent_layers_are_refused(coefs, intercepts, match):
    with pytest.raises((ValueError, TypeError), match=match):
        convert(coefs, intercepts, X_CAL)


def test_bad_data_is_refused():
    with pytest.raises(ValueError, match=r"X_calibration must lie in \[0, 1\]"):
        convert([W1, W2], [B1, B2], X_CAL * 2.0)
    with pytest.raises(ValueError, match="X_calibration has 3 features"):
        convert([W1, W2], [B1, B2], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="layer 0 .* no positive activation"):
        convert([W1, W2], [B1 - 5.0, B2], X_CAL)  # x W1 <= 2.5: every hidden unit silent
    net = convert([W1, W2], [B1, B2], X_CAL)
    with pytest.raises(ValueError, match="X has 3 features"):
        net.predict(np.zeros((1, 3)))
    with pytest.raises(InvalidParameterError, match="times_ms"):
        net.predict_at(X_CAL, [0.2])
    with pytest.raises(ValueError, match="times_ms is empty"):
        net.predict_at(X_CAL, [])


# -- the full-size check --------------------------------------------------------------------------
@pytest.mark.slow
def test_digits_mlp_converts_within_two_points():
    from ann import MLPClassifier
    from experiments.tasks import load_task

    task = load_task("digits", seed=0)
    ann = MLPClassifier(random_state=0).fit(task.X_train, task.y_train)
    snn = convert(ann.coefs_, ann.intercepts_, task.X_train, classes=ann.classes_)
    assert abs(snn.score(task.X_test, task.y_test) - ann.score(task.X_test, task.y_test)) <= 0.02
