"""Sources: every number about brains and hardware, from :mod:`experiments.facts.constants`."""

from __future__ import annotations

import pandas as pd

from experiments.facts import constants as C
from experiments.report.context import (
    _Run,
)
from experiments.report.markdown import (
    fmt,
    markdown_table,
)


def _sources() -> str:
    rows = [{"key": f"`{r.key}`", "value": f"{fmt(r.value)} {r.unit}", "what": r.what,
             "source": r.source} for r in C.REFERENCES.values()]
    return ("## Sources\n\nEvery number about brains and hardware in this report "
            "(`experiments/facts/constants.py`):\n\n" + markdown_table(pd.DataFrame(rows))
            + "\nCost metrics follow NeuroBench (Yik et al. 2025, Nat Commun 16:1545).\n")


#: False: the section renders even when no job finished.
NEEDS_JOBS = False


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _sources()
