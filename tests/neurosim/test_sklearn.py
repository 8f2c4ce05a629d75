"""scikit-learn interoperability of the spiking estimators: model selection, pipelines and
``check_estimator``.

The digits tests use the compiled backend at the quick preset's smallest structure (64 inputs x
25 excitatory neurons, the defaults), one cached build for all of them. ``check_estimator``
feeds data of many widths; it runs a tiny network on the runtime backend (no compile per
width), which takes minutes: it is marked ``slow``.
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

#: The scikit-learn checks the spiking estimators fail on purpose, with the reason.
EXPECTED_FAILED_CHECKS = {
    "check_estimators_unfitted": (
        "predict before fit raises contract.NotFittedError (a ValueError and an AttributeError, "
        "like scikit-learn's); the check demands scikit-learn's own class, which neurosim "
        "cannot subclass without importing scikit-learn"),
    "check_classifiers_classes": (
        "its last case uses -1 as a class label; here y == -1 marks an unlabelled sample "
        "(scikit-learn's semi-supervised convention), so only one labelled class remains and "
        "fit raises. The string-label cases pass"),
    "check_supervised_y_2d": (
        "a column-vector y of shape (n, 1) raises a ValueError naming the fix (y.ravel()) "
        "instead of scikit-learn's DataConversionWarning; that warning class lives in "
        "scikit-learn, which neurosim does not import"),
}

#: What the spiking estimators fail beyond those three, each with its reason. Most are the wording
#: of an error message: ``ann.validation`` words its errors as scikit-learn's checks expect, and
#: ``neurosim`` (which must not import ``ann``) has its own checks that say the same things in
#: other words; moving those validators into ``contract`` would clear them (not done yet).
SPIKING_EXPECTED_FAILED_CHECKS = {
    **EXPECTED_FAILED_CHECKS,
    **{name: "error message worded differently from scikit-learn's pattern (the input is "
             "rejected with a ValueError/TypeError that names the argument and the fix)"
       for name in ("check_positive_only_tag_during_fit", "check_complex_data",
                    "check_dtype_object", "check_estimators_empty_data_messages",
                    "check_estimator_sparse_tag", "check_estimator_sparse_array",
                    "check_estimator_sparse_matrix", "check_classifiers_regression_target",
                    "check_fit2d_1sample", "check_fit2d_predict1d", "check_requires_y_none")},
    **{name: "transform(X) returns spike counts, but there is no fit_transform: the estimator "
             "is a classifier that scikit-learn also treats as a transformer because it has "
             "transform"
       for name in ("check_transformer_data_not_an_array", "check_transformer_general",
                    "check_transformer_preserve_dtypes")},
    "check_methods_sample_order_invariance": (
        "the Poisson input of a sample is drawn from a stream seeded per call and consumed in "
        "sample order, so the same image gets other spikes at another position: answers are "
        "reproducible for the same X, not invariant to reordering it"),
    "check_methods_subset_invariance": "as check_methods_sample_order_invariance, for subsets",
    "check_dict_unchanged": (
        "predict keeps its last simulation (``_last_response``) so that cost(X) and "
        "predict_at(X) on the same X reuse it instead of simulating again"),
    "check_classifiers_train": (
        "the 6-neuron, 20 ms network used here (small so that ~60 checks run in minutes) does "
        "not reach the check's accuracy bar on its blobs; at the real sizes see the digits tests"),
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
