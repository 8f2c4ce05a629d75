"""Where jobs run: in this process, in a local process pool, or on a Dask distributed cluster.

Every executor has the same shape: :func:`execute` takes the job payloads (plain dicts), runs
:func:`experiments.running.jobs.run_job` on each, and hands every result to ``on_result`` in
this process as soon as it arrives, so the caller writes it to disk before the next one. Results
never depend on the executor: each job seeds itself and pins its own thread count.

Running on a Dask cluster (``--executor dask --scheduler tcp://HOST:8786``): every worker needs
this package installed (``pip install 'brain-vs-ann[dist]'``, same version as the client) and,
for spiking jobs, a C++ compiler; nothing else. Start the workers as processes, e.g.
``dask scheduler`` then ``dask worker tcp://HOST:8786 --nthreads 1`` per core (one thread per
worker: each job pins its own threads). No preload or worker option is needed: before it submits
a job, the executor registers :class:`experiments.running.dask_setup.ImportBrian2`, a worker
plugin that imports Brian2 in each worker's main thread (Brian2 installs a signal handler on
import, which Python refuses in the worker threads that run tasks). Workers that join later get it
too. ``BRAIN_VS_ANN_CACHE`` is read on the worker: set it in the workers' environment to choose
where each machine caches its compiled spiking networks.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from experiments.running.errors import UsageError
from experiments.running.jobs import run_job

__all__ = ["EXECUTORS", "execute"]

EXECUTORS = ("local", "dask")


def _failure(payload: dict[str, Any], err: BaseException) -> dict[str, Any]:
    """A result recording that the worker itself died (the job could not report back)."""
    from experiments.running.jobs import Job

    job = Job.from_dict(payload)
    return {"id": job.id, "job": job.to_dict(), "status": "failed",
            "error": f"worker lost: {type(err).__name__}: {err}", "traceback": None}


def _exit_with_parent(parent_pid: int) -> None:
    """Pool-worker initializer: exit as soon as the runner that started us is gone (a killed
    runner must not leave workers behind, computing jobs nobody will store)."""

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _local(payloads, n_workers, progress, on_result) -> None:
    if n_workers == 1:
        for payload in payloads:
            on_result(run_job(payload, progress))
        return
    # spawn: a clean interpreter per worker (Brian2 and BLAS threads do not survive fork well)
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx,
                               initializer=_exit_with_parent, initargs=(os.getpid(),))
    try:
        pending = {pool.submit(run_job, p, False): p for p in payloads}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                payload = pending.pop(fut)
                try:
                    result = fut.result()
                except Exception as err:  # a crashed worker process
                    result = _failure(payload, err)
                on_result(result)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _prepare_workers(client) -> None:
    """Register the plugin that imports Brian2 in every worker's main thread (running workers
    run it before this returns; later ones before their first task)."""
    from experiments.running.dask_setup import PLUGIN_NAME, ImportBrian2, WorkerSetupError

    try:
        client.register_plugin(ImportBrian2(), name=PLUGIN_NAME)
    except WorkerSetupError as err:
        raise UsageError(str(err)) from None
    except Exception as err:
        # A worker without this package cannot unpickle the plugin; the scheduler relays that
        # as a plain Exception carrying the ModuleNotFoundError's text.
        if not isinstance(err, ImportError) and "ModuleNotFoundError" not in str(err):
            raise
        raise UsageError(
            f"a Dask worker cannot load brain-vs-ann ({err}); install it on every worker "
            "(pip install 'brain-vs-ann[dist]')"
        ) from None


def _dask(payloads, n_workers, scheduler, on_result) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError(
            "--executor dask needs dask.distributed: pip install 'brain-vs-ann[dist]'"
        ) from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as err:
            raise UsageError(
                f"cannot reach the Dask scheduler at {scheduler} ({err}); check --scheduler"
            ) from None
    try:
        _prepare_workers(client)
        futures = [client.submit(run_job, p, False, pure=False) for p in payloads]
        by_key = {f.key: p for f, p in zip(futures, payloads, strict=True)}
        for fut in as_completed(futures):
            try:
                result = fut.result()
            except Exception as err:  # the worker died or the job could not be sent back
                result = _failure(by_key[fut.key], err)
            on_result(result)
            fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def execute(
    payloads: Sequence[dict[str, Any]],
    on_result: Callable[[dict[str, Any]], None],
    *,
    executor: str = "local",
    n_workers: int = 1,
    scheduler: str | None = None,
    progress: bool = False,
) -> None:
    """Run every payload and pass each result to ``on_result`` as it arrives.

    Parameters
    ----------
    payloads : sequence of dict
        Jobs as :meth:`experiments.running.jobs.Job.to_dict` dicts.
    on_result : callable
        Called in this process with each result dict, in completion order.
    executor : {"local", "dask"}
        ``local``: in this process when ``n_workers == 1``, else a spawn process pool.
        ``dask``: a Dask distributed cluster at ``scheduler``, or a local one of ``n_workers``
        single-threaded processes when ``scheduler`` is None.
    n_workers : int
        Parallel jobs (local pool size / local Dask cluster workers).
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a running Dask scheduler (only with ``executor="dask"``).
    progress : bool
        Let models show their own progress bars (in-process runs only).
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ValueError(f"n_workers must be a positive integer, got {n_workers!r}")
    if scheduler is not None and executor != "dask":
        raise ValueError("scheduler is only used with executor='dask'; add --executor dask")
    if not callable(on_result):
        raise TypeError("on_result must be callable")
    payloads = list(payloads)
    if not payloads:
        return
    if executor == "local":
        _local(payloads, min(n_workers, len(payloads)), progress, on_result)
    else:
        _dask(payloads, n_workers, scheduler, on_result)

