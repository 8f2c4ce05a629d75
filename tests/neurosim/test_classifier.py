"""STDPClassifier: estimator contract, compiled fast path, determinism, costs, bad input.

Compiled builds are cached by network structure (see ``neurosim.standalone.cache_dir``). These
tests use the cache named by ``$BRAIN_VS_ANN_CACHE`` when it is set, else the user's cache, so
a second run of the suite re-uses the builds; a fresh cache (CI) pays one compile of the tiny
test network (15-50 s on 2 cores). All default tests share that one structure (``TINY``);
the full-size digits acceptance run is ``slow``.
"""

from __future__ import annotations

import copy
import os

import numpy as np
import pytest

from contract import COST_KEYS, InvalidParameterError
from experiments.tasks import load_task
from neurosim import STDPClassifier
from neurosim.buildcache import BuildError
from neurosim.classifier import NotFittedError
from neurosim.network import NetworkSpec
from neurosim.readout import assign_labels, fit_linear_readout, linear_predict, vote
from neurosim.standalone import RuntimeEngine, StandaloneEngine, make_engine

#: The one compiled structure of the default suite: 16 inputs (4x4 bars), 16 neurons.
#: A bar lights 4 of the 16 pixels; 2400 Hz in all is 600 Hz per lit pixel.
TINY = dict(n_excitatory=16, presentation_ms=100.0, rest_ms=50.0, chunk_samples=64,
            input_rate_hz=2400.0, norm_total=4.8, theta_plus_mV=0.2, min_spikes=2, a_plus=0.01,
            epochs=1,
            backend="cpp_standalone")


def bar_templates(n: int) -> np.ndarray:
    """The 2n single-bar images of an n x n grid, shape (2n, n*n)."""
    out = []
    for r in range(n):
        b = np.zeros((n, n))
        b[r] = 1.0
        out.append(b.ravel())
    for c in range(n):
        b = np.zeros((n, n))
        b[:, c] = 1.0
        out.append(b.ravel())
    return np.array(out)


def single_bar_fraction(W: np.ndarray, n: int) -> float:
    """Fraction of neurons whose n strongest input weights are exactly one bar's pixels."""
    bars = bar_templates(n) > 0
    hits = 0
    for j in range(W.shape[1]):
        top = np.zeros(n * n, dtype=bool)
        top[np.argsort(W[:, j])[::-1][:n]] = True
        hits += any(np.array_equal(top, b) for b in bars)
    return hits / W.shape[1]


@pytest.fixture(scope="session")
def bars():
    return load_task("bars", n=4, n_train_per_class=40, n_test_per_class=10, seed=0)


@pytest.fixture(scope="session")
def fitted(bars):
    model = STDPClassifier(**TINY, random_state=0, checkpoints=2)
    return model.fit(bars.X_train, bars.y_train)


def small_fit(bars, n=64, y=None, eval_set=None, labelled=None, **kw):
    """A quick fit on the first ``n`` training samples (``TINY`` structure, seed 0)."""
    model = STDPClassifier(**{**TINY, "random_state": 0, **kw})
    return model.fit(bars.X_train[:n], bars.y_train[:n] if y is None else y,
                     eval_set=eval_set, labelled=labelled)


# ---------------------------------------------------------------- contract and learning


def test_fit_returns_self_with_learned_attributes(fitted, bars):
    m = fitted
    assert m.weights_.shape == (16, 16)
    assert m.theta_mV_.shape == (16,) and np.all(m.theta_mV_ > 0)
    assert m.n_features_in_ == 16
    np.testing.assert_array_equal(m.classes_, np.arange(8))
    assert set(np.unique(m.assignments_)) <= set(range(8)) | {-1}
    assert m.train_samples_ == len(bars.X_train)
    assert m.labels_used_ == len(bars.X_train)
    # every neuron's input weights were normalised to norm_total before each presentation
    # (STDP after the last normalisation moves the sums only a little)
    np.testing.assert_allclose(m.weights_.sum(axis=0), 4.8, rtol=0.25)


def test_history_has_checkpoints_with_eval_accuracy(fitted, bars):
    h = fitted.history_
    # checkpoints fall at the end of the first compiled run that passes each mark (160, 320)
    assert len(h) == 2 and 160 <= h[0]["samples_seen"] < 320 and h[1]["samples_seen"] == 320
    assert all({"samples_seen", "wall_s", "epoch", "presentations"} <= e.keys() for e in h)
    assert "eval_accuracy" not in h[0]
    assert h[0]["wall_s"] <= h[1]["wall_s"] and h[1]["presentations"] >= 320
    m = small_fit(bars, n=48, checkpoints=3, epochs=2,
                  eval_set=(bars.X_test[:16], bars.y_test[:16]))
    seen = [e["samples_seen"] for e in m.history_]  # marks 32, 64, 96, at run ends
    assert 2 <= len(seen) <= 3 and seen == sorted(seen) and seen[0] >= 32 and seen[-1] == 96
    assert m.history_[-1]["epoch"] == 2
    assert all(0.0 <= e["eval_accuracy"] <= 1.0 for e in m.history_)


def test_checkpoints_do_not_change_learning(bars):
    plain = small_fit(bars, n=48, epochs=2)
    watched = small_fit(bars, n=48, epochs=2, checkpoints=3,
                        eval_set=(bars.X_test[:16], bars.y_test[:16]))
    np.testing.assert_array_equal(plain.weights_, watched.weights_)
    np.testing.assert_array_equal(plain.assignments_, watched.assignments_)


def test_bars_receptive_fields_are_single_bars_and_accurate(fitted, bars):
    """Acceptance: on bars most neurons' receptive fields are single bars."""
    assert single_bar_fraction(fitted.weights_, 4) > 0.5
    assert fitted.score(bars.X_test, bars.y_test) >= 0.8


def test_predict_is_deterministic_and_predict_at_answers_more_over_time(fitted, bars):
    X = bars.X_test[:24]
    p1, p2 = fitted.predict(X), fitted.predict(X)
    np.testing.assert_array_equal(p1, p2)
    anytime = fitted.predict_at(X, [1.0, 10.0, 50.0, 100.0])
    assert anytime.shape == (4, 24)
    answered = (anytime >= 0).mean(axis=1)
    # 1 ms after onset nothing can have answered; then answers only accumulate
    assert answered[0] == 0.0 and np.all(np.diff(answered) >= 0) and answered[-1] > 0.9
    # once a sample has answered, later cut-offs answer it too
    assert np.all((anytime[1:] >= 0) >= (anytime[:-1] >= 0))
    counts = fitted.transform(X)
    assert counts.shape == (24, 16) and counts.sum() > 0


def test_predict_at_spikes_and_cost_reuse_the_simulation_of_predict(fitted, bars, monkeypatch):
    import neurosim.classifier as C

    m = copy.deepcopy(fitted)
    calls = []
    real = C.present

    def counting(*args, **kwargs):
        calls.append(1)
        yield from real(*args, **kwargs)

    monkeypatch.setattr(C, "present", counting)
    X = bars.X_test[:20]
    m.predict(X)
    n = len(calls)
    m.predict_at(X, [50.0])
    m.spikes(X)
    m.cost(X)
    assert n >= 1 and len(calls) == n  # no new simulation after predict
    m.predict(X)  # predict itself always simulates (timing it measures the simulation)
    assert len(calls) == 2 * n
    m.predict_at(bars.X_test[:10], [50.0])  # other data: a new one
    assert len(calls) > 2 * n


def test_same_seed_same_weights_and_spikes_different_seed_differs(bars):
    a, b = small_fit(bars), small_fit(bars)
    np.testing.assert_array_equal(a.weights_, b.weights_)
    np.testing.assert_array_equal(a.theta_mV_, b.theta_mV_)
    np.testing.assert_array_equal(a.transform(bars.X_test), b.transform(bars.X_test))
    other = small_fit(bars, random_state=1, verbose=True)
    assert not np.array_equal(other.weights_, a.weights_)


def test_unlabelled_samples_learn_but_are_not_assigned(bars):
    labelled = np.arange(64) % 2 == 1
    m = small_fit(bars, labelled=labelled)
    assert m.labels_used_ == int(labelled.sum()) == 32
    assert m.train_samples_ == 64
    full = small_fit(bars)
    np.testing.assert_array_equal(m.weights_, full.weights_)  # STDP never saw the labels


def test_relabel_returns_a_copy_with_a_new_assignment(fitted, bars):
    before = fitted.assignments_.copy()
    permuted = (bars.y_train + 1) % 8  # a consistent relabelling
    m = fitted.relabel(bars.X_train, permuted)
    assert m is not fitted
    np.testing.assert_array_equal(fitted.assignments_, before)  # the original is untouched
    np.testing.assert_array_equal(m.weights_, fitted.weights_)
    fired = fitted.assignments_ >= 0
    # each neuron follows its class to the new label (a neuron that responds equally to two
    # classes may break the tie the other way)
    moved = m.assignments_[fired] == (fitted.assignments_[fired] + 1) % 8
    assert moved.mean() >= 0.9


def test_relabel_with_few_labels_equals_fitting_with_few_labels(bars):
    """STDP never reads y, so relabelling a model fitted with every label gives the model that
    fit() with only those labels would have given."""
    few = np.arange(64) < 16
    direct = small_fit(bars, labelled=few)
    relabelled = small_fit(bars).relabel(bars.X_train[:64], bars.y_train[:64], labelled=few)
    np.testing.assert_array_equal(direct.assignments_, relabelled.assignments_)
    assert direct.labels_used_ == relabelled.labels_used_ == 16
    np.testing.assert_array_equal(direct.predict(bars.X_test), relabelled.predict(bars.X_test))


def test_linear_readout_is_an_option(fitted, bars):
    m = copy.deepcopy(fitted).set_params(readout="linear")
    m = m.relabel(bars.X_train, bars.y_train)  # fits the supervised read-out, weights frozen
    assert m.readout_coef_.shape == (16, 8)
    assert m.score(bars.X_test, bars.y_test) >= 0.8


def test_plasticity_off_keeps_normalised_random_weights(bars):
    frozen = small_fit(bars, epochs=0)
    rng = np.random.default_rng(0)  # the initial draw of fit with random_state=0
    w0 = rng.uniform(0.0, 0.3, 16 * 16).reshape(16, 16)
    np.testing.assert_allclose(frozen.weights_, w0 / w0.sum(axis=0) * 4.8)
    np.testing.assert_array_equal(frozen.theta_mV_, 0.0)
    assert frozen.train_samples_ == 0 and frozen.history_[-1]["samples_seen"] == 0


def test_cost_without_data_has_only_model_metrics(fitted):
    c = fitted.cost()
    assert tuple(c) == COST_KEYS
    assert c["neurons"] == 32 and c["synapses"] == 16 * 16 + 16 + 16 * 15
    assert c["params"] == 16 * 16 + 16 and c["parallel_width"] == 32
    assert c["update_locality"] == "local" and c["effective_macs"] == 0
    assert c["timesteps"] is None and c["effective_acs"] is None
    # the build's arrays: at least the float64 weights, traces and lastupdate of 256 synapses
    assert c["footprint_bytes"] > 4 * 8 * 256


def test_cost_counts_every_simulated_step(fitted, bars):
    d = fitted.cost(bars.X_test[:16])
    slot = 300  # (100 + 50) ms / 0.5 ms
    assert d["timesteps"] == d["sequential_depth"] == slot * d["presentations_per_sample"]
    assert d["sim_ms_per_inference"] == 0.5 * d["timesteps"]
    assert d["membrane_updates"] == 32 * d["timesteps"]
    assert d["dense_ops"] == d["synapses"] * d["timesteps"]
    assert d["input_draws"] == 16 * d["timesteps"]
    assert 0 < d["steps_to_first_output"] < 200 and d["steps_to_final_output"] >= 200
    assert 0 < d["fraction_active"] <= 1 and 0 < d["activation_sparsity"] < 1


def test_sklearn_clone_and_params():
    from sklearn.base import clone

    m = STDPClassifier(n_excitatory=7, epochs=2, random_state=3)
    c = clone(m)
    assert c.get_params() == m.get_params() and c is not m
    assert m.set_params(epochs=3) is m and m.epochs == 3
    with pytest.raises(ValueError, match="Invalid parameter"):
        m.set_params(n_neurons=4)
    assert "n_excitatory=7" in repr(m)


# ---------------------------------------------------------------- engines and cache


def test_build_is_cached_and_reused(fitted):
    spec = fitted._spec(16)
    first = StandaloneEngine(spec)
    second = StandaloneEngine(spec)
    assert first.path == second.path and second.compile_s == 0.0
    assert (first.path / "main").is_file()
    # run-time knobs do not change the build
    other = StandaloneEngine(spec.structural())
    assert other.path == first.path


def test_brian2_builds_the_synapses_the_spec_counts():
    import brian2 as b2

    from neurosim.network import build_objects

    for mode in ("population", "wta"):
        spec = NetworkSpec(n_inputs=5, n_excitatory=4, inhibition=mode, chunk_samples=2,
                           chunk_slots=2)
        old = b2.prefs.codegen.target
        b2.prefs.codegen.target = "numpy"
        try:
            objs = build_objects(spec, np.zeros((2, 5)))
        finally:
            b2.prefs.codegen.target = old
        built = {o.name: len(o) for o in objs.model_objects if isinstance(o, b2.Synapses)}
        # counted by hand: 5 x 4 all-to-all; 4 one-to-one; 4 x 3 all-but-self
        expected = ({"input_exc": 20, "lat_exc_inh": 4, "lat_inh_exc": 12} if
                    mode == "population" else {"input_exc": 20, "lat_wta": 12})
        assert built == expected
        assert spec.n_synapses == {**expected, "total": sum(expected.values())}

def test_runtime_backend_matches_contract_and_is_deterministic(bars):
    X, y = bars.X_train[:10], bars.y_train[:10]  # three runs of 4 samples
    kw = dict(TINY, backend="numpy", n_excitatory=4, chunk_samples=4, min_spikes=0,
              presentation_ms=20.0, rest_ms=10.0)
    with pytest.warns(UserWarning, match="n_excitatory=4 <"):
        a = STDPClassifier(**kw, random_state=0).fit(X, y)
    with pytest.warns(UserWarning, match="n_excitatory=4 <"):
        b = STDPClassifier(**kw, random_state=0).fit(X, y)
    assert a.backend_ == "numpy"
    np.testing.assert_array_equal(a.weights_, b.weights_)
    assert a.predict(bars.X_test[:4]).shape == (4,)


def test_wta_inhibition_option_counts_no_inhibitory_population(bars):
    kw = dict(TINY, backend="numpy", n_excitatory=8, chunk_samples=4, min_spikes=0,
              presentation_ms=20.0, rest_ms=10.0, inhibition="wta")
    m = STDPClassifier(**kw, random_state=0).fit(bars.X_train[:8], bars.y_train[:8])
    c = m.cost(bars.X_test[:4])
    assert c["neurons"] == 8 and c["synapses"] == 16 * 8 + 8 * 7 and c["effective_acs"] > 0


def test_auto_backend_falls_back_without_compiler(monkeypatch):
    monkeypatch.setenv("CXX", "no-such-compiler-xyz")
    spec = NetworkSpec(n_inputs=4, n_excitatory=2)
    with pytest.warns(RuntimeWarning, match="no-such-compiler-xyz"):
        engine = make_engine(spec, "auto")
    assert isinstance(engine, RuntimeEngine)
    with pytest.raises(BuildError, match="no-such-compiler-xyz"):
        make_engine(spec, "cpp_standalone")


def test_failed_build_names_compiler_and_log(monkeypatch, tmp_path):
    monkeypatch.setenv("BRAIN_VS_ANN_CACHE", str(tmp_path))
    monkeypatch.setenv("CXX", "false")  # a "compiler" that always fails
    spec = NetworkSpec(n_inputs=2, n_excitatory=2, chunk_samples=1, chunk_slots=1)
    with pytest.raises(BuildError, match="'false'") as err:
        StandaloneEngine(spec)
    log = str(err.value).split("see the build log ")[1].split(".log")[0] + ".log"
    assert (tmp_path / "snn-builds").is_dir() and os.path.isfile(log)
    # nothing half-built is left in the cache
    assert not [p for p in (tmp_path / "snn-builds").iterdir() if p.is_dir()]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("X", "match"),
    [
        # scikit-learn's validate_data and check_non_negative word these
        (np.full((4, 3), -0.5), "Negative values.*input intensities"),
        (np.array([[0.1, np.nan, 0.2]] * 4), "NaN"),
        (np.zeros(5), "Expected 2D array"),
        (np.zeros((4, 0)), "0 feature"),
    ],
)
def test_fit_rejects_bad_X(X, match):
    with pytest.raises(ValueError, match=match):
        STDPClassifier(**TINY).fit(X, np.arange(len(X)) % 2)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_excitatory": 0}, "n_excitatory"),
        ({"presentation_ms": -1.0}, "presentation_ms"),
        ({"rest_ms": -5.0}, "rest_ms"),
        ({"input_rate_hz": -3.0}, "input_rate_hz"),
        ({"rate_boost_hz": "fast"}, "rate_boost_hz"),
        ({"n_threads": 0}, "n_threads"),
        ({"dt_ms": 2.0}, "dt_ms"),
        ({"dt_ms": 0.3}, "whole number"),
        ({"backend": "cuda"}, "backend"),
        ({"readout": "svm"}, "readout"),
        ({"stdp_rule": "triplet"}, "rule"),
    ],
)
def test_bad_hyper_parameters_fail_in_fit(params, match):
    X = np.random.default_rng(0).random((6, 4))
    with pytest.raises((ValueError, TypeError), match=match):
        STDPClassifier(**{**TINY, **params}).fit(X, np.arange(6) % 2)


@pytest.mark.parametrize("name", ["input_rate_hz", "rate_boost_hz", "a_plus", "stdp_rule",
                                  "verbose", "chunk_samples"])
def test_check_params_names_the_bad_parameter(name):
    bad = {"stdp_rule": "triplet", "verbose": "yes", "chunk_samples": 0}.get(name, -1.0)
    with pytest.raises(InvalidParameterError) as err:
        STDPClassifier(**{name: bad}).check_params()
    assert err.value.param == name


def test_bad_labels_and_unfitted_use():
    X = np.random.default_rng(0).random((6, 4))
    with pytest.raises(ValueError, match="at least 2 classes"):
        STDPClassifier(**TINY).fit(X, np.zeros(6, dtype=int))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        STDPClassifier(**TINY).fit(X, np.arange(5))
    with pytest.raises(ValueError, match="labelled must be a boolean array"):
        STDPClassifier(**TINY).fit(X, np.arange(6) % 2, labelled=np.ones(5, dtype=bool))
    with pytest.raises(NotFittedError, match="not fitted"):
        STDPClassifier(**TINY).predict(X)


def test_predict_checks_width_and_times(fitted):
    with pytest.raises(ValueError, match="16"):
        fitted.predict(np.zeros((2, 9)))
    with pytest.raises(ValueError, match="times_ms"):
        fitted.predict_at(np.zeros((2, 16)), [0.0])
    with pytest.raises(ValueError, match="times_ms"):
        fitted.predict_at(np.zeros((2, 16)), [500.0])


# ---------------------------------------------------------------- read-outs (pure)


def test_assign_and_vote_follow_diehl_cook():
    R = np.array([[5, 0, 0], [4, 1, 0], [0, 6, 0], [0, 5, 0], [0, 0, 3], [0, 0, 0]],
                 dtype=float)
    y = np.array([0, 0, 1, -1, -1, -1])
    a = assign_labels(R, y, np.array([0, 1]))
    np.testing.assert_array_equal(a, [0, 1, -1])  # silent neuron 2 gets -1
    # the last two samples made no assigned neuron fire: no answer (-1), never class 0
    np.testing.assert_array_equal(vote(R, a, np.array([0, 1])), [0, 0, 1, 1, -1, -1])


def test_linear_readout_separates_counts():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 20)
    R = rng.poisson(1.0, (60, 6)).astype(float)
    R[np.arange(60), y * 2] += 8
    coef, b = fit_linear_readout(R, y, np.arange(3), alpha=1.0)
    assert np.mean(linear_predict(R, coef, b, np.arange(3)) == y) == 1.0


# ---------------------------------------------------------------- full size (slow)


@pytest.mark.slow
def test_digits_acceptance_100_neurons():
    """Acceptance: digits, defaults (chosen on validation splits, benchmarks/tune_snn.py: three
    STDP epochs), 100 excitatory neurons, seeds 0-4: mean test accuracy >= 0.85."""
    accs = []
    for seed in range(5):
        t = load_task("digits", seed=seed)
        m = STDPClassifier(100, random_state=seed).fit(t.X_train, t.y_train)
        accs.append(m.score(t.X_test, t.y_test))
    print("digits test accuracies", [round(a, 4) for a in accs], "mean", np.mean(accs))
    assert np.mean(accs) >= 0.85


@pytest.mark.slow
def test_784_inputs_x_1600_neurons_stay_input_driven():
    """The regime at MNIST's input size: 8x8 digits upsampled to 28x28 (784 inputs), 1600
    neurons, one STDP pass over 32 images. Synaptic events per test image stay within 2x input
    spikes x fan-out and excitatory spikes per image stay in the tens (with forward-Euler
    membranes this network ran away after 7-14 training images: ~100,000 spikes per image)."""
    from scipy.ndimage import zoom

    t = load_task("digits", seed=0)

    def upsampled(X):
        big = np.stack([zoom(img, 3.5, order=1) for img in X.reshape(-1, 8, 8)])
        return np.clip(big, 0.0, 1.0).reshape(len(X), 784)

    X, Xt = upsampled(t.X_train[:32]), upsampled(t.X_test[:8])
    m = STDPClassifier(1600, epochs=1, max_repeats=0, random_state=0).fit(X, t.y_train[:32])
    res = m._respond(Xt, seed_key=99, desc="events", reuse=True)
    input_spikes = res.input_counts.sum() / len(Xt)
    assert m.cost(Xt)["effective_acs"] <= 2 * input_spikes * 1600
    assert res.exc_spikes / len(Xt) < 200


# ---------------------------------------------------------------- the presentation schedule


def _engines(spec):
    return [StandaloneEngine(spec), RuntimeEngine(spec)]


def _settings(**kw):
    from neurosim.standalone import RunSettings

    base = dict(learn=False, boost=0.5, min_spikes=1, max_repeats=2, norm_total=1.0,
                theta_plus_mV=0.0, a_plus=0.0, a_minus=0.0)
    return RunSettings(**{**base, **kw})


SCHEDULE = NetworkSpec(n_inputs=3, n_excitatory=2, presentation_ms=5.0, rest_ms=2.0,
                       chunk_samples=4, chunk_slots=12)


def test_engines_agree_on_silent_input_every_sample_shown_max_repeats_plus_one():
    """An all-zero input never makes a spike, so every sample is shown 1 + max_repeats times;
    compiled and runtime engines must give exactly that schedule, and stop after it."""
    from neurosim.presentation import present

    for engine in _engines(SCHEDULE):
        runs = list(present(engine, np.zeros((10, 3)), np.full(6, 0.3), np.zeros(2),
                            settings=_settings(max_repeats=2), keys=np.zeros((10, 2))))
        # capacity: 12 slots / 3 showings = 4 samples per run -> runs of 4, 4, 2
        assert [r.stop for r in runs] == [4, 8, 10], engine.backend
        shows = np.concatenate([r.result.shows for r in runs])
        np.testing.assert_array_equal(shows, 3)
        assert all(r.result.first_step.max() == -1 for r in runs)


def test_reshows_stay_inside_one_run_and_follow_the_sample():
    """A sample that needs re-shows at the end of a run finishes them in that run: the run
    covers exactly its samples, each sample's showings are consecutive slots."""
    from neurosim.presentation import present

    rates = np.zeros((6, 3))
    rates[[0, 2, 5]] = 2000.0  # these fire at once; the silent ones are re-shown
    for engine in _engines(SCHEDULE):
        settings = _settings(max_repeats=2)
        r = engine.run_chunk(rates[:4], w=np.full(6, 1.0), theta_mV=np.zeros(2),
                             settings=settings, keys=np.zeros((4, 2)))
        shown = r.slot_k[r.slot_k < 4]
        # samples in order, each repeated while silent (1 and 3 are silent: 3 showings)
        np.testing.assert_array_equal(shown, [0, 1, 1, 1, 2, 3, 3, 3])
        np.testing.assert_array_equal(r.slot_reps[r.slot_k < 4], [0, 0, 1, 2, 0, 0, 1, 2])
        runs = list(present(engine, rates, np.full(6, 1.0), np.zeros(2), settings=settings,
                            keys=np.zeros((6, 2))))
        shows = np.concatenate([x.result.shows for x in runs])
        np.testing.assert_array_equal(shows, [1, 3, 1, 3, 3, 1])


def test_in_network_normalisation_matches_normalize_incoming():
    """With learning on and the STDP rates at 0, the only weight change is the normalisation
    at each presentation's onset: it must equal :func:`normalize_incoming`."""
    from neurosim.plasticity import normalize_incoming

    w0 = np.random.default_rng(1).uniform(0.0, 1.0, 6)
    for engine in _engines(SCHEDULE):
        r = engine.run_chunk(np.full((1, 3), 100.0), w=w0, theta_mV=np.zeros(2),
                             settings=_settings(learn=True, norm_total=0.7, max_repeats=0),
                             keys=np.zeros((1, 2)))
        np.testing.assert_allclose(r.w, normalize_incoming(w0, 3, 2, 0.7), rtol=1e-12)


def test_synaptic_event_count_by_hand():
    """The cost's event count for a fixed spike record: 2 inputs, 3 excitatory neurons."""
    from neurosim.presentation import PresentationResult

    m = STDPClassifier(n_excitatory=3, presentation_ms=2.0, rest_ms=1.0, dt_ms=0.5)
    m.weights_ = np.array([[0.5, 0.0, 0.2], [0.0, 0.0, 0.0]])  # input 1 has no weight
    m.theta_mV_ = np.zeros(3)
    m.n_features_in_ = 2
    res = PresentationResult(
        n_samples=1, n_excitatory=3, slot_steps=6, pres_steps=4,
        sample=np.array([0, 0]), neuron=np.array([2, 0]), step=np.array([1, 3]),
        first_show_sample=np.array([0, 0]), first_show_neuron=np.array([2, 0]),
        first_show_step=np.array([1, 3]), shows=np.array([1]), first_step=np.array([1]),
        active=np.array([2]),
        input_counts=np.array([4, 7]), exc_spikes=2, inh_spikes=2)
    c = m._inference_cost(res, np.count_nonzero(m.weights_, axis=1))
    # input 0: 4 spikes x 2 non-zero weights = 8; input 1: no non-zero weight = 0;
    # 2 excitatory spikes x 1 inhibitory partner = 2; 2 inhibitory spikes x 2 others = 4
    assert c["effective_acs"] == 8 + 0 + 2 + 4
    # 6 LIF neurons x 6 steps, 4 spikes in 36 neuron-steps
    assert c["membrane_updates"] == 36 and c["activation_sparsity"] == 1 - 4 / 36
    assert c["spike_rate_hz"] == 4 / (6 * 3e-3)
    assert c["fraction_active"] == 2 / 3 and c["steps_to_first_output"] == 1
    assert c["dense_ops"] == (2 * 3 + 3 + 3 * 2) * 6 and c["input_draws"] == 2 * 6
