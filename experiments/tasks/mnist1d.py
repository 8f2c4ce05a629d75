"""MNIST-1D (Greydanus & Kobak, "Scaling down deep learning with MNIST-1D", ICML 2024).

Ten 1-D digit templates of 12 points, each randomly padded, translated, scaled, sheared, blurred by
correlated noise and resampled to 40 points; 5,000 sequences, of which the package's split puts
the first 4,000 in training and the last 1,000 in test. The standard set is the package's
default generation, ``mnist1d.data.make_dataset(mnist1d.data.get_dataset_args())`` (its own seed
42), regenerated offline (no download) in about a second. The published accuracies (the
package's README) are: logistic regression 32 %, MLP 68 %, CNN 94 %, GRU 91 %, human 96 %; on
the shuffled sequences 32 / 68 / 56 / 57 %.

Tasks
-----
``mnist1d``
    The sequences as generated.
``mnist1d_shuffled``
    The same samples with one fixed permutation of the 40 positions applied to every sample:
    ``numpy.random.default_rng(SHUFFLE_SEED).permutation(40)`` with ``SHUFFLE_SEED = 0``
    (:data:`PERMUTATION`). The package's own ``shuffle_seq`` draws its permutation from the
    global NumPy state instead; ours is an equally arbitrary fixed permutation that does not
    depend on the generation order. The package's standardisation uses the global mean and
    standard deviation, which do not change under a permutation of positions, so sample ``i``
    of the shuffled task is exactly ``plain[i][..., PERMUTATION]``.

``load_task``'s ``seed`` does not change the arrays: the benchmark is one fixed data set (the
paper's); the knob ``data_seed`` (default 42, the package's) draws another set of the same kind.

Input encoding (knob ``encoding``)
----------------------------------
The generated values are signed and standardised (mean 0, standard deviation 1, range about
-5.5..4.5), but every task's ``X`` is in ``[0, 1]``: the spiking network's Poisson encoding
(:func:`neurosim.encoding.poisson_rates_hz`) maps an intensity to a non-negative rate and
rejects anything outside ``[0, 1]``. Two encodings:

``"onoff"`` (default)
    Positive and negative parts as two channels, ``on = max(x, 0) / s`` and
    ``off = max(-x, 0) / s`` with ``s`` the training set's largest ``|x|`` (test values
    clipped), interleaved per position (``[on_0, off_0, on_1, off_1, ...]``); 80 features,
    ``image_shape = (40, 2)``. Zero signal sends no spikes at all, like ON and OFF retinal
    ganglion cells. Lossless: ``x = s * (on - off)``; a ReLU network can represent every
    function of ``x`` from it.
``"affine"``
    ``(x - lo) / (hi - lo)`` with ``lo``/``hi`` the training set's minimum and maximum, test
    values clipped to ``[0, 1]``; 40 features, ``image_shape = (40, 1)``. Every position of
    every sample sits near the background ``0.55`` (a zero signal sends ``0.55 * max_rate``), so
    the informative part is a small modulation on a large common drive.

Choice on validation (``python benchmarks/tune_mnist1d.py encoding``: a stratified 80/20
split of the 4,000 training sequences, seed 0, 3,200 fit / 800 validation; the test split
untouched), recorded in :data:`ENCODING_VALIDATION`:

============================================================  ======  =====
model (validation accuracy; chance 0.10)                      affine  onoff
============================================================  ======  =====
``neurosim.STDPClassifier(n_excitatory=100, epochs=1)``       0.003   0.210
``MLPClassifier((100, 100), lr 1e-2, 50 epochs, batch 100)``  0.414   0.662
============================================================  ======  =====

The spiking network learns nothing useful from the affine code (its neurons all see the same
strong background drive; 0.003 is below chance), and the MLP underfits it (the uncentred
inputs condition the first layer badly; with the raw standardised values it reaches 0.645 on
the same split). On/off is the default for both families.

Measured (``python benchmarks/tune_mnist1d.py test --seeds 0 1 2``; settings chosen on the
validation split only, the same for both variants: logistic regression ``MLPClassifier(())``
lr 1e-2, 100 epochs; MLP 100-100 ReLU lr 1e-2, weight decay 1e-3, 150 epochs; CNN three
25-channel convolutions (kernels ``(5, c), (5, 1), (5, 1)``, padding ``(2, 0)``) each with
``(2, 1)`` pooling, lr 1e-2, 60 epochs; GRU 64 units,
lr 1e-2, ``clip_norm=1``, 40 epochs; Adam, batch 100), test accuracy, mean of seeds 0-2:

========  =====================  =====================  ===========================
model     paper plain/shuffled   on/off plain/shuffled  raw signed plain/shuffled
========  =====================  =====================  ===========================
logistic  0.32 / 0.32            0.382 / 0.380          0.312 / 0.311
MLP       0.68 / 0.68            0.720 / 0.719          0.704 / 0.688
CNN       0.94 / 0.56            0.956 / 0.603          0.954 / 0.554
GRU       0.91 / 0.57            0.966 / 0.564          0.963 / 0.540
========  =====================  =====================  ===========================

On/off features are piecewise linear in the signal, so "logistic regression" on them is no
longer linear in ``x`` (0.38 vs 0.31 on the raw values, the paper's 0.32).

Layout: ``image_shape`` is ``(40, 1)`` or ``(40, 2)``, the sequence as one column (one row per
position). The runner hands the task's ``image_shape`` to a CNN as ``image_shape`` and to an
RNN as ``sequence_shape``: with ``(40, c)`` the RNN reads one point (one on/off pair) per step,
and a CNN reads a 40-row, ``c``-column image: kernels ``(k, 1)`` with padding ``(k // 2, 0)``
and pooling ``(2, 1)`` convolve along the sequence (a 1-D convolution; the transposed view of
a ``1 x 40`` image). For a multi-layer CNN over the on/off channels as channels,
``benchmarks/tune_mnist1d.py`` reorders the features channel-major (``channel_major``), so the
CNN reads ``c`` channels of a ``(40, 1)`` image. Row-major flattening keeps the weight-field
drawings per position.
"""

from __future__ import annotations

import random

import numpy as np

__all__ = ["ENCODINGS", "SHUFFLE_SEED", "PERMUTATION", "PUBLISHED", "ENCODING_VALIDATION",
           "generate", "encode", "build", "image_shape"]

ENCODINGS = ("onoff", "affine")
SHUFFLE_SEED = 0
#: the fixed permutation of the 40 positions of ``mnist1d_shuffled``
PERMUTATION = np.random.default_rng(SHUFFLE_SEED).permutation(40)
PERMUTATION.setflags(write=False)

#: test accuracies of the package's README (Greydanus & Kobak 2024), plain and shuffled
PUBLISHED = {
    "logistic": (0.32, 0.32),
    "mlp": (0.68, 0.68),
    "cnn": (0.94, 0.56),
    "gru": (0.91, 0.57),
    "human": (0.96, None),
}

#: validation accuracies behind the default ``encoding`` (``tune_mnist1d.py encoding``)
ENCODING_VALIDATION = {
    "STDPClassifier(n_excitatory=100, epochs=1, random_state=0)": {"affine": 0.003,
                                                                    "onoff": 0.210},
    "MLPClassifier((100, 100), learning_rate=1e-2, epochs=50, batch_size=100)": {
        "affine": 0.414, "onoff": 0.662},
}

_CACHE: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}


def generate(data_seed: int = 42):
    """The package's raw split ``(X_train, y_train, X_test, y_test)``: signed float64 sequences
    ``(4000, 40)``/``(1000, 40)`` and int64 labels, generated offline.

    ``mnist1d`` seeds Python's and NumPy's global random state; both are saved before and
    restored after the call, so the caller's random streams are untouched. Results are cached
    per ``data_seed`` (read-only arrays).
    """
    cached = _CACHE.get(data_seed)
    if cached is not None:
        return cached
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("the mnist1d tasks need the 'mnist1d' package: pip install mnist1d"
                          ) from err
    args = get_dataset_args()
    args.seed = int(data_seed)
    # the package seeds the legacy global generators: save them, and restore them afterwards
    py_state, np_state = random.getstate(), np.random.get_state()  # noqa: NPY002
    try:
        data = make_dataset(args)
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)  # noqa: NPY002
    out = []
    for key, dtype in (("x", np.float64), ("y", np.int64), ("x_test", np.float64),
                       ("y_test", np.int64)):
        a = np.ascontiguousarray(data[key], dtype=dtype)
        a.setflags(write=False)
        out.append(a)
    _CACHE[data_seed] = tuple(out)
    return _CACHE[data_seed]


def encode(X_train, X_test, encoding):
    """Map signed sequences to ``[0, 1]`` features (statistics from ``X_train`` only)."""
    if encoding == "affine":
        lo, hi = float(X_train.min()), float(X_train.max())
        return tuple(np.clip((X - lo) / (hi - lo), 0.0, 1.0) for X in (X_train, X_test))
    if encoding == "onoff":
        s = float(np.abs(X_train).max())
        out = []
        for X in (X_train, X_test):
            pair = np.empty((X.shape[0], X.shape[1], 2))
            pair[:, :, 0] = np.clip(X / s, 0.0, 1.0)
            pair[:, :, 1] = np.clip(-X / s, 0.0, 1.0)
            out.append(pair.reshape(X.shape[0], -1))
        return tuple(out)
    raise ValueError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")


def image_shape(encoding) -> tuple[int, int]:
    """``(40, 1)`` for ``"affine"``, ``(40, 2)`` for ``"onoff"``."""
    return (40, 2) if encoding == "onoff" else (40, 1)


def build(rng, encoding, data_seed, *, shuffled=False):
    """The four arrays of ``mnist1d``/``mnist1d_shuffled`` (``rng`` is unused: the set is
    fixed by ``data_seed``)."""
    del rng
    X_train, y_train, X_test, y_test = generate(data_seed)
    if shuffled:
        X_train, X_test = X_train[:, PERMUTATION], X_test[:, PERMUTATION]
    X_train, X_test = encode(X_train, X_test, encoding)
    return X_train, y_train.copy(), X_test, y_test.copy()


def build_plain(rng, encoding, data_seed):
    return build(rng, encoding, data_seed, shuffled=False)


def build_shuffled(rng, encoding, data_seed):
    return build(rng, encoding, data_seed, shuffled=True)
