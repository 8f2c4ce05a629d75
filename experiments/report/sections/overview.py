"""1. What ran: one table of the models, the tasks in one line, what the comparison is and how
to read the tables. The run's machine, threads and files, what the spiking network really
simulated, the glossary and the energy assumptions are in the appendix
(:mod:`experiments.report.sections.appendix`)."""

from __future__ import annotations

import pandas as pd

from experiments.report.context import (
    CI,
    _duration,
    _params,
    _Run,
    _task_order,
)
from experiments.report.markdown import (
    fmt,
    markdown_table,
    not_measured,
)

#: The section's heading (the first screen links to it).
TITLE = "1. What ran"


def _overview(ctx: _Run) -> str:
    man, runs = ctx.manifest, ctx.runs
    cfg = man.get("config") or {}
    parts = [f"## {TITLE}\n",
             "Spiking networks that learn by spike-timing-dependent plasticity (STDP: local, "
             "unsupervised, online) and artificial neural networks trained by backpropagation "
             "(global error, supervised, epochs) were trained on the same tasks on this machine, "
             "beside baselines that show what each learning rule adds. Every number was "
             "measured in this run, except the numbers about brains and hardware, which come "
             "with their sources (see [Sources](#sources)). Tables: `m ± h` is the mean over "
             f"seeds ± the half-width of its {CI} interval "
             "([how to read the tables](#how-to-read-the-tables)).\n"]
    tasks = []
    for tk in _task_order(ctx):
        sub = runs[runs["task"] == tk] if "task" in runs else runs.iloc[0:0]
        first = sub.iloc[0] if not sub.empty else {}
        spec = next((x for x in cfg.get("tasks") or [] if x.get("key") == tk), {})
        maj = sub["majority_rate"].mean() if "majority_rate" in sub and not sub.empty else None
        tasks.append(f"`{tk}` ({first.get('task_name', spec.get('task', '-'))}: "
                     f"{fmt(first.get('n_features'))} features, {fmt(first.get('n_classes'))} "
                     f"classes, {fmt(first.get('n_train'))} training / {fmt(first.get('n_test'))}"
                     f" test samples, majority class {fmt(maj)})")
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
    seeds = ", ".join(map(str, man.get("seeds") or cfg.get("seeds") or []))
    parts.append(f"Tasks: {'; '.join(tasks) or '-'}. Seeds: {seeds or '-'}; "
                 f"{man.get('n_jobs', '-')} jobs ({man.get('n_done', '-')} finished, "
                 f"{man.get('n_failed', '-')} failed); wall time {_duration(man.get('wall_s'))}"
                 ". Machine, threads, versions and files: [run details](#run-details).\n")
    return "\n".join(parts)


#: False: the section renders even when no job finished.
NEEDS_JOBS = False


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _overview(ctx)
