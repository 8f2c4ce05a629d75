"""Save and load fitted estimators as one ``.npz`` file, without pickle.

Layout: one array per network parameter (``param.<layer>.<name>``), ``classes``, and
``__meta__``, a JSON string holding the class name, the hyper-parameters, the fitted shapes, the
training history and a SHA-256 checksum of every array. The file is written to a temporary file
in the target directory and renamed over ``path`` (atomic). :func:`load` rebuilds the estimator
and raises ``ValueError`` naming the problem when the file is corrupted or does not match.
The optimiser's state (e.g. Adam moments) is not saved: ``partial_fit`` on a loaded model
continues from the saved weights with a fresh optimiser.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ann.base import check_is_fitted
from contract import savable_classes

__all__ = ["save", "load", "register", "FORMAT", "FORMAT_VERSION"]

FORMAT = "ann.estimator"
FORMAT_VERSION = 1
_META = "__meta__"


#: The estimator classes :func:`load` can rebuild, by class name (filled by :func:`register`).
_REGISTRY: dict[str, type] = {}


def register(cls: type) -> type:
    """Class decorator: let :func:`save`/:func:`load` handle ``cls`` (an estimator over a
    ``network_``). The estimator modules register themselves; this module imports none of them."""
    _REGISTRY[cls.__name__] = cls
    return cls


def _estimator_classes() -> dict[str, type]:
    return dict(_REGISTRY)


def _digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _jsonable(name, value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, tuple):
        return [_jsonable(name, v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str, list)):
        return value
    raise ValueError(
        f"hyper-parameter {name}={value!r} cannot be saved as JSON; use an int random_state "
        "(or None) and plain numbers/strings"
    )


def save(model, path) -> None:
    """Write a fitted estimator to ``path`` (one ``.npz``, ``allow_pickle=False`` readable).

    Parameters
    ----------
    model : MLPClassifier, CNNClassifier or RNNClassifier
        Fitted.
    path : str or os.PathLike
        Written as given (no suffix added); the parent directory must exist.
    """
    check_is_fitted(model)
    if type(model).__name__ not in _estimator_classes():
        raise TypeError(f"model must be an ann estimator, got {type(model).__name__}")
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"directory {path.parent} does not exist; create it first")
    arrays = {f"param.{k}": np.array(v) for k, v in model.network_.params.items()}
    arrays["classes"] = savable_classes(model.classes_)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "class": type(model).__name__,
        "params": {k: _jsonable(k, v) for k, v in model.get_params().items()},
        "n_features_in": int(model.n_features_in_),
        "history": model.history_,
        "n_samples_seen": int(model.n_samples_seen_),
        "train_samples": int(model.train_samples_),
        "labels_used": int(model.labels_used_),
        "wall_s": float(model._wall_s),
        "checksums": {k: _digest(v) for k, v in arrays.items()},
    }
    arrays[_META] = np.array(json.dumps(meta))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _bad(path, why):
    return ValueError(f"{path} is not a valid ann model file: {why}")


def load(path):
    """Load an estimator written by :func:`save`; it predicts exactly as the saved one did.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        The file is corrupted, not an ann model, or its arrays do not match its metadata.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise _bad(path, f"cannot read it as .npz ({type(err).__name__}: {err})") from err
    if _META not in arrays:
        raise _bad(path, "no __meta__ entry (was it written by model.save?)")
    try:
        meta = json.loads(str(arrays.pop(_META)))
    except json.JSONDecodeError as err:
        raise _bad(path, f"metadata is not JSON ({err})") from err
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _bad(path, f"format is {meta.get('format') if isinstance(meta, dict) else None!r}, "
                         f"expected {FORMAT!r}")
    if meta.get("format_version") != FORMAT_VERSION:
        raise _bad(path, f"format_version {meta.get('format_version')!r} is not supported "
                         f"(this version reads {FORMAT_VERSION})")
    classes = _estimator_classes()
    if meta.get("class") not in classes:
        raise _bad(path, f"unknown estimator class {meta.get('class')!r}")
    checksums = meta.get("checksums", {})
    if set(checksums) != set(arrays):
        raise _bad(path, f"arrays {sorted(arrays)} do not match the metadata {sorted(checksums)}")
    for key, arr in arrays.items():
        if _digest(arr) != checksums[key]:
            raise _bad(path, f"array {key!r} fails its checksum (the file is corrupted)")
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in meta["params"].items()}
    try:
        model = classes[meta["class"]](**params)
        model._check_params()
    except (TypeError, ValueError) as err:
        raise _bad(path, f"hyper-parameters do not fit {meta['class']} ({err})") from err
    model._initialize(meta["n_features_in"], arrays.pop("classes"), np.random.default_rng(0))
    net_params = model.network_.params
    expected = {f"param.{k}" for k in net_params}
    if expected != set(arrays):
        raise _bad(path, f"parameters {sorted(arrays)} do not match the network "
                         f"{sorted(expected)}")
    for k, p in net_params.items():
        a = arrays[f"param.{k}"]
        if a.shape != p.shape or a.dtype != p.dtype:
            raise _bad(path, f"parameter {k!r} has {a.dtype} {a.shape}, the network needs "
                             f"{p.dtype} {p.shape}")
        p[...] = a
    model.history_ = list(meta["history"])
    model.n_samples_seen_ = meta["n_samples_seen"]
    model.train_samples_ = meta["train_samples"]
    model.labels_used_ = meta["labels_used"]
    model._wall_s = meta["wall_s"]
    model._rng = np.random.default_rng(model.random_state)
    return model
