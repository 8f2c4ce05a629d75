"""The report's title and the run's one-line description (the first screen follows it)."""

from __future__ import annotations

from experiments.report.context import _Run


def _header(ctx: _Run) -> str:
    man = ctx.manifest
    return "\n".join(p for p in [
        f"# brain-vs-ann: `{man.get('name', '?')}` run\n",
        f"{man['description']}\n" if man.get("description") else "",
    ] if p)


#: False: the section renders even when no job finished.
NEEDS_JOBS = False


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _header(ctx)
