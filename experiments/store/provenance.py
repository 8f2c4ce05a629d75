"""Provenance of a run: versions, CPU and thread settings of the machine, for the manifest."""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

__all__ = ["environment"]

_PACKAGES = ("brain-vs-ann", "numpy", "scipy", "brian2", "pandas", "matplotlib", "scikit-learn",
             "threadpoolctl", "tqdm", "dask", "distributed")




def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment() -> dict[str, Any]:
    """Versions, CPU and thread settings of this machine (for the manifest)."""
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    try:
        from threadpoolctl import threadpool_info

        pools = [{k: p.get(k) for k in ("internal_api", "num_threads", "version")}
                 for p in threadpool_info()]
    except Exception:  # threadpoolctl is optional at this point
        pools = []
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "versions": versions,
        "platform": platform.platform(),
        "cpu": {"model": _cpu_model(), "logical_cores": os.cpu_count(),
                "usable_cores": affinity},
        "thread_env": {k: os.environ.get(k) for k in
                       ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")},
        "blas_threadpools": pools,
        "brian2_cache": os.environ.get("BRAIN_VS_ANN_CACHE"),
    }
