"""Compiled (``cpp_standalone``) and runtime engines that run one block of presentations.

Both engines expose :meth:`run_chunk`: present up to ``chunk_samples`` samples in one
simulation of ``chunk_slots`` slots (see :mod:`neurosim.network`) starting from given weights
and thresholds, and return the new state and what the excitatory neurons did.

:class:`StandaloneEngine` generates and compiles C++ once per network structure and caches the
build in ``$BRAIN_VS_ANN_CACHE`` (default ``~/.cache/brain-vs-ann``) under a hash of the
structure (:func:`neurosim.network.spec_key`). A build happens under a per-key file lock, into a
temporary directory that is then renamed, so processes of a pool can share the cache. Running a
cached build never touches Brian2: the binary is started with ``run_args`` on its command line
(values, or raw arrays in temporary files) and the results are read back with
``numpy.fromfile`` using a manifest written at build time. One run costs ~20 ms of process start
and file I/O on top of the simulation itself.

:class:`RuntimeEngine` runs the same objects with Brian2's runtime device (``numpy`` target):
no compiler needed, fine for tiny networks, slow for big ones.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brian2 as b2
import numpy as np

from neurosim.network import CTRL_INIT, NetworkObjects, NetworkSpec, build_objects, spec_key

__all__ = [
    "CACHE_ENV",
    "ChunkResult",
    "RunSettings",
    "BuildError",
    "StandaloneEngine",
    "RuntimeEngine",
    "cache_dir",
    "compiler_available",
    "make_engine",
]

#: Environment variable that overrides the build-cache directory.
CACHE_ENV = "BRAIN_VS_ANN_CACHE"

_MANIFEST = "brain_vs_ann_manifest.json"
_LOG = "build.log"


class BuildError(RuntimeError):
    """The C++ build of a standalone network failed (the message names compiler and log)."""


@dataclass
class ChunkResult:
    """What one simulation of ``chunk_slots`` slots produced.

    Attributes
    ----------
    w : ndarray (n_inputs * n_excitatory,)
        Input weights after the run, synapse ``k = i * n_excitatory + j``.
    theta_mV : ndarray (n_excitatory,)
        Adaptive thresholds after the run (mV).
    spike_i, spike_step : ndarray (n_spikes,)
        Excitatory spikes: neuron index and time step since the start of the run.
    slot_k, slot_reps : ndarray (chunk_slots,)
        Sample shown in each slot (relative to the chunk's first sample; ``>= n_valid`` means
        idle) and how many times it had already been repeated.
    k_next, reps_next : int
        Schedule after the last slot: number of samples completed, repeats pending for the next.
    input_spikes, inh_spikes : int
        Total input and inhibitory spikes in the run.
    wall_s : float
        Wall time of the run, including process start and I/O.
    """

    w: np.ndarray
    theta_mV: np.ndarray
    spike_i: np.ndarray
    spike_step: np.ndarray
    slot_k: np.ndarray
    slot_reps: np.ndarray
    k_next: int
    reps_next: int
    input_spikes: int
    inh_spikes: int
    wall_s: float


@dataclass(frozen=True)
class RunSettings:
    """Run-time values of one presentation pass (no recompilation needed to change them).

    Attributes
    ----------
    learn : bool
        STDP, threshold adaptation and weight normalisation on (training) or off.
    rate_max_hz, rate_boost_hz : float
        Rate of an intensity-1 input, and its increase per repeat of a sample.
    min_spikes, max_repeats : int
        Repeat a sample while its presentation gave fewer than ``min_spikes`` excitatory
        spikes, at most ``max_repeats`` times.
    norm_total : float
        Target sum of each neuron's input weights.
    theta_plus_mV, a_plus, a_minus : float
        Threshold increment per spike and STDP learning rates.
    """

    learn: bool
    rate_max_hz: float
    rate_boost_hz: float
    min_spikes: int
    max_repeats: int
    norm_total: float
    theta_plus_mV: float
    a_plus: float
    a_minus: float


def cache_dir() -> Path:
    """The build-cache directory: ``$BRAIN_VS_ANN_CACHE`` or ``~/.cache/brain-vs-ann``."""
    env = os.environ.get(CACHE_ENV)
    base = Path(env).expanduser() if env else Path.home() / ".cache" / "brain-vs-ann"
    return base / "snn-builds"


def _compiler_name() -> str:
    return os.environ.get("CXX") or sysconfig.get_config_var("CXX") or "c++"


def compiler_available() -> tuple[bool, str]:
    """Whether a C++ compiler and ``make`` are on ``PATH``; with a reason when not."""
    if sys.platform.startswith("win"):
        return False, "the compiled backend is only supported on Linux/macOS here"
    cxx = _compiler_name().split()[0]
    if shutil.which(cxx) is None:
        return False, f"no C++ compiler {cxx!r} on PATH (set $CXX or install g++/clang++)"
    if shutil.which("make") is None:
        return False, "no 'make' on PATH (install GNU make)"
    return True, ""


@contextlib.contextmanager
def _file_lock(path: Path):
    """Exclusive inter-process lock on ``path`` (POSIX ``flock``)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _initial_objects(spec: NetworkSpec) -> NetworkObjects:
    stim = np.zeros((spec.chunk_samples, spec.n_inputs))
    return build_objects(spec, stim)


# Run-time arguments: logical name -> (brian object attribute, variable name).
_ARGS = {
    "stim": ("stim", None),
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
    "rate_max": ("ctrl", "rate_max"),
    "rate_boost": ("ctrl", "rate_boost"),
    "reps_next": ("ctrl", "reps_next"),
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
    "k_next": ("ctrl", "k_next"),
    "reps_next": ("ctrl", "reps_next"),
    "inp_count": ("inp_count", "count"),
    "inh_count": ("inh_count", "count"),
}


def _build(spec: NetworkSpec, target: Path) -> float:
    """Generate and compile ``spec`` into ``target`` (a fresh directory). Returns seconds."""
    from brian2.devices.device import device, get_device, reset_device

    t0 = time.perf_counter()
    old_dt = b2.defaultclock.dt
    prefs = b2.prefs.devices.cpp_standalone
    old_threads, old_make = prefs.openmp_threads, prefs.extra_make_args_unix
    previous = get_device()
    b2.set_device("cpp_standalone", directory=str(target), build_on_run=False)
    try:
        dev = get_device()
        prefs.openmp_threads = spec.threads
        prefs.extra_make_args_unix = ["-j2", f"> {_LOG} 2>&1"]
        objs = _initial_objects(spec)
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
        try:
            dev.build(directory=str(target), compile=True, run=False, with_output=False)
        except RuntimeError as exc:
            log = target.parent / f"{target.name.split('.')[0]}.failed-{_LOG}"
            if (target / _LOG).is_file():  # keep the log: the build directory is removed
                shutil.copyfile(target / _LOG, log)
            raise BuildError(
                f"compiling the standalone network failed with compiler {_compiler_name()!r}; "
                f"see the build log {log}. Fix the compiler set-up (e.g. set $CXX) or pass "
                f"backend='numpy' to run without compiling. ({exc})"
            ) from exc
        manifest: dict[str, Any] = {"args": {}, "results": {}, "spec": spec.to_dict()}
        for key, (obj, var) in _ARGS.items():
            owner = getattr(objs, obj)
            if var is None:
                manifest["args"][key] = {"name": f"{owner.name}.values", "dtype": "float64"}
            else:
                v = owner.variables[var]
                manifest["args"][key] = {"name": f"{owner.name}.{var}",
                                         "dtype": np.dtype(v.dtype).str}
        for key, (obj, var) in _RESULTS.items():
            if getattr(objs, obj) is None:  # no inhibitory population ("wta")
                continue
            v = getattr(objs, obj).variables[var]
            manifest["results"][key] = {"file": dev.get_array_filename(v),
                                        "dtype": np.dtype(v.dtype).str}
        (target / _MANIFEST).write_text(json.dumps(manifest, indent=1))
    finally:
        prefs.openmp_threads, prefs.extra_make_args_unix = old_threads, old_make
        device.reinit()
        reset_device(previous if previous.__class__.__name__ != "CPPStandaloneDevice"
                     else "runtime")
        b2.defaultclock.dt = old_dt
    return time.perf_counter() - t0


def get_build(spec: NetworkSpec) -> tuple[Path, float]:
    """Return the directory of the compiled build of ``spec`` (compiling it if not cached).

    Returns
    -------
    path : Path
        Build directory holding the ``main`` binary and the manifest.
    compile_s : float
        Seconds spent building now (0.0 when the cache already had it).
    """
    ok, why = compiler_available()
    if not ok:
        raise BuildError(f"cannot compile the standalone network: {why}")
    spec = spec.structural()
    key = spec_key(spec, {"compiler": _compiler_name(), "platform": sys.platform})
    root = cache_dir()
    final = root / key
    if (final / _MANIFEST).is_file():
        return final, 0.0
    with _file_lock(root / f"{key}.lock"):
        if (final / _MANIFEST).is_file():
            return final, 0.0
        tmp = Path(tempfile.mkdtemp(prefix=f"{key}.tmp-", dir=root))
        try:
            seconds = _build(spec, tmp)
            if final.exists():
                shutil.rmtree(final)
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return final, seconds


class StandaloneEngine:
    """Runs chunks with the cached compiled binary of ``spec``.

    Attributes
    ----------
    spec : NetworkSpec
    path : Path
        Build directory.
    compile_s : float
        Seconds spent compiling when this engine was created (0 on a cache hit).
    """

    backend = "cpp_standalone"

    def __init__(self, spec: NetworkSpec) -> None:
        self.spec = spec.structural()
        self.path, self.compile_s = get_build(self.spec)
        self.manifest = json.loads((self.path / _MANIFEST).read_text())

    def run_chunk(self, X: np.ndarray, start: int, *, w: np.ndarray, theta_mV: np.ndarray,
                  settings: RunSettings, reps_start: int, seed: int) -> ChunkResult:
        """Present ``X[start:start + chunk_samples]`` in one run of the binary.

        Parameters
        ----------
        X : ndarray (n_samples, n_inputs)
            All samples of the call; only the chunk's rows are used.
        start : int
            First sample of the chunk.
        w : ndarray (n_inputs * n_excitatory,)
            Initial input weights.
        theta_mV : ndarray (n_excitatory,)
            Initial adaptive thresholds.
        settings : RunSettings
            Learning switch, rates, repeat rule, normalisation and learning rates.
        reps_start : int
            Repeats already made for sample ``start`` (carried over from the previous chunk).
        seed : int
            Seed of the binary's random generator for this run.

        Returns
        -------
        ChunkResult
        """
        spec = self.spec
        t0 = time.perf_counter()
        C = spec.chunk_samples
        block = np.zeros((C, spec.n_inputs))
        part = X[start:start + C]
        block[: len(part)] = part
        w = np.ascontiguousarray(w, dtype=np.float64)
        wsum = w.reshape(spec.n_inputs, spec.n_excitatory).sum(axis=0)
        st = settings
        values = {
            "n_valid": len(part),
            "plastic": float(st.learn),
            "adapt": float(st.learn),
            "norm_on": float(st.learn),
            "norm_total": float(st.norm_total),
            "min_spikes": int(st.min_spikes),
            "max_repeats": int(st.max_repeats),
            "rng_seed": int(seed) % (2**31 - 1),
            "rate_max": float(st.rate_max_hz),
            "rate_boost": float(st.rate_boost_hz),
            "reps_next": int(reps_start),
            "theta_plus": float(st.theta_plus_mV) * 1e-3,
            "a_plus": float(st.a_plus),
            "a_minus": float(st.a_minus),
        }
        arrays = {
            "stim": block,
            "w": w,
            "wsum": wsum,
            "theta": np.asarray(theta_mV, dtype=np.float64) * 1e-3,
        }
        with tempfile.TemporaryDirectory(prefix="snn-run-") as tmp:
            args = []
            for key, val in values.items():
                a = self.manifest["args"][key]
                args.append(f"{a['name']}={val!r}")
            for key, arr in arrays.items():
                a = self.manifest["args"][key]
                fname = os.path.join(tmp, f"{key}.dat")
                np.ascontiguousarray(arr, dtype=np.dtype(a["dtype"])).tofile(fname)
                args.append(f"{a['name']}={fname}")
            res = os.path.join(tmp, "results") + os.sep
            os.mkdir(res)
            proc = subprocess.run([str(self.path / "main"), "--results_dir", res, *args],
                                  cwd=self.path, capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(
                    f"the compiled network {self.path / 'main'} failed (exit "
                    f"{proc.returncode}): {proc.stderr[-2000:] or proc.stdout[-2000:]}"
                )
            out = {}
            for key, r in self.manifest["results"].items():
                out[key] = np.fromfile(os.path.join(res, r["file"]), dtype=np.dtype(r["dtype"]))
        dt_s = spec.dt_ms * 1e-3
        return ChunkResult(
            w=out["w"].astype(np.float64),
            theta_mV=out["theta"] * 1e3,
            spike_i=out["spike_i"].astype(np.int64),
            spike_step=np.rint(out["spike_t"] / dt_s).astype(np.int64),
            slot_k=out["slot_k"].astype(np.int64),
            slot_reps=out["slot_reps"].astype(np.int64),
            k_next=int(out["k_next"][0]),
            reps_next=int(out["reps_next"][0]),
            input_spikes=int(out["inp_count"].sum()),
            inh_spikes=int(out["inh_count"].sum()) if "inh_count" in out else 0,
            wall_s=time.perf_counter() - t0,
        )


class RuntimeEngine:
    """Runs chunks with Brian2's runtime device (``numpy`` code generation, no compiler).

    The network is built once per engine with a stimulus table of ``chunk_samples`` rows;
    every chunk resets the dynamic state (``v``, conductances, schedule) exactly as a fresh
    start of the compiled binary does, so both engines follow the same protocol.
    """

    backend = "numpy"
    compile_s = 0.0

    def __init__(self, spec: NetworkSpec) -> None:
        self.spec = spec.structural()
        self._objs: NetworkObjects | None = None
        self._stim_values: np.ndarray | None = None

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
                objs.network.store("initial")
            finally:
                b2.prefs.codegen.target = old
                b2.defaultclock.dt = old_dt
            self._objs = objs
        return self._objs

    def run_chunk(self, X: np.ndarray, start: int, *, w: np.ndarray, theta_mV: np.ndarray,
                  settings: RunSettings, reps_start: int, seed: int) -> ChunkResult:
        """Same contract as :meth:`StandaloneEngine.run_chunk`."""
        spec = self.spec
        t0 = time.perf_counter()
        objs = self._objects()
        net = objs.network
        old, old_dt = b2.prefs.codegen.target, b2.defaultclock.dt
        b2.prefs.codegen.target = "numpy"
        b2.defaultclock.dt = spec.dt_ms * b2.ms
        try:
            net.restore("initial")
            part = X[start:start + spec.chunk_samples]
            # the TimedArray's table is read at every call: refill it in place
            self._stim_values[:] = 0.0
            self._stim_values[: len(part)] = part
            objs.stim.values[:] = self._stim_values
            w = np.asarray(w, dtype=np.float64)
            objs.input_exc.w = w
            objs.exc.wsum = w.reshape(spec.n_inputs, spec.n_excitatory).sum(axis=0)
            objs.exc.theta = np.asarray(theta_mV, dtype=np.float64) * b2.mV
            st = settings
            if "adapt" in objs.exc.variables:
                objs.exc.adapt = float(st.learn)
                objs.exc.theta_plus = float(st.theta_plus_mV) * b2.mV
            objs.exc.norm_on = float(st.learn)
            objs.exc.norm_total = float(st.norm_total)
            objs.input_exc.plastic = float(st.learn)
            objs.input_exc.a_plus = float(st.a_plus)
            objs.input_exc.a_minus = float(st.a_minus)
            c = objs.ctrl
            c.n_valid = len(part)
            c.min_spikes = int(st.min_spikes)
            c.max_repeats = int(st.max_repeats)
            c.rate_max = float(st.rate_max_hz) * b2.Hz
            c.rate_boost = float(st.rate_boost_hz) * b2.Hz
            for name, value in CTRL_INIT.items():
                setattr(c, name, value)
            c.reps_next = int(reps_start)
            b2.seed(int(seed) % (2**31 - 1))
            duration = spec.chunk_slots * (spec.presentation_ms + spec.rest_ms) * b2.ms
            net.run(duration, namespace={})
        finally:
            b2.prefs.codegen.target = old
            b2.defaultclock.dt = old_dt
        dt_s = spec.dt_ms * 1e-3
        return ChunkResult(
            w=np.array(objs.input_exc.w[:], dtype=np.float64),
            theta_mV=np.array(objs.exc.theta[:] / b2.mV, dtype=np.float64),
            spike_i=np.array(objs.exc_mon.i[:], dtype=np.int64),
            spike_step=np.rint(np.asarray(objs.exc_mon.t[:] / b2.second) / dt_s).astype(
                np.int64),
            slot_k=np.array(objs.slot_mon.k[0], dtype=np.int64),
            slot_reps=np.array(objs.slot_mon.reps[0], dtype=np.int64),
            k_next=int(c.k_next[0]),
            reps_next=int(c.reps_next[0]),
            input_spikes=int(np.sum(objs.inp_count.count[:])),
            inh_spikes=(0 if objs.inh_count is None
                        else int(np.sum(objs.inh_count.count[:]))),
            wall_s=time.perf_counter() - t0,
        )


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
