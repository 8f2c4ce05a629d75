"""5. Information processing: depth to an answer, energy, activity, the anytime answer, timing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from experiments.facts import constants as C
from experiments.protocols import timing
from experiments.report import analysis as A
from experiments.report import figures as F
from experiments.report.context import (
    CI,
    SPEEDUP_LOSS,
    _agg,
    _role_tables,
    _Run,
    _sort,
    _task_order,
)
from experiments.report.markdown import (
    bullets,
    docstring_paragraphs,
    fmt,
    fmt_cell,
    fmt_range,
    markdown_table,
    not_measured,
    quote,
)
from experiments.report.stats import mean_ci

#: The section's heading (the first screen links to it).
TITLE = "5. Information processing and parallelism"


def _processing(ctx: _Run) -> str:
    parts = [f"## {TITLE}\n",
             "The essay's third difference: the brain is massively parallel and event-driven; "
             "an ANN computes layer by layer.\n",
             _depth(ctx), _energy_section(ctx), _activity(ctx), _anytime(ctx), _timing(ctx)]
    return "\n".join(parts)


def _depth(ctx: _Run) -> str:
    cols = ["steps_to_first_output", "ms_to_first_output", "steps_to_final_output",
            "sequential_depth", "presentations_per_sample", "sim_ms_per_inference",
            "parallel_width"]
    ref = C.REFERENCES["rapid_categorisation_ms"]
    return "\n".join([
        "### Depth to an answer\n",
        "How many dependent steps stand between a stimulus and an answer. On a CPU the "
        "spiking network's time steps run one after another, each updating every neuron; on "
        "neuromorphic hardware each step would be one parallel update of all neurons, so its "
        "`sequential_depth` (time steps) is the length of its critical path either way. The "
        "ANN's dependent steps are its layers: a handful of large parallel matrix products. "
        "`ms_to_first_output` is simulated time, comparable with the brain's: "
        f"{ref.what}, {fmt(ref.value)} {ref.unit} ({ref.source}).\n",
        _role_tables(ctx, _agg(ctx, ctx.runs, cols), ["task", "model", "size"], cols),
    ])


def _energy_section(ctx: _Run) -> str:
    runs = ctx.runs.copy()
    if {"effective_macs", "effective_acs"} <= set(runs):
        runs["effective_ops"] = runs["effective_macs"].fillna(0) + runs["effective_acs"] \
            .fillna(0)
    cols = ["presentations_per_sample", "sim_ms_per_inference", "effective_ops",
            "membrane_updates", "input_draws", "energy_pj_ops", "energy_pj_sram",
            "energy_pj_dram"]
    pj = ", ".join(f"{k} {fmt(v)} pJ" for k, v in C.ENERGY_PJ.items())
    ctx.fig("energy", F.fig_energy, ctx.t, ctx.roles)
    return "\n".join([
        "### Operations and energy, two ways\n",
        f"Estimated per inference from the counts ({pj}): operations only, then with one "
        "64-bit memory access per effective operation and two per membrane update, from SRAM "
        "(best case) or DRAM (worst case); the assumption in full is under [Energy "
        "assumptions](#energy-assumptions). A spiking network updates every neuron at every "
        "time step whether or not a spike arrives, so its memory side can outweigh its cheap "
        "accumulates.\n",
        _role_tables(ctx, _agg(ctx, runs, cols), ["task", "model", "size"], cols),
        ctx.figure("energy", "Estimated energy per inference three ways (operations only, "
                   f"+ SRAM, + DRAM), mean ± {CI} CI over seeds, log scale.", "energy"),
    ])


def _activity(ctx: _Run) -> str:
    cols = ["activation_sparsity", "fraction_active", "spike_rate_hz"]
    rate, frac = C.REFERENCES["cortical_rate_hz"], C.REFERENCES["active_fraction"]
    return "\n".join([
        "### Activity\n",
        f"For comparison, the cortex: {rate.what} {fmt(rate.value)} {rate.unit}, {frac.what} "
        f"{fmt(frac.value)} ({rate.source}).\n",
        _role_tables(ctx, _agg(ctx, ctx.runs, cols), ["task", "model", "size"], cols),
    ])


def _anytime(ctx: _Run) -> str:
    at = ctx.t["anytime"]
    head = ("### Anytime answer\n\nA spiking network can answer before its presentation ends: "
            "the prediction from the spikes of the first t ms after onset, and the fraction of "
            "samples that got any answer by then. An ANN's answer exists only after its last "
            "layer.\n")
    if at.empty or not {"time_ms", "accuracy"} <= set(at):
        return head + not_measured("The anytime answer")
    agg = _sort(ctx, _agg(ctx, at, ["accuracy", "answered_frac"],
                          (*A.GROUP_KEYS, "time_ms")), ["time_ms"])
    chance = []
    runs = ctx.runs
    for task in _task_order(ctx):
        sub = runs[runs["task"] == task] if "task" in runs else runs
        if sub.empty:
            continue
        n_cls = sub["n_classes"].dropna() if "n_classes" in sub else pd.Series([], dtype=float)
        maj = sub["majority_rate"] if "majority_rate" in sub else pd.Series([], dtype=float)
        chance.append(f"`{task}`: 1 / classes = "
                      f"{fmt(1.0 / n_cls.iloc[0]) if len(n_cls) else '-'}, majority class = "
                      f"{fmt_cell(*mean_ci(maj)[:2]) if maj.notna().any() else '-'}")
    ctx.fig("anytime", F.fig_anytime, ctx.t, ctx.roles)
    return "\n".join([
        head,
        "Chance, two ways: " + "; ".join(chance) + ".\n" if chance else "",
        _role_tables(ctx, agg, ["task", "model", "size", "time_ms"],
                     ["accuracy", "answered_frac"]),
        ctx.figure("anytime", "Accuracy (top) and answered fraction (bottom) against time "
                   f"after onset, mean with a {CI} CI band over seeds; sizes of one model in "
                   "shades of its colour (lighter = smaller) with a marker each; grey: chance "
                   "as 1 / classes (dotted) and as the majority-class rate (dash-dot).", "anytime"),
    ])


def _timing(ctx: _Run) -> str:
    tt = ctx.t["timing"]
    doc = docstring_paragraphs(timing)
    head = "### Timing on this machine\n"
    if tt.empty:
        return head + not_measured("The timing phase (timing.csv)")
    ts = _sort(ctx, A.timing_summary(tt), ["mode", "threads"])
    if ts.empty:
        return head + not_measured("Timing medians and quartiles (timing.csv lacks them)")
    ts = ts.assign(
        cell=[fmt_range(v, lo, hi) for v, lo, hi in zip(ts["value"], ts["value_q25"],
                                                         ts["value_q75"], strict=True)],
        what=["latency, ms per sample (batch 1)" if m == "latency" else
              "throughput, samples/s (whole test set)" for m in ts["mode"]])
    cols = ["task", "model", "size", "role", "seed", "what", "threads", "threads_used", "cell",
            "repeats", "n_samples", "load_avg"]
    if "rapl_j" in ts and ts["rapl_j"].notna().any():
        cols.append("rapl_j")
    cols = [c for c in cols if c in ts]
    parts = [head, "What each figure includes (from `experiments.protocols.timing`):\n",
             quote("\n\n".join(doc[1:])) if len(doc) > 1 else "",
             "Each trained model timed alone after all jobs, one seed, median [q25–q75] over "
             "repeats (no interval over seeds: one seed is timed).\n",
             markdown_table(ts, cols, [{"cell": "median [q25–q75]",
                                        "load_avg": "load average (1 min)"}.get(c, c)
                                       for c in cols])]
    sp = A.speedups(tt)
    ctx.fig("speedup", F.fig_speedup, sp, ctx.roles)
    if sp.empty or sp["threads"].nunique() < 2:
        parts.append(not_measured("A speed-up (timing at more than one thread count)"))
        return "\n".join(parts)
    parts.append(ctx.figure("speedup", "Throughput at n threads over throughput at 1 thread "
                            "(median, quartile error bars) against the ideal line.",
                            "speed-up"))
    parts.append(_speedup_words(ctx, sp))
    return "\n".join(parts)


def _speedup_words(ctx: _Run, sp: pd.DataFrame) -> str:
    cores = (ctx.manifest.get("cpu") or {}).get("usable_cores")
    agg = A.aggregate(ctx.runs, ["effective_acs", "membrane_updates", "input_draws",
                                 "effective_macs", "timesteps"])
    tt = ctx.t["timing"]
    lines = []
    for r in _sort(ctx, sp[sp["threads"] > 1], ["threads"]).to_dict("records"):
        slower = (f" — {fmt(1.0 / r['speedup'])} times SLOWER than with 1 thread"
                  if r["speedup"] < 1 else "")
        line = (f"`{r['model']}` [{r['size']}] on `{r['task']}` at {r['threads']} threads: "
                f"speed-up {fmt(r['speedup'])} (efficiency {fmt(r['efficiency'])}){slower}.")
        if r["efficiency"] < SPEEDUP_LOSS:
            a = agg[(agg["task"] == r["task"]) & (agg["model"] == r["model"])
                    & (agg["size"] == r["size"])]
            one = tt[(tt["task"] == r["task"]) & (tt["model"] == r["model"])
                     & (tt["size"] == r["size"]) & (tt["mode"] == "throughput")
                     & (tt["threads"] == 1)]
            steps = float(a["timesteps"].iloc[0]) if not a.empty and "timesteps" in a else np.nan
            if r.get("family") == "snn" and not a.empty and not one.empty and steps > 1:
                ops = sum(float(a[c].iloc[0]) for c in A.WORK_COLUMNS if c in a
                          and math.isfinite(float(a[c].iloc[0])))
                us = float(one["median_s"].iloc[0] / one["n_samples"].iloc[0]) / steps * 1e6
                us_n = us / r["speedup"]
                line += (f" A loss: each of the {fmt(steps)} time steps of an inference holds "
                         f"about {fmt(ops / steps)} operations, {fmt(us)} µs of work on one "
                         f"thread ({fmt(us_n)} µs per step at {r['threads']} threads); with "
                         "more threads every step ends in an OpenMP barrier where the threads "
                         "wait for each other, a fixed cost per step that so little work per "
                         "step does not amortise, and a thread the operating system has "
                         "descheduled keeps the others waiting at that barrier.")
            elif not a.empty and "effective_macs" in a:
                line += (f" A loss: one inference holds about "
                         f"{fmt(float(a['effective_macs'].iloc[0]))} multiply-accumulates, too "
                         "little to split across threads with a gain.")
            load = r.get("load_avg")
            if load is not None and math.isfinite(float(load)):
                line += (f" The one-minute load average was {fmt(float(load))}"
                         f"{f' on {cores} usable cores' if cores else ''}: "
                         + ("other processes shared the cores, so the extra threads waited "
                            "for a core." if cores and float(load) > cores else
                            "the cores were not oversubscribed."))
        lines.append(line)
    return bullets(lines)


#: False: the section renders even when no job finished.
NEEDS_JOBS = True


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _processing(ctx)
