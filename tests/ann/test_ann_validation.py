"""Every bad input raises a ValueError/TypeError that names the argument and the fix."""

import numpy as np
import pytest
from scipy import sparse

from ann import CNNClassifier, MLPClassifier, RNNClassifier

X = np.random.default_rng(0).uniform(size=(12, 16))
Y = np.arange(12) % 3


def with_value(i, value):
    bad = X.copy()
    bad[0, i] = value
    return bad


# scikit-learn's validate_data words these (the estimators subclass its base and call it)
BAD_X = [
    ("1-D", X[0], ValueError, r"(?s)Expected 2D array, got 1D array.*reshape"),
    ("3-D", X.reshape(12, 4, 4), ValueError, r"Found array with dim 3"),
    ("NaN", with_value(0, np.nan), ValueError, "Input X contains NaN"),
    ("inf", with_value(3, np.inf), ValueError, "Input X contains infinity"),
    ("empty", np.empty((0, 16)), ValueError, r"Found array with 0 sample\(s\)"),
    ("no features", np.empty((12, 0)), ValueError,
     r"0 feature\(s\) \(shape=\(12, 0\)\) while a minimum of 1 is required"),
    ("strings", np.full((12, 16), "a"), ValueError, "could not convert string to float"),
    ("objects", np.array([[{"a": 1}] * 16] * 12), TypeError, "float"),
    ("None in objects", np.array([[None] * 16] * 12), ValueError, "NaN"),
    ("complex", X + 1j, ValueError, "Complex data not supported"),
    ("None", None, ValueError, "Expected 2D array, got scalar array"),
    ("sparse", sparse.csr_matrix(X), TypeError, r"Sparse data.*toarray\(\)"),
]


@pytest.mark.parametrize(("case", "bad", "err", "msg"), BAD_X, ids=[c[0] for c in BAD_X])
def test_bad_X_in_fit(case, bad, err, msg):
    with pytest.raises(err, match=msg):
        MLPClassifier(epochs=1).fit(bad, Y)


BAD_Y = [
    ("floats", Y + 0.5, ValueError, "Unknown label type: continuous"),
    ("mixed objects", np.array([1, "b", 2.5] * 4, dtype=object), ValueError,
     "Unknown label type"),
    ("single class", np.zeros(12, int), ValueError, "one class only.*at least two classes"),
    ("short", Y[:5], ValueError, r"inconsistent numbers of samples: \[12, 5\]"),
    ("empty", np.array([], int), ValueError, "inconsistent numbers of samples"),
    ("NaN", np.where(Y == 0, np.nan, Y), ValueError, "Input y contains NaN"),
    ("None", None, ValueError, "requires y to be passed, but the target y is None"),
]


@pytest.mark.parametrize(("case", "bad", "err", "msg"), BAD_Y, ids=[c[0] for c in BAD_Y])
def test_bad_y_in_fit(case, bad, err, msg):
    with pytest.raises(err, match=msg):
        MLPClassifier(epochs=1).fit(X, bad)


def test_whole_number_float_labels_are_accepted():
    model = MLPClassifier((4,), epochs=1, random_state=0).fit(X, Y.astype(float))
    np.testing.assert_array_equal(model.classes_, [0.0, 1.0, 2.0])  # kept as given
    assert set(model.predict(X)) <= {0.0, 1.0, 2.0}


@pytest.mark.parametrize("labels", [np.array(["a", "b", "c"]), np.array(["a", "b", "c"], object)])
def test_string_labels_are_classes(labels, tmp_path):
    y = labels[Y]
    model = MLPClassifier((4,), epochs=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(model.classes_, ["a", "b", "c"])
    assert set(model.predict(X)) <= {"a", "b", "c"}
    model.save(tmp_path / "m.npz")  # a str array, saved without pickle
    import ann

    np.testing.assert_array_equal(ann.load(tmp_path / "m.npz").predict(X), model.predict(X))


BAD_PARAMS = [
    ({"activation": "swish"}, ValueError, "activation must be one of"),
    ({"optimizer": "rmsprop"}, ValueError, "optimizer must be one of"),
    ({"loss": "hinge"}, ValueError, "loss must be one of"),
    ({"output_activation": "relu"}, ValueError, "output_activation must be one of"),
    ({"loss": "cross_entropy", "output_activation": "sigmoid"}, ValueError, "loss='mse'"),
    ({"learning_rate": -1.0}, ValueError, "learning_rate"),
    ({"learning_rate": "fast"}, TypeError, "learning_rate"),
    ({"epochs": 2.5}, TypeError, "epochs"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"hidden_layer_sizes": (10, 0)}, ValueError, r"hidden_layer_sizes\[1\]"),
    ({"hidden_layer_sizes": "10"}, TypeError, "hidden_layer_sizes"),
    ({"dtype": "float16"}, ValueError, "dtype must be 'float32' or 'float64'"),
    ({"dtype": "int"}, ValueError, "dtype"),
    ({"init": "orthogonal"}, ValueError, "init must be one of"),
    ({"weight_decay": -0.1}, ValueError, "weight_decay"),
    ({"momentum": 1.5}, ValueError, "momentum"),
    ({"random_state": "seed"}, TypeError, "random_state"),
    ({"verbose": "yes"}, TypeError, "verbose"),
]


@pytest.mark.parametrize(("params", "err", "msg"), BAD_PARAMS, ids=[str(p[0]) for p in BAD_PARAMS])
def test_bad_hyper_parameters_are_reported_at_fit(params, err, msg):
    model = MLPClassifier(**{"epochs": 1, **params})  # __init__ only stores
    with pytest.raises(err, match=msg):
        model.fit(X, Y)


PARAM_CASES = [
    (MLPClassifier, {"learning_rate": 0.0}, "learning_rate"),
    (MLPClassifier, {"learning_rate": "fast"}, "learning_rate"),
    (MLPClassifier, {"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes"),
    (MLPClassifier, {"hidden_layer_sizes": "10"}, "hidden_layer_sizes"),
    (MLPClassifier, {"momentum": 1.0}, "momentum"),
    (MLPClassifier, {"batch_size": 0}, "batch_size"),
    (MLPClassifier, {"n_threads": 0}, "n_threads"),
    (MLPClassifier, {"dtype": "float16"}, "dtype"),
    (MLPClassifier, {"random_state": -1}, "random_state"),
    (MLPClassifier, {"loss": "cross_entropy", "output_activation": "sigmoid"}, "loss"),
    (CNNClassifier, {"channels": ()}, "channels"),
    (CNNClassifier, {"image_shape": (8, 0)}, "image_shape"),
    (CNNClassifier, {"pool_size": 0}, "pool_size"),
    (RNNClassifier, {"n_hidden": 2.5}, "n_hidden"),
    (RNNClassifier, {"sequence_shape": (8,)}, "sequence_shape"),
]


@pytest.mark.parametrize(("cls", "params", "param"), PARAM_CASES,
                         ids=[f"{c.__name__}-{p}" for c, p, _ in PARAM_CASES])
def test_check_params_names_the_bad_parameter_without_fitting(cls, params, param):
    from contract import InvalidParameterError

    model = cls(**params)
    with pytest.raises(InvalidParameterError, match=param) as info:
        model.check_params()
    assert info.value.param == param
    assert "pass" in str(info.value) or "use" in str(info.value)  # the message gives the fix
    assert not hasattr(model, "network_")
    with pytest.raises(InvalidParameterError):  # fit runs the same checks first
        model.fit(X, Y)


def test_check_params_accepts_the_defaults_and_returns_self():
    for cls in (MLPClassifier, CNNClassifier, RNNClassifier):
        model = cls()
        assert model.check_params() is model
    assert MLPClassifier(hidden_layer_sizes=()).check_params().hidden_layer_sizes == ()
    assert RNNClassifier(sequence_shape=None).check_params().sequence_shape is None


def test_predict_with_the_wrong_number_of_features():
    model = MLPClassifier((4,), epochs=1, random_state=0).fit(X, Y)
    with pytest.raises(ValueError, match="X has 15 features, but MLPClassifier is expecting 16"):
        model.predict(X[:, :15])
    with pytest.raises(ValueError, match="eval_set"):
        MLPClassifier((4,), epochs=1).fit(X, Y, eval_set=(X[:, :3], Y))
    with pytest.raises(TypeError, match=r"eval_set must be a tuple \(X_val, y_val\)"):
        MLPClassifier((4,), epochs=1).fit(X, Y, eval_set=X)


def test_image_and_sequence_shapes_are_checked():
    with pytest.raises(ValueError, match="not a multiple of image_shape"):
        CNNClassifier(image_shape=(3, 3), epochs=1).fit(X, Y)
    with pytest.raises(ValueError, match=r"set image_shape=\(4, 4\)"):
        CNNClassifier(image_shape=(8, 8), epochs=1).fit(X.reshape(12, 1, 4, 4), Y)
    # the default (None) takes the shape from the data: square rows, or the arrays' own
    assert CNNClassifier(epochs=1).fit(X, Y).image_shape_ == (4, 4)
    assert CNNClassifier(epochs=1).fit(X.reshape(12, 2, 2, 4), Y).image_shape_ == (2, 4)
    assert CNNClassifier(epochs=1).fit(X[:, :15], Y).image_shape_ == (1, 15)
    assert RNNClassifier(epochs=1).fit(X, Y).sequence_shape_ == (4, 4)
    assert RNNClassifier(epochs=1).fit(X[:, :15], Y).sequence_shape_ == (15, 1)
    assert RNNClassifier(epochs=1).fit(X.reshape(12, 2, 8), Y).sequence_shape_ == (2, 8)
    with pytest.raises(TypeError, match="image_shape must be a pair"):
        CNNClassifier(image_shape=8, epochs=1).fit(X, Y)
    with pytest.raises(ValueError, match=r"sequence_shape \(8, 8\) needs 64"):
        RNNClassifier((8, 8), epochs=1).fit(X, Y)
    with pytest.raises(ValueError, match=r"set sequence_shape=\(2, 8\)"):
        RNNClassifier((8, 2), epochs=1).fit(X.reshape(12, 2, 8), Y)
    with pytest.raises(ValueError, match="X must have 2 or 3 dimensions"):
        RNNClassifier((4, 4), epochs=1).fit(X.reshape(12, 2, 2, 4), Y)


@pytest.mark.parametrize("make", [
    lambda: MLPClassifier((4,), epochs=2, random_state=0),
    lambda: CNNClassifier((4, 4), channels=(2,), epochs=2, random_state=0),
    lambda: RNNClassifier((4, 4), n_hidden=3, epochs=2, random_state=0),
])
def test_inputs_are_never_modified(make):
    Xc, Yc = X.copy(), Y.copy()
    Xf = np.asfortranarray(X)
    model = make().fit(Xf, Y, eval_set=(X, Y))
    model.predict(X)
    model.predict_proba(X)
    model.cost(X)
    model.partial_fit(X, Y)
    np.testing.assert_array_equal(X, Xc)
    np.testing.assert_array_equal(Xf, Xc)
    np.testing.assert_array_equal(Y, Yc)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_is_reported():
    with pytest.raises(FloatingPointError, match="lower learning_rate"):
        MLPClassifier((4,), optimizer="sgd", learning_rate=1e30, epochs=5,
                      random_state=0).fit(X * 1e6, Y)


@pytest.mark.parametrize(("case", "bad", "err", "msg"), BAD_X[:6], ids=[c[0] for c in BAD_X[:6]])
def test_bad_X_in_predict_and_partial_fit(case, bad, err, msg):
    model = MLPClassifier((4,), epochs=1, random_state=0).fit(X, Y)
    for call in (model.predict, model.predict_proba, model.cost):
        with pytest.raises(err, match=msg):
            call(bad)
    with pytest.raises(err, match=msg):
        model.partial_fit(bad, Y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.score(X, Y[:3])
