"""NIR export and import: the Neuromorphic Intermediate Representation (Pedersen et al. 2024).

NIR (``pip install nir``; an optional dependency, imported only when a function here needs it)
describes a spiking network as a graph of continuous-time nodes: linear maps (``Affine``,
``Linear``, ``Scale``, ``Flatten``), ``Delay`` and neuron ODEs (``IF``, ``LIF``, ``LI``,
``CubaLIF``, ``CubaLI``), with instantaneous edges. NIR 1.0 writes (its docstrings,
``nir.ir.neuron``)::

    IF       dv/dt = R I
    LI       tau dv/dt = (v_leak - v) + R I
    LIF      tau dv/dt = (v_leak - v) + R I
    CubaLI   tau_syn dI/dt = -I + w_in S,   tau_mem dv/dt = (v_leak - v) + R I
    CubaLIF  tau_syn dI/dt = -I + w_in S,   tau_mem dv/dt = (v_leak - v) + R I
    spiking nodes: z = 1 if v > v_threshold, then v <- v_reset

A NIR graph carries **no time step** and NIR 1.0 has **no reset by subtraction**. Both matter
here, so both are explicit arguments, never guesses.

Time unit
    Seconds (what snnTorch's and Norse's exporters write: ``tau = dt / (1 - beta)`` with
    snnTorch's default ``dt = 1e-4`` s, Norse's ``dt = 1e-3`` s). :func:`from_nir` takes
    ``dt_ms`` and uses ``dt = dt_ms * 1e-3`` s in every formula below; :func:`to_nir` writes
    ``tau``/``r`` in seconds and records its step as ``metadata["dt_s"]``.

Discrete time (:func:`from_nir`)
    Step ``t`` of a chain ``Input -> ... -> Output`` is computed node by node, in chain order:
    the signal leaving a node at step ``t`` reaches the next node **in the same step** (no
    synaptic delay; what snnTorch, Norse and :mod:`ann.layers.lif` do). A spike is 0/1 per
    step; an ``LI``/``CubaLI`` node passes its membrane ``v`` on. For a neuron node with input
    ``I[t]`` (the output of the linear maps before it), ``a = decay`` and ``g = gain``::

        CubaLIF/CubaLI only:  i[t] = a_syn i[t-1] + g_syn w_in I[t]     (then I[t] := i[t])
        v[t] = a v[t-1] + l + g R I[t]  (- (v_threshold - v_reset) s[t-1] for "subtract_next")
        s[t] = [v[t] > v_threshold]  ([v >= v_threshold] with threshold="inclusive")
        reset at a spike: "v_reset": v[t] <- v_reset;  "subtract": v[t] -= v_threshold - v_reset;
                          "subtract_next": the subtraction enters the next step (above)

    with ``discretisation``:

    - ``"exp"`` (default): exact integration of each linear ODE over one step with its input
      held constant (zero-order hold): ``a = exp(-dt/tau)``, ``g = 1 - a``, ``l = (1 - a)
      v_leak``. Exact for ``LIF``/``LI``/``IF`` when the input is constant within a step; for
      ``CubaLIF``/``CubaLI`` the membrane sees the synaptic current of the end of the step held
      constant (operator splitting), an approximation of order ``dt``.
    - ``"euler"``: forward Euler, ``a = 1 - dt/tau``, ``g = dt/tau``, ``l = (dt/tau) v_leak``:
      snnTorch's reading (``beta = 1 - dt/tau``; its exporter writes ``r = tau/dt`` so that
      ``v[t] = beta v[t-1] + I[t]``).
    - ``"impulse"``: the input of a step arrives as one pulse of charge ``I[t] dt`` at the end
      of the step, and the leak is exact in between: ``a = exp(-dt/tau)``, ``g = dt/tau``,
      ``l = (1 - a) v_leak``. With ``r = tau/dt`` (``w_in = tau_syn/dt``), ``v_leak = 0`` and
      ``reset="subtract_next"``, ``threshold="inclusive"`` this is exactly
      :mod:`ann.layers.lif`: ``v[t] = beta v[t-1] + i[t] - v_th s[t-1]``, ``beta =
      exp(-dt/tau)``.

    ``IF`` is ``a = 1``, ``l = 0``, ``g = dt`` in all three (``v[t] = v[t-1] + R dt I[t]``).
    Every state starts at 0. A ``Delay`` node of ``k dt`` (one whole number of steps for all
    its elements) passes on ``x[t - k]`` (0 before step ``k``).

Brian2: every neuron node is one ``NeuronGroup`` of ``n_batch x n`` neurons (one copy of the
network per sample, sample-major, dimensionless state); its discrete update is a
``run_regularly`` operation, its threshold and reset are Brian2's own. The linear maps run in a
``NetworkOperation`` per neuron node (dense NumPy products). All of a step's operations sit in
the ``groups`` slot, ordered node by node (input, update, threshold, reset, next node), which
is what makes the edges instantaneous.

Export (:func:`to_nir`) covers :class:`neurosim.ConvertedNetwork` (IF neurons and ``Affine``
edges). Its neurons reset by subtraction and fire at ``v >= 1``; NIR's IF resets to
``v_reset`` and fires at ``v > v_threshold``, so the graph is an approximation of the model
under NIR's own semantics and is only written when asked for by name
(``approximate_reset=True``). :func:`from_nir` with ``reset="subtract"``,
``threshold="inclusive"`` runs the model itself (see :func:`to_nir` for what is then exact and
what agreement NIR's semantics give). The Diehl & Cook STDP network
(:class:`neurosim.STDPClassifier`, :class:`neurosim.RSTDPClassifier`) is not exported: its
conductance-based synapses (``g_e``, ``g_i`` times a driving force ``E - v``), adaptive
thresholds (``theta``), refractory periods and plasticity have no NIR node.

References
----------
Pedersen, J. E., Abreu, S., Jobst, M., et al. (2024). Neuromorphic intermediate representation:
a unified instruction set for interoperable brain-inspired computing. Nature Communications
15:8122.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import brian2 as b2
import numpy as np

from neurosim._checks import (
    as_float_array,
    check_choice,
    check_int,
    check_positive,
    codegen_target,
)

__all__ = [
    "DISCRETISATIONS",
    "READOUTS",
    "RESETS",
    "SUPPORTED_NODES",
    "THRESHOLDS",
    "NIRNetwork",
    "NIRSimulation",
    "from_nir",
    "read_nir",
    "to_nir",
    "write_nir",
]

#: NIR node types :func:`from_nir` runs.
SUPPORTED_NODES = ("Input", "Output", "Affine", "Linear", "Scale", "Flatten", "Delay", "IF", "LIF",
                   "LI", "CubaLIF", "CubaLI")
#: Accepted ``discretisation`` values (see the module docstring).
DISCRETISATIONS = ("exp", "euler", "impulse")
#: Accepted ``reset`` values: NIR's, and two readings of reset by subtraction.
RESETS = ("v_reset", "subtract", "subtract_next")
#: Accepted ``threshold`` values: NIR's ``v > v_threshold``, or ``v >= v_threshold``.
THRESHOLDS = ("strict", "inclusive")
#: Accepted ``readout`` values of :meth:`NIRNetwork.predict` / :meth:`NIRSimulation.scores`.
READOUTS = ("auto", "count", "mean", "max", "last", "charge")

_SPIKING = ("IF", "LIF", "CubaLIF")
_LINEAR = ("Affine", "Linear", "Scale", "Flatten", "Delay")


def _import_nir() -> Any:
    try:
        import nir
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "neurosim.nir needs the 'nir' package (Neuromorphic Intermediate Representation); "
            "install it with `pip install nir` or the project's extra: "
            "`pip install 'brain-vs-ann[interop]'`") from None
    return nir


# -- files ----------------------------------------------------------------------------------------
def read_nir(path: str | os.PathLike[str]) -> Any:
    """Read a NIR graph with ``nir.read``.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        ``path`` is not a readable NIR file (not HDF5, truncated, or missing NIR's groups);
        the message names the file.
    """
    nir = _import_nir()
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"NIR file {str(p)!r} does not exist; pass the path of a file "
                                "written by nir.write (or neurosim.nir.write_nir)")
    try:
        return nir.read(str(p))
    except Exception as exc:  # h5py raises OSError/KeyError; NIR raises Assertion/ValueError
        raise ValueError(f"{str(p)!r} is not a readable NIR file ({type(exc).__name__}: {exc}); "
                         "it may be truncated or not written by nir.write: export it again"
                         ) from None


def write_nir(graph: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``graph`` with ``nir.write``, atomically (a temporary file, then ``os.replace``).

    Returns the path written. A failed write leaves any earlier file at ``path`` untouched.
    """
    nir = _import_nir()
    if not isinstance(graph, nir.NIRGraph):
        raise TypeError(f"graph must be a nir.NIRGraph (e.g. from neurosim.nir.to_nir), got "
                        f"{type(graph).__name__}")
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent or ".")
    os.close(fd)
    try:
        nir.write(tmp, graph)
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return p


# -- export ---------------------------------------------------------------------------------------
def to_nir(network: Any, *, approximate_reset: bool = False, layer_delay: bool = False) -> Any:
    """A :class:`neurosim.ConvertedNetwork` as a NIR graph of ``Affine`` and ``IF`` nodes.

    The graph is ``Input(n_0) -> [Scale] -> Affine_0 -> IF_0 -> [Delay] -> ... -> Affine_{L-1}
    -> IF_{L-1} -> Output(n_L)``, node names ``input``, ``input_scale`` (Poisson coding only),
    ``affine_l``, ``if_l``, ``delay_l`` (``layer_delay=True`` only), ``output``:

    - ``Affine_l``: ``weight = W_l'.T`` (shape ``(n_{l+1}, n_l)``, NIR's ``y = W x + b``),
      ``bias = b_l'``: the normalised weights and biases in threshold units per step;
    - ``IF_l``: ``r = 1 / dt`` (dt in s, so ``R dt = 1``: one unit of input per step moves
      ``v`` by one unit), ``v_threshold = 1``, ``v_reset = 0``;
    - ``delay_l`` (``layer_delay=True``, before ``affine_l`` for every hidden layer ``l >= 1``):
      ``Delay(dt)``, the one step the converted network takes to deliver a spike to the next
      layer (a Brian2 scheduling choice of :mod:`neurosim.conversion`; NIR edges are
      instantaneous). Not needed into the output layer: its charge read-out is the time
      integral of its input, whatever the timing. Not every NIR importer supports ``Delay``;
    - ``input_scale`` (``input_coding="poisson"``): ``1 / (input_rate_hz dt)``, so that 0/1
      input spikes at rate ``x input_rate_hz`` carry the analog drive ``x`` on average. With
      ``"current"`` coding the input is the analog ``x`` itself, the same at every step.

    ``graph.metadata`` records ``dt_s``, the source model's reset (``"subtract"``) and threshold
    (``"v >= v_threshold"``) and the call that runs it exactly.

    What is exact and what is not (measured by ``benchmarks/nir_agreement.py``; figures in
    ``docs/interoperability.md``):

    - NIR's IF resets to ``v_reset``; the converted network resets by subtraction, which is
      what makes its rate equal its input (:mod:`neurosim.conversion`). NIR 1.0 has no option
      for it, so the exported nodes say "reset to 0": run under NIR's own semantics (any NIR
      simulator, or :func:`from_nir` with its defaults) the graph is an approximation. That is
      why it is only written with ``approximate_reset=True``.
    - :func:`from_nir` with ``reset="subtract"``, ``threshold="inclusive"`` (and any
      ``discretisation``: IF is the same in all) runs the source model: with ``"current"``
      coding its ``"charge"`` read-out (and its hidden layers' spike counts) equal the converted
      network's exactly (up to float rounding of ``x W + b``) for one hidden layer, and for
      more with ``layer_delay=True``; without the delays a deeper network's hidden spikes
      arrive one step earlier than in the source (measured agreement in the docs). The output
      layer's own spikes come one step earlier in either case.
    - ``"poisson"`` coding: the converted network draws its own input spikes and they reach
      the first layer one step later; only the rates are comparable.

    Parameters
    ----------
    network : neurosim.ConvertedNetwork
        From :func:`neurosim.convert`.
    approximate_reset : bool, default False
        Must be True: acknowledges that NIR's IF (reset to ``v_reset``) is not the converted
        network's IF (reset by subtraction).
    layer_delay : bool, default False
        Write the converted network's one-step delay between hidden layers as ``Delay`` nodes.

    Returns
    -------
    nir.NIRGraph

    Raises
    ------
    NotImplementedError
        ``network`` is an :class:`neurosim.STDPClassifier` (or RSTDP): not expressible in NIR.
    ValueError
        ``approximate_reset`` is not True.
    TypeError
        ``network`` is something else.
    """
    nir = _import_nir()
    from neurosim.classifier import STDPClassifier
    from neurosim.conversion import ConvertedNetwork

    if isinstance(network, STDPClassifier):
        raise NotImplementedError(
            f"{type(network).__name__} cannot be exported to NIR: the Diehl & Cook network has "
            "conductance-based synapses (g_e, g_i times the driving force E - v), adaptive "
            "thresholds (theta), refractory periods and STDP, none of which NIR 1.0 can "
            "express; an export would be a different network. Export a "
            "neurosim.ConvertedNetwork (neurosim.convert) instead")
    if not isinstance(network, ConvertedNetwork):
        raise TypeError(f"network must be a neurosim.ConvertedNetwork (from neurosim.convert), "
                        f"got {type(network).__name__}")
    if approximate_reset is not True:
        raise ValueError(
            "NIR 1.0's IF node resets to v_reset, but the converted network's IF neurons reset "
            "by subtraction (and fire at v >= 1, NIR at v > v_threshold), so the NIR graph is an "
            "approximation of it under NIR's semantics. Pass approximate_reset=True to export it "
            "anyway; neurosim.nir.from_nir(graph, dt_ms=..., reset='subtract', "
            "threshold='inclusive') then runs the source model (see docs/interoperability.md "
            "for the measured agreement of the approximation)")
    dt_s = float(network.dt_ms) * 1e-3
    n_in = int(network.n_features_in_)
    nodes: dict[str, Any] = {"input": nir.Input(input_type={"input": np.array([n_in])})}
    chain = ["input"]
    if network.input_coding == "poisson":
        rate = network._input_rate_hz()
        nodes["input_scale"] = nir.Scale(scale=np.full(n_in, 1.0 / (rate * dt_s)))
        chain.append("input_scale")
    n_layers = len(network.weights_)
    for layer, (w, b) in enumerate(zip(network.weights_, network.biases_, strict=True)):
        n = w.shape[1]
        if layer_delay and 0 < layer < n_layers - 1:
            nodes[f"delay_{layer}"] = nir.Delay(delay=np.full(w.shape[0], dt_s))
            chain.append(f"delay_{layer}")
        nodes[f"affine_{layer}"] = nir.Affine(weight=np.array(w.T, dtype=np.float64),
                                              bias=np.array(b, dtype=np.float64))
        nodes[f"if_{layer}"] = nir.IF(r=np.full(n, 1.0 / dt_s), v_threshold=np.ones(n),
                                      v_reset=np.zeros(n))
        chain += [f"affine_{layer}", f"if_{layer}"]
    n_out = int(network.weights_[-1].shape[1])
    nodes["output"] = nir.Output(output_type={"output": np.array([n_out])})
    chain.append("output")
    metadata = {
        "source": "neurosim.ConvertedNetwork",
        "dt_s": dt_s,
        "time_unit": "s",
        "input_coding": str(network.input_coding),
        "source_reset": "subtract",
        "source_threshold": "v >= v_threshold",
        "approximation": "IF nodes reset to v_reset=0; the source resets by subtraction",
        "exact_import": (f"neurosim.nir.from_nir(graph, dt_ms={float(network.dt_ms)!r}, "
                         "reset='subtract', threshold='inclusive'), predict(..., "
                         "readout='charge')"),
        "duration_ms": float(network.duration_ms),
        "layer_delay": bool(layer_delay),
    }
    return nir.NIRGraph(nodes=nodes, edges=list(zip(chain[:-1], chain[1:], strict=True)),
                        metadata=metadata)


# -- import: the chain ----------------------------------------------------------------------------
@dataclass
class _Stage:
    """One neuron node and the linear maps that feed it."""

    name: str
    kind: str
    n: int
    maps: list[Callable[[np.ndarray], np.ndarray]]
    coef: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def spiking(self) -> bool:
        return self.kind in _SPIKING


def _vec(node_name: str, attr: str, value: Any, n: int | None = None) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0 and n is not None:
        arr = np.full(n, float(arr))
    arr = arr.reshape(-1)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"node {node_name!r}: {attr} contains NaN or inf")
    if n is not None and arr.size != n:
        raise ValueError(f"node {node_name!r}: {attr} has {arr.size} entries, expected {n}")
    return arr


def _chain(graph: Any) -> list[str]:
    """Node names from the Input to the Output node, or a ValueError naming what is not a chain."""
    nir = _import_nir()
    nodes = graph.nodes
    for name, node in nodes.items():
        kind = type(node).__name__
        if isinstance(node, nir.NIRGraph):
            kind = "NIRGraph (a nested subgraph)"
        if kind not in SUPPORTED_NODES:
            raise ValueError(f"node {name!r} is a NIR {kind} node, which from_nir does not "
                             f"support; supported node types: {', '.join(SUPPORTED_NODES)}")
    inputs = [k for k, v in nodes.items() if isinstance(v, nir.Input)]
    outputs = [k for k, v in nodes.items() if isinstance(v, nir.Output)]
    if len(inputs) != 1 or len(outputs) != 1:
        raise ValueError(f"from_nir runs a single chain with one Input and one Output node; the "
                         f"graph has Input nodes {inputs} and Output nodes {outputs}")
    succ: dict[str, list[str]] = {k: [] for k in nodes}
    pred: dict[str, list[str]] = {k: [] for k in nodes}
    for a, b in graph.edges:
        a, b = str(a), str(b)
        if a not in nodes or b not in nodes:
            raise ValueError(f"edge ({a!r}, {b!r}) names a node the graph does not have")
        succ[a].append(b)
        pred[b].append(a)
    for k in nodes:
        if len(succ[k]) > 1 or len(pred[k]) > 1:
            raise ValueError(
                f"the graph is not a simple feed-forward chain: node {k!r} has "
                f"{len(pred[k])} incoming and {len(succ[k])} outgoing edges (recurrent, "
                "branching and skip connections are not supported); from_nir runs chains "
                "Input -> ... -> Output only")
    order = [inputs[0]]
    while order[-1] != outputs[0]:
        nxt = succ[order[-1]]
        if not nxt:
            raise ValueError(f"the chain from Input {inputs[0]!r} stops at node {order[-1]!r} "
                             f"before reaching Output {outputs[0]!r}")
        if nxt[0] in order:
            raise ValueError(f"the graph has a cycle through node {nxt[0]!r}; from_nir runs "
                             "feed-forward chains only")
        order.append(nxt[0])
    missing = sorted(set(nodes) - set(order))
    if missing:
        raise ValueError(f"nodes {missing} are not on the chain from {inputs[0]!r} to "
                         f"{outputs[0]!r}; from_nir runs one feed-forward chain only")
    return order


class _DelayFactory:
    """A ``Delay`` node of ``k`` steps: ``y[t] = x[t - k]`` (0 for ``t < k``); its buffer is made
    afresh for every batch by :meth:`make`."""

    def __init__(self, k: int, d: int) -> None:
        self.k = k
        self.d = d

    def make(self, n_batch: int) -> Callable[[np.ndarray], np.ndarray]:
        if self.k == 0:
            return lambda x: x
        buf = np.zeros((self.k, n_batch, self.d))
        pos = [0]

        def delayed(x: np.ndarray) -> np.ndarray:
            out = buf[pos[0]].copy()
            buf[pos[0]] = x
            pos[0] = (pos[0] + 1) % self.k
            return out

        return delayed


def _instantiate(maps: list[Any], n_batch: int) -> list[Callable[[np.ndarray], np.ndarray]]:
    """The maps of one batch: stateless functions as they are, delays with a fresh buffer."""
    return [m.make(n_batch) if isinstance(m, _DelayFactory) else m for m in maps]


def _linear_map(name: str, node: Any, d_in: int,
                dt_s: float) -> tuple[Callable[[np.ndarray], np.ndarray], int]:
    kind = type(node).__name__
    if kind in ("Affine", "Linear"):
        w = np.asarray(node.weight, dtype=np.float64)
        if w.ndim != 2:
            raise ValueError(f"node {name!r} ({kind}) has a weight of shape {w.shape}; from_nir "
                             "supports 2-D (n_out, n_in) weights only")
        if w.shape[1] != d_in:
            raise ValueError(f"node {name!r} ({kind}) expects {w.shape[1]} inputs but receives "
                             f"{d_in}")
        wt = np.ascontiguousarray(w.T)
        if kind == "Affine":
            b = _vec(name, "bias", node.bias, w.shape[0])
            return (lambda x: x @ wt + b), w.shape[0]
        return (lambda x: x @ wt), w.shape[0]
    if kind == "Scale":
        s = _vec(name, "scale", node.scale, d_in)
        return (lambda x: x * s), d_in
    if kind == "Delay":
        tau = _vec(name, "delay", node.delay, d_in)
        k = np.rint(tau / dt_s)
        if np.any(np.abs(k * dt_s - tau) > 1e-9 * max(dt_s, 1.0)) or np.any(k < 0) or (
                np.unique(k).size != 1):
            raise ValueError(f"node {name!r} (Delay) has delays {np.unique(tau).tolist()} s; "
                             f"from_nir supports one delay for all elements, a whole number of "
                             f"steps of dt = {dt_s:g} s")
        return _DelayFactory(int(k[0]), d_in), d_in
    # Flatten: the signals are flat vectors already; check the element count only.
    shape = node.input_type.get("input") if node.input_type else None
    if shape is not None and int(np.prod(shape)) != d_in:
        raise ValueError(f"node {name!r} (Flatten) expects {int(np.prod(shape))} elements but "
                         f"receives {d_in}")
    return (lambda x: x), d_in


def _coefficients(name: str, node: Any, kind: str, n: int, dt_s: float,
                  discretisation: str) -> dict[str, np.ndarray]:
    """Per-neuron constants of the discrete update (module docstring)."""

    def decay_gain(tau: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if np.any(tau <= 0.0):
            raise ValueError(f"node {name!r}: {what} must be > 0 (s), got min {tau.min():g}")
        h = dt_s / tau
        if discretisation == "euler":
            if np.any(h > 1.0):
                raise ValueError(
                    f"node {name!r}: dt = {dt_s:g} s exceeds {what} = {tau.min():g} s, where "
                    "forward Euler overshoots; pass discretisation='exp' or a smaller dt_ms")
            return 1.0 - h, h, h
        a = np.exp(-h)
        return a, (1.0 - a) if discretisation == "exp" else h, 1.0 - a

    coef: dict[str, np.ndarray] = {}
    if kind == "IF":
        r = _vec(name, "r", node.r, n)
        coef.update(alpha=np.ones(n), gain=r * dt_s, leak=np.zeros(n))
    else:
        tau_attr = "tau" if kind in ("LIF", "LI") else "tau_mem"
        tau = _vec(name, tau_attr, getattr(node, tau_attr), n)
        r = _vec(name, "r", node.r, n)
        v_leak = _vec(name, "v_leak", node.v_leak, n)
        a, g, lk = decay_gain(tau, tau_attr)
        coef.update(alpha=a, gain=g * r, leak=lk * v_leak)
        if kind.startswith("Cuba"):
            tau_syn = _vec(name, "tau_syn", node.tau_syn, n)
            w_in = _vec(name, "w_in", node.w_in, n)
            a_s, g_s, _ = decay_gain(tau_syn, "tau_syn")
            coef.update(alpha_syn=a_s, gain_syn=g_s * w_in)
    if kind in _SPIKING:
        coef["v_th"] = _vec(name, "v_threshold", node.v_threshold, n)
        v_reset = node.v_reset if node.v_reset is not None else np.zeros(n)
        coef["v_reset"] = _vec(name, "v_reset", v_reset, n)
    return coef


def _neuron_size(name: str, node: Any, kind: str) -> int:
    attr = {"IF": "r", "LIF": "tau", "LI": "tau"}.get(kind, "tau_mem")
    return int(np.asarray(getattr(node, attr)).size)


# -- import: the network --------------------------------------------------------------------------
@dataclass
class NIRSimulation:
    """What a :class:`NIRNetwork` did on a batch of samples.

    Attributes
    ----------
    output : ndarray, shape (n_samples, n_steps, n_out)
        The signal arriving at the Output node at every step: 0/1 spikes of a spiking last node
        (mapped by any linear nodes after it), or the membrane of an ``LI``/``CubaLI`` node.
    v_trace : ndarray, shape (n_samples, n_steps, n)
        Membrane of the last neuron node at the end of every step (after its reset).
    spike_counts : dict of str to ndarray (n_samples, n)
        Spikes of every spiking node over the whole run, by node name.
    v : dict of str to ndarray (n_samples, n)
        Membrane of every neuron node at the end of the run (after the last reset).
    charge : ndarray, shape (n_samples, n_out), or None
        ``count (v_threshold - v_reset) + v`` of the last node (with ``"subtract_next"`` less
        the pending subtraction): the total input it integrated when it is a non-leaky IF
        node resetting by subtraction (the read-out of :mod:`neurosim.conversion`). None unless
        the last neuron node spikes and feeds the Output node directly.
    spiking_output : bool
        Whether ``output`` carries spikes.
    """

    output: np.ndarray
    v_trace: np.ndarray
    spike_counts: dict[str, np.ndarray]
    v: dict[str, np.ndarray]
    charge: np.ndarray | None
    spiking_output: bool

    def scores(self, readout: str = "auto") -> np.ndarray:
        """Class scores, shape (n_samples, n_out).

        ``"count"``: ``output`` summed over steps (the spike count of a spiking output);
        ``"mean"``, ``"max"``, ``"last"``: ``output`` averaged, maximised or taken at the last
        step (``"max"`` is :class:`ann.layers.lif.LeakyReadout`'s default reduction);
        ``"charge"``: :attr:`charge`; ``"auto"``: ``"count"`` for spikes, ``"max"`` otherwise.
        """
        readout = check_choice("readout", readout, READOUTS)
        if readout == "auto":
            readout = "count" if self.spiking_output else "max"
        if readout == "count":
            return self.output.sum(axis=1)
        if readout == "mean":
            return self.output.mean(axis=1)
        if readout == "max":
            return self.output.max(axis=1)
        if readout == "last":
            return self.output[:, -1, :].copy()
        if self.charge is None:
            raise ValueError("readout='charge' needs a spiking last neuron node connected "
                             "directly to the Output node; use readout='count'")
        return self.charge


class _Step:
    """The per-neuron-node ``NetworkOperation``: input of node ``k`` for this step."""

    def __init__(self, net: _Runner, k: int) -> None:
        self.net = net
        self.k = k

    def __call__(self) -> None:
        net = self.net
        if self.k == 0:
            x = net.inputs[:, net.step if net.inputs.shape[1] > 1 else 0, :]
        else:
            x = net.signal(self.k - 1)
        for f in net.maps[self.k]:
            x = f(x)
        net.current[self.k][:] = x


class _Record:
    """The last ``NetworkOperation`` of a step: the Output node's signal, then the step count."""

    def __init__(self, net: _Runner) -> None:
        self.net = net

    def __call__(self) -> None:
        net = self.net
        x = net.signal(len(net.stages) - 1)
        for f in net.post:
            x = f(x)
        net.output[:, net.step, :] = x
        net.v_trace[:, net.step, :] = net.vview[-1]
        net.step += 1


class _Runner:
    """One batch: Brian2 groups, their state views and the per-step operations."""

    def __init__(self, model: NIRNetwork, inputs: np.ndarray, n_steps: int) -> None:
        self.stages = model._stages
        self.maps = [_instantiate(st.maps, inputs.shape[0]) for st in self.stages]
        self.post = _instantiate(model._post, inputs.shape[0])
        self.inputs = inputs
        self.n_batch = inputs.shape[0]
        self.step = 0
        self.groups: list[b2.NeuronGroup] = []
        objects: list[Any] = []
        for k, st in enumerate(self.stages):
            group = _group(st, self.n_batch, model, k)
            objects.append(group)
            objects.append(b2.NetworkOperation(_Step(self, k), when="groups", order=4 * k + 1,
                                               dt=model.dt_ms * b2.ms))
            self.groups.append(group)
        objects.append(b2.NetworkOperation(_Record(self), when="groups",
                                           order=4 * len(self.stages) + 1,
                                           dt=model.dt_ms * b2.ms))
        self.net = b2.Network(*objects)
        self.current = [g.variables["I_in"].get_value().reshape(self.n_batch, st.n)
                        for g, st in zip(self.groups, self.stages, strict=True)]
        self.vview = [g.variables["v"].get_value().reshape(self.n_batch, st.n)
                      for g, st in zip(self.groups, self.stages, strict=True)]
        self.output = np.zeros((self.n_batch, n_steps, model.n_outputs_))
        self.v_trace = np.zeros((self.n_batch, n_steps, self.stages[-1].n))
        self.n_steps = n_steps

    def signal(self, k: int) -> np.ndarray:
        """What node ``k`` passes on this step: dense 0/1 spikes, or its membrane."""
        st = self.stages[k]
        if not st.spiking:
            return self.vview[k].copy()
        s = np.zeros(self.n_batch * st.n)
        idx = self.groups[k].spikes
        if idx.size:
            s[idx] = 1.0
        return s.reshape(self.n_batch, st.n)

    def run(self, dt_ms: float) -> None:
        self.net.run(self.n_steps * dt_ms * b2.ms, namespace={})
        if self.step != self.n_steps:  # pragma: no cover - a Brian2 clock rounding surprise
            raise RuntimeError(f"Brian2 ran {self.step} steps instead of {self.n_steps}")


def _group(st: _Stage, n_batch: int, model: NIRNetwork, k: int) -> b2.NeuronGroup:
    """The Brian2 group of neuron node ``st`` (``n_batch`` copies), its update ordered ``k``."""
    eqs = ["v : 1", "I_in : 1", "alpha : 1 (constant)", "gain : 1 (constant)",
           "leak : 1 (constant)"]
    cuba = st.kind.startswith("Cuba")
    drive = "I_in"
    code = []
    if cuba:
        eqs += ["isyn : 1", "alpha_syn : 1 (constant)", "gain_syn : 1 (constant)"]
        code.append("isyn = alpha_syn * isyn + gain_syn * I_in")
        drive = "isyn"
    update = f"v = alpha * v + leak + gain * {drive}"
    kwargs: dict[str, Any] = {}
    if st.spiking:
        eqs += ["v_th : 1 (constant)", "v_reset : 1 (constant)", "pending : 1",
                "count : integer"]
        if model.reset == "subtract_next":
            update += " - pending * (v_th - v_reset)"
        reset = {"v_reset": "v = v_reset", "subtract": "v -= v_th - v_reset",
                 "subtract_next": "pending = 1"}[model.reset]
        kwargs["threshold"] = "v > v_th" if model.threshold == "strict" else "v >= v_th"
        kwargs["reset"] = reset + "\ncount += 1"
    code.append(update)
    if st.spiking and model.reset == "subtract_next":
        code.append("pending = 0")
    group = b2.NeuronGroup(n_batch * st.n, "\n".join(eqs), dt=model.dt_ms * b2.ms,
                           name=f"nir_node{k}_*", **kwargs)
    for key, value in st.coef.items():
        setattr(group, key, np.tile(value, n_batch))
    group.run_regularly("\n".join(code), when="groups", order=4 * k + 2)
    if st.spiking:
        group.thresholder["spike"].when = "groups"
        group.thresholder["spike"].order = 4 * k + 3
        group.resetter["spike"].when = "groups"
        group.resetter["spike"].order = 4 * k + 4
    return group


class NIRNetwork:
    """A NIR chain run in Brian2; built by :func:`from_nir`.

    Attributes
    ----------
    graph : nir.NIRGraph
        The graph it was built from.
    nodes_ : list of str
        Node names in chain order (Input first, Output last).
    n_inputs_, n_outputs_ : int
        Input and output sizes.
    classes_ : ndarray, shape (n_outputs_,)
        Label of each output unit.
    dt_ms, discretisation, reset, threshold, batch_size
        The options of :func:`from_nir`.
    """

    def __init__(self, graph: Any, stages: list[_Stage], post: list[Callable], order: list[str],
                 n_inputs: int, n_outputs: int, classes: np.ndarray, *, dt_ms: float,
                 discretisation: str, reset: str, threshold: str, batch_size: int) -> None:
        """Store a parsed chain (use :func:`from_nir`)."""
        self.graph = graph
        self._stages = stages
        self._post = post
        self.nodes_ = order
        self.n_inputs_ = n_inputs
        self.n_outputs_ = n_outputs
        self.classes_ = classes
        self.dt_ms = dt_ms
        self.discretisation = discretisation
        self.reset = reset
        self.threshold = threshold
        self.batch_size = batch_size

    def __repr__(self) -> str:
        kinds = " -> ".join(f"{st.kind}({st.n})" for st in self._stages)
        return (f"NIRNetwork({self.n_inputs_} -> {kinds}, dt_ms={self.dt_ms:g}, "
                f"discretisation={self.discretisation!r}, reset={self.reset!r}, "
                f"threshold={self.threshold!r})")

    def _check_inputs(self, inputs: object, n_steps: int | None) -> np.ndarray:
        arr = as_float_array("inputs", inputs)
        if arr.ndim == 2:
            if n_steps is None:
                raise ValueError("inputs is 2-D (n_samples, n_inputs), a constant input; pass "
                                 "n_steps (how many steps to hold it), or a 3-D array "
                                 "(n_samples, n_steps, n_inputs)")
            arr = arr[:, None, :]
        elif arr.ndim == 3:
            if n_steps is not None and n_steps != arr.shape[1]:
                raise ValueError(f"n_steps={n_steps} but inputs has {arr.shape[1]} steps; pass "
                                 "n_steps=None with a 3-D input")
        else:
            raise ValueError(f"inputs must be (n_samples, n_steps, n_inputs) or (n_samples, "
                             f"n_inputs), got shape {arr.shape}")
        if arr.shape[2] != self.n_inputs_:
            raise ValueError(f"inputs has {arr.shape[2]} inputs per step but the graph's Input "
                             f"node has {self.n_inputs_}")
        if arr.shape[0] == 0:
            raise ValueError("inputs has no samples; pass at least one")
        return arr

    def simulate(self, inputs: object, n_steps: int | None = None) -> NIRSimulation:
        """Run the network on ``inputs``, ``batch_size`` samples per Brian2 run.

        Parameters
        ----------
        inputs : array-like, shape (n_samples, n_steps, n_inputs) or (n_samples, n_inputs)
            The signal entering the Input node at every step: 0/1 spikes, or any real values (a
            current). A 2-D array is held constant for ``n_steps`` steps.
        n_steps : int, optional
            Steps to simulate with a 2-D ``inputs`` (must match a 3-D one).

        Returns
        -------
        NIRSimulation
        """
        if n_steps is not None:
            n_steps = check_int("n_steps", n_steps, minimum=1)
        X = self._check_inputs(inputs, n_steps)
        steps = X.shape[1] if n_steps is None else n_steps
        parts = []
        with codegen_target("numpy"):
            for start in range(0, X.shape[0], self.batch_size):
                runner = _Runner(self, X[start : start + self.batch_size], steps)
                runner.run(self.dt_ms)
                parts.append(runner)
        counts: dict[str, np.ndarray] = {}
        vs: dict[str, np.ndarray] = {}
        for k, st in enumerate(self._stages):
            vs[st.name] = np.concatenate([np.array(p.vview[k]) for p in parts])
            if st.spiking:
                counts[st.name] = np.concatenate([
                    np.array(p.groups[k].count_[:], dtype=np.int64).reshape(-1, st.n)
                    for p in parts])
        last = self._stages[-1]
        charge = None
        if last.spiking and not self._post:
            dv = last.coef["v_th"] - last.coef["v_reset"]
            charge = counts[last.name] * dv + vs[last.name]
            if self.reset == "subtract_next":
                pending = np.concatenate([np.array(p.groups[-1].pending_[:]).reshape(-1, last.n)
                                          for p in parts])
                charge = charge - pending * dv
        return NIRSimulation(output=np.concatenate([p.output for p in parts]),
                             v_trace=np.concatenate([p.v_trace for p in parts]),
                             spike_counts=counts, v=vs, charge=charge,
                             spiking_output=last.spiking and not self._post)

    def predict(self, inputs: object, n_steps: int | None = None,
                readout: str = "auto") -> np.ndarray:
        """Labels from ``classes_``, shape (n_samples,): the output unit with the highest score
        (:meth:`NIRSimulation.scores`)."""
        scores = self.simulate(inputs, n_steps).scores(readout)
        return self.classes_[np.argmax(scores, axis=1)]


def from_nir(graph_or_path: Any, *, dt_ms: float, discretisation: str = "exp",
             reset: str = "v_reset", threshold: str = "strict", classes: object | None = None,
             batch_size: int = 1024) -> NIRNetwork:
    """Build a Brian2 network from a NIR graph (or a NIR file) that is a feed-forward chain.

    Supported nodes: ``Input``, ``Output``, ``Affine``, ``Linear``, ``Scale``, ``Flatten``,
    ``Delay``, ``IF``, ``LIF``, ``LI``, ``CubaLIF``, ``CubaLI`` in one chain ``Input -> ... ->
    Output`` with at least one neuron node; the discrete update of each is in the module
    docstring.

    Parameters
    ----------
    graph_or_path : nir.NIRGraph, str or path-like
        A graph, or a file written by ``nir.write`` (read with :func:`read_nir`).
    dt_ms : float
        The time step (ms). NIR graphs carry none; NIR time constants are read in seconds
        (``dt = dt_ms * 1e-3`` s). Pass the step the graph was made for (:func:`to_nir`
        records it as ``graph.metadata["dt_s"]``; snnTorch exports assume 0.1 ms).
    discretisation : {"exp", "euler", "impulse"}, default "exp"
        How the ODEs become a discrete update (module docstring).
    reset : {"v_reset", "subtract", "subtract_next"}, default "v_reset"
        ``"v_reset"`` is NIR's model; the other two reset by subtraction (not NIR 1.0), at the
        spike or in the next step's update (snnTorch, :mod:`ann.layers.lif`).
    threshold : {"strict", "inclusive"}, default "strict"
        NIR's ``v > v_threshold``, or ``v >= v_threshold`` (:mod:`neurosim.conversion`,
        :mod:`ann.layers.lif`).
    classes : array-like, shape (n_out,), optional
        Label of each output unit; default ``0 .. n_out - 1``.
    batch_size : int, default 1024
        Samples simulated side by side in one Brian2 run.

    Returns
    -------
    NIRNetwork

    Raises
    ------
    ValueError
        An unsupported node type (named, with the supported list), a graph that is not a
        simple chain, inconsistent sizes, a bad option, or an unreadable file (named).
    """
    nir = _import_nir()
    if isinstance(graph_or_path, (str, os.PathLike)):
        graph = read_nir(graph_or_path)
    elif isinstance(graph_or_path, nir.NIRGraph):
        graph = graph_or_path
    else:
        raise TypeError(f"graph_or_path must be a nir.NIRGraph or a path to a NIR file, got "
                        f"{type(graph_or_path).__name__}")
    dt = check_positive("dt_ms", dt_ms)
    disc = check_choice("discretisation", discretisation, DISCRETISATIONS)
    rst = check_choice("reset", reset, RESETS)
    thr = check_choice("threshold", threshold, THRESHOLDS)
    batch = check_int("batch_size", batch_size, minimum=1)
    order = _chain(graph)
    shape = graph.nodes[order[0]].input_type["input"]
    d = int(np.prod(shape))
    dt_s = dt * 1e-3
    stages: list[_Stage] = []
    maps: list[Callable[[np.ndarray], np.ndarray]] = []
    for name in order[1:-1]:
        node = graph.nodes[name]
        kind = type(node).__name__
        if kind in _LINEAR:
            f, d = _linear_map(name, node, d, dt_s)
            maps.append(f)
            continue
        n = _neuron_size(name, node, kind)
        if n != d:
            raise ValueError(f"node {name!r} ({kind}) has {n} neurons but receives {d} inputs")
        stages.append(_Stage(name, kind, n, maps,
                             _coefficients(name, node, kind, n, dt_s, disc)))
        maps = []
    if not stages:
        raise ValueError("the graph has no neuron node (IF, LIF, LI, CubaLIF or CubaLI); "
                         "from_nir runs spiking networks")
    if classes is None:
        labels = np.arange(d)
    else:
        labels = np.array(classes, copy=True)
        if labels.shape != (d,):
            raise ValueError(f"classes must have shape ({d},), one label per output, got "
                             f"{labels.shape}")
    return NIRNetwork(graph, stages, maps, order, int(np.prod(shape)), d, labels, dt_ms=dt,
                      discretisation=disc, reset=rst, threshold=thr, batch_size=batch)
