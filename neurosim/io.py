"""Save and load a fitted :class:`~neurosim.classifier.STDPClassifier` (or its subclass
:class:`~neurosim.rstdp.RSTDPClassifier`) as one ``.npz`` file.

The file holds the learned arrays (``weights_``, ``theta_mV_``, ``assignments_``,
``classes_``, and the linear read-out when used) plus two JSON texts: ``params_json`` (the
hyper-parameters, i.e. :meth:`get_params`) and ``meta_json`` (seed, counts, history). It is
written to a temporary file in the target directory and renamed (atomic), and read with
``allow_pickle=False``. A loaded model re-uses the cached compiled network and, with the stored
seed, predicts exactly as the saved one did. ``format_json`` names the class
(``"neurosim.STDPClassifier"`` or ``"neurosim.RSTDPClassifier"``); :func:`load` rebuilds that
one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from contract import savable_classes

__all__ = ["save_classifier", "load", "FORMAT_VERSION"]

#: Bumped when the file layout changes.
FORMAT_VERSION = 2


#: The classes a file may hold, by their ``format_json`` kind (filled by :func:`register`).
_REGISTRY: dict[str, type] = {}


def register(cls: type) -> type:
    """Class decorator: let :func:`save_classifier`/:func:`load` handle ``cls`` under the kind
    ``neurosim.<class name>``. The estimator modules register themselves; this module imports
    none of them."""
    _REGISTRY[f"neurosim.{cls.__name__}"] = cls
    return cls


def _kinds() -> dict[str, type]:
    """The classes a file may hold, by their ``format_json`` kind."""
    return dict(_REGISTRY)


def _as_path(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    return Path(path)


def save_classifier(model: Any, path: Any) -> None:
    """Write a fitted ``STDPClassifier`` to ``path`` (one ``.npz``, written atomically).

    Parameters
    ----------
    model : STDPClassifier
        A fitted model.
    path : str or PathLike
        Target file; its directory must exist. The name is used as given (no suffix added).
    """
    kinds = {cls: kind for kind, cls in _kinds().items()}
    if type(model) not in kinds:
        raise TypeError(f"model must be an STDPClassifier or RSTDPClassifier, got "
                        f"{type(model).__name__}")
    path = _as_path(path)
    if not path.parent.is_dir():
        raise ValueError(f"directory {path.parent} does not exist; create it first")
    state = model.fitted_state()
    payload = {k: savable_classes(v) if k == "classes_" else np.asarray(v)
               for k, v in state["arrays"].items()}
    payload["params_json"] = np.array(json.dumps(model.get_params(), sort_keys=True))
    payload["meta_json"] = np.array(json.dumps(state["meta"], sort_keys=True))
    payload["format_json"] = np.array(json.dumps({"kind": kinds[type(model)],
                                                  "version": FORMAT_VERSION}))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **payload)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load(path: Any) -> Any:
    """Read a model written by :meth:`STDPClassifier.save` (or ``RSTDPClassifier.save``).

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    STDPClassifier or RSTDPClassifier
        The class that was saved, fitted, with the saved hyper-parameters, learned arrays,
        seed and history.
    """
    kinds = _kinds()
    path = _as_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}")
    with np.load(path, allow_pickle=False) as data:
        files = set(data.files)
        for key in ("format_json", "params_json", "meta_json", "weights_", "theta_mV_",
                    "assignments_", "classes_"):
            if key not in files:
                raise ValueError(f"{path} is not a saved STDPClassifier (missing {key!r})")
        fmt = json.loads(str(data["format_json"]))
        if fmt.get("kind") not in kinds:
            raise ValueError(f"{path} holds a {fmt.get('kind')!r}, not one of {sorted(kinds)}")
        cls = kinds[fmt["kind"]]
        if fmt.get("version") != FORMAT_VERSION:
            raise ValueError(f"{path} has format version {fmt.get('version')}, this code reads "
                             f"{FORMAT_VERSION}; re-save it with a matching version")
        params = json.loads(str(data["params_json"]))
        meta = json.loads(str(data["meta_json"]))
        arrays = {k: np.array(data[k]) for k in files
                  if k not in ("format_json", "params_json", "meta_json")}
    try:
        model = cls.from_fitted_state(params, {"arrays": arrays, "meta": meta})
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path} does not hold a valid {cls.__name__}: {err}") from None
    return model
