"""Choose the reward-modulated classifier's defaults on a validation split, never the test.

For each task seed the *training* split of ``load_task(task, seed=s)`` is cut into a fitting
part (80 %) and a validation part (20 %, stratified), the same split as
``benchmarks/tune_snn.py``; the test split is never loaded into the search. Every
configuration of :class:`neurosim.RSTDPClassifier` is fitted on the fitting part with
``random_state=s`` and scored on the validation part:

- ``val_acc``: validation accuracy of ``predict`` with the neurons' fixed classes
  (``assignment="fixed"``);
- ``val_acc_resp``: the same weights with neurons named by their responses to the fitting part
  (``relabel``, i.e. ``assignment="responses"``);
- ``reward_rate``: fraction of the last epoch's presentations the network got right itself
  (its first spike came from a neuron of the sample's class);
- ``val_pres``: showings per validation sample (re-shows counted: the inference cost).

Stages, each starting from the choices of the ones before: ``rule`` (is the reward given to
the winner only, as Mozafari et al. 2018, or to every neuron; is it the bare +-1 or less its
running mean), ``rate`` (the STDP rate ``a_plus`` that scales the eligibility),
``homeostasis`` (Diehl & Cook's threshold that only rises, ``tau_theta_ms=1e7``, or one that
decays to an equilibrium; re-show below 5 spikes or below 1) and ``epochs``. The rule for a
choice: the highest mean ``val_acc``; a configuration within one standard error of that best
is preferred if it is cheaper (fewer epochs; fewer showings per validation image). The readout
(``fixed`` or ``responses``) follows the same rule at the end, ``fixed`` counting as cheaper
(no pass after learning). A configuration met again in a later stage is not fitted again.

Usage::

    python benchmarks/tune_rstdp.py                    # all stages, seeds 0 1 2
    python benchmarks/tune_rstdp.py --stage rate --seeds 0 --start "{'epochs': 3}"

Prints one table per stage and the choices; ``--out FILE`` also writes every row as CSV.
"""

from __future__ import annotations

import argparse
import ast
import csv
import itertools
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tune_snn import validation_split  # noqa: E402

from experiments.tasks import load_task  # noqa: E402
from neurosim import RSTDPClassifier  # noqa: E402

#: Rest after each presentation, for each presentation time (tune_snn.py's pairs).
REST_MS = {150.0: 50.0, 350.0: 150.0}
GRIDS = {
    "rule": {"winner_only": [True, False], "baseline_window": [100.0, None]},
    "rate": {"a_plus": [0.01, 0.02, 0.04]},
    "homeostasis": {"tau_theta_ms": [1e7, 5e5], "min_spikes": [5, 1]},
    "epochs": {"epochs": [3, 5]},
}
#: How expensive a configuration is (lower is cheaper): training passes, or showings per
#: inference (a threshold that keeps rising makes every image need re-shows).
EXPENSE = {"rule": lambda s: 0.0, "rate": lambda s: 0.0,
           "homeostasis": lambda s: s["val_pres"], "epochs": lambda s: s["epochs"]}
#: Start values (from exploratory runs on seed 0's validation split: 150 ms presentations,
#: a_plus 0.02 and 5 epochs learned where Diehl & Cook's 350 ms, 0.0075 and 1 epoch did not).
START = {"winner_only": True, "baseline_window": 100.0, "a_plus": 0.02, "epochs": 5,
         "tau_theta_ms": 1e7, "min_spikes": 5, "presentation_ms": 150.0}


def evaluate(task: str, seed: int, n_excitatory: int, knobs: dict) -> dict:
    """Fit one configuration on the fitting part of seed ``seed``; score it on validation."""
    t = load_task(task, seed=seed)
    fit_idx, val_idx = validation_split(t.y_train, seed)
    X, y = t.X_train, t.y_train
    params = {k: v for k, v in knobs.items() if k != "presentation_ms"}
    model = RSTDPClassifier(n_excitatory, presentation_ms=knobs["presentation_ms"],
                            rest_ms=REST_MS[knobs["presentation_ms"]], random_state=seed,
                            **params)
    t0 = time.perf_counter()
    model.fit(X[fit_idx], y[fit_idx])
    fit_s = time.perf_counter() - t0
    cost = model.cost(X[val_idx])
    return {
        "task": task, "seed": seed, **knobs,
        "val_acc": model.score(X[val_idx], y[val_idx]),
        "val_acc_resp": model.relabel(X[fit_idx], y[fit_idx]).score(X[val_idx], y[val_idx]),
        "reward_rate": model.train_reward_rate_,
        "val_pres": cost["presentations_per_sample"],
        "fit_s": fit_s,
    }


def summarise(rows: list[dict], keys: list[str]) -> list[dict]:
    """Mean and standard error over seeds per configuration."""
    def key(r: dict) -> list:
        return [str(r[k]) for k in keys]

    out = []
    for _, group in itertools.groupby(sorted(rows, key=key), key=key):
        g = list(group)
        acc = np.array([r["val_acc"] for r in g])
        out.append({**{k: g[0][k] for k in keys}, "seeds": len(g), "val_acc": acc.mean(),
                    "val_acc_se": acc.std(ddof=1) / np.sqrt(len(g)) if len(g) > 1 else 0.0,
                    "val_acc_resp": np.mean([r["val_acc_resp"] for r in g]),
                    "reward_rate": np.mean([r["reward_rate"] for r in g]),
                    "val_pres": np.mean([r["val_pres"] for r in g]),
                    "fit_s": np.mean([r["fit_s"] for r in g])})
    return out


def choose(summary: list[dict], expense) -> dict:
    """The rule stated in the module docstring."""
    best = max(summary, key=lambda s: s["val_acc"])
    close = [s for s in summary if s["val_acc"] >= best["val_acc"] - best["val_acc_se"]]
    return min(close, key=lambda s: (expense(s), -s["val_acc"]))


def print_table(summary: list[dict], keys: list[str]) -> None:
    head = [*keys, "seeds", "val_acc", "+-se", "val_acc_resp", "reward_rate", "val_pres",
            "fit_s"]
    print(" ".join(f"{h:>15}" for h in head))
    for s in summary:
        vals = [*(s[k] for k in keys), s["seeds"], s["val_acc"], s["val_acc_se"],
                s["val_acc_resp"], s["reward_rate"], s["val_pres"], s["fit_s"]]
        print(" ".join(f"{v:>15.4g}" if isinstance(v, float) else f"{v!s:>15}" for v in vals))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--task", default="digits")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--stage", choices=[*GRIDS, "all"], default="all")
    p.add_argument("--start", default=None,
                   help="start values as a Python dict, e.g. \"{'a_plus': 0.01}\"")
    p.add_argument("--n-excitatory", type=int, default=100)
    p.add_argument("--out", type=Path, default=None, help="also write every row as CSV")
    args = p.parse_args(argv)
    stages = list(GRIDS) if args.stage == "all" else [args.stage]
    current = {**START, **(ast.literal_eval(args.start) if args.start else {})}
    done: dict[tuple, dict] = {}  # (seed, knobs) -> row: a configuration is fitted once
    rows: list[dict] = []
    for stage in stages:
        keys = list(GRIDS[stage])
        stage_rows = []
        for values in itertools.product(*GRIDS[stage].values()):
            knobs = {**current, **dict(zip(keys, values, strict=True))}
            for seed in args.seeds:
                memo = (seed, tuple(sorted(knobs.items())))
                if memo not in done:
                    done[memo] = evaluate(args.task, seed, args.n_excitatory, knobs)
                    r = done[memo]
                    print(f"  {stage} {knobs} seed {seed}: val_acc {r['val_acc']:.3f} "
                          f"(responses {r['val_acc_resp']:.3f}) reward_rate "
                          f"{r['reward_rate']:.3f} ({r['fit_s']:.0f} s)", flush=True)
                stage_rows.append({**done[memo], "stage": stage})
        summary = summarise(stage_rows, keys)
        print(f"\n== {args.task}, stage {stage} "
              f"(others: { {k: v for k, v in current.items() if k not in keys} })")
        print_table(summary, keys)
        pick = choose(summary, EXPENSE[stage])
        current.update({k: pick[k] for k in keys})
        print(f"chosen: { {k: pick[k] for k in keys} }\n", flush=True)
        rows += stage_rows
    final = [r for (_, knobs), r in done.items() if dict(knobs) == current]
    if final:
        readout = [{"assignment": "fixed", "val_acc": r["val_acc"]} for r in final] + [
            {"assignment": "responses", "val_acc": r["val_acc_resp"]} for r in final]
        for r in readout:
            r.update(val_acc_resp=np.nan, reward_rate=np.nan, val_pres=np.nan, fit_s=np.nan)
        summary = summarise(readout, ["assignment"])
        print(f"== {args.task}, readout of the final configuration")
        print_table(summary, ["assignment"])
        pick = choose(summary, lambda s: float(s["assignment"] != "fixed"))
        current["assignment"] = pick["assignment"]
    print(f"== final: {current}\n")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
