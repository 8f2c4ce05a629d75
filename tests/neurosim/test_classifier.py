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

from experiments.tasks import load_task
from neurosim import STDPClassifier
from neurosim.classifier import NotFittedError
from neurosim.network import NetworkSpec
from neurosim.readout import assign_labels, fit_linear_readout, linear_predict, vote
from neurosim.standalone import BuildError, RuntimeEngine, StandaloneEngine, make_engine

#: The one compiled structure of the default suite: 16 inputs (4x4 bars), 16 neurons.
TINY = dict(n_excitatory=16, presentation_ms=100.0, rest_ms=50.0, chunk_samples=64,
            max_rate_hz=128.0, norm_total=4.8, theta_plus_mV=0.2, min_spikes=2, a_plus=0.01,
            backend="cpp_standalone")

COST_KEYS = {"neurons", "synapses", "params", "memory_bytes", "macs", "synops",
             "neuron_updates", "timesteps", "sequential_depth", "parallel_width", "activity",
             "update_locality", "train_samples", "epochs", "labels_used"}


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


def small_fit(bars, n=64, y=None, eval_set=None, **kw):
    """A quick fit on the first ``n`` training samples (``TINY`` structure, seed 0)."""
    model = STDPClassifier(**{**TINY, "random_state": 0, **kw})
    return model.fit(bars.X_train[:n], bars.y_train[:n] if y is None else y,
                     eval_set=eval_set)


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


def test_predict_is_deterministic_and_predict_at_ends_at_predict(fitted, bars):
    X = bars.X_test[:24]
    p1, p2 = fitted.predict(X), fitted.predict(X)
    np.testing.assert_array_equal(p1, p2)
    anytime = fitted.predict_at(X, [10.0, 50.0, 100.0])
    assert anytime.shape == (3, 24)
    np.testing.assert_array_equal(anytime[-1], p1)
    counts = fitted.transform(X)
    assert counts.shape == (24, 16) and counts.sum() > 0


def test_same_seed_same_weights_and_spikes_different_seed_differs(bars):
    a, b = small_fit(bars), small_fit(bars)
    np.testing.assert_array_equal(a.weights_, b.weights_)
    np.testing.assert_array_equal(a.theta_mV_, b.theta_mV_)
    np.testing.assert_array_equal(a.transform(bars.X_test), b.transform(bars.X_test))
    other = small_fit(bars, random_state=1, progress=True)
    assert not np.array_equal(other.weights_, a.weights_)


def test_unlabelled_samples_learn_but_are_not_assigned(bars):
    y = bars.y_train[:64].copy()
    y[::2] = -1
    m = small_fit(bars, y=y)
    assert m.labels_used_ == int((y != -1).sum()) == 32
    assert m.train_samples_ == 64
    np.testing.assert_array_equal(y[::2], -1)  # caller's array untouched
    full = small_fit(bars)
    np.testing.assert_array_equal(m.weights_, full.weights_)  # STDP never saw the labels


def test_assign_keeps_weights_and_relabels(fitted, bars):
    m = copy.deepcopy(fitted)
    permuted = (bars.y_train + 1) % 8  # a consistent relabelling
    assert m.assign(bars.X_train, permuted) is m
    np.testing.assert_array_equal(m.weights_, fitted.weights_)
    fired = fitted.assignments_ >= 0
    np.testing.assert_array_equal(m.assignments_[fired], (fitted.assignments_[fired] + 1) % 8)


def test_linear_readout_is_an_option(fitted, bars):
    m = copy.deepcopy(fitted).set_params(readout="linear")
    m.assign(bars.X_train, bars.y_train)  # fits the supervised read-out, weights frozen
    assert m.readout_coef_.shape == (16, 8)
    assert m.score(bars.X_test, bars.y_test) >= 0.8


def test_cost_reports_every_metric(fitted, bars):
    c = fitted.cost()
    assert COST_KEYS <= c.keys()
    assert c["neurons"] == 32 and c["synapses"] == 16 * 16 + 16 + 16 * 15
    assert c["params"] == 16 * 16 + 16 and c["memory_bytes"] == 8 * c["params"]
    assert c["timesteps"] == c["sequential_depth"] == 200
    assert c["parallel_width"] == 32 and c["update_locality"] == "local" and c["macs"] is None
    assert c["synops"] is None and c["activity"] is None
    assert fitted.stats_ == c
    d = fitted.cost(bars.X_test[:16])
    # each input spike reaches 16 neurons: synops is at least 16 x (input spikes) > 0
    assert d["synops"] > 16 and 0 < d["activity"] < 1
    assert d["neuron_updates"] >= 32 * 200


def test_sklearn_clone_and_params():
    from sklearn.base import clone

    m = STDPClassifier(n_excitatory=7, epochs=2, random_state=3)
    c = clone(m)
    assert c.get_params() == m.get_params() and c is not m
    assert m.set_params(epochs=3) is m and m.epochs == 3
    with pytest.raises(ValueError, match="unknown parameter"):
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
    assert c["neurons"] == 8 and c["synapses"] == 16 * 8 + 8 * 7 and c["synops"] > 0


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
        (np.full((4, 3), 1.5), r"\[0, 1\]"),
        (np.full((4, 3), -0.1), r"\[0, 1\]"),
        (np.array([[0.1, np.nan, 0.2]] * 4), "NaN"),
        (np.zeros(5), "2-D"),
        (np.zeros((4, 0)), "at least one"),
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
        ({"max_rate_hz": -3.0}, "max_rate_hz"),
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


def test_bad_labels_and_unfitted_use():
    X = np.random.default_rng(0).random((6, 4))
    with pytest.raises(ValueError, match="at least 2 classes"):
        STDPClassifier(**TINY).fit(X, np.zeros(6, dtype=int))
    with pytest.raises(ValueError, match="one label per sample"):
        STDPClassifier(**TINY).fit(X, np.arange(5))
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
    R = np.array([[5, 0, 0], [4, 1, 0], [0, 6, 0], [0, 5, 0]], dtype=float)
    y = np.array([0, 0, 1, -1])
    a = assign_labels(R, y, np.array([0, 1]))
    np.testing.assert_array_equal(a, [0, 1, -1])  # silent neuron 2 gets -1
    np.testing.assert_array_equal(vote(R, a, np.array([0, 1])), [0, 0, 1, 1])


def test_linear_readout_separates_counts():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 20)
    R = rng.poisson(1.0, (60, 6)).astype(float)
    R[np.arange(60), y * 2] += 8
    coef, b = fit_linear_readout(R, y, np.arange(3), alpha=1.0)
    assert np.mean(linear_predict(R, coef, b, np.arange(3)) == y) == 1.0


# ---------------------------------------------------------------- full size (slow)


@pytest.mark.slow
def test_digits_acceptance_100_neurons_one_epoch():
    """Acceptance: digits, defaults, 100 excitatory neurons, one epoch, seed 0: >= 0.85."""
    t = load_task("digits")
    m = STDPClassifier(100, random_state=0).fit(t.X_train, t.y_train)
    acc = m.score(t.X_test, t.y_test)
    print(f"digits test accuracy {acc:.4f}")
    assert acc >= 0.85
