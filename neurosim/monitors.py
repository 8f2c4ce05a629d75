"""Monitors with bounded memory: per-neuron spike counts, and opt-in spike/state recording.

:class:`SpikeCounter` keeps O(n) memory however long the run: it wraps a
``brian2.SpikeMonitor(record=False)`` (which only maintains its ``count`` array) and a baseline
snapshot, so counts can be "reset" between samples without touching the Brian2 object.
:func:`spike_monitor` and :func:`state_monitor` record more, and refuse configurations whose
memory would exceed an explicit budget.
"""

from __future__ import annotations

from typing import Any

import brian2 as b2
import numpy as np

from neurosim._checks import check_int, check_name, check_positive


class SpikeCounter:
    """Per-neuron spike counts since the last :meth:`reset` (bounded memory).

    Attributes
    ----------
    monitor : brian2.SpikeMonitor
        The Brian2 object to add to the ``Network`` (``record=False``).
    """

    def __init__(self, group: Any, *, name: str) -> None:
        check_name("name", name)
        self.monitor = b2.SpikeMonitor(group, record=False, name=name)
        self._n = len(group)
        self._baseline = np.zeros(self._n, dtype=np.int64)

    @property
    def brian_objects(self) -> list[Any]:
        """Objects to add to a ``brian2.Network``."""
        return [self.monitor]

    def counts(self) -> np.ndarray:
        """Spikes per neuron since the last reset, int64 array of shape (n,)."""
        return np.asarray(self.monitor.count[:], dtype=np.int64) - self._baseline

    def total(self) -> int:
        """Total spikes (all neurons) since the last reset."""
        return int(self.counts().sum())

    def reset(self) -> None:
        """Start counting from zero (e.g. before the next sample is presented)."""
        self._baseline = np.asarray(self.monitor.count[:], dtype=np.int64).copy()


def spike_counter(group: Any, *, name: str) -> SpikeCounter:
    """Create a :class:`SpikeCounter` for ``group`` (add ``.monitor`` to the Network)."""
    return SpikeCounter(group, name=name)


def spike_monitor(group: Any, *, name: str) -> b2.SpikeMonitor:
    """Record spike times and indices of ``group``; memory grows with the number of spikes.

    Check it with :func:`check_spike_budget` between runs, or prefer :func:`spike_counter` for
    long runs.
    """
    check_name("name", name)
    return b2.SpikeMonitor(group, record=True, name=name)


def check_spike_budget(mon: b2.SpikeMonitor, max_spikes: int) -> None:
    """Raise ``RuntimeError`` if ``mon`` holds more than ``max_spikes`` spikes."""
    max_spikes = check_int("max_spikes", max_spikes, minimum=1)
    if mon.num_spikes > max_spikes:
        raise RuntimeError(
            f"spike monitor {mon.name!r} holds {mon.num_spikes} spikes > max_spikes="
            f"{max_spikes}; record fewer neurons, run shorter, or use spike_counter"
        )


def state_monitor(group: Any, variables: str | list[str], *, name: str, record: Any,
                  duration_ms: float, dt_ms: float, max_values: int = 5_000_000
                  ) -> b2.StateMonitor:
    """Record state variables of a few neurons, sparingly.

    Parameters
    ----------
    group : brian2 group
    variables : str or list of str
        Variables to record (e.g. ``"v"``).
    name : str
        Brian2 object name.
    record : int, sequence of int
        Indices of the neurons to record (``True`` for all is refused when it breaks the budget).
    duration_ms : float
        Simulated time (ms) the caller will run while monitoring, > 0.
    dt_ms : float
        Recording interval (ms), > 0.
    max_values : int
        Budget: ``len(variables) * len(record) * duration_ms / dt_ms`` must not exceed it.

    Returns
    -------
    brian2.StateMonitor
    """
    check_name("name", name)
    dur = check_positive("duration_ms", duration_ms)
    step = check_positive("dt_ms", dt_ms)
    max_values = check_int("max_values", max_values, minimum=1)
    names = [variables] if isinstance(variables, str) else list(variables)
    n_rec = len(group) if record is True else int(np.size(record))
    n_values = len(names) * n_rec * int(np.ceil(dur / step))
    if n_values > max_values:
        raise ValueError(
            f"state_monitor would store {n_values} values > max_values={max_values}; record "
            "fewer neurons/variables, a larger dt_ms, or a shorter duration_ms"
        )
    return b2.StateMonitor(group, names, record=record, dt=step * b2.ms, name=name)
