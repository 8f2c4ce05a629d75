"""The appendix, at the end of the report and linked from its top: how to read the tables, the
run's details (machine, threads, versions, files), what the spiking network really simulated per
inference, the glossary (made from :data:`contract.COST_METRICS`) and the energy assumptions
(:mod:`experiments.facts.energy`)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from contract import COST_METRICS
from experiments.facts import constants as C
from experiments.facts import energy
from experiments.report.context import (
    CI,
    _agg,
    _cells,
    _Run,
    _sort,
    _wall_line,
)
from experiments.report.markdown import (
    bullets,
    docstring_paragraphs,
    fmt,
    markdown_table,
    quote,
)

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


def _how_to_read() -> str:
    return ("### How to read the tables\n\n"
            "A cell `m ± h` is the mean over seeds and the half-width of its two-sided "
            f"{CI} Student-t interval; `seeds` says over how many. A value without ± is the "
            "same in every seed (a synapse count) or comes from one seed. `-` means not "
            "applicable or not measured. Models with role `baseline` are listed apart from the "
            "main comparison. An accuracy below chance (1 / classes) is flagged as broken: "
            "guessing would do better, so it is a fault of the model or its read-out, not a "
            "finding.\n")


def _run_details(ctx: _Run) -> str:
    man = ctx.manifest
    cfg = man.get("config") or {}
    cpu = man.get("cpu") or {}
    ex = man.get("executor") or {}
    tm = man.get("timing") or {}
    v = man.get("versions") or {}
    pools = "; ".join(f"{p.get('internal_api')} {p.get('num_threads')} thread(s)"
                      for p in man.get("blas_threadpools") or [])
    env = ", ".join(f"{k}={val}" for k, val in (man.get("thread_env") or {}).items())
    return "### Run details\n\n" + bullets([
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
        "`anytime.csv`, `timing.csv`, `receptive_fields.csv`, `manifest.json`; "
        "`report.md` and its self-contained copy `report.html` (figures embedded)",
    ])


#: The section's heading (the first screen links to it).
TITLE = "Appendix"


def _appendix(ctx: _Run) -> str:
    parts = [f"## {TITLE}\n", _how_to_read(), _run_details(ctx)]
    if not ctx.runs.empty:
        parts.append(_simulated(ctx))
    parts += [_glossary(), _energy_assumptions()]
    return "\n".join(parts)


#: False: the section renders even when no job finished.
NEEDS_JOBS = False


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _appendix(ctx)
