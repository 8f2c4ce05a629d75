"""Choose the defaults of :class:`ann.spiking_mlp.SpikingMLPClassifier` on a validation split.

For each seed ``s``: ``experiments.tasks.load_task("digits", seed=s)``, then an 80/20 stratified
split of ``task.X_train`` (``random_state=s``); models are fitted on the 80 % and scored on the
20 %. ``task.X_test`` is never read in the search. Two stages:

1. read-out x surrogate (and its scale) x ``n_steps`` in {10, 25}, at 128 hidden neurons,
   ``learning_rate=2e-3``, 30 epochs, rate coding;
2. around the best read-out/surrogate of stage 1: hidden size, learning rate/epochs,
   ``n_steps``, input coding.

Every row is the validation accuracy mean +- the 95 % t-interval half-width over the seeds.

``--test`` (run only after the defaults are chosen and set): fit the estimator's *defaults* on
the whole training split of seeds 0-4 and report the test accuracy.

    nice python benchmarks/tune_surrogate.py [--seeds 5] [--stage 1|2|all]
    python benchmarks/tune_surrogate.py --test
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from scipy import stats
from sklearn.model_selection import train_test_split

from ann.spiking_mlp import SpikingMLPClassifier
from experiments.tasks import load_task

SURROGATES = [("fast_sigmoid", 2.0), ("fast_sigmoid", 5.0), ("fast_sigmoid", 10.0),
              ("arctan", 1.0), ("arctan", 3.0)]
READOUTS = ["membrane_max", "membrane_mean", "spike_count"]


def interval(values) -> tuple[float, float]:
    """Mean and the half-width of its 95 % t-interval."""
    v = np.asarray(values, dtype=np.float64)
    if v.size < 2:
        return float(v.mean()), float("nan")
    half = stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)
    return float(v.mean()), float(half)


def splits(seeds):
    out = []
    for s in seeds:
        task = load_task("digits", seed=s)
        Xa, Xv, ya, yv = train_test_split(task.X_train, task.y_train, test_size=0.2,
                                          stratify=task.y_train, random_state=s)
        out.append((s, Xa, ya, Xv, yv))
    return out


def evaluate(params, data):
    accs, times = [], []
    for s, Xa, ya, Xv, yv in data:
        t0 = time.perf_counter()
        m = SpikingMLPClassifier(random_state=s, **params).fit(Xa, ya)
        times.append(time.perf_counter() - t0)
        accs.append(m.score(Xv, yv))
    return accs, float(np.mean(times))


def fmt(params):
    keys = ("readout", "surrogate", "surrogate_scale", "n_steps", "hidden_layer_sizes",
            "learning_rate", "epochs", "input_coding")
    return " ".join(f"{params.get(k)!s:>13}" for k in keys)


def header():
    cols = ("readout", "surrogate", "k", "n_steps", "hidden", "lr", "epochs", "coding")
    return " ".join(f"{c:>13}" for c in cols) + "   val mean +- 95% CI   fit s"


def run(grid, data, title):
    print(f"\n## {title} ({len(data)} seeds)\n{header()}", flush=True)
    rows = []
    for params in grid:
        accs, fit_s = evaluate(params, data)
        mean, half = interval(accs)
        rows.append((mean, half, params))
        print(f"{fmt(params)}   {mean:.4f} +- {half:.4f}   {fit_s:5.1f}", flush=True)
    rows.sort(key=lambda r: (-r[0], r[2]["n_steps"]))
    print("best:", fmt(rows[0][2]), f"{rows[0][0]:.4f} +- {rows[0][1]:.4f}", flush=True)
    return rows


def stage1(data):
    base = {"hidden_layer_sizes": (128,), "learning_rate": 2e-3, "epochs": 30,
            "input_coding": "rate"}
    grid = [{**base, "readout": r, "surrogate": s, "surrogate_scale": k, "n_steps": t}
            for r, (s, k), t in itertools.product(READOUTS, SURROGATES, (10, 25))]
    return run(grid, data, "stage 1: read-out x surrogate x n_steps")


def stage2(data, best):
    keep = {k: best[k] for k in ("readout", "surrogate", "surrogate_scale")}
    grid = [{**keep, "hidden_layer_sizes": h, "learning_rate": lr, "epochs": ep,
             "n_steps": t, "input_coding": c}
            for h, (lr, ep), t, c in itertools.product(
                ((128,), (256,)), ((2e-3, 30), (1e-3, 60), (5e-3, 30)), (10, 25),
                ("rate", "current"))]
    return run(grid, data, "stage 2: hidden x learning rate/epochs x n_steps x coding")


def test_defaults(seeds):
    accs = []
    print(f"defaults: {SpikingMLPClassifier().get_params()}")
    for s in seeds:
        task = load_task("digits", seed=s)
        m = SpikingMLPClassifier(random_state=s).fit(task.X_train, task.y_train)
        accs.append(m.score(task.X_test, task.y_test))
        print(f"seed {s}: test accuracy {accs[-1]:.4f}", flush=True)
    mean, half = interval(accs)
    print(f"test accuracy of the defaults over seeds {list(seeds)}: {mean:.4f} +- {half:.4f} "
          "(95 % t-interval)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--stage", choices=("1", "2", "all"), default="all")
    ap.add_argument("--test", action="store_true",
                    help="test accuracy of the chosen defaults (run after choosing them)")
    args = ap.parse_args(argv)
    seeds = range(args.seeds)
    if args.test:
        test_defaults(seeds)
        return
    data = splits(seeds)
    best = {"readout": "membrane_max", "surrogate": "fast_sigmoid", "surrogate_scale": 5.0}
    if args.stage in ("1", "all"):
        best = stage1(data)[0][2]
    if args.stage in ("2", "all"):
        stage2(data, best)


if __name__ == "__main__":
    main()
