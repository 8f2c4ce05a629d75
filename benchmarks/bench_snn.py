"""Benchmark: the spiking classifier's public path against one bare Brian2 standalone run.

What a user waits for is ``STDPClassifier.fit`` and ``predict`` on a warm build cache. The
reference is the same network written the way a Brian2 user would run it once: the network of
:func:`neurosim.network.build_objects` (identical equations, schedule and normalisation) with
every sample's rates baked into the code as a static table, compiled by Brian2's
``cpp_standalone`` device and run as **one** process over all samples (timed from process start
to exit). The comparison is like for like: ``fit`` presents every training sample once with
learning on and then once more with learning off to name the neurons (``assign_from="frozen"``)
or not (``"learning"``), so the reference runs the same passes (a learning run, then a frozen
run when ``fit`` makes one); ``max_repeats=0`` in both (no re-shows: the same work whatever the
spike counts). ``predict`` is compared with one frozen bare run over the test samples.

Rounds are interleaved (public, bare, public, bare, ...); each figure is the median over rounds
with its min-max spread, per sample. Also printed: where ``fit``'s time went
(``fit_times_``: simulation inside the binary, the rest of the binary's life (process start,
set-up, writing results), file I/O in Python, Python), CPU seconds (user + system of this
process and its children; steadier than wall time on a shared machine), the machine's load
average, the compile time of a fresh build split into code generation and compilation, the
OpenMP scaling of ``predict`` at 64 x 100 and 64 x 1600 (1 thread = serial build) under the
passive, active and default OpenMP wait policies (the policy is printed beside every figure),
and synaptic events per sample against input spikes x fan-out (the drive normalisation at 784
inputs).

Sizes: 64 inputs (the 8x8 digits) and 784 inputs (the digits upsampled to 28x28 by
``scipy.ndimage.zoom``, order 1). Run ``python benchmarks/bench_snn.py`` (about 15 minutes
on 2 cores) or ``--quick`` (64 x 100 only; about 3 minutes). Builds go to a temporary cache.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

#: Diehl & Cook's schedule (SPEC section 4).
SCHEDULE = dict(presentation_ms=350.0, rest_ms=150.0, dt_ms=0.5, max_repeats=0)


def images(n_inputs: int, which: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Digits images as 8x8 (64 inputs) or upsampled to 28x28 (784), with labels."""
    from scipy.ndimage import zoom

    from experiments.tasks import load_task

    t = load_task("digits", seed=0)
    X, y = (t.X_train, t.y_train) if which == "train" else (t.X_test, t.y_test)
    if n_inputs == 64:
        return np.array(X), np.array(y)
    big = np.stack([zoom(img, 3.5, order=1) for img in X.reshape(-1, 8, 8)])
    return np.clip(big, 0.0, 1.0).reshape(len(X), 784), np.array(y)


def cpu_now() -> float:
    """CPU seconds (user + system) of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class Bare:
    """One Brian2 standalone build of the classifier's network with the samples baked in."""

    def __init__(self, model, X: np.ndarray, learn: bool, directory: str) -> None:
        import brian2 as b2
        from brian2.devices.device import device, reset_device

        from neurosim.encoding import normalized_rates_hz
        from neurosim.network import build_objects

        n, n_in = X.shape
        spec = model._spec(n_in)
        spec = dataclasses.replace(spec, chunk_samples=n, chunk_slots=n + 1)
        b2.set_device("cpp_standalone", directory=directory, build_on_run=False)
        try:
            objs = build_objects(spec, normalized_rates_hz(X, model.input_rate_hz))
            w0 = model.weights_.reshape(-1) if learn is False else model._w0
            objs.input_exc.w = w0
            objs.exc.wsum = w0.reshape(n_in, -1).sum(axis=0)
            objs.exc.theta = (model.theta_mV_ if not learn else np.zeros(spec.n_excitatory)
                              ) * b2.mV
            flag = float(learn)
            objs.input_exc.plastic = flag
            objs.exc.adapt = flag
            objs.exc.norm_on = flag
            objs.exc.norm_total = model._norm_total(n_in)
            objs.exc.theta_plus = model._theta_plus_mV() * b2.mV
            objs.input_exc.a_plus = model.a_plus
            objs.input_exc.a_minus = model.a_minus
            objs.ctrl.n_valid = n
            objs.ctrl.min_spikes = 0
            objs.ctrl.max_repeats = 0
            objs.ctrl.boost = 0.5
            objs.network.run(n * (spec.presentation_ms + spec.rest_ms) * b2.ms, namespace={})
            b2.get_device().build(directory=directory, compile=True, run=False,
                                  with_output=False)
        finally:
            device.reinit()
            reset_device("runtime")
        self.directory = directory
        self.n = n

    def run(self) -> float:
        """Wall seconds of one run of the binary, process start to exit."""
        t0 = time.perf_counter()
        subprocess.run([os.path.join(self.directory, "main")], cwd=self.directory, check=True,
                       capture_output=True)
        return time.perf_counter() - t0


def median_spread(values: list[float]) -> str:
    v = np.asarray(values)
    return f"{np.median(v):9.4g} [{v.min():.3g}-{v.max():.3g}]"


def public_vs_bare(n_in: int, n_exc: int, n: int, n_test: int, rounds: int,
                   assign_from: str, tmp: str) -> dict:
    """Interleaved rounds of the public path and the bare runs for one size."""
    from neurosim import STDPClassifier

    X, y = images(n_in)
    X, y = X[:n], y[:n]
    Xt, _ = images(n_in, "test")
    Xt = Xt[:n_test]
    # one STDP pass, as the bare learning run makes
    kw = dict(SCHEDULE, n_excitatory=n_exc, epochs=1, assign_from=assign_from, random_state=0)
    warm = STDPClassifier(**kw).fit(X[:2], y[:2])  # compiles once (not timed)
    # the same initial weights fit draws, for the bare learning run
    rng = np.random.default_rng(0)
    w0 = rng.uniform(0.0, warm.w_init_max * warm.w_max, n_in * n_exc)
    from neurosim.plasticity import normalize_incoming

    warm._w0 = normalize_incoming(w0, n_in, n_exc, warm._norm_total(n_in))
    t0 = time.perf_counter()
    bare_learn = Bare(warm, X, True, os.path.join(tmp, f"bare-learn-{n_in}-{n_exc}"))
    fitted = STDPClassifier(**kw).fit(X, y)
    bare_frozen = Bare(fitted, X, False, os.path.join(tmp, f"bare-frozen-{n_in}-{n_exc}"))
    bare_test = Bare(fitted, Xt, False, os.path.join(tmp, f"bare-test-{n_in}-{n_exc}"))
    bare_compile = time.perf_counter() - t0
    out: dict = {k: [] for k in ("fit", "fit_cpu", "bare", "bare_cpu", "predict", "bare_pred",
                                 "sim", "process", "io", "python")}
    for _ in range(rounds):
        c0, t0 = cpu_now(), time.perf_counter()
        m = STDPClassifier(**kw).fit(X, y)
        out["fit"].append(time.perf_counter() - t0)
        out["fit_cpu"].append(cpu_now() - c0)
        for k, key in (("simulation", "sim"), ("process", "process"), ("io", "io"),
                       ("python", "python")):
            out[key].append(m.fit_times_.get(k, 0.0))
        c0 = cpu_now()
        bare = bare_learn.run() + (bare_frozen.run() if assign_from == "frozen" else 0.0)
        out["bare"].append(bare)
        out["bare_cpu"].append(cpu_now() - c0)
        t0 = time.perf_counter()
        m.predict(Xt)
        out["predict"].append(time.perf_counter() - t0)
        out["bare_pred"].append(bare_test.run())
    out["events"] = m.cost(Xt)["effective_acs"]
    res = m._respond(Xt, seed_key=99, desc="events")
    out["input_spikes"] = res.input_counts.sum() / len(Xt)
    out["bare_compile_s"] = bare_compile
    out["n"], out["n_test"] = n, n_test
    return out


def print_public(size: str, r: dict, assign_from: str) -> None:
    n, nt = r["n"], r["n_test"]
    per = {k: [v / n for v in r[k]] for k in ("fit", "fit_cpu", "bare", "bare_cpu", "sim",
                                               "process", "io", "python")}
    ratio = np.median(r["fit"]) / np.median(r["bare"])
    ratio_cpu = np.median(r["fit_cpu"]) / np.median(r["bare_cpu"])
    print(f"\n{size}: fit on {n} samples (assign_from={assign_from!r}), predict on {nt}")
    print(f"  fit per sample (s)          {median_spread(per['fit'])}   CPU "
          f"{median_spread(per['fit_cpu'])}")
    passes = "learning + frozen run" if assign_from == "frozen" else "learning run"
    print(f"  bare Brian2 ({passes}) {median_spread(per['bare'])}   CPU "
          f"{median_spread(per['bare_cpu'])}")
    print(f"  ratio fit / bare: wall {ratio:.2f}x, CPU {ratio_cpu:.2f}x")
    print(f"  where fit's time went (s/sample): simulation {np.median(per['sim']):.4g}, "
          f"process start/set-up/results {np.median(per['process']):.4g}, "
          f"file I/O {np.median(per['io']):.4g}, Python {np.median(per['python']):.4g}")
    pred = [v / nt for v in r["predict"]]
    bare = [v / nt for v in r["bare_pred"]]
    print(f"  predict per sample (s)      {median_spread(pred)}   bare frozen run "
          f"{median_spread(bare)}   ratio {np.median(pred) / np.median(bare):.2f}x")
    n_exc = int(size.split("x")[1])
    fanout = r["input_spikes"] * n_exc
    print(f"  synaptic events per test sample {r['events']:.4g} = "
          f"{r['events'] / fanout:.3f} x (input spikes {r['input_spikes']:.4g} x fan-out "
          f"{n_exc})")


def compile_time(n_in: int, n_exc: int, tmp: str) -> dict:
    """A fresh build's time, split into code generation and compilation."""
    import json

    from neurosim import STDPClassifier, response_cache
    from neurosim.buildcache import MANIFEST

    os.environ["BRAIN_VS_ANN_CACHE"] = os.path.join(tmp, f"fresh-{n_in}-{n_exc}")
    response_cache.clear()  # this process's engines point at the other cache
    m = STDPClassifier(n_exc, **SCHEDULE)
    engine, _ = m._engine(n_in)
    man = json.loads((engine.path / MANIFEST).read_text())
    os.environ["BRAIN_VS_ANN_CACHE"] = os.path.join(tmp, "cache")
    return {"total": engine.compile_s, **man["build_s"]}


#: (threads, OpenMP wait policy) of the thread-scaling benchmark; None: the runtime's default.
#: At 1 thread the build is serial (no OpenMP), so the policy cannot act: those two rows are
#: the check that it does not.
THREAD_CONFIGS = ((1, "PASSIVE"), (1, "ACTIVE"), (2, None), (2, "ACTIVE"), (2, "PASSIVE"))


def thread_scaling(sizes: list[tuple[int, int]], n_test: int, rounds: int) -> None:
    """predict time per sample at 1 (serial build) and 2 OpenMP threads under each OpenMP wait
    policy (``neurosim.standalone.WAIT_POLICY_ENV``), in interleaved rounds (>= 5)."""
    from neurosim import STDPClassifier
    from neurosim.standalone import omp_wait_policy, wait_policy

    rounds = max(rounds, 5)
    print(f"\nOpenMP threads and wait policy: predict on {n_test} samples, median [min-max] of "
          f"{rounds} interleaved rounds (1 thread = serial build, no OpenMP; policy "
          "'default' = the OpenMP runtime's own; PASSIVE is what parallel training jobs "
          "use, the timing phase uses the default)")
    if os.environ.get("OMP_WAIT_POLICY"):
        print(f"  note: OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']} is set and overrides "
              "every policy below")
    for n_in, n_exc in sizes:
        X, y = images(n_in)
        Xt, _ = images(n_in, "test")
        models = {n: STDPClassifier(n_exc, **SCHEDULE, random_state=0, epochs=0,
                                    n_threads=n).fit(X[:64], y[:64]) for n in (1, 2)}
        times: dict = {c: [] for c in THREAD_CONFIGS}
        used: dict = {}
        for _ in range(rounds):
            for threads, policy in THREAD_CONFIGS:
                with omp_wait_policy(policy):
                    used[(threads, policy)] = wait_policy()
                    t0 = time.perf_counter()
                    models[threads].predict(Xt[:n_test])
                    times[(threads, policy)].append((time.perf_counter() - t0) / n_test)
        # the ANN of the same width on the same samples, 1 and 2 BLAS threads, interleaved too
        from ann import MLPClassifier

        mlp = MLPClassifier((n_exc,), epochs=1, random_state=0).fit(X[:64], y[:64])
        ann_times: dict = {1: [], 2: []}
        for _ in range(rounds):
            for n in (1, 2):
                mlp.set_params(n_threads=n)
                t0 = time.perf_counter()
                for i in range(n_test):  # batch 1, as the spiking network answers one sample
                    mlp.predict(Xt[i:i + 1])
                ann_times[n].append((time.perf_counter() - t0) / n_test)
        serial = float(np.median(times[THREAD_CONFIGS[0]]))
        print(f"  {n_in:4d} x {n_exc:5d}:")
        for c in THREAD_CONFIGS:
            t = np.asarray(times[c])
            med = float(np.median(t))
            print(f"    {c[0]} thread{'s' if c[0] > 1 else ' '} policy "
                  f"{used[c] or 'default':8s}: {med * 1e3:9.3f} ms/sample "
                  f"[{t.min() * 1e3:.3f}-{t.max() * 1e3:.3f}], speed-up over serial "
                  f"{serial / med:.2f}x")
        a1 = float(np.median(ann_times[1]))
        for n in (1, 2):
            a = np.asarray(ann_times[n])
            print(f"    ANN {n_in}-{n_exc}-10, batch 1, {n} BLAS thread{'s' if n > 1 else ' '}: "
                  f"{np.median(a) * 1e3:9.4f} ms/sample [{a.min() * 1e3:.4f}-"
                  f"{a.max() * 1e3:.4f}], speed-up {a1 / float(np.median(a)):.2f}x")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="64 x 100 only, fewer rounds")
    p.add_argument("--rounds", type=int, default=None)
    p.add_argument("--assign-from", choices=["frozen", "learning"], default=None,
                   help="the classifier's assign_from (default: its default)")
    p.add_argument("--threads-only", action="store_true",
                   help="only the thread and wait-policy scaling (both families)")
    args = p.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 5)
    from neurosim import STDPClassifier

    assign_from = args.assign_from or STDPClassifier().assign_from
    sizes = [(64, 100, 256, 128)] if args.quick else [(64, 100, 256, 128),
                                                       (784, 1600, 16, 8)]
    tmp = tempfile.mkdtemp(prefix="bench-snn-")
    os.environ["BRAIN_VS_ANN_CACHE"] = os.path.join(tmp, "cache")
    load0 = os.getloadavg()
    print(f"bench_snn: {os.cpu_count()} CPUs, load average {load0[0]:.2f} at start; "
          f"{rounds} interleaved rounds; schedule {SCHEDULE}")
    try:
        if args.threads_only:
            thread_scaling([(64, 100)] if args.quick else [(64, 100), (784, 1600)],
                           32 if args.quick else 8, rounds)
            return 0
        for n_in, n_exc, n, n_test in sizes:
            r = public_vs_bare(n_in, n_exc, n, n_test, rounds, assign_from, tmp)
            print_public(f"{n_in}x{n_exc}", r, assign_from)
        c = compile_time(64, 100, tmp)
        print(f"\ncompile of a fresh 64 x 100 build: {c['total']:.1f} s (code generation "
              f"{c['generate']:.1f} s, C++ compile {c['compile']:.1f} s)")
        # 784 x 400 is left out: at 2 threads on these shared cores each 0.5 ms step waits
        # ~1 ms at its barriers, which made that size run for tens of minutes
        thread_sizes = [(64, 100)] if args.quick else [(64, 100), (64, 1600)]
        thread_scaling(thread_sizes, 32 if args.quick else 8, rounds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
