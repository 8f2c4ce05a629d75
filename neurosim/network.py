"""The Diehl & Cook (2015) network as one self-driving Brian2 simulation.

:func:`build_objects` creates every Brian2 object of the classifier's network from a
:class:`NetworkSpec`, for either device (runtime ``numpy`` or ``cpp_standalone``). The network
presents a whole block of samples *inside one simulation*, so that a compiled binary can learn
from hundreds of images per process start instead of paying Brian2's per-``run()`` overhead for
every image. Its parts:

``input`` (``n_inputs`` neurons)
    Poisson sources: neuron ``i`` fires in a step with probability
    ``stim(k, i) * gain * dt``, where ``stim`` is a :class:`brian2.TimedArray` indexed by the
    *sample number* ``k`` (not by time) holding each input's rate in Hz (the caller normalises
    every image's rates to the same total, :func:`neurosim.encoding.normalized_rates_hz`) and
    ``gain`` is 0 outside presentations and ``1 + reps * boost`` during one. The uniform number
    each step compares with that probability is not Brian2's ``rand()`` but
    ``sample_uniform(key, i, step, reps)`` (:mod:`neurosim.sample_noise`): a function of the
    sample's key (the table ``skey``, indexed by ``k`` like ``stim``), the input, the step and
    the showing, so a sample's spikes do not depend on the other samples of the run.
``exc`` (``n_excitatory``) and lateral inhibition
    The excitatory LIF population of :mod:`neurosim.neurons` (same equations, threshold, reset
    and namespace, plus the two normalisation variables below) and the inhibition of
    :func:`neurosim.inhibition.lateral_inhibition` (default Diehl & Cook's: an inhibitory
    population, ``exc -> inh`` one-to-one, ``inh -> exc`` all-but-self).
``input_exc``
    The STDP synapses of :mod:`neurosim.plasticity` (same rule, same ``plastic`` switch), with
    two statements added around the rule's ``on_pre``/``on_post`` so the postsynaptic neuron
    keeps a running sum ``wsum`` of its incoming weights. At the start of every presentation
    ``exc.wscale = norm_total / wsum`` and ``w *= wscale_post`` rescale each neuron's input
    weights to sum ``norm_total`` (Diehl & Cook's normalisation before every image) without
    summing the weight matrix in the simulation loop.
Each slot starts from the resting state: at its first step every excitatory and inhibitory
neuron is set to ``v = v_rest``, ``ge = gi = 0`` (the rest period's decay made exact), so that
with learning off a sample's response depends on the sample alone.
``ctrl`` (one neuron, no dynamics)
    The presentation schedule, advanced every time step with integer step counters: a *slot* is
    ``presentation_ms`` of input followed by ``rest_ms`` of silence. At the end of each
    presentation ``ctrl`` counts the excitatory spikes of that presentation (delivered by the
    ``exc_count`` synapses) and either moves to the next sample or, if fewer than
    ``min_spikes`` were fired, shows the same sample again with every rate multiplied by
    ``1 + reps * boost`` (at most ``max_repeats`` times), as Diehl & Cook raise theirs by 32 Hz.

``learning_rule="rstdp"`` (reward-modulated STDP, :mod:`neurosim.rstdp`; absent otherwise)
    The input synapses accumulate the STDP terms in an eligibility trace ``elig`` instead of
    applying them to ``w`` (:func:`reward_stdp_model`). A second table indexed by sample,
    ``labels``, holds each sample's class index (``-1``: unlabelled). The ``exc_count``
    synapses also record the *winner*, the first excitatory neuron to spike in a presentation
    (its class is its index mod ``n_cls``). At the end of the presentation ``ctrl`` turns the
    outcome (+1 the winner's class is the label, -1 it is not, 0 no spike or no label), less
    its running mean if asked, into ``reward``; linked to the excitatory group, it reaches
    every neuron (or the winner only) through the custom event ``reinforce``, which triggers
    the synapses' ``reinforce`` pathway: ``w = clip(w + reward * elig, 0, w_max)``, then
    ``elig = 0``. All of it runs only while learning is on.

Every value that may change between runs without recompiling (learning on/off, the stimulus
table, the re-show gain, the number of valid samples, the spike criterion, the random seed, and
the most-tuned learning knobs: the threshold increment ``theta_plus`` and the STDP rates
``a_plus``/``a_minus``) is a *variable*, not a constant, so the compiled binary can be re-run
with ``run_args``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import brian2 as b2
import numpy as np
from brian2.core.variables import ArrayVariable

from neurosim._checks import check_choice, check_dt, check_int, check_positive
from neurosim.inhibition import INHIBITION_MODES, lateral_inhibition
from neurosim.monitors import spike_counter
from neurosim.neurons import DEFAULT_METHOD, lif_equations
from neurosim.params import (
    DC2015_W_EXC_INH,
    DC2015_W_INH_EXC,
    LIFParams,
    STDPParams,
    inhibitory_lif_params,
)
from neurosim.plasticity import stdp_synapse_model
from neurosim.sample_noise import brian2_uniform

__all__ = ["NetworkSpec", "NetworkObjects", "build_objects", "spec_key", "RUNTIME_STDP",
           "LEARNING_RULES", "wrapped_stdp_model", "reward_stdp_model", "model_variables"]

#: STDP constants that become run-time variables of the synapses (no recompilation to tune).
RUNTIME_STDP = ("a_plus", "a_minus")

#: Plasticity of the input synapses: ``"stdp"`` applies the STDP terms to ``w`` at once;
#: ``"rstdp"`` accumulates them in an eligibility trace that a reward turns into a weight change.
LEARNING_RULES = ("stdp", "rstdp")


@dataclass(frozen=True)
class NetworkSpec:
    """Everything that fixes the *structure* of the compiled network (the build-cache key).

    Attributes
    ----------
    n_inputs, n_excitatory : int
        Input (Poisson) and excitatory population sizes; the inhibitory population has
        ``n_excitatory`` neurons.
    dt_ms, presentation_ms, rest_ms : float
        Time step, input presentation and silent rest per slot (ms). Both durations must be
        whole numbers of steps.
    exc, inh : LIFParams
        Excitatory (adaptive threshold) and inhibitory neuron parameters.
    stdp : STDPParams
        The input -> excitatory plasticity rule.
    w_exc_inh, w_inh_exc : float
        Fixed lateral weights (conductance relative to leak): ``exc -> inh`` one-to-one and
        ``inh -> exc`` all-but-self.
    inhibition : {"population", "wta"}
        Lateral inhibition wiring of :func:`neurosim.inhibition.lateral_inhibition`.
    chunk_samples : int
        Capacity of the stimulus table of one run (samples).
    chunk_slots : int
        Most presentation slots one run may simulate (its duration); the run stops as soon as
        every sample is done, so spare slots cost nothing.
    threads : int
        OpenMP threads of the compiled binary (0 = no OpenMP).
    learning_rule : {"stdp", "rstdp"}
        ``"rstdp"`` adds the eligibility trace, the label table and the reward machinery (see
        the module docstring); ``"stdp"`` builds exactly the network it always did.
    """

    n_inputs: int
    n_excitatory: int
    dt_ms: float = 0.5
    presentation_ms: float = 350.0
    rest_ms: float = 150.0
    exc: LIFParams = dataclasses.field(default_factory=LIFParams)
    inh: LIFParams = dataclasses.field(default_factory=inhibitory_lif_params)
    stdp: STDPParams = dataclasses.field(default_factory=STDPParams)
    w_exc_inh: float = DC2015_W_EXC_INH
    w_inh_exc: float = DC2015_W_INH_EXC
    inhibition: str = "population"
    chunk_samples: int = 64
    chunk_slots: int = 64
    threads: int = 0
    learning_rule: str = "stdp"

    def __post_init__(self) -> None:
        check_int("n_inputs", self.n_inputs, minimum=1)
        check_int("n_excitatory", self.n_excitatory, minimum=1)
        check_int("chunk_samples", self.chunk_samples, minimum=1)
        check_int("chunk_slots", self.chunk_slots, minimum=1)
        check_int("threads", self.threads, minimum=0)
        check_choice("inhibition", self.inhibition, INHIBITION_MODES)
        check_choice("learning_rule", self.learning_rule, LEARNING_RULES)
        taus = {**self.exc.time_constants_ms(),
                **{f"inhibitory {k}": v for k, v in self.inh.time_constants_ms().items()}}
        check_dt(self.dt_ms, taus)
        check_positive("presentation_ms", self.presentation_ms)
        if self.rest_ms < 0:
            raise ValueError(f"rest_ms must be >= 0, got {self.rest_ms}")
        for name in ("presentation_ms", "rest_ms"):
            steps = getattr(self, name) / self.dt_ms
            if abs(steps - round(steps)) > 1e-9:
                raise ValueError(f"{name}={getattr(self, name)} is not a whole number of "
                                 f"dt_ms={self.dt_ms} steps; make it a multiple of dt_ms")

    @property
    def n_pres_steps(self) -> int:
        """Time steps of input per slot."""
        return int(round(self.presentation_ms / self.dt_ms))

    @property
    def n_slot_steps(self) -> int:
        """Time steps per slot (presentation + rest)."""
        return int(round((self.presentation_ms + self.rest_ms) / self.dt_ms))

    @property
    def n_synapses(self) -> dict[str, int]:
        """Connections of each pathway, keyed by the Brian2 object's name, and ``"total"``.

        ``input_exc``: all-to-all ``n_inputs x n_excitatory``; ``"population"`` inhibition:
        ``lat_exc_inh`` one-to-one (``n_excitatory``) and ``lat_inh_exc`` all-but-self
        (``n_excitatory x (n_excitatory - 1)``); ``"wta"``: ``lat_wta`` all-but-self.
        """
        n_in, n = self.n_inputs, self.n_excitatory
        out = {"input_exc": n_in * n}
        if self.inhibition == "population":
            out.update({"lat_exc_inh": n, "lat_inh_exc": n * (n - 1)})
        else:
            out["lat_wta"] = n * (n - 1)
        out["total"] = sum(out.values())
        return out

    @property
    def n_neurons(self) -> int:
        """LIF neurons: excitatory, plus as many inhibitory with ``"population"`` inhibition."""
        return 2 * self.n_excitatory if self.inhibition == "population" else self.n_excitatory

    def structural(self) -> NetworkSpec:
        """This spec with the run-time knobs (``theta_plus_mV``, ``a_plus``, ``a_minus``) at
        fixed values: specs that differ only in those share one compiled build."""
        return dataclasses.replace(
            self,
            exc=self.exc.replace(theta_plus_mV=LIFParams().theta_plus_mV),
            stdp=self.stdp.replace(a_plus=STDPParams().a_plus, a_minus=STDPParams().a_minus),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (nested parameter dataclasses as dicts)."""
        return dataclasses.asdict(self)


@dataclass
class NetworkObjects:
    """The Brian2 objects of one network (see the module docstring for their roles)."""

    network: b2.Network
    stim: b2.TimedArray
    inp: b2.NeuronGroup
    exc: b2.NeuronGroup
    inh: b2.NeuronGroup | None
    ctrl: b2.NeuronGroup
    input_exc: b2.Synapses
    exc_mon: b2.SpikeMonitor
    inp_count: b2.SpikeMonitor
    inh_count: b2.SpikeMonitor | None
    slot_mon: b2.StateMonitor
    lateral: tuple
    labels: b2.TimedArray | None = None
    skey: b2.TimedArray | None = None

    @property
    def model_objects(self) -> list[Any]:
        """The objects that make up the model itself (inputs, neurons, synapses): what an
        inference needs, without the schedule, the bookkeeping synapses and the monitors."""
        objs = [self.inp, self.exc, self.input_exc, *self.lateral]
        return objs


_CTRL_MODEL = """
k : integer
k_next : integer
reps : integer
reps_next : integer
nspk : integer
step : integer
on : integer
stopped : 1
n_valid : integer (shared)
min_spikes : integer (shared)
max_repeats : integer (shared)
rng_seed : integer (shared)
gain : 1
boost : 1 (shared)
"""

# One time step of the schedule, in Brian2 abstract code (no branches: 0/1 arithmetic).
# `step` counts the steps of the current slot; a new slot adopts the decision made at the end
# of the previous presentation (k_next, reps_next) and stops the run when no sample is left;
# at step n_pres the presentation's spike count decides whether to advance or repeat.
_CTRL_STEP = """
new_slot = int(step >= n_slot)
step = step * (1 - new_slot)
k = k + new_slot * (k_next - k)
reps = reps + new_slot * (reps_next - reps)
stopped = stop_run_if(new_slot * int(k >= n_valid))
decide = int(step == n_pres)
ok = int(nspk >= min_spikes or reps >= max_repeats)
k_next = k_next + decide * (k + ok - k_next)
reps_next = reps_next + decide * ((reps + 1) * (1 - ok) - reps_next)
nspk = nspk * (1 - decide)
on = int(step < n_pres) * int(k < n_valid)
gain = on * (1 + reps * boost)
step = step + 1
"""


# What every neuron of the network is set to at the start of each slot (see build_objects).
_SLOT_RESET = "v = v_rest\nge = 0\ngi = 0"


# Added to the schedule by learning_rule="rstdp". `winner`/`got`: the first excitatory neuron
# to spike in the presentation and whether there was one (set by the exc_count synapses, cleared
# when a slot opens); at step n_pres the outcome is +1 (the winner's class, winner mod n_cls, is
# the sample's label), -1 (another class) or 0 (no spike, or an unlabelled sample, label -1);
# `reward` carries it to the excitatory group for that one step, less the running mean `rbar` of
# the outcomes when baseline_rate > 0 (rbar += baseline_rate * (outcome - rbar) per decided
# presentation), and `reward_due` makes every excitatory neuron emit the `reinforce` event then,
# while learning is on (n_cls >= 1: the engines never set 0). n_rewarded/n_punished count the
# outcomes.
_RSTDP_CTRL_MODEL = """
winner : integer
got : integer
reward : 1
reward_due : integer
n_rewarded : integer
n_punished : integer
n_cls : integer (shared)
learn_on : integer (shared)
winner_only : integer
rbar : 1
baseline_rate : 1 (shared)
"""

_RSTDP_CTRL_STEP = """
got = got * (1 - new_slot)
winner = winner * (1 - new_slot) - new_slot
label_k = labels(k * second)
decided = decide * got * int(label_k >= 0)
outcome = decided * (2 * int(abs(winner % n_cls - label_k) < 0.5) - 1)
reward = decided * (outcome - int(baseline_rate > 0) * rbar)
rbar = rbar + decided * baseline_rate * (outcome - rbar)
reward_due = decide * learn_on
n_rewarded = n_rewarded + decide * int(outcome > 0)
n_punished = n_punished + decide * int(outcome < 0)
"""

# exc_count's extra statements under "rstdp": the first spike of a presentation (the lowest
# index among neurons spiking in the same step) names the winner.
_RSTDP_FIRST_SPIKE = """
winner_post = winner_post + on_post * (1 - got_post) * (i - winner_post)
got_post = got_post + on_post * (1 - got_post)
"""

# What each excitatory neuron's synapses receive on the reinforce event: the reward, or with
# winner_only (Mozafari et al. 2018: only the winner learns) the reward if it won, else 0.
_RSTDP_EXC_REWARD = ("reward = reward_link * (1 - winner_only_link + winner_only_link * "
                     "int(i == winner_link))")


def _stop_function(holder: dict) -> b2.Function:
    """``stop_run_if(flag)``: end the current run at the end of this time step when flag > 0.

    Compiled: sets ``Network::_globally_stopped`` (the flag Brian2's own main loop checks after
    every step). Runtime: calls ``stop()`` on ``holder["net"]``.
    """

    def stop_run_if(flag):
        if np.any(np.asarray(flag) > 0) and holder.get("net") is not None:
            holder["net"].stop()
        return np.zeros(np.shape(flag))

    f = b2.Function(stop_run_if, arg_units=[1], return_unit=1, stateless=False)
    f.implementations.add_implementation("cpp", name="stop_run_if", code="""
double stop_run_if(double flag) {
    if (flag > 0) Network::_globally_stopped = true;
    return 0.0;
}""")
    return f


def _exc_group(spec: NetworkSpec) -> b2.NeuronGroup:
    m = lif_equations(spec.exc)
    model = m.model + """
    wsum : 1
    wscale : 1
    norm_total : 1 (shared)
    norm_on : 1 (shared)
    """
    namespace = dict(m.namespace)
    if m.adaptive:  # run-time variable instead of a compiled-in constant
        namespace.pop("theta_plus")
        model += "theta_plus : volt (shared)\n"
    extra = {}
    if spec.learning_rule == "rstdp":  # the reward, linked from ctrl, and its event
        model += ("reward_link : 1 (linked)\nreward_due : integer (linked)\nreward : 1\n"
                  "winner_link : integer (linked)\nwinner_only_link : integer (linked)\n")
        extra["events"] = {"reinforce": "reward_due > 0"}
    g = b2.NeuronGroup(spec.n_excitatory, model, threshold=m.threshold, reset=m.reset,
                       refractory=m.refractory, method=DEFAULT_METHOD, namespace=namespace,
                       name="exc", **extra)
    g.v = spec.exc.v_rest_mV * b2.mV
    if m.adaptive:
        g.adapt = 1.0
    if spec.learning_rule == "rstdp":
        # synapses cannot read a linked variable of their target: copy it on the event, before
        # the synapses' reinforce pathway runs in the same step
        g.run_on_event("reinforce", _RSTDP_EXC_REWARD, when="before_synapses")
    return g


def _track_wsum(code: str) -> str:
    """``code`` wrapped so the postsynaptic ``wsum`` follows every change it makes to ``w``."""
    return "w_before = w\n" + code + "\nwsum_post += w - w_before"


def wrapped_stdp_model(stdp: STDPParams) -> tuple[str, str, str, dict]:
    """The STDP rule of :mod:`neurosim.plasticity` plus the running postsynaptic weight sum.

    Returns ``(model, on_pre, on_post, namespace)``: the rule's own strings, each event
    pathway wrapped as ``w_before = w; <rule>; wsum_post += w - w_before``, and the learning
    rates :data:`RUNTIME_STDP` turned from constants into shared variables (set per run).
    """
    m = stdp_synapse_model(stdp, target_var="ge")
    namespace = {k: v for k, v in m.namespace.items() if k not in RUNTIME_STDP}
    model = m.model + "".join(f"{k} : 1 (shared)\n" for k in RUNTIME_STDP)
    return model, _track_wsum(m.on_pre), _track_wsum(m.on_post), namespace


# A weight update of the STDP rule's strings: ``w = clip(w <term>, 0, w_max)``.
_RULE_LINE = re.compile(r"^w = clip\(w (?P<term>[+-] .+), 0, w_max\)$")

#: The reward at the end of a presentation (the ``reinforce`` pathway, before ``wsum``).
REINFORCE = "w = clip(w + reward_post * elig, 0, w_max)\nelig = 0"


def reward_stdp_model(stdp: STDPParams) -> tuple[str, str, str, str, dict]:
    """Reward-modulated STDP: the rule of :mod:`neurosim.plasticity` with its weight changes
    held in an eligibility trace until a reward arrives.

    Every ``w = clip(w <term>, 0, w_max)`` of the rule's ``on_pre``/``on_post`` becomes
    ``elig = elig <term>``: the same pair-based terms (a soft-bound term reads the current
    ``w``), accumulated instead of applied, so ``w`` does not move during a presentation. The
    ``reinforce`` pathway (:data:`REINFORCE`, wrapped so ``wsum`` follows) then applies
    ``w = clip(w + reward * elig, 0, w_max)`` and clears ``elig``: with reward +1 the
    presentation's STDP, with -1 its mirror image (anti-STDP), with 0 nothing.

    Returns
    -------
    model, on_pre, on_post, reinforce : str
        Synapse equations (``elig`` and the shared rates :data:`RUNTIME_STDP` added) and the
        code of the three pathways.
    namespace : dict
        Constants of the rule.
    """
    m = stdp_synapse_model(stdp, target_var="ge")

    def accumulate(code: str) -> str:
        lines = code.split("\n")
        out = [(f"elig = elig {hit['term']}" if (hit := _RULE_LINE.match(line.strip()))
                else line) for line in lines]
        if sum(a != b for a, b in zip(lines, out, strict=True)) != 1:
            raise RuntimeError(f"expected one weight update in the STDP rule's code {code!r}; "
                               "update neurosim.network._RULE_LINE to the rule's new form")
        return "\n".join(out)

    namespace = {k: v for k, v in m.namespace.items() if k not in RUNTIME_STDP}
    model = m.model + "elig : 1\n" + "".join(f"{k} : 1 (shared)\n" for k in RUNTIME_STDP)
    return (model, accumulate(m.on_pre), accumulate(m.on_post), _track_wsum(REINFORCE),
            namespace)


def build_objects(spec: NetworkSpec, stim_values: np.ndarray) -> NetworkObjects:
    """Create the network's Brian2 objects on the currently active device.

    Sets ``brian2.defaultclock.dt`` to ``spec.dt_ms`` (all groups share the default clock);
    :class:`~neurosim.standalone.RuntimeEngine` sets it again before every run.

    Parameters
    ----------
    spec : NetworkSpec
        Structure of the network.
    stim_values : ndarray of shape (n_table, n_inputs)
        Initial stimulus table (input rates in Hz); the compiled path replaces it per run with
        ``run_args`` (same shape).

    Returns
    -------
    NetworkObjects
        All objects, gathered in ``network`` (nothing is run).
    """
    ms = b2.ms
    dt = spec.dt_ms * ms
    # every group (also those made by the building blocks) runs on the default clock
    b2.defaultclock.dt = dt
    slot = (spec.presentation_ms + spec.rest_ms) * ms
    stim = b2.TimedArray(np.asarray(stim_values, dtype=np.float64), dt=1 * b2.second,
                         name="stim")
    skey = b2.TimedArray(np.zeros((len(stim_values), 2)), dt=1 * b2.second, name="skey")

    rstdp = spec.learning_rule == "rstdp"
    labels = (b2.TimedArray(np.full(spec.chunk_samples, -1.0), dt=1 * b2.second, name="labels")
              if rstdp else None)

    holder: dict = {}
    ctrl_ns = {"stop_run_if": _stop_function(holder)}
    if rstdp:
        ctrl_ns["labels"] = labels
    ctrl = b2.NeuronGroup(1, _CTRL_MODEL + (_RSTDP_CTRL_MODEL if rstdp else ""), name="ctrl",
                          namespace=ctrl_ns)
    ctrl.step = spec.n_slot_steps  # the first step opens a new slot
    ctrl.min_spikes = 5
    ctrl.max_repeats = 0
    ctrl.n_valid = 0
    if rstdp:
        ctrl.n_cls = 1
        ctrl.winner = -1
    ctrl.run_regularly(_CTRL_STEP + (_RSTDP_CTRL_STEP if rstdp else ""), when="start",
                       order=-3, name="ctrl_step")
    slot_clock = b2.Clock(dt=slot, name="slot_clock")  # one clock for all per-slot operations
    ctrl.namespace.update({"n_slot": spec.n_slot_steps, "n_pres": spec.n_pres_steps})

    n_in = spec.n_inputs
    inp = b2.NeuronGroup(
        n_in,
        """
        k_in : integer (linked)
        gain_in : 1 (linked)
        step_in : integer (linked)
        reps_in : integer (linked)
        """,
        threshold=("gain_in > 0 and sample_uniform(skey(k_in * second, 0), skey(k_in * second, 1)"
                   ", i, step_in, reps_in) < stim(k_in * second, i) * gain_in * (dt / second)"),
        name="input",
        namespace={"stim": stim, "skey": skey, "sample_uniform": brian2_uniform()},
    )
    zeros = np.zeros(n_in, dtype=int)
    inp.k_in = b2.linked_var(ctrl, "k", index=zeros)
    inp.gain_in = b2.linked_var(ctrl, "gain", index=zeros)
    inp.step_in = b2.linked_var(ctrl, "step", index=zeros)
    inp.reps_in = b2.linked_var(ctrl, "reps", index=zeros)

    exc = _exc_group(spec)
    exc.norm_on = 1.0
    exc.norm_total = 0.1 * n_in
    exc.run_regularly(
        "wscale = 1 + norm_on * int(wsum > 1e-12) * (norm_total / (wsum + int(wsum <= 1e-12))"
        " - 1)\nwsum = wsum * wscale",
        clock=slot_clock, when="start", order=-2, name="exc_norm")

    n_exc = spec.n_excitatory
    if rstdp:
        link = np.zeros(n_exc, dtype=int)
        exc.reward_link = b2.linked_var(ctrl, "reward", index=link)
        exc.reward_due = b2.linked_var(ctrl, "reward_due", index=link)
        exc.winner_link = b2.linked_var(ctrl, "winner", index=link)
        exc.winner_only_link = b2.linked_var(ctrl, "winner_only", index=link)
        model, on_pre, on_post, reinforce, ns = reward_stdp_model(spec.stdp)
        input_exc = b2.Synapses(inp, exc, model=model, on_pre=on_pre,
                                on_post={"post": on_post, "reinforce": reinforce},
                                on_event={"reinforce": "reinforce"}, namespace=ns,
                                name="input_exc", method="exact")
        input_exc.reinforce.order = 2  # after the presentation's last post-spike terms
    else:
        model, on_pre, on_post, ns = wrapped_stdp_model(spec.stdp)
        input_exc = b2.Synapses(inp, exc, model=model, on_pre=on_pre, on_post=on_post,
                                namespace=ns, name="input_exc", method="exact")
    pre = np.repeat(np.arange(n_in, dtype=np.int32), n_exc)
    post = np.tile(np.arange(n_exc, dtype=np.int32), n_in)
    input_exc.connect(i=pre, j=post)  # synapse k = i * n_exc + j
    input_exc.plastic = 1.0
    input_exc.run_regularly("w = w * wscale_post", clock=slot_clock, when="start", order=-1,
                            name="input_exc_norm")

    lateral = lateral_inhibition(exc, mode=spec.inhibition, w_exc_inh=spec.w_exc_inh,
                                 w_inh_exc=spec.w_inh_exc, name_prefix="lat_",
                                 inh_params=spec.inh, method=DEFAULT_METHOD)
    inh = lateral[0] if spec.inhibition == "population" else None
    # Every slot starts from the resting state (what the rest period approximates), so that a
    # sample's response does not depend on the sample before it.
    for group in (exc, inh):
        if group is not None:
            group.run_regularly(_SLOT_RESET, clock=slot_clock, when="start", order=-4,
                                name=f"{group.name}_slot_reset")
    exc_count = b2.Synapses(exc, ctrl, on_pre="nspk_post += on_post" + (
        _RSTDP_FIRST_SPIKE if rstdp else ""), name="exc_count")
    exc_count.connect(i=np.arange(n_exc, dtype=np.int32), j=np.zeros(n_exc, dtype=np.int32))

    exc_mon = b2.SpikeMonitor(exc, name="exc_mon")
    inp_count = spike_counter(inp, name="inp_count").monitor
    # "wta" mode has no inhibitory population, hence nothing to count
    inh_count = spike_counter(inh, name="inh_count").monitor if inh is not None else None
    slot_mon = b2.StateMonitor(ctrl, ["k", "reps"], record=[0], clock=slot_clock, when="end",
                               name="slot_mon")
    objs = [ctrl, inp, exc, input_exc, exc_count, exc_mon, inp_count, slot_mon, *lateral]
    if inh_count is not None:
        objs.append(inh_count)
    net = b2.Network(*objs)
    holder["net"] = net
    return NetworkObjects(network=net, stim=stim, inp=inp, exc=exc, inh=inh, ctrl=ctrl,
                          input_exc=input_exc, exc_mon=exc_mon, inp_count=inp_count,
                          inh_count=inh_count, slot_mon=slot_mon, lateral=tuple(lateral),
                          labels=labels, skey=skey)


def model_variables(objs: NetworkObjects) -> list[ArrayVariable]:
    """The array variables the model itself holds (see :attr:`NetworkObjects.model_objects`).

    Neuron state, synapse weights and traces, connectivity indices and per-synapse
    bookkeeping of the model's own objects; variables of other groups that an object only links
    to or references are left to their owner. Engines measure the bytes of these arrays as
    allocated (the ``footprint_bytes`` cost metric); a variable that several names share is one
    array and counts once there.
    """
    out = []
    for obj in objs.model_objects:
        for var in obj.variables.values():
            if isinstance(var, ArrayVariable) and var.owner is not None \
                    and var.owner.name == obj.name:
                out.append(var)
    return out


def spec_key(spec: NetworkSpec, extra: dict | None = None) -> str:
    """Hash of everything that changes the generated code (structure, equations, versions).

    Parameters
    ----------
    spec : NetworkSpec
    extra : dict, optional
        More JSON-able entries to include (e.g. compiler, platform).

    Returns
    -------
    str
        24 hex digits.
    """
    spec = spec.structural()
    m_exc, m_inh = lif_equations(spec.exc), lif_equations(spec.inh)
    model, on_pre, on_post, ns = wrapped_stdp_model(spec.stdp)
    structure = spec.to_dict()
    if spec.learning_rule == "stdp":  # absent from the keys of the builds made before it
        del structure["learning_rule"]
    payload = {
        "spec": structure,
        "exc": [m_exc.model, m_exc.threshold, m_exc.reset, repr(sorted(m_exc.namespace.items()))],
        "inh": [m_inh.model, m_inh.threshold, m_inh.reset, repr(sorted(m_inh.namespace.items()))],
        "stdp": [model, on_pre, on_post, repr(sorted(ns.items()))],
        "ctrl": [_CTRL_MODEL, _CTRL_STEP, _SLOT_RESET],
        "brian2": b2.__version__,
        "numpy": np.__version__,
        "extra": extra or {},
        "method": DEFAULT_METHOD,
        "layout": 4,  # bump whenever build_objects changes the generated network
    }
    if spec.learning_rule == "rstdp":
        payload["rstdp"] = [*reward_stdp_model(spec.stdp)[:4], _RSTDP_CTRL_MODEL,
                            _RSTDP_CTRL_STEP, _RSTDP_FIRST_SPIKE, _RSTDP_EXC_REWARD,
                            "exc events: reinforce", 1]  # bump when the rstdp additions change
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]
