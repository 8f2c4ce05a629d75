"""Conductance-based LIF neurons with refractoriness and an adaptive threshold (Brian2).

:func:`lif_equations` turns :class:`~neurosim.params.LIFParams` into Brian2 equation strings
plus a namespace of quantities (pure: builds no Brian2 object); :func:`lif_group` wraps them in a
``brian2.NeuronGroup``. The model (``ge``, ``gi`` are conductances relative to leak)::

    tau_m dv/dt = (v_rest - v) + ge (e_exc - v) + gi (e_inh - v) + r_m i_ext   (unless refractory)
    dge/dt = -ge / tau_ge
    dgi/dt = -gi / tau_gi
    dtheta/dt = -adapt * theta / tau_theta          (adaptive; otherwise theta is constant 0)
    spike when v > v_thresh + theta:  v <- v_reset;  theta <- theta + adapt * theta_plus

``adapt`` is a shared 0/1 flag (1 after construction when ``adaptive``): set ``group.adapt = 0``
to freeze ``theta`` (no growth, no decay) at test time without rebuilding, as Diehl & Cook do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import brian2 as b2

from neurosim._checks import check_choice, check_dt, check_int, check_name, check_nonnegative
from neurosim.params import LIFParams

#: Integration methods accepted by :func:`lif_group`. ``exponential_euler`` is exact for the
#: membrane equation while the conductances are constant over a step (e.g. pure current drive).
METHODS = ("euler", "exponential_euler", "rk2", "rk4", "heun")

#: The method every network of this package integrates its LIF membranes with. Forward Euler
#: (Diehl & Cook's choice) is unstable when a synchronous inhibitory volley sums a large
#: conductance: the membrane's update factor is ``dt / tau_m x (1 + ge + gi)``, which exceeds 2
#: (divergent oscillation) at dt 0.5 ms, tau_m 100 ms and gi > ~400 (24 Diehl & Cook inhibitory
#: spikes of weight 17 in one step); at 784 x 1600 some Poisson draws set that off within a few
#: training images, after which every neuron fires at its refractory limit. Exponential Euler
#: solves the membrane equation exactly for the step's conductances and stays bounded.
DEFAULT_METHOD = "exponential_euler"


@dataclass(frozen=True)
class NeuronModel:
    """Brian2 description of a neuron model: strings plus a namespace of quantities.

    Attributes
    ----------
    model : str
        Brian2 equations (variables ``v`` [volt], ``ge``, ``gi`` [1], ``theta`` [volt],
        ``i_ext`` [amp], and ``adapt`` [1, shared] when adaptive).
    threshold, reset : str
        Brian2 threshold condition and reset statements.
    refractory : brian2.Quantity
        Absolute refractory period.
    namespace : dict
        Constants used by the strings, as Brian2 quantities.
    adaptive : bool
        Whether ``theta`` adapts (and the ``adapt`` flag exists).
    """

    model: str
    threshold: str
    reset: str
    refractory: Any
    namespace: dict = field(default_factory=dict)
    adaptive: bool = False


def lif_equations(p: LIFParams) -> NeuronModel:
    """Build the Brian2 equations of a conductance-based LIF neuron.

    Parameters
    ----------
    p : LIFParams
        Neuron parameters (plain floats, units in field names).

    Returns
    -------
    NeuronModel
        ``model``/``threshold``/``reset`` strings, ``refractory`` quantity and ``namespace``.
    """
    if not isinstance(p, LIFParams):
        raise TypeError(f"p must be a LIFParams, got {type(p).__name__}")
    ms, mV = b2.ms, b2.mV
    namespace = {
        "tau_m": p.tau_m_ms * ms,
        "v_rest": p.v_rest_mV * mV,
        "v_reset": p.v_reset_mV * mV,
        "v_thresh": p.v_thresh_mV * mV,
        "e_exc": p.e_exc_mV * mV,
        "e_inh": p.e_inh_mV * mV,
        "tau_ge": p.tau_ge_ms * ms,
        "tau_gi": p.tau_gi_ms * ms,
        "r_m": p.r_m_Mohm * b2.Mohm,
    }
    model = (
        "dv/dt = ((v_rest - v) + ge*(e_exc - v) + gi*(e_inh - v) + r_m*i_ext) / tau_m"
        " : volt (unless refractory)\n"
        "dge/dt = -ge / tau_ge : 1\n"
        "dgi/dt = -gi / tau_gi : 1\n"
        "i_ext : amp\n"
    )
    reset = "v = v_reset"
    if p.adaptive:
        namespace["tau_theta"] = p.tau_theta_ms * ms
        namespace["theta_plus"] = p.theta_plus_mV * mV
        model += "dtheta/dt = -adapt * theta / tau_theta : volt\nadapt : 1 (shared)\n"
        reset += "\ntheta += adapt * theta_plus"
    else:
        model += "theta : volt (constant)\n"
    return NeuronModel(
        model=model,
        threshold="v > v_thresh + theta",
        reset=reset,
        refractory=p.t_ref_ms * ms,
        namespace=namespace,
        adaptive=p.adaptive,
    )


def lif_group(n: int, p: LIFParams, *, name: str, method: str = DEFAULT_METHOD,
              dt_ms: float | None = None) -> b2.NeuronGroup:
    """Create ``n`` LIF neurons with ``v = v_rest``, ``ge = gi = theta = 0``.

    Parameters
    ----------
    n : int
        Number of neurons, >= 1.
    p : LIFParams
        Neuron parameters.
    name : str
        Brian2 object name (unique within a network).
    method : str
        Integration method, one of :data:`METHODS`; default :data:`DEFAULT_METHOD`
        (``"exponential_euler"``, stable under large conductances; ``"euler"`` is Diehl & Cook's).
    dt_ms : float, optional
        Private time step (ms) for this group; checked against the time constants
        (``dt <= tau / 2`` for each of ``tau_m``, ``tau_ge``, ``tau_gi``). ``None`` uses the
        network's default clock (checked by the caller).

    Returns
    -------
    brian2.NeuronGroup
        With ``adapt = 1`` when ``p.adaptive``.
    """
    n = check_int("n", n, minimum=1)
    check_name("name", name)
    check_choice("method", method, METHODS)
    m = lif_equations(p)
    kwargs: dict[str, Any] = {}
    if dt_ms is not None:
        kwargs["dt"] = check_dt(dt_ms, p.time_constants_ms()) * b2.ms
    group = b2.NeuronGroup(
        n,
        m.model,
        threshold=m.threshold,
        reset=m.reset,
        refractory=m.refractory,
        method=method,
        namespace=dict(m.namespace),
        name=name,
        **kwargs,
    )
    group.v = p.v_rest_mV * b2.mV
    if m.adaptive:
        group.adapt = 1.0
    return group


def lif_rate_hz(i_ext_nA: float, p: LIFParams) -> float:
    """Analytic firing rate (Hz) of the LIF under a constant current, no synaptic input.

    With ``v_inf = v_rest + r_m i`` the neuron fires iff ``v_inf > v_thresh`` (above rheobase)
    at ``1 / (t_ref + tau_m ln((v_inf - v_reset) / (v_inf - v_thresh)))``, which for
    ``v_reset = v_rest`` is the textbook ``1 / (t_ref + tau_m ln(R I / (R I - (V_th - V_reset))))``.
    Ignores threshold adaptation (use ``adaptive=False`` to compare).

    Parameters
    ----------
    i_ext_nA : float
        Constant injected current (nA), >= 0.
    p : LIFParams
        Neuron parameters.

    Returns
    -------
    float
        Rate in Hz (0 at or below rheobase).
    """
    i = check_nonnegative("i_ext_nA", i_ext_nA)
    if not isinstance(p, LIFParams):
        raise TypeError(f"p must be a LIFParams, got {type(p).__name__}")
    v_inf = p.v_rest_mV + p.r_m_Mohm * i  # MOhm * nA = mV
    if v_inf <= p.v_thresh_mV or v_inf <= p.v_reset_mV:
        return 0.0
    t_ms = p.t_ref_ms + p.tau_m_ms * math.log((v_inf - p.v_reset_mV) / (v_inf - p.v_thresh_mV))
    return 1000.0 / t_ms


def rheobase_nA(p: LIFParams) -> float:
    """Smallest constant current (nA) that makes the LIF fire: ``(v_thresh - v_rest) / r_m``."""
    if not isinstance(p, LIFParams):
        raise TypeError(f"p must be a LIFParams, got {type(p).__name__}")
    return (p.v_thresh_mV - p.v_rest_mV) / p.r_m_Mohm
