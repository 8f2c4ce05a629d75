"""The shared task suite: shapes, ranges, determinism, class coverage and clear errors."""

import gzip
import struct

import numpy as np
import pytest

from experiments.tasks import MNIST_ENV, MNIST_FILES, Task, list_tasks, load_task, task_knobs

SYNTHETIC = ["digits", "bars", "patterns", "moons"]


@pytest.mark.parametrize("name", SYNTHETIC)
def test_task_arrays_are_documented_shapes_dtypes_and_ranges(name):
    task = load_task(name, seed=3)
    assert isinstance(task, Task) and task.name == name
    for X, y in [(task.X_train, task.y_train), (task.X_test, task.y_test)]:
        assert X.dtype == np.float64 and X.ndim == 2 and X.shape[1] == task.n_features
        assert y.dtype == np.int64 and y.shape == (len(X),)
        assert X.min() >= 0.0 and X.max() <= 1.0 and np.isfinite(X).all()
        assert set(np.unique(y)) == set(range(task.n_classes)), "every class in every split"
        assert not X.flags.writeable and not y.flags.writeable
    if task.image_shape is not None:
        assert np.prod(task.image_shape) == task.n_features
    assert task.description and "\n" not in task.description
    assert task.knobs["seed"] == 3


@pytest.mark.parametrize("name", SYNTHETIC)
def test_same_seed_identical_arrays_other_seed_differs(name):
    a, b, c = load_task(name, seed=1), load_task(name, seed=1), load_task(name, seed=2)
    for field in ["X_train", "y_train", "X_test", "y_test"]:
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X_train, c.X_train)


def test_digits_is_the_sklearn_set_split_about_78_22():
    task = load_task("digits")
    n_train, n_test = len(task.X_train), len(task.X_test)
    assert n_train + n_test == 1797
    assert 0.76 < n_train / 1797 < 0.80
    assert task.n_classes == 10 and task.image_shape == (8, 8)


def test_bars_images_are_single_bars():
    task = load_task("bars", n=5, noise=0.0, n_train_per_class=3, n_test_per_class=2)
    assert task.n_classes == 10 and task.image_shape == (5, 5)
    images = task.X_train.reshape(-1, 5, 5)
    for image, label in zip(images, task.y_train, strict=True):
        expected = np.zeros((5, 5))
        if label < 5:
            expected[label, :] = 1
        else:
            expected[:, label - 5] = 1
        np.testing.assert_array_equal(image, expected)


def test_bars_noise_flips_about_the_requested_fraction():
    clean = load_task("bars", n=8, noise=0.0, seed=4)
    noisy = load_task("bars", n=8, noise=0.1, seed=4)
    flipped = np.mean(clean.X_train != noisy.X_train)
    assert 0.08 < flipped < 0.12


def test_patterns_knobs_set_dimension_classes_and_noise():
    task = load_task("patterns", d=32, k=4, p=0.0, n_train_per_class=5, n_test_per_class=5)
    assert task.X_train.shape == (20, 32) and task.n_classes == 4
    # noise-free samples of one class are identical copies of its prototype
    for c in range(4):
        rows = task.X_train[task.y_train == c]
        assert (rows == rows[0]).all()
    assert set(np.unique(task.X_train)) <= {0.0, 1.0}


def test_moons_is_two_dimensional_and_rescaled():
    task = load_task("moons", n_samples=200)
    X = np.vstack([task.X_train, task.X_test])
    assert X.shape == (200, 2) and task.n_classes == 2 and task.image_shape is None
    np.testing.assert_allclose(X.min(axis=0), 0.0)
    np.testing.assert_allclose(X.max(axis=0), 1.0)


def test_unknown_task_lists_the_valid_choices():
    with pytest.raises(ValueError, match="unknown task 'digts'.*digits.*bars.*patterns"):
        load_task("digts")


@pytest.mark.parametrize(
    ("name", "knobs", "error", "pattern"),
    [
        ("digits", {"bogus": 1}, ValueError, "no knob bogus.*test_fraction"),
        ("patterns", {"p": 0.9}, ValueError, "knob 'p'.*\\[0.0, 0.5\\]"),
        ("patterns", {"d": 1}, ValueError, "knob 'd'.*\\[2, 100000\\]"),
        ("patterns", {"k": 2.5}, ValueError, "must be an integer"),
        ("bars", {"noise": "lots"}, TypeError, "knob 'noise'"),
        ("bars", {"n": float("nan")}, ValueError, "knob 'n'"),
    ],
)
def test_invalid_knobs_name_the_knob_and_its_range(name, knobs, error, pattern):
    with pytest.raises(error, match=pattern):
        load_task(name, **knobs)


def test_negative_seed_is_rejected():
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        load_task("digits", seed=-1)


def test_registry_listing_and_knob_docs():
    assert set(list_tasks()) == {"digits", "bars", "patterns", "moons", "mnist", "mnist1d",
                                 "mnist1d_shuffled"}
    assert "default 0.1" in task_knobs("patterns")["p"]


def _write_idx(path, array):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    data = header + array.astype(np.uint8).tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as fh:
        fh.write(data)


@pytest.fixture
def mnist_folder(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {
        "X_train": rng.integers(0, 256, (30, 28, 28)),
        "y_train": np.arange(30) % 10,
        "X_test": rng.integers(0, 256, (20, 28, 28)),
        "y_test": np.arange(20) % 10,
    }
    for key, stem in MNIST_FILES.items():
        suffix = ".gz" if key == "X_test" else ""  # both plain and gzipped files are read
        _write_idx(tmp_path / (stem + suffix), arrays[key])
    return tmp_path, arrays


def test_mnist_reads_idx_files_from_a_folder(mnist_folder):
    folder, arrays = mnist_folder
    task = load_task("mnist", path=str(folder))
    assert task.X_train.shape == (30, 784) and task.image_shape == (28, 28)
    np.testing.assert_allclose(task.X_train[0], arrays["X_train"][0].ravel() / 255.0)
    np.testing.assert_array_equal(task.y_test, arrays["y_test"])
    subset = load_task("mnist", path=str(folder), n_train=10, n_test=10)
    assert len(subset.X_train) == 10 and len(subset.y_test) == 10


def test_mnist_folder_from_environment(mnist_folder, monkeypatch):
    folder, _ = mnist_folder
    monkeypatch.setenv(MNIST_ENV, str(folder))
    assert load_task("mnist").X_test.shape == (20, 784)


def test_mnist_missing_files_say_which_and_where(tmp_path, monkeypatch):
    monkeypatch.delenv(MNIST_ENV, raising=False)
    with pytest.raises(ValueError, match=f"{MNIST_ENV}.*train-images-idx3-ubyte"):
        load_task("mnist")
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"")
    with pytest.raises(ValueError, match="missing in .*t10k-labels-idx1-ubyte"):
        load_task("mnist", path=str(tmp_path))


def test_mnist_corrupt_file_is_a_clear_error(mnist_folder):
    folder, _ = mnist_folder
    (folder / MNIST_FILES["y_train"]).write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x1e\x01")
    with pytest.raises(ValueError, match="truncated"):
        load_task("mnist", path=str(folder))
