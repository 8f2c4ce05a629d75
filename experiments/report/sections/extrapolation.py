"""3. Extrapolation to brains: a power law of wall time against work, fitted across the spiking
sizes, evaluated for the neocortex, the whole brain and the K-computer record."""

from __future__ import annotations

from typing import Any

import pandas as pd

from experiments.facts import constants as C
from experiments.report import analysis as A
from experiments.report import figures as F
from experiments.report.context import (
    CI,
    _bytes,
    _cells,
    _cite,
    _main_snn,
    _ref,
    _Run,
)
from experiments.report.markdown import (
    fmt,
    fmt_cell,
    markdown_table,
    not_measured,
)


def _extrapolation(ctx: _Run) -> str:
    runs = ctx.runs
    parts = ["## 3. Extrapolation to brains\n"]
    snn = _main_snn(ctx)
    if not snn:
        return "\n".join(parts + ["_No spiking model in this run: nothing to extrapolate._\n"])
    # the spiking model and task with the most sizes
    cands = runs[runs["model"].isin(snn)].groupby(["model", "task"], sort=False)["size"] \
        .nunique().sort_values(ascending=False, kind="stable")
    model, task = cands.index[0]
    sub = runs[(runs["model"] == model) & (runs["task"] == task)]
    points = A.sim_second_points(sub, ctx.t.get("timing"))
    if points.empty:
        return "\n".join(parts + [not_measured(
            f"The work and wall time of `{model}` (needs sim_ms_per_inference, effective_acs, "
            "membrane_updates and a wall time per inference)")])
    dt_ms = float(sub["dt_ms"].dropna().iloc[0]) if "dt_ms" in sub and sub["dt_ms"].notna() \
        .any() else None
    if dt_ms is None:
        return "\n".join(parts + [not_measured(f"The time step `dt_ms` of `{model}`")])
    targets = A.brain_targets(dt_ms)
    ex = A.extrapolate(points, targets)
    fit, rows, means = ex["fit"], ex["rows"], ex["means"]
    cpu_w = C.REFERENCES["cpu_core_w"]
    parts.append(
        f"How long would this machine take to simulate one second of a brain with the same "
        f"simulator? Measured on `{model}` on `{task}` ({ex['n_sizes']} size(s)): the wall time "
        "of one simulated second against the work of one simulated second (effective ACs + "
        "membrane updates + Poisson input draws, the counts of the glossary divided by "
        f"`sim_ms_per_inference`). Wall time source: {points['source'].iloc[0]}. The fit is a "
        "line across sizes: a fixed cost per simulated second (scheduling each time step, "
        "starting the simulation, handling its files) plus a marginal cost per operation, which "
        "is what a much larger network pays; no constant cost per operation is assumed.\n")
    meas = means.assign(bytes_per_synapse=means["footprint_bytes"] / means["synapses"])
    cells = _cells(meas, ["size", "synapses"], ["work_per_sim_s", "wall_per_sim_s",
                                                "bytes_per_synapse"])
    parts.append(markdown_table(cells, ["size", "synapses", "work_per_sim_s", "wall_per_sim_s",
                                        "bytes_per_synapse", "seeds"],
                                ["size", "synapses", "work of 1 simulated s (ops)",
                                 "wall s per simulated s", "footprint bytes per synapse",
                                 "seeds"]))
    if fit is None:
        parts.append(f"**The wall time cannot be fitted from fewer than {A.MIN_SIZES} sizes** "
                     f"(this run has {ex['n_sizes']} of `{model}`), so no time, core count or "
                     "energy is extrapolated; run the spiking model at "
                     f"{A.MIN_SIZES} or more sizes. Memory needs no fit:\n")
    else:
        m, h, n = ex["exponent_seeds"]
        spread = (f"; marginal cost fitted per seed: {fmt_cell(m * 1e9, h * 1e9)} ns over {n} "
                  "seeds" if n >= 2 else "")
        parts.append(f"Fit: wall s per simulated s = {fit.fixed:.3g} s + "
                     f"{fit.per_unit * 1e9:.3g} ns × work (R² = {fit.r2:.3f}, {fit.n_points} "
                     f"sizes, work from {fmt(fit.x_min)} to {fmt(fit.x_max)} ops{spread}): "
                     f"**{fit.per_unit * 1e9:.3g} ns per operation** at the margin, against "
                     f"{fmt(ex['s_per_op_largest'] * 1e9)} ns on average, overheads included, "
                     "in the largest network.\n")
    parts.append(
        "Targets, kept apart by scope. Work of one simulated second at this model's "
        f"dt = {fmt(dt_ms)} ms: ACs = synapses × mean rate, membrane updates = neurons × steps "
        "per second, no input draws (a brain's inputs are its own neurons). The neocortex: "
        f"{_cite('cortex_neurons')}, {_cite('human_synapses')}, at {_cite('cortical_rate_hz')}. "
        f"The whole brain: {_cite('human_neurons')}; no sourced whole-brain synapse count is in "
        "the constants, so its synapses are the neocortical count and its ACs a lower bound; "
        "the cortical rate outside the cortex is an assumption. The K-computer record: "
        f"{_cite('k_computer_neurons')}, {_cite('k_computer_synapses')}, at the cortical rate "
        "(an assumption: the record's own rate is not in the constants).\n")
    work = rows[["scope", "neurons", "synapses", "rate_hz", "acs_per_s",
                 "membrane_updates_per_s", "work_per_sim_s"]]
    parts.append(markdown_table(work, headers=["scope", "neurons", "synapses", "rate (Hz)",
                                               "ACs per simulated s",
                                               "membrane updates per simulated s",
                                               "work per simulated s"]))
    def pair(a: Any, b: Any) -> str:
        return f"{fmt(a)} / {fmt(b)}" if fit is not None else "-"

    need = pd.DataFrame({
        "scope": rows["scope"],
        "core_s": [pair(a, b) for a, b in zip(rows["core_s"], rows["core_s_linear"],
                                              strict=True)],
        "days": [pair(a, b) for a, b in zip(rows["days_one_core"], rows["days_linear"],
                                            strict=True)],
        "cores": [pair(a, b) for a, b in zip(rows["cores_real_time"], rows["cores_linear"],
                                             strict=True)],
        "memory": [_bytes(b) for b in rows["memory_bytes"]],
        "energy": [pair(a, b) for a, b in zip(rows["energy_j"], rows["energy_j_linear"],
                                              strict=True)],
        "brain_j": rows["power_w"] * 1.0,
        "orders_beyond": rows["orders_beyond"],
    })
    heads = ["scope", "one core: wall s per simulated s (fit / exponent 1)",
             "days on one core (fit / exponent 1)",
             "cores to run in real time, perfect scaling (fit / exponent 1)",
             "memory (footprint/synapse × synapses)",
             f"energy: TDP × time, an assumption ({fmt(cpu_w.value)} W/core), J (fit / "
             "exponent 1)", "the brain: its power × 1 s, J",
             "orders of magnitude of work beyond our largest network"]
    parts.append("What one simulated second would take on this machine, by the fit and, beside "
                 "it, at exponent 1 (every unit of work at the largest network's measured cost, "
                 f"{fmt(ex['s_per_op_largest'])} s, overheads included):\n")
    parts.append(markdown_table(need, list(need.columns), heads))
    if fit is not None:
        parts.append(
            "The fit keeps the fixed cost per simulated second apart from the marginal cost of "
            "work: at a brain's work per second only the marginal cost matters, and the "
            "exponent-1 column (the largest network's average cost, fixed cost included) is "
            "the bound from above. Both assume that an operation costs at scale what it costs "
            "in a network that fits in the cache; memory traffic and communication between "
            "machines make real large simulations slower (see the K-computer row).\n")
    rapl = (ctx.manifest.get("timing") or {}).get("rapl_readable")
    parts.append(
        f"Memory scales the measured footprint per synapse of the largest network "
        f"(`{model}` [{fmt(ex['largest_size'])}]: {fmt(ex['bytes_per_synapse'])} bytes per "
        "synapse, "
        "neuron state and connectivity indices included) to the target's synapses. Energy is "
        f"`cpu_core_w` ({cpu_w.what}; {cpu_w.source}) times the predicted core-seconds: TDP × "
        "time, an assumption, not a measurement"
        + ("; RAPL energy counters were not readable on this machine "
           "(manifest `timing.rapl_readable` = false)" if rapl is False else
           "; RAPL readings, where present, are in `timing.csv` (`rapl_j`)" if rapl else
           "; the manifest does not say whether RAPL was readable")
        + ". The brain column is the sourced power × 1 s: "
        f"{_cite('cortical_computation_power_w')} for cortical computation, "
        f"{_cite('brain_power_w')} for the whole brain.\n")
    if fit is not None:
        k = rows[rows["scope"] == "K computer"]
        cortex = rows[rows["scope"] == "neocortex"].iloc[0]
        brain = rows[rows["scope"] == "whole brain"].iloc[0]
        if not k.empty:
            k = k.iloc[0]
            parts.append(
                f"**Sanity check against the record.** The K-computer simulation took "
                f"{fmt(_ref('k_computer_wall_s'))} s on {fmt(_ref('k_computer_cores'))} "
                f"processors for 1 s of activity: {fmt(k['record_core_s'])} processor-seconds "
                f"per simulated second. For that network our fit predicts "
                f"{fmt(k['core_s'])} core-seconds ({fmt(k['core_s'] / k['record_core_s'])} "
                f"times the record) and exponent 1 {fmt(k['core_s_linear'])} "
                f"({fmt(k['core_s_linear'] / k['record_core_s'])} times) "
                "(a K processor is not one of our cores; that simulation paid for exchanging "
                "spikes between its processors and for the memory traffic of its synapses, "
                "which a small network that fits in cache never pays, and it ran at its own "
                "time step and firing rates: the ratio says how much of the cost of a real "
                "large-scale simulation an extrapolation from small networks misses).\n")
        parts.append(
            "**In plain words.** At the speed measured here (fit / exponent 1), one simulated "
            f"second of the neocortex would take {pair(cortex['core_s'], cortex['core_s_linear'])}"
            f" s on one core ({pair(cortex['days_one_core'], cortex['days_linear'])} days), or "
            f"{pair(cortex['cores_real_time'], cortex['cores_linear'])} cores to keep up with "
            "real time if the work split perfectly (it does not: see the speed-up below), and "
            f"{_bytes(cortex['memory_bytes'])} of memory; the whole brain "
            f"{pair(brain['core_s'], brain['core_s_linear'])} core-seconds "
            f"({pair(brain['days_one_core'], brain['days_linear'])} days on one core, "
            f"{pair(brain['cores_real_time'], brain['cores_linear'])} cores for real time) and "
            f"at least {_bytes(brain['memory_bytes'])}. These are extrapolations over "
            f"{fmt(cortex['orders_beyond'])} orders of magnitude of work beyond the largest "
            "network measured; communication between machines, which dominates large "
            "simulations, is not in them.\n")
    ctx.fig("extrapolation", F.fig_extrapolation, ex)
    parts.append(ctx.figure("extrapolation", "Wall time against work of one simulated second "
                            f"(log-log; measured sizes with ± {CI} CI over seeds where there "
                            "are several), the fitted power law and where each target lies on "
                            "it; x: the K-computer record.", "extrapolation"))
    return "\n".join(parts)


#: False: the section renders even when no job finished.
NEEDS_JOBS = True


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _extrapolation(ctx)
