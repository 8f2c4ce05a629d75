"""The report's figures, drawn from a run directory's CSV files only (matplotlib, Agg backend).

Each ``fig_*`` function takes the loaded tables (:func:`load_tables`) or an
:mod:`experiments.report.analysis` result, a destination path and the models' roles, draws one
PNG and returns the path, or ``None`` when the run has no data for it. Means over seeds carry their
95 % t interval (error bars or bands, from :mod:`experiments.report.stats` through
:func:`experiments.report.analysis.aggregate`); with one seed there is none to draw. Main models are
drawn with solid lines and filled markers, baselines dashed with open markers. Figures never
retrain or import a model package.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

from experiments.facts import constants  # noqa: E402
from experiments.report import analysis as A  # noqa: E402

__all__ = [
    "DPI",
    "TABLES",
    "FAMILY_COLORS",
    "load_tables",
    "save_figure",
    "model_styles",
    "fig_scale_accuracy",
    "fig_scale_operations",
    "fig_scale_brains",
    "fig_size_trend",
    "fig_extrapolation",
    "fig_learning_curves",
    "fig_label_efficiency",
    "fig_baseline_differences",
    "fig_receptive_fields",
    "fig_energy",
    "fig_anytime",
    "fig_speedup",
]

DPI = 90
#: Colours per family, main models first, then baselines.
FAMILY_COLORS = {
    "snn": ("tab:red", "tab:orange", "tab:brown", "salmon"),
    "ann": ("tab:blue", "tab:cyan", "navy", "steelblue"),
    "clustering": ("tab:purple", "orchid", "indigo"),
}
#: The intervals' confidence level as text ("95 %").
CI = f"{A.LEVEL * 100:g} %"
_OTHER_COLORS = ("tab:gray", "tab:olive", "black", "tab:pink")
#: The CSV files of a run directory the report reads (missing ones load as empty frames).
TABLES = ("runs", "learning_curves", "label_efficiency", "anytime", "timing",
          "receptive_fields", "continual", "robustness")


def load_tables(out: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """Read the run directory's CSVs into DataFrames (empty frames for missing files).

    ``runs`` keeps only jobs with ``status == "ok"``; ``runs_all`` has every row.
    """
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a path to a run directory, got {type(out).__name__}")
    out = Path(out)
    if not (out / "runs.csv").is_file():
        raise FileNotFoundError(f"{out / 'runs.csv'} not found: run `brain-vs-ann run` first")
    tables = {}
    for name in TABLES:
        path = out / f"{name}.csv"
        try:
            tables[name] = pd.read_csv(path) if path.is_file() else pd.DataFrame()
        except pd.errors.EmptyDataError:
            tables[name] = pd.DataFrame()
    tables["runs_all"] = tables["runs"]
    tables["runs"] = A.ok_runs(tables["runs"])
    return tables


def save_figure(fig, path: Path) -> Path:
    """Write ``fig`` to ``path`` as PNG atomically (temp file + rename) and close it.

    A horizontal log axis with a decade in view keeps its labels at the decades only: the
    minor ticks' labels (``2×10³ 3×10³ ...``) otherwise run into each other."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for ax in fig.get_axes():
        lo, hi = sorted(abs(v) for v in ax.get_xlim())
        if ax.get_xscale() == "log" and lo > 0 and np.floor(np.log10(hi)) >= np.ceil(
                np.log10(lo)):
            ax.xaxis.set_minor_formatter(NullFormatter())
    tmp = path.with_name(f".{path.stem}.tmp.png")
    fig.savefig(tmp, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, path)
    return path


def model_styles(frame: pd.DataFrame, roles: Mapping[str, str] | None = None
                 ) -> dict[str, dict[str, Any]]:
    """``model -> matplotlib style``: a colour per model (by family), solid lines and filled
    markers for main models, dashed lines and open markers for baselines."""
    roles = roles or {}
    if frame.empty or "model" not in frame:
        return {}
    fams = frame.groupby("model", sort=False)["family"].first() if "family" in frame else \
        pd.Series("other", index=pd.unique(frame["model"]))
    order = sorted(fams.index, key=lambda m: (roles.get(m, "main") != "main",
                                              list(fams.index).index(m)))
    used: dict[str, int] = {}
    styles = {}
    for i, m in enumerate(order):
        palette = FAMILY_COLORS.get(fams[m], _OTHER_COLORS)
        k = used.get(fams[m], 0)
        used[fams[m]] = k + 1
        base = roles.get(m, "main") == "baseline"
        color = palette[k % len(palette)]
        styles[m] = {"color": color, "marker": "os^Dv<>p"[i % 8],
                     "linestyle": "--" if base else "-",
                     "markerfacecolor": "white" if base else color,
                     "label": f"{m} (baseline)" if base else m}
    return styles


#: One marker per size of a model, smallest first (the model's own marker is not reused).
SIZE_MARKERS = "o^sDvP*X"


def size_style(style: Mapping[str, Any], sizes: Sequence[Any], size: Any) -> dict[str, Any]:
    """``style`` of one model, told apart by size: a lighter shade of its colour and another
    marker for each smaller size (the largest keeps the full colour), ``[size]`` in the label."""
    from matplotlib.colors import to_rgb

    st = dict(style)
    order = sorted(sizes)
    k = order.index(size) if size in order else len(order) - 1
    light = 0.55 * (len(order) - 1 - k) / max(len(order) - 1, 1)  # 0 for the largest
    rgb = np.array(to_rgb(st.get("color", "black")))
    st["color"] = tuple(rgb + (1.0 - rgb) * light)
    st["marker"] = SIZE_MARKERS[k % len(SIZE_MARKERS)]
    if st.get("markerfacecolor") != "white":
        st["markerfacecolor"] = st["color"]
    st["label"] = f"{st.get('label', '')} [{size}]"
    return st


def _err(frame: pd.DataFrame, col: str) -> np.ndarray | None:
    ci = f"{col}_ci"
    if ci not in frame:
        return None
    e = frame[ci].to_numpy(dtype=float)
    return None if not np.isfinite(e).any() else np.nan_to_num(e)


def _tasks(frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(frame["task"])) if "task" in frame else []


def _chance_lines(ax, runs: pd.DataFrame, task: str) -> None:
    """1 / n_classes (dotted) and the majority-class rate (dash-dot) of ``task``."""
    sub = runs[runs["task"] == task] if "task" in runs else runs
    if "n_classes" in sub and sub["n_classes"].notna().any():
        ax.axhline(1.0 / float(sub["n_classes"].dropna().iloc[0]), color="gray",
                   linestyle=":", linewidth=1, label="chance: 1 / classes")
    if "majority_rate" in sub and sub["majority_rate"].notna().any():
        ax.axhline(float(sub["majority_rate"].mean()), color="gray", linestyle="-.",
                   linewidth=1, label="chance: majority class")


def _accuracy_axis(ax, label: str = "test accuracy") -> None:
    """Accuracy axis: a t interval may reach past [0, 1]; the view stays near that range."""
    ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel(label)


def _subplots(n: int, width: float = 5.0, height: float = 3.8):
    fig, axes = plt.subplots(1, max(n, 1), figsize=(width * max(n, 1), height), squeeze=False,
                             layout="constrained")
    return fig, axes[0]


# ------------------------------------------------------------------------------------------------
# scale
# ------------------------------------------------------------------------------------------------


def fig_scale_accuracy(t: dict[str, pd.DataFrame], path: Path,
                       roles: Mapping[str, str] | None = None) -> Path | None:
    """Test accuracy (mean ± 95 % CI over seeds) against synapses, one panel per task."""
    runs = t["runs"]
    if runs.empty or not {"accuracy", "synapses"} <= set(runs):
        return None
    agg = A.aggregate(runs, ["synapses", "accuracy"])
    styles = model_styles(runs, roles)
    tasks = _tasks(agg)
    fig, axes = _subplots(len(tasks))
    for ax, task in zip(axes, tasks, strict=True):
        sub = agg[agg["task"] == task]
        for model, g in sub.groupby("model", sort=False):
            g = g.sort_values("synapses")
            st = styles[model]
            ax.errorbar(g["synapses"], g["accuracy"], yerr=_err(g, "accuracy"), capsize=3,
                        **st)
        _chance_lines(ax, runs, task)
        ax.set_xscale("log")
        ax.set_xlabel("synapses / weights (log)")
        _accuracy_axis(ax)
        ax.set_title(f"accuracy vs size on {task}")
    _outside_legend(fig, axes)
    return save_figure(fig, path)


_OPS = (("dense_ops", "dense synaptic operations"), ("effective_macs", "effective MACs"),
        ("effective_acs", "effective ACs (synaptic events)"),
        ("membrane_updates", "membrane updates"))


def fig_scale_operations(t: dict[str, pd.DataFrame], path: Path,
                         roles: Mapping[str, str] | None = None) -> Path | None:
    """Operations per inference against synapses (log-log), one panel per kind of operation,
    on the first task."""
    runs = t["runs"]
    if runs.empty or "synapses" not in runs:
        return None
    task = _tasks(runs)[0]
    sub = runs[runs["task"] == task]
    ops = [(c, w) for c, w in _OPS if c in sub
           and (pd.to_numeric(sub[c], errors="coerce") > 0).any()]
    if not ops:
        return None
    agg = A.aggregate(sub, ["synapses", *[c for c, _ in ops]])
    styles = model_styles(runs, roles)
    fig, axes = _subplots(len(ops), width=4.2)
    for ax, (col, what) in zip(axes, ops, strict=True):
        for model, g in agg.groupby("model", sort=False):
            g = g[g[col].astype(float) > 0].sort_values("synapses")
            if g.empty:
                continue
            ax.errorbar(g["synapses"], g[col], yerr=_err(g, col), capsize=3, **styles[model])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("synapses / weights (log)")
        ax.set_ylabel("per inference (log)")
        ax.set_title(what, fontsize=9)
    _outside_legend(fig, axes)
    fig.suptitle(f"work per inference vs size on {task} (mean ± {CI} CI over seeds)",
                 fontsize=10)
    return save_figure(fig, path)


def fig_scale_brains(t: dict[str, pd.DataFrame], path: Path,
                     roles: Mapping[str, str] | None = None) -> Path | None:
    """The largest network of each model on the first task against real nervous systems
    (:data:`experiments.facts.constants.BRAINS`), neurons and synapses on log scales."""
    runs = t["runs"]
    if runs.empty or not {"neurons", "synapses"} <= set(runs):
        return None
    task = _tasks(runs)[0]
    agg = A.aggregate(runs[runs["task"] == task], ["neurons", "synapses"])
    styles = model_styles(runs, roles)
    big = agg.loc[agg.groupby("model", sort=False)["synapses"].idxmax()]
    labels, neurons, synapses, colors = [], [], [], []
    for r in big.to_dict("records"):
        labels.append(f"{styles[r['model']]['label']} [{int(r['size'])}]")
        neurons.append(r["neurons"])
        synapses.append(r["synapses"])
        colors.append(styles[r["model"]]["color"])
    for name, n, s in constants.BRAINS:
        labels.append(name)
        neurons.append(n)
        synapses.append(np.nan if s is None else s)
        colors.append("tab:green")
    y = np.arange(len(labels))
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 0.35 * len(labels) + 1.6), sharey=True,
                             layout="constrained")
    top = np.nanmax(np.asarray([*neurons, *synapses], dtype=float))
    for ax, vals, what in [(axes[0], neurons, "neurons"), (axes[1], synapses, "synapses")]:
        vals = np.asarray(vals, dtype=float)
        ax.barh(y, np.where(np.isfinite(vals), vals, 0), color=colors)
        for yi, v in zip(y, vals, strict=True):
            ax.text(v if np.isfinite(v) else 1, yi, f" {v:.2g}" if np.isfinite(v) else
                    " no sourced count", va="center", fontsize=7)
        ax.set_xscale("log")
        ax.set_xlim(1, top * 1e3)
        ax.set_xlabel(f"{what} (log)")
    axes[0].set_yticks(y, labels, fontsize=8)
    axes[0].invert_yaxis()
    fig.suptitle(f"our largest networks on {task} against nervous systems (green; sources in "
                 "the report)", fontsize=10)
    return save_figure(fig, path)


def fig_size_trend(trend: pd.DataFrame, path: Path, task: str) -> Path | None:
    """Our spiking accuracy (± CI) by excitatory neurons beside Diehl & Cook 2015 on MNIST.

    ``trend``: rows with ``size``, ``accuracy``, ``accuracy_ci`` (ours, NaN where not run) and
    ``dc2015`` (their accuracy, NaN where they did not report one).
    """
    if trend.empty or "accuracy" not in trend or trend["accuracy"].isna().all():
        return None
    fig, ax = plt.subplots(figsize=(5.5, 3.8), layout="constrained")
    ours = trend.dropna(subset=["accuracy"])
    ax.errorbar(ours["size"], ours["accuracy"], yerr=_err(ours, "accuracy"), capsize=3,
                marker="o", color="tab:red", label=f"this run, {task} (mean ± {CI} CI)")
    dc = trend.dropna(subset=["dc2015"])
    ax.plot(dc["size"], dc["dc2015"], marker="s", linestyle="--", color="black",
            markerfacecolor="white", label="Diehl & Cook 2015, MNIST")
    ax.set_xscale("log")
    ax.set_xlabel("excitatory neurons (log)")
    _accuracy_axis(ax)
    ax.set_title("size trend of STDP networks (different tasks)", fontsize=10)
    ax.legend(fontsize=7)
    return save_figure(fig, path)


def fig_extrapolation(ex: dict[str, Any], path: Path) -> Path | None:
    """Measured wall time per simulated second against its work (log-log, ± CI), the
    fitted line (fixed cost + marginal cost per operation), and where the targets of the
    extrapolation lie on it."""
    means = ex.get("means")
    if means is None or means.empty:
        return None
    fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
    ax.errorbar(means["work_per_sim_s"], means["wall_per_sim_s"],
                xerr=_err(means, "work_per_sim_s"), yerr=_err(means, "wall_per_sim_s"),
                marker="o", linestyle="none", color="tab:red", capsize=3,
                label="measured (spiking sizes)")
    fit = ex.get("fit")
    rows = ex.get("rows")
    if fit is not None:
        hi = max(fit.x_max, *(rows["work_per_sim_s"] if rows is not None and not rows.empty
                              else [fit.x_max]))
        xs = np.logspace(np.log10(fit.x_min), np.log10(hi), 50)
        ax.plot(xs, fit.predict(xs), color="black", linewidth=1,
                label=f"fit: {fit.fixed:.2g} s + {fit.per_unit * 1e9:.3g} ns x work")
        per_op = ex.get("s_per_op_largest", np.nan)
        if np.isfinite(per_op):
            lin = np.logspace(np.log10(fit.x_max), np.log10(hi), 25)
            ax.plot(lin, per_op * lin, color="gray", linestyle="--", linewidth=1,
                    label="exponent 1 from the largest network")
        for r in rows.to_dict("records"):
            ax.plot(r["work_per_sim_s"], r["core_s"], marker="*", markersize=11,
                    linestyle="none", label=f"{r['scope']} (extrapolated)")
            if np.isfinite(r.get("record_core_s", np.nan)):
                ax.plot(r["work_per_sim_s"], r["record_core_s"], marker="x", markersize=9,
                        color="black", linestyle="none",
                        label=f"{r['scope']} record (processor-s)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("work of one simulated second (ACs + membrane updates + input draws, log)")
    ax.set_ylabel("wall seconds per simulated second, one core (log)")
    title = "extrapolation to brains: wall time against work of one simulated second" \
        if fit is not None else \
        f"no fit: {ex.get('n_sizes', 0)} size(s), {A.MIN_SIZES} needed"
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7)
    return save_figure(fig, path)


# ------------------------------------------------------------------------------------------------
# learning rule
# ------------------------------------------------------------------------------------------------


def fig_learning_curves(t: dict[str, pd.DataFrame], path: Path,
                        roles: Mapping[str, str] | None = None) -> Path | None:
    """Evaluation accuracy against training samples seen, mean with a 95 % CI band."""
    lc = t["learning_curves"]
    if lc.empty or not {"eval_accuracy", "samples_seen"} <= set(lc) \
            or lc["eval_accuracy"].isna().all():
        return None
    lc = lc.dropna(subset=["eval_accuracy", "samples_seen"])
    agg = A.aggregate(lc, ["eval_accuracy"], keys=(*A.GROUP_KEYS, "samples_seen"))
    styles = model_styles(lc, roles)
    tasks = _tasks(agg)
    fig, axes = _subplots(len(tasks), width=5.5)
    for ax, task in zip(axes, tasks, strict=True):
        sub = agg[agg["task"] == task]
        for (model, size), g in sub.groupby(["model", "size"], sort=False):
            g = g.sort_values("samples_seen")
            st = size_style(styles[model], sub.loc[sub["model"] == model, "size"].unique(),
                            size)
            ax.plot(g["samples_seen"], g["eval_accuracy"], markersize=4, **st)
            e = _err(g, "eval_accuracy")
            if e is not None:
                ax.fill_between(g["samples_seen"], g["eval_accuracy"] - e,
                                g["eval_accuracy"] + e, color=st["color"], alpha=0.12)
        _chance_lines(ax, t["runs"], task)
        ax.set_xscale("log")
        ax.set_xlabel("training samples seen (log; repeats counted)")
        _accuracy_axis(ax, "evaluation accuracy")
        ax.set_title(f"learning curves on {task}")
    _outside_legend(fig, axes)
    return save_figure(fig, path)


def fig_label_efficiency(t: dict[str, pd.DataFrame], path: Path,
                         roles: Mapping[str, str] | None = None) -> Path | None:
    """Accuracy (± 95 % CI) against labels per class: the largest size of every model,
    baselines included, each model shifted a little sideways so the error bars stay apart."""
    le = t["label_efficiency"]
    if le.empty or not {"labels_per_class", "accuracy"} <= set(le):
        return None
    agg = A.aggregate(le, ["accuracy"], keys=(*A.GROUP_KEYS, "labels_per_class"))
    ks = sorted(agg["labels_per_class"].unique(), key=lambda k: (k == 0, k))
    pos = {k: i for i, k in enumerate(ks)}
    styles = model_styles(le, roles)
    tasks = _tasks(agg)
    fig, axes = _subplots(len(tasks), width=5.5)
    for ax, task in zip(axes, tasks, strict=True):
        sub = agg[agg["task"] == task]
        sub = sub[sub["size"] == sub.groupby("model")["size"].transform("max")]
        models = list(dict.fromkeys(sub["model"]))
        for (model, size), g in sub.groupby(["model", "size"], sort=False):
            shift = 0.25 * (models.index(model) / max(len(models) - 1, 1) - 0.5)
            g = g.assign(x=g["labels_per_class"].map(pos) + shift).sort_values("x")
            st = dict(styles[model])
            st["label"] = f"{st['label']} [{size}]"
            ax.errorbar(g["x"], g["accuracy"], yerr=_err(g, "accuracy"), capsize=3, **st)
        _chance_lines(ax, t["runs"], task)
        ax.set_xticks(range(len(ks)), [str(k) if k else "all" for k in ks])
        ax.set_xlabel("labels per class")
        _accuracy_axis(ax)
        ax.set_title(f"label efficiency on {task}")
    _outside_legend(fig, axes)
    return save_figure(fig, path)


def fig_baseline_differences(comp: pd.DataFrame, path: Path) -> Path | None:
    """Paired differences (model − baseline, ± 95 % CI over seeds), one row per comparison."""
    if comp.empty:
        return None
    comp = comp.reset_index(drop=True)
    labels = [f"{r['model']} [{r['size']}] − {r['baseline']} [{r['baseline_size']}], "
              f"{r['task']}, " + ("all labels" if r["labels_per_class"] == 0 else
                                  f"{r['labels_per_class']}/class")
              for r in comp.to_dict("records")]
    y = np.arange(len(comp))
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(comp) + 1.4), layout="constrained")
    err = _err(comp, "diff")
    ax.errorbar(comp["diff"], y, xerr=err, marker="o", linestyle="none", color="tab:red",
                capsize=3)
    ax.axvline(0.0, color="gray", linewidth=1)
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(f"accuracy difference, paired by seed (mean ± {CI} CI)")
    ax.set_title("what the learning rule adds over each baseline", fontsize=10)
    return save_figure(fig, path)


#: What the receptive-field panel of each model kind shows (by kind: the converted network is
#: a spiking network whose weights backprop learned, not STDP).
RF_TITLES = {"stdp": "STDP input weights", "rstdp": "R-STDP input weights",
             "mlp": "first-layer weights (backprop)",
             "ann2snn": "first-layer weights (backprop, run as spiking neurons)",
             "cnn": "first-layer filters (backprop)", "kmeans": "k-means prototypes"}


def fig_receptive_fields(t: dict[str, pd.DataFrame], path: Path,
                         roles: Mapping[str, str] | None = None) -> Path | None:
    """First-layer weights of the largest network of each main family (first task, first seed):
    STDP input weights next to backprop's first-layer weights (the ANN's and the converted
    network's) and k-means prototypes; each panel titled by what learned it (:data:`RF_TITLES`)."""
    rf = t["receptive_fields"]
    if rf.empty or not {"unit", "row", "col", "weight"} <= set(rf):
        return None
    roles = roles or {}
    task = _tasks(rf)[0]
    rf = rf[(rf["task"] == task) & (rf["seed"] == rf["seed"].min())]
    panels = []
    for model, sub in rf.groupby("model", sort=False):
        size = sub["size"].max()
        panels.append((model, sub["family"].iloc[0], size, sub[sub["size"] == size]))
    panels.sort(key=lambda p: roles.get(p[0], "main") != "main")
    panels = panels[:4]
    most = max(len(p[3]["unit"].unique()) for p in panels)
    ncol = int(np.ceil(np.sqrt(most)))
    fig = plt.figure(figsize=(3.6 * len(panels), 3.6 * np.ceil(most / ncol) / ncol + 0.6))
    subfigs = fig.subfigures(1, len(panels), squeeze=False)[0]
    for sf, (model, fam, size, sub) in zip(subfigs, panels, strict=True):
        units = sorted(sub["unit"].unique())
        ncol = int(np.ceil(np.sqrt(len(units))))
        nrow = int(np.ceil(len(units) / ncol))
        h, w = int(sub["row"].max()) + 1, int(sub["col"].max()) + 1
        axes = sf.subplots(nrow, ncol, squeeze=False)
        for ax in axes.ravel():
            ax.axis("off")
        signed = (sub["weight"] < 0).any()
        for ax, u in zip(axes.ravel(), units, strict=False):
            img = np.zeros((h, w))
            g = sub[sub["unit"] == u]
            img[g["row"].to_numpy(), g["col"].to_numpy()] = g["weight"].to_numpy()
            lim = np.abs(img).max() or 1.0
            cmap, vmin = ("RdBu_r", -lim) if signed else ("gray_r", 0)
            ax.imshow(img, cmap=cmap, vmin=vmin, vmax=lim, interpolation="nearest")
        kind = sub["kind"].iloc[0] if "kind" in sub else None
        what = RF_TITLES.get(kind) or {"snn": "input weights", "ann": "first-layer weights "
                                       "(backprop)", "clustering": "k-means prototypes"
                                       }.get(fam, "first-layer weights")
        base = " (baseline)" if roles.get(model, "main") == "baseline" else ""
        sf.suptitle(f"{model}{base} [{size}]: {what}", fontsize=9)
    return save_figure(fig, path)


# ------------------------------------------------------------------------------------------------
# information processing
# ------------------------------------------------------------------------------------------------


_ENERGY = (("energy_pj_ops", "operations only"), ("energy_pj_sram", "+ SRAM accesses"),
           ("energy_pj_dram", "+ DRAM accesses"))


def fig_energy(t: dict[str, pd.DataFrame], path: Path,
               roles: Mapping[str, str] | None = None) -> Path | None:
    """Estimated energy per inference three ways (± 95 % CI), each model and size, first task."""
    runs = t["runs"]
    cols = [(c, w) for c, w in _ENERGY if c in runs and runs[c].notna().any()]
    if runs.empty or not cols:
        return None
    task = _tasks(runs)[0]
    agg = A.aggregate(runs[runs["task"] == task], [c for c, _ in cols])
    agg["role"] = [(roles or {}).get(m, "main") for m in agg["model"]]
    agg = agg.sort_values(["role", "family", "model", "size"], kind="stable")
    labels = [f"{m}{' (b)' if r == 'baseline' else ''} [{int(s)}]"
              for m, s, r in zip(agg["model"], agg["size"], agg["role"], strict=True)]
    x = np.arange(len(agg))
    width = 0.8 / len(cols)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.7 * len(agg) + 2), 4), layout="constrained")
    for k, ((col, what), color) in enumerate(zip(cols, ("tab:green", "tab:olive", "tab:brown"),
                                                 strict=False)):
        vals = agg[col].to_numpy(dtype=float)
        ax.bar(x + (k - (len(cols) - 1) / 2) * width, np.nan_to_num(vals), width,
               yerr=_err(agg, col), capsize=2, label=what, color=color)
    ax.set_yscale("log")
    ax.set_xticks(x, labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("pJ per inference (log)")
    ax.set_title(f"ESTIMATED energy per inference on {task} (from operation counts; (b) = "
                 "baseline)", fontsize=9)
    ax.legend(fontsize=7)
    return save_figure(fig, path)


def fig_anytime(t: dict[str, pd.DataFrame], path: Path,
                roles: Mapping[str, str] | None = None,
                models: Sequence[str] | None = None, title: str = "anytime answer"
                ) -> Path | None:
    """Accuracy and answered fraction against time after onset (± 95 % CI bands), with both
    chance levels, per task; only ``models`` when given; panels titled ``title on <task>``."""
    at = t["anytime"]
    if at.empty or not {"time_ms", "accuracy"} <= set(at):
        return None
    if models is not None:
        at = at[at["model"].isin(list(models))]
        if at.empty:
            return None
    agg = A.aggregate(at, ["accuracy", "answered_frac"], keys=(*A.GROUP_KEYS, "time_ms"))
    styles = model_styles(at, roles)
    tasks = _tasks(agg)
    fig, axes = plt.subplots(2, len(tasks), figsize=(5.5 * len(tasks), 6.2), squeeze=False,
                             layout="constrained", sharex="col")
    for j, task in enumerate(tasks):
        sub = agg[agg["task"] == task]
        for i, col in enumerate(("accuracy", "answered_frac")):
            ax = axes[i][j]
            if col not in sub:
                continue
            for (model, size), g in sub.groupby(["model", "size"], sort=False):
                g = g.sort_values("time_ms")
                st = size_style(styles[model], sub.loc[sub["model"] == model, "size"].unique(),
                                size)
                ax.plot(g["time_ms"], g[col], markersize=4, **st)
                e = _err(g, col)
                if e is not None:
                    ax.fill_between(g["time_ms"], g[col] - e, g[col] + e, color=st["color"],
                                    alpha=0.15)
            if col == "accuracy":
                _chance_lines(ax, t["runs"], task)
                ax.set_title(f"{title} on {task}")
            _accuracy_axis(ax, "test accuracy" if col == "accuracy" else "answered fraction")
        axes[1][j].set_xlabel("time after stimulus onset (ms)")
    _outside_legend(fig, axes)
    return save_figure(fig, path)


def _outside_legend(fig, axes) -> None:
    """One legend for the whole figure (every panel's entries once), right of the panels, so
    that it hides no data."""
    seen: dict[str, Any] = {}
    for ax in np.ravel(axes):
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(lab, h)
    if seen:
        fig.legend(list(seen.values()), list(seen), loc="outside right upper", fontsize=7)


def fig_speedup(sp: pd.DataFrame, path: Path, roles: Mapping[str, str] | None = None
                ) -> Path | None:
    """Throughput at n threads over throughput at 1 thread (quartile error bars), with the
    ideal line."""
    if sp.empty or sp["threads"].nunique() < 2:
        return None
    styles = model_styles(sp, roles)
    fig, ax = plt.subplots(figsize=(5.5, 4), layout="constrained")
    top = int(sp["threads"].max())
    ax.plot([1, top], [1, top], color="gray", linestyle=":", label="ideal (speed-up = threads)")
    sp = sp.sort_values(["task", "model", "size", "threads"], kind="stable")
    for (task, model, size), g in sp.groupby(["task", "model", "size"], sort=False):
        st = dict(styles[model])
        sizes = sorted(sp.loc[sp["model"] == model, "size"].unique())
        st["marker"] = "os^Dv<>p"[sizes.index(size) % 8]
        st["alpha"] = 0.4 + 0.6 * (sizes.index(size) + 1) / len(sizes)
        st["label"] = f"{st['label']} [{size}] on {task}"
        yerr = np.vstack([(g["speedup"] - g["speedup_q25"]).clip(lower=0),
                          (g["speedup_q75"] - g["speedup"]).clip(lower=0)])
        ax.errorbar(g["threads"], g["speedup"], yerr=yerr, capsize=3, **st)
    if sp["speedup"].min() < 0.5:  # a slow-down by a large factor: show it on a log scale
        ax.set_yscale("log")
    ax.set_xticks(sorted(sp["threads"].unique()))
    ax.set_xlabel("threads")
    ax.set_ylabel("throughput / throughput at 1 thread")
    ax.set_title("speed-up on this machine (median, quartiles)", fontsize=10)
    ax.legend(fontsize=7)
    return save_figure(fig, path)
