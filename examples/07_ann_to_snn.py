"""A backprop-trained MLP run as spiking neurons (ANN-to-SNN conversion): accuracy vs time.

Shows: the learning rule and the substrate apart. ``neurosim.convert`` takes the weights of a
trained ReLU ``ann.MLPClassifier`` and runs them as rate-coded integrate-and-fire neurons with
reset by subtraction and data-based weight normalisation (Diehl et al. 2015; Rueckauer et al.
2017). Same weights (learned by backprop), computed in time by spikes: the answer approaches the
ANN's as the presentation grows. Left: test accuracy against presentation time. Right: the ANN's
multiply-accumulates against the converted network's work per inference (the first layer's
input current computed once, then synaptic events and membrane updates), from ``cost(X)``.

Change: ``--hidden``, ``--percentile`` (the normalisation, ``neurosim.conversion``'s default was
chosen on validation data), ``--max-ms``. ``--quick`` trains the MLP for 20 epochs.

    python examples/07_ann_to_snn.py --quick --out examples_output
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ann import MLPClassifier
from experiments.tasks import load_task
from neurosim import convert
from neurosim.conversion import DEFAULT_PERCENTILE


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples_output", help="folder for the PNG")
    parser.add_argument("--quick", action="store_true", help="20 training epochs")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--percentile", type=float, default=DEFAULT_PERCENTILE)
    parser.add_argument("--max-ms", type=float, default=30.0, help="longest presentation")
    args = parser.parse_args(argv)
    task = load_task("digits", seed=0)
    X, y, Xt, yt = task.X_train, task.y_train, task.X_test, task.y_test
    mlp = MLPClassifier((args.hidden,), epochs=20 if args.quick else 50, random_state=0)
    mlp.fit(X, y)
    times = np.arange(1.0, args.max_ms + 1.0)  # dt 1 ms: one step per point
    snn = convert(mlp.coefs_, mlp.intercepts_, X, percentile=args.percentile,
                  classes=mlp.classes_)  # cost(X) and predict use its default duration_ms
    acc = (snn.predict_at(Xt, times) == yt).mean(axis=1)
    ann_acc = mlp.score(Xt, yt)
    print(f"{snn!r}\nANN test accuracy {ann_acc:.3f}")
    for t, a in zip(times, acc, strict=True):
        if t in (1, 2, 3, 5, 10, 20) or t == times[-1]:
            print(f"  spiking, first {t:3.0f} ms: {a:.3f}")
    costs = {"ANN": mlp.cost(Xt[:100]), "converted": snn.cost(Xt[:100])}
    keys = ("effective_macs", "effective_acs", "membrane_updates", "timesteps")
    for name, c in costs.items():
        print(f"{name:10s} " + "  ".join(f"{k} {c[k]:.4g}" for k in keys))

    fig = Figure(figsize=(10, 4), layout="constrained")
    ax_t, ax_c = fig.subplots(1, 2)
    ax_t.plot(times, acc, "o-", color="tab:orange", ms=3, label="converted (IF neurons)")
    ax_t.axhline(ann_acc, color="tab:blue", ls="--", label="the ANN itself")
    ax_t.set(xlabel="presentation time (ms, 1 ms steps)", ylabel="test accuracy",
             ylim=(0, 1), title=f"digits, 64-{args.hidden}-10 ReLU MLP")
    ax_t.legend()
    bars = {"ANN\nMACs": costs["ANN"]["effective_macs"],
            "converted\nMACs (input\ncurrent, once)": costs["converted"]["effective_macs"],
            "converted\nsynaptic\nevents": costs["converted"]["effective_acs"],
            "converted\nmembrane\nupdates": costs["converted"]["membrane_updates"]}
    ax_c.bar(list(bars), list(bars.values()), color=["tab:blue"] + ["tab:orange"] * 3)
    ax_c.set(ylabel="operations per inference",
             title=f"work per inference ({snn.duration_ms:g} ms presentation)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "07_ann_to_snn.png"
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
