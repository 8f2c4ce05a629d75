"""scikit-learn interoperability: model selection, pipelines and ``check_estimator``.

The estimators subclass scikit-learn's own base classes (``contract.ContractEstimator``); these
tests run them through scikit-learn's own tools, ``check_estimator`` with the defaults
included.
"""

import copy
import warnings

import numpy as np
import pytest

from ann import CNNClassifier, MLPClassifier, RNNClassifier, SpikingMLPClassifier

sklearn = pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

#: The scikit-learn checks an estimator constructed with its defaults fails, with the reason.
#: The backprop networks fail none.
EXPECTED_FAILED_CHECKS = {
    "surrogate_snn": {
        "check_classifiers_train": (
            "the default input_coding='rate' reads every feature as a firing probability in "
            "[0, 1] (values above 1 fire every step); the check's blobs, shifted to be "
            "non-negative, reach ~10, so most features saturate and the accuracy bar is not met. "
            "With input_coding='current' the check passes (test below)"),
    },
}

#: Every estimator as a new user builds it: the defaults plus a seed.
CHECKED = {
    "mlp": lambda: MLPClassifier(random_state=0),
    "cnn": lambda: CNNClassifier(random_state=0),
    "rnn": lambda: RNNClassifier(random_state=0),
    "surrogate_snn": lambda: SpikingMLPClassifier(random_state=0),
    "surrogate_snn_current": lambda: SpikingMLPClassifier(input_coding="current",
                                                          random_state=0),
}


@pytest.mark.parametrize("kind", [
    # ~55 checks each; with the defaults (the spiking network trains 60 epochs of 10 steps, the
    # CNN and RNN their full epochs) they take a minute or more: slow, except the MLP
    k if k == "mlp" else pytest.param(k, marks=pytest.mark.slow) for k in CHECKED])
def test_check_estimator_passes_all_but_the_listed_checks(kind):
    expected = EXPECTED_FAILED_CHECKS.get(kind, {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SkipTestWarning for the array-API checks
        results = check_estimator(CHECKED[kind](), expected_failed_checks=expected,
                                  on_fail=None)
    failed = {r["check_name"]: str(r["exception"])[:200] for r in results
              if r["status"] == "failed"}
    xfailed = {r["check_name"] for r in results if r["status"] == "xfail"}
    assert failed == {}
    # every listed check still fails: the list never keeps a check that has been fixed
    assert xfailed == set(expected)
    assert len(results) > 40


#: Small, quick configurations and an accuracy floor well above chance (0.1) and below what
#: they reach (measured: 0.82-0.88 MLP, 0.79-0.87 CNN, 0.73-0.83 RNN).
SMALL = {
    "mlp": (lambda: MLPClassifier((32,), epochs=5, random_state=0), 0.7),
    "cnn": (lambda: CNNClassifier((8, 8), channels=(4,), epochs=3, random_state=0), 0.7),
    "rnn": (lambda: RNNClassifier((8, 8), n_hidden=16, epochs=4, random_state=0), 0.6),
}


@pytest.fixture(scope="module")
def digits0():
    from experiments.tasks import load_task

    return load_task("digits", seed=0)


@pytest.mark.parametrize("kind", list(SMALL))
def test_cross_val_score(kind, digits0):
    make, floor = SMALL[kind]
    scores = cross_val_score(make(), digits0.X_train, digits0.y_train, cv=3)
    assert scores.shape == (3,)
    assert scores.min() > floor


@pytest.mark.parametrize("kind", list(SMALL))
@pytest.mark.parametrize("scaler", [MinMaxScaler, StandardScaler])
def test_pipeline_with_a_scaler(kind, scaler, digits0):
    make, floor = SMALL[kind]
    pipe = make_pipeline(scaler(), make()).fit(digits0.X_train, digits0.y_train)
    assert pipe.score(digits0.X_test, digits0.y_test) > floor
    assert pipe.predict_proba(digits0.X_test[:5]).shape == (5, 10)
    # the pipeline's clone is unfitted and has the same parameters
    twin = clone(pipe)
    assert twin.get_params()[pipe.steps[-1][0] + "__epochs"] == pipe[-1].epochs


@pytest.mark.parametrize("kind", list(SMALL))
def test_grid_search_over_two_points(kind, digits0):
    make, floor = SMALL[kind]
    grid = GridSearchCV(make(), {"learning_rate": [1e-3, 1e-2]}, cv=3)
    grid.fit(digits0.X_train, digits0.y_train)
    assert len(grid.cv_results_["params"]) == 2
    assert grid.best_params_["learning_rate"] in (1e-3, 1e-2)
    assert grid.best_estimator_.learning_rate == grid.best_params_["learning_rate"]
    assert grid.score(digits0.X_test, digits0.y_test) > floor


def test_tags_are_honest():
    from sklearn.utils import get_tags

    for make in CHECKED.values():
        tags = get_tags(make())
        assert tags.estimator_type == "classifier"
        assert tags.non_deterministic is False
        assert tags.input_tags.sparse is False and tags.input_tags.allow_nan is False
        assert tags.classifier_tags.poor_score is False
        assert tags.target_tags.required is True


@pytest.mark.parametrize("kind", list(CHECKED))
def test_a_copied_model_keeps_training_its_own_layers(kind, digits0):
    # copies (deepcopy, pickle) copy each parameter view apart; the network re-links them to
    # its flat buffer, or the optimiser would update an array the layers no longer read
    X, y = digits0.X_train[:200, :8], digits0.y_train[:200]
    model = CHECKED[kind]().set_params(epochs=2, random_state=0).fit(X, y)
    twin = copy.deepcopy(model)
    net = twin.network_
    for layer in net.layers:
        for p in layer.params.values():
            assert np.shares_memory(p, net.flat_params)
    model.partial_fit(X, y)
    twin.partial_fit(X, y)
    np.testing.assert_array_equal(twin.network_.flat_params, model.network_.flat_params)
    np.testing.assert_array_equal(twin.predict_proba(X), model.predict_proba(X))
