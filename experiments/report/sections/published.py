"""Against the published numbers: our accuracies beside a task's published table (MNIST-1D,
Greydanus & Kobak 2024), for every model the table has a row for, and the spiking models
beside them."""

from __future__ import annotations

import pandas as pd

from experiments.report.context import CI, _agg, _Run, _sort
from experiments.report.markdown import fmt, fmt_cell, markdown_table
from experiments.tasks import mnist1d

#: Tasks with a published table: task name -> (column of ``mnist1d.PUBLISHED``, citation).
PUBLISHED_TASKS = {
    "mnist1d": (0, "Greydanus & Kobak 2024 (ICML), the mnist1d package's README"),
    "mnist1d_shuffled": (1, "Greydanus & Kobak 2024 (ICML), shuffled sequences"),
}


def _paper_row(kind: str, params: dict) -> str | None:
    """The published table's row a model kind corresponds to (None: no published row)."""
    if kind == "mlp" and params.get("size") == 0:
        return "logistic"
    if kind in ("mlp", "mlp2"):
        return "mlp"
    if kind in ("cnn", "cnn3"):
        return "cnn"
    if kind == "rnn" and params.get("cell") == "gru":
        return "gru"
    return None


def _published(ctx: _Run) -> str:
    runs = ctx.runs
    if runs.empty or "task_name" not in runs:
        return ""
    tasks = [t for t in PUBLISHED_TASKS if (runs["task_name"] == t).any()]
    if not tasks:
        return ""
    models = {m["key"]: dict(m.get("params", [])) for m in
              ctx.manifest.get("config", {}).get("models", [])}
    parts = ["## Against the published numbers\n",
             f"Test accuracy, mean ± {CI} CI over seeds, beside the published table (one "
             "run each there; the package's standard split). Spiking models have no "
             "published row.\n"]
    for task in tasks:
        column, cite = PUBLISHED_TASKS[task]
        sub = runs[runs["task_name"] == task]
        agg = _sort(ctx, _agg(ctx, sub, ["accuracy"]))
        rows = []
        for _, r in agg.iterrows():
            params = {**models.get(r["model"], {}), "size": r["size"]}
            paper_key = _paper_row(str(r["kind"]), params)
            paper = None if paper_key is None else mnist1d.PUBLISHED[paper_key][column]
            mean, half = r["accuracy"], r.get("accuracy_ci")
            rows.append({
                "model": f"`{r['model']}` [{fmt(r['size'])}]", "kind": r["kind"],
                "ours": fmt_cell(mean, half),
                "published": "-" if paper is None else fmt(paper),
                "ours - published": "-" if paper is None else fmt(mean - paper),
                "seeds": int(r["n_seeds"]),
            })
        human = mnist1d.PUBLISHED["human"][column]
        parts.append(f"**`{task}`** ({cite}; human: "
                     f"{'-' if human is None else fmt(human)})\n\n"
                     + markdown_table(pd.DataFrame(rows)))
    return "\n".join(parts)


#: False: the section renders even when no job finished.
NEEDS_JOBS = True


def section(ctx: _Run) -> str:
    """The section's markdown (empty when the run has no task with a published table)."""
    return _published(ctx)
