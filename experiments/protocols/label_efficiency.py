"""Label efficiency: accuracy when only ``k`` labels per class are available.

Every model is measured through the same protocol (:func:`label_efficiency`); the runner calls it
after a job's own fit when the config asks for label budgets.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["label_efficiency", "MAX_EPOCHS_FEW_LABELS"]

#: Most epochs a model trained on few labels gets (see :func:`label_efficiency`).
MAX_EPOCHS_FEW_LABELS = 2000


def _label_subset(y: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of ``k`` random training samples per class (``k == 0``: all)."""
    if k == 0:
        return np.arange(len(y))
    idx = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        idx.append(rng.choice(members, size=min(k, len(members)), replace=False))
    return np.sort(np.concatenate(idx))


def label_efficiency(model: Any, task: Any, rebuild: Callable[[dict[str, Any]], Any], *, seed: int,
                     labels_per_class: Sequence[int], accuracy_all: float
                     ) -> list[dict[str, Any]]:
    """Accuracy when only ``k`` labels per class are available.

    A model with ``relabel`` keeps what it learned from every training image without labels
    (STDP, k-means) and fits only its read-out to the ``k`` labelled images
    (``relabel(X_train, y_train, labelled=mask)``); any other model is trained from scratch on
    the ``k`` labelled images, for as many sample presentations as its
    full run used (epochs scaled up, at most :data:`MAX_EPOCHS_FEW_LABELS`), so that small sets
    are not under-trained. ``k == 0`` ("all labels") is the job's own accuracy.

    Parameters
    ----------
    model : estimator
        The job's fitted model.
    task : Task
        The job's task (``X_train``, ``y_train``, ``X_test``, ``y_test``).
    rebuild : callable
        ``rebuild(extra)`` returns a new unfitted estimator of the job with the parameters in
        ``extra`` changed (epochs, batch size).
    seed : int
        The job's seed (the labelled subsets are drawn from ``default_rng([seed, 7])``).
    labels_per_class : sequence of int
        The budgets ``k`` (0 = all labels).
    accuracy_all : float
        The job's own test accuracy, reported for ``k == 0``.

    Returns
    -------
    list of dict
        One ``{"labels_per_class", "labels_used", "accuracy"}`` per budget.
    """
    rng = np.random.default_rng([seed, 7])
    X_train, y_train, X_test, y_test = task.X_train, task.y_train, task.X_test, task.y_test
    points = []
    for k in labels_per_class:
        idx = _label_subset(y_train, k, rng)
        if k == 0:
            acc = accuracy_all
        else:
            mask = np.zeros(len(y_train), dtype=bool)
            mask[idx] = True
            if hasattr(model, "relabel"):
                few = model.relabel(X_train, y_train, labelled=mask)
            else:
                epochs = model.get_params(deep=False).get("epochs")
                extra = {}
                if isinstance(epochs, int) and epochs > 0:
                    extra["epochs"] = int(min(MAX_EPOCHS_FEW_LABELS,
                                              math.ceil(epochs * len(y_train) / len(idx))))
                batch = model.get_params(deep=False).get("batch_size")
                if isinstance(batch, int):
                    extra["batch_size"] = min(batch, len(idx))
                few = rebuild(extra).fit(X_train[idx], y_train[idx])
            acc = float(np.mean(few.predict(X_test) == y_test))
        points.append({"labels_per_class": k, "labels_used": len(idx), "accuracy": acc})
    return points
