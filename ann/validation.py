"""Input checks shared by the estimators; every error names the argument and the fix.

The messages also carry the phrases scikit-learn's ``check_estimator`` looks for (``"0
feature(s)"``, ``"Complex data not supported"``, ``"Unknown label type"``, ``"one class"``,
``"requires y to be passed"``), so a model here reads like any scikit-learn classifier.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_array", "check_labels", "check_consistent_length", "labelled_rows",
           "UNLABELLED", "UnknownLabelTypeError"]

#: The label of an unlabelled sample (scikit-learn's semi-supervised convention).
UNLABELLED = -1


class UnknownLabelTypeError(ValueError, TypeError):
    """``y`` holds values that are not class labels (continuous numbers, mixed objects)."""


def _as_numeric(X, name: str) -> np.ndarray:
    """``X`` as an ndarray of numbers; object arrays of numbers are converted."""
    if X is None:
        raise TypeError(f"{name} must be an array of numbers, got None")
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(f"{name} is a scipy sparse matrix, but these networks take dense "
                        f"input only; pass {name}.toarray()")
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError) as err:  # ragged lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from err
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported: {name} must be real, got dtype "
                         f"{arr.dtype}; pass {name}.real or np.abs({name})")
    if arr.dtype == object:
        try:
            return arr.astype(np.float64)
        except (ValueError, TypeError) as err:
            raise TypeError(f"{name} must contain numbers, got an object array ({err}); "
                            f"convert it with np.asarray({name}, dtype=float)") from err
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"{name} must contain numbers, got dtype {arr.dtype}; convert it with "
                        f"np.asarray({name}, dtype=float)")
    return arr


def check_array(X, *, name: str = "X", ndims=(2,), dtype=np.float64) -> np.ndarray:
    """Validate a feature array and return it as ``dtype`` (a copy only when needed).

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Dense numbers; object arrays of numbers are converted.
    name : str
        The argument's name, for the messages.
    ndims : tuple of int
        Allowed numbers of dimensions.
    dtype : numpy dtype

    Returns
    -------
    ndarray
        ``X`` itself when it already has ``dtype``; never modified in place.

    Raises
    ------
    TypeError
        Non-numeric data, or a scipy sparse matrix.
    ValueError
        Complex data, the wrong dimensionality, no samples or no features, NaN or infinity.
    """
    arr = _as_numeric(X, name)
    if arr.ndim not in ndims:
        want = " or ".join(f"{d}-D" for d in ndims)
        hint = (f". Reshape your data: {name}.reshape(1, -1) for a single sample, "
                f"{name}.reshape(-1, 1) for a single feature" if arr.ndim == 1
                else f". Reshape your data: flatten it with {name}.reshape(len({name}), -1)")
        raise ValueError(f"{name} must be {want}, got shape {arr.shape}{hint}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: 0 sample(s) (shape={arr.shape}) while a minimum of 1 "
                         "is required; pass at least one sample")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: 0 feature(s) (shape={arr.shape}) while a minimum of "
                         "1 is required; pass at least one feature")
    arr = arr.astype(dtype, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity; remove or impute those values "
                         "before fitting")
    return arr


def _unknown_label_type(name: str, detail: str) -> UnknownLabelTypeError:
    return UnknownLabelTypeError(
        f"Unknown label type: {name} must contain integer (or string) class labels, got "
        f"{detail}; this is a classifier: map your targets to classes 0..n_classes-1"
    )


def _labels_from_objects(arr: np.ndarray, name: str) -> np.ndarray:
    values = arr.tolist()
    if all(isinstance(v, str) for v in values):
        return np.asarray(values, dtype=str)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.int64)
    kinds = sorted({type(v).__name__ for v in values})
    raise _unknown_label_type(name, f"an object array of {', '.join(kinds)}")


def check_labels(y, *, name: str = "y") -> np.ndarray:
    """Validate class labels: a 1-D array of integers or strings.

    Whole-number floats become int64, object arrays of strings a str array. The integer
    :data:`UNLABELLED` (``-1``) is a legal value here; :func:`labelled_rows` sets such rows apart.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
    name : str
        The argument's name, for the messages.

    Returns
    -------
    ndarray of shape (n_samples,)
        int64 or str.

    Raises
    ------
    ValueError
        ``y`` is None, not 1-D, or empty.
    UnknownLabelTypeError
        (a ``ValueError`` and a ``TypeError``) non-integer numbers, NaN, or mixed objects.
    """
    if y is None:
        raise ValueError(f"{name} is None: this classifier requires y to be passed, but the "
                         "target y is None; pass one class label per sample (-1 for unlabelled)")
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}; use {name}.ravel()")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; pass one class label per sample")
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind in "US":
        return arr.astype(str, copy=False)
    if arr.dtype == object:
        return _labels_from_objects(arr, name)
    if np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all():
            raise _unknown_label_type(name, "NaN or infinity")
        if not np.all(arr == np.round(arr)):
            raise _unknown_label_type(
                name, f"non-integer values (e.g. {arr[arr != np.round(arr)][0]})")
        return arr.astype(np.int64)
    raise _unknown_label_type(name, f"dtype {arr.dtype}")


def labelled_rows(y: np.ndarray) -> np.ndarray:
    """Boolean mask of the rows of validated labels ``y`` that carry a label.

    Integer labels equal to :data:`UNLABELLED` (``-1``) mark unlabelled samples, as in
    scikit-learn's semi-supervised estimators; string labels are all labelled.
    """
    if y.dtype.kind in "iu":
        return y != UNLABELLED
    return np.ones(y.shape, dtype=bool)


def check_consistent_length(X, y, *, names=("X", "y")) -> None:
    """Raise ``ValueError`` unless ``len(X) == len(y)``."""
    if len(X) != len(y):
        raise ValueError(
            f"{names[0]} and {names[1]} have different lengths ({len(X)} vs {len(y)}); "
            f"pass one label per row of {names[0]}"
        )
