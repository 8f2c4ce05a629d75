"""The context every section of ``report.md`` reads (:class:`_Run`: the run directory's
files, the roles, the figures made) and the helpers the sections share: ordering, ``mean ± CI``
cells, the main/baseline tables, citations of the constants."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.facts import constants as C
from experiments.report import analysis as A
from experiments.report.markdown import (
    figure,
    fmt,
    fmt_cell,
    markdown_table,
    not_measured,
)

#: The intervals' confidence level as text ("95 %").
CI = f"{A.LEVEL * 100:g} %"


#: Speed-up / threads below this counts as a loss worth explaining.
SPEEDUP_LOSS = 0.8


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


def _duration(seconds: Any) -> str:
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        return "-"
    return f"{seconds:,.1f} s ({seconds / 60:.1f} min)"


def _params(m: dict[str, Any]) -> str:
    p = m.get("params") or []
    items = p.items() if isinstance(p, dict) else p
    return ", ".join(f"{k}={v}" for k, v in items) or "defaults"


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


def _demote(markdown: str) -> str:
    """Every heading of ``markdown`` one level deeper (``##`` -> ``###``)."""
    return re.sub(r"^(#{2,5}) ", r"#\1 ", markdown, flags=re.MULTILINE)


def _chance(ctx: _Run) -> dict[str, float]:
    """Chance per task: 1 / classes (from ``runs.csv``'s ``n_classes``)."""
    runs = ctx.runs
    if runs.empty or not {"task", "n_classes"} <= set(runs):
        return {}
    n = runs.groupby("task")["n_classes"].first().dropna()
    return {t: 1.0 / float(k) for t, k in n.items() if float(k) > 0}


def _below_chance(ctx: _Run) -> pd.DataFrame:
    """Every mean accuracy over seeds below chance (1 / classes): in ``runs.csv`` (all labels)
    and in ``label_efficiency.csv`` (each budget). A model worse than guessing is broken.

    Columns: task, model, size, labels (``"all labels"``, ``"k label(s) per class"``),
    accuracy, chance."""
    chance = _chance(ctx)
    rows: list[dict[str, Any]] = []
    frames = [(ctx.runs, None)]
    le = ctx.t.get("label_efficiency")
    if le is not None and not le.empty and {"labels_per_class", "accuracy"} <= set(le):
        frames.append((le[le["labels_per_class"] > 0], "labels_per_class"))
    for frame, by in frames:
        if frame.empty or "accuracy" not in frame:
            continue
        keys = ["task", "model", "size", *([by] if by else [])]
        if not set(keys) <= set(frame):
            continue
        mean = frame.groupby(keys, sort=False)["accuracy"].mean()
        for key, acc in mean.items():
            c = chance.get(key[0])
            if c is not None and math.isfinite(acc) and acc < c:
                rows.append({"task": key[0], "model": key[1], "size": key[2],
                             "labels": f"{key[3]} label(s) per class" if by else "all labels",
                             "accuracy": acc, "chance": c})
    return pd.DataFrame(rows, columns=["task", "model", "size", "labels", "accuracy",
                                       "chance"])


def _below_chance_words(ctx: _Run) -> str:
    """A bold warning listing every accuracy below chance ("" when there is none)."""
    bad = _below_chance(ctx)
    if bad.empty:
        return ""
    items = [f"`{r['model']}` [{fmt(r['size'])}] on `{r['task']}` with "
             f"{r['labels']}: "
             f"{fmt(r['accuracy'])} < chance {fmt(r['chance'])}"
             for r in bad.to_dict("records")]
    return ("**Broken: accuracy below chance.** Guessing would do better, so these are faults "
            "of the model or its read-out, not findings: " + "; ".join(items) + ".\n")
