"""The essay's MLP, its two backward-pass errors apart: which one does the damage?

For each gradient variant of :func:`ann.presets.train_essay_network` (``correct``; ``hidden``:
the essay's ``(1 - A2)`` hidden derivative alone; ``output``: the essay's ``A3 - y`` output
delta with the MSE loss alone; ``both``) and each learning rate, trains the essay's 2-4-2
sigmoid network on XOR (``randn`` weights, zero biases, one-hot MSE, full-batch gradient
descent) from the initial weights of seeds ``0..seeds-1`` and prints how many seeds solve XOR
(every sample's largest output is its class) and the median final MSE; then the best learning
rate of each variant (most seeds solved, then the lowest median loss), and how much that
result moves when every initial weight is changed by a relative 1e-12.

Run: ``python benchmarks/essay_errors.py`` (about 30 s on one core; ``--epochs``, ``--seeds``
and ``--rates`` shrink or widen it).
"""

from __future__ import annotations

import argparse
import statistics
import time

from ann.presets import ESSAY_GRADIENTS, XOR_X, essay_init, train_essay_network

RATES = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
#: relative change of every initial weight in :func:`sensitivity`
NUDGE = 1e-12


def sweep(rates=RATES, seeds=10, epochs=2000, gradients=ESSAY_GRADIENTS) -> list[dict]:
    """One row per (gradient, learning rate): ``solved`` seeds, ``median_loss``, ``seeds``."""
    rows = []
    for gradient in gradients:
        for lr in rates:
            runs = [train_essay_network(gradient=gradient, learning_rate=lr, seed=s,
                                        epochs=epochs) for s in range(seeds)]
            rows.append({"gradient": gradient, "learning_rate": lr, "seeds": seeds,
                         "solved": sum(r.solved for r in runs),
                         "median_loss": statistics.median(r.final_loss for r in runs)})
    return rows


def best_rates(rows: list[dict]) -> dict[str, dict]:
    """Per gradient, the row with the most seeds solved (ties: the lowest median loss)."""
    best: dict[str, dict] = {}
    for row in rows:
        key = (-row["solved"], row["median_loss"])
        cur = best.get(row["gradient"])
        if cur is None or key < (-cur["solved"], cur["median_loss"]):
            best[row["gradient"]] = row
    return best


def sensitivity(best: dict[str, dict], seeds=10, epochs=2000, nudge=NUDGE) -> dict[str, dict]:
    """Rerun each variant at its best learning rate from initial weights scaled by
    ``1 + nudge``: how many seeds flip between solved and unsolved, and the largest change of
    the final loss. A gradient field settles the same way; a chaotic update does not."""
    out = {}
    for gradient, row in best.items():
        flips, change = 0, 0.0
        for seed in range(seeds):
            kw = {"gradient": gradient, "learning_rate": row["learning_rate"], "epochs": epochs}
            init = {k: v * (1 + nudge) for k, v in essay_init(XOR_X.shape[1], 4, 2, seed).items()}
            a = train_essay_network(seed=seed, **kw)
            b = train_essay_network(init=init, **kw)
            flips += a.solved != b.solved
            change = max(change, abs(a.final_loss - b.final_loss))
        out[gradient] = {"flips": flips, "max_loss_change": change}
    return out


def table(rows: list[dict]) -> str:
    """A Markdown table: one row per learning rate, ``solved/seeds (median loss)`` per variant."""
    gradients = list(dict.fromkeys(r["gradient"] for r in rows))
    rates = list(dict.fromkeys(r["learning_rate"] for r in rows))
    cell = {(r["gradient"], r["learning_rate"]): r for r in rows}
    lines = ["| learning rate | " + " | ".join(gradients) + " |",
             "|---" * (len(gradients) + 1) + "|"]
    for lr in rates:
        cells = [f"{cell[g, lr]['solved']}/{cell[g, lr]['seeds']} "
                 f"({cell[g, lr]['median_loss']:.1e})" for g in gradients]
        lines.append(f"| {lr:g} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--rates", type=float, nargs="+", default=list(RATES))
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    rows = sweep(tuple(args.rates), args.seeds, args.epochs)
    print(f"XOR, 2-4-2 sigmoid, MSE, full batch, {args.epochs} epochs, seeds 0-{args.seeds - 1}:"
          " seeds solved (median final MSE)\n")
    print(table(rows))
    best = best_rates(rows)
    print("\nbest learning rate per variant:")
    for gradient, row in best.items():
        print(f"  {gradient:8s} lr {row['learning_rate']:g}: {row['solved']}/{row['seeds']} "
              f"solved, median loss {row['median_loss']:.1e}")
    print(f"\nat that rate, initial weights x (1 + {NUDGE:g}):")
    for gradient, res in sensitivity(best, args.seeds, args.epochs).items():
        print(f"  {gradient:8s} {res['flips']}/{args.seeds} seeds flip solved/unsolved, final "
              f"loss changes by up to {res['max_loss_change']:.1e}")
    print(f"\n({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
