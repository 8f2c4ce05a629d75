"""The estimators: accuracy on digits, the scikit-learn contract, history, cost, determinism."""

import warnings

import numpy as np
import pytest

from ann import CNNClassifier, MLPClassifier, NotFittedError, RNNClassifier

XS = np.random.default_rng(0).uniform(0, 1, size=(40, 16))
YS = np.arange(40) % 3


def test_mlp_defaults_reach_096_on_digits_and_match_sklearn(digits):
    from sklearn.neural_network import MLPClassifier as SkMLP

    ours = MLPClassifier(random_state=0).fit(digits.X_train, digits.y_train)
    acc = ours.score(digits.X_test, digits.y_test)
    assert acc >= 0.96
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: a fixed epoch budget, as ours
        sk = SkMLP((128,), alpha=0.0, batch_size=32, learning_rate_init=1e-3,
                   max_iter=ours.epochs, n_iter_no_change=ours.epochs + 1, tol=0,
                   random_state=0).fit(digits.X_train, digits.y_train)
    assert abs(acc - sk.score(digits.X_test, digits.y_test)) <= 0.02


def test_cnn_defaults_reach_096_on_digits(digits):
    model = CNNClassifier(image_shape=digits.image_shape, random_state=0)
    model.fit(digits.X_train, digits.y_train)
    assert model.score(digits.X_test, digits.y_test) >= 0.96


def test_rnn_reading_rows_as_steps_reaches_090_on_digits(digits):
    model = RNNClassifier(sequence_shape=digits.image_shape, random_state=0)
    model.fit(digits.X_train, digits.y_train)
    assert model.score(digits.X_test, digits.y_test) >= 0.90
    # the same images as (n, T, d) arrays give the same predictions
    X3 = digits.X_test.reshape(-1, 8, 8)
    np.testing.assert_array_equal(model.predict(X3), model.predict(digits.X_test))


MODELS = {
    "mlp": lambda **kw: MLPClassifier((8,), epochs=3, **kw),
    "cnn": lambda **kw: CNNClassifier((4, 4), channels=(2,), epochs=3, **kw),
    "rnn": lambda **kw: RNNClassifier((4, 4), n_hidden=6, epochs=3, **kw),
}


@pytest.mark.parametrize("kind", list(MODELS))
def test_same_seed_gives_bit_identical_weights_and_predictions(kind):
    a = MODELS[kind](random_state=3).fit(XS, YS)
    b = MODELS[kind](random_state=3).fit(XS, YS)
    np.testing.assert_array_equal(a.network_.flat_params, b.network_.flat_params)
    np.testing.assert_array_equal(a.predict_proba(XS), b.predict_proba(XS))
    c = MODELS[kind](random_state=4).fit(XS, YS)
    assert not np.array_equal(a.network_.flat_params, c.network_.flat_params)


@pytest.mark.parametrize("kind", list(MODELS))
def test_sklearn_clone_and_params_round_trip(kind):
    from sklearn.base import clone

    model = MODELS[kind](random_state=1, learning_rate=0.01)
    params = model.get_params()
    twin = clone(model)
    assert twin.get_params() == params
    assert type(twin)(**params).get_params() == params
    model.fit(XS, YS)
    fresh = clone(model)
    assert not hasattr(fresh, "network_")
    assert model.set_params(epochs=2) is model and model.epochs == 2
    with pytest.raises(ValueError, match="Invalid parameter 'hidden'"):
        model.set_params(hidden=3)
    assert "learning_rate=0.01" in repr(model)


def test_fit_returns_self_and_sets_the_learned_attributes():
    model = MLPClassifier((7,), epochs=2, random_state=0)
    assert model.fit(XS, YS + 10) is model
    np.testing.assert_array_equal(model.classes_, [10, 11, 12])
    assert model.n_features_in_ == 16
    assert [w.shape for w in model.coefs_] == [(16, 7), (7, 3)]
    assert [b.shape for b in model.intercepts_] == [(7,), (3,)]
    assert set(model.predict(XS)) <= {10, 11, 12}
    proba = model.predict_proba(XS)
    assert proba.shape == (40, 3) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.network_.dtype == np.float32
    assert MLPClassifier((7,), epochs=1, dtype="float64", random_state=0).fit(
        XS, YS).network_.dtype == np.float64


def test_history_rows_and_eval_set():
    model = MLPClassifier((8,), epochs=4, batch_size=16, random_state=0)
    model.fit(XS, YS, eval_set=(XS[:10], YS[:10]))
    h = model.history_
    assert [r["epoch"] for r in h] == [1, 2, 3, 4]
    assert [r["samples_seen"] for r in h] == [40, 80, 120, 160]
    assert all(set(r) == {"epoch", "samples_seen", "loss", "train_accuracy", "wall_s",
                          "eval_accuracy"} for r in h)
    walls = [r["wall_s"] for r in h]
    assert walls == sorted(walls) and walls[0] > 0
    assert all(0 <= r["train_accuracy"] <= 1 and 0 <= r["eval_accuracy"] <= 1 for r in h)
    # full batch: the reported loss is the loss before each update; it decreases
    full = MLPClassifier((8,), epochs=20, batch_size=None, learning_rate=0.01,
                         random_state=0).fit(XS, YS)
    losses = [r["loss"] for r in full.history_]
    assert losses[-1] < losses[0]
    assert "eval_accuracy" not in full.history_[0]


def test_partial_fit_learns_online_and_continues_history(digits):
    model = MLPClassifier(random_state=0)
    X, y = digits.X_train, digits.y_train
    model.partial_fit(X[:100], y[:100], classes=np.arange(10))
    first = model.score(digits.X_test, digits.y_test)
    for start in range(100, len(X), 100):
        model.partial_fit(X[start : start + 100], y[start : start + 100])
    for _ in range(4):
        model.partial_fit(X, y)
    assert len(model.history_) == len(range(0, len(X), 100)) + 4
    assert model.history_[-1]["samples_seen"] == 5 * len(X)
    assert model.score(digits.X_test, digits.y_test) > max(first, 0.9)
    with pytest.raises(ValueError, match="not seen in training"):
        MLPClassifier((4,), random_state=0).partial_fit(XS, YS).partial_fit(XS[:2], [0, 7])
    with pytest.raises(ValueError, match="classes="):
        MLPClassifier((4,)).partial_fit(XS[:3], [1, 1, 1])


def test_verbose_shows_a_tqdm_bar_and_the_essay_style_log(capsys):
    MLPClassifier((4,), epochs=4, verbose=True, log_every=2, random_state=0).fit(XS, YS)
    err = capsys.readouterr()
    text = err.err + err.out
    assert "MLPClassifier" in text and "loss=" in text
    assert "epoch 2: loss" in text and "epoch 4: loss" in text


def test_predict_before_fit_raises_not_fitted():
    for make in MODELS.values():
        model = make()
        for method in (model.predict, model.predict_proba, model.cost):
            with pytest.raises(NotFittedError, match="fit"):
                method(XS)
        assert not hasattr(model, "coefs_")
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


def test_importing_ann_pulls_in_no_heavy_or_sibling_packages():
    import subprocess
    import sys

    # scikit-learn is the estimators' base (issue 19); everything else stays out
    code = ("import sys, ann; print(','.join(sorted(m for m in ('matplotlib', 'brian2', "
            "'experiments', 'neurosim', 'torch') if m in sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


# -- labels: any values, -1 included ------------------------------------------------------------
def test_minus_one_is_a_class_like_any_other():
    """-1 is an ordinary label (scikit-learn's rule): the model learns and predicts it."""
    y = np.where(YS == 0, -1, YS)
    model = MLPClassifier((8,), epochs=3, random_state=0).fit(XS, y)
    np.testing.assert_array_equal(model.classes_, [-1, 1, 2])
    same = MLPClassifier((8,), epochs=3, random_state=0).fit(XS, YS)
    np.testing.assert_array_equal(model.network_.flat_params, same.network_.flat_params)
    np.testing.assert_array_equal(model.predict(XS), np.where(same.predict(XS) == 0, -1,
                                                              same.predict(XS)))
    assert model.cost()["labels_used"] == len(XS)


def test_string_labels_round_trip():
    names = np.array(["zero", "one", "two"])[YS]
    model = MLPClassifier((8,), epochs=3, random_state=0).fit(XS, names)
    assert set(model.predict(XS)) <= set(names)
    np.testing.assert_array_equal(model.classes_, ["one", "two", "zero"])


def test_one_class_is_an_error_naming_the_fix():
    with pytest.raises(ValueError, match="one class only.*at least two classes"):
        MLPClassifier((4,), epochs=1).fit(XS, np.zeros(len(XS), dtype=int))
    with pytest.raises(ValueError, match="two classes"):
        MLPClassifier((4,)).partial_fit(XS, np.zeros(len(XS), dtype=int))


# -- threads -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("n_threads", [1, 2])
def test_threads_used_is_what_blas_ran_with(kind, n_threads):
    import os

    if n_threads > (os.cpu_count() or 1):
        pytest.skip("needs 2 cores")
    model = MODELS[kind](n_threads=n_threads, random_state=0).fit(XS, YS)
    assert model.threads_used_ == n_threads
    for method in (model.predict, model.predict_proba, model.cost):
        del model.threads_used_
        method(XS)
        assert model.threads_used_ == n_threads


def test_n_threads_is_the_one_control_inside_a_callers_limit():
    import os

    from threadpoolctl import threadpool_limits

    if (os.cpu_count() or 1) < 2:
        pytest.skip("needs 2 cores")
    model = MLPClassifier((8,), epochs=1, random_state=0).fit(XS, YS)
    with threadpool_limits(limits=2, user_api="blas"):
        model.set_params(n_threads=None).predict(XS)  # None: the caller's setting
        assert model.threads_used_ == 2
        model.set_params(n_threads=1).predict(XS)  # an int: that many, whatever the caller set
        assert model.threads_used_ == 1
    with threadpool_limits(limits=1, user_api="blas"):
        model.set_params(n_threads=2).predict(XS)
        assert model.threads_used_ == 2
