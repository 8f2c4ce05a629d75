"""Presenting samples to the network, run after run, and what it did with them.

:func:`present` feeds the rows of a rate table to an engine (:mod:`neurosim.standalone`) in
blocks of at most ``engine.capacity(max_repeats)`` samples, one simulation each, carrying the
weights and thresholds from run to run; it yields after every run, so a caller can record a
learning curve without changing what is learned. :class:`PresentationResult` gathers, per
sample, the spikes of its final showing (what the read-out uses), how often it was shown and
when it first answered, and the run's totals (input spikes per input, inhibitory spikes, wall
time and where it went).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from neurosim.standalone import ChunkResult, RunSettings

__all__ = ["PresentationResult", "Presented", "present"]


@dataclass
class PresentationResult:
    """What the network did on ``n_samples`` samples.

    Attributes
    ----------
    n_samples, n_excitatory, slot_steps, pres_steps : int
        Samples, excitatory neurons, time steps per slot (presentation + rest) and per
        presentation.
    sample, neuron, step : ndarray (n_spikes,)
        Excitatory spikes during each sample's *final* showing: sample index, neuron index and
        time step since that showing's onset.
    first_show_sample, first_show_neuron, first_show_step : ndarray (n_first_spikes,)
        The same for each sample's *first* showing (the anytime answer from onset; a later
        re-show cannot change it, it starts after the first showing ends).
    shows : ndarray (n_samples,)
        Showings of each sample (1 + re-shows).
    first_step : ndarray (n_samples,)
        Time steps from the onset of a sample's first showing to its first excitatory spike
        during a presentation (re-shows and their rests included in the count); ``-1`` if none.
    active : ndarray (n_samples,)
        Distinct excitatory neurons that spiked during the sample's presentations.
    input_counts : ndarray (n_inputs,)
        Spikes of each input over all runs.
    exc_spikes, inh_spikes : int
        Excitatory and inhibitory spikes over all runs (presentations and rests).
    footprint_bytes : int
        Bytes of the model's arrays as the simulator allocated them.
    wall_s : float
        Wall time of the runs; ``times`` splits it (see :class:`ChunkResult`).
    runs : int
        Simulations made.
    rewarded, punished : int
        ``learning_rule="rstdp"`` networks shown labels: presentations (re-shows counted)
        whose first excitatory spike came from a neuron of the sample's class, and of another
        class (see :class:`~neurosim.standalone.ChunkResult`); 0 otherwise.
    """

    n_samples: int
    n_excitatory: int
    slot_steps: int
    pres_steps: int
    sample: np.ndarray
    neuron: np.ndarray
    step: np.ndarray
    first_show_sample: np.ndarray
    first_show_neuron: np.ndarray
    first_show_step: np.ndarray
    shows: np.ndarray
    first_step: np.ndarray
    active: np.ndarray
    input_counts: np.ndarray
    exc_spikes: int = 0
    inh_spikes: int = 0
    footprint_bytes: int = 0
    wall_s: float = 0.0
    times: dict = field(default_factory=dict)
    runs: int = 0
    rewarded: int = 0
    punished: int = 0

    @property
    def presentations(self) -> int:
        """Showings made, re-shows counted."""
        return int(self.shows.sum())

    def counts(self, max_step: int | None = None, *, showing: str = "final") -> np.ndarray:
        """Spike counts ``(n_samples, n_excitatory)``, float64, of each sample's ``"final"``
        showing (what the read-out votes with) or ``"first"`` showing.

        ``max_step``: only spikes in the first ``max_step`` time steps of that showing.
        """
        if showing not in ("final", "first"):
            raise ValueError(f"showing must be 'final' or 'first', got {showing!r}")
        sample, neuron, step = ((self.sample, self.neuron, self.step) if showing == "final" else
                                (self.first_show_sample, self.first_show_neuron,
                                 self.first_show_step))
        keep = slice(None) if max_step is None else step < max_step
        flat = sample[keep] * self.n_excitatory + neuron[keep]
        c = np.bincount(flat, minlength=self.n_samples * self.n_excitatory)
        return c.reshape(self.n_samples, self.n_excitatory).astype(np.float64)

    @classmethod
    def concat(cls, parts: list[PresentationResult]) -> PresentationResult:
        """One result for the samples of ``parts`` in order (sample indices shifted)."""
        if not parts:
            raise ValueError("parts must hold at least one PresentationResult")
        offsets = np.cumsum([0] + [p.n_samples for p in parts[:-1]])
        times: dict = {}
        for p in parts:
            for k, v in p.times.items():
                times[k] = times.get(k, 0.0) + v
        first = parts[0]
        return cls(
            n_samples=int(sum(p.n_samples for p in parts)), n_excitatory=first.n_excitatory,
            slot_steps=first.slot_steps, pres_steps=first.pres_steps,
            sample=np.concatenate([p.sample + o for p, o in zip(parts, offsets, strict=True)]),
            neuron=np.concatenate([p.neuron for p in parts]),
            step=np.concatenate([p.step for p in parts]),
            first_show_sample=np.concatenate([p.first_show_sample + o for p, o in
                                              zip(parts, offsets, strict=True)]),
            first_show_neuron=np.concatenate([p.first_show_neuron for p in parts]),
            first_show_step=np.concatenate([p.first_show_step for p in parts]),
            shows=np.concatenate([p.shows for p in parts]),
            first_step=np.concatenate([p.first_step for p in parts]),
            active=np.concatenate([p.active for p in parts]),
            input_counts=np.sum([p.input_counts for p in parts], axis=0),
            exc_spikes=sum(p.exc_spikes for p in parts),
            inh_spikes=sum(p.inh_spikes for p in parts),
            footprint_bytes=max(p.footprint_bytes for p in parts),
            wall_s=sum(p.wall_s for p in parts), times=times,
            runs=sum(p.runs for p in parts),
            rewarded=sum(p.rewarded for p in parts), punished=sum(p.punished for p in parts),
        )


def _from_chunk(r: ChunkResult, n_valid: int, slot_steps: int, pres_steps: int,
                n_excitatory: int) -> PresentationResult:
    """Per-sample view of one run of ``n_valid`` samples."""
    N = slot_steps
    slot_k = r.slot_k
    shown = slot_k < n_valid
    shows = np.bincount(slot_k[shown], minlength=n_valid)
    if (shows == 0).any():
        raise RuntimeError(f"the run ended before showing every sample ({int((shows > 0).sum())}"
                           f" of {n_valid}); the engine's capacity is too small")
    slots = np.flatnonzero(shown)
    first_slot = np.full(n_valid, len(slot_k))
    np.minimum.at(first_slot, slot_k[slots], slots)
    final_slot = np.full(n_valid, -1)
    np.maximum.at(final_slot, slot_k[slots], slots)
    spike_slot = r.spike_step // N
    in_step = r.spike_step % N
    ok = (spike_slot < len(slot_k)) & (in_step < pres_steps)
    ok[ok] = shown[spike_slot[ok]]
    s_slot, s_step, s_neuron = spike_slot[ok], in_step[ok], r.spike_i[ok]
    s_sample = slot_k[s_slot]
    final = s_slot == final_slot[s_sample]
    first = s_slot == first_slot[s_sample]
    since_first = (s_slot - first_slot[s_sample]) * N + s_step
    first_step = np.full(n_valid, np.iinfo(np.int64).max)
    np.minimum.at(first_step, s_sample, since_first)
    first_step[first_step == np.iinfo(np.int64).max] = -1
    pairs = np.unique(s_sample * n_excitatory + s_neuron)
    active = np.bincount(pairs // n_excitatory, minlength=n_valid)
    return PresentationResult(
        n_samples=n_valid, n_excitatory=n_excitatory, slot_steps=N, pres_steps=pres_steps,
        sample=s_sample[final], neuron=s_neuron[final], step=s_step[final],
        first_show_sample=s_sample[first], first_show_neuron=s_neuron[first],
        first_show_step=s_step[first], shows=shows,
        first_step=first_step, active=active, input_counts=r.input_counts,
        exc_spikes=len(r.spike_i), inh_spikes=r.inh_spikes,
        footprint_bytes=r.footprint_bytes, wall_s=r.wall_s, times=dict(r.times), runs=1,
        rewarded=r.rewarded, punished=r.punished)


@dataclass
class Presented:
    """One run's outcome, as :func:`present` yields it.

    Attributes
    ----------
    stop : int
        Samples presented so far (the run covered rows ``[stop - result.n_samples, stop)``).
    w, theta_mV : ndarray
        Weights and thresholds after the run.
    result : PresentationResult
        What the run did with its samples.
    reward_baseline : float
        ``learning_rule="rstdp"`` with labels: the running mean of the outcomes after the run
        (the next run starts from it); else 0.
    """

    stop: int
    w: np.ndarray
    theta_mV: np.ndarray
    result: PresentationResult
    reward_baseline: float = 0.0


def present(engine, rates_hz: np.ndarray, w: np.ndarray, theta_mV: np.ndarray, *,
            settings: RunSettings, keys: np.ndarray,
            labels: np.ndarray | None = None) -> Iterator[Presented]:
    """Present every row of ``rates_hz`` in order, one engine run per block of samples.

    Parameters
    ----------
    engine : StandaloneEngine or RuntimeEngine
    rates_hz : ndarray (n_samples, n_inputs)
        Input rates of each sample (Hz).
    w : ndarray (n_inputs * n_excitatory,)
        Initial weights.
    theta_mV : ndarray (n_excitatory,)
        Initial adaptive thresholds (mV).
    settings : RunSettings
        Learning switch, re-show rule, normalisation and learning rates.
    keys : ndarray (n_samples, 2)
        Each row's input-noise key (:func:`neurosim.sample_noise.sample_keys`): a row's
        Poisson spikes depend on its key only, not on the other rows or the blocks.
    labels : ndarray (n_samples,) of int, optional
        Class index of each row, ``-1`` for unlabelled: the reward's teacher in a
        ``learning_rule="rstdp"`` network (each run gets the rows of its block); ``None`` for
        ``"stdp"`` networks.

    Yields
    ------
    Presented
        After each run; the weights and thresholds change only when ``settings.learn``.
    """
    spec = engine.spec
    n = len(rates_hz)
    if labels is not None and len(labels) != n:
        raise ValueError(f"labels must have one entry per row of rates_hz ({n}), got "
                         f"{len(labels)}")
    cap = engine.capacity(settings.max_repeats)
    if np.shape(keys) != (n, 2):
        raise ValueError(f"keys must have shape ({n}, 2), one per row of rates_hz, got "
                         f"{np.shape(keys)}")
    start = 0
    while start < n:
        stop = min(start + cap, n)
        block = {} if labels is None else {"labels": labels[start:stop]}
        r = engine.run_chunk(rates_hz[start:stop], w=w, theta_mV=theta_mV, settings=settings,
                             keys=keys[start:stop], **block)
        if settings.learn:
            w, theta_mV = r.w, r.theta_mV
            if labels is not None:  # the reward's running mean goes on to the next run
                settings = dataclasses.replace(settings, reward_baseline=r.reward_baseline)
        yield Presented(stop, w, theta_mV, _from_chunk(r, stop - start, spec.n_slot_steps,
                                                       spec.n_pres_steps, spec.n_excitatory),
                        reward_baseline=r.reward_baseline)
        start = stop
