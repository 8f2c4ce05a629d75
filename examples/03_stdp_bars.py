"""One spiking network learns Foldiak's bars by STDP, without labels; its receptive fields.

Shows: ``neurosim.STDPClassifier`` (Diehl & Cook 2015: Poisson inputs, excitatory LIF neurons
with adaptive thresholds, lateral inhibition, STDP) trained on ``bars`` (one horizontal or
vertical bar on an 8 x 8 grid, 16 classes). STDP never reads the labels; they only name each
neuron afterwards. The figure draws every neuron's input weights (``input_weights_``) as an
8 x 8 image, titled with the bar it was named after: most neurons become one bar.

Change: ``--neurons``, ``--noise`` (fraction of flipped pixels), ``--seed``. ``--quick``
presents each image for 150 ms + 50 ms rest, shorter than the defaults (the compiled network
is shared with example 05); without it the classifier's default timing is used, which compiles
another network once (15-60 s).

    python examples/03_stdp_bars.py --quick --out examples_output
"""

import argparse
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from experiments.tasks import load_task
from neurosim import STDPClassifier

# shorter showings need a stronger drive to be answered in one (docs/neurosim.md)
QUICK_TIMING = {"presentation_ms": 150.0, "rest_ms": 50.0, "input_rate_hz": 15000.0}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples_output", help="folder for the PNG")
    parser.add_argument("--quick", action="store_true", help="150 + 50 ms presentations")
    parser.add_argument("--neurons", type=int, default=25, help="excitatory neurons")
    parser.add_argument("--noise", type=float, default=0.0, help="pixel flip probability")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    task = load_task("bars", n=8, noise=args.noise, seed=args.seed)
    model = STDPClassifier(args.neurons, random_state=args.seed,
                           **(QUICK_TIMING if args.quick else {}))
    t0 = time.perf_counter()
    model.fit(task.X_train, task.y_train)
    fit_s = time.perf_counter() - t0
    pred = model.predict(task.X_test)
    named = model.assignments_[model.assignments_ >= 0]
    print(task.summary())
    print(f"{model!r}: test accuracy {np.mean(pred == task.y_test):.3f} (chance "
          f"{1 / task.n_classes:.3f}), answered {np.mean(pred >= 0):.3f}")
    print(f"{len(named)} of {args.neurons} neurons named, covering {len(np.unique(named))} of "
          f"{task.n_classes} bars; fit {fit_s:.1f} s (compile {model.compile_s_:.1f} s)")

    n = task.image_shape[0]
    cols = int(np.ceil(np.sqrt(args.neurons)))
    rows = int(np.ceil(args.neurons / cols))
    fig = Figure(figsize=(1.2 * cols, 1.3 * rows + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    top = model.input_weights_.max()  # one colour scale: unlearned neurons stay dim
    for j, ax in enumerate(axes):
        ax.set_axis_off()
        if j >= args.neurons:
            continue
        ax.imshow(model.input_weights_[:, j].reshape(task.image_shape), cmap="hot",
                  vmin=0.0, vmax=top)
        c = model.assignments_[j]
        ax.set_title("unnamed" if c < 0 else f"row {c}" if c < n else f"col {c - n}",
                     fontsize=8)
    fig.suptitle(f"input weights of {args.neurons} STDP neurons after {model.epochs} epochs on "
                 f"bars (test accuracy {np.mean(pred == task.y_test):.2f})", fontsize=10)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "03_stdp_bars.png"
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
