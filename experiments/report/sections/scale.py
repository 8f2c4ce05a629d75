"""2. Scale: size, accuracy and work per inference; cost exponents; the size trend against
Diehl & Cook (2015); figures against size and against real nervous systems."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from experiments.facts import constants as C
from experiments.report import analysis as A
from experiments.report import figures as F
from experiments.report.context import (
    CI,
    _agg,
    _cite,
    _interval_words,
    _main_snn,
    _role_tables,
    _Run,
    _sort,
)
from experiments.report.markdown import (
    fmt,
    fmt_cell,
    markdown_table,
    not_measured,
)

_SIZE_COLS = ("neurons", "synapses", "footprint_bytes", "accuracy")


_WORK_COLS = ("presentations_per_sample", "sim_ms_per_inference", "dense_ops", "effective_macs",
              "effective_acs", "membrane_updates", "energy_pj_ops", "energy_pj_sram",
              "energy_pj_dram")


_EXP_COSTS = ("dense_ops", "effective_macs", "effective_acs", "membrane_updates")


#: The section's heading (the first screen links to it).
TITLE = "2. Scale"


def _scale(ctx: _Run) -> str:
    runs = ctx.runs
    brains = ", ".join(f"{name} {fmt(n)} neurons" for name, n, _ in C.BRAINS)
    parts = [f"## {TITLE}\n",
             "The essay's first difference: a human brain has "
             f"{_cite('human_neurons')} and its neocortex {_cite('human_synapses')}; artificial "
             f"networks have thousands to millions of units. For scale: {brains}.\n",
             "### Size and accuracy\n",
             _role_tables(ctx, _agg(ctx, runs, _SIZE_COLS), ["task", "model", "size"],
                          _SIZE_COLS),
             "### Work and energy per inference\n",
             "Means per test sample; the spiking network's counts cover every showing and rest "
             "(see [What was really simulated](#what-was-really-simulated)). Energy columns are "
             "estimates (see [Energy assumptions](#energy-assumptions)).\n",
             _role_tables(ctx, _agg(ctx, runs, _WORK_COLS), ["task", "model", "size"],
                          _WORK_COLS),
             _exponents(ctx)]
    ctx.fig("scale_accuracy", F.fig_scale_accuracy, ctx.t, ctx.roles)
    ctx.fig("scale_operations", F.fig_scale_operations, ctx.t, ctx.roles)
    ctx.fig("scale_brains", F.fig_scale_brains, ctx.t, ctx.roles)
    parts.append(ctx.figure(
        "scale_accuracy", f"Test accuracy against size (synapses, log), mean ± {CI} CI over "
        "seeds; dashed, open markers: baselines; grey lines: chance as 1 / classes (dotted) "
        "and as the majority-class rate (dash-dot).", "accuracy vs size"))
    parts.append(ctx.figure(
        "scale_operations", f"Operations per inference against size, log-log, mean ± {CI} CI "
        "over seeds, one panel per kind of operation.", "operations vs size"))
    parts.append(ctx.figure(
        "scale_brains", "The largest network of each model against real nervous systems "
        "(green; counts and sources in *Sources*), log scale.", "networks vs brains"))
    parts.append(_size_trend(ctx))
    return "\n".join(parts)


def _exponents(ctx: _Run) -> str:
    exps = A.cost_exponents(ctx.runs, _EXP_COSTS)
    head = ("### Cost exponents\n\nThe exponent b of cost ∝ synapses^b, fitted by least "
            f"squares on log cost against log synapses for each seed and shown as mean ± {CI} "
            f"CI over seeds; b = 1 means cost grows in proportion to size. A fit needs "
            f"{A.MIN_SIZES} or more sizes.\n")
    if exps.empty:
        return head + not_measured("Cost exponents (no sizes with synapses and costs)")
    fitted = exps[exps["n_seeds"] > 0]
    short = _sort(ctx, exps[exps["n_seeds"] == 0].drop_duplicates(["task", "model"]))
    parts = [head]
    if not fitted.empty:
        fitted = _sort(ctx, fitted).assign(exponent=[
            fmt_cell(m, h) for m, h in zip(fitted["exponent"], fitted["exponent_ci"],
                                           strict=True)])
        parts.append(markdown_table(fitted, ["task", "model", "role", "cost", "n_sizes",
                                             "exponent", "n_seeds"],
                                    ["task", "model", "role", "cost", "sizes", "exponent b",
                                     "seeds"]))
    for r in short.to_dict("records"):
        parts.append(f"- `{r['model']}` on `{r['task']}` ({r['n_sizes']} size"
                     f"{'s' if r['n_sizes'] != 1 else ''}): the exponent cannot be fitted from "
                     f"fewer than {A.MIN_SIZES} sizes.")
    return "\n".join(parts) + "\n"


def _size_trend(ctx: _Run) -> str:
    runs = ctx.runs
    head = "### Size trend of the spiking network against Diehl & Cook (2015)\n"
    dc = C.DC2015_ACCURACY
    stdp = [m for m in _main_snn(ctx) if "kind" not in runs
            or (runs.loc[runs["model"] == m, "kind"] == "stdp").all()]
    on_digits = runs[(runs["model"].isin(stdp)) & (runs.get("task_name", runs["task"])
                                                    == "digits")] if stdp else runs.iloc[0:0]
    if on_digits.empty:
        return head + not_measured("The spiking network on `digits`")
    task = on_digits["task"].iloc[0]
    sub = on_digits[on_digits["task"] == task].copy()
    if "epochs" not in sub:
        sub["epochs"] = np.nan
    sub["cost_per_inference"] = sum(sub[c].fillna(0) for c in A.WORK_COLUMNS if c in sub)
    agg = A.aggregate(sub, ["accuracy", "synapses", "cost_per_inference",
                            "sim_ms_per_inference", "epochs"], ["model", "size"])
    sizes = sorted(set(agg["size"]) | set(dc))
    rows = []
    for s in sizes:
        found = agg[agg["size"] == s]
        for r in ([None] if found.empty else [r for _, r in found.iterrows()]):
            rows.append({
                "excitatory neurons": s,
                "model": "-" if r is None else r["model"],
                "epochs": "-" if r is None else r["epochs"],
                f"this run, {task} (accuracy)": "-" if r is None else fmt_cell(
                    r["accuracy"], r["accuracy_ci"]),
                "seeds": "-" if r is None else r["n_seeds"],
                "synapses": None if r is None else r["synapses"],
                "ACs + membrane updates + input draws per inference":
                    None if r is None else r["cost_per_inference"],
                "sim_ms_per_inference": None if r is None else r["sim_ms_per_inference"],
                "Diehl & Cook 2015, MNIST (accuracy)": dc.get(s),
            })
    best = agg.loc[agg["accuracy"].idxmax()] if agg["accuracy"].notna().any() else None
    one = agg[agg["model"] == stdp[0]] if stdp[0] in set(agg["model"]) else agg
    trend = pd.DataFrame({"size": sizes,
                          "accuracy": [one.loc[one["size"] == s, "accuracy"].mean()
                                       if s in set(one["size"]) else np.nan for s in sizes],
                          "accuracy_ci": [one.loc[one["size"] == s, "accuracy_ci"].mean()
                                          if s in set(one["size"]) else np.nan for s in sizes],
                          "dc2015": [dc.get(s, np.nan) for s in sizes]})
    ctx.fig("size_trend", F.fig_size_trend, trend, task)
    n_feat = sub["n_features"].iloc[0] if "n_features" in sub else None
    side = int(round(math.sqrt(n_feat))) if isinstance(n_feat, (int, float, np.integer)) \
        and n_feat > 0 else None
    shape = f"{side}x{side} ({int(n_feat)} inputs)" if side and side * side == n_feat else \
        f"{fmt(n_feat)} inputs"
    text = [head,
            f"The spiking network(s) {', '.join(f'`{m}`' for m in stdp)} on `{task}` beside "
            f"Diehl & Cook's MNIST accuracy ({C.REFERENCES['dc2015_accuracy_100'].source}), "
            "with the epochs each size was trained for. The tasks differ: `digits` "
            f"images are {shape}, MNIST images 28x28 (784 inputs), with far more training "
            "images (60,000 against about 1,400) in their study, so only the trend with size "
            "is comparable, not the level.\n",
            markdown_table(pd.DataFrame(rows))]
    if best is not None:
        text.append(f"Best spiking mean in this run: `{best['model']}` with {fmt(best['size'])}"
                    f" neurons, {fmt_cell(best['accuracy'], best['accuracy_ci'])} over "
                    f"{fmt(best['n_seeds'])} seeds.\n")
    first = sub[sub["model"] == stdp[0]]
    if first["size"].nunique() >= 2:
        lo, hi = first["size"].min(), first["size"].max()
        p = A.paired_difference(first[first["size"] == hi], first[first["size"] == lo])
        text.append(f"From {lo} to {hi} excitatory neurons (`{stdp[0]}`) the accuracy changes "
                    f"by {fmt_cell(p['diff'], p['diff_ci'])} (paired by seed; "
                    f"{_interval_words(p['diff'], p['diff_ci'], p['n'])}).\n")
    text.append(ctx.figure("size_trend", f"Accuracy of `{stdp[0]}` against excitatory neurons: "
                           f"this run (mean ± {CI} CI over seeds) and Diehl & Cook 2015 on "
                           "MNIST (a different, larger task).", "size trend"))
    return "\n".join(text)


#: False: the section renders even when no job finished.
NEEDS_JOBS = True


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _scale(ctx)
