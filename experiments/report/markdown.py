"""Markdown helpers of the reports: number formatting, tables, intervals, figures, quotes.

Formatting only: no statistics here (intervals come from :mod:`experiments.report.stats`) and no
knowledge of a run directory. :func:`fmt` and :func:`markdown_table` are also what
``brain-vs-ann validate`` writes its report with.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.report.stats import fmt_ci

__all__ = [
    "fmt",
    "fmt_cell",
    "fmt_range",
    "markdown_table",
    "figure",
    "not_measured",
    "bullets",
    "docstring_paragraphs",
    "quote",
    "anchor",
]


def fmt(value: Any, digits: int = 3) -> str:
    """Format one value for a table.

    Integers below a million with thousands separators, other numbers with ``digits``
    significant digits (scientific when large or small), text as is; ``None``/NaN as ``-``.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "-"
    if v == 0:
        return "0"
    if v.is_integer() and abs(v) < 1e6:
        return f"{int(v):,}"
    if 1e-3 <= abs(v) < 1e6:
        return f"{v:.{digits}g}"
    return f"{v:.{max(digits - 1, 1)}e}"


def fmt_cell(mean: Any, half: Any = None, digits: int = 3) -> str:
    """A table cell of a mean over seeds: ``"0.845 ± 0.012"`` (via :func:`stats.fmt_ci`).

    Without an interval (one seed, ``half`` NaN) or with a zero-width one (a value that is the
    same in every seed, such as a synapse count) the mean alone, through :func:`fmt`.
    """
    if mean is None or (isinstance(mean, float) and not math.isfinite(mean)):
        return "-"
    try:
        m = float(mean)
    except (TypeError, ValueError):
        return fmt(mean, digits)
    h = None if half is None else float(half)
    if h is None or not math.isfinite(h) or h == 0.0:
        return fmt(m, digits)
    return fmt_ci(m, h, digits)


def fmt_range(median: Any, low: Any, high: Any, digits: int = 3) -> str:
    """``"1.23 [1.10–1.40]"``: a median with its quartiles."""
    if median is None or not math.isfinite(float(median)):
        return "-"
    return f"{fmt(median, digits)} [{fmt(low, digits)}–{fmt(high, digits)}]"


def markdown_table(frame: pd.DataFrame, columns: Sequence[str] | None = None,
                   headers: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured markdown table of ``frame`` (values through :func:`fmt`).

    Parameters
    ----------
    frame : DataFrame
    columns : sequence of str, optional
        Columns to show, in order (default all).
    headers : sequence of str, optional
        Header text per column (default the column names).
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    columns = list(columns) if columns is not None else list(frame.columns)
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ValueError(f"columns {missing} are not in the frame; available: {list(frame)}")
    headers = list(headers) if headers is not None else [str(c) for c in columns]
    if len(headers) != len(columns):
        raise ValueError(f"headers must name each of the {len(columns)} columns, got "
                         f"{len(headers)}")
    if frame.empty:
        return "_(no data)_\n"
    lines = ["| " + " | ".join(h.replace("|", "\\|") for h in headers) + " |",
             "|" + "---|" * len(columns)]
    for row in frame[columns].itertuples(index=False):
        lines.append("| " + " | ".join(fmt(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines) + "\n"


def not_measured(what: str) -> str:
    """One italic line: ``what`` was not measured in this run."""
    return f"_{what}: not measured in this run._\n"


def figure(path: Path | None, caption: str, what: str | None = None) -> str:
    """Embed ``figures/<name>`` with its caption, or say that the figure has no data."""
    if path is None:
        return not_measured(f"Figure ({what or caption.split('.')[0]})")
    return f"![{caption}](figures/{Path(path).name})\n\n*{caption}*\n"


def bullets(items: Iterable[str]) -> str:
    """A markdown bullet list (empty items skipped)."""
    return "\n".join(f"- {i}" for i in items if i) + "\n"


def docstring_paragraphs(obj: Any) -> list[str]:
    """The paragraphs of ``obj``'s docstring before its first numpydoc section (``Parameters``
    and so on), each on one line (bullet items on their own lines; reST roles dropped)."""
    doc = re.split(r"\n[A-Z][a-z]+\n-{3,}\n", inspect.getdoc(obj) or "", maxsplit=1)[0]
    paras = []
    for block in re.split(r"\n\s*\n", doc):
        items: list[str] = []
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("- ") or not items:
                items.append(line)
            elif line:
                items[-1] += " " + line
        text = "\n".join(i for i in items if i)
        if text:
            paras.append(re.sub(r":[a-z]+:`", "`", text.replace("``", "`")))
    return paras


def quote(text: str) -> str:
    """A markdown block quote."""
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines()) + "\n"


def anchor(heading: str) -> str:
    """The link target GitHub gives a heading: ``"2. Scale"`` -> ``"2-scale"`` (lower case,
    punctuation other than ``-`` and ``_`` dropped, each space a ``-``); the HTML report's ids
    are made the same way, so ``[..](#2-scale)`` works in both."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")
