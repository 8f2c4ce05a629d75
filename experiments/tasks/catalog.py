"""The shared toy tasks both models train on.

One public call, :func:`load_task`, returns a :class:`Task`: train/test arrays with ``X`` float64 in
``[0, 1]`` of shape ``(n_samples, n_features)`` and ``y`` int64 labels ``0..n_classes-1``. Every
task is deterministic for a given ``seed`` and every class is present in both splits.

>>> task = load_task("digits")
>>> task.X_train.shape, task.n_classes, task.image_shape
((1402, 64), 10, (8, 8))
"""

from __future__ import annotations

import gzip
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from experiments.tasks import mnist1d as _mnist1d

__all__ = ["Task", "load_task", "list_tasks", "task_knobs", "MNIST_FILES", "MNIST_ENV"]

MNIST_ENV = "BRAIN_VS_ANN_MNIST"
MNIST_FILES = {
    "X_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "X_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


@dataclass(frozen=True, eq=False)
class Task:
    """A classification task shared by the spiking network and the ANN.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"digits"``.
    X_train, X_test : ndarray of shape (n_samples, n_features), float64, values in [0, 1]
        Read-only. For images, ``n_features == prod(image_shape)`` in row-major order.
    y_train, y_test : ndarray of shape (n_samples,), int64, values in 0..n_classes-1
        Read-only.
    n_classes : int
    image_shape : tuple of int or None
        ``(height, width)`` when each sample is an image, else ``None``.
    description : str
        One line for listings and reports.
    knobs : dict
        The resolved knob values (defaults filled in) that produced the task, plus ``seed``.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    image_shape: tuple[int, int] | None
    description: str
    knobs: dict

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])

    def summary(self) -> str:
        """One line: name, sizes, classes, shape and description."""
        shape = "x".join(map(str, self.image_shape)) if self.image_shape else "vector"
        return (
            f"{self.name}: {len(self.X_train)} train / {len(self.X_test)} test, "
            f"{self.n_features} features ({shape}), {self.n_classes} classes - {self.description}"
        )


@dataclass(frozen=True)
class _Knob:
    default: object
    kind: type
    low: float
    high: float
    doc: str
    choices: tuple = ()

    def describe(self) -> str:
        if self.choices:
            return f"one of {list(self.choices)}, default {self.default!r} ({self.doc})"
        rng = f"{self.kind.__name__} in [{self.low}, {self.high}]"
        return f"{rng}, default {self.default!r} ({self.doc})"


@dataclass(frozen=True)
class _Spec:
    build: Callable[..., Task]
    description: str
    knobs: dict[str, _Knob]


# --------------------------------------------------------------------------------------------
# builders: each takes the resolved knobs and a numpy Generator and returns the four arrays.
# --------------------------------------------------------------------------------------------


def _stratified_split(X, y, test_fraction, rng):
    """Split so that each class keeps ``test_fraction`` of its samples (at least one) in test."""
    test_idx = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        idx = idx[rng.permutation(len(idx))]
        n_test = min(max(1, round(test_fraction * len(idx))), len(idx) - 1)
        test_idx.append(idx[:n_test])
    test = np.zeros(len(y), dtype=bool)
    test[np.concatenate(test_idx)] = True
    train_idx = np.flatnonzero(~test)
    test_idx = np.flatnonzero(test)
    train_idx = train_idx[rng.permutation(len(train_idx))]
    test_idx = test_idx[rng.permutation(len(test_idx))]
    return X[train_idx], y[train_idx], X[test_idx], y[test_idx]


def _balanced_labels(n_classes, n_per_class, rng):
    y = np.repeat(np.arange(n_classes), n_per_class)
    return y[rng.permutation(len(y))]


def _digits(rng, test_fraction):
    from sklearn.datasets import load_digits

    data = load_digits()
    X = data.data / 16.0  # pixel intensities 0..16 -> [0, 1]
    return _stratified_split(X, data.target, test_fraction, rng)


def _bar_images(labels, n, noise, rng):
    """Images of shape (len(labels), n*n): label c < n is horizontal row c, else column c - n."""
    images = np.zeros((len(labels), n, n))
    rows = labels < n
    images[np.flatnonzero(rows), labels[rows], :] = 1.0
    cols = ~rows
    images[np.flatnonzero(cols), :, labels[cols] - n] = 1.0
    if noise > 0:
        flip = rng.random(images.shape) < noise
        images = np.where(flip, 1.0 - images, images)
    return images.reshape(len(labels), n * n)


def _bars(rng, n, noise, n_train_per_class, n_test_per_class):
    y_train = _balanced_labels(2 * n, n_train_per_class, rng)
    y_test = _balanced_labels(2 * n, n_test_per_class, rng)
    return (
        _bar_images(y_train, n, noise, rng),
        y_train,
        _bar_images(y_test, n, noise, rng),
        y_test,
    )


def _patterns(rng, d, k, p, n_train_per_class, n_test_per_class):
    prototypes = (rng.random((k, d)) < 0.5).astype(float)

    def sample(labels):
        flip = rng.random((len(labels), d)) < p
        return np.where(flip, 1.0 - prototypes[labels], prototypes[labels])

    y_train = _balanced_labels(k, n_train_per_class, rng)
    y_test = _balanced_labels(k, n_test_per_class, rng)
    return sample(y_train), y_train, sample(y_test), y_test


def _moons(rng, n_samples, noise, test_fraction):
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=int(rng.integers(2**31)))
    X = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    return _stratified_split(X, y, test_fraction, rng)


def _read_idx(path: Path, expected_dims: int) -> np.ndarray:
    """Read one IDX file (optionally gzipped) of unsigned bytes; raise ValueError if malformed."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file (bad magic number)")
    ndim = raw[3]
    if ndim != expected_dims:
        raise ValueError(f"{path} has {ndim} dimensions, expected {expected_dims}")
    shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path} is truncated: header says {shape}, found {data.size} bytes")
    return data.reshape(shape)


def _find_mnist_file(folder: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx")):
        if (folder / name).is_file():
            return folder / name
    return None


def _mnist(rng, path, n_train, n_test):
    folder = path or os.environ.get(MNIST_ENV)
    if not folder:
        raise ValueError(
            "mnist needs the four IDX files on disk (there is no download): pass "
            f"load_task('mnist', path=FOLDER) or set {MNIST_ENV}=FOLDER, where FOLDER holds "
            + ", ".join(MNIST_FILES.values())
            + " (optionally .gz)"
        )
    folder = Path(folder).expanduser()
    found = {key: _find_mnist_file(folder, stem) for key, stem in MNIST_FILES.items()}
    missing = [MNIST_FILES[key] for key, p in found.items() if p is None]
    if missing:
        raise ValueError(
            f"mnist files missing in {folder}: put {', '.join(missing)} (optionally .gz) there, "
            f"or point path=/{MNIST_ENV} at the folder that has them"
        )
    X_train = _read_idx(found["X_train"], 3)
    y_train = _read_idx(found["y_train"], 1)
    X_test = _read_idx(found["X_test"], 3)
    y_test = _read_idx(found["y_test"], 1)
    if len(X_train) != len(y_train) or len(X_test) != len(y_test):
        raise ValueError(f"mnist files in {folder} disagree: image and label counts differ")

    def take(X, y, n):
        n = len(y) if n == 0 else min(n, len(y))
        X = X[:n].reshape(n, -1).astype(np.float64) / 255.0
        return X, y[:n].astype(np.int64)

    X_train, y_train = take(X_train, y_train, n_train)
    X_test, y_test = take(X_test, y_test, n_test)
    return X_train, y_train, X_test, y_test


_FRACTION = _Knob(0.22, float, 0.05, 0.5, "fraction of each class held out for test")
_MNIST1D_KNOBS = {
    "encoding": _Knob("onoff", str, 0, 0, "signed values to [0, 1]: 'onoff' positive/"
                      "negative channels (80 features) or 'affine' rescale (40)",
                      choices=_mnist1d.ENCODINGS),
    "data_seed": _Knob(42, int, 0, 2**31 - 1, "the mnist1d package's generation seed (42: "
                       "the published set)"),
}

_TASKS: dict[str, _Spec] = {
    "digits": _Spec(
        _digits,
        "scikit-learn's 8x8 handwritten digits (1,797 images, 10 classes), stratified split",
        {"test_fraction": _FRACTION},
    ),
    "bars": _Spec(
        _bars,
        "Foldiak's bars: one horizontal or vertical bar on an n x n grid (2n classes)",
        {
            "n": _Knob(8, int, 2, 64, "grid side; 2n classes"),
            "noise": _Knob(0.0, float, 0.0, 0.5, "probability that a pixel is flipped"),
            "n_train_per_class": _Knob(50, int, 1, 100_000, "training images per class"),
            "n_test_per_class": _Knob(20, int, 1, 100_000, "test images per class"),
        },
    ),
    "patterns": _Spec(
        _patterns,
        "k random binary prototypes of dimension d with bit-flip noise p",
        {
            "d": _Knob(64, int, 2, 100_000, "input dimension"),
            "k": _Knob(10, int, 2, 1_000, "number of prototypes (classes)"),
            "p": _Knob(0.1, float, 0.0, 0.5, "probability that a bit is flipped"),
            "n_train_per_class": _Knob(50, int, 1, 100_000, "training samples per class"),
            "n_test_per_class": _Knob(20, int, 1, 100_000, "test samples per class"),
        },
    ),
    "moons": _Spec(
        _moons,
        "scikit-learn's two interleaving moons in [0, 1]^2 (2 classes, non-linear)",
        {
            "n_samples": _Knob(1000, int, 10, 1_000_000, "total samples before the split"),
            "noise": _Knob(0.1, float, 0.0, 1.0, "Gaussian noise std (before rescaling)"),
            "test_fraction": _FRACTION,
        },
    ),
    "mnist": _Spec(
        _mnist,
        "MNIST 28x28 digits from local IDX files (path=... or $" + MNIST_ENV + ")",
        {
            "path": _Knob(None, str, 0, 0, "folder with the four IDX files"),
            "n_train": _Knob(0, int, 0, 60_000, "first n training images (0 = all)"),
            "n_test": _Knob(0, int, 0, 10_000, "first n test images (0 = all)"),
        },
    ),
    "mnist1d": _Spec(
        _mnist1d.build_plain,
        "MNIST-1D (Greydanus & Kobak 2024): 40-point 1-D digits, 4,000/1,000, 10 classes",
        _MNIST1D_KNOBS,
    ),
    "mnist1d_shuffled": _Spec(
        _mnist1d.build_shuffled,
        "MNIST-1D with one fixed permutation of the 40 positions (no spatial order left)",
        _MNIST1D_KNOBS,
    ),
}

_META = {
    "digits": (10, (8, 8)),
    "mnist": (10, (28, 28)),
    "moons": (2, None),
}


def list_tasks() -> dict[str, str]:
    """Return ``{name: one-line description}`` for every registered task."""
    return {name: spec.description for name, spec in _TASKS.items()}


def task_knobs(name: str) -> dict[str, str]:
    """Return ``{knob: 'type in [low, high], default ... (meaning)'}`` for task ``name``."""
    return {k: knob.describe() for k, knob in _spec(name).knobs.items()}


def _spec(name: str) -> _Spec:
    if not isinstance(name, str) or name not in _TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of: {', '.join(_TASKS)}")
    return _TASKS[name]


def _resolve_knobs(name: str, spec: _Spec, given: dict) -> dict:
    unknown = sorted(set(given) - set(spec.knobs))
    if unknown:
        valid = "; ".join(f"{k}: {v.describe()}" for k, v in spec.knobs.items())
        raise ValueError(f"task {name!r} has no knob {', '.join(unknown)}; valid knobs: {valid}")
    resolved = {}
    for key, knob in spec.knobs.items():
        value = given.get(key, knob.default)
        if knob.choices:
            if not isinstance(value, str) or value not in knob.choices:
                raise ValueError(f"knob {key!r} of task {name!r} is {value!r}; it must be "
                                 f"{knob.describe()}")
            resolved[key] = value
            continue
        if knob.kind is str:
            if value is not None and not isinstance(value, (str, os.PathLike)):
                raise TypeError(f"knob {key!r} of task {name!r} must be a path string")
            resolved[key] = None if value is None else str(value)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"knob {key!r} of task {name!r} must be {knob.describe()}")
        if not np.isfinite(value):
            raise ValueError(f"knob {key!r} of task {name!r} must be finite, got {value!r}")
        if knob.kind is int and float(value) != int(value):
            raise ValueError(f"knob {key!r} of task {name!r} must be an integer, got {value!r}")
        value = knob.kind(value)
        if not knob.low <= value <= knob.high:
            raise ValueError(
                f"knob {key!r} of task {name!r} is {value!r}; it must be {knob.describe()}"
            )
        resolved[key] = value
    return resolved


def _readonly(a: np.ndarray, dtype) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=dtype)
    a.setflags(write=False)
    return a


def load_task(name: str, *, seed: int = 0, **knobs) -> Task:
    """Build task ``name`` deterministically from ``seed``.

    Parameters
    ----------
    name : str
        One of :func:`list_tasks`: ``digits``, ``bars``, ``patterns``, ``moons``, ``mnist``,
        ``mnist1d``, ``mnist1d_shuffled`` (a fixed set: ``seed`` does not change it; see
        :mod:`experiments.tasks.mnist1d`).
    seed : int, default 0
        Seeds every random choice (split, noise, prototypes). Same seed, identical arrays.
    **knobs
        Task-specific settings; see :func:`task_knobs` (e.g. ``load_task("patterns", d=256)``).

    Raises
    ------
    ValueError
        Unknown task or knob, or a knob out of range (the message lists the valid choices).
    """
    spec = _spec(name)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    resolved = _resolve_knobs(name, spec, knobs)
    rng = np.random.default_rng(int(seed))
    X_train, y_train, X_test, y_test = spec.build(rng, **resolved)
    if name == "bars":
        n_classes, image_shape = 2 * resolved["n"], (resolved["n"], resolved["n"])
    elif name == "patterns":
        n_classes, image_shape = resolved["k"], None
    elif name in ("mnist1d", "mnist1d_shuffled"):
        n_classes, image_shape = 10, _mnist1d.image_shape(resolved["encoding"])
    else:
        n_classes, image_shape = _META[name]
    return Task(
        name=name,
        X_train=_readonly(X_train, np.float64),
        y_train=_readonly(y_train, np.int64),
        X_test=_readonly(X_test, np.float64),
        y_test=_readonly(y_test, np.int64),
        n_classes=int(n_classes),
        image_shape=image_shape,
        description=spec.description,
        knobs={**resolved, "seed": int(seed)},
    )
