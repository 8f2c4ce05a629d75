"""Spike trains as Neo objects, and the irregularity of a network's firing.

`Neo <https://neuralensemble.org/neo/>`_ (Garcia et al. 2014, Frontiers in Neuroinformatics
8:10) is the data model that Elephant, the NEST/PyNN toolchain and most electrophysiology
readers share: a ``neo.SpikeTrain`` is an array of spike times with units and a
``[t_start, t_stop]`` window. ``neo`` is an optional dependency (``pip install neo`` or the
project's ``interop`` extra), imported only by :func:`to_spiketrains` and :func:`to_block`.

The input is the dictionary the spiking estimators' ``spikes(X)`` return (e.g.
:meth:`neurosim.STDPClassifier.spikes`): flat arrays ``sample``, ``neuron`` and ``t_ms`` (time
since the sample's onset, ms), one entry per spike. :func:`isi_cv` needs only NumPy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from neurosim._checks import as_float_array, check_int, check_positive

__all__ = ["isi_cv", "pooled_isi_cv", "to_block", "to_spiketrains"]


def _import_neo() -> Any:
    try:
        import neo
        import quantities as pq
    except ImportError:
        raise ImportError(
            "spike trains as Neo objects need the optional 'neo' package; install it with "
            "`pip install neo` or the project's extra: `pip install 'brain-vs-ann[interop]'`"
        ) from None
    return neo, pq


def _check_spikes(spikes: Mapping[str, Any], n_samples: int, n_neurons: int,
                  t_stop_ms: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(spikes, Mapping) or not {"sample", "neuron", "t_ms"} <= set(spikes):
        raise TypeError("spikes must be the dict that spikes(X) returns, with arrays 'sample', "
                        "'neuron' and 't_ms'")
    sample = np.asarray(spikes["sample"], dtype=np.int64).reshape(-1)
    neuron = np.asarray(spikes["neuron"], dtype=np.int64).reshape(-1)
    t = as_float_array("spikes['t_ms']", spikes["t_ms"]).reshape(-1)
    if not sample.size == neuron.size == t.size:
        raise ValueError(f"spikes['sample'], ['neuron'] and ['t_ms'] must have one entry per "
                         f"spike, got sizes {sample.size}, {neuron.size}, {t.size}")
    if sample.size:
        if sample.min() < 0 or sample.max() >= n_samples:
            raise ValueError(f"spikes['sample'] lies in [{sample.min()}, {sample.max()}] but "
                             f"n_samples={n_samples}; pass the number of rows of X")
        if neuron.min() < 0 or neuron.max() >= n_neurons:
            raise ValueError(f"spikes['neuron'] lies in [{neuron.min()}, {neuron.max()}] but "
                             f"n_neurons={n_neurons}; pass the layer's size")
        if t.min() < 0.0 or t.max() > t_stop_ms:
            raise ValueError(f"spikes['t_ms'] lies in [{t.min():g}, {t.max():g}] ms, outside "
                             f"[0, t_stop_ms={t_stop_ms:g}]; pass the presentation time")
    return sample, neuron, t


def to_spiketrains(spikes: Mapping[str, Any], *, n_samples: int, n_neurons: int,
                   t_stop_ms: float) -> list[list[Any]]:
    """One ``neo.SpikeTrain`` per sample and neuron.

    Parameters
    ----------
    spikes : dict
        ``sample``, ``neuron`` (int) and ``t_ms`` (float, ms from the sample's onset) arrays of
        equal length, one entry per spike (what ``spikes(X)`` returns).
    n_samples : int
        Number of samples (rows of ``X``): samples without spikes get empty trains.
    n_neurons : int
        Number of neurons of the layer: silent neurons get empty trains.
    t_stop_ms : float
        End of each train's window (the presentation time, ms); every train starts at 0.

    Returns
    -------
    list of list of neo.SpikeTrain
        ``trains[sample][neuron]``, times in ms sorted ascending, annotated with ``sample``
        and ``neuron``.
    """
    neo, pq = _import_neo()
    n_samples = check_int("n_samples", n_samples, minimum=1)
    n_neurons = check_int("n_neurons", n_neurons, minimum=1)
    t_stop = check_positive("t_stop_ms", t_stop_ms)
    sample, neuron, t = _check_spikes(spikes, n_samples, n_neurons, t_stop)
    order = np.lexsort((t, neuron, sample))
    sample, neuron, t = sample[order], neuron[order], t[order]
    key = sample * n_neurons + neuron
    bounds = np.searchsorted(key, np.arange(n_samples * n_neurons + 1))
    out: list[list[Any]] = []
    for s in range(n_samples):
        row = []
        for n in range(n_neurons):
            k = s * n_neurons + n
            row.append(neo.SpikeTrain(t[bounds[k]:bounds[k + 1]] * pq.ms, t_start=0.0 * pq.ms,
                                      t_stop=t_stop * pq.ms, sample=s, neuron=n))
        out.append(row)
    return out


def to_block(spikes: Mapping[str, Any], *, n_samples: int, n_neurons: int, t_stop_ms: float,
             name: str = "neurosim") -> Any:
    """The trains of :func:`to_spiketrains` as a ``neo.Block``: one ``Segment`` per sample
    (``segment.spiketrains[neuron]``), ready for ``neo.io`` writers and Elephant."""
    neo, _ = _import_neo()
    block = neo.Block(name=name)
    for s, row in enumerate(to_spiketrains(spikes, n_samples=n_samples, n_neurons=n_neurons,
                                           t_stop_ms=t_stop_ms)):
        seg = neo.Segment(name=f"sample {s}", index=s)
        seg.spiketrains.extend(row)
        block.segments.append(seg)
    return block


def isi_cv(trains: Iterable[Any], *, min_spikes: int = 3) -> np.ndarray:
    """Coefficient of variation of the inter-spike intervals of each train.

    ``CV = std(ISI) / mean(ISI)`` (population standard deviation, ``ddof=0``, as
    ``elephant.statistics.cv``): 0 for a clock, 1 for a Poisson process; cortical neurons in
    vivo fire with CV close to 1 (Softky & Koch 1993, J Neurosci 13:334).

    Parameters
    ----------
    trains : iterable of neo.SpikeTrain or array-like of spike times
        One train per neuron (and sample); the times' unit cancels out.
    min_spikes : int, default 3
        Trains with fewer spikes (fewer than 2 intervals) are skipped.

    Returns
    -------
    ndarray, shape (n_kept,)
        One CV per train with at least ``min_spikes`` spikes.
    """
    min_spikes = check_int("min_spikes", min_spikes, minimum=3)
    out = []
    for train in trains:
        times = np.sort(np.asarray(getattr(train, "magnitude", train), dtype=np.float64))
        if times.size < min_spikes:
            continue
        isi = np.diff(times)
        mean = isi.mean()
        if mean > 0.0:
            out.append(isi.std() / mean)
    return np.asarray(out, dtype=np.float64)


def pooled_isi_cv(trains: list[list[Any]], *, min_intervals: int = 10) -> np.ndarray:
    """Per neuron, the CV of its inter-spike intervals pooled over samples.

    Only intervals within one sample's presentation count (never across the rest between two
    samples); a network that fires a few spikes per presentation has too few intervals per
    train for :func:`isi_cv`, but enough over many presentations.

    Parameters
    ----------
    trains : list of list
        ``trains[sample][neuron]``, as :func:`to_spiketrains` returns (SpikeTrains or arrays).
    min_intervals : int, default 10
        Neurons with fewer pooled intervals are skipped.

    Returns
    -------
    ndarray, shape (n_kept,)
        ``std / mean`` (``ddof=0``) of each kept neuron's pooled intervals.
    """
    min_intervals = check_int("min_intervals", min_intervals, minimum=2)
    if not trains:
        return np.zeros(0)
    out = []
    for n in range(len(trains[0])):
        isi = np.concatenate([np.diff(np.sort(np.asarray(getattr(row[n], "magnitude", row[n]),
                                                         dtype=np.float64)))
                              for row in trains])
        if isi.size >= min_intervals and isi.mean() > 0.0:
            out.append(isi.std() / isi.mean())
    return np.asarray(out, dtype=np.float64)
