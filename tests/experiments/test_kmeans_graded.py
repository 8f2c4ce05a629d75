"""k-means baseline: the graded read-out (``temperature``) that keeps few labels above chance."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.models.baselines import KMeansVoteClassifier
from experiments.tasks import load_task


@pytest.fixture(scope="module")
def digits():
    return load_task("digits", seed=0)


def _one_label_per_class(y: np.ndarray) -> np.ndarray:
    """The labelled mask: the first row of each class."""
    few = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        few[np.flatnonzero(y == c)[0]] = True
    return few


def test_responses_are_a_soft_assignment_and_zero_is_one_hot(digits):
    X = digits.X_train[:300]
    model = KMeansVoteClassifier(20, random_state=0).fit(X, digits.y_train[:300])
    r = model._responses(X[:50])
    np.testing.assert_allclose(r.sum(axis=1), 1.0)
    assert (r > 0).sum(axis=1).min() > 1  # graded: more than the nearest prototype responds
    d = ((X[:50, None, :] - model.cluster_centers_[None]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(r.argmax(axis=1), d.argmin(axis=1))
    model.temperature = 0.0
    hard = model._responses(X[:50])
    np.testing.assert_array_equal(hard, np.eye(20)[d.argmin(axis=1)])


def test_one_label_per_class_stays_above_chance_with_many_prototypes(digits):
    """With 200 prototypes and 10 labels, the one-hot read-out names at most 10 prototypes and
    leaves most test images unanswered (below chance); the graded one names them all."""
    X, y = digits.X_train, digits.y_train
    model = KMeansVoteClassifier(200, random_state=0).fit(X, y)
    few = _one_label_per_class(y)
    graded = model.relabel(X, y, labelled=few)
    assert (graded.assignments_ >= 0).all()
    acc = np.mean(graded.predict(digits.X_test) == digits.y_test)
    model.temperature = 0.0
    hard = np.mean(model.relabel(X, y, labelled=few).predict(digits.X_test) == digits.y_test)
    assert hard < 0.2 < 0.5 < acc


@pytest.mark.parametrize("bad", [-0.1, float("inf"), float("nan"), "0.1", True])
def test_temperature_must_be_a_finite_number_at_least_zero(digits, bad):
    with pytest.raises(ValueError, match="temperature"):
        KMeansVoteClassifier(5, temperature=bad).fit(digits.X_train[:50], digits.y_train[:50])


@pytest.mark.slow  # 55 checks, each fitting k-means: about half a minute
def test_check_estimator_passes_every_check_with_the_defaults():
    """scikit-learn's own estimator checks, on the baseline as a user builds it."""
    import warnings

    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(KMeansVoteClassifier(random_state=0), on_fail=None)
    failed = {r["check_name"]: str(r["exception"])[:200] for r in results
              if r["status"] == "failed"}
    assert failed == {}
    assert len(results) > 40
