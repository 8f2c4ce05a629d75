"""Benchmark: the compiled STDP fast path vs the usual per-image ``net.run`` loop, and scaling.

Prints, in one run:

1. Training time per sample on ``digits`` (64 inputs, 100 excitatory neurons, 350 ms + 150 ms,
   dt 0.5 ms, one presentation per sample) for (a) the per-sample runtime loop that public
   reimplementations and Brian2's Diehl & Cook example use (``net.run`` per image from Python,
   weights normalised in Python, built from the same :mod:`neurosim` blocks, Brian2's default
   runtime code generation; median time per sample) and
   (b) the compiled fast path of :class:`neurosim.STDPClassifier`, with the one-off compile time
   (into a fresh cache) and the re-use time (0 s: cached build) reported separately, and the
   ratio (a)/(b). The loop is timed on ``--loop-samples`` images after one warm-up image.
2. The fast path at 100/400/1600 excitatory neurons and 64/784 inputs (784 = the digits images
   upscaled 3x and padded to 28x28): wall seconds per simulated second and nanoseconds per
   synaptic event (input spikes x fan-out + lateral events), to show how cost grows with size.
3. OpenMP threads 0 (no OpenMP), 1 and 2 at 64 x 100.

Each fast-path measurement presents ``--samples`` samples (an eighth of them with 784 inputs,
which carry ~10x the synaptic events) with learning on and no re-shows (``min_spikes=0``); it
is the best of three identical runs (one for >= 500k input synapses; the machine is shared, the
minimum is the least noisy estimate). Builds go to a
temporary cache (deleted at the end), so compile times are those of a fresh machine.

Run: ``python benchmarks/bench_snn.py`` (about 10 minutes on 2 shared cores) or ``--quick``
(64 x 100 and 64 x 400 only, fewer samples; 3-4 minutes).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile
import time

import numpy as np


def digits(n_inputs: int) -> np.ndarray:
    """Digits training images, as 8x8 (64) or upscaled to 28x28 (784)."""
    from experiments.tasks import load_task

    X = load_task("digits").X_train
    if n_inputs == 64:
        return np.array(X)
    imgs = X.reshape(-1, 8, 8)
    big = np.kron(imgs, np.ones((1, 3, 3)))  # 24 x 24
    big = np.pad(big, ((0, 0), (2, 2), (2, 2)))  # 28 x 28
    return big.reshape(len(X), 784)


def loop_seconds_per_sample(X: np.ndarray, n_exc: int, n_samples: int) -> float:
    """The usual way: one ``net.run`` per presentation and rest, driven from Python."""
    import brian2 as b2

    from neurosim.encoding import poisson_input, set_rates
    from neurosim.inhibition import lateral_inhibition
    from neurosim.monitors import spike_counter
    from neurosim.neurons import lif_group
    from neurosim.params import LIFParams, STDPParams
    from neurosim.plasticity import normalize_synapses, stdp_synapses

    b2.set_device("runtime")
    b2.defaultclock.dt = 0.5 * b2.ms
    b2.seed(0)
    n_in = X.shape[1]
    rng = np.random.default_rng(0)
    inp = poisson_input(n_in, name="loop_input")
    exc = lif_group(n_exc, LIFParams(theta_plus_mV=0.1), name="loop_exc")
    syn = stdp_synapses(inp, exc, STDPParams(a_plus=0.01, a_minus=0.0001), name="loop_syn",
                        w_init=rng.uniform(0, 0.3, n_in * n_exc))
    lateral = lateral_inhibition(exc, name_prefix="loop_")
    counter = spike_counter(exc, name="loop_count")  # what a classifier would read out
    net = b2.Network(inp, exc, syn, *lateral, counter.monitor)

    def present(x: np.ndarray) -> float:
        # one presentation and rest per sample, no re-shows: the same work as the fast-path
        # measurement below (min_spikes=0)
        t0 = time.perf_counter()
        normalize_synapses(syn, 0.1 * n_in)
        set_rates(inp, x * 128.0)
        net.run(350 * b2.ms)
        set_rates(inp, 0.0)
        net.run(150 * b2.ms)
        return time.perf_counter() - t0

    present(X[0])  # warm-up: code generation and compilation of the runtime objects
    times = [present(x) for x in X[1:n_samples + 1]]
    return float(np.median(times))


def fast_path(X: np.ndarray, n_exc: int, n_samples: int, *, threads: int = 0,
              learn: bool = True, repeats: int = 3) -> dict:
    """Build (timed) and run the compiled network on ``n_samples`` samples without re-shows."""
    from neurosim import STDPClassifier
    from neurosim.standalone import RunSettings, StandaloneEngine

    model = STDPClassifier(n_exc, threads=threads, chunk_samples=n_samples,
                           backend="cpp_standalone")
    # exactly n_samples slots per run (the classifier leaves 2x room for re-shows)
    spec = dataclasses.replace(model._spec(X.shape[1]), chunk_slots=n_samples)
    t0 = time.perf_counter()
    engine = StandaloneEngine(spec)
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    StandaloneEngine(spec)
    reuse_s = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    n_in = X.shape[1]
    settings = RunSettings(learn=learn, rate_max_hz=128.0, rate_boost_hz=64.0, min_spikes=0,
                           max_repeats=0, norm_total=0.1 * n_in, theta_plus_mV=0.1,
                           a_plus=0.01, a_minus=0.0001)
    w0 = rng.uniform(0, 0.3, n_in * n_exc)
    # best of `repeats` identical runs: the machine is shared, the minimum is the least noisy
    runs = [engine.run_chunk(X[:n_samples], 0, w=w0, theta_mV=np.zeros(n_exc),
                             settings=settings, reps_start=0, seed=1) for _ in range(repeats)]
    r = min(runs, key=lambda run: run.wall_s)
    exc_spikes = len(r.spike_i)
    events = r.input_spikes * n_exc + exc_spikes + r.inh_spikes * (n_exc - 1)
    sim_s = n_samples * 0.5
    return {"compile_s": compile_s, "reuse_s": reuse_s, "run_s": r.wall_s,
            "per_sample_s": r.wall_s / n_samples, "per_sim_s": r.wall_s / sim_s,
            "ns_per_event": 1e9 * r.wall_s / max(events, 1), "events": events,
            "synapses": n_in * n_exc + n_exc * n_exc}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and samples")
    parser.add_argument("--loop-samples", type=int, default=None,
                        help="images timed in the runtime loop (default 10, quick 5)")
    parser.add_argument("--samples", type=int, default=None,
                        help="samples per fast-path run (default 64, quick 32)")
    args = parser.parse_args(argv)
    loop_n = args.loop_samples or (5 if args.quick else 10)
    if loop_n < 1 or (args.samples is not None and args.samples < 1):
        parser.error("--loop-samples and --samples must be >= 1")
    n = args.samples or (32 if args.quick else 64)

    cache = tempfile.mkdtemp(prefix="bench-snn-cache-")
    os.environ["BRAIN_VS_ANN_CACHE"] = cache
    try:
        import brian2

        print(f"python {sys.version.split()[0]}, brian2 {brian2.__version__}, "
              f"{os.cpu_count()} CPUs, fresh build cache {cache}")
        X64 = digits(64)
        print("\n1. digits training, 64 inputs x 100 excitatory, 350 ms + 150 ms, dt 0.5 ms")
        loop = loop_seconds_per_sample(X64, 100, loop_n)
        print(f"  (a) runtime loop (net.run per image): {loop:.3f} s/sample "
              f"(median of {loop_n} samples after 1 warm-up)")
        fp = fast_path(X64, 100, n)
        print(f"  (b) compiled fast path: {fp['per_sample_s'] * 1e3:.2f} ms/sample "
              f"({n} samples in one run of {fp['run_s']:.2f} s incl. process start; "
              "best of 3)")
        print(f"      compile {fp['compile_s']:.1f} s once (fresh cache), "
              f"re-use {fp['reuse_s']:.3f} s")
        print(f"  speed-up (a)/(b): {loop / fp['per_sample_s']:.0f}x per sample")

        sizes = ([(64, 100), (64, 400)] if args.quick else
                 [(64, 100), (64, 400), (64, 1600), (784, 100), (784, 400), (784, 1600)])
        print("\n2. fast path vs size (learning on, no re-shows)")
        print(f"  {'inputs':>6} {'exc':>5} {'synapses':>9} {'compile_s':>9} {'s/sim_s':>8} "
              f"{'ms/sample':>9} {'events/sample':>13} {'ns/event':>8} {'samples':>7}")
        X784 = None
        for n_in, n_exc in sizes:
            if n_in == 784 and X784 is None:
                X784 = digits(784)
            # 784 inputs carry ~10x the events per sample: fewer samples keep the bench short
            m = n if n_in == 64 else max(4, n // 8)
            big = n_in * n_exc >= 500_000
            res = fast_path(X64 if n_in == 64 else X784, n_exc, m, repeats=1 if big else 3)
            print(f"  {n_in:>6} {n_exc:>5} {res['synapses']:>9} {res['compile_s']:>9.1f} "
                  f"{res['per_sim_s']:>8.3f} {res['per_sample_s'] * 1e3:>9.2f} "
                  f"{res['events'] / m:>13.0f} {res['ns_per_event']:>8.2f} {m:>7}")

        if not args.quick:
            print("\n3. OpenMP threads (0 = no OpenMP)")
            for n_in, n_exc in [(64, 100)]:
                X = X64 if n_in == 64 else X784
                row = []
                for threads in (0, 1, 2):
                    res = fast_path(X, n_exc, n, threads=threads)
                    row.append(f"{threads} threads {res['per_sample_s'] * 1e3:.2f} ms/sample")
                print(f"  {n_in} x {n_exc}: " + "; ".join(row))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
