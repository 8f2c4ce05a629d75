"""Read-outs that turn excitatory spike counts into class labels.

- :func:`assign_labels` + :func:`vote`: Diehl & Cook (2015). Each neuron is assigned the class
  for which its mean response is highest (labels are used *only* here); a sample is classified
  as the class whose assigned neurons respond most on average. Unsupervised learning of the
  weights, minimal supervision for the labelling.
- :func:`fit_linear_readout` + :func:`linear_predict`: a **supervised** ridge-regression
  read-out (least squares onto one-hot targets) on the spike counts. It uses every label, so its
  accuracy measures what the learned representation *can* support, not what STDP learned alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["assign_labels", "class_scores", "vote", "fit_linear_readout", "linear_predict",
           "no_answer_label", "encode_labels", "decode_labels", "labelled_mask"]


def _check_responses(responses: np.ndarray) -> np.ndarray:
    r = np.asarray(responses, dtype=np.float64)
    if r.ndim != 2:
        raise ValueError(f"responses must be 2-D (n_samples, n_neurons), got shape {r.shape}")
    if not np.all(np.isfinite(r)) or (r.size and r.min() < 0):
        raise ValueError("responses must be finite, non-negative spike counts")
    return r


def assign_labels(responses: np.ndarray, y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Assign each neuron the class with its highest mean response.

    Parameters
    ----------
    responses : ndarray (n_samples, n_neurons)
        Spike counts per sample and neuron.
    y : ndarray (n_samples,)
        Labels; ``-1`` marks unlabelled samples, which are ignored.
    classes : ndarray (n_classes,)
        The class labels, sorted.

    Returns
    -------
    ndarray (n_neurons,) of int64
        The assigned class label per neuron, ``-1`` for a neuron that never fired on a labelled
        sample (it then takes no part in :func:`vote`).
    """
    r = _check_responses(responses)
    y = np.asarray(y)
    if y.shape != (r.shape[0],):
        raise ValueError(f"y must have shape ({r.shape[0]},), got {y.shape}")
    classes = np.asarray(classes)
    means = np.zeros((len(classes), r.shape[1]))
    for c_idx, c in enumerate(classes):
        mask = y == c
        if mask.any():
            means[c_idx] = r[mask].mean(axis=0)
    best = np.argmax(means, axis=0)
    out = classes[best].astype(np.int64)
    out[means.max(axis=0) <= 0] = -1
    return out


def class_scores(responses: np.ndarray, assignments: np.ndarray,
                 classes: np.ndarray) -> np.ndarray:
    """Mean response of each class's assigned neurons, ``(n_samples, n_classes)``.

    Classes without any assigned neuron score ``-inf`` (never chosen unless all are).
    """
    r = _check_responses(responses)
    assignments = np.asarray(assignments)
    if assignments.shape != (r.shape[1],):
        raise ValueError(f"assignments must have shape ({r.shape[1]},), got "
                         f"{assignments.shape}")
    scores = np.full((r.shape[0], len(classes)), -np.inf)
    for c_idx, c in enumerate(classes):
        mask = assignments == c
        if mask.any():
            scores[:, c_idx] = r[:, mask].mean(axis=1)
    return scores


def vote(responses: np.ndarray, assignments: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Diehl & Cook's vote: the class whose assigned neurons respond most on average.

    A sample on which no assigned neuron fired has no answer: its label is ``-1`` (it counts
    as wrong, never as the first class). Other ties go to the first such class in ``classes``.

    Returns
    -------
    ndarray (n_samples,) of int64
        Predicted labels (values from ``classes``, or ``-1``).
    """
    classes = np.asarray(classes)
    scores = class_scores(responses, assignments, classes)
    out = classes[np.argmax(scores, axis=1)].astype(np.int64)
    out[~(scores > 0).any(axis=1)] = -1
    return out


def fit_linear_readout(responses: np.ndarray, y: np.ndarray, classes: np.ndarray, *,
                       alpha: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Supervised ridge read-out: least squares from spike counts to one-hot labels.

    Minimises ``||R W + b - Y||^2 + alpha ||W||^2`` (``Y`` one-hot, the intercept unpenalised)
    in closed form. Unlabelled samples (``y == -1``) are ignored.

    Parameters
    ----------
    responses : ndarray (n_samples, n_neurons)
    y : ndarray (n_samples,)
    classes : ndarray (n_classes,)
    alpha : float
        Ridge penalty, >= 0.

    Returns
    -------
    coef : ndarray (n_neurons, n_classes)
    intercept : ndarray (n_classes,)
    """
    r = _check_responses(responses)
    y = np.asarray(y)
    if y.shape != (r.shape[0],):
        raise ValueError(f"y must have shape ({r.shape[0]},), got {y.shape}")
    if not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
    mask = y != -1
    r, y = r[mask], y[mask]
    if len(y) == 0:
        raise ValueError("fit_linear_readout needs labelled samples (y != -1)")
    classes = np.asarray(classes)
    target = (y[:, None] == classes[None, :]).astype(np.float64)
    mu_r, mu_t = r.mean(axis=0), target.mean(axis=0)
    rc, tc = r - mu_r, target - mu_t
    gram = rc.T @ rc + alpha * np.eye(r.shape[1])
    coef = np.linalg.lstsq(gram, rc.T @ tc, rcond=None)[0]
    return coef, mu_t - mu_r @ coef


def linear_predict(responses: np.ndarray, coef: np.ndarray, intercept: np.ndarray,
                   classes: np.ndarray) -> np.ndarray:
    """Labels from the linear read-out: ``classes[argmax(R coef + intercept)]``."""
    r = _check_responses(responses)
    return np.asarray(classes)[np.argmax(r @ coef + intercept, axis=1)]


def no_answer_label(classes: np.ndarray) -> Any:
    """What a vote read-out returns for a sample no assigned neuron answered: ``-1`` when the
    classes are integers other than -1 (so it counts as wrong), else ``None``."""
    c = np.asarray(classes)
    return -1 if np.issubdtype(c.dtype, np.integer) and not (c == -1).any() else None


def encode_labels(y: np.ndarray, classes: np.ndarray, labelled: np.ndarray, *,
                  name: str = "y") -> np.ndarray:
    """Class indices into ``classes`` of the ``labelled`` rows of ``y``, ``-1`` elsewhere.

    Raises
    ------
    ValueError
        A labelled value that is not in ``classes`` (the message lists the first few).
    """
    y, classes = np.asarray(y), np.asarray(classes)
    out = np.full(len(y), -1, dtype=np.int64)
    if labelled.any():
        idx = np.clip(np.searchsorted(classes, y[labelled]), 0, len(classes) - 1)
        bad = classes[idx] != y[labelled]
        if bad.any():
            raise ValueError(f"{name} holds classes {np.unique(y[labelled][bad])[:5].tolist()} "
                             f"the model was not fitted on (classes_ = {classes.tolist()}); "
                             "fit it with them")
        out[labelled] = idx
    return out


def decode_labels(idx: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Labels from class indices; ``-1`` (no answer) becomes :func:`no_answer_label`."""
    idx, classes = np.asarray(idx), np.asarray(classes)
    answered = idx >= 0
    if answered.all():
        return classes[idx]
    missing = no_answer_label(classes)
    out = np.empty(idx.shape, dtype=classes.dtype if missing == -1 else object)
    out[answered] = classes[idx[answered]]
    out[~answered] = missing
    return out


def labelled_mask(labelled: Any, n: int) -> np.ndarray:
    """The rows whose label is used: ``labelled`` checked as a boolean ``(n,)`` array, or every
    row when it is ``None``."""
    if labelled is None:
        return np.ones(n, dtype=bool)
    mask = np.asarray(labelled)
    if mask.shape != (n,) or mask.dtype != bool:
        raise ValueError(f"labelled must be a boolean array of shape ({n},), True where y holds "
                         f"a label, got {mask.dtype} {mask.shape}")
    return mask
