"""Failed jobs, with their errors."""

from __future__ import annotations

import pandas as pd

from experiments.report.context import (
    _Run,
)
from experiments.report.markdown import (
    markdown_table,
)


def _failures(ctx: _Run) -> str:
    runs = ctx.t.get("runs_all", pd.DataFrame())
    head = "## Failed jobs\n\n"
    if runs.empty or "status" not in runs:
        return head + "_None recorded._\n"
    bad = runs[runs["status"] != "ok"]
    if bad.empty:
        return head + "_None: every job finished._\n"
    cols = [c for c in ("task", "model", "size", "seed", "error") if c in bad]
    return head + markdown_table(bad, cols)


#: False: the section renders even when no job finished.
NEEDS_JOBS = False


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _failures(ctx)
