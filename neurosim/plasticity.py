"""Trace-based STDP synapses and per-neuron weight normalisation.

:func:`stdp_synapse_model` (pure) writes the Brian2 strings of the rule described in
:class:`~neurosim.params.STDPParams`; :func:`stdp_synapses` wraps them in ``brian2.Synapses``.
Synapse variables:

- ``w`` (dimensionless, in ``[0, w_max]``): the weight; a presynaptic spike adds ``w`` to the
  postsynaptic ``target_var`` (a conductance relative to leak, ``ge`` by default);
- ``apre``, ``apost`` (dimensionless, event-driven): the pre/post traces, exact exponentials;
- ``plastic`` (0/1, shared): multiplies every weight change. Set ``syn.plastic = 0`` to freeze
  the weights (inference) and back to 1 to learn, without rebuilding the network.

:func:`normalize_incoming` (pure) rescales each postsynaptic neuron's incoming weights to a fixed
sum, as Diehl & Cook (2015) do before every image (sum 78 for 784 inputs);
:func:`normalize_synapses` applies it to a ``brian2.Synapses`` object in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import brian2 as b2
import numpy as np

from neurosim._checks import as_float_array, check_int, check_name, check_positive
from neurosim.params import STDPParams


@dataclass(frozen=True)
class SynapseModel:
    """Brian2 description of a synapse model: strings plus a namespace of quantities/floats."""

    model: str
    on_pre: str
    on_post: str
    namespace: dict = field(default_factory=dict)


def stdp_synapse_model(p: STDPParams, *, target_var: str | None = "ge") -> SynapseModel:
    """Build the Brian2 strings of a trace-based STDP synapse.

    Parameters
    ----------
    p : STDPParams
        Rule (``additive``/``soft``), pairing (``nearest``/``all``), rates, time constants, bound.
    target_var : str or None
        Postsynaptic variable incremented by ``w`` on each presynaptic spike (``"ge"`` for the
        excitatory conductance). ``None``: plasticity only, no transmission (used to measure the
        STDP window between two spike generators).

    Returns
    -------
    SynapseModel
        ``model``, ``on_pre``, ``on_post`` and ``namespace`` (``tau_plus``, ``tau_minus`` as
        quantities; ``a_plus``, ``a_minus``, ``w_max`` as floats).
    """
    if not isinstance(p, STDPParams):
        raise TypeError(f"p must be a STDPParams, got {type(p).__name__}")
    if target_var is not None:
        check_name("target_var", target_var)
    model = """
    w : 1
    plastic : 1 (shared)
    dapre/dt = -apre / tau_plus : 1 (event-driven)
    dapost/dt = -apost / tau_minus : 1 (event-driven)
    """
    bump = "= 1" if p.pairing == "nearest" else "+= 1"
    if p.rule == "additive":
        dep = "w = clip(w - plastic * a_minus * w_max * apost, 0, w_max)"
        pot = "w = clip(w + plastic * a_plus * w_max * apre, 0, w_max)"
    else:
        dep = "w = clip(w - plastic * a_minus * w * apost, 0, w_max)"
        pot = "w = clip(w + plastic * a_plus * (w_max - w) * apre, 0, w_max)"
    pre_lines = [] if target_var is None else [f"{target_var}_post += w"]
    pre_lines += [f"apre {bump}", dep]
    post_lines = [f"apost {bump}", pot]
    namespace = {
        "tau_plus": p.tau_plus_ms * b2.ms,
        "tau_minus": p.tau_minus_ms * b2.ms,
        "a_plus": float(p.a_plus),
        "a_minus": float(p.a_minus),
        "w_max": float(p.w_max),
    }
    return SynapseModel(model=model, on_pre="\n".join(pre_lines),
                        on_post="\n".join(post_lines), namespace=namespace)


def stdp_synapses(source: Any, target: Any, p: STDPParams, *, name: str,
                  connect: bool | str | dict = True, target_var: str | None = "ge",
                  w_init: float | np.ndarray | None = None, **kw: Any) -> b2.Synapses:
    """Create plastic synapses from ``source`` to ``target`` (``plastic = 1``, learning on).

    Parameters
    ----------
    source, target : brian2 groups
        Presynaptic and postsynaptic groups (``target`` must have ``target_var`` unless None).
    p : STDPParams
        Plasticity rule.
    name : str
        Brian2 object name.
    connect : bool, str or dict
        ``True``: all-to-all (synapse ``k = i * n_post + j``, the layout
        :func:`normalize_incoming` assumes); ``False``: no connections yet; a string: a
        Brian2 connection condition; a dict: keyword arguments for ``Synapses.connect``.
    target_var : str or None
        See :func:`stdp_synapse_model`.
    w_init : float or array, optional
        Initial weights in ``[0, w_max]`` (scalar or one per synapse). Default 0.
    **kw
        Passed to ``brian2.Synapses`` (e.g. ``delay``, ``dt``, ``method``).

    Returns
    -------
    brian2.Synapses
    """
    check_name("name", name)
    m = stdp_synapse_model(p, target_var=target_var)
    if "namespace" in kw:
        raise TypeError("stdp_synapses sets namespace itself; change STDPParams instead")
    syn = b2.Synapses(source, target, model=m.model, on_pre=m.on_pre, on_post=m.on_post,
                      namespace=dict(m.namespace), name=name, **kw)
    if connect is True:
        syn.connect(True)
    elif isinstance(connect, str):
        syn.connect(condition=connect)
    elif isinstance(connect, dict):
        syn.connect(**connect)
    elif connect is not False:
        raise TypeError(f"connect must be bool, str or dict, got {type(connect).__name__}")
    syn.plastic = 1.0
    if w_init is not None:
        w0 = as_float_array("w_init", w_init)
        try:
            n_syn = len(syn)
        except NotImplementedError:  # cpp_standalone: the count is known only after a run
            n_syn = None
        if w0.ndim not in (0, 1) or (w0.ndim == 1 and n_syn is not None
                                     and w0.shape[0] != n_syn):
            raise ValueError(f"w_init must be a scalar or have shape ({n_syn},), got "
                             f"{w0.shape}")
        if w0.size and (w0.min() < 0.0 or w0.max() > p.w_max):
            raise ValueError(f"w_init must lie in [0, w_max={p.w_max}]; clip it")
        syn.w = w0
    return syn


def normalize_incoming(w: np.ndarray, n_pre: int, n_post: int, total: float) -> np.ndarray:
    """Rescale each postsynaptic neuron's incoming weights to sum to ``total``.

    Parameters
    ----------
    w : array_like, shape (n_pre * n_post,) or (n_pre, n_post)
        Non-negative weights; a flat array is in Brian2's all-to-all order ``k = i * n_post + j``
        (``i`` presynaptic, ``j`` postsynaptic). Not modified.
    n_pre, n_post : int
        Numbers of presynaptic and postsynaptic neurons, >= 1.
    total : float
        Target column sum, > 0 (Diehl & Cook: 78 for 784 inputs, i.e. 0.1 per input).

    Returns
    -------
    numpy.ndarray
        New array, same shape as ``w``. Columns summing to 0 are returned unchanged (no
        direction to rescale).
    """
    n_pre = check_int("n_pre", n_pre, minimum=1)
    n_post = check_int("n_post", n_post, minimum=1)
    total = check_positive("total", total)
    arr = as_float_array("w", w)
    if arr.size != n_pre * n_post or arr.ndim not in (1, 2) or (
            arr.ndim == 2 and arr.shape != (n_pre, n_post)):
        raise ValueError(f"w must have shape ({n_pre * n_post},) or ({n_pre}, {n_post}), "
                         f"got {arr.shape}")
    if arr.size and arr.min() < 0.0:
        raise ValueError("w must be non-negative to normalise by its sum")
    mat = arr.reshape(n_pre, n_post)
    sums = mat.sum(axis=0)
    scale = np.divide(total, sums, out=np.ones_like(sums), where=sums > 0)
    return (mat * scale[None, :]).reshape(arr.shape)


def normalize_synapses(syn: b2.Synapses, total: float) -> None:
    """Rescale ``syn.w`` in place so each target neuron's incoming weights sum to ``total``.

    Works for any connectivity (uses ``syn.j``); targets with zero incoming weight are left as
    they are. Weights may exceed ``w_max`` afterwards only if ``total`` asks for it; they are not
    clipped (Diehl & Cook do not clip here either).
    """
    if not isinstance(syn, b2.Synapses):
        raise TypeError(f"syn must be a brian2.Synapses, got {type(syn).__name__}")
    total = check_positive("total", total)
    w = np.asarray(syn.w[:], dtype=np.float64)
    j = np.asarray(syn.j[:])
    sums = np.bincount(j, weights=w, minlength=len(syn.target))
    scale = np.divide(total, sums, out=np.ones_like(sums), where=sums > 0)
    syn.w = w * scale[j]
