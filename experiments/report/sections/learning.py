"""4. Learning rule: accuracy, label efficiency, paired differences against the baselines,
learning curves and receptive fields."""

from __future__ import annotations

import pandas as pd

from experiments.report import analysis as A
from experiments.report import figures as F
from experiments.report.context import (
    CI,
    _agg,
    _below_chance_words,
    _interval_words,
    _main_snn,
    _role_tables,
    _Run,
    _sort,
)
from experiments.report.markdown import (
    bullets,
    docstring_paragraphs,
    fmt,
    fmt_cell,
    markdown_table,
    not_measured,
    quote,
)

#: The section's heading (the first screen links to it).
TITLE = "4. Learning rule"


def _learning(ctx: _Run) -> str:
    runs = ctx.runs
    cols = ["accuracy", "update_locality", "labels_used", "train_samples", "epochs",
            "wall_s_train"]
    parts = [f"## {TITLE}\n",
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
        f"repeats counted), mean with a {CI} CI band over seeds; sizes of one model in shades "
        "of its colour (lighter = smaller) with a marker each; grey: chance levels.",
        "learning curves"))
    parts.append(ctx.figure(
        "receptive_fields", "First-layer weights of the largest network of each model (first "
        "task, first seed), each titled by what learned it: STDP input weights (dark = strong), "
        "backprop's first-layer weights, the ANN's and the converted network's (red positive, "
        "blue negative), and k-means prototypes.", "receptive fields"))
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
    parts.append(_below_chance_words(ctx))
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


#: False: the section renders even when no job finished.
NEEDS_JOBS = True


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _learning(ctx)
