"""6. Learning rule against substrate: the 2 x 2 (backprop or STDP, rate units or spiking
neurons) that tells which difference causes which result."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from experiments.report import analysis as A
from experiments.report import figures as F
from experiments.report.context import (
    CI,
    _interval_words,
    _Run,
    _task_order,
)
from experiments.report.markdown import (
    fmt,
    fmt_cell,
    markdown_table,
    not_measured,
)
from experiments.report.stats import mean_ci

#: The 2 x 2 of learning rule against substrate: model kind -> (rule, substrate).
RULE_SUBSTRATE = {
    "mlp": ("backprop (global error)", "rate units, one pass"),
    "ann2snn": ("backprop (global error)", "spiking neurons, in time"),
    "stdp": ("STDP (local, unsupervised)", "spiking neurons, in time"),
    "rstdp": ("reward-modulated STDP (local + one global reward)",
              "spiking neurons, in time"),
}


def _rule_substrate(ctx: _Run) -> str:
    """The 2 x 2: which difference (rule or substrate) causes which result."""
    runs = ctx.runs
    head = ("## 6. Learning rule against substrate\n\n"
            "The comparison above changes two things at once: the learning rule (STDP against "
            "backprop) and the substrate (spiking neurons in time against rate units in one "
            "pass). Two more models separate them: the ANN's own weights run as integrate-and-"
            "fire neurons (ANN-to-SNN conversion: backprop's rule on the spiking substrate) "
            "and reward-modulated STDP (a local rule with one global reward per sample). Each "
            "cell: accuracy (mean ± CI over seeds), labels used in training, operations per "
            "inference (effective MACs for rate units, synaptic events = effective ACs for "
            "spiking neurons), the 45 nm energy estimate of those operations, and the time to "
            "an answer (the first output, then the final one).\n")
    if runs.empty or "kind" not in runs:
        return head + not_measured("The models of the 2 x 2")
    main = runs[[ctx.roles.get(m, "main") == "main" for m in runs["model"]]]
    present = {k: main[main["kind"] == k] for k in RULE_SUBSTRATE if (main["kind"] == k).any()}
    if len(present) < 2:
        return head + not_measured("Two or more of the 2 x 2's models (mlp, ann2snn, stdp, "
                                   "rstdp)")
    task = next(t for t in _task_order(ctx) if any((g["task"] == t).any()
                                                    for g in present.values()))
    sizes = {}
    conv = present.get("ann2snn")
    rst = present.get("rstdp")
    for kind, g in present.items():
        g = g[g["task"] == task]
        if g.empty:
            continue
        if kind == "mlp" and conv is not None and (conv["task"] == task).any():
            want = conv.loc[conv["task"] == task, "size"].max()
        elif kind == "stdp" and rst is not None and (rst["task"] == task).any():
            want = rst.loc[rst["task"] == task, "size"].max()
        else:
            want = g["size"].max()
        sizes[kind] = want if want in set(g["size"]) else g["size"].max()
    rows = []
    for kind, (rule, substrate) in RULE_SUBSTRATE.items():
        if kind not in sizes:
            continue
        g = present[kind]
        g = g[(g["task"] == task) & (g["size"] == sizes[kind])]
        g = g[g["model"] == g["model"].iloc[0]]
        ops = sum(g[c].fillna(0) for c in ("effective_acs", "effective_macs") if c in g)
        g = g.assign(operations=ops if not isinstance(ops, int) else np.nan)
        m = {c: mean_ci(g[c]) if c in g else (math.nan, math.nan, 0)
             for c in ("accuracy", "labels_used", "operations", "energy_pj_ops",
                       "ms_to_first_output", "sim_ms_per_inference", "steps_to_first_output",
                       "sequential_depth")}
        first = (f"{fmt(m['ms_to_first_output'][0])} ms" if math.isfinite(
            m["ms_to_first_output"][0]) else f"{fmt(m['steps_to_first_output'][0])} layer step(s)")
        final = (f"{fmt(m['sim_ms_per_inference'][0])} ms simulated" if math.isfinite(
            m["sim_ms_per_inference"][0]) else f"{fmt(m['sequential_depth'][0])} layer step(s)")
        rows.append({"rule": rule, "substrate": substrate,
                     "model": f"`{g['model'].iloc[0]}` [{fmt(sizes[kind])}]",
                     "accuracy": fmt_cell(*m["accuracy"][:2]),
                     "labels used": fmt(m["labels_used"][0]),
                     "operations per inference": fmt_cell(*m["operations"][:2]),
                     "energy of the operations (pJ, est.)": fmt_cell(*m["energy_pj_ops"][:2]),
                     "first answer": first, "final answer": final,
                     "seeds": m["accuracy"][2]})
    table = pd.DataFrame(rows)
    ctx.fig("rule_substrate", F.fig_anytime, ctx.t, ctx.roles,
            [g["model"].iloc[0] for k, g in present.items() if k != "mlp"],
            "learning rule against substrate")
    cell = {k: present[k][(present[k]["task"] == task) & (present[k]["size"] == sizes[k])]
            for k in sizes}
    words = []
    for a, b, what in (("ann2snn", "mlp", "Same rule (backprop), other substrate: the "
                        "converted network minus the ANN"),
                       ("stdp", "ann2snn", "Same substrate (spiking), other rule: STDP minus "
                        "the converted network"),
                       ("rstdp", "stdp", "A global reward added to the local rule: R-STDP "
                        "minus STDP")):
        if a in cell and b in cell:
            p = A.paired_difference(cell[a], cell[b])
            words.append(f"{what}: {fmt_cell(p['diff'], p['diff_ci'])} in accuracy (paired by "
                         f"seed; {_interval_words(p['diff'], p['diff_ci'], p['n'])}).")
    return "\n".join([
        head, f"On `{task}`:\n", markdown_table(table),
        "\n".join(f"- {w}" for w in words) + ("\n" if words else ""),
        ctx.figure("rule_substrate", "Accuracy (top) and answered fraction (bottom) against "
                   "time after onset for the spiking models of the 2 x 2 (mean with a "
                   f"{CI} CI band over seeds).", "learning rule against substrate"),
    ])


#: False: the section renders even when no job finished.
NEEDS_JOBS = True


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _rule_substrate(ctx)
