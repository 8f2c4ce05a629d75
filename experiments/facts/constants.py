"""Reference constants from the literature, each with its source, as data (SPEC section 3).

Every number the report quotes about real nervous systems or hardware comes from this table, so a
reader can check one place. Values are plain floats with the unit in the field name.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Reference", "REFERENCES", "BRAINS", "reference", "ENERGY_PJ", "DC2015_ACCURACY"]


@dataclass(frozen=True)
class Reference:
    """One sourced constant.

    Attributes
    ----------
    key : str
        Short identifier used in code, e.g. ``"human_neurons"``.
    value : float
        The number, in ``unit``.
    unit : str
        Unit of ``value`` (``"neurons"``, ``"synapses"``, ``"W"``, ``"Hz"``, ``"pJ"``).
    what : str
        What the number is, in words.
    source : str
        Citation (authors, year, venue).
    """

    key: str
    value: float
    unit: str
    what: str
    source: str


REFERENCES: dict[str, Reference] = {
    r.key: r
    for r in [
        Reference(
            "human_neurons", 86.1e9, "neurons", "neurons in the human brain (86.1 +/- 8.1 bn)",
            "Azevedo et al. 2009, J Comp Neurol 513:532",
        ),
        Reference(
            "cortex_neurons", 16.34e9, "neurons",
            "neurons in the human cerebral cortex (16.34 +/- 2.17 bn of the brain's 86.1 bn)",
            "Azevedo et al. 2009, J Comp Neurol 513:532",
        ),
        Reference(
            "cerebellum_neurons", 69.03e9, "neurons",
            "neurons in the human cerebellum (69.03 +/- 6.65 bn)",
            "Azevedo et al. 2009, J Comp Neurol 513:532",
        ),
        Reference(
            "human_synapses", 1.5e14, "synapses", "synapses in the human neocortex (~0.15e15)",
            "Pakkenberg et al. 2003, Exp Gerontol 38:95",
        ),
        Reference(
            "synapses_per_neuron", 7000.0, "synapses", "synapses per neocortical neuron",
            "Drachman 2005, Neurology 64:2004",
        ),
        Reference(
            "brain_power_w", 20.0, "W", "power drawn by the whole human brain (commonly quoted)",
            "commonly quoted; Levy & Calvert 2021, PNAS 118:e2008173118 (~0.1 W of it for "
            "cortical computation proper)",
        ),
        Reference(
            "cortical_computation_power_w", 0.1, "W", "power spent on cortical computation proper",
            "Levy & Calvert 2021, PNAS 118:e2008173118",
        ),
        Reference(
            "cortical_rate_hz", 0.16, "Hz", "average firing rate of cortical neurons",
            "Lennie 2003, Curr Biol 13:493",
        ),
        Reference(
            "active_fraction", 0.01, "fraction", "neurons strongly active at once (under 1%)",
            "Lennie 2003, Curr Biol 13:493",
        ),
        Reference(
            "rapid_categorisation_ms", 150.0, "ms",
            "time for the human visual system to categorise an image (go/no-go, EEG)",
            "Thorpe, Fize & Marlot 1996, Nature 381:520",
        ),
        Reference(
            "celegans_neurons", 302.0, "neurons", "C. elegans hermaphrodite neurons",
            "White et al. 1986, Phil Trans R Soc B 314:1",
        ),
        Reference(
            "celegans_synapses", 7000.0, "synapses", "C. elegans chemical synapses (~7,000)",
            "White et al. 1986, Phil Trans R Soc B 314:1",
        ),
        Reference(
            "drosophila_neurons", 139255.0, "neurons", "Drosophila whole-brain neurons (FlyWire)",
            "Dorkenwald et al. 2024, Nature 634:124",
        ),
        Reference(
            "drosophila_synapses", 5e7, "synapses", "Drosophila whole-brain synapses (~5e7)",
            "Dorkenwald et al. 2024, Nature 634:124",
        ),
        Reference(
            "mouse_neurons", 7e7, "neurons", "mouse brain neurons (~7e7)",
            "Herculano-Houzel et al. 2006, PNAS 103:12138",
        ),
        Reference(
            "fp32_add_pj", 0.9, "pJ", "energy of one 32-bit float add, 45 nm",
            "Horowitz 2014, ISSCC",
        ),
        Reference(
            "fp32_mult_pj", 3.7, "pJ", "energy of one 32-bit float multiply, 45 nm",
            "Horowitz 2014, ISSCC",
        ),
        Reference(
            "fp32_mac_pj", 4.6, "pJ", "energy of one 32-bit float multiply-accumulate, 45 nm",
            "Horowitz 2014, ISSCC (3.7 pJ multiply + 0.9 pJ add)",
        ),
        Reference(
            "int32_add_pj", 0.1, "pJ", "energy of one 32-bit integer add, 45 nm",
            "Horowitz 2014, ISSCC",
        ),
        Reference(
            "sram_read_64b_pj", 10.0, "pJ", "energy of a 64-bit read from an 8 KB SRAM, 45 nm",
            "Horowitz 2014, ISSCC",
        ),
        Reference(
            "dram_read_64b_pj", 2000.0, "pJ",
            "energy of a 64-bit DRAM read (1.3-2.6 nJ; 2 nJ used), 45 nm",
            "Horowitz 2014, ISSCC",
        ),
        Reference(
            "cpu_core_w", 4.4, "W",
            "power of one server CPU core at full load (an AMD EPYC 7763: 280 W TDP / 64 "
            "cores); an assumption for 'TDP x time' where RAPL is not readable",
            "AMD EPYC 7763 product specifications",
        ),
        Reference(
            "k_computer_neurons", 1.73e9, "neurons",
            "neurons in the largest CPU simulation record often quoted (NEST, K computer)",
            "RIKEN / Forschungszentrum Juelich press release, Aug 2013; Kunkel et al. 2014, "
            "Front Neuroinform 8:78",
        ),
        Reference(
            "k_computer_synapses", 10.4e12, "synapses", "synapses in that simulation",
            "RIKEN / Forschungszentrum Juelich press release, Aug 2013",
        ),
        Reference(
            "k_computer_wall_s", 2400.0, "s",
            "wall time for 1 s of network activity in that simulation (40 minutes)",
            "RIKEN / Forschungszentrum Juelich press release, Aug 2013",
        ),
        Reference(
            "k_computer_cores", 82944.0, "processors",
            "processors (of the K computer) used by that simulation",
            "RIKEN / Forschungszentrum Juelich press release, Aug 2013",
        ),
        Reference(
            "dc2015_accuracy_100", 0.829, "fraction",
            "Diehl & Cook 2015, MNIST test accuracy with 100 excitatory neurons",
            "Diehl & Cook 2015, Front Comput Neurosci 9:99",
        ),
        Reference(
            "dc2015_accuracy_400", 0.870, "fraction",
            "Diehl & Cook 2015, MNIST test accuracy with 400 excitatory neurons",
            "Diehl & Cook 2015, Front Comput Neurosci 9:99",
        ),
        Reference(
            "dc2015_accuracy_1600", 0.919, "fraction",
            "Diehl & Cook 2015, MNIST test accuracy with 1600 excitatory neurons",
            "Diehl & Cook 2015, Front Comput Neurosci 9:99",
        ),
        Reference(
            "dc2015_accuracy_6400", 0.950, "fraction",
            "Diehl & Cook 2015, MNIST test accuracy with 6400 excitatory neurons",
            "Diehl & Cook 2015, Front Comput Neurosci 9:99",
        ),
    ]
}

#: Energy per operation and per memory access (45 nm estimates; :mod:`experiments.facts.energy`):
#: an effective MAC costs one FP32 multiply-accumulate, an effective AC (a synaptic event) one
#: FP32 add; a memory access one 64-bit read from a small SRAM or from DRAM.
ENERGY_PJ = {
    "mac": REFERENCES["fp32_mac_pj"].value,
    "ac": REFERENCES["fp32_add_pj"].value,
    "sram_64b": REFERENCES["sram_read_64b_pj"].value,
    "dram_64b": REFERENCES["dram_read_64b_pj"].value,
}

#: Diehl & Cook (2015) MNIST accuracy by excitatory neurons.
DC2015_ACCURACY = {n: REFERENCES[f"dc2015_accuracy_{n}"].value for n in (100, 400, 1600, 6400)}

#: Nervous systems to place our networks against: ``(label, neurons, synapses or None)``.
BRAINS: tuple[tuple[str, float, float | None], ...] = (
    ("C. elegans", REFERENCES["celegans_neurons"].value, REFERENCES["celegans_synapses"].value),
    ("Drosophila", REFERENCES["drosophila_neurons"].value, REFERENCES["drosophila_synapses"].value),
    ("mouse", REFERENCES["mouse_neurons"].value, None),
    ("human", REFERENCES["human_neurons"].value, REFERENCES["human_synapses"].value),
)


def reference(key: str) -> Reference:
    """Return the :class:`Reference` named ``key``; ValueError lists the valid keys."""
    if not isinstance(key, str) or key not in REFERENCES:
        raise ValueError(f"unknown reference {key!r}; choose one of: {', '.join(REFERENCES)}")
    return REFERENCES[key]
