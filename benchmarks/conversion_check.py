"""Check: the default MLP converted to IF neurons vs the ANN, over time and seeds (``digits``).

Protocol (nothing is chosen on the test split):

1. **Selection on validation.** For each seed, a stratified ``--val-fraction`` of the *training*
   split of ``load_task("digits", seed=seed)`` (``--task``) is held out;
   ``MLPClassifier(random_state=seed)`` (the default network: one hidden layer of 128 ReLU
   units, 64-128-10 on digits) is trained on the rest, which is also the calibration
   set of :func:`neurosim.conversion.convert`. Every candidate percentile is converted and read
   out at every time of the grid on the validation part.

   - ``T(q)``: the shortest grid time from which on (it and every longer grid time) the mean
     validation accuracy of percentile ``q`` is within ``--tol`` of the ANN's.
   - The **percentile** is the one with the smallest ``T(q)`` (it matches the ANN soonest);
     ties go to the higher mean validation accuracy from ``T(q)`` on, then to the higher
     percentile.
   - The **time range** runs from one step to its ``T`` (the longest listed time); the longer
     grid times are printed for information only.

2. **Test report.** For each seed, ``MLPClassifier(random_state=seed)`` is trained on the whole
   training split, converted with the chosen percentile (calibration: the training split), and
   both are scored on the test split at every listed time. The check passes when the converted
   network is within 0.02 of the ANN at ``T`` for every seed.

Wall time: the test-set simulation of each seed (``predict_at`` on all listed times in one run
of ``T`` ms, and on the whole grid in one run of its longest time), divided by the number of
test samples.

Run: ``python benchmarks/conversion_check.py`` (under a minute on one core; several on a busy
machine), ``--input-coding poisson`` (a few minutes: per-step Bernoulli draws and input spikes),
``--task moons``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

import numpy as np

from ann import MLPClassifier
from experiments.tasks import load_task
from neurosim.conversion import convert

GRID_MS = (1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0)
PERCENTILES = (90.0, 95.0, 99.0, 99.9, 99.99, 100.0)
LIMIT = 0.02  # the converted network must be this close to the ANN at the longest listed time


@dataclass(frozen=True)
class Config:
    task: str = "digits"
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    grid_ms: tuple[float, ...] = GRID_MS
    percentiles: tuple[float, ...] = PERCENTILES
    dt_ms: float = 1.0
    input_coding: str = "current"
    val_fraction: float = 0.2
    tol: float = 0.005


def split_validation(X: np.ndarray, y: np.ndarray, fraction: float, seed: int):
    """Stratified split of a training set into (fit, validation) parts."""
    rng = np.random.default_rng(seed)
    val = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        val[idx[: int(round(fraction * idx.size))]] = True
    return X[~val], y[~val], X[val], y[val]


def _convert(ann: MLPClassifier, X_cal: np.ndarray, cfg: Config, percentile: float, seed: int,
             n_train: int):
    return convert(ann.coefs_, ann.intercepts_, X_cal, percentile=percentile,
                   duration_ms=max(cfg.grid_ms), dt_ms=cfg.dt_ms,
                   input_coding=cfg.input_coding, random_state=seed, classes=ann.classes_,
                   train_samples=n_train * ann.epochs, epochs=ann.epochs, labels_used=n_train)


def select(cfg: Config) -> dict:
    """Validation accuracy per (percentile, time), the ANN's, and the chosen values."""
    acc = np.zeros((len(cfg.seeds), len(cfg.percentiles), len(cfg.grid_ms)))
    ann_acc = np.zeros(len(cfg.seeds))
    for s, seed in enumerate(cfg.seeds):
        task = load_task(cfg.task, seed=seed)
        X_fit, y_fit, X_val, y_val = split_validation(task.X_train, task.y_train,
                                                      cfg.val_fraction, seed)
        ann = MLPClassifier(random_state=seed).fit(X_fit, y_fit)
        ann_acc[s] = ann.score(X_val, y_val)
        for p, q in enumerate(cfg.percentiles):
            snn = _convert(ann, X_fit, cfg, q, seed, len(y_fit))
            acc[s, p] = (snn.predict_at(X_val, cfg.grid_ms) == y_val).mean(axis=1)
    mean = acc.mean(axis=0)  # (percentiles, times)
    ok = mean >= ann_acc.mean() - cfg.tol  # (percentiles, times)
    n_t = len(cfg.grid_ms)
    # converged[p]: first grid index from which percentile p stays within tol (n_t: never)
    converged = [next((t for t in range(n_t) if ok[p, t:].all()), n_t)
                 for p in range(len(cfg.percentiles))]
    after = [float(mean[p, min(converged[p], n_t - 1):].mean())
             for p in range(len(cfg.percentiles))]
    best = min(range(len(cfg.percentiles)),
               key=lambda p: (converged[p], -round(after[p], 12), -cfg.percentiles[p]))
    first = min(converged[best], n_t - 1)
    return {"val_acc": mean, "ann_val_acc": float(ann_acc.mean()), "converged": converged,
            "after": after, "percentile": cfg.percentiles[best], "T_ms": cfg.grid_ms[first],
            "times_ms": tuple(t for t in cfg.grid_ms if t <= cfg.grid_ms[first])}


def report(cfg: Config, percentile: float, times_ms: tuple[float, ...]) -> dict:
    """Test accuracy of the ANN and of the converted network at each grid time, per seed.

    The whole grid is simulated (one run of ``max(grid_ms)``); the listed ``times_ms`` are the
    selected range, the longer grid times are shown for information only.
    """
    rows = []
    for seed in cfg.seeds:
        task = load_task(cfg.task, seed=seed)
        ann = MLPClassifier(random_state=seed).fit(task.X_train, task.y_train)
        snn = _convert(ann, task.X_train, cfg, percentile, seed, len(task.y_train))
        t0 = time.perf_counter()
        snn.predict_at(task.X_test, times_ms)
        t1 = time.perf_counter()
        pred = snn.predict_at(task.X_test, cfg.grid_ms)
        t2 = time.perf_counter()
        rows.append({"seed": seed, "ann": ann.score(task.X_test, task.y_test),
                     "snn": (pred == task.y_test).mean(axis=1),
                     "ms_per_sample": 1000.0 * (t1 - t0) / len(task.y_test),
                     "ms_per_sample_grid": 1000.0 * (t2 - t1) / len(task.y_test),
                     "n_test": len(task.y_test)})
    return {"rows": rows, "times_ms": times_ms}


def run(cfg: Config) -> dict:
    chosen = select(cfg)
    return {"selection": chosen,
            "test": report(cfg, chosen["percentile"], chosen["times_ms"])}


def _print(cfg: Config, result: dict) -> bool:
    sel, test = result["selection"], result["test"]
    print(f"{cfg.task}, default MLPClassifier (one hidden layer of 128 ReLU) -> IF neurons, "
          f"reset by subtraction, input_coding={cfg.input_coding!r}, dt={cfg.dt_ms:g} ms, "
          f"seeds {list(cfg.seeds)}")
    print(f"\n1. Selection on validation ({cfg.val_fraction:.0%} of each training split; "
          f"mean over seeds; ANN {sel['ann_val_acc']:.4f})")
    print("   percentile | " + " ".join(f"{t:>6g}" for t in cfg.grid_ms)
          + " ms | within tol from | mean from then on")
    for q, accs, conv, after in zip(cfg.percentiles, sel["val_acc"], sel["converged"],
                                    sel["after"], strict=True):
        when = f"{cfg.grid_ms[conv]:g} ms" if conv < len(cfg.grid_ms) else "never"
        print(f"   {q:>10g} | " + " ".join(f"{a:6.4f}" for a in accs)
              + f"    | {when:>15} | {after:.4f}")
    print(f"   -> percentile {sel['percentile']:g}: the one within {cfg.tol:g} of the ANN soonest "
          f"(ties: higher mean accuracy from then on, then the higher percentile); the listed "
          f"times run up to T = {sel['T_ms']:g} ms, where it gets there")
    times = test["times_ms"]
    n_listed = len(times)
    print(f"\n2. Test accuracy (whole training split for training and calibration; "
          f"percentile {sel['percentile']:g})")
    print("   seed |    ANN | " + " ".join(f"{t:>6g}" for t in times)
          + " ms | gap at T | ms wall/sample")
    ok = True
    for row in test["rows"]:
        accs = row["snn"][:n_listed]
        gap = accs[-1] - row["ann"]
        ok &= abs(gap) <= LIMIT
        print(f"   {row['seed']:>4} | {row['ann']:.4f} | " + " ".join(f"{a:6.4f}" for a in accs)
              + f"    | {gap:+.4f}  | {row['ms_per_sample']:.2f}")
    anns = np.mean([r["ann"] for r in test["rows"]])
    snns = np.mean([r["snn"] for r in test["rows"]], axis=0)
    print(f"   mean | {anns:.4f} | " + " ".join(f"{a:6.4f}" for a in snns[:n_listed])
          + f"    | {snns[n_listed - 1] - anns:+.4f}  |")
    if n_listed < len(cfg.grid_ms):
        print("   for information (not selected on): mean test accuracy at "
              + ", ".join(f"{t:g} ms {a:.4f}" for t, a in zip(cfg.grid_ms[n_listed:],
                                                               snns[n_listed:], strict=True)))
    n_test = test["rows"][0]["n_test"]
    print(f"\n   wall time per test sample ({n_test} samples side by side in one Brian2 run, numpy "
          f"target, one process): {np.mean([r['ms_per_sample'] for r in test['rows']]):.2f} ms "
          f"for {max(times):g} ms simulated, "
          f"{np.mean([r['ms_per_sample_grid'] for r in test['rows']]):.2f} ms for "
          f"{max(cfg.grid_ms):g} ms")
    print(f"   check: |converted - ANN| <= {LIMIT} at T = {max(times):g} ms for every seed: "
          f"{'PASS' if ok else 'FAIL'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="digits",
                        help="an experiments.tasks task (default digits)")
    parser.add_argument("--input-coding", choices=("current", "poisson"), default="current")
    parser.add_argument("--dt-ms", type=float, default=1.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--val-fraction", type=float, default=0.2)
    parser.add_argument("--tol", type=float, default=0.005,
                        help="validation gap to the ANN that counts as converged")
    args = parser.parse_args(argv)
    cfg = Config(task=args.task, seeds=tuple(args.seeds), dt_ms=args.dt_ms,
                 input_coding=args.input_coding, val_fraction=args.val_fraction, tol=args.tol)
    t0 = time.perf_counter()
    ok = _print(cfg, run(cfg))
    print(f"   total {time.perf_counter() - t0:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
