"""Input checks shared by the estimators; every error names the argument and the fix."""

from __future__ import annotations

import numpy as np

__all__ = ["check_array", "check_labels", "check_consistent_length"]


def check_array(X, *, name: str = "X", ndims=(2,), dtype=np.float64) -> np.ndarray:
    """Validate a feature array and return it as ``dtype`` (a copy only when needed).

    Raises ``TypeError`` for non-numeric data, ``ValueError`` for the wrong dimensionality,
    an empty array, or NaN/inf values.
    """
    if X is None:
        raise TypeError(f"{name} must be an array of numbers, got None")
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError) as err:  # ragged lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from err
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                   or arr.dtype == np.bool_):
        raise TypeError(
            f"{name} must contain numbers, got dtype {arr.dtype}; convert it with "
            f"np.asarray({name}, dtype=float)"
        )
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if arr.ndim not in ndims:
        want = " or ".join(f"{d}-D" for d in ndims)
        hint = (f"; use {name}.reshape(1, -1) for a single sample" if arr.ndim == 1
                else f"; flatten it with {name}.reshape(len({name}), -1)")
        raise ValueError(f"{name} must be {want}, got shape {arr.shape}{hint}")
    if arr.shape[0] == 0 or arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); pass at least one sample with "
                         "at least one feature")
    arr = arr.astype(dtype, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity; remove or impute those values "
                         "before fitting")
    return arr


def check_labels(y, *, name: str = "y") -> np.ndarray:
    """Validate class labels: a 1-D array of integers (floats must be whole numbers)."""
    if y is None:
        raise TypeError(f"{name} must be a 1-D array of integer class labels, got None")
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}; use {name}.ravel()")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of integer class labels, got shape "
                         f"{arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; pass one integer label per sample")
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64, copy=False)
    if np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all() or not np.all(arr == np.round(arr)):
            raise TypeError(
                f"{name} must contain integer class labels, got non-integer values (e.g. "
                f"{arr[arr != np.round(arr)][:1] if np.isfinite(arr).all() else 'NaN/inf'}); "
                "this is a classifier: map your targets to integers 0..n_classes-1"
            )
        return arr.astype(np.int64)
    raise TypeError(
        f"{name} must contain integer class labels, got dtype {arr.dtype}; encode them as "
        "integers, e.g. with np.unique(y, return_inverse=True)[1]"
    )


def check_consistent_length(X, y, *, names=("X", "y")) -> None:
    """Raise ``ValueError`` unless ``len(X) == len(y)``."""
    if len(X) != len(y):
        raise ValueError(
            f"{names[0]} and {names[1]} have different lengths ({len(X)} vs {len(y)}); "
            f"pass one label per row of {names[0]}"
        )
