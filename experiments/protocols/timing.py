"""The timing phase: trained models timed alone, after every training job, like for like.

Training jobs run side by side and their wall times say little about speed. Once they are all
done, :func:`time_models` loads each model a job saved for timing and measures, with nothing
else of this run going on and at every configured thread count:

- ``latency``: one sample end to end, as a user calls ``predict(X[i:i+1])`` (batch 1);
- ``throughput``: ``predict`` on the whole test set at once (samples per second).

Each is repeated (``repeats`` >= 5) and reported as median and quartiles, with the machine's
one-minute load average at the start (other users of the machine show there). What a figure
includes: for the spiking network one compiled run per call (process start, writing and reading
its files, the simulation of every slot it needed) and the Python around it; for the ANN a
forward pass in NumPy/BLAS and the Python around it. ``threads_used`` is what the model reports
it ran with (threadpoolctl's BLAS pool for an ANN, the OpenMP threads of the build for a
spiking network). A multi-threaded spiking network is timed with the OpenMP runtime's default
wait policy (threads spin a while at a barrier before sleeping), not the passive one that
parallel training jobs sharing the cores use (``neurosim.standalone.WAIT_POLICY_ENV``): a model
timed alone has the cores to itself. Package energy from RAPL (``/sys/class/powercap``) is
recorded where readable; on machines without it the column is empty.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TIMING_COLUMNS", "summarise_times", "rapl_energy_uj", "time_models"]

#: Columns of ``timing.csv``.
TIMING_COLUMNS = ("task", "model", "kind", "family", "size", "seed", "mode", "threads",
                  "threads_used", "repeats", "n_samples", "median_s", "q25_s", "q75_s",
                  "samples_per_s", "load_avg", "rapl_j")

_RAPL = Path("/sys/class/powercap")


def summarise_times(seconds: Iterable[float]) -> dict[str, float]:
    """Median and quartiles of repeated timings (s)."""
    arr = np.asarray(list(seconds), dtype=float)
    if arr.size == 0 or not np.all(np.isfinite(arr)) or (arr < 0).any():
        raise ValueError("seconds must be a non-empty list of finite, non-negative timings")
    q25, med, q75 = np.percentile(arr, [25, 50, 75])
    return {"median_s": float(med), "q25_s": float(q25), "q75_s": float(q75)}


def rapl_energy_uj() -> int | None:
    """Summed package energy counters (microjoules) of RAPL, or None when not readable."""
    files = sorted(_RAPL.glob("intel-rapl:*/energy_uj")) if _RAPL.is_dir() else []
    try:
        return sum(int(f.read_text()) for f in files) if files else None
    except (OSError, ValueError):
        return None


def _measure(call: Callable[[int], Any], repeats: int) -> tuple[list[float], float | None]:
    """Time ``call(r)`` ``repeats`` times (after one untimed warm-up call)."""
    call(0)
    e0 = rapl_energy_uj()
    out = []
    for r in range(repeats):
        t0 = time.perf_counter()
        call(r)
        out.append(time.perf_counter() - t0)
    e1 = rapl_energy_uj()
    joules = None if e0 is None or e1 is None or e1 < e0 else (e1 - e0) * 1e-6
    return out, joules


def _modes(model, X: np.ndarray) -> tuple:
    """``(mode, call(r), samples per call)``: batch 1 (sample ``r``), and the whole set."""
    n = len(X)
    return (("latency", lambda r: model.predict(X[r % n: r % n + 1]), 1),
            ("throughput", lambda r: model.predict(X), n))


def time_models(entries: list[dict[str, Any]], *, repeats: int,
                load: Callable[[dict[str, Any]], Any],
                test_X: Callable[[dict[str, Any]], np.ndarray]) -> list[dict[str, Any]]:
    """Latency and throughput of each saved model at each of its thread counts.

    Parameters
    ----------
    entries : list of dict
        One per timed job: ``task``, ``model``, ``kind``, ``family``, ``size``, ``seed``,
        ``threads`` (the thread counts, the model's ``n_threads``, to time it at) and whatever
        ``load``/``test_X`` need.
    repeats : int
        Timed repeats per measurement, >= 5.
    load : callable
        ``load(entry)`` returns the fitted model.
    test_X : callable
        ``test_X(entry)`` returns the test inputs ``(n, n_features)``.

    Returns
    -------
    list of dict
        Rows with :data:`TIMING_COLUMNS`.
    """
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 5:
        raise ValueError(f"repeats must be an integer >= 5, got {repeats!r}")
    from neurosim.standalone import omp_wait_policy

    with omp_wait_policy(None):  # alone on the machine: the runtime's default, not PASSIVE
        return _time_all(entries, repeats, load, test_X)


def _time_all(entries: list[dict[str, Any]], repeats: int,
              load: Callable[[dict[str, Any]], Any],
              test_X: Callable[[dict[str, Any]], np.ndarray]) -> list[dict[str, Any]]:
    rows = []
    for entry in entries:
        model = load(entry)
        X = test_X(entry)
        ids = {k: entry[k] for k in ("task", "model", "kind", "family", "size", "seed")}
        for n in entry["threads"]:
            model.set_params(n_threads=n)
            for mode, call, n_samples in _modes(model, X):
                load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
                seconds, joules = _measure(call, repeats)
                stats = summarise_times(seconds)
                rows.append({**ids, "mode": mode, "threads": n,
                             "threads_used": getattr(model, "threads_used_", None),
                             "repeats": repeats, "n_samples": n_samples, **stats,
                             "samples_per_s": n_samples / stats["median_s"],
                             "load_avg": load_avg, "rapl_j": joules})
    return rows
