"""BLAS thread control for the estimators (threadpoolctl).

``n_threads`` is the one control: an int limits the BLAS pool to that many threads for the call;
``None`` leaves it as the caller set it (the process default, or a caller's own
``threadpoolctl.threadpool_limits`` block). :func:`blas_threads` applies the limit and reports the
thread count BLAS really runs with inside the call, which the estimators keep in
``threads_used_``.

The matrices of these small networks are too small to gain from several BLAS threads, and on a
shared machine a multi-threaded BLAS that spins while waiting can be many times slower, so the
estimators default to ``n_threads=1``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

__all__ = ["blas_threads", "current_blas_threads"]

_CONTROLLER = None


def _controller():
    """One ``ThreadpoolController`` per process (listing the loaded libraries costs ~ms)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER


def _numpy_blas():
    """The BLAS pool NumPy calls (its own bundled library when there are several), or None."""
    pools = [lib for lib in _controller().lib_controllers if lib.user_api == "blas"]
    if not pools:
        return None
    mine = [lib for lib in pools if f"numpy{os.sep}" in lib.filepath
            or f"numpy.libs{os.sep}" in lib.filepath]
    return (mine or pools)[0]


def current_blas_threads() -> int:
    """Threads NumPy's BLAS pool runs with right now, as threadpoolctl reads it (1: no BLAS
    pool found)."""
    pool = _numpy_blas()
    return 1 if pool is None else int(pool.num_threads)


@contextlib.contextmanager
def blas_threads(n_threads: int | None) -> Iterator[int]:
    """Limit BLAS to ``n_threads`` for the body (``None``: no change).

    Parameters
    ----------
    n_threads : int or None
        Threads for every BLAS pool threadpoolctl finds; ``None`` keeps the caller's setting.

    Yields
    ------
    int
        The thread count NumPy's BLAS runs with inside the block (:func:`current_blas_threads`).
    """
    if n_threads is None:
        yield current_blas_threads()
        return
    with _controller().limit(limits=int(n_threads), user_api="blas"):
        yield current_blas_threads()
