"""Irregularity of the STDP network's firing: the ISI coefficient of variation (CV).

Fits a :class:`neurosim.STDPClassifier` (the 16-neuron bars configuration of the test suite, or
the default network with ``--n-excitatory`` neurons on a subset of ``--task``), records the
excitatory spikes of the test samples with ``spikes(X)``, turns them into ``neo.SpikeTrain`` objects
(:func:`neurosim.neo_export.to_spiketrains`) and prints the CV of the inter-spike intervals of
every train with at least ``--min-spikes`` spikes (:func:`neurosim.neo_export.isi_cv`) and of
each neuron's within-presentation intervals pooled over samples
(:func:`neurosim.neo_export.pooled_isi_cv`), to set against cortex's CV of about 1 (Softky &
Koch 1993). Needs ``neo``. Run:
``python benchmarks/isi_cv.py`` (a minute or two, most of it the Brian2 build), or
``python benchmarks/isi_cv.py --task digits`` (100 neurons, 500 training samples, 1 epoch).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from experiments.tasks import load_task
from neurosim import STDPClassifier
from neurosim.neo_export import isi_cv, pooled_isi_cv, to_spiketrains

#: The test suite's tiny bars configuration (tests/neurosim/test_classifier.py, ``TINY``).
TINY = dict(n_excitatory=16, presentation_ms=100.0, rest_ms=50.0, chunk_samples=64,
            input_rate_hz=2400.0, norm_total=4.8, theta_plus_mV=0.2, min_spikes=2, a_plus=0.01,
            epochs=1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--min-spikes", type=int, default=3)
    ap.add_argument("--backend", default="cpp_standalone")
    ap.add_argument("--task", default="bars", help="'bars' (the tiny test network) or a task "
                    "name such as 'digits' (the default STDPClassifier, --n-excitatory)")
    ap.add_argument("--n-excitatory", type=int, default=100)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--n-train", type=int, default=500)
    ap.add_argument("--n-test", type=int, default=200)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.task == "bars":
        task = load_task("bars", n=4, n_train_per_class=40, n_test_per_class=10, seed=args.seed)
        model = STDPClassifier(**TINY, backend=args.backend, random_state=args.seed)
        X_fit, y_fit = task.X_train, task.y_train
        X, y = task.X_test, task.y_test
    else:  # the default (Diehl & Cook) network on a subset of another task
        task = load_task(args.task, seed=args.seed)
        model = STDPClassifier(n_excitatory=args.n_excitatory, epochs=args.epochs,
                               backend=args.backend, random_state=args.seed)
        X_fit, y_fit = task.X_train[: args.n_train], task.y_train[: args.n_train]
        X, y = task.X_test[: args.n_test], task.y_test[: args.n_test]
    model.fit(X_fit, y_fit)
    spikes = model.spikes(X)
    trains = to_spiketrains(spikes, n_samples=X.shape[0], n_neurons=model.n_excitatory,
                            t_stop_ms=model.presentation_ms)
    flat = [st for row in trains for st in row]
    cv = isi_cv(flat, min_spikes=args.min_spikes)
    counts = np.array([st.size for st in flat])
    print(f"{args.task}: {model.n_excitatory} excitatory neurons, fitted on {len(y_fit)} "
          f"samples; {X.shape[0]} test samples x {model.presentation_ms:g} ms; accuracy "
          f"{model.score(X, y):.3f}")
    print(f"spikes per train: mean {counts.mean():.2f}, max {counts.max()}; trains with >= "
          f"{args.min_spikes} spikes: {cv.size} of {len(flat)}")
    if cv.size:
        print(f"ISI CV: median {np.median(cv):.3f}, mean {cv.mean():.3f}, IQR "
              f"[{np.percentile(cv, 25):.3f}, {np.percentile(cv, 75):.3f}] (cortex: ~1)")
    if cv.size:
        # The same spike counts from a Poisson process (given its count, uniform times in the
        # window): what a CV of 1 looks like with this few spikes per train.
        rng = np.random.default_rng(args.seed)
        kept = counts[counts >= args.min_spikes]
        null = isi_cv([rng.uniform(0.0, model.presentation_ms, k) for k in kept],
                      min_spikes=args.min_spikes)
        print(f"Poisson trains with the same spike counts: median CV {np.median(null):.3f}, "
              f"mean {null.mean():.3f}")
    pooled = pooled_isi_cv(trains)
    if pooled.size:
        print(f"per-neuron CV of within-presentation ISIs pooled over samples ({pooled.size} "
              f"neurons with >= 10 intervals): median {np.median(pooled):.3f}, mean "
              f"{pooled.mean():.3f}, range [{pooled.min():.3f}, {pooled.max():.3f}]")
    print(f"[{time.perf_counter() - t0:.1f} s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
