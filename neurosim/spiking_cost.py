"""The comparison metrics of a fitted Diehl & Cook network (:meth:`SpikingCost.cost`), counted on
the simulation ``predict`` makes: one definition for every estimator built on that network."""

from __future__ import annotations

from typing import Any

import numpy as np

from contract import cost_record
from neurosim.presentation import PresentationResult

__all__ = ["SpikingCost"]

#: The seed key of ``predict``'s simulation (the one :meth:`SpikingCost.cost` measures).
_SEED_PREDICT = 5


class SpikingCost:
    """Mixin: ``cost(X)`` for an estimator with ``weights_``, ``_spec`` and ``_respond``."""

    def cost(self, X: Any = None) -> dict[str, Any]:
        """The comparison metrics (:data:`contract.COST_METRICS`, the ``snn`` column).

        Per-inference metrics are means over the rows of ``X`` (``None`` without ``X``),
        measured on the simulation ``predict`` makes of ``X`` (re-shows included); every
        simulated step counts (re-shows and rests included). Synaptic events
        (``effective_acs``): each input spike times the input's non-zero weights, each
        excitatory spike times its one inhibitory partner (``"population"``) or the other
        ``n_excitatory - 1`` neurons (``"wta"``), each inhibitory spike times the other
        ``n_excitatory - 1`` excitatory neurons; a zero lateral weight contributes nothing.
        """
        self._check_fitted()
        spec = self._spec(self.n_features_in_)
        n_in, n_exc, neurons = spec.n_inputs, spec.n_excitatory, spec.n_neurons
        population = spec.inhibition == "population"
        synapses = spec.n_synapses["total"]
        nonzero_in = np.count_nonzero(self.weights_, axis=1)  # per input
        nonzero_lateral = ((n_exc if population else 0) * (self.w_exc_inh > 0)
                           + n_exc * (n_exc - 1) * (self.w_inh_exc > 0))
        dense = n_in * n_exc + (2 if population else 1) * n_exc * n_exc
        out: dict[str, Any] = {
            "neurons": neurons, "synapses": synapses,
            "params": int(self.weights_.size + self.theta_mV_.size),
            "footprint_bytes": int(self.footprint_bytes_),
            "footprint_dtype": "float64 state, int32 indices (Brian2)",
            "connection_sparsity": 1.0 - (int(nonzero_in.sum()) + nonzero_lateral) / dense,
            "parallel_width": neurons, "update_locality": "local",
            "train_samples": int(self.train_samples_), "epochs": int(self.epochs_),
            "labels_used": int(self.labels_used_),
            "effective_macs": 0,
        }
        inference = ("presentations_per_sample", "timesteps", "sim_ms_per_inference",
                     "sequential_depth", "steps_to_first_output", "ms_to_first_output",
                     "steps_to_final_output", "dense_ops", "effective_acs", "membrane_updates",
                     "input_draws", "activation_sparsity", "spike_rate_hz", "fraction_active")
        out.update(dict.fromkeys(inference))
        if X is not None:
            res = self._respond(self._check_X(X, fitted=True), seed_key=_SEED_PREDICT,
                                desc="cost", reuse=True)
            out.update(self._inference_cost(res, nonzero_in))
        return cost_record(out)

    def _inference_cost(self, res: PresentationResult, nonzero_in: np.ndarray
                        ) -> dict[str, Any]:
        spec = self._spec(self.n_features_in_)
        m, n_exc, neurons = res.n_samples, spec.n_excitatory, spec.n_neurons
        population = spec.inhibition == "population"
        total_steps = int(res.shows.sum()) * res.slot_steps
        steps = total_steps / m
        exc_fanout = (1 if population else n_exc - 1) * (self.w_exc_inh > 0 if population
                                                          else self.w_inh_exc > 0)
        inh_fanout = (n_exc - 1) * (self.w_inh_exc > 0)
        events = (float(res.input_counts @ nonzero_in) + res.exc_spikes * exc_fanout
                  + res.inh_spikes * inh_fanout)
        spikes = res.exc_spikes + res.inh_spikes
        answered = res.first_step[res.first_step >= 0]
        first = float(np.median(answered)) if answered.size else None
        final = (res.shows - 1) * res.slot_steps + res.pres_steps
        return {
            "presentations_per_sample": float(res.shows.mean()),
            "timesteps": steps, "sim_ms_per_inference": steps * spec.dt_ms,
            "sequential_depth": steps,
            "steps_to_first_output": first,
            "ms_to_first_output": None if first is None else first * spec.dt_ms,
            "steps_to_final_output": float(final.mean()),
            "dense_ops": spec.n_synapses["total"] * steps,
            "effective_acs": events / m,
            "membrane_updates": neurons * steps,
            "input_draws": spec.n_inputs * steps,
            "activation_sparsity": 1.0 - spikes / (neurons * total_steps),
            "spike_rate_hz": spikes / (neurons * total_steps * spec.dt_ms * 1e-3),
            "fraction_active": float(res.active.mean()) / n_exc,
        }
