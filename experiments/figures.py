"""The report's figures, drawn from a run directory's CSV files only (matplotlib, Agg backend).

Each ``fig_*`` function takes the loaded tables (:func:`load_tables`) and a destination path,
draws one PNG and returns the path, or ``None`` when the run has no data for it (for example no
spiking model). Figures never retrain or import a model package.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from experiments.constants import BRAINS  # noqa: E402

__all__ = [
    "DPI",
    "FAMILY_COLOR",
    "fit_exponent",
    "load_tables",
    "fig_scale_size",
    "fig_scale_brains",
    "fig_learning_curves",
    "fig_label_efficiency",
    "fig_receptive_fields",
    "fig_operations",
    "fig_depth_width",
    "fig_anytime",
    "fig_threads",
    "save_figure",
]

DPI = 90
FAMILY_COLOR = {"snn": "tab:red", "ann": "tab:blue"}
FAMILY_NAME = {"snn": "spiking (STDP)", "ann": "ANN (backprop)"}
_CSV = ("runs", "learning_curves", "label_efficiency", "anytime", "thread_timing",
        "receptive_fields")


def load_tables(out: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """Read the run directory's CSVs into DataFrames (empty frames for missing files).

    ``runs`` keeps only jobs with ``status == "ok"``.
    """
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a path to a run directory, got {type(out).__name__}")
    out = Path(out)
    if not (out / "runs.csv").is_file():
        raise FileNotFoundError(f"{out / 'runs.csv'} not found: run `brain-vs-ann run` first")
    tables = {}
    for name in _CSV:
        path = out / f"{name}.csv"
        try:
            tables[name] = pd.read_csv(path) if path.is_file() else pd.DataFrame()
        except pd.errors.EmptyDataError:
            tables[name] = pd.DataFrame()
    runs = tables["runs"]
    if "status" in runs:
        tables["runs"] = runs[runs["status"] == "ok"].reset_index(drop=True)
    return tables


def fit_exponent(x, y) -> float | None:
    """Slope ``b`` of ``log10 y = a + b log10 x`` by least squares (None with < 2 distinct x).

    Parameters
    ----------
    x, y : array-like of shape (n,)
        Positive values; non-positive or missing pairs are dropped.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}")
    keep = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    x, y = x[keep], y[keep]
    if len(np.unique(x)) < 2:
        return None
    slope, _ = np.polyfit(np.log10(x), np.log10(y), 1)
    return float(slope)


def _mean_by_size(runs: pd.DataFrame, cols) -> pd.DataFrame:
    keys = ["task", "model", "family", "kind", "size"]
    cols = [c for c in cols if c in runs]
    return runs.groupby(keys, as_index=False)[cols].mean(numeric_only=True)


def save_figure(fig, path: Path) -> Path:
    """Write ``fig`` to ``path`` as PNG atomically (temp file + rename) and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.png")
    fig.savefig(tmp, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, path)
    return path


def _style(model: str, family: str, i: int) -> dict:
    marker = "os^Dv<>p"[i % 8]
    return {"color": FAMILY_COLOR.get(family, "gray"), "marker": marker}


def fig_scale_size(t: dict[str, pd.DataFrame], path: Path) -> Path | None:
    """Accuracy vs synapses and operations per inference vs synapses (log-log, fitted slope)."""
    runs = t["runs"]
    if runs.empty:
        return None
    m = _mean_by_size(runs, ["synapses", "accuracy", "macs", "synops", "neuron_updates"])
    tasks = list(dict.fromkeys(m["task"]))
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    ax = axes[0]
    for ti, task in enumerate(tasks):
        for mi, (model, g) in enumerate(m[m["task"] == task].groupby("model", sort=False)):
            g = g.sort_values("synapses")
            st = _style(model, g["family"].iloc[0], mi)
            ax.plot(g["synapses"], g["accuracy"], linestyle=["-", "--", ":", "-."][ti % 4],
                    label=f"{model} on {task}", **st)
    ax.set_xscale("log")
    ax.set_xlabel("synapses / weights (log)")
    ax.set_ylabel("test accuracy")
    ax.set_title("accuracy vs size")
    ax.legend(fontsize=7)
    ax = axes[1]
    task = tasks[0]
    mt = m[m["task"] == task]
    for model, g in mt.groupby("model", sort=False):
        g = g.sort_values("synapses")
        fam = g["family"].iloc[0]
        metrics = [("macs", "MACs", "o-")] if fam == "ann" else [
            ("synops", "synaptic events", "s-"), ("neuron_updates", "neuron updates", "^--")]
        for col, what, fmt in metrics:
            if col not in g or g[col].isna().all():
                continue
            b = fit_exponent(g["synapses"], g[col])
            slope = f", slope {b:.2f}" if b is not None else ""
            ax.plot(g["synapses"], g[col], fmt, color=FAMILY_COLOR.get(fam, "gray"),
                    label=f"{model}: {what}{slope}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("synapses / weights (log)")
    ax.set_ylabel("operations per inference (log)")
    ax.set_title(f"cost vs size on {task} (log-log)")
    ax.legend(fontsize=7)
    return save_figure(fig, path)


def fig_scale_brains(t: dict[str, pd.DataFrame], path: Path) -> Path | None:
    """Our networks placed against C. elegans, Drosophila, mouse and human (log scale)."""
    runs = t["runs"]
    if runs.empty:
        return None
    m = _mean_by_size(runs, ["neurons", "synapses"])
    m = m[m["task"] == m["task"].iloc[0]]
    labels, neurons, synapses, colors = [], [], [], []
    for _, r in m.sort_values(["family", "size"]).iterrows():
        labels.append(f"{r['model']} [{int(r['size'])}]")
        neurons.append(r["neurons"])
        synapses.append(r["synapses"])
        colors.append(FAMILY_COLOR.get(r["family"], "gray"))
    for name, n, s in BRAINS:
        labels.append(name)
        neurons.append(n)
        synapses.append(np.nan if s is None else s)
        colors.append("tab:green")
    y = np.arange(len(labels))
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.35 * len(labels) + 1.5), sharey=True,
                             layout="constrained")
    for ax, vals, what in [(axes[0], neurons, "neurons"), (axes[1], synapses, "synapses")]:
        vals = np.asarray(vals, dtype=float)
        ax.barh(y, np.where(np.isfinite(vals), vals, 0), color=colors)
        for yi, v in zip(y, vals, strict=True):
            ax.text(v if np.isfinite(v) else 1, yi, f" {v:.2g}" if np.isfinite(v) else " n/a",
                    va="center", fontsize=7)
        ax.set_xscale("log")
        ax.set_xlim(1, 1e16)
        ax.set_xlabel(f"{what} (log)")
    axes[0].set_yticks(y, labels, fontsize=8)
    axes[0].invert_yaxis()
    fig.suptitle("our networks (red: spiking, blue: ANN) against nervous systems (green)",
                 fontsize=10)
    return save_figure(fig, path)


def fig_learning_curves(t: dict[str, pd.DataFrame], path: Path) -> Path | None:
    """Test accuracy against training samples seen, per task, both families."""
    lc = t["learning_curves"]
    if lc.empty or "eval_accuracy" not in lc or lc["eval_accuracy"].isna().all():
        return None
    lc = lc.dropna(subset=["eval_accuracy", "samples_seen"])
    lc = lc.groupby(["task", "model", "family", "size", "samples_seen"], as_index=False)[
        "eval_accuracy"].mean()
    tasks = list(dict.fromkeys(lc["task"]))
    fig, axes = plt.subplots(1, len(tasks), figsize=(5 * len(tasks), 3.8), squeeze=False,
                             layout="constrained")
    for ax, task in zip(axes[0], tasks, strict=True):
        sub = lc[lc["task"] == task]
        for i, ((model, size), g) in enumerate(sub.groupby(["model", "size"], sort=False)):
            fam = g["family"].iloc[0]
            sizes = sorted(sub[sub["model"] == model]["size"].unique())
            alpha = 0.35 + 0.65 * (sizes.index(size) + 1) / len(sizes)
            ax.plot(g["samples_seen"], g["eval_accuracy"], marker="o", markersize=3,
                    color=FAMILY_COLOR.get(fam, "gray"), alpha=alpha,
                    label=f"{model} [{size}]")
            del i
        ax.set_xscale("log")
        ax.set_xlabel("training samples seen (log; repeats counted)")
        ax.set_ylabel("test accuracy")
        ax.set_title(task)
        ax.legend(fontsize=7)
    return save_figure(fig, path)


def fig_label_efficiency(t: dict[str, pd.DataFrame], path: Path) -> Path | None:
    """Accuracy against the number of labels per class (0 plotted as 'all')."""
    le = t["label_efficiency"]
    if le.empty:
        return None
    le = le.groupby(["task", "model", "family", "size", "labels_per_class"], as_index=False)[
        ["accuracy", "labels_used"]].mean()
    ks = sorted(le["labels_per_class"].unique(), key=lambda k: (k == 0, k))
    pos = {k: i for i, k in enumerate(ks)}
    tasks = list(dict.fromkeys(le["task"]))
    fig, axes = plt.subplots(1, len(tasks), figsize=(5 * len(tasks), 3.8), squeeze=False,
                             layout="constrained")
    for ax, task in zip(axes[0], tasks, strict=True):
        sub = le[le["task"] == task]
        for (model, size), g in sub.groupby(["model", "size"], sort=False):
            g = g.assign(x=g["labels_per_class"].map(pos)).sort_values("x")
            sizes = sorted(sub[sub["model"] == model]["size"].unique())
            rank = sizes.index(size)
            ax.plot(g["x"], g["accuracy"], marker="os^Dv"[rank % 5], color=FAMILY_COLOR.get(
                g["family"].iloc[0], "gray"), alpha=0.35 + 0.65 * (rank + 1) / len(sizes),
                label=f"{model} [{size}]")
        ax.set_xticks(range(len(ks)), [str(k) if k else "all" for k in ks])
        ax.set_xlabel("labels per class")
        ax.set_ylabel("test accuracy")
        ax.set_title(f"label efficiency on {task}")
        ax.legend(fontsize=7)
    return save_figure(fig, path)


def fig_receptive_fields(t: dict[str, pd.DataFrame], path: Path) -> Path | None:
    """STDP input weights next to the ANN's first-layer weights (largest size of each)."""
    rf = t["receptive_fields"]
    if rf.empty:
        return None
    task = rf["task"].iloc[0]
    rf = rf[(rf["task"] == task) & (rf["seed"] == rf["seed"].min())]
    panels = []
    for fam in ("snn", "ann"):
        sub = rf[rf["family"] == fam]
        if sub.empty:
            continue
        size = sub["size"].max()
        sub = sub[sub["size"] == size]
        panels.append((fam, sub["model"].iloc[0], size, sub))
    if not panels:
        return None
    fig = plt.figure(figsize=(5 * len(panels), 5.3))
    subfigs = fig.subfigures(1, len(panels), squeeze=False)[0]
    for sf, (fam, model, size, sub) in zip(subfigs, panels, strict=True):
        units = sorted(sub["unit"].unique())
        n = int(np.ceil(np.sqrt(len(units))))
        h, w = int(sub["row"].max()) + 1, int(sub["col"].max()) + 1
        axes = sf.subplots(n, n, squeeze=False)
        for ax in axes.ravel():
            ax.axis("off")
        for ax, u in zip(axes.ravel(), units, strict=False):
            img = np.zeros((h, w))
            g = sub[sub["unit"] == u]
            img[g["row"].to_numpy(), g["col"].to_numpy()] = g["weight"].to_numpy()
            lim = np.abs(img).max() or 1.0
            cmap, vmin = ("gray_r", 0) if fam == "snn" else ("RdBu_r", -lim)
            ax.imshow(img, cmap=cmap, vmin=vmin, vmax=lim, interpolation="nearest")
        rule = "STDP input weights" if fam == "snn" else "first-layer weights (backprop)"
        sf.suptitle(f"{model} [{size}] on {task}: {rule}", fontsize=9)
    return save_figure(fig, path)


def fig_operations(t: dict[str, pd.DataFrame], path: Path) -> Path | None:
    """Operations and estimated energy per inference for each model size (log scale)."""
    runs = t["runs"]
    if runs.empty:
        return None
    m = _mean_by_size(runs, ["macs", "synops", "neuron_updates", "energy_pj_est"])
    m = m[m["task"] == m["task"].iloc[0]].sort_values(["family", "size"])
    labels = [f"{r.model} [{int(r.size)}]" for r in m.itertuples()]
    x = np.arange(len(m))
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    ax = axes[0]
    width = 0.27
    for k, (col, name, color) in enumerate([("macs", "MACs", "tab:blue"),
                                            ("synops", "synaptic events", "tab:red"),
                                            ("neuron_updates", "neuron updates", "tab:orange")]):
        vals = m[col].to_numpy(dtype=float) if col in m else np.full(len(m), np.nan)
        ax.bar(x + (k - 1) * width, np.nan_to_num(vals), width, label=name, color=color)
    ax.set_yscale("log")
    ax.set_xticks(x, labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("operations per inference (log)")
    ax.set_title(f"work per inference on {m['task'].iloc[0]}")
    ax.legend(fontsize=7)
    ax = axes[1]
    e = m["energy_pj_est"].to_numpy(dtype=float)
    ax.bar(x, np.nan_to_num(e), color=[FAMILY_COLOR.get(f, "gray") for f in m["family"]])
    ax.set_yscale("log")
    ax.set_xticks(x, labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("pJ per inference (log)")
    ax.set_title("ESTIMATED energy per inference\n(45 nm: MAC 4.6 pJ, synaptic event 0.9 pJ)",
                 fontsize=10)
    return save_figure(fig, path)


def fig_depth_width(t: dict[str, pd.DataFrame], path: Path) -> Path | None:
    """Sequential depth against parallel width per inference (log-log)."""
    runs = t["runs"]
    if runs.empty or runs[["sequential_depth", "parallel_width"]].isna().all().all():
        return None
    m = _mean_by_size(runs, ["sequential_depth", "parallel_width", "activity"])
    m = m[m["task"] == m["task"].iloc[0]]
    fig, ax = plt.subplots(figsize=(5.5, 4), layout="constrained")
    for fam, g in m.groupby("family"):
        ax.scatter(g["parallel_width"], g["sequential_depth"], s=40,
                   color=FAMILY_COLOR.get(fam, "gray"), label=FAMILY_NAME.get(fam, fam))
        for r in g.itertuples():
            ax.annotate(f"{r.model} [{int(r.size)}]", (r.parallel_width, r.sequential_depth),
                        fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("parallel width: independent unit updates per step (log)")
    ax.set_ylabel("sequential depth: dependent steps (log)")
    ax.set_title("how each network spends its work")
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def fig_anytime(t: dict[str, pd.DataFrame], path: Path) -> Path | None:
    """Spiking accuracy against presentation time, with the ANN's accuracy for reference."""
    at = t["anytime"]
    if at.empty:
        return None
    at = at.groupby(["task", "model", "size", "time_ms"], as_index=False)["accuracy"].mean()
    runs = t["runs"]
    tasks = list(dict.fromkeys(at["task"]))
    fig, axes = plt.subplots(1, len(tasks), figsize=(5 * len(tasks), 3.6), squeeze=False,
                             layout="constrained")
    for ax, task in zip(axes[0], tasks, strict=True):
        for (model, size), g in at[at["task"] == task].groupby(["model", "size"], sort=False):
            ax.plot(g["time_ms"], g["accuracy"], marker="o", color="tab:red",
                    alpha=0.5 + 0.5 * (size == at["size"].max()), label=f"{model} [{size}]")
        ann = runs[(runs["task"] == task) & (runs["family"] == "ann")]
        if not ann.empty:
            best = ann.groupby(["model", "size"])["accuracy"].mean()
            ax.axhline(best.max(), color="tab:blue", linestyle="--",
                       label=f"best ANN ({best.idxmax()[0]} [{best.idxmax()[1]}])")
        n_classes = runs.loc[runs["task"] == task, "n_classes"]
        if not n_classes.empty:
            ax.axhline(1 / n_classes.iloc[0], color="gray", linestyle=":", label="chance")
        ax.set_xlabel("presentation time used (ms)")
        ax.set_ylabel("test accuracy")
        ax.set_title(f"anytime answer on {task}")
        ax.legend(fontsize=7)
    return save_figure(fig, path)


def fig_threads(t: dict[str, pd.DataFrame], path: Path) -> Path | None:
    """Measured wall time per inference at each thread count (log y)."""
    tt = t["thread_timing"]
    if tt.empty:
        return None
    tt = tt.groupby(["task", "model", "family", "size", "threads"], as_index=False)[
        "wall_s_infer"].mean()
    fig, ax = plt.subplots(figsize=(5.5, 3.8), layout="constrained")
    for (task, model, size), g in tt.groupby(["task", "model", "size"], sort=False):
        ax.plot(g["threads"], g["wall_s_infer"] * 1e6, marker="o",
                color=FAMILY_COLOR.get(g["family"].iloc[0], "gray"),
                label=f"{model} [{size}] on {task}")
    ax.set_yscale("log")
    ax.set_xticks(sorted(tt["threads"].unique()))
    ax.set_xlabel("threads")
    ax.set_ylabel("wall time per inference (us, log)")
    ax.set_title("measured on this machine")
    ax.legend(fontsize=7)
    return save_figure(fig, path)
