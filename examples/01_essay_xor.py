"""The essay's NumPy MLP on XOR: as printed (broken) and corrected.

Shows: the essay's 2-4-2 network (sigmoid hidden and output layers, mean-squared-error loss,
``randn`` weights, zero biases, full-batch gradient descent), trained by
``ann.presets.train_essay_network`` with four backward passes: ``correct``; ``hidden``, the
essay's hidden delta ``(dZ3 W2^T) * (1 - A2)`` alone; ``output``, its output delta ``A3 - y``
alone; ``both``, the listing as printed. The figure draws each variant's loss curves (one line
per seed) and how many seeds solve XOR (every input's largest output is its class).

Change: ``--lr`` (docs/ann.md sweeps 0.1-20: the wrong hidden derivative never solves XOR
reliably, the dropped output derivative alone is harmless), ``--seeds``, ``--epochs``.
``--quick`` uses 5 seeds instead of 10.

    python examples/01_essay_xor.py --out examples_output
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ann.presets import ESSAY_GRADIENTS, train_essay_network

COLORS = {"correct": "tab:blue", "hidden": "tab:red", "output": "tab:green", "both": "black"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples_output", help="folder for the PNG")
    parser.add_argument("--quick", action="store_true", help="5 seeds instead of 10")
    parser.add_argument("--lr", type=float, default=10.0, help="learning rate (default 10)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds 0..N-1")
    parser.add_argument("--epochs", type=int, default=2000)
    args = parser.parse_args(argv)
    n_seeds = args.seeds or (5 if args.quick else 10)

    runs = {g: [train_essay_network(gradient=g, learning_rate=args.lr, seed=s,
                                    epochs=args.epochs) for s in range(n_seeds)]
            for g in ESSAY_GRADIENTS}
    print(f"XOR, 2-4-2 sigmoid, MSE, full batch, lr {args.lr:g}, {args.epochs} epochs, "
          f"seeds 0-{n_seeds - 1}")
    print(f"{'gradient':8s} {'solved':>7s} {'median final MSE':>17s}")
    for g, rs in runs.items():
        print(f"{g:8s} {sum(r.solved for r in rs):3d}/{n_seeds:<3d} "
              f"{np.median([r.final_loss for r in rs]):17.2e}")

    fig = Figure(figsize=(10, 4), layout="constrained")
    ax_loss, ax_bar = fig.subplots(1, 2, width_ratios=(2, 1))
    for g, rs in runs.items():
        for i, r in enumerate(rs):
            ax_loss.plot(r.losses, color=COLORS[g], alpha=0.6, lw=1,
                         label=g if i == 0 else None)
    ax_loss.set(yscale="log", xlabel="epoch", ylabel="MSE loss",
                title=f"loss per seed (lr {args.lr:g})")
    ax_loss.legend(title="backward pass")
    solved = [sum(r.solved for r in runs[g]) for g in ESSAY_GRADIENTS]
    ax_bar.bar(ESSAY_GRADIENTS, solved, color=[COLORS[g] for g in ESSAY_GRADIENTS])
    ax_bar.set(ylim=(0, n_seeds), ylabel=f"seeds solving XOR (of {n_seeds})",
               title="'both' = the essay as printed")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "01_essay_xor.png"
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
