"""The report: analysis of a run's tables, figures, markdown and the sections that assemble them;
``validate``'s report. May import facts, tasks, models, protocols and store; never running."""

from experiments.report.assemble import build_report, render

__all__ = ["build_report", "render"]
