"""SpikingMLPClassifier: batch-independent input spikes, seeds, save/load, cost, gradients."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from ann import gradcheck
from ann.base import InvalidParameterError
from ann.io import load
from ann.spiking_mlp import SpikingMLPClassifier, rate_spikes, sample_keys
from contract import COST_KEYS

SMALL = {"hidden_layer_sizes": (32,), "n_steps": 8, "epochs": 10, "batch_size": 32}


@pytest.fixture(scope="module")
def data():
    d = load_digits()
    X, y = d.data / 16.0, d.target
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(y))
    return X[idx[:1300]], y[idx[:1300]], X[idx[1300:]], y[idx[1300:]]


@pytest.fixture(scope="module")
def model(data):
    X, y, _, _ = data
    return SpikingMLPClassifier(random_state=0, **SMALL).fit(X, y)


def test_it_learns_digits(model, data):
    _, _, Xt, yt = data
    assert model.score(Xt, yt) > 0.85
    assert model.history_[-1]["loss"] < model.history_[0]["loss"]
    assert set(model.history_[0]) >= {"epoch", "samples_seen", "loss", "wall_s"}


def test_predictions_do_not_depend_on_the_batch(model, data):
    X = np.concatenate([data[0], data[2]])  # 1797 rows: crosses the 1024-row chunk
    full = model.predict(X)
    proba = model.predict_proba(X)
    perm = np.random.default_rng(1).permutation(len(X))
    np.testing.assert_array_equal(model.predict(X[perm]), full[perm])
    np.testing.assert_array_equal(model.predict_proba(X[perm]), proba[perm])
    for k in (1, 7, 1100):
        np.testing.assert_array_equal(model.predict(X[:k]), full[:k])
    np.testing.assert_array_equal(model.predict(X), full)  # again: no state consumed


def test_predict_does_not_mutate_the_estimator(model, data):
    before = {k: v for k, v in vars(model).items() if k not in ("threads_used_",)}
    weights = model.network_.flat_params.copy()
    rng_state = model._rng.bit_generator.state
    model.predict(data[2])
    model.predict_at(data[2], [2.0, 8.0])
    model.cost(data[2][:20])
    assert set(vars(model)) - {"threads_used_"} == set(before)
    np.testing.assert_array_equal(model.network_.flat_params, weights)
    assert model._rng.bit_generator.state == rng_state
    assert all(layer._cache is None for layer in model.network_.layers)


def test_input_spikes_are_a_function_of_seed_purpose_and_sample():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (4, 16))
    X[3] = X[1]
    k = sample_keys(X, 5, 0)
    assert k[1] == k[3] and len(set(k.tolist())) == 3
    assert not np.array_equal(k, sample_keys(X, 5, 1))
    assert not np.array_equal(k, sample_keys(X, 6, 0))
    s = rate_spikes(X, k, 20, 1.0, np.float32)
    assert s.shape == (4, 20, 16) and s.dtype == np.float32
    np.testing.assert_array_equal(s[1], s[3])
    np.testing.assert_array_equal(rate_spikes(X[2:], k[2:], 20, 1.0, np.float32), s[2:])
    # the Bernoulli rate is x * max_rate per step
    p = np.linspace(0, 1, 11)[None, :]
    big = rate_spikes(p, sample_keys(p, 0, 0), 20000, 0.5, np.float64)
    np.testing.assert_allclose(big.mean(axis=1)[0], p[0] * 0.5, atol=0.012)
    assert big[0, :, 0].sum() == 0


def test_training_epochs_draw_fresh_spikes(model, data):
    X = data[0][:3]
    a = model._spike_input(X, 1)
    b = model._spike_input(X, 2)
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, model._spike_input(X, 1))


def test_same_seed_same_model(data):
    X, y = data[0][:400], data[1][:400]
    kw = {**SMALL, "epochs": 2}
    a = SpikingMLPClassifier(random_state=3, **kw).fit(X, y)
    b = SpikingMLPClassifier(random_state=3, **kw).fit(X, y)
    c = SpikingMLPClassifier(random_state=4, **kw).fit(X, y)
    np.testing.assert_array_equal(a.network_.flat_params, b.network_.flat_params)
    assert [r["loss"] for r in a.history_] == [r["loss"] for r in b.history_]
    assert not np.array_equal(a.network_.flat_params, c.network_.flat_params)


def test_save_load_predicts_identically(model, data, tmp_path):
    path = model.save(tmp_path / "snn.npz")
    back = load(path)
    assert type(back) is SpikingMLPClassifier
    assert back.get_params() == model.get_params()
    np.testing.assert_array_equal(back.predict(data[2]), model.predict(data[2]))
    np.testing.assert_array_equal(back.predict_proba(data[2]), model.predict_proba(data[2]))
    np.testing.assert_array_equal(back.predict_at(data[2], [3.0]),
                                  model.predict_at(data[2], [3.0]))
    assert back.history_ == model.history_


def test_predict_at(model, data):
    Xt = data[2]
    times = [1.0, 2.5, 8.0, 50.0]
    at = model.predict_at(Xt, times)
    assert at.shape == (4, len(Xt))
    np.testing.assert_array_equal(at[2], model.predict(Xt))
    np.testing.assert_array_equal(at[3], at[2])  # past the presentation: the final answer
    np.testing.assert_array_equal(at[1], model.predict_at(Xt, [2.0])[0])  # floor(t / dt)
    accs = (at == data[3]).mean(axis=1)
    assert accs[2] > accs[0]
    with pytest.raises(ValueError, match="times_ms"):
        model.predict_at(Xt, [0.5])


@pytest.mark.parametrize("readout", ["membrane_mean", "spike_count"])
def test_other_readouts_predict_at_the_end(readout, data):
    X, y = data[0][:300], data[1][:300]
    m = SpikingMLPClassifier(random_state=0, readout=readout, **{**SMALL, "epochs": 2}).fit(X, y)
    np.testing.assert_array_equal(m.predict_at(data[2], [8.0])[0], m.predict(data[2]))


def _manual_counts(model, X):
    """Spikes x non-zero fan-out, recomputed layer by layer from the network's own spikes."""
    net = model.network_
    x = model._spike_input(model._prepare(X), 0)
    acs = 0
    for layer in net.layers:
        if "W" in layer.params:
            fan = np.count_nonzero(layer.params["W"], axis=1)
            acs += int((x.sum(axis=(0, 1)) * fan).sum())
        x = layer.forward(x)
    model._clear_caches()
    return acs


def test_cost_counts_a_spiking_network(model, data):
    X = data[2][:50]
    c = model.cost(X)
    assert tuple(c) == COST_KEYS
    assert c["timesteps"] == 8 and c["sim_ms_per_inference"] == 8.0
    assert c["neurons"] == 32 + 10 and c["synapses"] == 64 * 32 + 32 * 10
    assert c["dense_ops"] == c["synapses"] * 8
    assert c["membrane_updates"] == c["neurons"] * 8
    assert c["input_draws"] == 64 * 8
    assert c["sequential_depth"] == c["steps_to_final_output"] == 8 + 2 - 1
    assert c["effective_macs"] == 0
    assert c["effective_acs"] == pytest.approx(_manual_counts(model, X) / len(X))
    assert 0 < c["activation_sparsity"] < 1 and 0 < c["fraction_active"] <= 1
    assert c["spike_rate_hz"] > 0
    assert 2 <= c["steps_to_first_output"] <= c["sequential_depth"]
    assert c["update_locality"] == "global"
    none = model.cost()
    assert none["effective_acs"] is None and none["neurons"] == c["neurons"]


def test_cost_of_current_coding_counts_macs(data):
    X, y = data[0][:300], data[1][:300]
    m = SpikingMLPClassifier(random_state=0, input_coding="current",
                             **{**SMALL, "epochs": 1}).fit(X, y)
    c = m.cost(data[2][:20])
    nonzero_pixels = np.count_nonzero(data[2][:20], axis=1).mean()
    assert c["effective_macs"] == pytest.approx(nonzero_pixels * 32)
    assert c["input_draws"] == 0


@pytest.mark.parametrize("reset", ["subtract", "zero"])
@pytest.mark.parametrize("tau_syn_ms", [None, 3.0])
def test_whole_model_gradient_matches_central_differences(reset, tau_syn_ms):
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (6, 5))
    y = np.array([0, 1, 2, 0, 1, 2])
    m = SpikingMLPClassifier((4, 3), n_steps=5, tau_syn_ms=tau_syn_ms, reset=reset,
                             surrogate="sigmoid_exact", surrogate_scale=2.0,
                             detach_reset=False, input_coding="current", v_threshold=0.5,
                             dtype="float64", epochs=1, batch_size=6, random_state=0).fit(X, y)
    errors = gradcheck.check_model(m, X, y)
    assert max(errors.values()) < 1e-6, errors


def test_rate_coded_network_gradient(data):
    X, y = data[0][:4], data[1][:4]
    m = SpikingMLPClassifier((5,), n_steps=6, surrogate="sigmoid_exact", detach_reset=False,
                             readout="spike_count", dtype="float64", epochs=1, random_state=1)
    m.fit(data[0][:40], data[1][:40])
    spikes = m._spike_input(m._prepare(X), 0)
    errors = gradcheck.check_network(m.network_, m.loss_, spikes, m._encode(y))
    assert max(errors.values()) < 1e-6, errors


def test_float64_and_lesions(data):
    X, y = data[0][:200], data[1][:200]
    m = SpikingMLPClassifier(dtype="float64", random_state=0, **{**SMALL, "epochs": 1})
    m.fit(X, y)
    assert m.network_.dtype == np.float64 and m.predict_proba(X[:3]).shape == (3, 10)
    silent = m.perturbed("neuron_lesion", 1.0, random_state=0)
    assert silent.cost(X[:10])["fraction_active"] == 0.0
    assert m.input_weights_.shape == (64, 32)


@pytest.mark.parametrize("param, value", [
    ("n_steps", 0), ("tau_mem_ms", -5.0), ("tau_syn_ms", 0.0), ("dt_ms", 0),
    ("v_threshold", -1.0), ("surrogate", "boxcar"), ("surrogate_scale", 0.0),
    ("reset", "hard"), ("readout", "votes"), ("input_coding", "latency"),
    ("max_rate", 1.5), ("hidden_layer_sizes", ()), ("detach_reset", "yes"),
    ("learning_rate", -1.0),
])
def test_bad_parameters_name_the_parameter(param, value, data):
    m = SpikingMLPClassifier(**{param: value})
    with pytest.raises(InvalidParameterError) as err:
        m.fit(data[0][:20], data[1][:20])
    assert err.value.param == param
    assert param in str(err.value)


def test_scikit_learn_check_estimator():
    import warnings

    from sklearn.utils.estimator_checks import check_estimator

    # the three checks every ann estimator fails on purpose (tests/ann/test_ann_sklearn.py);
    # current coding, as check_estimator's data are not intensities in [0, 1]
    expected = {"check_estimators_unfitted": "contract.NotFittedError",
                "check_classifiers_classes": "-1 marks an unlabelled sample",
                "check_supervised_y_2d": "a column-vector y raises"}
    model = SpikingMLPClassifier((16,), n_steps=5, epochs=20, learning_rate=5e-3,
                                 input_coding="current", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(model, expected_failed_checks=expected, on_fail=None)
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert not failed, failed
