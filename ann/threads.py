"""BLAS thread control for the estimators (threadpoolctl).

The matrices of these small networks are too small to gain from several BLAS threads, and on a
shared machine a multi-threaded BLAS that spins while waiting can be many times slower, so the
estimators run with ``n_threads=1`` unless told otherwise (``None`` keeps the process setting).
"""

from __future__ import annotations

import contextlib

__all__ = ["blas_threads"]

_CONTROLLER = None


def blas_threads(n_threads):
    """Context manager limiting BLAS to ``n_threads`` (``None``: no change)."""
    global _CONTROLLER
    if n_threads is None:
        return contextlib.nullcontext()
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=int(n_threads), user_api="blas")
