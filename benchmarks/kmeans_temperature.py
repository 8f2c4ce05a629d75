"""Choose the k-means baseline's ``temperature`` on a validation split, never the test.

For each task seed the *training* split of ``load_task(task, seed=s)`` is cut into a fitting
part (80 %) and a validation part (20 %, stratified, drawn with ``default_rng([s, 99])``: the
split of ``benchmarks/tune_snn.py``); the test split is never used. One
:class:`experiments.models.baselines.KMeansVoteClassifier` per task, seed and size is clustered
on the fitting part (``random_state=s``), then for every temperature it is named from ``k``
labelled fitting images per class (drawn as the label-efficiency protocol draws them, from
``default_rng([s, 7])``; ``k = 0``: every fitting label) and scored on the validation part.
Temperature 0 is the old one-hot read-out (the nearest prototype only).

The rule: the temperature with the highest validation accuracy averaged over tasks, seeds,
sizes and label budgets (every budget weighs the same); the table shows each budget apart so
that a temperature that buys the few-label budgets at the cost of "all labels" is visible.

Usage::

    python benchmarks/kmeans_temperature.py                     # digits and patterns, seeds 0-2
    python benchmarks/kmeans_temperature.py --tasks digits --seeds 0 --out rows.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.models.baselines import KMeansVoteClassifier  # noqa: E402
from experiments.tasks import load_task  # noqa: E402

TEMPERATURES = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0)
SIZES = (25, 100, 200)
BUDGETS = (1, 5, 10, 0)


def validation_split(y: np.ndarray, seed: int, frac: float = 0.2) -> tuple[np.ndarray, ...]:
    """Stratified (fit, val) index arrays of the training labels ``y`` (as tune_snn.py)."""
    rng = np.random.default_rng([seed, 99])
    val = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        val.append(rng.choice(members, size=max(1, round(frac * len(members))), replace=False))
    val = np.sort(np.concatenate(val))
    return np.setdiff1d(np.arange(len(y)), val), val


def few_labels(y: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``y`` with all but ``k`` random labels per class set to -1 (``k == 0``: all kept)."""
    if k == 0:
        return y.copy()
    out = np.full_like(y, -1)
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        pick = rng.choice(members, size=min(k, len(members)), replace=False)
        out[pick] = y[pick]
    return out


def rows(tasks: list[str], seeds: list[int], sizes: tuple[int, ...] = SIZES,
         temperatures: tuple[float, ...] = TEMPERATURES,
         budgets: tuple[int, ...] = BUDGETS) -> list[dict]:
    """One row per task, seed, size, budget and temperature: the validation accuracy."""
    out = []
    for task in tasks:
        for seed in seeds:
            t = load_task(task, seed=seed)
            fit_idx, val_idx = validation_split(t.y_train, seed)
            X, y = t.X_train[fit_idx], t.y_train[fit_idx]
            Xv, yv = t.X_train[val_idx], t.y_train[val_idx]
            for size in sizes:
                base = KMeansVoteClassifier(size, random_state=seed).fit(X, y)
                rng = np.random.default_rng([seed, 7])
                named = {k: few_labels(y, k, rng) for k in budgets}
                for temp in temperatures:
                    base.temperature = temp  # the clusters do not depend on it
                    for k in budgets:
                        acc = float(np.mean(base.relabel(X, named[k]).predict(Xv) == yv))
                        out.append({"task": task, "seed": seed, "size": size,
                                    "labels_per_class": k, "temperature": temp,
                                    "val_acc": acc})
    return out


def table(found: list[dict]) -> tuple[str, float]:
    """A markdown table (mean validation accuracy per temperature and budget) and the pick."""
    temps = sorted({r["temperature"] for r in found})
    budgets = sorted({r["labels_per_class"] for r in found}, key=lambda k: (k == 0, k))
    name = {k: "all labels" if k == 0 else f"{k}/class" for k in budgets}
    lines = ["| temperature | " + " | ".join(name[k] for k in budgets) + " | mean |",
             "|---|" + "---|" * (len(budgets) + 1)]
    means = {}
    for temp in temps:
        cells = []
        per = []
        for k in budgets:
            v = [r["val_acc"] for r in found if r["temperature"] == temp
                 and r["labels_per_class"] == k]
            per.append(float(np.mean(v)))
            cells.append(f"{per[-1]:.3f}")
        means[temp] = float(np.mean(per))
        lines.append(f"| {temp:g} | " + " | ".join(cells) + f" | {means[temp]:.3f} |")
    best = max(temps, key=lambda x: means[x])
    return "\n".join(lines), best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", nargs="+", default=["digits", "patterns"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--sizes", nargs="+", type=int, default=list(SIZES))
    ap.add_argument("--out", type=Path, help="also write every row as CSV")
    args = ap.parse_args(argv)
    found = rows(args.tasks, args.seeds, tuple(args.sizes))
    text, best = table(found)
    print(f"validation accuracy (fitting part -> validation part of the training split), mean "
          f"over tasks {args.tasks}, seeds {args.seeds}, sizes {args.sizes}:\n")
    print(text)
    print(f"\nchosen temperature: {best:g}")
    if args.out:
        with args.out.open("w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(found[0]))
            w.writeheader()
            w.writerows(found)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
