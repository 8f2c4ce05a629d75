"""Engines that run one block of presentations: compiled (``cpp_standalone``) or runtime.

Both engines expose :meth:`run_chunk`: present up to :meth:`capacity` samples in one simulation
(see :mod:`neurosim.network`; it stops by itself when the last sample is done) starting from
given weights and thresholds, and return the new state and what the network did.

:class:`StandaloneEngine` generates and compiles C++ once per network structure
(:mod:`neurosim.buildcache`). Running a cached build never touches Brian2: the binary is started
with ``run_args`` on its command line (values, or raw arrays in temporary files) and the results
are read back with ``numpy.fromfile`` using a manifest written at build time. Each run pays for
a process start and file I/O on top of the simulation; :attr:`ChunkResult.times` says how much.

:class:`RuntimeEngine` runs the same objects with Brian2's runtime device (``numpy`` target):
no compiler needed, fine for tiny networks, slow for big ones.

A ``learning_rule="rstdp"`` network (:mod:`neurosim.network`) takes more run-time values
(``_RSTDP_ARGS``: the label table, indexed by sample like the stimulus, and the reward's
settings and running mean from :class:`RunSettings`) and returns more results
(``_RSTDP_RESULTS``: presentations rewarded and punished, the running mean at the end);
``run_chunk(labels=...)`` passes each sample's class index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import brian2 as b2
import numpy as np

from neurosim.buildcache import (
    MANIFEST,
    BuildError,
    cached_build,
    compiler_available,
    compiler_name,
)
from neurosim.network import NetworkObjects, NetworkSpec, build_objects, model_variables, spec_key

__all__ = ["ChunkResult", "RunSettings", "StandaloneEngine", "RuntimeEngine", "make_engine",
           "WAIT_POLICY_ENV", "wait_policy", "omp_wait_policy"]

_LOG = "build.log"


@dataclass
class ChunkResult:
    """What one simulation produced.

    Attributes
    ----------
    w : ndarray (n_inputs * n_excitatory,)
        Input weights after the run, synapse ``k = i * n_excitatory + j``.
    theta_mV : ndarray (n_excitatory,)
        Adaptive thresholds after the run (mV).
    spike_i, spike_step : ndarray (n_spikes,)
        Excitatory spikes: neuron index and time step since the start of the run.
    slot_k, slot_reps : ndarray (n_slots,)
        Sample shown in each simulated slot (index into the run's block; ``>= n_valid`` means
        the run was over) and how many times it had been shown before.
    input_counts : ndarray (n_inputs,)
        Spikes of each input over the run.
    inh_spikes : int
        Inhibitory spikes over the run.
    footprint_bytes : int
        Bytes of the model's arrays as the simulator allocated them
        (:func:`neurosim.network.model_variables`).
    wall_s : float
        Wall time of the whole call.
    times : dict of str to float
        Where ``wall_s`` went (s): ``simulation`` (the run loop), ``process`` (the rest of the
        binary's life: start-up, network set-up, writing results), ``io`` (arguments and
        results files in Python), ``python`` (the rest).
    rewarded, punished : int
        ``learning_rule="rstdp"`` only (else 0): presentations whose first excitatory spike
        came from a neuron of the sample's class, and from a neuron of another class
        (labelled samples only; counted with learning on or off).
    reward_baseline : float
        ``learning_rule="rstdp"`` only (else 0): the running mean of the outcomes (+1/-1) at
        the end of the run, the next run's ``settings.reward_baseline``.
    """

    w: np.ndarray
    theta_mV: np.ndarray
    spike_i: np.ndarray
    spike_step: np.ndarray
    slot_k: np.ndarray
    slot_reps: np.ndarray
    input_counts: np.ndarray
    inh_spikes: int
    footprint_bytes: int
    wall_s: float
    times: dict = field(default_factory=dict)
    rewarded: int = 0
    punished: int = 0
    reward_baseline: float = 0.0


@dataclass(frozen=True)
class RunSettings:
    """Run-time values of one presentation pass (no recompilation needed to change them).

    Attributes
    ----------
    learn : bool
        STDP, threshold adaptation and weight normalisation on (training) or off.
    boost : float
        Re-show gain: the ``r``-th re-show of a sample multiplies its input rates by
        ``1 + r * boost`` (>= 0).
    min_spikes, max_repeats : int
        Show a sample again while its presentation gave fewer than ``min_spikes`` excitatory
        spikes, at most ``max_repeats`` times.
    norm_total : float
        Target sum of each neuron's input weights.
    theta_plus_mV, a_plus, a_minus : float
        Threshold increment per spike and STDP learning rates.
    n_classes : int
        ``learning_rule="rstdp"`` only: excitatory neuron ``j`` stands for class index
        ``j mod n_classes`` (>= 1; ignored by ``"stdp"`` networks).
    winner_only : bool
        ``learning_rule="rstdp"`` only: the reward reaches only the synapses of the
        presentation's winner (the first neuron to spike), not every neuron's.
    baseline_rate : float
        ``learning_rule="rstdp"`` only: with a rate in ``(0, 1]`` the reward is the outcome
        less its running mean ``rbar`` (``rbar += baseline_rate * (outcome - rbar)`` after every
        presentation that had an outcome); 0 = the bare outcome, +1 or -1.
    reward_baseline : float
        ``rbar`` at the start of the run, in ``[-1, 1]``.
    """

    learn: bool
    boost: float
    min_spikes: int
    max_repeats: int
    norm_total: float
    theta_plus_mV: float
    a_plus: float
    a_minus: float
    n_classes: int = 1
    winner_only: bool = True
    baseline_rate: float = 0.0
    reward_baseline: float = 0.0


def _values(settings: RunSettings, n_valid: int, seed: int) -> dict[str, Any]:
    """Scalar run-time values of one run, by logical name (see ``_ARGS``)."""
    st = settings
    return {
        "n_valid": int(n_valid),
        "plastic": float(st.learn),
        "adapt": float(st.learn),
        "norm_on": float(st.learn),
        "norm_total": float(st.norm_total),
        "min_spikes": int(st.min_spikes),
        "max_repeats": int(st.max_repeats),
        "rng_seed": int(seed) % (2**31 - 1),
        "boost": float(st.boost),
        "theta_plus": float(st.theta_plus_mV) * 1e-3,
        "a_plus": float(st.a_plus),
        "a_minus": float(st.a_minus),
    }


def _rstdp_values(settings: RunSettings) -> dict[str, Any]:
    """The scalar run-time values a ``learning_rule="rstdp"`` network adds (see
    ``_RSTDP_ARGS``)."""
    st = settings
    if st.n_classes < 1:
        raise ValueError(f"settings.n_classes must be >= 1, got {st.n_classes}")
    if not 0.0 <= st.baseline_rate <= 1.0 or not -1.0 <= st.reward_baseline <= 1.0:
        raise ValueError(f"settings.baseline_rate must lie in [0, 1] and reward_baseline in "
                         f"[-1, 1], got {st.baseline_rate} and {st.reward_baseline}")
    return {"n_cls": int(st.n_classes), "learn_on": int(st.learn),
            "winner_only": int(st.winner_only), "baseline_rate": float(st.baseline_rate),
            "rbar": float(st.reward_baseline)}


# Run-time arguments: logical name -> (object attribute of NetworkObjects, variable name).
_ARGS = {
    "stim": ("stim", None),
    "skey": ("skey", None),
    "w": ("input_exc", "w"),
    "plastic": ("input_exc", "plastic"),
    "wsum": ("exc", "wsum"),
    "theta": ("exc", "theta"),
    "adapt": ("exc", "adapt"),
    "norm_on": ("exc", "norm_on"),
    "norm_total": ("exc", "norm_total"),
    "n_valid": ("ctrl", "n_valid"),
    "min_spikes": ("ctrl", "min_spikes"),
    "max_repeats": ("ctrl", "max_repeats"),
    "rng_seed": ("ctrl", "rng_seed"),
    "boost": ("ctrl", "boost"),
    "theta_plus": ("exc", "theta_plus"),
    "a_plus": ("input_exc", "a_plus"),
    "a_minus": ("input_exc", "a_minus"),
}
# Results: logical name -> (object attribute, variable name).
_RESULTS = {
    "w": ("input_exc", "w"),
    "theta": ("exc", "theta"),
    "spike_i": ("exc_mon", "i"),
    "spike_t": ("exc_mon", "t"),
    "slot_k": ("slot_mon", "k"),
    "slot_reps": ("slot_mon", "reps"),
    "inp_count": ("inp_count", "count"),
    "inh_count": ("inh_count", "count"),
}
# What learning_rule="rstdp" adds to both (see neurosim.network): the label table (indexed by
# sample like "stim"), the class count, the reward switch; the outcome counts.
_RSTDP_ARGS = {
    "labels": ("labels", None),
    "n_cls": ("ctrl", "n_cls"),
    "learn_on": ("ctrl", "learn_on"),
    "winner_only": ("ctrl", "winner_only"),
    "baseline_rate": ("ctrl", "baseline_rate"),
    "rbar": ("ctrl", "rbar"),
}
_RSTDP_RESULTS = {
    "n_rewarded": ("ctrl", "n_rewarded"),
    "n_punished": ("ctrl", "n_punished"),
    "rbar": ("ctrl", "rbar"),
}


def _manifest_entries(spec: NetworkSpec) -> tuple[dict, dict]:
    """The run-time arguments and results of ``spec``'s network."""
    if spec.learning_rule == "rstdp":
        return {**_ARGS, **_RSTDP_ARGS}, {**_RESULTS, **_RSTDP_RESULTS}
    return _ARGS, _RESULTS


class _Engine:
    """What both engines share: the spec, the block capacity, and the block's checks."""

    spec: NetworkSpec

    def capacity(self, max_repeats: int) -> int:
        """Samples one run can take when each may be shown ``max_repeats + 1`` times."""
        return max(1, min(self.spec.chunk_samples, self.spec.chunk_slots // (max_repeats + 1)))

    def _block(self, rates_hz: np.ndarray, settings: RunSettings) -> np.ndarray:
        """The stimulus table of one run: ``rates_hz`` padded with silent rows."""
        rates = np.asarray(rates_hz, dtype=np.float64)
        cap = self.capacity(settings.max_repeats)
        if rates.ndim != 2 or rates.shape[1] != self.spec.n_inputs or not 1 <= len(rates) <= cap:
            raise ValueError(f"rates_hz must have shape (1..{cap}, {self.spec.n_inputs}), got "
                             f"{rates.shape}")
        block = np.zeros((self.spec.chunk_samples, self.spec.n_inputs))
        block[: len(rates)] = rates
        return block

    def _key_block(self, keys: np.ndarray, n_valid: int) -> np.ndarray:
        """The sample-key table of one run: ``keys`` padded with zero rows."""
        keys = np.asarray(keys, dtype=np.float64)
        if keys.shape != (n_valid, 2):
            raise ValueError(f"keys must have shape ({n_valid}, 2), one key per sample, got "
                             f"{keys.shape}")
        table = np.zeros((self.spec.chunk_samples, 2))
        table[:n_valid] = keys
        return table

    def _label_block(self, labels: np.ndarray | None, n_valid: int,
                     settings: RunSettings) -> np.ndarray | None:
        """The label table of one run (``"rstdp"`` networks): class indices padded with -1
        (unlabelled: no reward); ``None`` for ``"stdp"`` networks, which take no labels."""
        if self.spec.learning_rule != "rstdp":
            if labels is not None:
                raise ValueError("labels are read only by learning_rule='rstdp' networks; "
                                 "pass labels=None")
            return None
        table = np.full(self.spec.chunk_samples, -1.0)
        if labels is not None:
            lab = np.asarray(labels)
            if lab.shape != (n_valid,) or not np.issubdtype(lab.dtype, np.integer):
                raise ValueError(f"labels must be {n_valid} integer class indices (one per row "
                                 f"of rates_hz), got shape {lab.shape}, dtype {lab.dtype}")
            if lab.size and (lab.min() < -1 or lab.max() >= settings.n_classes):
                raise ValueError(f"labels must lie in [-1, n_classes={settings.n_classes}), "
                                 f"got [{lab.min()}, {lab.max()}]")
            table[:n_valid] = lab
        return table


def _build(spec: NetworkSpec, target: Path) -> None:
    """Generate and compile ``spec`` into the empty directory ``target``."""
    from brian2.devices.device import device, get_device, reset_device

    old_dt = b2.defaultclock.dt
    prefs = b2.prefs.devices.cpp_standalone
    old_threads, old_make = prefs.openmp_threads, prefs.extra_make_args_unix
    previous = get_device()
    t0 = time.perf_counter()
    b2.set_device("cpp_standalone", directory=str(target), build_on_run=False)
    try:
        dev = get_device()
        prefs.openmp_threads = spec.threads
        prefs.extra_make_args_unix = ["-j2", f"> {_LOG} 2>&1"]
        objs = build_objects(spec, np.zeros((spec.chunk_samples, spec.n_inputs)))
        dev.apply_run_args()
        arr = dev.get_array_name(objs.ctrl.variables["rng_seed"])
        n_gen = max(spec.threads, 1)
        dev.insert_code(
            "main",
            f"for (int _i=0; _i<{n_gen}; _i++) brian::_random_generators[_i].seed("
            f"(unsigned long)brian::{arr}[0] * 7919UL + (unsigned long)_i);",
        )
        duration = spec.chunk_slots * (spec.presentation_ms + spec.rest_ms) * b2.ms
        objs.network.run(duration, namespace={})
        t_generate = time.perf_counter() - t0
        try:
            dev.build(directory=str(target), compile=True, run=False, with_output=False)
        except RuntimeError as exc:
            log = target.parent / f"{target.name.split('.')[0]}.failed-{_LOG}"
            if (target / _LOG).is_file():  # keep the log: the build directory is removed
                shutil.copyfile(target / _LOG, log)
            raise BuildError(
                f"compiling the standalone network failed with compiler {compiler_name()!r}; "
                f"see the build log {log}. Fix the compiler set-up (e.g. set $CXX) or pass "
                f"backend='numpy' to run without compiling. ({exc})"
            ) from exc
        manifest: dict[str, Any] = {
            "args": {}, "results": {}, "spec": spec.to_dict(),
            "footprint_files": sorted({dev.get_array_filename(v) for v in model_variables(objs)}),
            "build_s": {"generate": t_generate, "compile": time.perf_counter() - t0 - t_generate},
        }
        args, results = _manifest_entries(spec)
        for key, (obj, var) in args.items():
            owner = getattr(objs, obj)
            if var is None:
                manifest["args"][key] = {"name": f"{owner.name}.values", "dtype": "float64"}
            else:
                v = owner.variables[var]
                manifest["args"][key] = {"name": f"{owner.name}.{var}",
                                         "dtype": np.dtype(v.dtype).str}
        for key, (obj, var) in results.items():
            if getattr(objs, obj) is None:  # no inhibitory population ("wta")
                continue
            v = getattr(objs, obj).variables[var]
            manifest["results"][key] = {"file": dev.get_array_filename(v),
                                        "dtype": np.dtype(v.dtype).str}
        (target / MANIFEST).write_text(json.dumps(manifest, indent=1))
    finally:
        prefs.openmp_threads, prefs.extra_make_args_unix = old_threads, old_make
        device.reinit()
        reset_device(previous if previous.__class__.__name__ != "CPPStandaloneDevice"
                     else "runtime")
        b2.defaultclock.dt = old_dt


#: The environment variable that chooses the OpenMP wait policy of every multi-threaded
#: compiled network, by situation: ``PASSIVE`` (a thread waiting at a barrier sleeps) when
#: several jobs share the cores, as the runner's parallel jobs do: a spinning thread then holds
#: a core another job needs, and a thread that was descheduled keeps the others spinning;
#: ``ACTIVE`` (waiting threads spin) or unset (the OpenMP runtime's own default, which spins a
#: while before sleeping) for a model that runs alone, as in the timing phase. Measured (bare
#: Brian2 standalone, 2 threads, ms per sample, 64x100 / 784x1600): default or active 17-21 /
#: 90-95, passive 770-830 / 990-1,060 (serial: 5.2 / 69-75). Read by every run of a binary;
#: a user's own ``OMP_WAIT_POLICY`` always wins. Set it with :func:`omp_wait_policy`.
WAIT_POLICY_ENV = "BRAIN_VS_ANN_OMP_WAIT_POLICY"
_POLICIES = ("PASSIVE", "ACTIVE")


def wait_policy() -> str | None:
    """The OpenMP wait policy a multi-threaded binary runs with now: ``"PASSIVE"``,
    ``"ACTIVE"`` or None (the runtime's default); a user's ``OMP_WAIT_POLICY`` first, then
    :data:`WAIT_POLICY_ENV`.

    Raises
    ------
    ValueError
        :data:`WAIT_POLICY_ENV` holds something else (an empty value or ``default`` is None).
    """
    user = os.environ.get("OMP_WAIT_POLICY")
    if user:
        return user.upper()
    value = os.environ.get(WAIT_POLICY_ENV, "").strip().upper()
    if value in ("", "DEFAULT"):
        return None
    if value not in _POLICIES:
        raise ValueError(f"{WAIT_POLICY_ENV} must be PASSIVE, ACTIVE or default, got "
                         f"{os.environ[WAIT_POLICY_ENV]!r}")
    return value


class omp_wait_policy:  # lower case: used like a function, ``with omp_wait_policy(...)``
    """Context manager (and plain setter) of :data:`WAIT_POLICY_ENV` for this process and the
    processes it starts afterwards: ``with omp_wait_policy("PASSIVE"): ...`` (None: the
    runtime's default). The previous value is restored on leaving the ``with`` block.

    Parameters
    ----------
    policy : {"PASSIVE", "ACTIVE", None}
    """

    def __init__(self, policy: str | None) -> None:
        if policy is not None and str(policy).upper() not in _POLICIES:
            raise ValueError(f"policy must be 'PASSIVE', 'ACTIVE' or None, got {policy!r}")
        self.policy = None if policy is None else str(policy).upper()
        self._old = os.environ.get(WAIT_POLICY_ENV)
        self._set(self.policy)

    @staticmethod
    def _set(value: str | None) -> None:
        if value is None:
            os.environ.pop(WAIT_POLICY_ENV, None)
        else:
            os.environ[WAIT_POLICY_ENV] = value

    def __enter__(self) -> omp_wait_policy:
        return self

    def __exit__(self, *exc: object) -> None:
        self._set(self._old)


def _subprocess_env(threads: int) -> dict[str, str] | None:
    """Environment of the binary: the wait policy of :func:`wait_policy` for two or more
    threads (None: this process's environment as it is)."""
    if threads < 2 or "OMP_WAIT_POLICY" in os.environ:
        return None
    policy = wait_policy()
    return None if policy is None else {**os.environ, "OMP_WAIT_POLICY": policy}


class StandaloneEngine(_Engine):
    """Runs blocks with the cached compiled binary of ``spec``.

    Attributes
    ----------
    spec : NetworkSpec
    path : Path
        Build directory.
    compile_s : float
        Seconds spent building when this engine was created (0 on a cache hit).
    """

    backend = "cpp_standalone"

    def __init__(self, spec: NetworkSpec) -> None:
        ok, why = compiler_available()
        if not ok:
            raise BuildError(f"cannot compile the standalone network: {why}")
        self.spec = spec.structural()
        key = spec_key(self.spec, {"compiler": compiler_name(), "platform": sys.platform})
        t0 = time.perf_counter()
        self.path, built = cached_build(key, lambda d: _build(self.spec, d))
        self.compile_s = time.perf_counter() - t0 if built else 0.0
        self.manifest = json.loads((self.path / MANIFEST).read_text())

    def run_chunk(self, rates_hz: np.ndarray, *, w: np.ndarray, theta_mV: np.ndarray,
                  settings: RunSettings, keys: np.ndarray,
                  labels: np.ndarray | None = None) -> ChunkResult:
        """Present every row of ``rates_hz`` in one run of the binary.

        Parameters
        ----------
        rates_hz : ndarray (n_valid, n_inputs)
            Input rates of each sample (Hz), ``1 <= n_valid <= capacity(max_repeats)``.
        w : ndarray (n_inputs * n_excitatory,)
            Initial input weights.
        theta_mV : ndarray (n_excitatory,)
            Initial adaptive thresholds.
        settings : RunSettings
            Learning switch, re-show rule, normalisation and learning rates.
        keys : ndarray (n_valid, 2)
            Each sample's input-noise key (:func:`neurosim.sample_noise.sample_keys`): its
            Poisson spikes are a function of the key, not of the run.
        labels : ndarray (n_valid,) of int, optional
            ``learning_rule="rstdp"`` only: each sample's class index in
            ``[0, settings.n_classes)``, ``-1`` for unlabelled (no reward); default all -1.

        Returns
        -------
        ChunkResult
        """
        spec = self.spec
        t0 = time.perf_counter()
        block = self._block(rates_hz, settings)
        label_block = self._label_block(labels, len(rates_hz), settings)
        w = np.ascontiguousarray(w, dtype=np.float64)
        arrays = {
            "stim": block,
            "skey": self._key_block(keys, len(rates_hz)),
            "w": w,
            "wsum": w.reshape(spec.n_inputs, spec.n_excitatory).sum(axis=0),
            "theta": np.asarray(theta_mV, dtype=np.float64) * 1e-3,
        }
        values = _values(settings, len(rates_hz), 0)
        if label_block is not None:
            arrays["labels"] = label_block
            values.update(_rstdp_values(settings))
        with tempfile.TemporaryDirectory(prefix="snn-run-") as tmp:
            args = [f"{self.manifest['args'][k]['name']}={v!r}" for k, v in values.items()]
            for key, arr in arrays.items():
                a = self.manifest["args"][key]
                fname = os.path.join(tmp, f"{key}.dat")
                np.ascontiguousarray(arr, dtype=np.dtype(a["dtype"])).tofile(fname)
                args.append(f"{a['name']}={fname}")
            res = os.path.join(tmp, "results") + os.sep
            os.mkdir(res)
            t1 = time.perf_counter()
            proc = subprocess.run([str(self.path / "main"), "--results_dir", res, *args],
                                  cwd=self.path, capture_output=True, text=True,
                                  env=_subprocess_env(spec.threads))
            t2 = time.perf_counter()
            if proc.returncode != 0:
                raise RuntimeError(
                    f"the compiled network {self.path / 'main'} failed (exit "
                    f"{proc.returncode}): {proc.stderr[-2000:] or proc.stdout[-2000:]}"
                )
            out = {key: np.fromfile(os.path.join(res, r["file"]), dtype=np.dtype(r["dtype"]))
                   for key, r in self.manifest["results"].items()}
            footprint = sum(os.path.getsize(os.path.join(res, f))
                            for f in self.manifest["footprint_files"])
            sim_s = _last_run_time(res)
        t3 = time.perf_counter()
        dt_s = spec.dt_ms * 1e-3
        result = ChunkResult(
            w=out["w"].astype(np.float64),
            theta_mV=out["theta"] * 1e3,
            spike_i=out["spike_i"].astype(np.int64),
            spike_step=np.rint(out["spike_t"] / dt_s).astype(np.int64),
            slot_k=out["slot_k"].astype(np.int64),
            slot_reps=out["slot_reps"].astype(np.int64),
            input_counts=out["inp_count"].astype(np.int64),
            inh_spikes=int(out["inh_count"].sum()) if "inh_count" in out else 0,
            footprint_bytes=int(footprint),
            wall_s=0.0,
            rewarded=int(out["n_rewarded"][0]) if "n_rewarded" in out else 0,
            punished=int(out["n_punished"][0]) if "n_punished" in out else 0,
            reward_baseline=float(out["rbar"][0]) if "rbar" in out else 0.0,
        )
        result.wall_s = time.perf_counter() - t0
        result.times = {"simulation": sim_s, "process": (t2 - t1) - sim_s,
                        "io": (t1 - t0) + (t3 - t2), "python": result.wall_s - (t3 - t0)}
        return result


def _last_run_time(results_dir: str) -> float:
    """Seconds the binary spent in its run loop (Brian2 writes ``last_run_info.txt``)."""
    try:
        with open(os.path.join(results_dir, "last_run_info.txt")) as fh:
            return float(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


class RuntimeEngine(_Engine):
    """Runs blocks with Brian2's runtime device (``numpy`` code generation, no compiler).

    The network is built once per engine; every run restores the state it was built with, as a
    fresh start of the compiled binary does, so both engines follow the same protocol.
    """

    backend = "numpy"
    compile_s = 0.0

    def __init__(self, spec: NetworkSpec) -> None:
        self.spec = spec.structural()
        self._objs: NetworkObjects | None = None
        self._stim_values: np.ndarray | None = None
        self._label_values: np.ndarray | None = None

    def _objects(self) -> NetworkObjects:
        if self._objs is None:
            from brian2.devices.device import get_device

            if get_device().__class__.__name__ != "RuntimeDevice":
                b2.set_device("runtime")
            old, old_dt = b2.prefs.codegen.target, b2.defaultclock.dt
            b2.prefs.codegen.target = "numpy"
            try:
                self._stim_values = np.zeros((self.spec.chunk_samples, self.spec.n_inputs))
                objs = build_objects(self.spec, self._stim_values)
                if objs.labels is not None:
                    self._label_values = objs.labels.values
                objs.network.store("initial")
            finally:
                b2.prefs.codegen.target = old
                b2.defaultclock.dt = old_dt
            self._objs = objs
        return self._objs

    def _footprint(self, objs: NetworkObjects) -> int:
        dev = b2.get_device()
        arrays = {id(a): a for a in (dev.arrays[v] for v in model_variables(objs))}
        return int(sum(np.asarray(a).nbytes for a in arrays.values()))

    def run_chunk(self, rates_hz: np.ndarray, *, w: np.ndarray, theta_mV: np.ndarray,
                  settings: RunSettings, keys: np.ndarray,
                  labels: np.ndarray | None = None) -> ChunkResult:
        """Same contract as :meth:`StandaloneEngine.run_chunk`."""
        spec = self.spec
        t0 = time.perf_counter()
        block = self._block(rates_hz, settings)
        label_block = self._label_block(labels, len(rates_hz), settings)
        objs = self._objects()
        net = objs.network
        old, old_dt = b2.prefs.codegen.target, b2.defaultclock.dt
        b2.prefs.codegen.target = "numpy"
        b2.defaultclock.dt = spec.dt_ms * b2.ms
        try:
            net.restore("initial")
            # the TimedArray's table is read at every call: refill it in place
            self._stim_values[:] = block
            objs.stim.values[:] = self._stim_values
            objs.skey.values[:] = self._key_block(keys, len(rates_hz))
            w = np.asarray(w, dtype=np.float64)
            objs.input_exc.w = w
            objs.exc.wsum = w.reshape(spec.n_inputs, spec.n_excitatory).sum(axis=0)
            objs.exc.theta = np.asarray(theta_mV, dtype=np.float64) * b2.mV
            values = _values(settings, len(rates_hz), 0)
            for key in ("plastic", "adapt", "norm_on", "norm_total", "n_valid", "min_spikes",
                        "max_repeats", "boost", "a_plus", "a_minus"):
                obj, var = _ARGS[key]
                if var in getattr(objs, obj).variables:  # "adapt" only exists if adaptive
                    setattr(getattr(objs, obj), var, values[key])
            if "theta_plus" in objs.exc.variables:
                objs.exc.theta_plus = values["theta_plus"] * b2.volt
            if label_block is not None:
                self._label_values[:] = label_block  # read at every call, as the stimulus
                for key, value in _rstdp_values(settings).items():
                    setattr(objs.ctrl, _RSTDP_ARGS[key][1], value)
            b2.seed(values["rng_seed"])
            t1 = time.perf_counter()
            net.run(spec.chunk_slots * (spec.presentation_ms + spec.rest_ms) * b2.ms,
                    namespace={})
            t2 = time.perf_counter()
        finally:
            b2.prefs.codegen.target = old
            b2.defaultclock.dt = old_dt
        dt_s = spec.dt_ms * 1e-3
        result = ChunkResult(
            w=np.array(objs.input_exc.w[:], dtype=np.float64),
            theta_mV=np.array(objs.exc.theta[:] / b2.mV, dtype=np.float64),
            spike_i=np.array(objs.exc_mon.i[:], dtype=np.int64),
            spike_step=np.rint(np.asarray(objs.exc_mon.t[:] / b2.second) / dt_s).astype(
                np.int64),
            slot_k=np.array(objs.slot_mon.k[0], dtype=np.int64),
            slot_reps=np.array(objs.slot_mon.reps[0], dtype=np.int64),
            input_counts=np.array(objs.inp_count.count[:], dtype=np.int64),
            inh_spikes=(0 if objs.inh_count is None
                        else int(np.sum(objs.inh_count.count[:]))),
            footprint_bytes=self._footprint(objs),
            wall_s=0.0,
            rewarded=int(objs.ctrl.n_rewarded[0]) if label_block is not None else 0,
            punished=int(objs.ctrl.n_punished[0]) if label_block is not None else 0,
            reward_baseline=(float(objs.ctrl.rbar[0]) if label_block is not None else 0.0),
        )
        result.wall_s = time.perf_counter() - t0
        result.times = {"simulation": t2 - t1, "process": 0.0, "io": 0.0,
                        "python": result.wall_s - (t2 - t1)}
        return result


def make_engine(spec: NetworkSpec, backend: str) -> StandaloneEngine | RuntimeEngine:
    """Engine for ``backend`` (``"auto"``, ``"cpp_standalone"`` or ``"numpy"``).

    ``"auto"`` compiles when a C++ compiler and ``make`` are available and otherwise falls back
    to ``"numpy"`` with a :class:`RuntimeWarning` that says why.
    """
    if backend == "numpy":
        return RuntimeEngine(spec)
    if backend == "auto":
        ok, why = compiler_available()
        if not ok:
            warnings.warn(f"falling back to the slow runtime backend 'numpy': {why}",
                          RuntimeWarning, stacklevel=3)
            return RuntimeEngine(spec)
    return StandaloneEngine(spec)
