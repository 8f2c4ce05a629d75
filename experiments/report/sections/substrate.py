"""6. Learning rule against substrate: rule (STDP local; R-STDP local + reward; surrogate BPTT
global; backprop global) against substrate (spiking; rate), the table that tells which
difference causes which result."""

from __future__ import annotations

import math
from typing import Any

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

#: Learning rule against substrate: model kind -> (rule, substrate).
RULE_SUBSTRATE = {
    "mlp": ("backprop (global error)", "rate units, one pass"),
    "ann2snn": ("backprop (global error)", "spiking neurons, in time"),
    "surrogate_snn": ("surrogate-gradient BPTT (global error, in time)",
                      "spiking neurons, in time"),
    "stdp": ("STDP (local, unsupervised)", "spiking neurons, in time"),
    "rstdp": ("reward-modulated STDP (local + one global reward)",
              "spiking neurons, in time"),
}


def _rule_substrate(ctx: _Run) -> str:
    """Rule against substrate: which difference causes which result."""
    runs = ctx.runs
    head = ("## 6. Learning rule against substrate\n\n"
            "The comparison above changes two things at once: the learning rule (STDP against "
            "backprop) and the substrate (spiking neurons in time against rate units in one "
            "pass). More models separate them: the ANN's own weights run as integrate-and-"
            "fire neurons (ANN-to-SNN conversion: backprop's weights on the spiking substrate), "
            "LIF neurons trained by surrogate gradients through time (a global gradient rule "
            "on the spiking substrate itself: Neftci, Mostafa & Zenke 2019) and "
            "reward-modulated STDP (a local rule with one global reward per sample). Each "
            "cell: accuracy (mean ± CI over seeds), labels used in training, operations per "
            "inference (effective MACs for rate units, synaptic events = effective ACs for "
            "spiking neurons), the 45 nm energy estimate of those operations, and the time to "
            "an answer (the first output, then the final one).\n")
    if runs.empty or "kind" not in runs:
        return head + not_measured("The models of the rule-against-substrate table")
    main = runs[[ctx.roles.get(m, "main") == "main" for m in runs["model"]]]
    present = {k: main[main["kind"] == k] for k in RULE_SUBSTRATE if (main["kind"] == k).any()}
    if len(present) < 2:
        return head + not_measured("Two or more of the table's models (mlp, ann2snn, "
                                   "surrogate_snn, stdp, rstdp)")
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
        elif kind == "stdp" and "surrogate_snn" in present and \
                (present["surrogate_snn"]["task"] == task).any():
            want = present["surrogate_snn"].loc[present["surrogate_snn"]["task"] == task,
                                                "size"].max()
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

    def at(kind: str, size: Any) -> pd.DataFrame | None:
        """The main rows of ``kind`` at ``size`` on the task (first model of that kind)."""
        g = present.get(kind)
        if g is None:
            return None
        g = g[(g["task"] == task) & (g["size"] == size)]
        return g[g["model"] == g["model"].iloc[0]] if not g.empty else None

    words = []
    sur = sizes.get("surrogate_snn")
    for a, b, what in (("ann2snn", "mlp", "Same rule (backprop), other substrate: the "
                        "converted network minus the ANN"),
                       ("stdp", "ann2snn", "Same substrate (spiking), other rule: STDP minus "
                        "the converted network"),
                       ("surrogate_snn", "stdp", "Same substrate (spiking), other rule: "
                        "surrogate BPTT minus STDP at matched neuron counts"),
                       ("surrogate_snn", "mlp", "Same rule family (a global gradient), other "
                        "substrate: the surrogate-trained SNN minus the MLP of the same width"),
                       ("rstdp", "stdp", "A global reward added to the local rule: R-STDP "
                        "minus STDP")):
        if a == "surrogate_snn" and sur is not None:
            pa, pb = at(a, sur), at(b, sur)
            if pa is None or pb is None:
                words.append(f"{what}: not measured (no `{b}` at {fmt(sur)} units in this run).")
                continue
        elif a in cell and b in cell:
            pa, pb = cell[a], cell[b]
        else:
            continue
        p = A.paired_difference(pa, pb)
        words.append(f"{what}: {fmt_cell(p['diff'], p['diff_ci'])} in accuracy (at "
                     f"[{fmt(pa['size'].iloc[0])}], paired by seed; "
                     f"{_interval_words(p['diff'], p['diff_ci'], p['n'])}).")
    return "\n".join([
        head, f"On `{task}`:\n", markdown_table(table),
        "\n".join(f"- {w}" for w in words) + ("\n" if words else ""),
        ctx.figure("rule_substrate", "Accuracy (top) and answered fraction (bottom) against "
                   "time after onset for the spiking models of the table (mean with a "
                   f"{CI} CI band over seeds).", "learning rule against substrate"),
    ])


#: False: the section renders even when no job finished.
NEEDS_JOBS = True


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _rule_substrate(ctx)
