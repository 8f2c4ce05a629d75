"""Parameters of the spiking building blocks, as frozen dataclasses of plain floats.

Units are carried in the field names (``tau_m_ms``, ``v_thresh_mV``); Brian2 quantities are made
from them only when a model is built (:mod:`neurosim.neurons`, :mod:`neurosim.plasticity`).
Every dataclass validates itself in ``__post_init__``.

Defaults follow Diehl & Cook (2015), Front. Comput. Neurosci. 9:99 (SPEC section 4) and the values
in their published simulation code: excitatory LIF tau 100 ms, rest/reset -65 mV, threshold -52 mV,
refractory 5 ms, adaptive threshold +0.05 mV per spike decaying with tau 1e7 ms, conductance
synapses with tau_ge 1 ms and tau_gi 2 ms, reversal potentials 0 mV and -100 mV; inhibitory LIF
tau 10 ms, rest -60 mV, reset -45 mV, threshold -40 mV, refractory 2 ms, E_inh -85 mV.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from neurosim._checks import (
    check_choice,
    check_nonnegative,
    check_positive,
    check_real,
)

#: Diehl & Cook 2015 connection strengths (dimensionless conductances relative to leak),
#: from their published code: maximum input->excitatory weight, excitatory->inhibitory (one-to-one)
#: and inhibitory->excitatory (all-but-self).
DC2015_W_INPUT_MAX = 1.0
DC2015_W_EXC_INH = 10.4
DC2015_W_INH_EXC = 17.0


@dataclass(frozen=True)
class LIFParams:
    """Conductance-based leaky integrate-and-fire neuron with optional adaptive threshold.

    Membrane equation (``ge``, ``gi`` are conductances relative to the leak conductance)::

        tau_m dv/dt = (v_rest - v) + ge (e_exc - v) + gi (e_inh - v) + r_m i_ext
        dge/dt = -ge / tau_ge,   dgi/dt = -gi / tau_gi,   dtheta/dt = -theta / tau_theta

    A spike is emitted when ``v > v_thresh + theta``; then ``v <- v_reset``, ``theta <- theta +
    theta_plus`` (if ``adaptive``) and ``v`` is clamped for ``t_ref``.

    Attributes
    ----------
    tau_m_ms : float
        Membrane time constant (ms), > 0.
    v_rest_mV, v_reset_mV, v_thresh_mV : float
        Resting, reset and (base) threshold potentials (mV); ``v_thresh > v_reset`` and
        ``v_thresh > v_rest`` required (otherwise the neuron fires at rest).
    t_ref_ms : float
        Absolute refractory period (ms), >= 0.
    e_exc_mV, e_inh_mV : float
        Excitatory and inhibitory reversal potentials (mV); ``e_inh < v_thresh < e_exc``.
    tau_ge_ms, tau_gi_ms : float
        Decay time constants of the excitatory/inhibitory conductances (ms), > 0.
    adaptive : bool
        Whether the threshold adapts (``theta`` grows by ``theta_plus_mV`` per spike). With
        ``False``, ``theta`` exists but stays 0.
    theta_plus_mV : float
        Threshold increment per spike (mV), >= 0.
    tau_theta_ms : float
        Decay time constant of ``theta`` (ms), > 0.
    r_m_Mohm : float
        Membrane resistance (MOhm) that converts the external current ``i_ext`` (amp) into a
        voltage drive ``r_m i_ext``. Used only by current injection (f-I curve); Diehl & Cook's
        network does not inject current. 100 MOhm is a typical point-neuron input resistance.
    """

    tau_m_ms: float = 100.0
    v_rest_mV: float = -65.0
    v_reset_mV: float = -65.0
    v_thresh_mV: float = -52.0
    t_ref_ms: float = 5.0
    e_exc_mV: float = 0.0
    e_inh_mV: float = -100.0
    tau_ge_ms: float = 1.0
    tau_gi_ms: float = 2.0
    adaptive: bool = True
    theta_plus_mV: float = 0.05
    tau_theta_ms: float = 1e7
    r_m_Mohm: float = 100.0

    def __post_init__(self) -> None:
        for f in ("tau_m_ms", "tau_ge_ms", "tau_gi_ms", "tau_theta_ms", "r_m_Mohm"):
            check_positive(f"LIFParams.{f}", getattr(self, f))
        for f in ("v_rest_mV", "v_reset_mV", "v_thresh_mV", "e_exc_mV", "e_inh_mV"):
            check_real(f"LIFParams.{f}", getattr(self, f))
        check_nonnegative("LIFParams.t_ref_ms", self.t_ref_ms)
        check_nonnegative("LIFParams.theta_plus_mV", self.theta_plus_mV)
        if not isinstance(self.adaptive, bool):
            raise TypeError(f"LIFParams.adaptive must be a bool, got {self.adaptive!r}")
        if self.v_thresh_mV <= self.v_reset_mV:
            raise ValueError(
                f"LIFParams.v_thresh_mV ({self.v_thresh_mV}) must exceed v_reset_mV "
                f"({self.v_reset_mV}); raise the threshold or lower the reset"
            )
        if self.v_thresh_mV <= self.v_rest_mV:
            raise ValueError(
                f"LIFParams.v_thresh_mV ({self.v_thresh_mV}) must exceed v_rest_mV "
                f"({self.v_rest_mV}), otherwise the neuron fires without input"
            )
        if not self.e_inh_mV < self.v_thresh_mV < self.e_exc_mV:
            raise ValueError(
                f"LIFParams needs e_inh_mV < v_thresh_mV < e_exc_mV, got {self.e_inh_mV}, "
                f"{self.v_thresh_mV}, {self.e_exc_mV}; fix the reversal potentials"
            )

    def replace(self, **changes: object) -> LIFParams:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    def time_constants_ms(self) -> dict[str, float]:
        """Time constants (ms) the integration step must resolve, keyed by field name."""
        return {"tau_m_ms": self.tau_m_ms, "tau_ge_ms": self.tau_ge_ms,
                "tau_gi_ms": self.tau_gi_ms}


def inhibitory_lif_params() -> LIFParams:
    """Diehl & Cook (2015) inhibitory neuron: tau 10 ms, rest -60 mV, reset -45 mV,
    threshold -40 mV, refractory 2 ms, E_inh -85 mV, no threshold adaptation."""
    return LIFParams(
        tau_m_ms=10.0,
        v_rest_mV=-60.0,
        v_reset_mV=-45.0,
        v_thresh_mV=-40.0,
        t_ref_ms=2.0,
        e_exc_mV=0.0,
        e_inh_mV=-85.0,
        tau_ge_ms=1.0,
        tau_gi_ms=2.0,
        adaptive=False,
        theta_plus_mV=0.0,
    )


STDP_RULES = ("additive", "soft")
STDP_PAIRINGS = ("nearest", "all")


@dataclass(frozen=True)
class STDPParams:
    """Pair-based STDP from presynaptic and postsynaptic traces.

    Traces ``apre`` (time constant ``tau_plus``) and ``apost`` (``tau_minus``) jump on their own
    neuron's spikes: to 1 for ``pairing="nearest"`` (each spike pairs with the nearest preceding
    partner spike only) or by +1 for ``pairing="all"`` (all-to-all: every earlier partner spike
    counts). On a postsynaptic spike ``w`` is potentiated, on a presynaptic spike depressed:

    ===========  ====================================  ====================================
    rule         potentiation (post spike)             depression (pre spike)
    ===========  ====================================  ====================================
    additive     ``+a_plus * w_max * apre``            ``-a_minus * w_max * apost``
    soft         ``+a_plus * (w_max - w) * apre``      ``-a_minus * w * apost``
    ===========  ====================================  ====================================

    and ``w`` is clipped to ``[0, w_max]`` (hard bounds). For one pre/post pair at lag
    ``dt = t_post - t_pre`` this is ``dw = A+ exp(-dt/tau_plus)`` (dt > 0) and
    ``dw = -A- exp(dt/tau_minus)`` (dt < 0) with ``A+ = a_plus w_max``, ``A- = a_minus w_max``
    (additive), or ``A+ = a_plus (w_max - w)``, ``A- = a_minus w`` at the current weight (soft).

    Attributes
    ----------
    rule : {"additive", "soft"}
        Weight dependence: additive with hard bounds, or soft-bound (multiplicative).
    pairing : {"nearest", "all"}
        Spike pairing scheme (see above).
    a_plus, a_minus : float
        Learning rates, dimensionless, in units of ``w_max`` (>= 0). Defaults 0.01 and 0.0105:
        the slightly depression-dominated window (``a_minus tau_minus > a_plus tau_plus``) of
        Song, Miller & Abbott (2000).
    tau_plus_ms, tau_minus_ms : float
        Decay time constants of the presynaptic and postsynaptic traces (ms), > 0.
    w_max : float
        Upper weight bound (dimensionless conductance relative to leak), > 0.
    """

    rule: str = "additive"
    pairing: str = "nearest"
    a_plus: float = 0.01
    a_minus: float = 0.0105
    tau_plus_ms: float = 20.0
    tau_minus_ms: float = 20.0
    w_max: float = 1.0

    def __post_init__(self) -> None:
        check_choice("STDPParams.rule", self.rule, STDP_RULES)
        check_choice("STDPParams.pairing", self.pairing, STDP_PAIRINGS)
        check_nonnegative("STDPParams.a_plus", self.a_plus)
        check_nonnegative("STDPParams.a_minus", self.a_minus)
        check_positive("STDPParams.tau_plus_ms", self.tau_plus_ms)
        check_positive("STDPParams.tau_minus_ms", self.tau_minus_ms)
        check_positive("STDPParams.w_max", self.w_max)

    def replace(self, **changes: object) -> STDPParams:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)
