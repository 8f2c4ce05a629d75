"""The report's sections on continual learning and robustness ("beyond the essay", part 1).

:func:`continual_section` and :func:`robustness_section` return markdown built from a run
directory's ``continual.csv``, ``robustness.csv``, ``runs.csv`` and ``manifest.json`` only, and
save their figures under ``OUT/figures/`` (:func:`experiments.report.figures.save_figure`).
Every mean over seeds carries its 95 % Student-t interval
(:func:`experiments.report.stats.mean_ci`); a comparison between two models pairs their values seed
by seed (:func:`experiments.report.stats.diff_ci`). A section whose CSV is absent or empty says
"not measured in this run".

Family comparisons pair the i-th smallest size of one model with the i-th smallest of the other
(the quick sizes: 25 / 100 / 400 neurons or prototypes against 8 / 32 / 128 hidden units): sizes
mean different things across families, so the pairing is by rank, and every pair is shown.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.protocols.continual import forgetting, split_classes
from experiments.protocols.robustness import LEVEL_MEANING, PERTURBATIONS, curve_areas
from experiments.report.stats import diff_ci, fmt_ci, mean_ci

__all__ = ["continual_section", "robustness_section"]

#: Confidence level of every interval (the default of :func:`experiments.report.stats.mean_ci`).
CI = "95 %"
_IDS = ("task", "model", "family", "size")


# ------------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------------


def _dir(out_dir: Any) -> Path:
    if not isinstance(out_dir, (str, os.PathLike)):
        raise TypeError(f"out_dir must be a path to a run directory, got "
                        f"{type(out_dir).__name__}")
    return Path(out_dir)


def _csv(out: Path, name: str) -> pd.DataFrame:
    path = out / name
    if not path.is_file():
        return pd.DataFrame()
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _manifest(out: Path) -> dict[str, Any]:
    path = out / "manifest.json"
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _roles(manifest: dict[str, Any]) -> dict[str, str]:
    models = (manifest.get("config") or {}).get("models") or []
    return {m["key"]: str(m.get("role") or "main") for m in models
            if isinstance(m, dict) and "key" in m}


def _not_measured(title: str) -> str:
    return f"## {title}\n\n_{title}: not measured in this run._\n"


# ------------------------------------------------------------------------------------------------
# numbers
# ------------------------------------------------------------------------------------------------


def _agg(frame: pd.DataFrame, cols: Sequence[str], keys: Sequence[str]) -> pd.DataFrame:
    """Mean, CI half-width (``<col>_ci``) and seeds (``n``) of ``cols`` per group of ``keys``."""
    rows = []
    for key, part in frame.groupby(list(keys), sort=False):
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        for c in cols:
            m, h, n = mean_ci(part[c])
            row[c], row[f"{c}_ci"] = m, h
            row["n"] = max(row.get("n", 0), n)
        rows.append(row)
    return pd.DataFrame(rows)


def _cell(row: pd.Series | dict, col: str) -> str:
    return fmt_ci(row[col], row[f"{col}_ci"], 3)


def _table(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    rows = list(rows)
    if not rows:
        return "_(no rows)_\n"
    head = "| " + " | ".join(columns) + " |\n|" + "|".join("---" for _ in columns) + "|\n"
    body = "".join("| " + " | ".join(str(r.get(c, "")) for c in columns) + " |\n"
                   for r in rows)
    return head + body


def _order(frame: pd.DataFrame, roles: dict[str, str]) -> pd.DataFrame:
    """Main models first, then baselines; within a model, sizes ascending."""
    if frame.empty:
        return frame
    out = frame.copy()
    first = {m: i for i, m in enumerate(dict.fromkeys(out["model"]))}
    out["_r"] = [(roles.get(m, "main") != "main", first[m]) for m in out["model"]]
    return out.sort_values(["task", "_r", "size"], kind="stable").drop(columns="_r")


def _anchors(frame: pd.DataFrame, roles: dict[str, str]) -> list[str]:
    """The models the others are compared with: the main spiking ones (else the first main)."""
    fam = frame.groupby("model", sort=False)["family"].first()
    main = [m for m in fam.index if roles.get(m, "main") == "main"]
    snn = [m for m in main if fam[m] == "snn"]
    return snn or main[:1]


def _paired_by_rank(per_seed: pd.DataFrame, value: str, roles: dict[str, str]
                    ) -> list[dict[str, Any]]:
    """For each task, each anchor model against each model of another family, i-th size with
    i-th size: both means and the paired difference anchor - other (CI over seeds)."""
    out = []
    if per_seed.empty:
        return out
    for task, t in per_seed.groupby("task", sort=False):
        fam = t.groupby("model", sort=False)["family"].first()
        for a in _anchors(t, roles):
            for b in fam.index:
                if b == a or fam[b] == fam[a]:
                    continue
                sa = sorted(t.loc[t["model"] == a, "size"].unique())
                sb = sorted(t.loc[t["model"] == b, "size"].unique())
                for za, zb in zip(sa, sb, strict=False):
                    va = t[(t["model"] == a) & (t["size"] == za)].set_index("seed")[value]
                    vb = t[(t["model"] == b) & (t["size"] == zb)].set_index("seed")[value]
                    both = pd.concat([va, vb], axis=1, keys=["a", "b"]).dropna()
                    d, h, n = diff_ci(both["a"], both["b"]) if len(both) else (math.nan,
                                                                              math.nan, 0)
                    out.append({"task": task, "a": a, "size_a": za, "b": b, "size_b": zb,
                                "mean_a": mean_ci(both["a"]), "mean_b": mean_ci(both["b"]),
                                "diff": d, "diff_ci": h, "n": n,
                                "family_a": fam[a], "family_b": fam[b]})
    return out


def _verdict(d: float, h: float, n: int, lower_is_better: bool, a: str, b: str,
             what: str) -> str:
    if n < 2 or not math.isfinite(h):
        return "one seed: no interval"
    lo, hi = d - h, d + h
    if lo <= 0 <= hi:
        return "not resolved (the interval contains 0)"
    a_better = (hi < 0) if lower_is_better else (lo > 0)
    return f"`{a if a_better else b}` {what}"


def _fmt_pair(p: dict[str, Any], lower_is_better: bool, what: str) -> dict[str, Any]:
    return {"task": p["task"], "pair (by size rank)":
            f"`{p['a']}` [{p['size_a']}] vs `{p['b']}` [{p['size_b']}]",
            "first": fmt_ci(p["mean_a"][0], p["mean_a"][1]),
            "second": fmt_ci(p["mean_b"][0], p["mean_b"][1]),
            "difference (first - second)": fmt_ci(p["diff"], p["diff_ci"]),
            "seeds": p["n"],
            "verdict": _verdict(p["diff"], p["diff_ci"], p["n"], lower_is_better, p["a"],
                                p["b"], what)}


def _family_words(pairs: list[dict[str, Any]], lower_is_better: bool, what: str) -> str:
    """One sentence per family pair: in how many size pairs the interval favours each."""
    lines = []
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for p in pairs:
        groups.setdefault((p["family_a"], p["family_b"]), []).append(p)
    for (fa, fb), ps in groups.items():
        wins_a = wins_b = 0
        for p in ps:
            if p["n"] < 2 or not math.isfinite(p["diff_ci"]):
                continue
            lo, hi = p["diff"] - p["diff_ci"], p["diff"] + p["diff_ci"]
            if hi < 0:
                wins_a, wins_b = (wins_a + 1, wins_b) if lower_is_better else (wins_a,
                                                                               wins_b + 1)
            elif lo > 0:
                wins_a, wins_b = (wins_a, wins_b + 1) if lower_is_better else (wins_a + 1,
                                                                               wins_b)
        unresolved = len(ps) - wins_a - wins_b
        where = "at every size pair" if not unresolved else "where a difference is resolved"
        if wins_a and not wins_b:
            lead = f"the {fa} family {what} {where}"
        elif wins_b and not wins_a:
            lead = f"the {fb} family {what} {where}"
        elif wins_a or wins_b:
            lead = "the answer depends on the size"
        else:
            lead = "no difference is resolved"
        lines.append(f"- {fa} vs {fb}: {lead} ({fa} ahead in {wins_a}, {fb} ahead in "
                     f"{wins_b}, unresolved in {unresolved} of {len(ps)} size pairs, "
                     f"{CI} intervals over seeds).")
    return "\n".join(lines) + "\n" if lines else ""


# ------------------------------------------------------------------------------------------------
# figures
# ------------------------------------------------------------------------------------------------


def _styles(frame: pd.DataFrame, roles: dict[str, str]) -> dict[str, dict[str, Any]]:
    from experiments.report.figures import model_styles

    return model_styles(frame, roles)


def _fig_continual(per_job: pd.DataFrame, out: Path, task: str, roles: dict[str, str]
                   ) -> Path | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from experiments.report.figures import save_figure

    t = per_job[per_job["task"] == task]
    if t.empty:
        return None
    styles = _styles(t, roles)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    for model, part in _order(t, roles).groupby("model", sort=False):
        st = styles.get(model, {})
        agg = _agg(part, ["forgetting", "old_after_1", "old_after_2", "new_after_2"],
                   ["size"]).sort_values("size")
        x = agg["size"].to_numpy(dtype=float)
        kw = {k: st[k] for k in ("color", "marker", "markerfacecolor") if k in st}
        axes[0].errorbar(x, agg["forgetting"], yerr=np.nan_to_num(agg["forgetting_ci"]),
                         linestyle=st.get("linestyle", "-"), capsize=3,
                         label=st.get("label", model), **kw)
        for col, ls, what in (("old_after_2", "-", "old classes"),
                              ("new_after_2", ":", "new classes")):
            axes[1].errorbar(x, agg[col], yerr=np.nan_to_num(agg[f"{col}_ci"]), linestyle=ls,
                             capsize=3, label=f"{st.get('label', model)}: {what}", **kw)
    axes[0].axhline(0.0, color="gray", linewidth=0.8)
    axes[0].set_ylabel("forgetting: old-class accuracy,\nafter phase 1 minus after phase 2")
    axes[1].set_ylabel("test accuracy after phase 2")
    axes[1].set_ylim(-0.05, 1.05)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("size (units of the model's size parameter)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"{task}: class-incremental learning, mean ± {CI} CI over seeds")
    return save_figure(fig, out / "figures" / f"continual_{task}.png")


def _fig_robustness(frame: pd.DataFrame, out: Path, task: str, roles: dict[str, str],
                    chance: float | None) -> Path | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from experiments.report.figures import save_figure

    t = frame[frame["task"] == task]
    if t.empty:
        return None
    kinds = [k for k in PERTURBATIONS if k in set(t["perturbation"])]
    sizes = {m: sorted(p["size"].unique()) for m, p in t.groupby("model", sort=False)}
    ranks = max(len(v) for v in sizes.values())
    styles = _styles(t, roles)
    fig, axes = plt.subplots(ranks, len(kinds), figsize=(4.2 * len(kinds), 3.3 * ranks),
                             squeeze=False, layout="constrained")
    order = list(dict.fromkeys(_order(t, roles)["model"]))
    for r in range(ranks):
        for c, kind in enumerate(kinds):
            ax = axes[r][c]
            for model in order:
                if r >= len(sizes[model]):
                    continue
                size = sizes[model][r]
                part = t[(t["model"] == model) & (t["size"] == size)
                         & (t["perturbation"] == kind)]
                if part.empty:
                    continue
                agg = _agg(part, ["accuracy"], ["level"]).sort_values("level")
                st = styles.get(model, {})
                x = agg["level"].to_numpy(dtype=float)
                y = agg["accuracy"].to_numpy(dtype=float)
                e = np.nan_to_num(agg["accuracy_ci"].to_numpy(dtype=float))
                ax.plot(x, y, color=st.get("color"), marker=st.get("marker", "o"),
                        markerfacecolor=st.get("markerfacecolor"),
                        linestyle=st.get("linestyle", "-"),
                        label=f"{st.get('label', model)} [{size}]")
                ax.fill_between(x, y - e, y + e, color=st.get("color"), alpha=0.15)
            if chance is not None:
                ax.axhline(chance, color="gray", linestyle=":", linewidth=1,
                           label="chance: 1 / classes")
            if kind == "weight_bits":
                ax.set_xscale("log", base=2)
                ticks = sorted(set(t.loc[t["perturbation"] == kind, "level"]))
                ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
                ax.minorticks_off()
                ax.invert_xaxis()
            ax.set_ylim(-0.05, 1.05)
            ax.set_xlabel(LEVEL_MEANING[kind])
            ax.set_title(f"{kind} (size rank {r + 1})", fontsize=9)
            ax.grid(alpha=0.3)
            if c == 0:
                ax.set_ylabel("test accuracy")
            ax.legend(fontsize=6)
    fig.suptitle(f"{task}: accuracy under perturbation, mean ± {CI} CI over seeds (bands)")
    return save_figure(fig, out / "figures" / f"robustness_{task}.png")


# ------------------------------------------------------------------------------------------------
# sections
# ------------------------------------------------------------------------------------------------

_CONTINUAL_PROTOCOL = """\
Protocol (`experiments/continual.py`): the task's classes are split by label into a lower half
(phase 1, "old": 0-4 on `digits`) and an upper half (phase 2, "new": 5-9). A fresh copy of each
job's model (same parameters and seed) is trained on the phase-1 training images, then on the
phase-2 training images only, by `partial_fit` continuing from its current state, as many
passes per phase as its own `fit` makes (`epochs`; k-means: one warm-started clustering). No
phase-1 image is shown again in phase 2, for learning or for naming: the spiking network and
k-means name their units from per-class mean responses recorded on the call that saw each class
(the spiking network, with its default `assign_from = "learning"`: the responses recorded while
it learned that phase's images; with `"frozen"`: a frozen pass right after its STDP), so after
phase 2 the old classes are named from the
phase-1 record — a read-out that, like the ANN's output layer, has seen no old image since; the
ANN trains by backprop on the phase-2 labels. Accuracy counts every test image of the classes
named (no answer counts as wrong; all classes can be predicted at any time). After phase 1 only
`old` is meaningful (the model has seen no other class); after phase 2 `old`, `new` and `all`.
**Forgetting** = old-class accuracy after phase 1 minus after phase 2 (higher = more forgotten);
read it beside the new-class accuracy, since a model that learns little in phase 2 forgets little
(with Diehl & Cook's slowly decaying adaptive thresholds, the spiking network's thresholds keep
rising through phase 2, so its phase-2 responses and naming record come out weaker than phase
1's). "Joint" is the job's own
model, trained on every class at once (the non-continual reference).
"""


def _class_halves(runs: pd.DataFrame, tasks: list[str]) -> str:
    """"Classes: digits old 0-4, new 5-9." from ``runs.csv``'s ``n_classes``."""
    if runs.empty or "n_classes" not in runs or "task" not in runs:
        return ""
    words = []
    for task in tasks:
        n = runs.loc[runs["task"] == task, "n_classes"].dropna()
        if n.empty:
            continue
        old, new = split_classes(np.arange(int(n.iloc[0])))
        words.append(f"`{task}`: old {old[0]}-{old[-1]}, new {new[0]}-{new[-1]}")
    return f"Class halves: {'; '.join(words)}.\n" if words else ""


def continual_section(out_dir: str | os.PathLike) -> str:
    """Markdown section on class-incremental learning (``continual.csv``), with its figures.

    Parameters
    ----------
    out_dir : path
        A run directory.

    Returns
    -------
    str
        The section (``## Continual learning ...``); "not measured in this run" when
        ``continual.csv`` is absent or empty.
    """
    out = _dir(out_dir)
    title = "Continual learning (class-incremental, no replay)"
    frame = _csv(out, "continual.csv")
    if frame.empty or "phase" not in frame:
        return _not_measured(title)
    roles = _roles(_manifest(out))
    per_job = forgetting(frame)
    if "family" not in per_job:
        per_job["family"] = "other"
    heads = {"old_after_1": "old, after phase 1", "old_after_2": "old, after phase 2",
             "forgetting": "forgetting", "new_after_2": "new, after phase 2",
             "all_after_2": "all, after phase 2", "all_joint": "all, joint training"}
    cols = list(heads)
    agg = _order(_agg(per_job, cols, _IDS), roles)
    rows = []
    for _, r in agg.iterrows():
        role = roles.get(r["model"], "main")
        rows.append({"task": r["task"], "model": f"`{r['model']}`" + (
            " (baseline)" if role == "baseline" else ""), "size": r["size"], "seeds": r["n"],
            **{heads[c]: _cell(r, c) for c in cols}})
    classes = _class_halves(_csv(out, "runs.csv"), list(dict.fromkeys(per_job["task"])))
    parts = [f"## {title}\n", _CONTINUAL_PROTOCOL, classes,
             f"Accuracy by phase and class half (mean ± {CI} CI over seeds):\n",
             _table(rows, ["task", "model", "size", "seeds", *heads.values()])]
    pairs = _paired_by_rank(per_job, "forgetting", roles)
    if pairs:
        parts += [f"\n**Which family forgets less?** Forgetting of the first model minus the "
                  f"second's, paired seed by seed ({CI} CI; negative: the first forgets "
                  "less):\n",
                  _table([_fmt_pair(p, True, "forgets less") for p in pairs],
                         ["task", "pair (by size rank)", "first", "second",
                          "difference (first - second)", "seeds", "verdict"]),
                  "\n" + _family_words(pairs, True, "forgets less")]
    pairs = _paired_by_rank(per_job, "all_after_2", roles)
    if pairs:
        parts += ["\nForgetting little is worth little if little is learned in phase 2: "
                  "**which family ends phase 2 more accurate on all classes?** Accuracy on "
                  "all classes after phase 2, first model minus second, paired seed by seed "
                  f"({CI} CI; positive: the first is ahead):\n",
                  _table([_fmt_pair(p, False, "is more accurate") for p in pairs],
                         ["task", "pair (by size rank)", "first", "second",
                          "difference (first - second)", "seeds", "verdict"]),
                  "\n" + _family_words(pairs, False, "is more accurate after phase 2")]
    for task in dict.fromkeys(per_job["task"]):
        path = _fig_continual(per_job, out, task, roles)
        if path is not None:
            parts.append(f"\n![continual learning on {task}](figures/{path.name})\n\n"
                         f"*Figure: {task}. Left: forgetting against size. Right: accuracy "
                         "after phase 2 on the old (solid) and new (dotted) classes. Mean ± "
                         f"{CI} CI over seeds.*\n")
    return "\n".join(parts)


#: What each perturbation does to each family (the estimators' ``perturbed`` docstrings).
_PERTURBATION_TABLE = (
    ("synapse_lesion", "fraction of weights set to 0", "every weight matrix (biases kept)",
     "input synapses (the fixed lateral inhibition kept)", "centroid coordinates"),
    ("neuron_lesion", "fraction of units silenced",
     "hidden units: incoming weights, bias and outgoing weights set to 0 (output 0, nothing "
     "passed on)",
     "excitatory neurons: every input weight set to 0, so they never spike (the read-out still "
     "counts them for their class)",
     "prototypes left out of the nearest-centroid competition"),
    ("input_noise", "fraction of each image's pixels replaced by uniform noise in [0, 1]",
     "the same noisy images for every model of a seed", "the same", "the same"),
    ("weight_bits", "bits per weight",
     "symmetric grid of 2^b - 1 levels per output unit (1 bit: sign x mean magnitude); biases "
     "kept", "unsigned grid of 2^b levels from 0 to each neuron's largest weight",
     "2^b levels from each centroid's smallest to its largest coordinate"),
)


def _perturbation_words(manifest: dict[str, Any]) -> str:
    rob = (manifest.get("config") or {}).get("robustness") or {}
    n = rob.get("test_samples", 0)
    rows_used = "the whole test set" if not n else f"the first {n} test images"
    cols = ["perturbation", "level", "ANN (`ann`)", "spiking network (`neurosim`)",
            "k-means (`experiments.models.baselines`)"]
    table = _table([dict(zip(cols, (f"`{r[0]}`", *r[1:]), strict=True))
                    for r in _PERTURBATION_TABLE], cols)
    return (f"Protocol (`experiments/robustness.py`): each trained model is scored on "
            f"{rows_used} under four perturbations; nothing is retrained or re-named "
            "afterwards.\n\n" + table + """
Lesion draws come from a generator seeded by (seed, perturbation, level), the same for every
model of a seed, and every family draws its masks the same way, so a spiking network and
k-means of the same width lose the same synapses and units. Each curve is summarised by its
**area** divided by the level range (the mean accuracy over the range, trapezoidal rule;
`weight_bits` over log2 bits) and its **relative area** = area / clean accuracy (the share of
the clean accuracy kept on average: the measure of graceful degradation used below). Clean
accuracy is the level-0 accuracy. A model without hidden units (logistic regression) has no
`neuron_lesion` curve.
""")


def _level_zero_check(frame: pd.DataFrame, runs: pd.DataFrame, manifest: dict[str, Any]
                      ) -> str:
    rob = (manifest.get("config") or {}).get("robustness") or {}
    zero = frame[frame["level"] == 0]
    if zero.empty or runs.empty or "job_id" not in frame or "job_id" not in runs \
            or rob.get("test_samples", 0):
        return ""
    m = zero.merge(runs[["job_id", "accuracy"]].rename(columns={"accuracy": "clean"}),
                   on="job_id")
    if m.empty:
        return ""
    gap = float((m["accuracy"] - m["clean"]).abs().max())
    return (f"Check: at level 0 every perturbation gives the model's clean test accuracy of "
            f"`runs.csv` within {gap:.3g} (largest gap over {len(m)} job x perturbation "
            "pairs).\n")


def robustness_section(out_dir: str | os.PathLike) -> str:
    """Markdown section on robustness (``robustness.csv``), with its figures.

    Parameters
    ----------
    out_dir : path
        A run directory.

    Returns
    -------
    str
        The section (``## Robustness ...``); "not measured in this run" when
        ``robustness.csv`` is absent or empty.
    """
    out = _dir(out_dir)
    title = "Robustness: lesions, input noise, weight precision"
    frame = _csv(out, "robustness.csv")
    if frame.empty or "perturbation" not in frame:
        return _not_measured(title)
    manifest = _manifest(out)
    roles = _roles(manifest)
    runs = _csv(out, "runs.csv")
    if "family" not in frame:
        frame["family"] = "other"
    areas = curve_areas(frame)
    parts = [f"## {title}\n", _perturbation_words(manifest),
             _level_zero_check(frame, runs, manifest)]
    kinds = [k for k in PERTURBATIONS if k in set(areas["perturbation"])]
    agg = _agg(areas, ["auc", "auc_relative", "clean"], [*_IDS, "perturbation"])
    rows = []
    for (task, model, size), part in _order(agg, roles).groupby(["task", "model", "size"],
                                                                 sort=False):
        p = part.set_index("perturbation")
        role = roles.get(model, "main")
        row = {"task": task, "model": f"`{model}`" + (" (baseline)" if role == "baseline"
                                                      else ""),
               "size": size, "seeds": int(part["n"].max()),
               "clean": _cell(part.iloc[0], "clean")}
        for k in kinds:
            row[k] = (f"{_cell(p.loc[k], 'auc')} ({_cell(p.loc[k], 'auc_relative')})"
                      if k in p.index else "n/a")
        rows.append(row)
    parts += [f"Area under each curve, normalised by the level range, with the relative area "
              f"(area / clean accuracy) in brackets; mean ± {CI} CI over seeds:\n",
              _table(rows, ["task", "model", "size", "seeds", "clean", *kinds])]
    for kind in kinds:
        pairs = _paired_by_rank(areas[areas["perturbation"] == kind], "auc_relative", roles)
        if not pairs:
            continue
        parts += [f"\n**{kind}: which family degrades more gracefully?** Relative area of "
                  f"the first model minus the second's, paired seed by seed ({CI} CI; "
                  "positive: the first keeps more of its clean accuracy):\n",
                  _table([_fmt_pair(p, False, "degrades more gracefully") for p in pairs],
                         ["task", "pair (by size rank)", "first", "second",
                          "difference (first - second)", "seeds", "verdict"]),
                  "\n" + _family_words(pairs, False, "degrades more gracefully")]
    chance = None
    if not runs.empty and "n_classes" in runs and runs["n_classes"].notna().any():
        chance = 1.0 / float(runs["n_classes"].dropna().iloc[0])
    for task in dict.fromkeys(frame["task"]):
        path = _fig_robustness(frame, out, task, roles, chance)
        if path is not None:
            parts.append(f"\n![robustness on {task}](figures/{path.name})\n\n"
                         f"*Figure: {task}. Accuracy against each perturbation's level; rows "
                         "pair the models' i-th smallest sizes; bands: {CI} CI over seeds. "
                         "Weight bits decrease to the right.*\n".replace("{CI}", CI))
    return "\n".join(parts)


