"""Lateral inhibition among excitatory LIF neurons (soft winner-take-all).

Two wirings, chosen by ``mode``:

- ``"population"`` (default): an inhibitory LIF population 1:1 with the excitatory one
  (Diehl & Cook 2015). Each excitatory neuron drives its own inhibitory partner through a strong
  one-to-one synapse (``ge += w_exc_inh``, 10.4), and each inhibitory neuron inhibits every
  excitatory neuron except its partner (``gi += w_inh_exc``, 17.0). It is the default because it
  is the published model the classifier reproduces, it respects Dale's law (an excitatory cell
  never inhibits directly), and the extra synaptic delay and inhibitory dynamics are part of
  what the cost metrics should count (SPEC section 2: inhibitory neurons are counted).
- ``"wta"``: direct all-but-self inhibition between excitatory neurons (``gi += w_inh_exc`` on
  every other excitatory neuron). Same competitive effect with no extra neurons and no relay
  delay; cheaper, but not biological (it violates Dale's law). Useful for ablations.
"""

from __future__ import annotations

from typing import Any

import brian2 as b2

from neurosim._checks import check_choice, check_nonnegative
from neurosim.neurons import DEFAULT_METHOD, lif_group
from neurosim.params import DC2015_W_EXC_INH, DC2015_W_INH_EXC, LIFParams, inhibitory_lif_params

INHIBITION_MODES = ("population", "wta")


def lateral_inhibition(exc: b2.NeuronGroup, *, mode: str = "population",
                       w_exc_inh: float = DC2015_W_EXC_INH, w_inh_exc: float = DC2015_W_INH_EXC,
                       name_prefix: str = "", inh_params: LIFParams | None = None,
                       method: str = DEFAULT_METHOD) -> list[Any]:
    """Build lateral inhibition for the excitatory group ``exc``.

    Parameters
    ----------
    exc : brian2.NeuronGroup
        Excitatory neurons with conductance variables ``ge`` and ``gi`` (e.g. from
        :func:`neurosim.neurons.lif_group`).
    mode : {"population", "wta"}
        Wiring, see the module docstring.
    w_exc_inh : float
        Excitatory->inhibitory one-to-one weight (dimensionless conductance), >= 0;
        ``"population"`` only. Default 10.4 (Diehl & Cook).
    w_inh_exc : float
        Inhibitory weight onto the other excitatory neurons, >= 0. Default 17.0 (Diehl & Cook).
    name_prefix : str
        Prefix of the created objects' names; default ``exc.name + "_"``. Objects are named
        ``{prefix}inh`` (group), ``{prefix}exc_inh``, ``{prefix}inh_exc`` (population mode) or
        ``{prefix}wta`` (wta mode).
    inh_params : LIFParams, optional
        Inhibitory neuron parameters; default :func:`~neurosim.params.inhibitory_lif_params`.
    method : str
        Integration method of the inhibitory group; default
        :data:`neurosim.neurons.DEFAULT_METHOD`.

    Returns
    -------
    list
        Brian2 objects to add to the ``Network``: ``[inh_group, exc_to_inh, inh_to_exc]``
        (population) or ``[exc_to_exc]`` (wta).
    """
    if not isinstance(exc, b2.NeuronGroup):
        raise TypeError(f"exc must be a brian2.NeuronGroup, got {type(exc).__name__}")
    for var in ("ge", "gi"):
        if var not in exc.variables:
            raise ValueError(f"exc needs a conductance variable {var!r}; build it with lif_group")
    check_choice("mode", mode, INHIBITION_MODES)
    w_ei = check_nonnegative("w_exc_inh", w_exc_inh)
    w_ie = check_nonnegative("w_inh_exc", w_inh_exc)
    if not isinstance(name_prefix, str):
        raise TypeError(f"name_prefix must be a str, got {type(name_prefix).__name__}")
    prefix = name_prefix or f"{exc.name}_"
    n = len(exc)
    if mode == "wta":
        syn = b2.Synapses(exc, exc, on_pre="gi_post += w_inh", namespace={"w_inh": w_ie},
                          name=f"{prefix}wta")
        syn.connect(condition="i != j")
        return [syn]
    p_inh = inhibitory_lif_params() if inh_params is None else inh_params
    inh = lif_group(n, p_inh, name=f"{prefix}inh", method=method)
    ei = b2.Synapses(exc, inh, on_pre="ge_post += w_ei", namespace={"w_ei": w_ei},
                     name=f"{prefix}exc_inh")
    ei.connect(j="i")
    ie = b2.Synapses(inh, exc, on_pre="gi_post += w_ie", namespace={"w_ie": w_ie},
                     name=f"{prefix}inh_exc")
    ie.connect(condition="i != j")
    return [inh, ei, ie]
