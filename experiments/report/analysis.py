"""The numbers behind the report: aggregation over seeds, power-law fits, paired differences,
timing summaries and the extrapolation to brains. Pure functions over DataFrames.

Every mean over seeds comes with its two-sided 95 % Student-t interval from
:mod:`experiments.report.stats` (the one place intervals are computed); a paired difference
pairs the two models' values seed by seed (:func:`experiments.report.stats.diff_ci`). Power laws
are fitted by least squares on ``log10 y = log10 a + b log10 x`` and only from :data:`MIN_SIZES` or
more distinct sizes: two points always lie on a line, so an exponent from two sizes would be a
definition, not a measurement.

Nothing here reads files or knows about markdown; every brain or hardware number comes from
:mod:`experiments.facts.constants`, read when a function is called.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from experiments.facts import constants
from experiments.report.stats import diff_ci, mean_ci

__all__ = [
    "GROUP_KEYS",
    "LEVEL",
    "MIN_SIZES",
    "SECONDS_PER_DAY",
    "PowerLaw",
    "ok_runs",
    "model_roles",
    "add_roles",
    "aggregate",
    "fit_power_law",
    "fit_exponent",
    "cost_exponents",
    "paired_difference",
    "accuracy_by_budget",
    "baseline_comparisons",
    "sim_second_points",
    "brain_targets",
    "extrapolate",
    "timing_summary",
    "speedups",
]

#: Columns that identify one model configuration in the aggregated tables.
GROUP_KEYS = ("task", "model", "family", "kind", "size")
#: Confidence level of every interval: the default of :func:`experiments.report.stats.mean_ci`.
LEVEL = float(inspect.signature(mean_ci).parameters["level"].default)
#: Fewest distinct sizes a power law is fitted from.
MIN_SIZES = 3
SECONDS_PER_DAY = 86400.0


# ------------------------------------------------------------------------------------------------
# runs, roles, aggregation
# ------------------------------------------------------------------------------------------------


def _check_frame(frame: Any, name: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    return frame


def ok_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``runs.csv`` whose job finished (``status == "ok"``; all rows without it)."""
    _check_frame(runs, "runs")
    if "status" not in runs:
        return runs.reset_index(drop=True)
    return runs[runs["status"] == "ok"].reset_index(drop=True)


def model_roles(manifest: Mapping[str, Any] | None) -> dict[str, str]:
    """``model key -> role`` (``"main"`` or ``"baseline"``) from ``manifest.json``'s config."""
    models = ((manifest or {}).get("config") or {}).get("models") or []
    return {m["key"]: str(m.get("role") or "main") for m in models
            if isinstance(m, Mapping) and "key" in m}


def add_roles(frame: pd.DataFrame, roles: Mapping[str, str]) -> pd.DataFrame:
    """A copy of ``frame`` with a ``role`` column (models the manifest does not list: main)."""
    _check_frame(frame, "frame")
    out = frame.copy()
    models = out["model"] if "model" in out else pd.Series([], dtype=object)
    out["role"] = [roles.get(m, "main") for m in models]
    return out


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def aggregate(frame: pd.DataFrame, cols: Sequence[str], keys: Sequence[str] = GROUP_KEYS,
              level: float = LEVEL) -> pd.DataFrame:
    """Mean and t-interval half-width over seeds of each numeric column, per group.

    Parameters
    ----------
    frame : DataFrame
        One row per seed and group (e.g. ``runs.csv``).
    cols : sequence of str
        Columns to aggregate; absent ones are skipped. Text columns keep their first value.
    keys : sequence of str
        Group columns (absent ones are skipped).
    level : float
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        ``keys``, ``n_seeds`` (rows, or distinct seeds when there is a ``seed`` column), and
        per numeric column ``c`` its mean ``c`` and half-width ``c_ci`` (NaN below 2 values).
        Groups keep their order of appearance.
    """
    _check_frame(frame, "frame")
    keys = [k for k in keys if k in frame]
    cols = [c for c in cols if c in frame and c not in keys]
    num = [c for c in cols if _numeric(frame[c])]
    out_cols = [*keys, "n_seeds"]
    for c in cols:
        out_cols += [c, f"{c}_ci"] if c in num else [c]
    if frame.empty:
        return pd.DataFrame(columns=out_cols)
    groups = frame.groupby(keys, sort=False, dropna=False) if keys else [((), frame)]
    rows = []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(keys, key, strict=True))
        row["n_seeds"] = int(g["seed"].nunique()) if "seed" in g else len(g)
        for c in cols:
            if c in num:
                row[c], row[f"{c}_ci"], _ = mean_ci(g[c].tolist(), level)
            else:
                vals = g[c].dropna()
                row[c] = vals.iloc[0] if len(vals) else None
        rows.append(row)
    return pd.DataFrame(rows, columns=out_cols)


# ------------------------------------------------------------------------------------------------
# power laws
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PowerLaw:
    """``y = prefactor * x ** exponent``, fitted on ``n_points`` points with ``x`` in
    ``[x_min, x_max]``; ``r2`` is the coefficient of determination in log-log space."""

    exponent: float
    prefactor: float
    n_points: int
    r2: float
    x_min: float
    x_max: float

    def predict(self, x: Any) -> Any:
        """The fitted ``y`` at ``x`` (scalar or array)."""
        return self.prefactor * np.asarray(x, dtype=float) ** self.exponent


def _fit_points(x: Iterable[float], y: Iterable[float], min_points: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` as float arrays of one shape, with ``min_points`` checked (>= 2)."""
    x = np.asarray(list(x), dtype=float)
    y = np.asarray(list(y), dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}")
    if isinstance(min_points, bool) or not isinstance(min_points, int) or min_points < 2:
        raise ValueError(f"min_points must be an integer >= 2, got {min_points!r}")
    return x, y


def fit_power_law(x: Iterable[float], y: Iterable[float],
                  min_points: int = MIN_SIZES) -> PowerLaw | None:
    """Least-squares power law through the positive, finite pairs ``(x, y)``.

    Returns
    -------
    PowerLaw or None
        None when fewer than ``min_points`` distinct ``x`` remain (``min_points`` >= 2).
    """
    x, y = _fit_points(x, y, min_points)
    keep = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    x, y = x[keep], y[keep]
    if len(np.unique(x)) < min_points:
        return None
    lx, ly = np.log10(x), np.log10(y)
    slope, intercept = np.polyfit(lx, ly, 1)
    resid = ly - (intercept + slope * lx)
    total = float(np.sum((ly - ly.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / total if total > 0 else 1.0
    return PowerLaw(exponent=float(slope), prefactor=float(10.0**intercept), n_points=len(x),
                    r2=r2, x_min=float(x.min()), x_max=float(x.max()))


@dataclass(frozen=True)
class AffineFit:
    """``y = fixed + per_unit * x`` by least squares on ``n_points`` points with ``x`` in
    ``[x_min, x_max]``; ``r2`` is the coefficient of determination. For wall time against
    work, ``fixed`` is what every simulated second costs whatever the network (per-step
    scheduling, process start, file handling) and ``per_unit`` the marginal cost of one
    operation: what a network orders of magnitude larger pays per operation."""

    fixed: float
    per_unit: float
    n_points: int
    r2: float
    x_min: float
    x_max: float

    def predict(self, x: Any) -> Any:
        """The fitted ``y`` at ``x`` (scalar or array)."""
        return self.fixed + self.per_unit * np.asarray(x, dtype=float)


def fit_affine(x: Iterable[float], y: Iterable[float],
               min_points: int = MIN_SIZES) -> AffineFit | None:
    """Least-squares line through the finite pairs ``(x, y)`` with ``x > 0``.

    Returns
    -------
    AffineFit or None
        None when fewer than ``min_points`` distinct ``x`` remain (``min_points`` >= 2) or the
        fitted marginal cost is not positive (the sizes do not resolve it).
    """
    x, y = _fit_points(x, y, min_points)
    keep = np.isfinite(x) & np.isfinite(y) & (x > 0)
    x, y = x[keep], y[keep]
    if len(np.unique(x)) < min_points:
        return None
    slope, intercept = np.polyfit(x, y, 1)
    if not slope > 0:
        return None
    resid = y - (intercept + slope * x)
    total = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / total if total > 0 else 1.0
    return AffineFit(fixed=float(intercept), per_unit=float(slope), n_points=len(x), r2=r2,
                     x_min=float(x.min()), x_max=float(x.max()))


def fit_exponent(x: Iterable[float], y: Iterable[float],
                 min_points: int = MIN_SIZES) -> float | None:
    """The exponent of :func:`fit_power_law` (None below ``min_points`` distinct ``x``)."""
    fit = fit_power_law(x, y, min_points)
    return None if fit is None else fit.exponent


def cost_exponents(runs: pd.DataFrame, costs: Sequence[str], x: str = "synapses",
                   keys: Sequence[str] = ("task", "model"),
                   min_sizes: int = MIN_SIZES) -> pd.DataFrame:
    """Exponent ``b`` of ``cost ~ x ** b`` per model, fitted per seed, mean ± t interval.

    Parameters
    ----------
    runs : DataFrame
        ``runs.csv`` rows of finished jobs (``size``, ``seed``, ``x`` and the cost columns).
    costs : sequence of str
        Cost columns; a column that is never positive for a model (e.g. an ANN's effective
        ACs) is left out for that model.
    min_sizes : int
        Fewest distinct sizes a fit needs.

    Returns
    -------
    DataFrame
        ``keys``, ``cost``, ``n_sizes``, ``exponent``, ``exponent_ci``, ``n_seeds``: one row
        per model and cost; ``exponent`` is NaN (and ``n_seeds`` 0) with fewer sizes.
    """
    _check_frame(runs, "runs")
    keys = [k for k in keys if k in runs]
    cols = [*keys, "cost", "n_sizes", "exponent", "exponent_ci", "n_seeds"]
    if runs.empty or x not in runs or "size" not in runs:
        return pd.DataFrame(columns=cols)
    rows = []
    for key, g in runs.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        n_sizes = int(g["size"].nunique())
        for c in costs:
            if c not in g or not (pd.to_numeric(g[c], errors="coerce") > 0).any():
                continue
            seeds = g.groupby("seed") if "seed" in g else [(None, g)]
            fits = [fit_exponent(gs[x], gs[c], min_sizes) for _, gs in seeds]
            fits = [b for b in fits if b is not None]
            m, h, n = mean_ci(fits) if fits else (math.nan, math.nan, 0)
            rows.append({**dict(zip(keys, key, strict=True)), "cost": c, "n_sizes": n_sizes,
                         "exponent": m, "exponent_ci": h, "n_seeds": n})
    return pd.DataFrame(rows, columns=cols)


# ------------------------------------------------------------------------------------------------
# paired differences: what a learning rule adds
# ------------------------------------------------------------------------------------------------


def paired_difference(a: pd.DataFrame, b: pd.DataFrame, value: str = "accuracy",
                      on: Sequence[str] = ("seed",), level: float = LEVEL) -> dict[str, Any]:
    """Mean and t interval of ``a[value] - b[value]``, paired on the ``on`` columns.

    Returns
    -------
    dict
        ``diff``, ``diff_ci`` (half-width, NaN below 2 pairs), ``n`` (pairs), ``mean_a``,
        ``mean_b`` (over the paired rows only), ``seeds`` (the paired keys).
    """
    _check_frame(a, "a")
    _check_frame(b, "b")
    on = list(on)
    for name, f in (("a", a), ("b", b)):
        missing = [c for c in [*on, value] if c not in f]
        if missing:
            raise ValueError(f"{name} lacks the columns {missing}; pass frames with "
                             f"{[*on, value]}")
    merged = a[[*on, value]].merge(b[[*on, value]], on=on, suffixes=("_a", "_b"))
    merged = merged.dropna(subset=[f"{value}_a", f"{value}_b"])
    va = merged[f"{value}_a"].astype(float).tolist()
    vb = merged[f"{value}_b"].astype(float).tolist()
    d, h, n = diff_ci(va, vb, level)
    return {"diff": d, "diff_ci": h, "n": n,
            "mean_a": float(np.mean(va)) if va else math.nan,
            "mean_b": float(np.mean(vb)) if vb else math.nan,
            "seeds": [tuple(r) for r in merged[on].itertuples(index=False)]}


def accuracy_by_budget(runs: pd.DataFrame, label_eff: pd.DataFrame | None) -> pd.DataFrame:
    """Accuracy per job and label budget: ``labels_per_class = 0`` (all labels) from
    ``runs.csv``, the other budgets from ``label_efficiency.csv`` (when it has them)."""
    _check_frame(runs, "runs")
    ids = [c for c in ("task", "model", "family", "kind", "size", "seed") if c in runs]
    cols = [*ids, "labels_per_class", "accuracy"]
    parts = []
    if "accuracy" in runs and not runs.empty:
        parts.append(runs[[*ids, "accuracy"]].assign(labels_per_class=0)[cols])
    if label_eff is not None and not label_eff.empty and {"labels_per_class", "accuracy"} \
            <= set(label_eff):
        have = [c for c in cols if c in label_eff]
        parts.append(label_eff[have])
    if not parts:
        return pd.DataFrame(columns=cols)
    both = pd.concat(parts, ignore_index=True)
    key = [c for c in ("task", "model", "size", "seed", "labels_per_class") if c in both]
    return both.drop_duplicates(subset=key, keep="first").reset_index(drop=True)


def baseline_comparisons(acc: pd.DataFrame, roles: Mapping[str, str],
                         main_family: str = "snn",
                         same_size_families: Sequence[str] = ("snn", "clustering"),
                         level: float = LEVEL) -> pd.DataFrame:
    """Paired differences (by seed) of each main model of ``main_family`` against each
    baseline, per task and label budget.

    A baseline whose family is in ``same_size_families`` (the spiking network with plasticity
    off, k-means with k = the excitatory count) is compared at the same size only; any other
    baseline (logistic regression) at each of its own sizes.

    Parameters
    ----------
    acc : DataFrame
        :func:`accuracy_by_budget` output.
    roles : mapping
        ``model -> role`` (:func:`model_roles`).

    Returns
    -------
    DataFrame
        ``task``, ``labels_per_class``, ``model``, ``size``, ``baseline``, ``baseline_size``,
        ``diff``, ``diff_ci``, ``n``, ``mean_model``, ``mean_baseline``.
    """
    _check_frame(acc, "acc")
    cols = ["task", "labels_per_class", "model", "size", "baseline", "baseline_size", "diff",
            "diff_ci", "n", "mean_model", "mean_baseline"]
    need = {"task", "model", "family", "size", "seed", "labels_per_class", "accuracy"}
    if acc.empty or not need <= set(acc):
        return pd.DataFrame(columns=cols)
    rows = []
    for task, t in acc.groupby("task", sort=False):
        fam = t.groupby("model", sort=False)["family"].first()
        mains = [m for m in fam.index if fam[m] == main_family
                 and roles.get(m, "main") == "main"]
        bases = [m for m in fam.index if roles.get(m, "main") == "baseline"]
        for m in mains:
            tm = t[t["model"] == m]
            for size in sorted(tm["size"].unique()):
                a_size = tm[tm["size"] == size]
                for b in bases:
                    tb = t[t["model"] == b]
                    b_sizes = ([size] if size in set(tb["size"]) else []) \
                        if fam[b] in same_size_families else sorted(tb["size"].unique())
                    for bs in b_sizes:
                        b_size = tb[tb["size"] == bs]
                        for k in sorted(set(a_size["labels_per_class"])
                                        & set(b_size["labels_per_class"]),
                                        key=lambda v: (v == 0, v)):
                            p = paired_difference(a_size[a_size["labels_per_class"] == k],
                                                  b_size[b_size["labels_per_class"] == k],
                                                  level=level)
                            if p["n"] == 0:
                                continue
                            rows.append({"task": task, "labels_per_class": int(k), "model": m,
                                         "size": size, "baseline": b, "baseline_size": bs,
                                         "diff": p["diff"], "diff_ci": p["diff_ci"],
                                         "n": p["n"], "mean_model": p["mean_a"],
                                         "mean_baseline": p["mean_b"]})
    return pd.DataFrame(rows, columns=cols)


# ------------------------------------------------------------------------------------------------
# extrapolation to brains
# ------------------------------------------------------------------------------------------------

#: What the extrapolation counts as the work of one simulated second (effective ACs, membrane
#: updates, Poisson input draws), per inference in ``runs.csv``.
WORK_COLUMNS = ("effective_acs", "membrane_updates", "input_draws")
POINT_COLUMNS = ("seed", "size", "neurons", "synapses", "footprint_bytes", "dt_ms",
                 "sim_ms_per_inference", "wall_s_per_inference", "work_per_sim_s",
                 "wall_per_sim_s", "source")
SOURCE_TIMING = "timing.csv: throughput at 1 thread (median over repeats, timed alone)"
SOURCE_TEST = "runs.csv: wall_s_test / n_test (the job's one prediction of the test set)"


def sim_second_points(runs: pd.DataFrame, timing: pd.DataFrame | None = None) -> pd.DataFrame:
    """Work and wall time of one simulated second, per seed and size of one spiking model.

    Work of one simulated second = (effective ACs + membrane updates + input draws) per
    inference / simulated seconds per inference. Wall time per inference: the timing phase's
    throughput at 1 thread when it timed every size (``median_s / n_samples``), else
    ``wall_s_test / n_test`` of each job.

    Parameters
    ----------
    runs : DataFrame
        ``runs.csv`` rows of ONE model on ONE task (finished jobs).
    timing : DataFrame, optional
        ``timing.csv`` (any rows; the matching ones are picked).

    Returns
    -------
    DataFrame
        :data:`POINT_COLUMNS`, one row per seed and size with a usable measurement.
    """
    _check_frame(runs, "runs")
    need = {"size", "seed", "sim_ms_per_inference", "effective_acs", "membrane_updates"}
    if runs.empty or not need <= set(runs):
        return pd.DataFrame(columns=POINT_COLUMNS)
    r = runs.copy()
    sim_s = pd.to_numeric(r["sim_ms_per_inference"], errors="coerce") / 1000.0
    work = sum(pd.to_numeric(r[c], errors="coerce").fillna(0.0) if c in r else 0.0
               for c in WORK_COLUMNS)
    r["work_per_sim_s"] = work / sim_s
    r["source"] = SOURCE_TEST
    if {"wall_s_test", "n_test"} <= set(r):
        r["wall_s_per_inference"] = pd.to_numeric(r["wall_s_test"], errors="coerce") / \
            pd.to_numeric(r["n_test"], errors="coerce")
    else:
        r["wall_s_per_inference"] = math.nan
    if timing is not None and not timing.empty and {"mode", "threads", "median_s",
                                                     "n_samples"} <= set(timing):
        task, model = r["task"].iloc[0], r["model"].iloc[0]
        t = timing[(timing["task"] == task) & (timing["model"] == model)
                   & (timing["mode"] == "throughput") & (timing["threads"] == 1)]
        if not t.empty and set(r["size"]) <= set(t["size"]):
            t = t.assign(wall_t=t["median_s"] / t["n_samples"])[["size", "seed", "wall_t"]]
            r = r.merge(t, on=["size", "seed"], how="inner")
            r["wall_s_per_inference"] = r["wall_t"]
            r["source"] = SOURCE_TIMING
    r["wall_per_sim_s"] = r["wall_s_per_inference"] / (
        pd.to_numeric(r["sim_ms_per_inference"], errors="coerce") / 1000.0)
    for c in POINT_COLUMNS:
        if c not in r:
            r[c] = math.nan
    r = r[np.isfinite(r["work_per_sim_s"].astype(float))
          & np.isfinite(r["wall_per_sim_s"].astype(float))]
    return r[list(POINT_COLUMNS)].reset_index(drop=True)


def _ref(refs: Mapping[str, Any], key: str) -> float:
    return float(refs[key].value)


def brain_targets(dt_ms: float, refs: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The networks to extrapolate to, and the work one simulated second of each needs.

    Work per simulated second, as our simulator counts it at time step ``dt_ms``: effective ACs
    = synapses x mean rate (every spike reaches each of the neuron's synapses), membrane
    updates = neurons x steps per second, and no Poisson input draws (a brain's inputs are
    its own neurons). Scopes are kept apart:

    - ``neocortex``: cortical neurons, neocortical synapses, the cortical mean rate; power:
      the cortical computation estimate;
    - ``whole brain``: all neurons; synapses: the neocortical count, so its ACs are a lower
      bound (no sourced whole-brain synapse count), rate: the cortical mean (an assumption
      outside the cortex); power: the whole brain's;
    - ``K computer``: the NEST record's network, at the cortical mean rate (an assumption),
      with its measured processor-seconds per simulated second.

    Returns
    -------
    DataFrame
        ``scope``, ``neurons``, ``synapses``, ``rate_hz``, ``acs_per_s``,
        ``membrane_updates_per_s``, ``work_per_sim_s``, ``power_w`` (NaN for the K computer),
        ``record_core_s`` (processor-seconds per simulated second, K computer only).
    """
    if isinstance(dt_ms, bool) or not isinstance(dt_ms, (int, float)) or not dt_ms > 0:
        raise ValueError(f"dt_ms must be a positive number of milliseconds, got {dt_ms!r}")
    R = constants.REFERENCES if refs is None else refs
    rate = _ref(R, "cortical_rate_hz")
    steps = 1000.0 / float(dt_ms)
    rows = [
        {"scope": "neocortex", "neurons": _ref(R, "cortex_neurons"),
         "synapses": _ref(R, "human_synapses"), "power_w": _ref(R, "cortical_computation_power_w"),
         "record_core_s": math.nan},
        {"scope": "whole brain", "neurons": _ref(R, "human_neurons"),
         "synapses": _ref(R, "human_synapses"), "power_w": _ref(R, "brain_power_w"),
         "record_core_s": math.nan},
        {"scope": "K computer", "neurons": _ref(R, "k_computer_neurons"),
         "synapses": _ref(R, "k_computer_synapses"), "power_w": math.nan,
         "record_core_s": _ref(R, "k_computer_wall_s") * _ref(R, "k_computer_cores")},
    ]
    for row in rows:
        row["rate_hz"] = rate
        row["acs_per_s"] = row["synapses"] * rate
        row["membrane_updates_per_s"] = row["neurons"] * steps
        row["work_per_sim_s"] = row["acs_per_s"] + row["membrane_updates_per_s"]
    cols = ["scope", "neurons", "synapses", "rate_hz", "acs_per_s", "membrane_updates_per_s",
            "work_per_sim_s", "power_w", "record_core_s"]
    return pd.DataFrame(rows, columns=cols)


def extrapolate(points: pd.DataFrame, targets: pd.DataFrame, cpu_core_w: float | None = None,
                min_sizes: int = MIN_SIZES) -> dict[str, Any]:
    """Wall time, memory and energy of one simulated second of each target, on one core.

    Wall time per simulated second is fitted against the work of one simulated second with a
    line across the sizes (seed means; needs ``min_sizes``): a fixed cost per simulated second
    plus a marginal cost per operation (:class:`AffineFit`), then evaluated at each target's
    work (where the marginal cost is all that matters); beside it, the largest network's
    average cost per unit of work, overheads included, times the target's work (exponent 1:
    the upper bound when the fixed cost is large). Memory: measured ``footprint_bytes`` per
    synapse of the largest network times the target's synapses. Energy: ``cpu_core_w`` x the
    predicted core-seconds (a TDP x time assumption, not a measurement).

    Parameters
    ----------
    points : DataFrame
        :func:`sim_second_points` output.
    targets : DataFrame
        :func:`brain_targets` output.
    cpu_core_w : float, optional
        Watts of one core; default ``REFERENCES["cpu_core_w"]``.

    Returns
    -------
    dict
        ``fit`` (:class:`AffineFit` or None), ``n_sizes``, ``sizes``, ``exponent_seeds``
        (mean, half-width, n of the per-seed marginal costs per operation),
        ``bytes_per_synapse``,
        ``largest_size``, ``s_per_op_largest`` (wall seconds per unit of work of the largest
        network, overheads included), ``means`` (per-size means with intervals), ``rows``
        (one per target: its columns plus ``memory_bytes``, ``core_s`` = wall seconds per
        simulated second on one core by the fit, ``days_one_core``, ``cores_real_time``,
        ``energy_j``, ``orders_beyond``, and the same at exponent 1 from the largest network:
        ``core_s_linear``, ``days_linear``, ``cores_linear``, ``energy_j_linear``).

    Notes
    -----
    A power law through small networks, where a fixed cost per time step dominates, has an
    exponent well below 1 and, followed to a brain's work, predicts absurdly little time; the
    line keeps the fixed cost where it belongs. Both figures assume the marginal cost per
    operation stays what it is in networks that fit in cache; at scale memory traffic and
    communication make it larger.
    """
    _check_frame(points, "points")
    _check_frame(targets, "targets")
    if cpu_core_w is None:
        cpu_core_w = constants.REFERENCES["cpu_core_w"].value
    means = aggregate(points, ["synapses", "neurons", "footprint_bytes", "work_per_sim_s",
                               "wall_per_sim_s"], keys=("size",))
    out: dict[str, Any] = {"fit": None, "n_sizes": len(means), "sizes": list(means.get(
        "size", [])), "exponent_seeds": (math.nan, math.nan, 0), "bytes_per_synapse": math.nan,
        "largest_size": None, "means": means}
    out["s_per_op_largest"] = math.nan
    if not means.empty:
        big = means.loc[means["synapses"].astype(float).idxmax()]
        out["largest_size"] = big["size"]
        out["bytes_per_synapse"] = float(big["footprint_bytes"]) / float(big["synapses"])
        out["s_per_op_largest"] = float(big["wall_per_sim_s"]) / float(big["work_per_sim_s"])
        out["fit"] = fit_affine(means["work_per_sim_s"], means["wall_per_sim_s"], min_sizes)
    per_seed = [fit_affine(g["work_per_sim_s"], g["wall_per_sim_s"], min_sizes)
                for _, g in points.groupby("seed")] if not points.empty else []
    per_seed = [f.per_unit for f in per_seed if f is not None]
    if per_seed:
        out["exponent_seeds"] = mean_ci(per_seed)
    fit = out["fit"]
    rows = []
    for t in targets.to_dict("records"):
        row = dict(t)
        row["memory_bytes"] = out["bytes_per_synapse"] * t["synapses"]
        linear = out["s_per_op_largest"] * t["work_per_sim_s"]
        row.update(core_s_linear=linear, days_linear=linear / SECONDS_PER_DAY,
                   cores_linear=math.ceil(linear) if math.isfinite(linear) else math.nan,
                   energy_j_linear=cpu_core_w * linear)
        if fit is not None:
            core_s = float(fit.predict(t["work_per_sim_s"]))
            row.update(core_s=core_s, days_one_core=core_s / SECONDS_PER_DAY,
                       cores_real_time=math.ceil(core_s), energy_j=cpu_core_w * core_s,
                       orders_beyond=math.log10(t["work_per_sim_s"] / fit.x_max))
        else:
            row.update(core_s=math.nan, days_one_core=math.nan, cores_real_time=math.nan,
                       energy_j=math.nan, orders_beyond=math.nan)
        rows.append(row)
    out["rows"] = pd.DataFrame(rows)
    return out


# ------------------------------------------------------------------------------------------------
# timing
# ------------------------------------------------------------------------------------------------


def timing_summary(timing: pd.DataFrame) -> pd.DataFrame:
    """``timing.csv`` in report units: latency (ms, batch 1) and throughput (samples/s),
    median and quartiles over repeats.

    Returns
    -------
    DataFrame
        The id columns, ``mode``, ``threads``, ``threads_used``, ``repeats``, ``n_samples``,
        ``load_avg``, ``rapl_j`` and ``value``, ``value_q25``, ``value_q75`` in ms per call
        (latency) or samples per second (throughput: ``n_samples / q75`` is the lower
        quartile).
    """
    _check_frame(timing, "timing")
    need = {"mode", "median_s", "q25_s", "q75_s", "n_samples"}
    if timing.empty or not need <= set(timing):
        return pd.DataFrame()
    t = timing.copy()
    lat = t["mode"] == "latency"
    n = t["n_samples"].astype(float)
    t["value"] = np.where(lat, t["median_s"] * 1e3, n / t["median_s"])
    t["value_q25"] = np.where(lat, t["q25_s"] * 1e3, n / t["q75_s"])
    t["value_q75"] = np.where(lat, t["q75_s"] * 1e3, n / t["q25_s"])
    return t


def speedups(timing: pd.DataFrame, mode: str = "throughput") -> pd.DataFrame:
    """Throughput at n threads over throughput at 1 thread, per timed model.

    Returns
    -------
    DataFrame
        ``task``, ``model``, ``family``, ``size``, ``seed``, ``threads``, ``speedup``,
        ``speedup_q25``, ``speedup_q75`` (the quartiles of the n-thread timing over the
        1-thread median), ``efficiency`` (speed-up / threads), ``load_avg``. Empty without
        a 1-thread measurement.
    """
    _check_frame(timing, "timing")
    cols = ["task", "model", "family", "size", "seed", "threads", "speedup", "speedup_q25",
            "speedup_q75", "efficiency", "load_avg"]
    need = {"mode", "threads", "median_s", "q25_s", "q75_s", "n_samples"}
    if timing.empty or not need <= set(timing):
        return pd.DataFrame(columns=cols)
    t = timing[timing["mode"] == mode]
    keys = [k for k in ("task", "model", "family", "size", "seed") if k in t]
    rows = []
    for key, g in t.groupby(keys, sort=False):
        base = g[g["threads"] == 1]
        if base.empty:
            continue
        base_rate = float(base["n_samples"].iloc[0] / base["median_s"].iloc[0])
        for r in g.sort_values("threads").to_dict("records"):
            rate = r["n_samples"] / r["median_s"]
            rows.append({**dict(zip(keys, key if isinstance(key, tuple) else (key,),
                                    strict=True)),
                         "threads": r["threads"], "speedup": rate / base_rate,
                         "speedup_q25": r["n_samples"] / r["q75_s"] / base_rate,
                         "speedup_q75": r["n_samples"] / r["q25_s"] / base_rate,
                         "efficiency": rate / base_rate / r["threads"],
                         "load_avg": r.get("load_avg", math.nan)})
    return pd.DataFrame(rows, columns=cols)
