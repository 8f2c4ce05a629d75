"""``report.md`` of a run directory, rendered from its manifest and CSV files only.

The sections follow the essay's three differences between artificial networks and the brain
(scale, learning rule, information processing), after an overview of what ran and what each
number counts, and before a summary, the sources and the failed jobs:

1. Overview: tasks, models (kind, role, sizes), seeds, jobs, machine, threads; what the
   spiking network really simulated per inference; the glossary (made from
   :data:`contract.COST_METRICS`) and the energy assumptions (:mod:`experiments.facts.energy`).
2. Scale: size, accuracy and work per inference; cost exponents; the size trend against
   Diehl & Cook (2015); figures against size and against real nervous systems.
3. Extrapolation to brains: a power law of wall time against work, fitted across the spiking
   sizes, evaluated for the neocortex, the whole brain and the K-computer record.
4. Learning rule: accuracy, label efficiency, paired differences against the baselines.
5. Information processing: depth to an answer, energy, activity, the anytime answer, timing.
6. Summary; further measurements (the sections of :mod:`experiments.report.beyond` where that
   module exists, and any other CSV of the run directory as a generic mean ± CI table);
   sources; failed jobs.

Every mean over seeds is shown with its 95 % t interval (:mod:`experiments.report.stats`, through
:func:`experiments.report.analysis.aggregate`) and the number of seeds; models with role
``"baseline"`` are listed apart from the main comparison. Every number about brains or hardware
comes from :mod:`experiments.facts.constants`, read at render time. A table or column the run did
not produce is reported as not measured; rendering never needs the models or the job files.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contract import COST_METRICS
from experiments.facts import constants as C
from experiments.facts import energy
from experiments.protocols import timing
from experiments.report import analysis as A
from experiments.report import figures as F
from experiments.report.markdown import (
    bullets,
    docstring_paragraphs,
    figure,
    fmt,
    fmt_cell,
    fmt_range,
    markdown_table,
    not_measured,
    quote,
)
from experiments.report.stats import mean_ci
from experiments.store import atomic_write_text, read_manifest

__all__ = ["render", "build_report", "fmt", "markdown_table"]

#: The intervals' confidence level as text ("95 %").
CI = f"{A.LEVEL * 100:g} %"
#: Speed-up / threads below this counts as a loss worth explaining.
SPEEDUP_LOSS = 0.8
#: Columns of runs.csv that are not cost metrics, explained in the overview.
RUN_NOTES = {
    "accuracy": "fraction of test samples answered correctly (an unanswered sample is wrong)",
    "answered_frac": "fraction of test samples that got an answer (a spiking network whose "
                     "excitatory neurons stay silent gives none)",
    "majority_rate": "share of the most frequent class in the test set (a chance level)",
    "energy_pj_ops / _sram / _dram": "estimated pJ per inference (see the energy assumptions)",
    "wall_s_train, wall_s_test": "measured seconds to fit (compilation excluded) and to predict "
                                 "the whole test set, inside the job, beside other jobs",
}


@dataclass
class _Run:
    """Everything a section needs: the run directory's files, the roles, the figures made."""

    out: Path
    manifest: dict[str, Any]
    t: dict[str, pd.DataFrame]
    roles: dict[str, str]
    draw: bool
    figs: dict[str, Path | None] = field(default_factory=dict)

    @property
    def runs(self) -> pd.DataFrame:
        return self.t["runs"]

    def fig(self, name: str, maker: Callable[..., Path | None], *args: Any) -> Path | None:
        """Draw ``figures/<name>.png`` as ``maker(args[0], path, *args[1:])`` (None: no data)."""
        path = self.out / "figures" / f"{name}.png"
        made = None
        if self.draw:
            made = maker(*args[:1], path, *args[1:])
            if made is None and path.exists():
                path.unlink()
        self.figs[name] = made
        return made

    def figure(self, name: str, caption: str, what: str) -> str:
        if not self.draw:
            return f"_(figure {name}: not drawn in this rendering)_\n"
        return figure(self.figs.get(name), caption, what)


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------


def _model_order(ctx: _Run) -> list[str]:
    models = [m.get("key") for m in (ctx.manifest.get("config") or {}).get("models") or []]
    extra = [m for m in pd.unique(ctx.runs["model"])] if "model" in ctx.runs else []
    return list(dict.fromkeys([*[m for m in models if m], *extra]))


def _task_order(ctx: _Run) -> list[str]:
    tasks = [t.get("key") for t in (ctx.manifest.get("config") or {}).get("tasks") or []]
    extra = list(pd.unique(ctx.runs["task"])) if "task" in ctx.runs else []
    return list(dict.fromkeys([*[t for t in tasks if t], *extra]))


def _sort(ctx: _Run, frame: pd.DataFrame, extra: Sequence[str] = ()) -> pd.DataFrame:
    """Rows in the manifest's task and model order, then size (and ``extra``)."""
    if frame.empty:
        return frame
    f = A.add_roles(frame, ctx.roles) if "role" not in frame else frame.copy()
    tasks, models = _task_order(ctx), _model_order(ctx)
    keys = []
    if "task" in f:
        f["_t"] = [tasks.index(t) if t in tasks else len(tasks) for t in f["task"]]
        keys.append("_t")
    if "model" in f:
        f["_m"] = [models.index(m) if m in models else len(models) for m in f["model"]]
        keys.append("_m")
    keys += [k for k in ("size", *extra) if k in f]
    return f.sort_values(keys, kind="stable").drop(columns=["_t", "_m"], errors="ignore")


def _cells(agg: pd.DataFrame, ids: Sequence[str], cols: Sequence[str],
           digits: int = 3) -> pd.DataFrame:
    """Aggregated rows as text: ids, each column ``mean ± half-width``, then ``seeds``."""
    out = pd.DataFrame({c: agg[c].to_numpy() for c in ids if c in agg})
    for c in cols:
        if c in agg:
            half = agg[f"{c}_ci"] if f"{c}_ci" in agg else [None] * len(agg)
            out[c] = [fmt_cell(m, h, digits) for m, h in zip(agg[c], half, strict=True)]
    out["seeds"] = agg["n_seeds"].to_numpy() if "n_seeds" in agg else "-"
    return out


def _missing(frame: pd.DataFrame, cols: Sequence[str]) -> list[str]:
    return [c for c in cols if c not in frame or frame[c].isna().all()]


def _role_tables(ctx: _Run, agg: pd.DataFrame, ids: Sequence[str], cols: Sequence[str],
                 digits: int = 3, headers: dict[str, str] | None = None) -> str:
    """The main comparison and the baselines as two tables of ``mean ± CI`` cells; columns the
    run did not measure are named below them."""
    if agg.empty:
        return "_(no data)_\n"
    agg = _sort(ctx, agg)
    shown = [c for c in cols if c in agg and not agg[c].isna().all()]
    gone = [c for c in cols if c not in shown]
    parts = []
    for role, title in (("main", "Main comparison"), ("baseline", "Baselines")):
        sub = agg[agg["role"] == role]
        if sub.empty:
            if role == "baseline":
                parts.append("_Baselines: none in this run._\n")
            continue
        cells = _cells(sub, ids, shown, digits)
        names = [*[c for c in ids if c in cells], *shown, "seeds"]
        parts.append(f"**{title}**\n\n" + markdown_table(
            cells, names, [(headers or {}).get(c, c) for c in names]))
    if gone:
        parts.append(not_measured("Columns " + ", ".join(f"`{c}`" for c in gone)))
    return "\n".join(parts)


def _agg(ctx: _Run, frame: pd.DataFrame, cols: Sequence[str],
         keys: Sequence[str] = A.GROUP_KEYS) -> pd.DataFrame:
    agg = A.aggregate(frame, cols, keys)
    return A.add_roles(agg, ctx.roles) if not agg.empty else agg.assign(role=[])


def _ref(key: str) -> float:
    return C.REFERENCES[key].value


def _cite(key: str) -> str:
    r = C.REFERENCES[key]
    return f"{fmt(r.value)} {r.unit} ({r.source})"


def _main_snn(ctx: _Run) -> list[str]:
    runs = ctx.runs
    if runs.empty or "family" not in runs:
        return []
    models = runs.loc[runs["family"] == "snn", "model"].unique()
    return [m for m in _model_order(ctx) if m in models and ctx.roles.get(m, "main") == "main"]


def _bytes(n: float) -> str:
    if n is None or not math.isfinite(n):
        return "-"
    for unit, scale in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.3g} B"


def _interval_words(d: float, h: float, n: int) -> str:
    if n < 2 or not math.isfinite(h):
        return "one seed, so no interval"
    lo, hi = d - h, d + h
    side = "excludes" if lo > 0 or hi < 0 else "includes"
    return f"{CI} CI {fmt(lo)} to {fmt(hi)} over {n} paired seeds; the interval {side} zero"


# ------------------------------------------------------------------------------------------------
# 1. overview
# ------------------------------------------------------------------------------------------------


def _header(ctx: _Run) -> str:
    man = ctx.manifest
    return "\n".join(p for p in [
        f"# brain-vs-ann: `{man.get('name', '?')}` run\n",
        f"{man['description']}\n" if man.get("description") else "",
        "Spiking networks that learn by spike-timing-dependent plasticity (STDP: local, "
        "unsupervised, online) and artificial neural networks trained by backpropagation "
        "(global error, supervised, epochs) were trained on the same tasks on this machine, "
        "beside baselines that show what each learning rule adds. Every number below was "
        "measured in this run, except the numbers about brains and hardware, which come with "
        "their sources (see *Sources*).\n",
        "**How to read the tables.** A cell `m ± h` is the mean over seeds and the half-width "
        f"of its two-sided {CI} Student-t interval; `seeds` says over how many. A value without "
        "± is the same in every seed (a synapse count) or comes from one seed. `-` means not "
        "applicable or not measured. Models with role `baseline` are listed apart from the "
        "main comparison.\n",
    ] if p)


def _duration(seconds: Any) -> str:
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        return "-"
    return f"{seconds:,.1f} s ({seconds / 60:.1f} min)"


def _params(m: dict[str, Any]) -> str:
    p = m.get("params") or []
    items = p.items() if isinstance(p, dict) else p
    return ", ".join(f"{k}={v}" for k, v in items) or "defaults"


def _overview(ctx: _Run) -> str:
    man, runs = ctx.manifest, ctx.runs
    cfg = man.get("config") or {}
    parts = ["## 1. Overview\n", "### What ran\n"]
    task_rows = []
    for tk in _task_order(ctx):
        sub = runs[runs["task"] == tk] if "task" in runs else runs.iloc[0:0]
        first = sub.iloc[0] if not sub.empty else {}
        spec = next((x for x in cfg.get("tasks") or [] if x.get("key") == tk), {})
        task_rows.append({"task": tk, "dataset": first.get("task_name", spec.get("task", "-")),
                          "n_features": first.get("n_features"),
                          "n_classes": first.get("n_classes"), "n_train": first.get("n_train"),
                          "n_test": first.get("n_test"),
                          "majority_rate": sub["majority_rate"].mean()
                          if "majority_rate" in sub and not sub.empty else None})
    if task_rows:
        parts.append(markdown_table(pd.DataFrame(task_rows)))
    model_rows = []
    meaning = runs.groupby("model")["size_meaning"].first() if {"model", "size_meaning"} \
        <= set(runs) else {}
    fams = runs.groupby("model")["family"].first() if {"model", "family"} <= set(runs) else {}
    for m in cfg.get("models") or []:
        model_rows.append({"model": m.get("key"), "kind": m.get("kind"),
                           "family": fams.get(m.get("key"), "-"),
                           "role": m.get("role") or "main",
                           "sizes": ", ".join(map(str, m.get("sizes") or [])),
                           "size means": meaning.get(m.get("key"), "-"),
                           "tasks": ", ".join(m.get("tasks") or []) or "all",
                           "parameters set": _params(m)})
    if model_rows:
        parts.append(markdown_table(pd.DataFrame(model_rows)))
    else:
        parts.append(not_measured("The model list (manifest.json has no config.models)"))
    cpu = man.get("cpu") or {}
    ex = man.get("executor") or {}
    tm = man.get("timing") or {}
    v = man.get("versions") or {}
    pools = "; ".join(f"{p.get('internal_api')} {p.get('num_threads')} thread(s)"
                      for p in man.get("blas_threadpools") or [])
    env = ", ".join(f"{k}={val}" for k, val in (man.get("thread_env") or {}).items())
    parts.append(bullets([
        f"seeds: {', '.join(map(str, man.get('seeds') or cfg.get('seeds') or []))}",
        f"jobs: {man.get('n_jobs', '-')} ({man.get('n_done', '-')} finished, "
        f"{man.get('n_failed', '-')} failed); status `{man.get('status', '-')}`"
        f"{' (resumed)' if man.get('resumed') else ''}",
        _wall_line(man, tm, ctx.runs),
        f"machine: {cpu.get('model', '-')}, {cpu.get('logical_cores', '-')} logical / "
        f"{cpu.get('usable_cores', '-')} usable cores; {man.get('platform', '-')}",
        f"threads: {man.get('threads_per_job', cfg.get('threads', '-'))} per training job, "
        f"{ex.get('workers', '-')} job(s) at a time ({ex.get('kind', '-')} executor); "
        f"timing phase threads per model {tm.get('threads', '-')}, {tm.get('repeats', '-')} "
        f"repeats; thread pools at start: {pools or '-'}; environment: {env or '-'}",
        "versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) if v else "",
        "files: `runs.csv` (one row per job), `learning_curves.csv`, `label_efficiency.csv`, "
        "`anytime.csv`, `timing.csv`, `receptive_fields.csv`, `manifest.json`",
    ]))
    parts.append(_simulated(ctx))
    parts.append(_glossary())
    parts.append(_energy_assumptions())
    return "\n".join(parts)


def _rest_ms(ctx: _Run, model: str, presentation_ms: float, sim_ms: float,
             presentations: float) -> tuple[Any, str]:
    for m in (ctx.manifest.get("config") or {}).get("models") or []:
        if m.get("key") == model:
            p = m.get("params") or []
            p = dict(p) if not isinstance(p, dict) else p
            if "rest_ms" in p:
                return p["rest_ms"], "config"
    if all(isinstance(x, (int, float)) and math.isfinite(x) and x > 0
           for x in (presentation_ms, sim_ms, presentations)):
        return sim_ms / presentations - presentation_ms, "derived"
    return None, "-"


def _simulated(ctx: _Run) -> str:
    runs = ctx.runs
    head = ["### What was really simulated\n"]
    snn = runs[runs["family"] == "snn"] if "family" in runs else runs.iloc[0:0]
    if snn.empty:
        return "\n".join(head + ["_No spiking model in this run: nothing was simulated in "
                                 "time; every ANN inference is one forward pass._\n"])
    cols = ["dt_ms", "presentation_ms", "presentations_per_sample", "timesteps",
            "sim_ms_per_inference", "train_samples", "epochs"]
    agg = _sort(ctx, _agg(ctx, snn, cols))
    rest = []
    for r in agg.to_dict("records"):
        val, how = _rest_ms(ctx, r["model"], r.get("presentation_ms"),
                            r.get("sim_ms_per_inference"), r.get("presentations_per_sample"))
        rest.append(f"{fmt(val)} ({how})" if val is not None else "-")
    cells = _cells(agg, ["task", "model", "size", "role"], cols)
    cells.insert(5, "rest_ms", rest)
    names = ["task", "model", "size", "role", "dt_ms", "presentation_ms", "rest_ms",
             "presentations_per_sample", "timesteps", "sim_ms_per_inference", "train_samples",
             "epochs", "seeds"]
    names = [n for n in names if n in cells]
    snn_text = {m.name: m.snn for m in COST_METRICS}
    head.append(
        "A spiking inference is not one pass: each sample is shown for `presentation_ms` of "
        "Poisson input, then the network rests (`rest_ms`) so that its state decays before "
        "the next sample; `presentations_per_sample` counts "
        f"{snn_text.get('presentations_per_sample', 'the showings')}; `timesteps` counts "
        f"{snn_text.get('timesteps', 'every simulated step')}. Every per-inference cost below "
        "is a mean per test sample of this whole simulated time, so `presentations_per_sample` "
        "and `sim_ms_per_inference` stand beside each cost table; costs were measured on "
        "the whole test set of each job (for the spiking network: the very simulation its "
        "test accuracy comes from). A `rest_ms` marked *derived* is "
        "`sim_ms_per_inference / presentations_per_sample − presentation_ms` (the config "
        "left the model's default).\n")
    head.append(markdown_table(cells, names))
    return "\n".join(head)


def _glossary() -> str:
    rows = [{"metric": f"`{m.name}`", "unit": m.unit, "per": m.per, "meaning": m.meaning,
             "ANN counts": m.ann, "spiking network counts": m.snn,
             "NeuroBench": m.neurobench or "-"} for m in COST_METRICS]
    notes = bullets(f"`{k}`: {v}" for k, v in RUN_NOTES.items())
    return ("### Glossary\n\nThe cost metrics, as `contract.COST_METRICS` defines them for both "
            "families (`per`: a property of the fitted model, or a mean per inference):\n\n"
            + markdown_table(pd.DataFrame(rows)) + "\nOther columns of `runs.csv`:\n\n" + notes)


def _energy_source(value: float) -> str:
    """The reference behind an energy constant (matched by value), or where to look."""
    for r in C.REFERENCES.values():
        if r.unit == "pJ" and r.value == value:
            return f"{r.what}; {r.source}"
    return "see experiments/constants.py"


def _energy_assumptions() -> str:
    rows = [{"energy per": key, "pJ": val, "what and source": _energy_source(val)}
            for key, val in C.ENERGY_PJ.items()]
    text = " ".join(docstring_paragraphs(energy)[:2])
    return ("### Energy assumptions\n\nEnergy is **estimated**, never measured, from the "
            f"operation counts; the columns {', '.join(f'`{c}`' for c in energy.ENERGY_COLUMNS)}"
            " are computed by `experiments.facts.energy`:\n\n" + quote(text) + "\n"
            + markdown_table(pd.DataFrame(rows)))


# ------------------------------------------------------------------------------------------------
# 2. scale
# ------------------------------------------------------------------------------------------------

_SIZE_COLS = ("neurons", "synapses", "footprint_bytes", "accuracy")
_WORK_COLS = ("presentations_per_sample", "sim_ms_per_inference", "dense_ops", "effective_macs",
              "effective_acs", "membrane_updates", "energy_pj_ops", "energy_pj_sram",
              "energy_pj_dram")
_EXP_COSTS = ("dense_ops", "effective_macs", "effective_acs", "membrane_updates")


def _scale(ctx: _Run) -> str:
    runs = ctx.runs
    brains = ", ".join(f"{name} {fmt(n)} neurons" for name, n, _ in C.BRAINS)
    parts = ["## 2. Scale\n",
             "The essay's first difference: a human brain has "
             f"{_cite('human_neurons')} and its neocortex {_cite('human_synapses')}; artificial "
             f"networks have thousands to millions of units. For scale: {brains}.\n",
             "### Size and accuracy\n",
             _role_tables(ctx, _agg(ctx, runs, _SIZE_COLS), ["task", "model", "size"],
                          _SIZE_COLS),
             "### Work and energy per inference\n",
             "Means per test sample; the spiking network's counts cover every showing and rest "
             "(see *What was really simulated*). Energy columns are estimates (see *Energy "
             "assumptions*).\n",
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
            [g["model"].iloc[0] for k, g in present.items() if k != "mlp"])
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


# ------------------------------------------------------------------------------------------------
# 3. extrapolation
# ------------------------------------------------------------------------------------------------


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


# ------------------------------------------------------------------------------------------------
# 4. learning rule
# ------------------------------------------------------------------------------------------------


def _learning(ctx: _Run) -> str:
    runs = ctx.runs
    cols = ["accuracy", "update_locality", "labels_used", "train_samples", "epochs",
            "wall_s_train"]
    parts = ["## 4. Learning rule\n",
             "The essay's second difference: the brain changes synapses by local physiological "
             "plasticity (long-term potentiation, STDP), without a teacher, one experience at a "
             "time; an ANN minimises a loss by backpropagation, a global error sent back "
             "through every layer, with labels, over many epochs. `update_locality` says what "
             "one weight update reads; `labels_used` counts the labels training consumed (STDP "
             "and k-means learn without labels and use them only to name their units).\n",
             _role_tables(ctx, _agg(ctx, runs, cols), ["task", "model", "size"], cols)]
    parts.append(_label_efficiency(ctx))
    parts.append(_what_stdp_adds(ctx))
    ctx.fig("learning_curves", F.fig_learning_curves, ctx.t, ctx.roles)
    ctx.fig("receptive_fields", F.fig_receptive_fields, ctx.t, ctx.roles)
    parts.append("### Learning curves and what was learned\n")
    parts.append(ctx.figure(
        "learning_curves", "Evaluation accuracy against training samples presented (log; "
        f"repeats counted), mean with a {CI} CI band over seeds; darker = larger network; "
        "grey: chance levels.", "learning curves"))
    parts.append(ctx.figure(
        "receptive_fields", "First-layer weights of the largest network of each model (first "
        "task, first seed): STDP input weights (dark = strong), backprop's first-layer weights "
        "(red positive, blue negative) and k-means prototypes.", "receptive fields"))
    return "\n".join(parts)


def _label_efficiency(ctx: _Run) -> str:
    from experiments.protocols import label_efficiency as protocol

    le = ctx.t["label_efficiency"]
    head = "### Label efficiency\n"
    if le.empty or not {"labels_per_class", "accuracy"} <= set(le):
        return head + not_measured("Label efficiency")
    agg = _sort(ctx, _agg(ctx, le, ["accuracy"], (*A.GROUP_KEYS, "labels_per_class")))
    ks = sorted(agg["labels_per_class"].unique(), key=lambda k: (k == 0, k))
    names = {k: "all labels" if k == 0 else f"{k} label{'s' if k != 1 else ''}/class"
             for k in ks}
    rows = []
    for (task, model, size, role), g in agg.groupby(["task", "model", "size", "role"],
                                                    sort=False):
        row = {"task": task, "model": model, "size": size, "role": role}
        for k in ks:
            r = g[g["labels_per_class"] == k]
            row[names[k]] = "-" if r.empty else fmt_cell(r["accuracy"].iloc[0],
                                                         r["accuracy_ci"].iloc[0])
        row["seeds"] = int(g["n_seeds"].max())
        rows.append(row)
    frame = pd.DataFrame(rows)
    how = docstring_paragraphs(protocol.label_efficiency)
    parts = [head, f"Test accuracy when only k labels per class are available (mean ± {CI} CI "
             "over seeds), every model, baselines included.\n"]
    if len(how) > 1:
        cap = protocol.MAX_EPOCHS_FEW_LABELS
        text = " ".join(how[1:])
        if cap is not None:
            text = text.replace("`MAX_EPOCHS_FEW_LABELS`", f"{cap} epochs")
        parts.append(quote(text))
    for role, title in (("main", "Main comparison"), ("baseline", "Baselines")):
        sub = frame[frame["role"] == role]
        if not sub.empty:
            parts.append(f"**{title}**\n\n" + markdown_table(
                sub, ["task", "model", "size", *names.values(), "seeds"]))
    ctx.fig("label_efficiency", F.fig_label_efficiency, ctx.t, ctx.roles)
    parts.append(ctx.figure("label_efficiency", "Accuracy against labels per class, the "
                            "largest size of each model (every size is in the table), mean ± "
                            f"{CI} CI over seeds; dashed, open markers: baselines.",
                            "label efficiency"))
    return "\n".join(parts)


def _what_stdp_adds(ctx: _Run) -> str:
    head = ("### What STDP adds\n\nEach main spiking model against each baseline, paired by "
            "seed (the same task split and seed for both): against k-means with as many "
            "prototypes as excitatory neurons and against the same network with plasticity off "
            "(both at the same size), and against logistic regression on the pixels. A positive "
            "difference means the spiking model is more accurate.\n")
    if not _main_snn(ctx):
        return head + not_measured("A main spiking model")
    acc = A.accuracy_by_budget(ctx.runs, ctx.t["label_efficiency"])
    comp = A.baseline_comparisons(acc, ctx.roles)
    if comp.empty:
        return head + not_measured("A baseline to compare the spiking model with")
    comp = _sort(ctx, comp, ["labels_per_class"])
    table = comp.assign(
        labels=["all" if k == 0 else f"{k}/class" for k in comp["labels_per_class"]],
        comparison=[f"{m} [{s}] − {b} [{bs}]" for m, s, b, bs in
                    zip(comp["model"], comp["size"], comp["baseline"], comp["baseline_size"],
                        strict=True)],
        difference=[fmt_cell(d, h) for d, h in zip(comp["diff"], comp["diff_ci"],
                                                   strict=True)])
    parts = [head, markdown_table(table, ["task", "labels", "comparison", "difference", "n",
                                          "mean_model", "mean_baseline"],
                                  ["task", "labels", "comparison",
                                   "accuracy difference", "paired seeds", "model",
                                   "baseline"])]
    words = []
    for r in comp.to_dict("records"):
        d = r["diff"]
        budget = "all labels" if r["labels_per_class"] == 0 else \
            f"{r['labels_per_class']} label(s) per class"
        rel = "more accurate than" if d > 0 else "less accurate than" if d < 0 else \
            "as accurate as"
        words.append(f"On `{r['task']}` with {budget}, `{r['model']}` [{r['size']}] is "
                     f"{fmt(abs(d))} {rel} `{r['baseline']}` [{r['baseline_size']}] "
                     f"({fmt(r['mean_model'])} vs {fmt(r['mean_baseline'])}; "
                     f"{_interval_words(d, r['diff_ci'], r['n'])}).")
    parts.append(bullets(words))
    present = set(comp["baseline"])
    absent = [m for m, r in ctx.roles.items() if r == "baseline" and m not in present]
    if absent:
        parts.append(not_measured("Paired comparisons with " + ", ".join(
            f"`{m}`" for m in absent) + " (no common size or seed)"))
    ctx.fig("stdp_adds", F.fig_baseline_differences, comp)
    parts.append(ctx.figure("stdp_adds", "Paired accuracy differences, spiking model minus "
                            f"baseline, mean ± {CI} CI over seeds; right of the grey line: the "
                            "spiking model is better.", "what STDP adds"))
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------------
# 5. information processing
# ------------------------------------------------------------------------------------------------


def _processing(ctx: _Run) -> str:
    parts = ["## 5. Information processing and parallelism\n",
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
        "(best case) or DRAM (worst case); the assumption in full is under *Energy "
        "assumptions*. A spiking network updates every neuron at every time step whether or "
        "not a spike arrives, so its memory side can outweigh its cheap accumulates.\n",
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
                   f"after onset, mean with a {CI} CI band over seeds; grey: chance as 1 / "
                   "classes (dotted) and as the majority-class rate (dash-dot).", "anytime"),
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


# ------------------------------------------------------------------------------------------------
# 6. summary, further measurements, sources, failures
# ------------------------------------------------------------------------------------------------


def _summary(ctx: _Run) -> str:
    runs = ctx.runs
    head = "## 7. Summary\n\n"
    if runs.empty or "family" not in runs:
        return head + not_measured("Any finished job")
    task = _task_order(ctx)[0]
    main = _sort(ctx, A.add_roles(runs[runs["task"] == task], ctx.roles))
    main = main[main["role"] == "main"]
    if main.empty:
        return head + not_measured(f"A main model on `{task}`")
    power = C.REFERENCES["brain_power_w"]
    # (column, what it is, the brain's figure from the literature)
    spec = [
        ("neurons", "neurons", _cite("human_neurons")),
        ("synapses", "synapses", f"{_cite('human_synapses')}, neocortex"),
        ("accuracy", "test accuracy", "-"),
        ("update_locality", "what a weight update reads", "local (LTP, STDP)"),
        ("labels_used", "labels used in training", "few; mostly unsupervised"),
        ("epochs", "passes over the data", "one life, online"),
        ("ms_to_first_output", "simulated ms to a first output",
         f"{_cite('rapid_categorisation_ms')} to categorise an image"),
        ("sim_ms_per_inference", "simulated ms per inference", "-"),
        ("sequential_depth", "dependent steps per inference", "-"),
        ("effective_macs", "effective MACs per inference", "-"),
        ("effective_acs", "effective ACs per inference", "-"),
        ("membrane_updates", "membrane updates per inference", "-"),
        ("energy_pj_ops", "estimated pJ per inference, operations only",
         f"power, not per inference: {fmt(power.value)} {power.unit} ({power.source})"),
        ("energy_pj_dram", "estimated pJ per inference, + DRAM", "-"),
        ("spike_rate_hz", "mean firing rate (Hz)", _cite("cortical_rate_hz")),
        ("fraction_active", "fraction of units active", _cite("active_fraction")),
    ]
    agg = A.aggregate(main, [c for c, _, _ in spec])
    picks = {}
    for fam in dict.fromkeys(agg["family"]):
        g = agg[agg["family"] == fam]
        has = "synapses" in g and g["synapses"].notna().any()
        picks[fam] = g.loc[g["synapses"].astype(float).idxmax()] if has else g.iloc[-1]
    rows = [{"quantity": "network", "brain (literature)": "human brain",
             **{f"{fam}: this run": f"`{r['model']}` [{r['size']}]"
                for fam, r in picks.items()}}]
    for col, what, brain in spec:
        row = {"quantity": f"{what} (`{col}`)", "brain (literature)": brain}
        for fam, r in picks.items():
            row[f"{fam}: this run"] = fmt_cell(r[col], r.get(f"{col}_ci")) \
                if col in r.index else "-"
        rows.append(row)
    rows.append({"quantity": "seeds", "brain (literature)": "-",
                 **{f"{fam}: this run": r["n_seeds"] for fam, r in picks.items()}})
    return (head + f"The largest main network of each family on `{task}` (mean ± {CI} CI over "
            "seeds), beside the brain's figures where the literature has one.\n\n"
            + markdown_table(pd.DataFrame(rows)))


def _generic(frame: pd.DataFrame) -> str:
    """Any table with a ``seed`` column: numeric columns as mean ± CI per text key."""
    skip = {"job_id", "seed"}
    keys = [c for c in frame.columns if c not in skip and not A._numeric(frame[c])]
    keys += [c for c in ("size", "labels_per_class", "time_ms") if c in frame and c not in keys]
    vals = [c for c in frame.columns if c not in keys and c not in skip
            and A._numeric(frame[c])]
    agg = A.aggregate(frame, vals, keys)
    return (f"Every numeric column as mean ± {CI} CI over seeds.\n\n"
            + markdown_table(_cells(agg, keys, vals)))


def _beyond_sections() -> dict[str, Callable[[Path], str]]:
    """The dedicated sections of :mod:`experiments.report.beyond`, where that module exists
    (``continual`` and ``robustness``); an empty dict otherwise."""
    try:
        from experiments.report import beyond as report_beyond
    except ImportError:
        return {}
    return {name: getattr(report_beyond, f"{name}_section") for name in
            ("continual", "robustness") if hasattr(report_beyond, f"{name}_section")}


def _demote(markdown: str) -> str:
    """Every heading of ``markdown`` one level deeper (``##`` -> ``###``)."""
    return re.sub(r"^(#{2,5}) ", r"#\1 ", markdown, flags=re.MULTILINE)


def _wall_line(man: dict[str, Any], tm: dict[str, Any], runs: pd.DataFrame) -> str:
    """The run's wall time; a resumed run's manifest times only its last invocation, so the
    line says so and adds the jobs' own summed wall time (``wall_s_job``) as the other clue."""
    line = (f"wall time of the {'last invocation' if man.get('resumed') else 'whole run'}: "
            f"{_duration(man.get('wall_s'))} (started {man.get('started')}, finished "
            f"{man.get('finished')}); of it the timing phase: {_duration(tm.get('wall_s'))}")
    if man.get("resumed") and "wall_s_job" in runs:
        line += (f". It resumed an earlier invocation, whose time is not included; the jobs' own "
                 f"wall times sum to {_duration(float(runs['wall_s_job'].sum()))} (jobs ran "
                 f"{(man.get('executor') or {}).get('workers', '-')} at a time)")
    return line


def _further(ctx: _Run) -> str:
    parts = ["## 8. Further measurements: beyond the essay\n"]
    dedicated = _beyond_sections()
    for name, title in (("continual", "Continual learning (continual.csv)"),
                        ("robustness", "Robustness (robustness.csv)")):
        frame = ctx.t.get(name, pd.DataFrame())
        if name in dedicated:
            parts.append(_demote(dedicated[name](ctx.out)))
        elif frame is None or frame.empty:
            parts.append(not_measured(title))
        else:
            parts.append(f"### {title}\n\n" + _generic(frame))
    known = {f"{n}.csv" for n in F.TABLES}
    for path in sorted(ctx.out.glob("*.csv")):
        if path.name in known:
            continue
        try:
            frame = pd.read_csv(path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
            parts.append(f"### `{path.name}`\n\n_Unreadable: {type(err).__name__}._\n")
            continue
        parts.append(f"### `{path.name}` (not yet described by this report)\n\n"
                     + _generic(frame))
    return "\n".join(parts)


def _sources() -> str:
    rows = [{"key": f"`{r.key}`", "value": f"{fmt(r.value)} {r.unit}", "what": r.what,
             "source": r.source} for r in C.REFERENCES.values()]
    return ("## Sources\n\nEvery number about brains and hardware in this report "
            "(`experiments/constants.py`):\n\n" + markdown_table(pd.DataFrame(rows))
            + "\nCost metrics follow NeuroBench (Yik et al. 2025, Nat Commun 16:1545).\n")


def _failures(ctx: _Run) -> str:
    runs = ctx.t.get("runs_all", pd.DataFrame())
    head = "## Failed jobs\n\n"
    if runs.empty or "status" not in runs:
        return head + "_None recorded._\n"
    bad = runs[runs["status"] != "ok"]
    if bad.empty:
        return head + "_None: every job finished._\n"
    cols = [c for c in ("task", "model", "size", "seed", "error") if c in bad]
    return head + markdown_table(bad, cols)


# ------------------------------------------------------------------------------------------------
# entry points
# ------------------------------------------------------------------------------------------------


def build_report(out: str | os.PathLike, *, draw: bool = True) -> str:
    """The text of ``report.md`` for the run directory ``out`` (figures drawn when ``draw``).

    Raises
    ------
    FileNotFoundError
        ``out`` is not a run directory.
    """
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a path to a run directory, got {type(out).__name__}")
    out = Path(out)
    man = read_manifest(out)
    ctx = _Run(out=out, manifest=man, t=F.load_tables(out), roles=A.model_roles(man),
               draw=bool(draw))
    parts = [_header(ctx), _overview(ctx)]
    if ctx.runs.empty:
        parts.append("_No job finished: nothing to compare yet._\n")
    else:
        parts += [_scale(ctx), _extrapolation(ctx), _learning(ctx), _processing(ctx),
                  _rule_substrate(ctx), _summary(ctx), _further(ctx)]
    parts += [_sources(), _failures(ctx)]
    return "\n".join(p for p in parts if p)


def render(out: str | os.PathLike, *, figures: bool = True) -> Path:
    """Write ``OUT/report.md`` (and ``OUT/figures/*.png`` when ``figures``) from the run
    directory's files.

    Parameters
    ----------
    out : path
        A run directory (has ``manifest.json`` and ``runs.csv``).
    figures : bool
        Draw the figures (False: the text alone, e.g. for a quick look or a test).

    Returns
    -------
    Path
        The report's path.

    Raises
    ------
    FileNotFoundError
        ``out`` is not a run directory.
    """
    text = build_report(out, draw=figures)
    path = Path(out) / "report.md"
    atomic_write_text(path, text)
    return path
