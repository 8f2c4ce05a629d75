"""``report.md`` of a run directory, rendered from its CSV files and manifest only.

One section per difference the essay names (scale, learning rule, parallelism / information
processing), each with tables and figures, written for a reader who has not seen the code.
:func:`render` can be re-run at any time (``brain-vs-ann report DIR``) without retraining.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import figures as F
from experiments.constants import ENERGY_PJ, REFERENCES
from experiments.store import atomic_write_text, read_manifest

__all__ = ["render", "extrapolate_human", "markdown_table", "fmt"]

#: Mean firing rates (Hz) for the human-brain extrapolation: Lennie 2003's cortical average, and
#: a higher illustrative rate.
HUMAN_RATES_HZ = (REFERENCES["cortical_rate_hz"].value, 5.0)


def fmt(value: Any, digits: int = 3) -> str:
    """Format a number for a table: ``digits`` significant digits, scientific when large/small."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    v = float(value)
    if v == 0:
        return "0"
    if float(v).is_integer() and abs(v) < 1e6:
        return f"{int(v):,}"
    if 1e-3 <= abs(v) < 1e6:
        return f"{v:.{digits}g}"
    return f"{v:.{max(digits - 1, 1)}e}"


def markdown_table(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured markdown table of ``frame`` (values through :func:`fmt`)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    columns = list(columns) if columns is not None else list(frame.columns)
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ValueError(f"columns {missing} are not in the frame; available: {list(frame)}")
    if frame.empty:
        return "_(no data)_\n"
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for _, row in frame[columns].iterrows():
        lines.append("| " + " | ".join(fmt(v).replace("|", "\\|") for v in row.tolist())
                     + " |")
    return "\n".join(lines) + "\n"


def extrapolate_human(runs: pd.DataFrame) -> dict[str, Any] | None:
    """Time, memory and energy to simulate 1 s of a human brain, from the spiking runs.

    The cost model is the one the run measured: wall time per inference divided by the
    elementary operations of that inference (synaptic events + neuron updates), taken from the
    largest spiking network (where fixed overheads weigh least). A human brain of
    ``human_neurons`` LIF neurons at the model's ``dt_ms`` needs ``neurons x 1000/dt`` updates
    per simulated second, plus ``synapses x rate`` synaptic events; memory scales the model's
    bytes of learned state per synapse; the energy estimate uses the 45 nm synaptic-event cost.

    Parameters
    ----------
    runs : DataFrame
        ``runs.csv`` rows (ok jobs).

    Returns
    -------
    dict or None
        None when there is no spiking run with the needed columns.
    """
    if not isinstance(runs, pd.DataFrame):
        raise TypeError(f"runs must be a DataFrame of runs.csv, got {type(runs).__name__}")
    need = ["wall_s_infer", "synops", "neuron_updates", "dt_ms", "memory_bytes", "synapses",
            "params"]
    if runs.empty or "family" not in runs or any(c not in runs for c in need):
        return None
    snn = runs[runs["family"] == "snn"].dropna(subset=need)
    if snn.empty:
        return None
    big = snn[snn["synapses"] == snn["synapses"].max()]
    ops = (big["synops"] + big["neuron_updates"]).mean()
    wall = big["wall_s_infer"].mean()
    if not ops > 0:
        return None
    s_per_op = wall / ops
    dt_ms = float(big["dt_ms"].iloc[0])
    steps = 1000.0 / dt_ms
    n = REFERENCES["human_neurons"].value
    syn = REFERENCES["human_synapses"].value
    bytes_per_syn = float((big["memory_bytes"] / big["params"]).mean())
    updates = n * steps
    variants = []
    for rate in HUMAN_RATES_HZ:
        events = syn * rate
        t = s_per_op * (updates + events)
        variants.append({
            "rate_hz": rate,
            "synaptic_events": events,
            "neuron_updates": updates,
            "wall_s": t,
            "wall_days": t / 86400.0,
            "energy_j_est": events * ENERGY_PJ["synop"] * 1e-12,
        })
    return {
        "model": str(big["model"].iloc[0]),
        "size": int(big["size"].iloc[0]),
        "s_per_op": s_per_op,
        "ns_per_op": s_per_op * 1e9,
        "dt_ms": dt_ms,
        "bytes_per_synapse": bytes_per_syn,
        "memory_bytes": bytes_per_syn * syn,
        "variants": variants,
    }


# ------------------------------------------------------------------------------------------------
# sections
# ------------------------------------------------------------------------------------------------


def _agg(runs: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    keys = ["task", "model", "family", "kind", "size"]
    cols = [c for c in cols if c in runs]
    num = [c for c in cols if pd.api.types.is_numeric_dtype(runs[c])]
    other = [c for c in cols if c not in num]
    g = runs.groupby(keys, sort=False)
    out = g[num].mean().reset_index() if num else g.size().reset_index()[keys]
    for c in other:
        out[c] = g[c].first().to_numpy()
    return out.sort_values(["task", "family", "size"], ascending=[True, False, True])


def _fig(name: str, path: Path | None, caption: str) -> str:
    if path is None:
        return f"_(figure {name}: no data in this run)_\n"
    return f"![{caption}](figures/{path.name})\n\n*{caption}*\n"


def _overview(man: dict[str, Any], runs: pd.DataFrame, n_failed: int) -> str:
    cfg = man.get("config", {})
    tasks = ", ".join(f"`{t['key']}`" for t in cfg.get("tasks", []))
    models = "; ".join(
        f"`{m['key']}` ({m['kind']}, sizes {', '.join(map(str, m['sizes']))})"
        for m in cfg.get("models", [])
    )
    cpu = man.get("cpu", {})
    v = man.get("versions", {})
    lines = [
        f"# brain-vs-ann: `{man.get('name', '?')}` run\n",
        f"{man.get('description', '')}\n",
        "A spiking network that learns by spike-timing-dependent plasticity (STDP: local, "
        "unsupervised, online) and a conventional artificial neural network trained by "
        "backpropagation (global error, supervised, epochs) were trained on the same tasks on "
        "this machine. Every number below was measured in this run; every number about real "
        "brains comes with its source (see *Sources*).\n",
        f"- tasks: {tasks}; models: {models}; seeds: {cfg.get('seeds')}",
        f"- jobs: {man.get('n_jobs')} ({man.get('n_done')} finished, {n_failed} failed); "
        f"wall time {fmt(man.get('wall_s'))} s; started {man.get('started')}, "
        f"finished {man.get('finished')}",
        f"- machine: {cpu.get('model')}, {cpu.get('usable_cores')} usable cores; "
        f"Python {v.get('python')}, numpy {v.get('numpy')}, brian2 {v.get('brian2')}; "
        f"{man.get('threads_per_job')} thread(s) per training job, "
        f"{(man.get('executor') or {}).get('workers')} job(s) at a time "
        f"({(man.get('executor') or {}).get('kind')} executor)",
        "- files: `runs.csv` (one row per job), `learning_curves.csv`, "
        "`label_efficiency.csv`, `anytime.csv`, `thread_timing.csv`, `receptive_fields.csv`, "
        "`manifest.json` (resolved config, versions, CPU, thread settings)\n",
        "Column glossary (SPEC section 2): `neurons` = ANN hidden+output units / LIF neurons "
        "(inputs excluded); `synapses` = weights / connections; `memory_bytes` = learned state as "
        "stored; `macs` = ANN multiply-accumulates per inference; `synops` = synaptic events per "
        "inference (presynaptic spikes x fan-out); `neuron_updates` = neurons x time steps; "
        "`activity` = fraction of neurons active (SNN spikes per neuron per step); "
        "`wall_s_infer` = measured seconds per inference; `energy_pj_est` = **estimate** "
        "(45 nm: MAC 4.6 pJ, synaptic event 0.9 pJ; neuron updates not counted).\n",
    ]
    return "\n".join(lines)


def _scale(t, figs, runs: pd.DataFrame) -> str:
    cols = ["neurons", "synapses", "params", "memory_bytes", "accuracy", "macs", "synops",
            "neuron_updates", "energy_pj_est", "wall_s_infer"]
    tab = _agg(runs, cols)
    parts = ["## 1. Scale\n",
             "The essay's first difference: the brain has ~86 billion neurons and ~10^14 "
             "synapses; artificial networks have thousands to millions of units. The table gives "
             "each network's size, the memory its learned state takes, its accuracy, and the "
             "work one inference costs (mean over seeds).\n",
             markdown_table(tab, ["task", "model", "size", *[c for c in cols if c in tab]])]
    m = tab.copy()
    exps = []
    for (task, model), g in m.groupby(["task", "model"], sort=False):
        fam = g["family"].iloc[0]
        for col in (["macs"] if fam == "ann" else ["synops", "neuron_updates"]):
            b = F.fit_exponent(g["synapses"], g[col]) if col in g else None
            if b is not None:
                exps.append({"task": task, "model": model, "cost": col,
                             "exponent vs synapses": round(b, 3), "sizes": len(g)})
    parts.append(_fig("scale_size", figs.get("scale_size"),
                      "Left: test accuracy against network size (synapses/weights, log). Right: "
                      "operations per inference against size, log-log; the legend gives the "
                      "fitted exponent b of cost ~ size^b."))
    if exps:
        parts.append("Fitted exponents (least squares on log10 cost vs log10 synapses; "
                     "1 means cost grows in proportion to the synapse count):\n")
        parts.append(markdown_table(pd.DataFrame(exps)))
    parts.append(_fig("scale_brains", figs.get("scale_brains"),
                      "Our networks (red: spiking, blue: ANN) against real nervous systems "
                      "(green; C. elegans, Drosophila, mouse, human; sources below), log scale."))
    ex = extrapolate_human(runs)
    if ex is None:
        parts.append("_No spiking run: no extrapolation to a human brain._\n")
        return "\n".join(parts)
    brain_w = REFERENCES["brain_power_w"].value
    rows = []
    for v in ex["variants"]:
        rows.append({
            "mean rate (Hz)": v["rate_hz"],
            "synaptic events per s": v["synaptic_events"],
            "neuron updates per s": v["neuron_updates"],
            "wall time on this machine (s)": v["wall_s"],
            "wall time (days)": v["wall_days"],
            "energy est. of the events (J)": v["energy_j_est"],
            "brain (J, ~20 W x 1 s)": brain_w,
        })
    parts.append(
        "### Simulating one second of a human brain on this machine (extrapolation)\n\n"
        f"From the largest spiking network of this run (`{ex['model']}` [{ex['size']}]) the "
        f"measured wall time per elementary operation (one synaptic event or one neuron update, "
        f"including every overhead of the simulator) is **{fmt(ex['ns_per_op'])} ns**. A human "
        f"brain has {fmt(REFERENCES['human_neurons'].value)} neurons (Azevedo et al. 2009) and "
        f"{fmt(REFERENCES['human_synapses'].value)} synapses (Pakkenberg et al. 2003); at this "
        f"model's time step (dt = {fmt(ex['dt_ms'])} ms) one simulated second needs "
        f"{fmt(1000 / ex['dt_ms'])} updates of every neuron, and the synaptic events follow "
        "from the mean firing rate: 0.16 Hz is the cortical average of Lennie (2003); 5 Hz is "
        "an illustrative higher rate. Memory: the model stores "
        f"{fmt(ex['bytes_per_synapse'])} bytes per learned parameter (one per plastic synapse), "
        "so one number per human synapse means "
        f"**{fmt(ex['memory_bytes'] / 1e12)} TB** (state variables, spike "
        "queues and the connectivity index come on top). One core running the same simulator "
        "would take:\n")
    parts.append(markdown_table(pd.DataFrame(rows)))
    parts.append(
        "\nThe brain does this in real time on ~20 W (commonly quoted; Levy & Calvert 2021 put "
        "~0.1 W of it on cortical computation proper). The energy column is only the 45 nm "
        "estimate of the synaptic additions (0.9 pJ each, Horowitz 2014), not what this "
        "machine would draw: it ignores neuron updates, memory traffic and idle power, which "
        "dominate on a CPU. This is a linear extrapolation of a small network; a real "
        "simulation would also pay for communication between machines.\n")
    return "\n".join(parts)


def _learning(t, figs, runs: pd.DataFrame) -> str:
    cols = ["update_locality", "labels_used", "train_samples", "epochs", "wall_s_train",
            "accuracy"]
    tab = _agg(runs, cols)
    parts = ["## 2. Learning rule\n",
             "The essay's second difference: the brain changes synapses by local physiological "
             "plasticity (long-term potentiation, STDP), without a teacher, one experience at a "
             "time; an ANN minimises a loss by backpropagation, a global error signal sent back "
             "through every layer, with labels, over many epochs. `update_locality` says what "
             "each weight update reads: `local` = only its own pre- and postsynaptic activity "
             "and state; `global` = an error propagated from the output. `labels_used` counts "
             "the labels training consumed: STDP learns the weights without labels and uses "
             "them only to assign each neuron a class.\n",
             markdown_table(tab, ["task", "model", "size", *[c for c in cols if c in tab]]),
             _fig("learning_curves", figs.get("learning_curves"),
                  "Test accuracy against the number of training samples presented (log; "
                  "repeats over epochs counted). Red: spiking (STDP), blue: ANN (backprop); "
                  "darker = larger network.")]
    le = t["label_efficiency"]
    if not le.empty:
        le = le.groupby(["task", "model", "size", "labels_per_class"], as_index=False)[
            "accuracy"].mean()
        le["labels"] = le["labels_per_class"].map(lambda k: "all" if k == 0 else str(k))
        piv = le.pivot_table(index=["task", "model", "size"], columns="labels",
                             values="accuracy", sort=False).reset_index()
        order = sorted([c for c in piv.columns if c not in ("task", "model", "size")],
                       key=lambda c: (c == "all", int(c) if c != "all" else 0))
        piv.columns.name = None
        piv = piv.rename(columns={c: f"{c} labels/class" for c in order})
        parts.append("### Label efficiency\n\nTest accuracy when only k labels per class are "
                     "available. The spiking network learns its weights by STDP from all "
                     "training images (no labels) and uses the k labelled images only to "
                     "assign classes to its neurons; the ANN is trained on the k labelled "
                     "images alone (for as many sample presentations as its full run, at most "
                     "2,000 epochs).\n")
        parts.append(markdown_table(piv, ["task", "model", "size",
                                          *[f"{c} labels/class" for c in order]]))
        parts.append(_fig("label_efficiency", figs.get("label_efficiency"),
                          "Accuracy against labels per class (red: spiking, blue: ANN)."))
    parts.append(_fig("receptive_fields", figs.get("receptive_fields"),
                      "What each learned: input weights of the spiking network's excitatory "
                      "neurons after STDP (left; dark = strong) and first-layer weights of the "
                      "ANN after backprop (right; red positive, blue negative)."))
    return "\n".join(parts)


def _parallel(t, figs, runs: pd.DataFrame, man: dict[str, Any] | None = None) -> str:
    cols = ["timesteps", "sequential_depth", "parallel_width", "macs", "synops",
            "neuron_updates", "activity", "energy_pj_est", "wall_s_infer", "threads"]
    tab = _agg(runs, cols)
    parts = ["## 3. Parallelism and information processing\n",
             "The essay's third difference: the brain is massively parallel and event-driven, "
             "an ANN computes layer by layer. `sequential_depth` counts the steps that must "
             "happen one after another to produce an answer (ANN layers; spiking time steps); "
             "`parallel_width` the unit updates available at once. The ANN does a dense "
             "multiply-accumulate for every weight (`macs`); the spiking network does work "
             "only when a spike arrives (`synops`) but updates every neuron every time step "
             "(`neuron_updates`). `activity` is the fraction of neurons active (ANN: non-zero "
             "hidden activations; SNN: spikes per neuron per step). Energy is an **estimate** "
             "from 45 nm operation costs (Horowitz 2014): MAC 4.6 pJ, synaptic event 0.9 pJ, "
             "neuron updates not counted, which favours the spiking model.\n",
             markdown_table(tab, ["task", "model", "size", *[c for c in cols if c in tab]]),
             _fig("operations", figs.get("operations"),
                  "Left: operations per inference (log). Right: estimated energy per inference "
                  "(45 nm constants; an estimate, not a measurement)."),
             _fig("depth_width", figs.get("depth_width"),
                  "Sequential depth against parallel width per inference (log-log).")]
    at = t["anytime"]
    if not at.empty:
        at = at.groupby(["task", "model", "size", "time_ms"], as_index=False)["accuracy"].mean()
        piv = at.pivot_table(index=["task", "model", "size"], columns="time_ms",
                             values="accuracy", sort=False).reset_index()
        piv.columns.name = None
        times = [c for c in piv.columns if c not in ("task", "model", "size")]
        piv = piv.rename(columns={c: f"{fmt(c)} ms" for c in times})
        parts.append("### Anytime answer\n\nA spiking network can answer before the "
                     "presentation ends: the prediction from the spikes of the first t ms of "
                     "each test image. An ANN answer exists only after its last layer.\n")
        parts.append(markdown_table(piv, ["task", "model", "size",
                                          *[f"{fmt(c)} ms" for c in times]]))
        parts.append(_fig("anytime", figs.get("anytime"),
                          "Spiking accuracy against presentation time (red) with the best ANN "
                          "accuracy (dashed blue) and chance (dotted)."))
    tt = t["thread_timing"]
    if not tt.empty:
        tt = tt.groupby(["task", "model", "size", "threads"], as_index=False)[
            "wall_s_infer"].mean()
        tt["wall_us_infer"] = tt["wall_s_infer"] * 1e6
        piv = tt.pivot_table(index=["task", "model", "size"], columns="threads",
                             values="wall_us_infer", sort=False).reset_index()
        piv.columns.name = None
        counts = [c for c in piv.columns if c not in ("task", "model", "size")]
        piv = piv.rename(columns={c: f"{c} thread(s), us" for c in counts})
        if len(counts) >= 2:
            piv["speed-up"] = piv[f"{counts[0]} thread(s), us"] / piv[
                f"{counts[-1]} thread(s), us"]
        parts.append("### Threads\n\nMeasured wall time per inference on this machine with "
                     "1 and more threads: BLAS threads (threadpoolctl) for the ANN, OpenMP "
                     "threads of Brian2's compiled standalone simulation for the spiking "
                     "network (each thread count is its own compiled build, run with "
                     "`OMP_WAIT_POLICY=PASSIVE` unless you set it). Small networks "
                     "gain little: there is not enough work per step to share, and OpenMP "
                     "threads that wait for each other on a busy machine can make things "
                     "slower." + _workers_note(man) + "\n")
        parts.append(markdown_table(piv))
        parts.append(_fig("threads", figs.get("threads"),
                          "Wall time per inference against threads (log)."))
    parts.append(_summary(t, runs))
    return "\n".join(parts)


def _workers_note(man: dict[str, Any] | None) -> str:
    workers = ((man or {}).get("executor") or {}).get("workers")
    if isinstance(workers, int) and workers > 1:
        return (f" This run executed {workers} jobs at a time, so these timings shared the "
                "cores with other jobs; `--jobs 1` gives cleaner numbers.")
    return ""


def _pick(runs: pd.DataFrame, family: str) -> pd.Series | None:
    sub = runs[runs["family"] == family]
    if sub.empty:
        return None
    task = runs["task"].iloc[0]
    sub = sub[sub["task"] == task] if (sub["task"] == task).any() else sub
    size = sub["size"].max()
    model = sub.loc[sub["size"] == size, "model"].iloc[0]  # one model, even if several tie
    chosen = sub[(sub["size"] == size) & (sub["model"] == model)]
    return chosen.mean(numeric_only=True).combine_first(chosen.iloc[0])


def _summary(t, runs: pd.DataFrame) -> str:
    s, a = _pick(runs, "snn"), _pick(runs, "ann")

    def val(r, col, f=fmt):
        return "-" if r is None or col not in r or pd.isna(r[col]) else f(r[col])

    def name(r):
        return "-" if r is None else f"{r['model']} [{int(r['size'])}] on {r['task']}"

    le = t["label_efficiency"]

    def few(r):
        if r is None or le.empty:
            return "-"
        g = le[(le["model"] == r["model"]) & (le["size"] == r["size"]) &
               (le["labels_per_class"] == le["labels_per_class"][le["labels_per_class"] > 0]
                .min())]
        return "-" if g.empty else (f"{fmt(g['accuracy'].mean())} with "
                                    f"{int(g['labels_per_class'].iloc[0])} label(s)/class")

    ref = REFERENCES
    rows = [
        ("networks compared", "human brain", name(s), name(a)),
        ("neurons", f"{fmt(ref['human_neurons'].value)} (Azevedo 2009)", val(s, "neurons"),
         val(a, "neurons")),
        ("synapses", f"{fmt(ref['human_synapses'].value)} neocortex (Pakkenberg 2003)",
         val(s, "synapses"), val(a, "synapses")),
        ("learning rule", "LTP/STDP: local, unsupervised, online",
         f"STDP, update_locality={val(s, 'update_locality', str)}",
         f"backprop, update_locality={val(a, 'update_locality', str)}"),
        ("labels used in training", "few (mostly unsupervised)",
         f"{val(s, 'labels_used')} (only to name neurons; STDP itself used none)",
         f"{val(a, 'labels_used')} (every weight update)"),
        ("accuracy with few labels", "-", few(s), few(a)),
        ("passes over the data", "one life, online", val(s, "epochs"), val(a, "epochs")),
        ("time to an answer", "~150 ms to categorise an image (Thorpe et al. 1996)",
         f"{val(s, 'presentation_ms')} ms presented", "one forward pass"),
        ("sequential depth per answer", "-", val(s, "sequential_depth"),
         val(a, "sequential_depth")),
        ("parallel width", f"all {fmt(ref['human_neurons'].value)} neurons",
         val(s, "parallel_width"), val(a, "parallel_width")),
        ("activity (fraction active)", "<1% strongly active (Lennie 2003)",
         val(s, "activity"), val(a, "activity")),
        ("mean firing rate", "~0.16 Hz cortical average (Lennie 2003)",
         "-" if s is None or pd.isna(s.get("activity")) or pd.isna(s.get("dt_ms")) else
         f"{fmt(s['activity'] * 1000.0 / s['dt_ms'])} Hz", "-"),
        ("energy", "~20 W whole brain (Levy & Calvert 2021: ~0.1 W cortical computation)",
         f"{val(s, 'energy_pj_est')} pJ/inference (est.)",
         f"{val(a, 'energy_pj_est')} pJ/inference (est.)"),
        ("measured time per inference", "-", f"{val(s, 'wall_s_infer')} s",
         f"{val(a, 'wall_s_infer')} s"),
        ("test accuracy", "-", val(s, "accuracy"), val(a, "accuracy")),
    ]
    frame = pd.DataFrame(rows, columns=["difference", "brain (literature)",
                                        "spiking model (this run)", "ANN (this run)"])
    return ("### Summary\n\nThe largest network of each family on the first task.\n\n"
            + markdown_table(frame))


def _sources() -> str:
    lines = ["## Sources\n"]
    for r in REFERENCES.values():
        lines.append(f"- {r.what}: {fmt(r.value)} {r.unit} - {r.source}")
    lines.append("- Energy estimates follow NeuroBench's advice to count dense and effective "
                 "operations honestly (Yik et al. 2025, Nat Commun).")
    return "\n".join(lines) + "\n"


def _failures(out: Path) -> str:
    runs_path = out / "runs.csv"
    runs = pd.read_csv(runs_path)
    if "status" not in runs:
        return ""
    bad = runs[runs["status"] != "ok"]
    if bad.empty:
        return ""
    return ("## Failed jobs\n\n" + markdown_table(bad, ["task", "model", "size", "seed", "error"]))


def render(out: str | os.PathLike) -> Path:
    """Write ``OUT/report.md`` and ``OUT/figures/*.png`` from the run directory's files.

    Parameters
    ----------
    out : path
        A run directory (has ``manifest.json`` and ``runs.csv``).

    Returns
    -------
    Path
        The report's path.

    Raises
    ------
    FileNotFoundError
        ``out`` is not a run directory.
    """
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a path to a run directory, got {type(out).__name__}")
    out = Path(out)
    man = read_manifest(out)
    t = F.load_tables(out)
    runs = t["runs"]
    fig_dir = out / "figures"
    makers = {
        "scale_size": F.fig_scale_size, "scale_brains": F.fig_scale_brains,
        "learning_curves": F.fig_learning_curves, "label_efficiency": F.fig_label_efficiency,
        "receptive_fields": F.fig_receptive_fields, "operations": F.fig_operations,
        "depth_width": F.fig_depth_width, "anytime": F.fig_anytime, "threads": F.fig_threads,
    }
    figs = {}
    for name, maker in makers.items():
        path = fig_dir / f"{name}.png"
        made = maker(t, path) if not runs.empty or name == "scale_brains" else None
        if made is None and path.exists():
            path.unlink()
        figs[name] = made
    n_failed = int(man.get("n_failed") or 0)
    parts = [_overview(man, runs, n_failed)]
    if runs.empty:
        parts.append("_No job finished: nothing to compare yet._\n")
    else:
        parts += [_scale(t, figs, runs), _learning(t, figs, runs), _parallel(t, figs, runs, man)]
    parts += [_failures(out), _sources()]
    path = out / "report.md"
    atomic_write_text(path, "\n".join(p for p in parts if p))
    return path
