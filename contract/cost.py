"""The comparison metrics of one model and one inference: one schema for both families.

Every estimator's ``cost(X)`` returns :func:`cost_record` of exactly these keys; the run store
writes them as ``runs.csv`` columns in this order, the report's glossary and ``docs/`` are made
from the same table. The counts follow NeuroBench (Yik et al. 2025, Nat Commun 16:1545, and the
``docs/metrics`` pages of the neurobench repository): footprint, connection and activation
sparsity, dense synaptic operations, effective MACs and ACs, membrane updates.

Metrics marked ``per="model"`` are properties of the fitted model; ``per="inference"`` ones are
means over the samples of ``X`` (``None`` when ``cost`` is called without ``X``). A metric that
does not apply to a family is ``0`` where NeuroBench counts it as zero (e.g. an ANN's
``effective_acs``) and ``None`` where it is undefined (e.g. an ANN's ``spike_rate_hz``).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

__all__ = ["CostMetric", "COST_METRICS", "COST_KEYS", "cost_record"]


@dataclass(frozen=True)
class CostMetric:
    """One column of the cost schema.

    Attributes
    ----------
    name : str
        Column / dict key.
    unit : str
        ``count``, ``bytes``, ``fraction``, ``steps``, ``ms``, ``Hz``, ``ops`` or ``text``.
    per : {"model", "inference"}
        A property of the fitted model, or a mean per inference measured on ``X``.
    meaning : str
        One sentence.
    ann, snn : str
        What the ANN and the spiking network count.
    neurobench : str
        The NeuroBench metric it matches, or ``""``.
    """

    name: str
    unit: str
    per: str
    meaning: str
    ann: str
    snn: str
    neurobench: str = ""


COST_METRICS: tuple[CostMetric, ...] = (
    CostMetric("neurons", "count", "model", "units that compute",
               "units of the hidden and output layers (conv: channels x positions)",
               "LIF neurons, excitatory + inhibitory (Poisson inputs excluded)"),
    CostMetric("synapses", "count", "model", "connections",
               "weights, biases excluded, a conv kernel counted once",
               "connections the simulator built (input->exc, exc->inh, inh->exc)"),
    CostMetric("params", "count", "model", "learned numbers",
               "weights + biases", "plastic input weights + adaptive thresholds"),
    CostMetric("footprint_bytes", "bytes", "model",
               "bytes of every array the model holds for inference",
               "weights and biases as stored (see footprint_dtype)",
               "every neuron and synapse variable as Brian2 allocates it, connectivity indices "
               "included; spike monitors and the input table excluded", "footprint"),
    CostMetric("footprint_dtype", "text", "model", "the storage types behind footprint_bytes",
               "e.g. float32", "e.g. float64 state + int32 indices"),
    CostMetric("connection_sparsity", "fraction", "model",
               "zeros among the weights of the dense matrices between connected layers (an "
               "absent connection counts as a zero weight)",
               "exact zeros among the weights", "zero or absent entries of the input->exc, "
               "exc->inh and inh->exc matrices", "connection sparsity"),
    CostMetric("parallel_width", "count", "model",
               "largest number of independent unit updates available at one step",
               "units of the widest layer", "all LIF neurons"),
    CostMetric("update_locality", "text", "model", "what one weight update reads",
               "'global': an error propagated back from the output",
               "'local': its own pre- and postsynaptic activity and state"),
    CostMetric("train_samples", "count", "model", "training samples presented, repeats counted",
               "samples x epochs", "samples x epochs (re-shows not counted)"),
    CostMetric("epochs", "count", "model", "passes over the training data",
               "epochs of backprop", "epochs of STDP (0: plasticity off)"),
    CostMetric("labels_used", "count", "model", "labels training consumed",
               "every label of every training sample", "labels used to name neurons only"),
    CostMetric("presentations_per_sample", "count", "inference",
               "showings of one input, re-shows included", "1",
               "showings; a sample is shown again at a higher rate after fewer than min_spikes "
               "spikes"),
    CostMetric("timesteps", "steps", "inference", "simulation steps of one inference",
               "1 (RNN: sequence length)",
               "every simulated step: presentations, re-shows and rests"),
    CostMetric("sim_ms_per_inference", "ms", "inference", "simulated time of one inference",
               "not applicable (None)", "timesteps x dt, re-shows and rests included"),
    CostMetric("sequential_depth", "steps", "inference",
               "steps that must run one after another for one inference",
               "parametrised layers (RNN: x steps)", "timesteps"),
    CostMetric("steps_to_first_output", "steps", "inference",
               "dependent steps until the first output exists",
               "sequential_depth (no output before the last layer)",
               "steps from onset to the first excitatory spike (median over samples that "
               "spiked)"),
    CostMetric("ms_to_first_output", "ms", "inference",
               "simulated time from onset to the first output", "not applicable (None)",
               "steps_to_first_output x dt"),
    CostMetric("steps_to_final_output", "steps", "inference",
               "dependent steps until the answer is final", "sequential_depth",
               "steps until the end of the last showing (the rest after it excluded)"),
    CostMetric("dense_ops", "ops", "inference",
               "synaptic operations if every weight were used at every step",
               "multiply-accumulates, every weight once (conv: per output position)",
               "synapses x timesteps", "dense synaptic operations"),
    CostMetric("effective_macs", "ops", "inference",
               "multiply-accumulates with a non-zero input and a non-zero weight",
               "counted layer by layer on X", "0 (spike inputs are binary: accumulates only)",
               "effective MACs"),
    CostMetric("effective_acs", "ops", "inference",
               "accumulates triggered by spikes: the synaptic events",
               "0", "presynaptic spikes x fan-out over non-zero weights, rests and re-shows "
               "included", "effective ACs"),
    CostMetric("membrane_updates", "ops", "inference", "neuron state updates",
               "0 (stateless units; RNN: hidden units x steps)",
               "LIF neurons x timesteps (clock-driven)", "membrane updates"),
    CostMetric("input_draws", "ops", "inference",
               "random draws of the Poisson input generators (counted apart)", "0",
               "Poisson inputs x timesteps"),
    CostMetric("activation_sparsity", "fraction", "inference",
               "zero outputs among all outputs of the hidden layers over steps and samples",
               "hidden activations that are exactly 0",
               "LIF neuron-steps without a spike", "activation sparsity"),
    CostMetric("spike_rate_hz", "Hz", "inference", "mean firing rate of a LIF neuron",
               "not applicable (None)", "spikes per LIF neuron per simulated second"),
    CostMetric("fraction_active", "fraction", "inference",
               "units that took part in one inference",
               "hidden units with a non-zero activation",
               "excitatory neurons that spiked at least once"),
)

#: The keys of ``cost(X)``, in column order.
COST_KEYS: tuple[str, ...] = tuple(m.name for m in COST_METRICS)

_TEXT = {m.name for m in COST_METRICS if m.unit == "text"}


def cost_record(values: dict[str, Any]) -> dict[str, Any]:
    """Check a ``cost(X)`` result against the schema and return it in column order.

    Parameters
    ----------
    values : dict
        Exactly the keys :data:`COST_KEYS`; text metrics hold ``str``, the others a finite
        number or ``None``.

    Returns
    -------
    dict
        The same values, keys in schema order, numbers as Python ``int``/``float``.

    Raises
    ------
    ValueError
        A key is missing or unknown, or a value has the wrong kind (the message names it).
    """
    if not isinstance(values, dict):
        raise TypeError(f"values must be a dict of cost metrics, got {type(values).__name__}")
    missing = [k for k in COST_KEYS if k not in values]
    extra = sorted(set(values) - set(COST_KEYS))
    if missing or extra:
        raise ValueError(f"cost record mismatch: missing {missing}, unknown {extra}; fill "
                         "exactly contract.COST_KEYS")
    out: dict[str, Any] = {}
    for key in COST_KEYS:
        v = values[key]
        if key in _TEXT:
            if not isinstance(v, str):
                raise ValueError(f"cost metric {key!r} must be text, got {v!r}")
        elif v is not None:
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise ValueError(f"cost metric {key!r} must be a number or None, got {v!r}")
            if not math.isfinite(float(v)):
                raise ValueError(f"cost metric {key!r} must be finite, got {v!r}")
            v = int(v) if isinstance(v, numbers.Integral) else float(v)
        out[key] = v
    return out
