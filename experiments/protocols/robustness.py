"""Robustness: accuracy of a trained model under lesions, input noise and weight quantisation.

After training, every model of the run is scored on the test set under four perturbations,
each at a list of levels (``[robustness]`` in the config, defaults :data:`DEFAULT_LEVELS`):

- ``synapse_lesion`` (fraction 0 to 0.9 of the weights set to zero),
- ``neuron_lesion`` (fraction 0 to 0.9 of the hidden / excitatory units silenced),
- ``weight_bits`` (weights rounded to 8, 4, 2, 1 bits),

which are model operations: the estimator's ``perturbed(kind, level, random_state)`` returns a
perturbed fitted copy and says what it does for its family (nothing is retrained or re-named
afterwards); and

- ``input_noise`` (fraction 0 to 0.5 of each test image's pixels replaced by uniform noise in
  ``[0, 1]``), a data operation done here (:func:`noisy_inputs`).

Same draws wherever the structure allows: a lesion's generator is seeded by (seed,
perturbation, level) (:func:`perturbation_seed`), the same for every model of a seed, and every
family draws its lesion masks from it the same way (``rng.permutation(n)[:k]`` over the
``(n_features, n_units)`` input weights, or over the units), so a spiking network and k-means of
the same width lose the same synapses and units; the noisy images of a (seed, level) are the
same for every model. A perturbation a model cannot undergo (``NotImplementedError``, e.g. a
neuron lesion of a network without hidden units) or a model without ``perturbed`` is left out of
the table (input noise applies to every model).

Each curve is summarised by its area normalised by the level range (:func:`area_under_curve`):
the mean accuracy over the range, by the trapezoidal rule; ``weight_bits`` on a log2 axis
(1, 2, 4, 8 bits equally spaced).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PERTURBATIONS", "MODEL_PERTURBATIONS", "DEFAULT_LEVELS", "COLUMNS",
           "check_levels", "perturbation_seed", "noisy_inputs", "robustness_curves",
           "area_under_curve", "curve_areas"]

#: Every perturbation, in report order.
PERTURBATIONS = ("synapse_lesion", "neuron_lesion", "input_noise", "weight_bits")
#: The ones the model applies to itself (``perturbed``).
MODEL_PERTURBATIONS = ("synapse_lesion", "neuron_lesion", "weight_bits")
#: Levels measured when the config does not list them.
DEFAULT_LEVELS = {
    "synapse_lesion": (0.0, 0.1, 0.3, 0.5, 0.7, 0.9),
    "neuron_lesion": (0.0, 0.1, 0.3, 0.5, 0.7, 0.9),
    "input_noise": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5),
    "weight_bits": (8, 4, 2, 1),
}
#: What a level means, per perturbation (axis labels of the report).
LEVEL_MEANING = {
    "synapse_lesion": "fraction of weights set to zero",
    "neuron_lesion": "fraction of hidden / excitatory units silenced",
    "input_noise": "fraction of pixels replaced by uniform noise",
    "weight_bits": "bits per weight",
}
#: Columns of ``robustness.csv`` after the job's id columns.
COLUMNS = ("perturbation", "level", "accuracy")


def check_levels(kind: str, levels: Any) -> tuple[float, ...]:
    """Validate the levels of perturbation ``kind``; return them as floats, mildest first.

    Fractions lie in ``[0, 1]``; bits are integers >= 1 (listed from most to fewest bits).

    Raises
    ------
    ValueError
        Unknown ``kind``, an empty or repeated list, or a value out of range (named).
    """
    if kind not in PERTURBATIONS:
        raise ValueError(f"unknown perturbation {kind!r}; choose from {', '.join(PERTURBATIONS)}")
    if not isinstance(levels, (list, tuple)) or not levels:
        raise ValueError(f"levels of {kind} must be a non-empty list, got {levels!r}")
    out = []
    for v in levels:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
                or not math.isfinite(v):
            raise ValueError(f"levels of {kind} must be numbers, got {v!r}")
        if kind == "weight_bits":
            if int(v) != v or v < 1:
                raise ValueError(f"levels of weight_bits must be integers >= 1, got {v!r}")
        elif not 0.0 <= v <= 1.0:
            raise ValueError(f"levels of {kind} must lie in [0, 1], got {v!r}")
        out.append(float(v))
    if len(set(out)) != len(out):
        raise ValueError(f"levels of {kind} repeat a value: {list(levels)}")
    return tuple(sorted(out, reverse=kind == "weight_bits"))


def perturbation_seed(seed: int, kind: str, level: float) -> int:
    """The seed of the draws of perturbation ``kind`` at ``level`` for a job of ``seed``: the
    same for every model of that seed."""
    if kind not in PERTURBATIONS:
        raise ValueError(f"unknown perturbation {kind!r}; choose from {', '.join(PERTURBATIONS)}")
    ss = np.random.SeedSequence([int(seed), PERTURBATIONS.index(kind) + 1,
                                 int(round(float(level) * 1_000_000))])
    return int(ss.generate_state(1)[0])


def noisy_inputs(X: Any, level: float, seed: int) -> np.ndarray:
    """``X`` with ``round(level * n_features)`` pixels of every row replaced by uniform noise.

    The pixels of each row are the first ``k`` of a random ranking, their values uniform in
    ``[0, 1]`` (the tasks' intensity range); both are drawn from :func:`perturbation_seed`
    ``(seed, "input_noise", level)``, so every model of a seed sees the same noisy images.
    ``X`` is not modified; level 0 returns an unchanged copy.
    """
    X = np.array(X, dtype=np.float64, copy=True)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    check_levels("input_noise", [level])
    k = int(round(float(level) * X.shape[1]))
    rng = np.random.default_rng(perturbation_seed(seed, "input_noise", level))
    ranks = rng.random(X.shape).argsort(axis=1).argsort(axis=1)
    values = rng.uniform(0.0, 1.0, X.shape)
    return np.where(ranks < k, values, X)


def robustness_curves(model: Any, X: np.ndarray, y: np.ndarray, *, seed: int,
                      levels: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Accuracy of the fitted ``model`` on ``(X, y)`` under every perturbation and level.

    Parameters
    ----------
    model : estimator
        Fitted; ``predict`` and, for the model perturbations, ``perturbed``. Not changed.
    X, y : ndarray
        The test rows.
    seed : int
        The job's seed (seeds every draw through :func:`perturbation_seed`).
    levels : dict
        Perturbation -> levels (validated by :func:`check_levels`).

    Returns
    -------
    rows : list of dict
        ``perturbation``, ``level``, ``accuracy``.
    skipped : list of str
        ``"perturbation: why"`` for each perturbation the model cannot undergo.
    """
    if not isinstance(levels, dict):
        raise TypeError(f"levels must be a dict of perturbation -> levels, got "
                        f"{type(levels).__name__}")
    y = np.asarray(y)
    rows, skipped = [], []
    for kind in PERTURBATIONS:
        if kind not in levels:
            continue
        values = check_levels(kind, list(levels[kind]))
        if kind in MODEL_PERTURBATIONS and not hasattr(model, "perturbed"):
            skipped.append(f"{kind}: {type(model).__name__} has no perturbed()")
            continue
        points = []
        try:
            for v in values:
                level: Any = int(v) if kind == "weight_bits" else v
                if kind == "input_noise":
                    pred = model.predict(noisy_inputs(X, v, seed))
                else:
                    pred = model.perturbed(kind, level, perturbation_seed(seed, kind, v)
                                           ).predict(X)
                points.append({"perturbation": kind, "level": v,
                               "accuracy": float(np.mean(np.asarray(pred) == y))})
        except NotImplementedError as err:  # the model says this does not apply to it
            skipped.append(f"{kind}: {err}")
            continue
        rows += points
    return rows, skipped


def area_under_curve(levels: Any, accuracy: Any, kind: str) -> float:
    """Area under one accuracy curve divided by its level range (trapezoidal rule): the mean
    accuracy over the range. ``weight_bits`` is integrated over ``log2(bits)``. NaN for fewer
    than two levels."""
    if kind not in PERTURBATIONS:
        raise ValueError(f"unknown perturbation {kind!r}; choose from {', '.join(PERTURBATIONS)}")
    x = np.asarray(levels, dtype=np.float64)
    a = np.asarray(accuracy, dtype=np.float64)
    if x.shape != a.shape or x.ndim != 1:
        raise ValueError("levels and accuracy must be 1-D of the same length")
    if kind == "weight_bits":
        x = np.log2(x)
    order = np.argsort(x)
    x, a = x[order], a[order]
    if x.size < 2 or x[-1] == x[0]:
        return math.nan
    return float(np.sum((x[1:] - x[:-1]) * (a[1:] + a[:-1]) / 2.0) / (x[-1] - x[0]))


def curve_areas(frame: pd.DataFrame) -> pd.DataFrame:
    """Per job and perturbation: the normalised area (``auc``), the clean accuracy (the
    job's level-0 accuracy; NaN without a level-0 row) and ``auc_relative = auc / clean``.

    Parameters
    ----------
    frame : DataFrame
        ``robustness.csv``.

    Returns
    -------
    DataFrame
        Id columns present in ``frame``, ``perturbation``, ``auc``, ``clean``,
        ``auc_relative``.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a DataFrame, got {type(frame).__name__}")
    need = {"task", "model", "size", "seed", "perturbation", "level", "accuracy"}
    if frame.empty or not need <= set(frame.columns):
        return pd.DataFrame()
    ids = [c for c in ("task", "model", "kind", "family", "size", "seed") if c in frame]
    zero = frame[frame["level"] == 0].groupby(ids)["accuracy"].mean().rename("clean")
    rows = []
    for key, part in frame.groupby(ids + ["perturbation"], sort=False):
        kind = key[-1]
        rows.append({**dict(zip(ids + ["perturbation"], key, strict=True)),
                     "auc": area_under_curve(part["level"], part["accuracy"], kind)})
    out = pd.DataFrame(rows).merge(zero.reset_index(), on=ids, how="left")
    out["auc_relative"] = out["auc"] / out["clean"].where(out["clean"] > 0)
    return out
