"""MNIST-1D tasks: the package's standard split, both encodings, the fixed shuffle, no leak of
global random state."""

import random

import numpy as np
import pytest

from experiments.tasks import list_tasks, load_task, task_knobs
from experiments.tasks import mnist1d as m1d

pytest.importorskip("mnist1d")

NAMES = ["mnist1d", "mnist1d_shuffled"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("encoding", "n_features", "shape"),
                         [("affine", 40, (40, 1)), ("onoff", 80, (40, 2))])
def test_shapes_dtypes_ranges_and_classes(name, encoding, n_features, shape):
    task = load_task(name, encoding=encoding)
    assert task.X_train.shape == (4000, n_features) and task.X_test.shape == (1000, n_features)
    assert task.image_shape == shape and np.prod(shape) == task.n_features
    assert task.n_classes == 10
    for X, y in [(task.X_train, task.y_train), (task.X_test, task.y_test)]:
        assert X.dtype == np.float64 and y.dtype == np.int64
        assert np.isfinite(X).all() and X.min() >= 0.0 and X.max() <= 1.0
        assert set(np.unique(y)) == set(range(10)), "every class in both splits"
        assert not X.flags.writeable and not y.flags.writeable
    assert task.knobs == {"encoding": encoding, "data_seed": 42, "seed": 0}


def test_is_the_packages_default_split_affinely_rescaled():
    from mnist1d.data import get_dataset_args, make_dataset

    state = np.random.get_state(), random.getstate()  # noqa: NPY002
    try:
        ref = make_dataset(get_dataset_args())
    finally:
        np.random.set_state(state[0])  # noqa: NPY002
        random.setstate(state[1])
    task = load_task("mnist1d", encoding="affine")
    np.testing.assert_array_equal(task.y_train, ref["y"])
    np.testing.assert_array_equal(task.y_test, ref["y_test"])
    lo, hi = ref["x"].min(), ref["x"].max()
    np.testing.assert_allclose(task.X_train * (hi - lo) + lo, ref["x"], atol=1e-12)
    np.testing.assert_allclose(task.X_test * (hi - lo) + lo, ref["x_test"], atol=1e-12)
    assert task.X_train.min() == 0.0 and task.X_train.max() == 1.0


def test_onoff_channels_are_the_positive_and_negative_parts():
    raw = m1d.generate()[0]
    task = load_task("mnist1d")
    assert task.knobs["encoding"] == "onoff", "the default (chosen on validation)"
    X = task.X_train.reshape(4000, 40, 2)
    s = np.abs(raw).max()
    np.testing.assert_allclose(X[..., 0], np.maximum(raw, 0) / s)
    np.testing.assert_allclose(X[..., 1], np.maximum(-raw, 0) / s)
    assert not np.any((X[..., 0] > 0) & (X[..., 1] > 0)), "at most one channel per position"


def test_deterministic_and_seed_does_not_change_the_fixed_set():
    a, b = load_task("mnist1d", seed=0), load_task("mnist1d", seed=5)
    for field in ["X_train", "y_train", "X_test", "y_test"]:
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    other = load_task("mnist1d", data_seed=7)
    assert not np.array_equal(a.X_train, other.X_train)


@pytest.mark.parametrize("encoding", ["affine", "onoff"])
def test_shuffled_sample_is_the_permuted_plain_sample(encoding):
    plain = load_task("mnist1d", encoding=encoding)
    shuf = load_task("mnist1d_shuffled", encoding=encoding)
    perm = np.random.default_rng(m1d.SHUFFLE_SEED).permutation(40)
    np.testing.assert_array_equal(m1d.PERMUTATION, perm)
    assert not np.array_equal(perm, np.arange(40))
    c = plain.image_shape[1]
    for a, b in [(plain.X_train, shuf.X_train), (plain.X_test, shuf.X_test)]:
        np.testing.assert_array_equal(a.reshape(len(a), 40, c)[:, perm], b.reshape(len(b), 40, c))
    np.testing.assert_array_equal(plain.y_train, shuf.y_train)
    np.testing.assert_array_equal(plain.y_test, shuf.y_test)


def test_no_leak_of_global_random_state():
    m1d._CACHE.clear()  # force a fresh generation (which seeds the global generators)
    random.seed(123)
    np.random.seed(456)  # noqa: NPY002
    py_before, np_before = random.getstate(), np.random.get_state()  # noqa: NPY002
    load_task("mnist1d_shuffled", data_seed=3)
    assert random.getstate() == py_before
    np_after = np.random.get_state()  # noqa: NPY002
    assert np_after[0] == np_before[0] and np.array_equal(np_after[1], np_before[1])
    assert np_after[2:] == np_before[2:]
    assert random.random() == random.Random(123).random()


def test_listed_with_knobs_and_bad_encoding_is_refused():
    tasks = list_tasks()
    assert {"mnist1d", "mnist1d_shuffled"} <= set(tasks)
    assert "Greydanus" in tasks["mnist1d"]
    assert "'onoff'" in task_knobs("mnist1d")["encoding"]
    with pytest.raises(ValueError, match="encoding.*affine.*onoff"):
        load_task("mnist1d", encoding="signed")


def test_recurrent_and_convolutional_models_read_the_layout():
    from ann import CNNClassifier, RNNClassifier

    task = load_task("mnist1d", encoding="onoff")
    X, y = task.X_train[:40], task.y_train[:40]
    rnn = RNNClassifier(sequence_shape=task.image_shape, n_hidden=4, epochs=1,
                        random_state=0).fit(X, y)
    assert rnn.network_.layers[0].n_in == 2  # one on/off pair per step
    cnn = CNNClassifier(task.image_shape, channels=(3, 3), kernel_size=((5, 2), (5, 1)),
                        padding=(2, 0), pool_size=(2, 1), epochs=1, random_state=0).fit(X, y)
    assert cnn.network_.layers[0].output_shape((1, 40, 2)) == (3, 40, 1)
