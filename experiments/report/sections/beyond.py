"""8. Further measurements, beyond the essay: the sections of :mod:`experiments.report.beyond`
(continual learning, robustness) and any other CSV of the run directory as a generic table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from experiments.report import analysis as A
from experiments.report import figures as F
from experiments.report.context import (
    CI,
    _cells,
    _demote,
    _Run,
)
from experiments.report.markdown import (
    markdown_table,
    not_measured,
)


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


#: The section's heading (the first screen links to it).
TITLE = "8. Further measurements: beyond the essay"


def _further(ctx: _Run) -> str:
    parts = [f"## {TITLE}\n"]
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


#: False: the section renders even when no job finished.
NEEDS_JOBS = True


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _further(ctx)
