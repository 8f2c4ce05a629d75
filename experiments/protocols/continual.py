"""Continual (class-incremental) learning: two phases of disjoint classes, no replay.

The protocol, the same for every estimator (driven through ``partial_fit`` only; no branch on
the model family):

1. The task's classes are split in two halves by label (:func:`split_classes`): on ``digits``
   phase 1 has the classes 0-4 ("old"), phase 2 the classes 5-9 ("new").
2. A fresh, unfitted copy of the job's model (same parameters and seed) is trained on the phase-1
   training rows, then on the phase-2 training rows, with :meth:`partial_fit` continuing from
   its current state; the first call lists every class (``classes=``) so that a network can
   have an output for classes it has not seen yet. No row of phase 1 is shown again in phase 2
   (no replay, for learning or for naming). Each phase makes as many passes as the model's own
   ``fit`` makes over its data (:func:`passes_per_phase`): ``epochs`` calls of the ANN's
   one-epoch ``partial_fit``, ``epochs`` STDP passes of the spiking network, one warm-started
   k-means clustering.
3. How each family uses the labels is the model's own ``partial_fit``: backprop trains on them;
   the spiking network and k-means name their units from per-class mean responses recorded on
   the call that saw each class (the spiking network's responses come from a frozen pass over
   that call's labelled rows right after its STDP pass, or from the responses recorded while
   learning with ``assign_from="learning"``). After phase 2 the old classes' record is the one
   made in phase 1: a read-out that has not seen an old image since, like the ANN's output
   layer. (:meth:`neurosim.STDPClassifier.partial_fit`,
   :meth:`experiments.models.baselines.KMeansVoteClassifier.partial_fit`,
   :meth:`ann.MLPClassifier.partial_fit`.)
4. After each phase the model predicts the test rows: after phase 1 only the test rows of the
   phase-1 classes (``eval_classes = "old"``; the model has seen no other class, so ``new`` and
   ``all`` are not reported); after phase 2 the whole test set, scored on the old classes' rows,
   the new classes' rows and all rows. Every prediction counts, ``-1`` (no answer) as wrong, and
   all ten classes can be predicted at any time (nothing is masked).
5. Phase 0 rows hold the job's own model, trained on every class at once by ``fit``, scored the
   same way: the non-continual reference.

**Forgetting** is the drop of the old classes' accuracy from the end of phase 1 to the end of
phase 2 (:func:`forgetting`), one value per seed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["EVAL_CLASSES", "JOINT_PHASE", "PHASES", "COLUMNS", "split_classes",
           "passes_per_phase", "continual_learning", "forgetting"]

#: The training phases; phase 0 is the jointly trained reference.
PHASES = (1, 2)
JOINT_PHASE = 0
#: Which test rows an accuracy is measured on: the phase-1 classes, the phase-2 classes, all.
EVAL_CLASSES = ("old", "new", "all")
#: Columns of ``continual.csv`` after the job's id columns.
COLUMNS = ("phase", "eval_classes", "accuracy")


def split_classes(classes: Any) -> tuple[np.ndarray, np.ndarray]:
    """The phase-1 ("old") and phase-2 ("new") classes: the lower and upper half by label.

    Parameters
    ----------
    classes : array-like of int
        The task's classes (at least two).

    Returns
    -------
    (old, new) : ndarray, ndarray
        ``old`` holds the ``n // 2`` smallest labels, ``new`` the rest (0-4 and 5-9 for ten).
    """
    c = np.unique(np.asarray(classes))
    if c.ndim != 1 or c.size < 2:
        raise ValueError(f"classes must hold at least 2 distinct labels, got {c.tolist()}")
    half = c.size // 2
    return c[:half], c[half:]


def passes_per_phase(model: Any) -> int:
    """``partial_fit`` calls per phase: the model's ``epochs`` parameter (at least 1, so that a
    model with learning off still names its units), or 1 for a model without one."""
    epochs = model.get_params(deep=False).get("epochs")
    if isinstance(epochs, (int, np.integer)) and not isinstance(epochs, bool):
        return max(1, int(epochs))
    return 1


def _scores(pred: np.ndarray, y: np.ndarray, old: np.ndarray, new: np.ndarray
            ) -> dict[str, float]:
    right = pred == y
    return {"old": float(right[np.isin(y, old)].mean()),
            "new": float(right[np.isin(y, new)].mean()), "all": float(right.mean())}


def continual_learning(make_model: Callable[[], Any], X_train: np.ndarray, y_train: np.ndarray,
                       X_test: np.ndarray, y_test: np.ndarray, *,
                       joint_pred: np.ndarray | None = None) -> list[dict[str, Any]]:
    """Run the two-phase protocol of the module docstring on a fresh model.

    Parameters
    ----------
    make_model : callable
        Returns a fresh, unfitted estimator with ``partial_fit(X, y, classes=...)`` and
        ``predict``.
    X_train, y_train, X_test, y_test : ndarray
        The task's split (not modified).
    joint_pred : ndarray, optional
        The jointly trained model's predictions on ``X_test``: adds the phase-0 rows.

    Returns
    -------
    list of dict
        ``phase``, ``eval_classes``, ``accuracy`` rows: phase 0 (when ``joint_pred`` is given)
        ``old``/``new``/``all``; phase 1 ``old``; phase 2 ``old``/``new``/``all``.
    """
    if not callable(make_model):
        raise TypeError(f"make_model must be a callable returning an estimator, got "
                        f"{type(make_model).__name__}")
    X_train, X_test = np.asarray(X_train), np.asarray(X_test)
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if len(X_train) != len(y_train) or len(X_test) != len(y_test):
        raise ValueError("X_train/y_train and X_test/y_test must pair one label per row")
    classes = np.unique(y_train)
    old, new = split_classes(classes)
    if not (np.isin(y_test, old).any() and np.isin(y_test, new).any()):
        raise ValueError("the test set needs rows of both halves of the classes")
    rows: list[dict[str, Any]] = []
    if joint_pred is not None:
        joint_pred = np.asarray(joint_pred)
        if joint_pred.shape != y_test.shape:
            raise ValueError(f"joint_pred must have shape {y_test.shape}, got "
                             f"{joint_pred.shape}")
        rows += [{"phase": JOINT_PHASE, "eval_classes": k, "accuracy": v}
                 for k, v in _scores(joint_pred, y_test, old, new).items()]
    model = make_model()
    if not hasattr(model, "partial_fit"):
        raise TypeError(f"{type(model).__name__} has no partial_fit; continual learning needs "
                        "a model that can continue training")
    passes = passes_per_phase(model)
    test_old = np.isin(y_test, old)
    for phase, phase_classes in zip(PHASES, (old, new), strict=True):
        rows_here = np.isin(y_train, phase_classes)
        for _ in range(passes):
            model.partial_fit(X_train[rows_here], y_train[rows_here], classes=classes)
        if phase == PHASES[0]:
            pred = np.asarray(model.predict(X_test[test_old]))
            rows.append({"phase": phase, "eval_classes": "old",
                         "accuracy": float(np.mean(pred == y_test[test_old]))})
        else:
            scores = _scores(np.asarray(model.predict(X_test)), y_test, old, new)
            rows += [{"phase": phase, "eval_classes": k, "accuracy": v}
                     for k, v in scores.items()]
    return rows


def forgetting(frame: pd.DataFrame) -> pd.DataFrame:
    """Forgetting per job: old-class accuracy after phase 1 minus after phase 2.

    Parameters
    ----------
    frame : DataFrame
        ``continual.csv`` (``task``, ``model``, ``size``, ``seed``, ``phase``,
        ``eval_classes``, ``accuracy``; other id columns are kept).

    Returns
    -------
    DataFrame
        One row per job: its id columns, ``old_after_1``, ``old_after_2``, ``new_after_2``,
        ``all_after_2``, ``all_joint`` (NaN without phase-0 rows) and ``forgetting``.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a DataFrame, got {type(frame).__name__}")
    need = {"task", "model", "size", "seed", "phase", "eval_classes", "accuracy"}
    if frame.empty or not need <= set(frame.columns):
        return pd.DataFrame()
    ids = [c for c in ("task", "model", "kind", "family", "size", "seed") if c in frame]
    cell = {"old_after_1": (1, "old"), "old_after_2": (2, "old"), "new_after_2": (2, "new"),
            "all_after_2": (2, "all"), "all_joint": (JOINT_PHASE, "all")}
    out = frame[ids].drop_duplicates().reset_index(drop=True)
    for name, (phase, which) in cell.items():
        part = frame[(frame["phase"] == phase) & (frame["eval_classes"] == which)]
        part = part[ids + ["accuracy"]].rename(columns={"accuracy": name})
        out = out.merge(part, on=ids, how="left")
    out["forgetting"] = out["old_after_1"] - out["old_after_2"]
    return out
