"""The spiking building blocks measured: the STDP window and the LIF f-I curve.

Shows: ``neurosim.validation.stdp_window`` simulates one pre/post spike pair per synapse at
lags ``t_post - t_pre`` with our own Brian2 synapse model and compares the weight change with
``A+ exp(-dt/tau+)`` / ``-A- exp(dt/tau-)`` (Bi & Poo 1998 shape; additive and soft-bound rule);
``neurosim.validation.fi_curve`` drives our conductance LIF neuron with constant currents and
compares its rate with ``1 / (t_ref + tau_m ln(RI / (RI - (V_th - V_reset))))``. The figure draws
measured points on the analytic curves; the check results are printed.

Change: pass your own ``neurosim.params.STDPParams`` / ``LIFParams`` (``params=``) to see another
window or neuron. ``--quick`` runs on Brian2's ``numpy`` target with 13 currents for 1 s at
``dt`` 0.1 ms; the default is the canonical check (``cython``, 26 currents, 2 s, 0.05 ms), as
``brain-vs-ann validate`` runs it.

    python examples/02_building_blocks.py --quick --out examples_output
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from neurosim.neurons import lif_rate_hz
from neurosim.params import STDPParams
from neurosim.validation import expected_stdp_dw, fi_curve, fi_default_params, stdp_window


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples_output", help="folder for the PNG")
    parser.add_argument("--quick", action="store_true", help="numpy target, coarser f-I curve")
    args = parser.parse_args(argv)
    backend = "numpy" if args.quick else "cython"
    fi_kw = dict(currents_nA=np.round(np.arange(0.0, 0.601, 0.05), 3), duration_ms=1000.0,
                 dt_ms=0.1) if args.quick else {}

    windows = {rule: stdp_window(rule, backend=backend) for rule in ("additive", "soft")}
    fi = fi_curve(backend=backend, **fi_kw)
    for result in (*windows.values(), fi):
        print(f"{'PASS' if result.passed else 'FAIL'} {result.detail}")

    fig = Figure(figsize=(10, 4), layout="constrained")
    ax_w, ax_f = fig.subplots(1, 2)
    for (rule, result), color in zip(windows.items(), ("tab:red", "tab:purple"), strict=True):
        d, s = result.data, result.summary
        rule_params = STDPParams(**{k: s[k] for k in ("rule", "pairing", "a_plus", "a_minus",
                                                      "tau_plus_ms", "tau_minus_ms", "w_max")})
        for side in (-1, 1):  # the exponential rule on each side of lag 0
            lags = side * np.linspace(0.05, np.abs(d.lag_ms).max(), 200)
            ax_w.plot(lags, expected_stdp_dw(lags, rule_params, s["w_start"]), color=color,
                      lw=0.8, label=f"{rule}: exponential rule" if side > 0 else None)
        ax_w.plot(d.lag_ms, d.dw, "o", color=color, ms=4, label=f"{rule}: simulated")
    ax_w.axhline(0, color="gray", lw=0.5)
    ax_w.set(xlabel="t_post - t_pre (ms)", ylabel="weight change dw",
             title="STDP window, one pair per synapse")
    ax_w.legend(fontsize=8)
    d, neuron = fi.data, fi_default_params()
    grid = np.linspace(d.current_nA.min(), d.current_nA.max(), 400)
    ax_f.plot(grid, [lif_rate_hz(i, neuron) for i in grid], color="gray", label="analytic")
    ax_f.plot(d.current_nA, d.rate_hz, "o", color="tab:red", ms=4, label="simulated LIF")
    ax_f.axvline(fi.summary["rheobase_nA"], ls="--", color="gray", lw=0.8, label="rheobase")
    ax_f.set(xlabel="input current (nA)", ylabel="firing rate (Hz)", title="LIF f-I curve")
    ax_f.legend(fontsize=8)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "02_building_blocks.png"
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
