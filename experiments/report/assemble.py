"""``report.md`` (and ``report.html``) of a run directory, from its manifest and CSV files only.

The report is a list of sections, one module each in :mod:`experiments.report.sections`, each
with ``section(ctx) -> str`` reading the :class:`~experiments.report.context._Run` context; this
module keeps their order (:data:`SECTIONS`) and the entry points. A new section is a new module
and one line in :data:`SECTIONS`.

Every mean over seeds is shown with its 95 % t interval (:mod:`experiments.report.stats`,
through :func:`experiments.report.analysis.aggregate`) and the number of seeds; models with role
``"baseline"`` are listed apart from the main comparison. Every number about brains or hardware
comes from :mod:`experiments.facts.constants`, read at render time. A table or column the run
did not produce is reported as not measured; rendering never needs the models or the job files.
"""

from __future__ import annotations

import os
from pathlib import Path

from experiments.report import analysis as A
from experiments.report import figures as F
from experiments.report.context import _Run
from experiments.report.html import page
from experiments.report.markdown import fmt, markdown_table
from experiments.report.sections import (
    appendix,
    beyond,
    extrapolation,
    failures,
    glance,
    header,
    learning,
    overview,
    processing,
    published,
    scale,
    sources,
    substrate,
    summary,
)
from experiments.store import atomic_write_text, read_manifest

__all__ = ["render", "build_report", "fmt", "markdown_table", "SECTIONS"]

#: The report's sections in order (each a module with ``section(ctx)`` and ``NEEDS_JOBS``; one
#: with ``RENDER_LAST`` is rendered after the others, e.g. to show the figures they drew).
SECTIONS = (
    header,
    glance,
    overview,
    published,
    scale,
    extrapolation,
    learning,
    processing,
    substrate,
    summary,
    beyond,
    sources,
    failures,
    appendix,
)


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
    parts: list[str] = [""] * len(SECTIONS)
    said = False
    for i, sec in enumerate(SECTIONS):
        if sec.NEEDS_JOBS and ctx.runs.empty and not said:
            parts[i], said = "_No job finished: nothing to compare yet._\n", True
    last = [i for i, sec in enumerate(SECTIONS) if getattr(sec, "RENDER_LAST", False)]
    for i in [*(i for i in range(len(SECTIONS)) if i not in last), *last]:
        if not (SECTIONS[i].NEEDS_JOBS and ctx.runs.empty):
            parts[i] = SECTIONS[i].section(ctx)
    return "\n".join(p for p in parts if p)


def render(out: str | os.PathLike, *, figures: bool = True) -> Path:
    """Write ``OUT/report.md``, its self-contained HTML copy ``OUT/report.html`` (figures
    embedded, :mod:`experiments.report.html`) and ``OUT/figures/*.png`` when ``figures``, from
    the run directory's files.

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
    atomic_write_text(Path(out) / "report.html", page(text, base=Path(out)))
    return path
