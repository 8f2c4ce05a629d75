"""NIR export of the surrogate-gradient spiking network (:mod:`ann.spiking_mlp`).

:func:`to_nir` writes a fitted :class:`ann.spiking_mlp.SpikingMLPClassifier` (or a list of its
:mod:`ann.layers.lif` layers) as a NIR graph (Pedersen et al. 2024, Nature Communications
15:8122; ``pip install nir``, imported only here). It never imports ``neurosim``; the Brian2
importer is :func:`neurosim.nir.from_nir`.

How the discrete layers map onto NIR's continuous nodes (times in seconds, ``dt = dt_ms
1e-3``). The layers compute, per step ``t`` (:mod:`ann.layers.lif`)::

    c[t] = x[t] W + b
    i[t] = alpha i[t-1] + c[t]               (tau_syn_ms set; else i[t] = c[t])
    v[t] = beta v[t-1] + i[t] - v_th s[t-1]  (reset="subtract")
    v[t] = beta v[t-1] (1 - s[t-1]) + i[t]   (reset="zero")
    s[t] = [v[t] >= v_th]
    beta = exp(-dt / tau_mem), alpha = exp(-dt / tau_syn)

That is NIR's ODE ``tau dv/dt = -v + R I`` integrated exactly between input pulses, with each
step's input ``c[t]`` arriving as one pulse of charge ``c[t] dt`` (the ``"impulse"``
discretisation of :mod:`neurosim.nir`), when ``R = tau_mem / dt`` (so that a pulse moves ``v``
by ``c[t]``) and, for the synapse, ``w_in = tau_syn / dt``. So:

- ``LIF`` layer -> ``Affine(weight=W.T, bias=b)`` -> ``LIF(tau=tau_mem, r=tau_mem/dt,
  v_leak=0, v_threshold=v_th, v_reset=0)``, or ``CubaLIF(tau_syn, tau_mem, r=tau_mem/dt,
  v_leak=0, v_threshold, v_reset=0, w_in=tau_syn/dt)`` with a synapse;
- ``LeakyReadout`` -> ``Affine`` -> ``LI(tau=tau_mem, r=tau_mem/dt, v_leak=0)``; its reduction
  (max or mean of ``u`` over time) is a read-out, not a node: ``metadata["readout"]``;
- ``SpikeCount`` -> nothing (the count of the last LIF node's spikes is the read-out).

What NIR cannot say, and what follows:

- ``reset="zero"`` is NIR's reset to ``v_reset = 0``: exact.
- ``reset="subtract"`` (the default) has no NIR form. NIR 1.0's LIF resets to ``v_reset``. The
  graph is then an approximation of the model under NIR's semantics and is written only with
  ``approximate_reset=True``. ``neurosim.nir.from_nir(graph, dt_ms=..., discretisation=
  "impulse", reset="subtract_next", threshold="inclusive")`` runs the model itself.
- The layers fire at ``v >= v_th``, NIR at ``v > v_th``. They differ only when ``v`` lands
  exactly on the threshold. ``metadata["source_threshold"]`` records it.
- Weights are written as float64 copies of the float32 parameters. A float64 simulator can
  flip a spike that the float32 model sits on the edge of.
- The input is what the model's first layer receives: 0/1 spikes per step (``input_coding=
  "rate"``, drawn by the model, :func:`ann.spiking_mlp.rate_spikes`) or the constant intensity
  (``"current"``). The graph does not draw spikes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["to_nir"]


def _import_nir() -> Any:
    try:
        import nir
    except ImportError:
        raise ImportError(
            "ann.nir_export needs the 'nir' package (Neuromorphic Intermediate "
            "Representation); install it with `pip install nir` or the project's extra: "
            "`pip install 'brain-vs-ann[interop]'`") from None
    return nir


def _layers_of(model: Any) -> tuple[list[Any], dict[str, Any]]:
    from ann.layers.lif import LIF, LeakyReadout, SpikeCount

    meta: dict[str, Any] = {}
    layers = model
    network = getattr(model, "network_", None)
    if network is not None:
        layers = network.layers
        meta = {"source": type(model).__name__, "readout": str(getattr(model, "readout", "")),
                "input_coding": str(getattr(model, "input_coding", "")),
                "n_steps": int(getattr(model, "n_steps", 0))}
    elif hasattr(model, "fit") and not isinstance(model, (list, tuple)):
        raise ValueError(f"{type(model).__name__} is not fitted; call fit before to_nir")
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError("to_nir takes a fitted ann.spiking_mlp.SpikingMLPClassifier or a "
                        f"non-empty list of ann.layers.lif layers, got {type(model).__name__}")
    for k, layer in enumerate(layers):
        if not isinstance(layer, (LIF, LeakyReadout, SpikeCount)):
            raise TypeError(f"layer {k} is a {type(layer).__name__}; to_nir exports LIF, "
                            "LeakyReadout and SpikeCount layers only")
    return list(layers), meta


def to_nir(model: Any, *, approximate_reset: bool = False) -> Any:
    """A spiking network of :mod:`ann.layers.lif` layers as a ``nir.NIRGraph``.

    Node names: ``input``, then per layer ``k`` ``affine_k`` and ``lif_k`` / ``cubalif_k`` /
    ``li_k``, then ``output``. ``graph.metadata`` holds ``dt_s``, ``time_unit = "s"``, the
    source's reset and threshold, the read-out and the call that runs the graph exactly.

    Parameters
    ----------
    model : SpikingMLPClassifier (fitted) or list of layers
        The network; its layers must all share one ``dt_ms``.
    approximate_reset : bool, default False
        Required for layers with ``reset="subtract"``. It acknowledges that NIR's LIF (reset
        to ``v_reset``) is not that model.

    Returns
    -------
    nir.NIRGraph

    Raises
    ------
    ValueError
        ``reset="subtract"`` without ``approximate_reset=True``, mixed ``dt_ms``, or an
        unfitted model.
    TypeError
        Something other than a fitted model or a list of LIF/LeakyReadout/SpikeCount layers.
    """
    nir = _import_nir()
    from ann.layers.lif import LIF, LeakyReadout

    layers, meta = _layers_of(model)
    synaptic = [layer for layer in layers if isinstance(layer, (LIF, LeakyReadout))]
    if not synaptic:
        raise ValueError("the network has no LIF or LeakyReadout layer to export")
    dts = {float(layer.dt_ms) for layer in synaptic}
    if len(dts) != 1:
        raise ValueError(f"the layers use different steps dt_ms={sorted(dts)}; a NIR import "
                         "runs one step, so export layers that share dt_ms")
    dt_ms = dts.pop()
    resets = {layer.reset for layer in synaptic if isinstance(layer, LIF)}
    if "subtract" in resets and approximate_reset is not True:
        raise ValueError(
            "the LIF layers reset by subtraction (v[t] = beta v[t-1] + i[t] - v_th s[t-1]), which "
            "NIR 1.0 cannot express: its LIF resets to v_reset. Pass approximate_reset=True to "
            "export it anyway; neurosim.nir.from_nir(graph, dt_ms=..., discretisation="
            "'impulse', reset='subtract_next', threshold='inclusive') then runs the model itself. "
            "Or train with reset='zero', which NIR does express")
    dt_s = dt_ms * 1e-3
    n_in = int(synaptic[0].n_in)
    nodes: dict[str, Any] = {"input": nir.Input(input_type={"input": np.array([n_in])})}
    chain = ["input"]
    for k, layer in enumerate(synaptic):
        n = int(layer.n_out)
        W = np.asarray(layer.params["W"], dtype=np.float64)
        b = np.asarray(layer.params["b"], dtype=np.float64)
        nodes[f"affine_{k}"] = nir.Affine(weight=np.ascontiguousarray(W.T), bias=b.copy())
        tau = np.full(n, float(layer.tau_mem_ms) * 1e-3)
        zeros = np.zeros(n)
        if isinstance(layer, LeakyReadout):
            name = f"li_{k}"
            nodes[name] = nir.LI(tau=tau, r=tau / dt_s, v_leak=zeros)
        elif layer.tau_syn_ms is None:
            name = f"lif_{k}"
            nodes[name] = nir.LIF(tau=tau, r=tau / dt_s, v_leak=zeros,
                                  v_threshold=np.full(n, float(layer.v_threshold)),
                                  v_reset=zeros.copy())
        else:
            name = f"cubalif_{k}"
            tau_syn = np.full(n, float(layer.tau_syn_ms) * 1e-3)
            nodes[name] = nir.CubaLIF(tau_syn=tau_syn, tau_mem=tau, r=tau / dt_s,
                                      v_leak=zeros, v_threshold=np.full(n, float(
                                          layer.v_threshold)), v_reset=zeros.copy(),
                                      w_in=tau_syn / dt_s)
        chain += [f"affine_{k}", name]
    n_out = int(synaptic[-1].n_out)
    nodes["output"] = nir.Output(output_type={"output": np.array([n_out])})
    chain.append("output")
    reset = "subtract" if "subtract" in resets else "zero"
    from_nir_reset = "subtract_next" if reset == "subtract" else "v_reset"
    readout = {"membrane_max": "max", "membrane_mean": "mean", "spike_count": "count"}.get(
        meta.get("readout", ""), "auto")
    metadata = {
        **meta,
        "dt_s": dt_s,
        "time_unit": "s",
        "discretisation": "impulse: exact decay between steps, each step's input one pulse",
        "source_reset": reset,
        "source_threshold": "v >= v_threshold",
        "exact_import": (f"neurosim.nir.from_nir(graph, dt_ms={dt_ms!r}, discretisation="
                         f"'impulse', reset='{from_nir_reset}', threshold='inclusive'), "
                         f"predict(..., readout='{readout}')"),
    }
    if reset == "subtract":
        metadata["approximation"] = ("LIF nodes reset to v_reset=0; the source subtracts "
                                     "v_threshold in the next step's update")
    return nir.NIRGraph(nodes=nodes, edges=list(zip(chain[:-1], chain[1:], strict=True)),
                        metadata=metadata)
