"""Benchmark: this project's ``STDPClassifier`` vs NEST 3 on the same Diehl & Cook workload.

Both simulators train the Diehl & Cook (2015) network (SPEC section 4) on the same images with
the same presentation schedule, then present the same images once more with learning off
(``predict``); the script times what a user waits for, in interleaved rounds, and prints a table
and the ratios ``ours / NEST`` (below 1: this project is faster).

Workloads: 64 inputs x 100 excitatory neurons (the 8x8 ``digits``) and 784 inputs x 1600
excitatory neurons (the same digits upsampled to 28x28: each pixel a 3x3 block by ``np.kron``,
24x24 padded by 2 pixels; MNIST is not downloadable here), each with 1 and 2 threads.
Schedule, identical in both: 350 ms of Poisson input then 150 ms of rest per image, dt 0.5 ms,
learning on, each image's rates scaled to sum to ``input_rate_hz`` (6,500 Hz) over the inputs,
every neuron's input weights rescaled to sum ``0.1 * n_inputs`` before every image, no re-shows
(``max_repeats=0``), one epoch, initial weights uniform in ``[0, 0.3]`` then normalised, STDP
rates ``a_plus = 0.01``, ``a_minus = 0.0001``, threshold step 0.1 mV x n_excitatory / 100: all
of them the classifier's defaults, which :class:`Protocol` reads from it to set NEST up.

This project (``ours``): ``STDPClassifier(n_excitatory, max_repeats=0, assign_from="learning",
n_threads=t).fit(X, y)`` then ``predict(X)``, timed around the public calls.
``assign_from="learning"`` names the neurons from the responses recorded while learning, so
``fit`` is exactly one pass over the images, as the NEST training loop is. ``n_threads=1`` is
the serial build, ``n_threads=2`` the OpenMP build. Every build is compiled (or found in the
build cache) by an untimed warm-up ``fit`` before the rounds: the one-off compile is excluded
and reported on its own. ``fit_times_`` splits ``fit`` into ``simulation`` (the compiled run
loop), ``process`` (the binary's start-up, set-up and result writing) and ``io``/``python``.

NEST 3 (``nest``): the network below, built with PyNEST, ``local_num_threads = t``.
``build`` is ``ResetKernel`` to the last ``Connect`` (network construction, initial weights);
``train`` is the loop over images inside one ``nest.RunManager``: the weight normalisation
(read every input weight, rescale per neuron, write back: NEST has no per-image normalisation,
so it is done from Python as a NEST user would; shown as ``norm``) and one ``nest.Run`` per
image (350 + 150 ms; shown as ``sim``); ``predict`` switches learning off (``lambda = 0``, the
threshold adaptation off), schedules the images and runs them in one ``nest.Run``.

How the NEST network matches ours, and where it cannot:

- Neurons: ``iaf_cond_exp`` (conductance LIF, exponential conductances) with ``g_L = 1 nS`` so
  a weight in nS is our dimensionless conductance relative to leak, ``C_m = tau_m * g_L``;
  every constant from :mod:`neurosim.params` (exc: tau 100 ms, rest/reset -65 mV, threshold
  -52 mV, refractory 5 ms, E_exc 0, E_inh -100 mV; inh: tau 10 ms, rest -60, reset -45,
  threshold -40 mV, refractory 2 ms, E_inh -85 mV; tau_ge 1 ms, tau_gi 2 ms). NEST integrates
  with GSL's adaptive RKF45, ours with forward Euler at dt (Diehl & Cook's choice).
- Adaptive threshold: ``iaf_cond_exp`` has a fixed threshold, so the default NEST peer omits
  ``theta`` (+0.1 mV x n_excitatory / 100 per spike, decay 1e7 ms: a change in the spike
  counts, none in the work per step). ``--nest-exc gif_cond_exp`` (or
  ``both``) uses ``gif_cond_exp`` instead: the same conductance LIF with a spike-triggered threshold
  increment ``q_sfa`` = our step, ``tau_sfa = 1e7 ms`` (our ``theta``), made nearly
  deterministic by a sharp escape rate (``Delta_V = 0.01 mV``, ``lambda_0 = 1e4 /s``: it fires
  within ~0.05 mV of the threshold instead of exactly at it).
- STDP: ``stdp_nn_symm_synapse`` with ``mu_plus = mu_minus = 0`` (additive), ``lambda =
  a_plus``, ``alpha = a_minus / a_plus``, ``Wmax = 1``, ``tau_plus = tau_minus = 20 ms``, the
  symmetric nearest-neighbour pairing our ``nearest`` traces implement (NEST's default
  ``stdp_synapse`` pairs all-to-all and depresses multiplicatively). Differences that remain:
  NEST applies the potentiation of a postsynaptic spike lazily, at the synapse's next
  presynaptic spike (ours at the postsynaptic spike, on every input synapse of that neuron),
  so the normalisation may see a weight before a pending potentiation; NEST's pairs are
  shifted by the 0.5 ms dendritic delay and exactly coincident pairs are skipped.
- Inputs: one ``inhomogeneous_poisson_generator`` per input (the whole schedule set at
  construction) into a ``parrot_neuron`` (so every excitatory neuron sees the same spike train,
  and STDP has a presynaptic neuron). NEST draws a Poisson count per step (a parrot may repeat
  2 spikes in one step), ours a Bernoulli spike with probability ``rate * dt``: same mean.
- Lateral inhibition: exc -> inh one-to-one (10.4 nS), inh -> exc all-but-partner (17 nS, a
  negative weight in NEST), static synapses. NEST has no zero delay: every connection has the
  minimal one, one step (0.5 ms); ours have none (Brian2 applies a spike in the next
  integration step), so NEST's spikes may land up to a step later.
- Read-out: both record excitatory spikes (and count input and inhibitory spikes); ``predict``
  of ours also votes; NEST's time includes turning the spikes into per-image counts.

Counts reported per image: input spikes, excitatory and inhibitory spikes, and synaptic events
(input spikes x n_excitatory + excitatory spikes + inhibitory spikes x (n_excitatory - 1)),
for both simulators from their own spike counts, so a reader can check that the workloads
match. Times are medians over the rounds with [min, max]; the order of the two simulators
alternates from round to round. The load average of the machine is printed at the start and
the end: on a shared machine the spread is large, rerun on a quiet one for numbers to quote.

Where the time goes in NEST: PyNEST reads a synapse's weight only with its whole status
dictionary (~10-40 us per synapse), so the per-image normalisation costs ~0.1 s at 64 x 100
and ~15-30 s at 784 x 1600 (1.25 M synapses), more than the simulation itself; hence only 4
images there by default (``--samples-784``), and ``--nest-norm none`` to time NEST's
simulation without it (the weights then drift away from ours; the spike counts show how far).

Run: ``python benchmarks/bench_peers.py`` (3 rounds, both sizes: ~15 minutes on 2 quiet cores
once the builds are cached, plus ~1.5 minutes per build to compile the first time),
``--quick`` (64 x 100 only, 2 rounds of 32 images: 1-2 minutes), ``--out FILE`` to also write
the table as CSV. NEST is optional (``pip install -e ".[bench]"``); without it only this
project's rows are printed.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

#: ``norm_total=None`` in the classifier: each neuron's input weights sum to 0.1 per input.
NORM_PER_INPUT = 0.1

NEST_EXC_MODELS = ("iaf_cond_exp", "gif_cond_exp")


@dataclass(frozen=True)
class Protocol:
    """The schedule, input drive and learning rule both simulators run: the default
    hyper-parameters of :class:`neurosim.STDPClassifier`, read from it (see
    :meth:`from_classifier`), not repeated here."""

    presentation_ms: float
    rest_ms: float
    dt_ms: float
    input_rate_hz: float
    a_plus: float
    a_minus: float
    tau_plus_ms: float
    tau_minus_ms: float
    w_max: float
    w_init_max: float
    theta_plus_mV_per_100: float  # threshold step of a 100-neuron network; it scales with size
    tau_theta_ms: float
    w_exc_inh: float
    w_inh_exc: float

    @classmethod
    def from_classifier(cls) -> Protocol:
        from neurosim import STDPClassifier

        p = STDPClassifier().get_params()
        if (p["stdp_rule"], p["stdp_pairing"]) != ("additive", "nearest"):
            raise RuntimeError("the NEST set-up here maps the additive nearest-spike rule; "
                               f"the classifier now defaults to {p['stdp_rule']!r}/"
                               f"{p['stdp_pairing']!r}: update bench_peers.py")
        fields = [f.name for f in dataclasses.fields(cls) if f.name != "theta_plus_mV_per_100"]
        return cls(**{name: float(p[name]) for name in fields},
                   theta_plus_mV_per_100=STDPClassifier(100, epochs=1)._theta_plus_mV())

    def theta_plus_mV(self, n_excitatory: int) -> float:
        """The classifier's threshold step at ``n_excitatory`` neurons (mV)."""
        return self.theta_plus_mV_per_100 * n_excitatory / 100

    @property
    def slot_ms(self) -> float:
        """One presentation and its rest (ms)."""
        return self.presentation_ms + self.rest_ms


@dataclass(frozen=True)
class Case:
    """One workload: sizes, thread count and the number of training images."""

    n_inputs: int
    n_excitatory: int
    threads: int
    samples: int

    @property
    def label(self) -> str:
        return f"{self.n_inputs}x{self.n_excitatory} t{self.threads}"


# ---------------------------------------------------------------------------------- data
def images(n_inputs: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` ``digits`` training images (8x8), or upsampled to 28x28 (784 inputs)."""
    from experiments.tasks import load_task

    task = load_task("digits")
    X, y = np.asarray(task.X_train[:n], dtype=np.float64), np.asarray(task.y_train[:n])
    if len(X) < n:
        raise ValueError(f"digits has only {len(X)} training images; ask for fewer")
    if n_inputs == 64:
        return X, y
    if n_inputs != 784:
        raise ValueError(f"n_inputs must be 64 or 784, got {n_inputs}")
    big = np.kron(X.reshape(-1, 8, 8), np.ones((1, 3, 3)))  # 24 x 24
    big = np.pad(big, ((0, 0), (2, 2), (2, 2)))  # 28 x 28
    return big.reshape(n, 784), y


def initial_weights(proto: Protocol, n_inputs: int, n_excitatory: int,
                    seed: int) -> np.ndarray:
    """Uniform in ``[0, w_init_max * w_max]``, each neuron's column rescaled to
    ``0.1 * n_inputs``; ``(n_inputs, n_excitatory)``, drawn as ``STDPClassifier.fit`` draws."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.0, proto.w_init_max * proto.w_max, n_inputs * n_excitatory)
    w = w.reshape(n_inputs, n_excitatory)
    return w * (NORM_PER_INPUT * n_inputs / w.sum(axis=0))


def synaptic_events(n_exc: int, inp: float, exc: float, inh: float) -> float:
    """Events delivered: every input spike to all excitatory neurons, every excitatory spike to
    its inhibitory partner, every inhibitory spike to the other excitatory neurons."""
    return inp * n_exc + exc + inh * (n_exc - 1)


# ---------------------------------------------------------------------------------- ours
@functools.cache
def _counting_classifier() -> type:
    """``STDPClassifier`` that also tallies the spikes of every simulation run it makes
    (read from the results the public path already collects; the timing is unchanged)."""
    from neurosim import STDPClassifier

    class CountingSTDP(STDPClassifier):
        def _runs(self, X, *args, **kwargs):
            tally = self.__dict__.setdefault("bench_tally", [0, 0, 0])
            for r in super()._runs(X, *args, **kwargs):
                res = r.result
                tally[0] += int(np.sum(res.input_counts))
                tally[1] += int(res.exc_spikes)
                tally[2] += int(res.inh_spikes)
                yield r

    return CountingSTDP


def _ours_model(case: Case, seed: int):
    """The classifier with its defaults (the :class:`Protocol`), one pass, no re-shows."""
    return _counting_classifier()(
        case.n_excitatory, epochs=1, max_repeats=0, assign_from="learning",
        n_threads=case.threads, backend="cpp_standalone", verbose=False, random_state=seed)


def warm_ours(case: Case, X: np.ndarray, y: np.ndarray) -> float:
    """Fit on 4 images so the build of ``case`` is compiled or loaded; the compile seconds."""
    model = _ours_model(case, seed=0).fit(X[:4], y[:4])
    return float(model.compile_s_)


def run_ours(case: Case, X: np.ndarray, y: np.ndarray, seed: int) -> dict[str, Any]:
    """Time ``fit`` and ``predict`` of the public path on a warm build cache."""
    model = _ours_model(case, seed)
    t0 = time.perf_counter()
    model.fit(X, y)
    train_s = time.perf_counter() - t0
    fit_counts = list(model.__dict__.pop("bench_tally", [0, 0, 0]))
    if model.compile_s_ > 0:
        raise RuntimeError(f"{case.label}: fit compiled ({model.compile_s_:.1f} s); the "
                           "warm-up should have filled the build cache")
    t0 = time.perf_counter()
    model.predict(X)
    predict_s = time.perf_counter() - t0
    n = len(X)
    times = model.fit_times_
    sim = float(times.get("simulation", float("nan")))
    inp, exc, inh = (c / n for c in fit_counts)
    return {"build_s": 0.0, "train_s": train_s, "sim_s": sim, "other_s": train_s - sim,
            "predict_s": predict_s, "in_spikes": inp, "exc_spikes": exc, "inh_spikes": inh,
            "events": synaptic_events(case.n_excitatory, inp, exc, inh),
            "threads_used": int(getattr(model, "threads_used_", case.threads))}


# ---------------------------------------------------------------------------------- NEST
def nest_module():
    """PyNEST, imported quietly, or None (with the reason printed) when not installed."""
    os.environ.setdefault("PYNEST_QUIET", "1")  # no banner
    try:
        import nest
    except ImportError as exc:
        print(f"NEST not available ({exc}); its rows are skipped. Install it with "
              "`pip install nest-simulator` (or the project's `bench` extra).")
        return None
    except Exception as exc:  # a broken install must not stop the benchmark
        print(f"NEST failed to import ({type(exc).__name__}: {exc}); its rows are skipped.")
        return None
    level = getattr(getattr(nest, "VerbosityLevel", None), "ERROR", None)
    if level is not None:
        nest.verbosity = level
    else:  # NEST < 3.9
        nest.set_verbosity("M_ERROR")
    return nest


def _nest_neuron_params(proto: Protocol, exc_model: str, n_excitatory: int
                        ) -> tuple[dict, dict]:
    """NEST parameters of the excitatory and inhibitory neurons from :mod:`neurosim.params`
    (``g_L = 1 nS``: conductances in nS are our conductances relative to leak)."""
    from neurosim.params import LIFParams, inhibitory_lif_params

    def lif(p: LIFParams) -> dict:
        return {"g_L": 1.0, "C_m": p.tau_m_ms * 1.0, "E_L": p.v_rest_mV,
                "V_reset": p.v_reset_mV, "t_ref": p.t_ref_ms, "E_ex": p.e_exc_mV,
                "E_in": p.e_inh_mV, "tau_syn_ex": p.tau_ge_ms, "tau_syn_in": p.tau_gi_ms,
                "V_m": p.v_rest_mV}

    exc_p = LIFParams(theta_plus_mV=proto.theta_plus_mV(n_excitatory),
                      tau_theta_ms=proto.tau_theta_ms)
    inh_p = inhibitory_lif_params()
    exc = lif(exc_p)
    exc["tau_minus"] = proto.tau_minus_ms  # NEST keeps the postsynaptic trace on the neuron
    if exc_model == "iaf_cond_exp":
        exc["V_th"] = exc_p.v_thresh_mV
    else:  # gif_cond_exp: threshold V_T_star + sum of spike-triggered increments
        exc.update({"V_T_star": exc_p.v_thresh_mV, "Delta_V": 0.01, "lambda_0": 1e4,
                    "q_sfa": [exc_p.theta_plus_mV], "tau_sfa": [exc_p.tau_theta_ms],
                    "q_stc": [], "tau_stc": []})
    inh = lif(inh_p)
    inh["V_th"] = inh_p.v_thresh_mV
    return exc, inh


def _schedule(proto: Protocol, n: int, t0_ms: float) -> np.ndarray:
    """Rate-change times: image ``k`` on at ``t0 + k * slot + dt``, off a presentation later."""
    on = t0_ms + np.arange(n) * proto.slot_ms + proto.dt_ms
    return np.stack([on, on + proto.presentation_ms], axis=1).reshape(-1)


def _set_inputs(proto: Protocol, gens, rates: np.ndarray, t0_ms: float) -> None:
    """Schedule every image's rates on the generators (one per input)."""
    times = _schedule(proto, len(rates), t0_ms).tolist()
    values = np.zeros((rates.shape[1], 2 * len(rates)))
    values[:, 0::2] = rates.T
    gens.set([{"rate_times": times, "rate_values": v.tolist()} for v in values])


def _slot_counts(proto: Protocol, nest_rec, n: int, n_exc: int, first_id: int,
                 t0_ms: float) -> np.ndarray:
    """Excitatory spike counts per image ``(n, n_exc)`` from a spike recorder."""
    ev = nest_rec.get("events")
    t = np.asarray(ev["times"], dtype=np.float64) - t0_ms
    i = np.asarray(ev["senders"], dtype=np.int64) - first_id
    keep = t > 0
    k = np.minimum(((t[keep] - proto.dt_ms) // proto.slot_ms).astype(np.int64), n - 1)
    flat = k * n_exc + i[keep]
    return np.bincount(flat, minlength=n * n_exc).reshape(n, n_exc)


def run_nest(nest, proto: Protocol, case: Case, X: np.ndarray, y: np.ndarray, seed: int,
             exc_model: str, normalise: bool = True) -> dict[str, Any]:
    """Build, train (one pass, normalising before every image unless ``normalise`` is
    False) and predict in NEST."""
    from neurosim.encoding import normalized_rates_hz
    from neurosim.readout import assign_labels, vote

    n_in, n_exc, n = case.n_inputs, case.n_excitatory, len(X)
    dt, slot = proto.dt_ms, proto.slot_ms
    rates = normalized_rates_hz(X, proto.input_rate_hz)  # the classifier's own encoding
    exc_params, inh_params = _nest_neuron_params(proto, exc_model, case.n_excitatory)

    t0 = time.perf_counter()
    nest.ResetKernel()
    nest.set(resolution=dt, local_num_threads=case.threads, rng_seed=seed + 1)
    gens = nest.Create("inhomogeneous_poisson_generator", n_in)
    inp = nest.Create("parrot_neuron", n_in)
    exc = nest.Create(exc_model, n_exc, params=exc_params)
    inh = nest.Create("iaf_cond_exp", n_exc, params=inh_params)
    recs = {name: nest.Create("spike_recorder") for name in ("inp", "exc", "inh")}
    _set_inputs(proto, gens, rates, 0.0)
    nest.Connect(gens, inp, "one_to_one", {"delay": dt})
    # additive (mu = 0) nearest-neighbour STDP: +lambda*Wmax*Kplus, -alpha*lambda*Wmax*Kminus
    nest.CopyModel("stdp_nn_symm_synapse", "bench_stdp",
                   {"lambda": proto.a_plus, "alpha": proto.a_minus / proto.a_plus,
                    "mu_plus": 0.0, "mu_minus": 0.0, "Wmax": proto.w_max,
                    "tau_plus": proto.tau_plus_ms, "delay": dt})
    w0 = initial_weights(proto, n_in, n_exc, seed)
    nest.Connect(inp, exc, "all_to_all", {"synapse_model": "bench_stdp", "weight": w0.T})
    nest.Connect(exc, inh, "one_to_one", {"weight": proto.w_exc_inh, "delay": dt})
    # inh j -> every exc but its partner j (a negative weight: NEST's inhibitory conductance)
    inh_ids, exc_ids = np.asarray(inh.tolist()), np.asarray(exc.tolist())
    pre = np.repeat(inh_ids, n_exc - 1)
    post = np.asarray([np.delete(exc_ids, j) for j in range(n_exc)]).reshape(-1)
    nest.Connect(pre, post, "one_to_one",
                 {"weight": np.full(len(pre), -proto.w_inh_exc), "delay": np.full(len(pre), dt)})
    for name, group in (("inp", inp), ("exc", exc), ("inh", inh)):
        nest.Connect(group, recs[name])
    conns = nest.GetConnections(inp, exc)
    target = np.asarray(conns.get("target"), dtype=np.int64) - exc_ids[0]
    norm_total = NORM_PER_INPUT * n_in
    build_s = time.perf_counter() - t0

    norm_s = run_s = 0.0
    t_start = time.perf_counter()
    with nest.RunManager():
        for _ in range(n):
            t1 = time.perf_counter()
            if normalise:  # PyNEST reads every synapse's status: the slow part
                w = np.asarray(conns.get("weight"), dtype=np.float64)
                sums = np.bincount(target, weights=w, minlength=n_exc)
                scale = np.divide(norm_total, sums, out=np.ones_like(sums), where=sums > 0)
                conns.set(weight=w * scale[target])
            t2 = time.perf_counter()
            nest.Run(slot)
            run_s += time.perf_counter() - t2
            norm_s += t2 - t1
    counts = _slot_counts(proto, recs["exc"], n, n_exc, int(exc_ids[0]), 0.0)
    assignments = assign_labels(counts.astype(np.float64), y, np.unique(y))
    train_s = time.perf_counter() - t_start
    inp_n, exc_n, inh_n = (recs[k].get("n_events") / n for k in ("inp", "exc", "inh"))

    # predict: learning and threshold adaptation off, the same images once, one Run
    t0 = time.perf_counter()
    t_now = float(nest.biological_time)
    conns.set({"lambda": 0.0})
    if exc_model == "gif_cond_exp":
        exc.set(q_sfa=[0.0])
    for r in recs.values():
        r.n_events = 0
    _set_inputs(proto, gens, rates, t_now)
    with nest.RunManager():
        nest.Run(n * slot)
    counts = _slot_counts(proto, recs["exc"], n, n_exc, int(exc_ids[0]), t_now)
    vote(counts.astype(np.float64), assignments, np.unique(y))
    predict_s = time.perf_counter() - t0
    threads_used = int(nest.local_num_threads)
    nest.ResetKernel()  # frees the network before the next measurement
    return {"build_s": build_s, "train_s": train_s, "sim_s": run_s, "other_s": train_s - run_s,
            "norm_s": norm_s, "predict_s": predict_s, "in_spikes": inp_n,
            "exc_spikes": exc_n, "inh_spikes": inh_n,
            "events": synaptic_events(n_exc, inp_n, exc_n, inh_n),
            "threads_used": threads_used}


# ---------------------------------------------------------------------------------- report
def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as text."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - platform without getloadavg
        return "n/a"


TIME_KEYS = ("build_s", "train_s", "sim_s", "other_s", "predict_s")
COUNT_KEYS = ("in_spikes", "exc_spikes", "inh_spikes", "events")


def summarise(proto: Protocol, peer: str, case: Case, runs: list[dict]) -> dict[str, Any]:
    """One table row: medians over the rounds, with the min and max of every time."""
    n = case.samples
    sim_s = n * proto.slot_ms / 1000.0
    row: dict[str, Any] = {"peer": peer, "n_inputs": case.n_inputs,
                           "n_excitatory": case.n_excitatory, "threads": case.threads,
                           "threads_used": runs[0]["threads_used"], "samples": n,
                           "simulated_s": sim_s, "rounds": len(runs)}
    for key in TIME_KEYS:
        vals = [r[key] for r in runs]
        row[key] = statistics.median(vals)
        row[f"{key}_min"], row[f"{key}_max"] = min(vals), max(vals)
    row["wait_s"] = statistics.median(r["build_s"] + r["train_s"] for r in runs)
    row["train_ms_per_sample"] = 1e3 * row["train_s"] / n
    row["train_s_per_sim_s"] = row["train_s"] / sim_s
    row["sim_s_per_sim_s"] = row["sim_s"] / sim_s
    row["predict_ms_per_sample"] = 1e3 * row["predict_s"] / n
    for key in COUNT_KEYS:
        row[f"{key}_per_sample"] = statistics.median(r[key] for r in runs)
    return row


def _spread(row: dict, key: str) -> str:
    return f"{row[key]:.2f} [{row[key + '_min']:.2f}-{row[key + '_max']:.2f}]"


def print_table(rows: list[dict]) -> None:
    """Two tables: the times (medians, [min-max] over the rounds) and the work done."""
    print(f"{'peer':<17} {'size':>9} {'thr':>3} {'n':>3} {'build_s':>7} "
          f"{'train_s [min-max]':>21} {'sim_s':>6} {'other_s':>7} {'ms/image':>8} "
          f"{'s/sim_s':>7} {'sim/sim_s':>9} {'predict_s [min-max]':>21}")
    for r in rows:
        print(f"{r['peer']:<17} {r['n_inputs']:>4}x{r['n_excitatory']:<4} "
              f"{r['threads_used']:>3} {r['samples']:>3} {r['build_s']:>7.2f} "
              f"{_spread(r, 'train_s'):>21} {r['sim_s']:>6.2f} {r['other_s']:>7.2f} "
              f"{r['train_ms_per_sample']:>8.1f} {r['train_s_per_sim_s']:>7.3f} "
              f"{r['sim_s_per_sim_s']:>9.4f} {_spread(r, 'predict_s'):>21}")
    print("  thr: threads the simulator reports it ran with; n: training images; build_s: "
          "NEST's network construction (ours 0: the compiled binary sets its network up inside "
          "every run, counted in train_s); train_s: the training pass; sim_s: its simulation "
          "loop alone (ours: fit_times_['simulation']; NEST: its nest.Run calls); other_s = "
          "train_s - sim_s (ours: the binary's start-up and network set-up, files, Python; "
          "NEST: the weight normalisation through PyNEST, the read-out); ms/image, s/sim_s: "
          "train_s per training image and per simulated second; sim/sim_s: sim_s per "
          "simulated second; predict_s: one frozen pass over the same images")
    print(f"\n{'peer':<17} {'size':>9} {'thr':>3} {'input spikes':>12} {'exc spikes':>10} "
          f"{'inh spikes':>10} {'synaptic events':>15}   (per image, training pass)")
    for r in rows:
        print(f"{r['peer']:<17} {r['n_inputs']:>4}x{r['n_excitatory']:<4} "
              f"{r['threads_used']:>3} {r['in_spikes_per_sample']:>12.0f} "
              f"{r['exc_spikes_per_sample']:>10.1f} {r['inh_spikes_per_sample']:>10.1f} "
              f"{r['events_per_sample']:>15.0f}")
    print("  from each simulator's own spike counts; synaptic events = input spikes x "
          "n_excitatory + excitatory spikes + inhibitory spikes x (n_excitatory - 1)")


def print_ratios(rows: list[dict]) -> None:
    """``ours / peer`` for every peer row with a matching row of ours."""
    ours = {(r["n_inputs"], r["n_excitatory"], r["threads"]): r
            for r in rows if r["peer"] == "ours"}
    pairs = [(ours[(r["n_inputs"], r["n_excitatory"], r["threads"])], r) for r in rows
             if r["peer"] != "ours" and (r["n_inputs"], r["n_excitatory"], r["threads"]) in ours]
    if not pairs:
        return
    print("\nratios ours / NEST (below 1: ours is faster), from the medians:")
    print(f"  {'peer':<17} {'size':>9} {'thr':>3} {'wait':>6} {'train':>6} {'sim':>6} "
          f"{'predict':>7} {'exc spikes':>10}")
    for o, r in pairs:
        print(f"  {r['peer']:<17} {r['n_inputs']:>4}x{r['n_excitatory']:<4} {r['threads']:>3} "
              f"{o['wait_s'] / r['wait_s']:>6.3f} {o['train_s'] / r['train_s']:>6.3f} "
              f"{o['sim_s'] / r['sim_s']:>6.3f} {o['predict_s'] / r['predict_s']:>7.3f} "
              f"{o['exc_spikes_per_sample'] / max(r['exc_spikes_per_sample'], 1e-9):>10.2f}")
    print("  wait = build_s + train_s (what a user waits for to train; our compile excluded); "
          "train = train_s; sim = sim_s (simulation loops alone); predict = predict_s; "
          "exc spikes: the workload check (near 1 = the same activity)")


def write_csv(path: str, rows: list[dict], meta: dict[str, Any]) -> None:
    """The table, with provenance columns, written atomically (temp file, then rename)."""
    fields = list(rows[0]) + list(meta)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".bench-peers-", suffix=".csv", dir=folder)
    try:
        with os.fdopen(fd, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            for r in rows:
                writer.writerow({**r, **meta})
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


# ---------------------------------------------------------------------------------- main
def _int_list(text: str) -> list[int]:
    try:
        out = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got "
                                         f"{text!r}") from None
    if not out or min(out) < 1:
        raise argparse.ArgumentTypeError(f"expected integers >= 1, got {text!r}")
    return out


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="64 x 100 only, 2 rounds of 32 images (1-2 minutes, builds cached)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="interleaved rounds (default 3, --quick 2)")
    parser.add_argument("--samples", type=int, default=None,
                        help="training images at 64 x 100 (default 64, --quick 32)")
    parser.add_argument("--samples-784", type=int, default=4,
                        help="training images at 784 x 1600 (default 4: NEST's per-image "
                             "weight normalisation through PyNEST takes ~15-30 s there)")
    parser.add_argument("--threads", type=_int_list, default=[1, 2],
                        help="thread counts, comma-separated (default 1,2)")
    parser.add_argument("--nest-exc", choices=(*NEST_EXC_MODELS, "both"), default="iaf_cond_exp",
                        help="NEST excitatory neuron: iaf_cond_exp (fixed threshold, default), "
                             "gif_cond_exp (adaptive threshold) or both")
    parser.add_argument("--nest-norm", choices=("every", "none"), default="every",
                        help="NEST weight normalisation through PyNEST before every image "
                             "(default; the same workload as ours) or none (NEST's simulation "
                             "alone; the weights then drift from ours)")
    parser.add_argument("--out", default=None, help="also write the table as CSV to this file")
    args = parser.parse_args(argv)
    args.rounds = args.rounds if args.rounds is not None else (2 if args.quick else 3)
    args.samples = args.samples if args.samples is not None else (32 if args.quick else 64)
    if args.rounds < 1 or args.samples < 4 or args.samples_784 < 4:
        parser.error("--rounds must be >= 1, --samples and --samples-784 >= 4")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    sizes = [(64, 100, args.samples)] + ([] if args.quick else [(784, 1600, args.samples_784)])
    cases = [Case(n_in, n_exc, t, n) for n_in, n_exc, n in sizes for t in args.threads]

    import brian2

    proto = Protocol.from_classifier()
    nest = nest_module()
    peers: dict[str, Callable[[Case, np.ndarray, np.ndarray, int], dict]] = {"ours": run_ours}
    if nest is not None:
        models = list(NEST_EXC_MODELS) if args.nest_exc == "both" else [args.nest_exc]
        norm = args.nest_norm == "every"
        for m in models:
            peers[f"nest {m}" + ("" if norm else " nonorm")] = (
                lambda c, X, y, s, m=m: run_nest(nest, proto, c, X, y, s, m, normalise=norm))
    load_start = load_average()
    print(f"python {sys.version.split()[0]}, brian2 {brian2.__version__}, "
          f"nest {getattr(nest, '__version__', 'not installed')}, {os.cpu_count()} CPUs; "
          f"load average at start (1/5/15 min): {load_start}")
    data = {n_in: images(n_in, max(c.samples for c in cases if c.n_inputs == n_in))
            for n_in in sorted({c.n_inputs for c in cases})}

    print("warm-up, untimed: every build of ours compiled or loaded, one small NEST run")
    for case in cases:
        compile_s = warm_ours(case, *data[case.n_inputs])
        print(f"  ours {case.label}: compile {compile_s:.1f} s (0: the build was cached); "
              "excluded from every time below", flush=True)
    for name, run in peers.items():
        if name != "ours":
            run(Case(64, 10, 1, 4), *images(64, 4), 0)

    results: dict[tuple[str, Case], list[dict]] = {}
    names = list(peers)
    for rnd in range(args.rounds):
        order = names if rnd % 2 == 0 else names[::-1]  # alternate who goes first
        for case in cases:
            X, y = (a[:case.samples] for a in data[case.n_inputs])
            for name in order:
                t0 = time.perf_counter()
                results.setdefault((name, case), []).append(peers[name](case, X, y, rnd))
                print(f"  round {rnd + 1}/{args.rounds} {case.label:<13} {name:<17} "
                      f"{time.perf_counter() - t0:7.1f} s", flush=True)
    load_end = load_average()

    rows = [summarise(proto, name, case, results[(name, case)])
            for case in cases for name in names]
    print(f"\n{args.rounds} interleaved rounds; one training pass with learning on, "
          f"{proto.presentation_ms:g} ms + {proto.rest_ms:g} ms per image, dt "
          f"{proto.dt_ms:g} ms, input rates summing to {proto.input_rate_hz:g} Hz per "
          "image, no re-shows, weights normalised before every image"
          f"{'' if args.nest_norm == 'every' else ' (not in NEST: --nest-norm none)'}; "
          "64 inputs: the 8x8 digits, 784: the same digits upsampled to 28x28")
    print_table(rows)
    print_ratios(rows)
    print(f"\nload average (1/5/15 min) at start: {load_start}; at end: {load_end}; "
          f"{os.cpu_count()} CPUs")
    if args.out:
        write_csv(args.out, rows, {"load_avg_start": load_start, "load_avg_end": load_end,
                                   "brian2": brian2.__version__,
                                   "nest": getattr(nest, "__version__", ""),
                                   "cpus": os.cpu_count()})
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
