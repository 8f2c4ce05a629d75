"""The one kind of error the ``brain-vs-ann`` command reports as the user's to fix.

A :class:`UsageError` (or a subclass, e.g. :class:`experiments.running.config.ConfigError`) means a
mistake the user can correct: a bad option, a bad config, a Dask cluster that cannot be reached
or cannot run the package. The command prints its one-line message and exits with status 2.
Every other exception is a bug or an environment failure: exit status 1 with the traceback.
"""

from __future__ import annotations

__all__ = ["UsageError"]


class UsageError(Exception):
    """A mistake the user can fix; printed as one line, exit status 2."""
