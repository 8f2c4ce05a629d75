"""k-means baseline: ``partial_fit`` (continual learning) and ``perturbed`` (robustness)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.models.baselines import KMeansVoteClassifier


@pytest.fixture(scope="module")
def blobs():
    """Four well separated classes in 8-D, 20 rows each."""
    rng = np.random.default_rng(0)
    centers = np.eye(4, 8)
    y = np.repeat(np.arange(4), 20)
    return np.clip(centers[y] + rng.normal(0, 0.05, (80, 8)), 0, 1), y


@pytest.fixture(scope="module")
def fitted(blobs):
    return KMeansVoteClassifier(8, random_state=0).fit(*blobs)


def test_partial_fit_two_phases_without_replay(blobs):
    X, y = blobs
    old, new = y < 2, y >= 2
    km = KMeansVoteClassifier(4, random_state=0).partial_fit(X[old], y[old], classes=[0, 1, 2, 3])
    np.testing.assert_array_equal(km.classes_, [0, 1, 2, 3])
    assert set(km.assignments_) <= {0, 1, -1}  # only the classes seen can name a cluster
    first = km.cluster_centers_.copy()
    responses_old = km.class_responses_[:2].copy()
    km.partial_fit(X[new], y[new])
    # clusters no phase-2 row is nearest to keep their place; the old classes' record stays
    d = ((X[new][:, None] - first[None]) ** 2).sum(axis=2).argmin(axis=1)
    untouched = np.setdiff1d(np.arange(4), d)
    np.testing.assert_array_equal(km.cluster_centers_[untouched], first[untouched])
    np.testing.assert_array_equal(km.class_responses_[:2], responses_old)
    np.testing.assert_array_equal(km.class_counts_, [20, 20, 20, 20])
    assert [h["samples_seen"] for h in km.history_] == [40, 80]
    assert km.labels_used_ == 80
    with pytest.raises(ValueError, match="classes"):
        km.partial_fit(X[:3], [0, 1, 7])


def test_first_partial_fit_needs_two_classes(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="2 classes"):
        KMeansVoteClassifier(2, random_state=0).partial_fit(X[y == 0], y[y == 0])


def test_perturbed_level_zero_full_lesion_and_draws(fitted, blobs):
    X, y = blobs
    clean = fitted.predict(X)
    for kind in ("synapse_lesion", "neuron_lesion"):
        np.testing.assert_array_equal(fitted.perturbed(kind, 0.0, 5).predict(X), clean)
    dead = fitted.perturbed("neuron_lesion", 1.0, 5)
    assert np.all(dead.predict(X) == -1)  # no prototype left: no answer
    assert getattr(fitted, "silenced_", None) is None  # the original is untouched
    out = fitted.perturbed("synapse_lesion", 0.5, 9)
    w = fitted.input_weights_.copy()
    w.flat[np.random.default_rng(9).permutation(w.size)[:round(0.5 * w.size)]] = 0
    np.testing.assert_array_equal(out.input_weights_, w)


def test_silenced_prototypes_leave_the_competition(fitted, blobs):
    X, _ = blobs
    out = fitted.perturbed("neuron_lesion", 0.5, 2)
    gone = np.random.default_rng(2).permutation(8)[:4]
    winners = out._responses(X).argmax(axis=1)
    assert not np.isin(winners, gone).any()


def test_weight_bits(fitted):
    for bits in (1, 2, 4):
        c = fitted.perturbed("weight_bits", bits).cluster_centers_
        assert all(len(np.unique(row)) <= 2 ** bits for row in c)
    with pytest.raises(ValueError):
        fitted.perturbed("weight_bits", 0)
    with pytest.raises(ValueError, match="kind"):
        fitted.perturbed("noise", 0.1)
