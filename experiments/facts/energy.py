"""Energy per inference, estimated two ways from the operation counts (never measured here).

Operations: every effective multiply-accumulate (ANN) costs one 45 nm FP32 MAC, every effective
accumulate (a synaptic event of the spiking network) one FP32 add (Horowitz 2014; NeuroBench's
effective MACs and ACs, Yik et al. 2025). Memory, under a stated assumption: every effective
operation reads its weight, and every membrane update reads and writes its neuron's state, with
one 64-bit access each, either from a small on-chip SRAM (the best case: everything fits next
to the arithmetic) or from DRAM (the worst case: nothing does). A spiking network's membrane
updates run at every time step whether or not a spike arrives, so the memory side can dominate
its estimate. Measured energy (RAPL) belongs to the timing phase, not here.
"""

from __future__ import annotations

from typing import Any

from experiments.facts.constants import ENERGY_PJ

__all__ = ["ENERGY_COLUMNS", "energy_pj"]

#: Columns :func:`energy_pj` adds to a ``runs.csv`` row.
ENERGY_COLUMNS = ("energy_pj_ops", "energy_pj_sram", "energy_pj_dram")


def energy_pj(cost: dict[str, Any]) -> dict[str, float | None]:
    """Estimated energy of one inference (pJ) from a ``cost(X)`` record.

    Parameters
    ----------
    cost : dict
        A :func:`contract.cost_record` measured on data (its ``effective_macs``,
        ``effective_acs`` and ``membrane_updates``; ``None`` ones count as unknown).

    Returns
    -------
    dict
        ``energy_pj_ops``: arithmetic only; ``energy_pj_sram`` / ``energy_pj_dram``: arithmetic
        plus one 64-bit access per effective operation and two per membrane update (read and
        write), from SRAM or DRAM. ``None`` when the operation counts are unknown.
    """
    if not isinstance(cost, dict):
        raise TypeError(f"cost must be a dict from cost(X), got {type(cost).__name__}")
    macs, acs = cost.get("effective_macs"), cost.get("effective_acs")
    if macs is None and acs is None:
        return dict.fromkeys(ENERGY_COLUMNS)
    macs, acs = float(macs or 0.0), float(acs or 0.0)
    updates = float(cost.get("membrane_updates") or 0.0)
    ops = macs * ENERGY_PJ["mac"] + acs * ENERGY_PJ["ac"]
    accesses = macs + acs + 2.0 * updates
    return {"energy_pj_ops": ops, "energy_pj_sram": ops + accesses * ENERGY_PJ["sram_64b"],
            "energy_pj_dram": ops + accesses * ENERGY_PJ["dram_64b"]}
