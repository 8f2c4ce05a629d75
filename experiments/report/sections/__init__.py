"""The sections of ``report.md``, one module each.

Every module has ``section(ctx) -> str`` (its markdown, from the :class:`~experiments.report.
context._Run` context) and ``NEEDS_JOBS`` (False: it renders even when no job finished). The
order of the report is :data:`experiments.report.assemble.SECTIONS`; a new section is a new
module here and one line there.
"""
