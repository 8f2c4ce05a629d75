"""Prepare Dask workers for spiking jobs: import Brian2 in each worker's main thread.

``import brian2`` installs a SIGINT handler (``signal.signal``) the first time it runs, and Python
allows that only in a process's main thread. A Dask worker runs tasks in a thread pool, so a
spiking job that is the first to import Brian2 on a worker fails with ``ValueError: signal only
works in main thread of the main interpreter``.

:class:`ImportBrian2` is a worker plugin that the Dask executor registers with the scheduler
before it submits any job. The scheduler hands it to every worker, those running now and those
that join or restart later, and each worker calls :meth:`ImportBrian2.setup` on its event loop
before it takes tasks. In a ``dask worker`` process (with or without a nanny) and in a
``LocalCluster(processes=True)`` worker that event loop runs in the process's main thread, so
the import, and Brian2's ``signal.signal`` call, happen there. A worker needs nothing but this
package installed.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from distributed import WorkerPlugin

__all__ = ["ImportBrian2", "WorkerSetupError", "PLUGIN_NAME"]

#: Name under which the plugin is registered (registering again replaces it, never duplicates).
PLUGIN_NAME = "brain-vs-ann-import-brian2"


class WorkerSetupError(RuntimeError):
    """A Dask worker cannot be prepared for spiking jobs; the message says how to fix it."""


class ImportBrian2(WorkerPlugin):
    """Worker plugin: import Brian2 in the worker's main thread before any job runs.

    After :meth:`setup`, ``thread`` names the thread that imported Brian2 (``None`` when it was
    already imported in that process) and ``main_thread`` says whether it was the main thread.
    """

    name = PLUGIN_NAME

    def __init__(self) -> None:
        self.thread: str | None = None
        self.main_thread: bool | None = None

    def setup(self, worker: Any) -> None:
        """Import Brian2 now, in the calling thread (the worker's event loop).

        Raises
        ------
        WorkerSetupError
            Brian2 is not installed on the worker, or the event loop is not in the main thread
            (a threaded cluster, e.g. ``LocalCluster(processes=False)``).
        """
        here = threading.current_thread()
        self.main_thread = here is threading.main_thread()
        if sys.modules.get("brian2") is not None:  # imported before (a previous registration)
            return
        where = getattr(worker, "address", None) or "this worker"
        if not self.main_thread:
            raise WorkerSetupError(
                f"Dask worker {where} cannot import Brian2 outside its main thread (its event "
                f"loop runs in thread {here.name!r}); start workers as processes "
                "(`dask worker`, or LocalCluster(processes=True))"
            )
        try:
            import brian2  # noqa: F401  (the import is the point: it installs the handler)
        except ImportError as err:
            raise WorkerSetupError(
                f"Dask worker {where} cannot import Brian2 ({err}); install brain-vs-ann on "
                "every worker (pip install 'brain-vs-ann[dist]')"
            ) from None
        self.thread = here.name
