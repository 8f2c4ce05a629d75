"""The first screen: the essay's three differences (scale, learning rule, information
processing) and "beyond the essay", each as one verdict sentence with its number and interval,
the one figure that shows it and a link to its detail section; then any accuracy below chance,
flagged as broken, and a link to the appendix.

Every number is computed here from the run's tables (paired by seed where two models are
compared, :func:`experiments.report.analysis.paired_difference`); a verdict whose data the run
lacks says so. Its figures (``figures/glance_*.png``) are the detail sections' figures drawn
for the verdict's task alone, one panel each, readable as thumbnails side by side; the section
is rendered after the detail sections (``RENDER_LAST``), whose figures it may reuse.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from experiments.report import analysis as A
from experiments.report import figures as F
from experiments.report.context import (
    CI,
    _below_chance_words,
    _main_snn,
    _model_order,
    _ref,
    _Run,
    _task_order,
)
from experiments.report.markdown import anchor, fmt
from experiments.report.sections import appendix, beyond, learning, processing, scale
from experiments.report.stats import mean_ci

#: The section's heading.
TITLE = "At a glance"


def _n(v: float) -> str:
    """Two significant digits: ``412970`` -> ``"410,000"``, ``0.1563`` -> ``"0.16"``."""
    return fmt(float(f"{v:.2g}")) if math.isfinite(v) else "-"


def _ci(d: float, h: float, n: int) -> str:
    """``"-0.058 (95 % CI -0.09 to -0.027)"``, two significant digits (the seeds are said once
    below the table)."""
    if not math.isfinite(d):
        return "-"
    if n < 2 or not math.isfinite(h):
        return f"{_n(d)} (one seed, no interval)"
    return f"{_n(d)} ({CI} CI {_n(d - h)} to {_n(d + h)})"


def _mean(frame: pd.DataFrame, col: str) -> tuple[float, float, int]:
    if col not in frame:
        return math.nan, math.nan, 0
    m, h, n = mean_ci(frame[col].dropna())
    return float(m), float(h), int(n)


def _mean_words(frame: pd.DataFrame, col: str, unit: str = "") -> str:
    m, h, n = _mean(frame, col)
    return _ci(m, h, n).replace(" (", f"{unit} (", 1)


def _stdp(ctx: _Run) -> list[str]:
    """The main spiking models that learn by STDP (else every main spiking model)."""
    snn = _main_snn(ctx)
    runs = ctx.runs
    if "kind" not in runs:
        return snn
    stdp = [m for m in snn if (runs.loc[runs["model"] == m, "kind"] == "stdp").all()]
    return stdp or snn


def _backprop(ctx: _Run) -> list[str]:
    """The main ANN models (family ``ann``), MLPs first."""
    runs = ctx.runs
    if runs.empty or "family" not in runs:
        return []
    ann = [m for m in _model_order(ctx) if ctx.roles.get(m, "main") == "main"
           and (runs.loc[runs["model"] == m, "family"] == "ann").any()]
    kind = runs.groupby("model")["kind"].first() if "kind" in runs else {}
    return sorted(ann, key=lambda m: kind.get(m) != "mlp")


def _largest(runs: pd.DataFrame, model: str, task: str) -> tuple[Any, pd.DataFrame]:
    g = runs[(runs["model"] == model) & (runs["task"] == task)]
    if g.empty:
        return None, g
    size = g["size"].max()
    return size, g[g["size"] == size]


def _first_task(ctx: _Run, models: list[str]) -> str | None:
    runs = ctx.runs
    for t in _task_order(ctx):
        if all(((runs["task"] == t) & (runs["model"] == m)).any() for m in models):
            return t
    return None


def _scale(ctx: _Run) -> str:
    snn = _stdp(ctx)
    if not snn:
        return "No spiking model in this run: the scale comparison was not measured."
    runs, model = ctx.runs, snn[0]
    sub = runs[runs["model"] == model]
    task = max(_task_order(ctx), key=lambda t: sub.loc[sub["task"] == t, "size"].nunique())
    sub = sub[sub["task"] == task]
    lo, hi = sub["size"].min(), sub["size"].max()
    syn = _mean(sub[sub["size"] == hi], "synapses")[0]
    words = []
    if math.isfinite(syn) and syn > 0:
        gap = math.log10(_ref("human_synapses") / syn)
        words.append(f"The largest spiking network (`{model}` [{fmt(hi)}], {_n(syn)} "
                     f"synapses) is {gap:.1f} orders of magnitude below the neocortex")
    if lo != hi:
        p = A.paired_difference(sub[sub["size"] == hi], sub[sub["size"] == lo])
        words.append(f"from {fmt(lo)} to {fmt(hi)} neurons its accuracy on `{task}` changed by "
                     + _ci(p["diff"], p["diff_ci"], p["n"]))
    else:
        words.append(f"it ran at one size only ({fmt(hi)}), so no size trend")
    return "; ".join(words) + "."


def _learning(ctx: _Run) -> str:
    snn, ann = _stdp(ctx), _backprop(ctx)
    if not snn or not ann:
        return "Needs a main spiking model and a main ANN: not measured in this run."
    task = _first_task(ctx, [snn[0], ann[0]])
    if task is None:
        return "The spiking model and the ANN share no task: not compared."
    runs = ctx.runs
    zs, s = _largest(runs, snn[0], task)
    za, a = _largest(runs, ann[0], task)
    p = A.paired_difference(s, a)
    text = (f"STDP minus backprop accuracy: {_ci(p['diff'], p['diff_ci'], p['n'])} with all "
            "labels")
    le = ctx.t.get("label_efficiency")
    if le is not None and not le.empty and {"labels_per_class", "accuracy", "seed"} <= set(le):
        ks = sorted(k for k in le["labels_per_class"].unique() if k > 0)
        if ks:
            k = ks[0]
            few = le[(le["labels_per_class"] == k) & (le["task"] == task)]
            q = A.paired_difference(few[(few["model"] == snn[0]) & (few["size"] == zs)],
                                    few[(few["model"] == ann[0]) & (few["size"] == za)])
            if q["n"]:
                text += (f", {_ci(q['diff'], q['diff_ci'], q['n'])} with {fmt(k)} "
                         f"label{'s' if k != 1 else ''} per class")
    text += f" (`{snn[0]}` [{fmt(zs)}] vs `{ann[0]}` [{fmt(za)}] on `{task}`)."
    # the rule, not the substrate: a global gradient on the same spiking substrate
    main = runs[[ctx.roles.get(m, "main") == "main" for m in runs["model"]]]
    sur = main[(main["kind"] == "surrogate_snn") & (main["task"] == task)]
    if not sur.empty:
        zu = sur["size"].max()
        sur = sur[(sur["size"] == zu) & (sur["model"] == sur["model"].iloc[0])]
        same = runs[(runs["model"] == snn[0]) & (runs["task"] == task) & (runs["size"] == zu)]
        if not same.empty:
            r = A.paired_difference(sur, same)
            text += (f" The same spiking neurons trained by surrogate gradients (a global rule): "
                     f"{_ci(r['diff'], r['diff_ci'], r['n'])} over STDP at {fmt(zu)} neurons.")
    return text


def _processing(ctx: _Run) -> str:
    snn, ann = _stdp(ctx), _backprop(ctx)
    if not snn:
        return "No spiking model in this run: not measured."
    runs = ctx.runs
    task = _first_task(ctx, [snn[0], *ann[:1]]) or _task_order(ctx)[0]
    zs, s = _largest(runs, snn[0], task)
    ref = _ref("rapid_categorisation_ms")
    text = (f"`{snn[0]}` [{fmt(zs)}] answers first after "
            f"{_mean_words(s, 'ms_to_first_output', ' ms')} of simulated time (a brain: "
            f"{fmt(ref)} ms), after {_n(_mean(s, 'sequential_depth')[0])} sequential steps")
    if ann:
        za, a = _largest(runs, ann[0], task)
        e_s, e_a = _mean(s, "energy_pj_ops")[0], _mean(a, "energy_pj_ops")[0]
        text += (f" against `{ann[0]}` [{fmt(za)}]'s {fmt(_mean(a, 'sequential_depth')[0])}; "
                 f"estimated energy {_mean_words(s, 'energy_pj_ops', ' pJ')} per inference")
        if math.isfinite(e_a) and e_a > 0 and math.isfinite(e_s):
            text += f", {_n(e_s / e_a)} times the ANN's"
    return text + "."


def _beyond(ctx: _Run) -> tuple[str, str | None]:
    from experiments.protocols.continual import forgetting
    from experiments.report.beyond import _paired_by_rank

    frame = ctx.t.get("continual")
    if frame is None or frame.empty or "phase" not in frame:
        rob = ctx.t.get("robustness")
        what = "robustness was measured (see the section)" if rob is not None \
            and not rob.empty else "neither was robustness"
        return f"Continual learning was not measured in this run; {what}.", None
    per_job = forgetting(frame)
    pairs = [p for p in _paired_by_rank(per_job, "forgetting", ctx.roles)
             if p["family_a"] == "snn" and p["family_b"] == "ann" and p["n"]]
    if not pairs:
        return "Continual learning ran, but without a spiking model and an ANN to pair.", None
    p = max(pairs, key=lambda q: (q["size_a"], q["size_b"]))
    fig = f"continual_{p['task']}"
    text = (f"Learning new classes without replay, old-class accuracy lost (forgetting), "
            f"`{p['a']}` [{fmt(p['size_a'])}] minus `{p['b']}` [{fmt(p['size_b'])}] on "
            f"`{p['task']}`: {_ci(p['diff'], p['diff_ci'], p['n'])} (negative: the spiking "
            "network forgets less)")
    same = [q for q in _paired_by_rank(per_job, "all_after_2", ctx.roles)
            if (q["task"], q["a"], q["size_a"], q["b"], q["size_b"])
            == (p["task"], p["a"], p["size_a"], p["b"], p["size_b"]) and q["n"]]
    if same:  # forgetting little is worth little if little is learned
        q = same[0]
        text += f"; accuracy on all classes at the end: {_ci(q['diff'], q['diff_ci'], q['n'])}"
    return text + ".", fig


def _seeds(ctx: _Run) -> str:
    n = ctx.runs["seed"].nunique() if "seed" in ctx.runs else 0
    return fmt(n)


def _thumb(ctx: _Run, name: str | None, what: str) -> str:
    if name is None:
        return "_(no figure)_"
    path = ctx.out / "figures" / f"{name}.png"
    if not ctx.draw or not path.is_file():
        return f"_(figure {name}: not drawn)_"
    return f"[![{what}](figures/{name}.png)](figures/{name}.png)"


def _one_task(ctx: _Run, task: str | None) -> dict[str, pd.DataFrame]:
    """The run's tables restricted to ``task`` (every task when None)."""
    return {k: v[v["task"] == task] if task is not None and "task" in v else v
            for k, v in ctx.t.items()}


def _figures(ctx: _Run) -> dict[str, str | None]:
    """One figure per verdict, on the verdict's task only (one panel: readable as a
    thumbnail): ``glance_scale``, ``glance_learning``, ``glance_processing``."""
    snn, ann = _stdp(ctx), _backprop(ctx)
    tasks = _task_order(ctx)
    runs = ctx.runs
    if snn:
        sub = runs[runs["model"] == snn[0]]
        scale_task = max(tasks, key=lambda t: sub.loc[sub["task"] == t, "size"].nunique())
    else:
        scale_task = tasks[0] if tasks else None
    pair_task = (_first_task(ctx, [snn[0], ann[0]]) if snn and ann else None) or scale_task
    made = {}
    for key, maker, task in (("scale", F.fig_scale_accuracy, scale_task),
                             ("learning", F.fig_label_efficiency, pair_task),
                             ("processing", F.fig_anytime, pair_task)):
        name = f"glance_{key}"
        made[key] = name if ctx.fig(name, maker, _one_task(ctx, task), ctx.roles) else None
    return made


def _glance(ctx: _Run) -> str:
    beyond_text, beyond_fig = _beyond(ctx)
    figs = _figures(ctx) if ctx.draw else {}
    cols = [
        ("Scale", scale.TITLE, _scale(ctx), figs.get("scale", "glance_scale"),
         "accuracy against size"),
        ("Learning rule", learning.TITLE, _learning(ctx), figs.get("learning", "glance_learning"),
         "accuracy against labels per class"),
        ("Information processing", processing.TITLE, _processing(ctx),
         figs.get("processing", "glance_processing"), "accuracy against time after onset"),
        ("Beyond the essay", beyond.TITLE, beyond_text, beyond_fig, "continual learning"),
    ]
    head = "| " + " | ".join(f"[{name}](#{anchor(title)})" for name, title, *_ in cols) + " |"
    verdicts = "| " + " | ".join(text.replace("|", "\\|") for _, _, text, *_ in cols) + " |"
    thumbs = "| " + " | ".join(_thumb(ctx, fig, what) for *_, fig, what in cols) + " |"
    return "\n".join(p for p in [
        f"## {TITLE}\n",
        head, "|---|---|---|---|", verdicts, thumbs + "\n",
        f"The essay's three differences between artificial networks and the brain, and what "
        f"lies beyond it, each from this run's tables: means and differences (paired by seed) "
        f"over {_seeds(ctx)} seeds with {CI} t intervals; a heading links to the details, a "
        "figure opens full size.\n",
        _below_chance_words(ctx),
        f"Glossary, energy constants, what was really simulated and the run's machine: "
        f"[{appendix.TITLE}](#{anchor(appendix.TITLE)}).\n",
    ] if p)


#: False: the section renders even when no job finished.
NEEDS_JOBS = True
#: Rendered after every other section (it shows their figures), placed where it stands.
RENDER_LAST = True


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _glance(ctx)
