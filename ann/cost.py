"""The contract's cost metrics (:data:`contract.COST_METRICS`) of a :class:`~ann.layers.Sequential`.

Counted per sample, NeuroBench style (Yik et al. 2025):

- ``dense_ops``: multiply-accumulates if every weight is used: once per sample for a dense
  layer, once per output position for a convolution, once per step for a recurrent layer
  (both the input and the recurrent product, the first step's included).
- ``effective_macs``: the MACs whose input value *and* weight are both non-zero, counted layer
  by layer on ``X``: zero pixels and zero ReLU outputs do not count, nor do zero weights; a
  convolution is counted on its im2col columns (padding zeros do not count), a recurrent layer
  per step for the input and the recurrent product (``h_0 = 0`` contributes none). Mean over the
  samples of ``X``.
- ``activation_sparsity``: exact zeros among every hidden activation (each activation layer
  but the output one, each recurrent state of every step) over all samples; ``None`` for a
  network without a hidden layer.
- ``fraction_active``: per sample, the fraction of hidden units whose activation is non-zero
  (at any step), averaged over samples; ``None`` without a hidden layer.
- ``connection_sparsity``: exact zeros among the weights (biases excluded).

Sigmoid and tanh units are never exactly zero, so their networks report an activation sparsity
near 0 and ``effective_macs`` near ``dense_ops`` beyond the first layer: that is the honest count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from contract import COST_METRICS, cost_record

__all__ = ["Activity", "measure_activity", "network_cost"]

_INFERENCE = tuple(m.name for m in COST_METRICS if m.per == "inference")


@dataclass(frozen=True)
class Activity:
    """What one pass over ``X`` measured (totals over its samples).

    Attributes
    ----------
    n_samples : int
    effective_macs : int
        Sum over samples and layers of the non-zero-input, non-zero-weight MACs.
    hidden_values, hidden_zeros : int
        Hidden activations seen (units x steps x samples), and how many were exactly 0.
    active_fraction_sum : float
        Sum over samples of (hidden units non-zero at any step / hidden units).
    """

    n_samples: int
    effective_macs: int
    hidden_values: int
    hidden_zeros: int
    active_fraction_sum: float


def _hidden_states(net):
    """The ``(steps, n, units)`` hidden states of the last forward (output layer excluded)."""
    states = (layer.hidden_states() for layer in net.layers[:-1])
    return [s for s in states if s is not None]


def _chunk_activity(net, x) -> Activity:
    net.forward(x)
    effective = sum(layer.effective_macs() for layer in net.layers)
    states = _hidden_states(net)
    values = sum(s.size for s in states)
    zeros = values - sum(int(np.count_nonzero(s)) for s in states)
    units = sum(s.shape[2] for s in states)
    active = sum(np.count_nonzero(s.any(axis=0), axis=1) for s in states)
    frac = float(np.sum(active / units)) if units else 0.0
    return Activity(x.shape[0], effective, values, zeros, frac)


def measure_activity(net, Xn: np.ndarray, *, chunk: int = 1024) -> Activity:
    """Run ``net`` over ``Xn`` (its input shape, e.g. ``(n, C, H, W)``) in chunks and count.

    Parameters
    ----------
    net : ann.layers.Sequential
    Xn : ndarray of shape (n_samples, ...)
        Network input, in the network's dtype.
    chunk : int
        Samples per forward pass (bounds the memory of the cached activations).

    Returns
    -------
    Activity
    """
    parts = [_chunk_activity(net, Xn[s : s + chunk]) for s in range(0, Xn.shape[0], chunk)]
    return Activity(*(sum(getattr(p, f) for p in parts)
                      for f in ("n_samples", "effective_macs", "hidden_values", "hidden_zeros",
                                "active_fraction_sum")))


def _structure(net, sample_shape) -> dict:
    """The per-model metrics, from the layers' ``describe`` rows and the parameters."""
    rows = net.summary(sample_shape)
    weights = net.decay_mask == 1  # 1 for weights, 0 for biases
    n_weights = int(np.count_nonzero(weights))
    zero_weights = int(np.count_nonzero(weights & (net.flat_params == 0)))
    return {
        "neurons": int(sum(r["neurons"] for r in rows)),
        "synapses": int(sum(r["synapses"] for r in rows)),
        "params": int(net.flat_params.size),
        "footprint_bytes": int(net.flat_params.nbytes),
        "footprint_dtype": net.dtype.name,
        "connection_sparsity": zero_weights / n_weights if n_weights else 0.0,
        "parallel_width": int(max(r["neurons"] for r in rows)),
        "update_locality": "global",
        "_dense_ops": int(sum(r["macs"] for r in rows)),
        "_depth": int(sum(r["steps"] for r in rows)),
        "_timesteps": int(max(r["steps"] for r in rows)),
        "_membrane_updates": int(sum(r["membrane_updates"] for r in rows)),
    }


def _per_inference(s: dict, act: Activity) -> dict:
    n = act.n_samples
    hidden = act.hidden_values > 0
    return {
        "presentations_per_sample": 1,
        "timesteps": s["_timesteps"],
        "sim_ms_per_inference": None,
        "sequential_depth": s["_depth"],
        "steps_to_first_output": s["_depth"],
        "ms_to_first_output": None,
        "steps_to_final_output": s["_depth"],
        "dense_ops": s["_dense_ops"],
        "effective_macs": act.effective_macs / n,
        "effective_acs": 0,
        "membrane_updates": s["_membrane_updates"],
        "input_draws": 0,
        "activation_sparsity": act.hidden_zeros / act.hidden_values if hidden else None,
        "spike_rate_hz": None,
        "fraction_active": act.active_fraction_sum / n if hidden else None,
    }


def network_cost(net, sample_shape, activity: Activity | None, *, train_samples: int,
                 epochs: int, labels_used: int) -> dict:
    """The :func:`contract.cost_record` of one network.

    Parameters
    ----------
    net : ann.layers.Sequential
    sample_shape : tuple of int
        Per-sample input shape, e.g. ``(64,)``, ``(1, 8, 8)``, ``(T, d)``.
    activity : Activity or None
        From :func:`measure_activity` on ``X``; ``None`` (no ``X``) leaves every
        ``per="inference"`` metric ``None``, as the contract says.
    train_samples, epochs, labels_used : int
        Training counts (samples presented with repeats, passes, labels consumed).

    Returns
    -------
    dict
        Exactly :data:`contract.COST_KEYS`, in order.
    """
    s = _structure(net, sample_shape)
    out = {k: v for k, v in s.items() if not k.startswith("_")}
    out.update(train_samples=int(train_samples), epochs=int(epochs),
               labels_used=int(labels_used))
    if activity is None:
        out.update(dict.fromkeys(_INFERENCE))
    else:
        out.update(_per_inference(s, activity))
    return cost_record(out)
