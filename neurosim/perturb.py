"""Robustness perturbations of a fitted Diehl & Cook network (:meth:`PerturbableSTDP.perturbed`):
synapse and neuron lesions and weight quantisation of the learned input weights."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from neurosim._checks import check_int

__all__ = ["PerturbableSTDP"]


class PerturbableSTDP:
    """Mixin: ``perturbed(kind, level)`` for an estimator with learned ``weights_``."""

    # ------------------------------------------------------------------ perturbations
    #: What :meth:`perturbed` can do to a fitted network.
    PERTURBATIONS = ("synapse_lesion", "neuron_lesion", "weight_bits")

    def perturbed(self, kind: str, level: float, random_state: Any = None) -> Any:
        """A perturbed copy of the fitted network; ``self`` is not changed.

        Only the learned input weights ``weights_`` change; the thresholds, the fixed lateral
        inhibition and the neurons' names stay, and nothing is learned or named again. The
        copy runs the same compiled network (no recompilation: weights are run-time data) and
        draws the same Poisson spike trains as ``self`` for the same ``X``, so level 0 predicts
        exactly as ``self`` does.

        Parameters
        ----------
        kind : {"synapse_lesion", "neuron_lesion", "weight_bits"}
            - ``"synapse_lesion"``: ``round(level * n_features * n_excitatory)`` input synapses,
              drawn as ``rng.permutation(size)[:k]`` over the C-order entries of ``weights_``
              ``(n_features, n_excitatory)``, get weight 0.
            - ``"neuron_lesion"``: ``round(level * n_excitatory)`` excitatory neurons, drawn as
              ``rng.permutation(n_excitatory)[:k]``, are silenced: all their input weights are
              set to 0. Nothing else excites them, so they never spike again (and never drive
              their inhibitory partner); the read-out still counts them for their class.
            - ``"weight_bits"``: each neuron's input weights are rounded to the unsigned grid of
              ``2**level`` levels ``k * s``, ``k = 0 .. 2**level - 1``, ``s = max_i w_ij /
              (2**level - 1)`` (1 bit: 0 or the neuron's largest weight).
        level : float or int
            A fraction in ``[0, 1]`` for the lesions; an integer >= 1 (bits) for
            ``"weight_bits"``.
        random_state : int, numpy Generator or None
            Seeds the lesion draws (unused by ``"weight_bits"``).

        Returns
        -------
        STDPClassifier
        """
        self._check_fitted()
        if kind not in self.PERTURBATIONS:
            raise ValueError(f"kind must be one of {list(self.PERTURBATIONS)}, got {kind!r}")
        if kind == "weight_bits":
            check_int("level", level, minimum=1)
        elif isinstance(level, bool) or not isinstance(level, (int, float, np.integer,
                                                               np.floating)) \
                or not 0.0 <= level <= 1.0:
            raise ValueError(f"level of {kind} must be a fraction in [0, 1], got {level!r}")
        rng = np.random.default_rng(random_state)
        w = np.array(self.weights_, dtype=np.float64, copy=True)
        if kind == "synapse_lesion":
            w.flat[rng.permutation(w.size)[:int(round(level * w.size))]] = 0.0
        elif kind == "neuron_lesion":
            w[:, rng.permutation(w.shape[1])[:int(round(level * w.shape[1]))]] = 0.0
        else:
            top = 2 ** int(level) - 1
            scale = w.max(axis=0, keepdims=True) / top
            w = np.clip(np.round(w / np.where(scale > 0, scale, 1.0)), 0, top) * scale
        out = copy.deepcopy(self)
        out.weights_ = w
        return out
