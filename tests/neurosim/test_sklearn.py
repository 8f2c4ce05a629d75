"""scikit-learn interoperability of the spiking estimators: model selection, pipelines and
``check_estimator``.

The digits tests use the compiled backend at the quick preset's smallest structure (64 inputs x
25 excitatory neurons, the defaults), one cached build for all of them. ``check_estimator``
feeds data of many widths; it runs a tiny network on the runtime backend (no compile per
width), which takes minutes: it is marked ``slow``. The batch-independence identities are
tested at a real size (100 neurons on digits) below.
"""

import warnings

import numpy as np
import pytest

from neurosim import RSTDPClassifier, STDPClassifier

sklearn = pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

#: The scikit-learn checks the spiking estimators fail, with the reason: one, impossible for an
#: unsupervised spiking network at check_estimator's tiny size. Everything else passes (the input
#: validation is scikit-learn's own, a sample's spikes do not depend on the batch, predict
#: leaves the estimator unchanged, and -1 is an ordinary label).
SPIKING_EXPECTED_FAILED_CHECKS = {
    "check_classifiers_train": (
        "the check wants accuracy >= 0.83 on 2-D blobs; the 6-neuron, 20 ms network used here "
        "(small so that ~60 checks run in minutes) learns its weights without labels and names "
        "6 neurons by a vote, which does not separate three blobs of two features; at the real "
        "sizes see the digits tests (0.88-0.93)"),
}

#: A network small and short enough for check_estimator's ~50 checks on the runtime backend.
TINY = dict(n_excitatory=6, presentation_ms=20.0, rest_ms=10.0, input_rate_hz=4000.0,
            min_spikes=1, max_repeats=1, epochs=1, backend="numpy")
CHECKED = {
    "stdp": lambda: STDPClassifier(**TINY, random_state=0),
    "rstdp": lambda: RSTDPClassifier(**TINY, random_state=0),
}


@pytest.mark.slow  # ~50 checks, each building a Brian2 runtime network: minutes
@pytest.mark.parametrize("kind", list(CHECKED))
def test_check_estimator_passes_all_but_the_listed_checks(kind):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(CHECKED[kind](),
                                  expected_failed_checks=SPIKING_EXPECTED_FAILED_CHECKS,
                                  on_fail=None)
    failed = {r["check_name"]: str(r["exception"])[:200] for r in results
              if r["status"] == "failed"}
    xfailed = {r["check_name"] for r in results if r["status"] == "xfail"}
    assert failed == {}
    assert xfailed == set(SPIKING_EXPECTED_FAILED_CHECKS)  # none fixed without being unlisted
    assert len(results) > 40


#: A floor well above chance (0.1) and below what 25 neurons reach (0.74 +- 0.08 in `full`).
FLOOR = 0.4


def small(**kw):
    """25 excitatory neurons at the validated defaults (the quick preset's smallest network)."""
    return STDPClassifier(25, random_state=0, **kw)


@pytest.fixture(scope="module")
def digits():
    from experiments.tasks import load_task

    t = load_task("digits", seed=0)
    # the whole training split: with a few hundred images one of 25 neurons wins nearly all
    return t.X_train, t.y_train, t.X_test, t.y_test


def test_cross_val_score(digits):
    X, y, _, _ = digits
    scores = cross_val_score(small(), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > FLOOR


def test_pipeline_with_a_scaler(digits):
    X, y, Xt, yt = digits
    # clip: a test image brighter than any training image would fall outside [0, 1]
    pipe = make_pipeline(MinMaxScaler(clip=True), small()).fit(X, y)
    assert pipe.score(Xt, yt) > FLOOR
    twin = clone(pipe)
    assert twin.get_params()["stdpclassifier__n_excitatory"] == 25
    assert not hasattr(twin[-1], "weights_")


def test_grid_search_over_two_points(digits):
    X, y, Xt, yt = digits
    grid = GridSearchCV(small(), {"a_plus": [0.005, 0.01]}, cv=3).fit(X, y)
    assert len(grid.cv_results_["params"]) == 2
    assert grid.best_params_["a_plus"] in (0.005, 0.01)
    assert grid.best_estimator_.a_plus == grid.best_params_["a_plus"]
    assert grid.score(Xt, yt) > FLOOR
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))


# -------------------------------------------------- answers independent of the batch (issue 19)
def _same_state(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    return all(np.array_equal(a[k], b[k]) if isinstance(a[k], np.ndarray) else a[k] == b[k]
               for k in a)


@pytest.mark.parametrize("cls", [STDPClassifier, RSTDPClassifier])
def test_predict_is_independent_of_order_and_batch_at_100_neurons(cls, digits):
    """A sample's Poisson input is a function of the seed, the call's purpose and the sample:
    the same image gets the same spikes, and the same answer, wherever it sits in X."""
    X, y, Xt, _ = digits
    model = cls(100, epochs=1, random_state=0).fit(X[:300], y[:300])
    Xt = Xt[:120]
    state = dict(model.__dict__)
    pred = model.predict(Xt)
    perm = np.random.default_rng(0).permutation(len(Xt))
    np.testing.assert_array_equal(model.predict(Xt[perm]), pred[perm])
    np.testing.assert_array_equal(model.predict(Xt[:17]), pred[:17])
    np.testing.assert_array_equal(model.predict(Xt[50:51]), pred[50:51])  # one image alone
    model.cost(Xt)
    model.predict_at(Xt, [25.0, 100.0])
    assert _same_state(state, model.__dict__)  # predict, cost and predict_at change nothing
    twin = cls(100, epochs=1, random_state=0).fit(X[:300], y[:300])
    np.testing.assert_array_equal(twin.predict(Xt), pred)  # same seed, same answers


def test_runtime_backend_is_independent_of_the_batch_too():
    X = np.random.default_rng(1).random((12, 8))
    y = np.arange(12) % 3
    model = STDPClassifier(6, presentation_ms=20.0, rest_ms=10.0, input_rate_hz=4000.0,
                           min_spikes=1, max_repeats=1, epochs=1, backend="numpy",
                           random_state=0).fit(X, y)
    pred = model.predict(X)
    np.testing.assert_array_equal(model.predict(X[::-1]), pred[::-1])
    np.testing.assert_array_equal(model.predict(X[:5]), pred[:5])


def test_labels_of_any_kind_and_unlabelled_rows_by_mask(digits):
    X, y, Xt, yt = digits
    names = np.array(list("abcdefghij"))[y[:300]]
    model = STDPClassifier(25, epochs=1, random_state=0).fit(X[:300], names)
    assert set(model.classes_) == set("abcdefghij")
    pred = model.predict(Xt[:50])
    assert set(pred) <= set(model.classes_) | {None}
    minus = np.where(y[:300] == 0, -1, y[:300])  # -1 is an ordinary class
    m2 = STDPClassifier(25, epochs=1, random_state=0).fit(X[:300], minus)
    assert -1 in m2.classes_ and m2.no_answer_ is None
    few = np.zeros(300, dtype=bool)
    few[:30] = True
    m3 = STDPClassifier(25, epochs=1, random_state=0).fit(X[:300], y[:300], labelled=few)
    assert m3.labels_used_ == 30
