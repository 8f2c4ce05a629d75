"""STDPClassifier ``partial_fit`` (continual learning) and ``perturbed`` (robustness).

These use the one compiled structure of the default suite (``TINY`` of
``tests/neurosim/test_classifier.py``, repeated here so that the build cache is shared).
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.tasks import load_task
from neurosim import STDPClassifier

#: Same structure as ``tests/neurosim/test_classifier.py``'s ``TINY`` (one cached build).
TINY = dict(n_excitatory=16, presentation_ms=100.0, rest_ms=50.0, chunk_samples=64,
            input_rate_hz=2400.0, norm_total=4.8, theta_plus_mV=0.2, min_spikes=2, a_plus=0.01,
            backend="cpp_standalone")


@pytest.fixture(scope="module")
def bars():
    return load_task("bars", n=4, n_train_per_class=8, n_test_per_class=4, seed=0)


@pytest.fixture(scope="module")
def fitted(bars):
    return STDPClassifier(**TINY, random_state=0).fit(bars.X_train, bars.y_train)


def test_perturbed_level_zero_predicts_exactly_as_the_model(fitted, bars):
    clean = fitted.predict(bars.X_test)
    before = fitted.weights_.copy()
    for kind in ("synapse_lesion", "neuron_lesion"):
        out = fitted.perturbed(kind, 0.0, random_state=1)
        np.testing.assert_array_equal(out.predict(bars.X_test), clean)
        n = bars.X_test.shape[1]
        assert out._engine(n)[0] is fitted._engine(n)[0]  # the same build: no recompilation
    np.testing.assert_array_equal(fitted.weights_, before)  # the original is untouched


def test_full_neuron_lesion_silences_every_neuron(fitted, bars):
    out = fitted.perturbed("neuron_lesion", 1.0, random_state=0)
    assert not out.weights_.any()
    pred = out.predict(bars.X_test)
    assert np.all(pred == -1)  # no spike, no answer: accuracy 0, below chance


def test_lesion_draws_and_weight_bits(fitted):
    w = fitted.weights_
    out = fitted.perturbed("synapse_lesion", 0.3, random_state=4)
    expected = w.copy()
    expected.flat[np.random.default_rng(4).permutation(w.size)[:round(0.3 * w.size)]] = 0
    np.testing.assert_array_equal(out.weights_, expected)
    out = fitted.perturbed("neuron_lesion", 0.25, random_state=4)
    dead = np.random.default_rng(4).permutation(16)[:4]
    assert not out.weights_[:, dead].any()
    np.testing.assert_array_equal(np.delete(out.weights_, dead, axis=1),
                                  np.delete(w, dead, axis=1))
    for bits in (1, 2, 4):
        q = fitted.perturbed("weight_bits", bits).weights_
        for j in range(16):
            assert len(np.unique(q[:, j])) <= 2 ** bits
        np.testing.assert_allclose(q.max(axis=0), w.max(axis=0))  # the top level is the max
    with pytest.raises(ValueError):
        fitted.perturbed("synapse_lesion", -0.1)
    with pytest.raises(ValueError):
        fitted.perturbed("weight_bits", 0)


def test_partial_fit_two_phases_without_replay(bars):
    X, y = bars.X_train, bars.y_train
    old, new = y < 4, y >= 4
    model = STDPClassifier(**TINY, random_state=0)
    model.partial_fit(X[old], y[old], classes=np.arange(8))
    np.testing.assert_array_equal(model.classes_, np.arange(8))
    assert set(model.assignments_) <= {0, 1, 2, 3, -1}
    w1 = model.weights_.copy()
    record = model.class_responses_[:4].copy()
    model.partial_fit(X[new], y[new])
    assert not np.array_equal(model.weights_, w1)  # STDP went on
    np.testing.assert_array_equal(model.class_responses_[:4], record)  # old record kept
    np.testing.assert_array_equal(model.class_counts_, np.bincount(y, minlength=8))
    assert [h["samples_seen"] for h in model.history_] == [int(old.sum()), len(y)]
    assert model.train_samples_ == len(y) and model.labels_used_ == len(y)
    # the same initial weights as fit for the same seed
    start = STDPClassifier(**{**TINY, "epochs": 0}, random_state=0)
    start.partial_fit(X[old], y[old], classes=np.arange(8))
    ref = STDPClassifier(**{**TINY, "epochs": 0}, random_state=0).fit(X[old], y[old])
    np.testing.assert_array_equal(start.weights_, ref.weights_)  # plasticity off: no change


def test_partial_fit_refuses_the_linear_readout(bars):
    model = STDPClassifier(**TINY, readout="linear", random_state=0)
    with pytest.raises(ValueError, match="linear"):
        model.partial_fit(bars.X_train, bars.y_train)
