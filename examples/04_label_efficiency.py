"""STDP against backprop on ``digits`` when only a few labels per class are available.

Shows: the learning-rule difference. ``neurosim.STDPClassifier`` learns its weights from every
training image *without* labels, then ``relabel`` names its neurons from ``k`` labelled images
per class (nothing is relearned); ``ann.MLPClassifier`` (backprop) can learn only from the ``k``
labelled images (trained for as many sample presentations as on the full set, at most 2000
epochs, as the runner does). The figure draws test accuracy against labels per class.

Change: ``--labels`` (per class; 0 = all), ``--neurons``, ``--hidden``, ``--seeds``. ``--quick``
uses one seed, 1, 5, 10 and all labels and 150 + 50 ms presentations, shorter than the
defaults (the compiled network is shared with examples 05 and 06); without it three seeds, 1 to
20 labels and the classifier's default timing (one more compile, 15-60 s).

    python examples/04_label_efficiency.py --quick --out examples_output
"""

import argparse
import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ann import MLPClassifier
from experiments.tasks import load_task
from neurosim import STDPClassifier

# shorter showings need a stronger drive to be answered in one (docs/neurosim.md)
QUICK_TIMING = {"presentation_ms": 150.0, "rest_ms": 50.0, "input_rate_hz": 15000.0}


def few_labels(y, k, rng):
    """The labelled mask: ``k`` random rows per class (k = 0: every row)."""
    keep = np.arange(len(y)) if k == 0 else np.concatenate(
        [rng.choice(np.flatnonzero(y == c), k, replace=False) for c in np.unique(y)])
    mask = np.zeros(len(y), dtype=bool)
    mask[keep] = True
    return mask


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples_output", help="folder for the PNG")
    parser.add_argument("--quick", action="store_true", help="one seed, 150 + 50 ms")
    parser.add_argument("--labels", type=int, nargs="+", default=None)
    parser.add_argument("--neurons", type=int, default=100)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--seeds", type=int, default=None)
    args = parser.parse_args(argv)
    seeds = range(args.seeds or (1 if args.quick else 3))
    labels = args.labels or ([1, 5, 10, 0] if args.quick else [1, 2, 5, 10, 20, 0])

    epochs = MLPClassifier().epochs  # the MLP's default for the full set
    acc = {name: np.zeros((len(seeds), len(labels))) for name in ("STDP", "MLP")}
    for s in seeds:
        task = load_task("digits", seed=s)
        X, y, Xt, yt = task.X_train, task.y_train, task.X_test, task.y_test
        snn = STDPClassifier(args.neurons, random_state=s,
                             **(QUICK_TIMING if args.quick else {})).fit(X, y)
        rng = np.random.default_rng([s, 7])
        for i, k in enumerate(labels):
            few = few_labels(y, k, rng)
            n = int(few.sum())
            mlp = MLPClassifier((args.hidden,), random_state=s, batch_size=min(32, n),
                                epochs=min(2000, math.ceil(epochs * len(y) / n)))
            acc["MLP"][s, i] = mlp.fit(X[few], y[few]).score(Xt, yt)  # backprop: labelled only
            # every budget, "all" included, names the neurons the same way (a frozen pass);
            # STDP learned from every image without its label
            acc["STDP"][s, i] = snn.relabel(X, y, labelled=few).score(Xt, yt)

    n_all = len(y) // task.n_classes
    xs = [k or n_all for k in labels]
    print(f"digits, test accuracy, mean over {len(seeds)} seed(s); 0 = all labels")
    print("labels/class " + " ".join(f"{name:>8s}" for name in acc))
    for i, k in enumerate(labels):
        print(f"{k:12d} " + " ".join(f"{a[:, i].mean():8.3f}" for a in acc.values()))
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    for (name, a), color in zip(acc.items(), ("tab:red", "tab:blue"), strict=True):
        label = f"{name} ({'labels name neurons' if name == 'STDP' else 'backprop'})"
        ax.plot(xs, a.mean(axis=0), "o-", color=color, label=label)
    ax.axhline(1 / task.n_classes, color="gray", lw=0.8, ls=":", label="chance")
    ax.set(xscale="log", xticks=xs, xticklabels=[str(k or "all") for k in labels],
           xlabel="labelled training images per class", ylabel="test accuracy", ylim=(0, 1),
           title=f"digits: {args.neurons} STDP neurons vs a {args.hidden}-unit MLP")
    ax.minorticks_off()
    ax.legend()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "04_label_efficiency.png"
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
