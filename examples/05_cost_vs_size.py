"""Operations and estimated energy per inference against network size, both families.

Shows: scale and processing as counts. Each model's ``cost(X)`` (the one schema
``contract.COST_METRICS``, NeuroBench's definitions) gives per test image the ANN's effective
multiply-accumulates, and the spiking network's synaptic events (effective accumulates) and
membrane updates (every neuron, every time step). ``experiments.facts.energy.energy_pj`` turns them
into an *estimate* with the 45 nm constants of ``experiments.facts.constants.ENERGY_PJ`` (Horowitz
2014): arithmetic only, or plus one 64-bit SRAM (or DRAM) access per operation and two per
membrane update. Nothing here is measured energy; ``accuracy`` only shows the models work.

Change: ``--ann-sizes`` (hidden units), ``--snn-sizes`` (excitatory neurons; each size compiles
once, 15-60 s). ``--quick``: MLPs trained 20 epochs, spiking networks of 25 and 100 neurons with
150 + 50 ms presentations (the builds of examples 03, 04, 06), all trained on 700 images;
without it the full training set, 25 to 400 neurons and the classifier's default timing.

    python examples/05_cost_vs_size.py --quick --out examples_output
"""

import argparse
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ann import MLPClassifier
from experiments.facts.constants import ENERGY_PJ
from experiments.facts.energy import energy_pj
from experiments.tasks import load_task
from neurosim import STDPClassifier

# shorter showings need a stronger drive to be answered in one (docs/neurosim.md)
QUICK_TIMING = {"presentation_ms": 150.0, "rest_ms": 50.0, "input_rate_hz": 15000.0}
COLUMNS = ["family", "size", "neurons", "synapses", "timesteps", "effective_macs",
           "effective_acs", "membrane_updates", "energy_pj_ops", "energy_pj_sram",
           "energy_pj_dram", "accuracy"]
COLORS = {"ann": "tab:blue", "snn": "tab:red"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples_output", help="folder for the PNG")
    parser.add_argument("--quick", action="store_true", help="short training, 2 SNN sizes")
    parser.add_argument("--ann-sizes", type=int, nargs="+", default=[8, 32, 128, 512])
    parser.add_argument("--snn-sizes", type=int, nargs="+", default=None)
    parser.add_argument("--cost-samples", type=int, default=100, help="test images measured")
    args = parser.parse_args(argv)
    task = load_task("digits", seed=0)
    n_train = 700 if args.quick else len(task.X_train)
    X, y, Xc = task.X_train[:n_train], task.y_train[:n_train], task.X_test[:args.cost_samples]
    timing = QUICK_TIMING if args.quick else {}
    models = [("ann", h, MLPClassifier((h,), epochs=20 if args.quick else 50, random_state=0))
              for h in args.ann_sizes]
    models += [("snn", n, STDPClassifier(n, random_state=0, **timing))
               for n in args.snn_sizes or ([25, 100] if args.quick else [25, 100, 400])]
    rows = []
    for family, size, model in models:
        cost = model.fit(X, y).cost(Xc)  # per-inference means over the rows of Xc
        rows.append({"family": family, "size": size, **cost, **energy_pj(cost),
                     "accuracy": model.score(task.X_test, task.y_test)})
    table = pd.DataFrame(rows)[COLUMNS]
    print(f"digits, per inference (mean over {len(Xc)} test images); energy estimated with "
          f"{ENERGY_PJ} pJ\n{table.to_string(index=False, float_format='{:.4g}'.format)}")

    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax_ops, ax_e = fig.subplots(1, 2)
    ann, snn = table[table.family == "ann"], table[table.family == "snn"]
    ax_ops.plot(ann.synapses, ann.effective_macs, "o-", color=COLORS["ann"],
                label="ANN: effective MACs")
    ax_ops.plot(snn.synapses, snn.effective_acs, "o-", color=COLORS["snn"],
                label="SNN: synaptic events (ACs)")
    ax_ops.plot(snn.synapses, snn.membrane_updates, "s--", color=COLORS["snn"],
                label="SNN: membrane updates")
    for family, part in (("ANN", ann), ("SNN", snn)):
        for key, what, style in (("energy_pj_ops", "arithmetic", "o-"),
                                 ("energy_pj_sram", "+ SRAM accesses", "s--")):
            ax_e.plot(part.synapses, part[key] * 1e-3, style, color=COLORS[family.lower()],
                      label=f"{family}: {what}")
    ax_ops.set(xscale="log", yscale="log", xlabel="synapses (weights)",
               ylabel="operations per inference", title="work per inference (cost(X))")
    ax_e.set(xscale="log", yscale="log", xlabel="synapses (weights)",
             ylabel="estimated energy per inference (nJ)",
             title=f"45 nm estimate: MAC {ENERGY_PJ['mac']} pJ, AC {ENERGY_PJ['ac']} pJ, "
                   f"SRAM {ENERGY_PJ['sram_64b']} pJ")
    ax_ops.legend(fontsize=8)
    ax_e.legend(fontsize=8)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "05_cost_vs_size.png", dpi=100)
    print(f"wrote {out / '05_cost_vs_size.png'}")


if __name__ == "__main__":
    main()
