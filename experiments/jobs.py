"""Jobs: the expansion of a config into task x model x size x seed, their hashes, and running one.

A :class:`Job` is plain data (JSON-able through :meth:`Job.to_dict`), so it travels to a worker
process or a Dask worker unchanged. :func:`run_job` trains one model on one task and returns a
flat result dict: the metrics row of ``runs.csv`` plus the job's learning curve, label-efficiency
points, anytime accuracies, thread timings and a few receptive fields. It never raises for a
failure inside the job: the error is recorded in the result (``status = "failed"``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import time
import traceback
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from experiments.config import Config
from experiments.constants import ENERGY_PJ
from experiments.models import MODEL_KINDS, make_estimator

__all__ = ["Job", "expand_jobs", "job_id", "run_job", "COST_KEYS", "SCHEMA"]

#: Bump when the meaning of a result changes, so ``--resume`` does not mix old and new results.
SCHEMA = 1

#: Keys of ``estimator.cost(X)`` (CONTRIBUTING's estimator contract, SPEC section 2).
COST_KEYS = (
    "neurons", "synapses", "params", "memory_bytes", "macs", "synops", "neuron_updates",
    "timesteps", "sequential_depth", "parallel_width", "activity", "update_locality",
    "train_samples", "epochs", "labels_used",
)

#: Test samples on which ``cost(X)`` measures activity, synaptic events and neuron updates.
COST_SAMPLES = 200
#: Receptive fields kept per job for the report's figure.
N_FIELDS = 16


@dataclass(frozen=True)
class Job:
    """One unit of work: train model ``model`` of size ``size`` on task ``task_key`` with ``seed``.

    ``labels_per_class``, ``anytime_ms`` and ``thread_counts`` are empty unless the config asks
    this job to measure label efficiency, anytime accuracy or thread timings.
    """

    task_key: str
    task: str
    task_knobs: tuple[tuple[str, Any], ...]
    model: str
    kind: str
    family: str
    size: int
    params: tuple[tuple[str, Any], ...]
    seed: int
    threads: int = 1
    labels_per_class: tuple[int, ...] = ()
    anytime_ms: tuple[float, ...] = ()
    thread_counts: tuple[int, ...] = ()
    thread_samples: int = 0
    eval_samples: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (tuples become lists, key/value pairs become tables)."""
        d = asdict(self)
        d["task_knobs"] = dict(self.task_knobs)
        d["params"] = {k: list(v) if isinstance(v, tuple) else v for k, v in self.params}
        for k in ("labels_per_class", "anytime_ms", "thread_counts"):
            d[k] = list(d[k])
        d["schema"] = SCHEMA
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Job:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(d, dict):
            raise TypeError(f"d must be a dict from Job.to_dict, got {type(d).__name__}")
        d = dict(d)
        d.pop("schema", None)
        d["task_knobs"] = tuple(sorted(d["task_knobs"].items()))
        d["params"] = tuple(sorted(
            (k, tuple(v) if isinstance(v, list) else v) for k, v in d["params"].items()
        ))
        for k in ("labels_per_class", "anytime_ms", "thread_counts"):
            d[k] = tuple(d[k])
        return cls(**d)

    @property
    def id(self) -> str:
        return job_id(self)

    def label(self) -> str:
        return f"{self.task_key}/{self.model}[{self.size}]/seed{self.seed}"


def job_id(job: Job) -> str:
    """16 hex digits of the SHA-256 of the job's resolved configuration (its resume key)."""
    if not isinstance(job, Job):
        raise TypeError(f"job must be a Job, got {type(job).__name__}")
    text = json.dumps(job.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def expand_jobs(cfg: Config) -> list[Job]:
    """Expand ``cfg`` into its jobs: every seed x task x model x size.

    Spiking jobs come first and larger sizes before smaller ones, so a pool starts the longest
    jobs early. The order does not affect any result.
    """
    if not isinstance(cfg, Config):
        raise TypeError(f"cfg must be a Config, got {type(cfg).__name__}")
    jobs = []
    for seed in cfg.seeds:
        for task in cfg.tasks:
            for model in cfg.models:
                if model.tasks and task.key not in model.tasks:
                    continue
                smallest = min(model.sizes)
                for size in model.sizes:
                    timed = task.key in cfg.thread_tasks and (
                        cfg.thread_sizes == "all" or size == smallest
                    )
                    jobs.append(Job(
                        task_key=task.key, task=task.task, task_knobs=task.knobs,
                        model=model.key, kind=model.kind, family=model.family, size=size,
                        params=model.params, seed=seed, threads=cfg.threads,
                        labels_per_class=(
                            cfg.labels_per_class if task.key in cfg.label_tasks else ()
                        ),
                        anytime_ms=cfg.anytime_ms if model.family == "snn" else (),
                        thread_counts=cfg.thread_counts if timed else (),
                        thread_samples=cfg.thread_samples if timed else 0,
                        eval_samples=cfg.eval_samples,
                    ))
    order = {"snn": 0, "ann": 1}
    return sorted(jobs, key=lambda j: (order[j.family], -j.size))


# ------------------------------------------------------------------------------------------------
# running one job
# ------------------------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """JSON-safe scalar: numpy scalars to Python, NaN/inf to None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _energy_pj(family: str, cost: dict[str, Any]) -> float | None:
    if family == "ann":
        return None if cost.get("macs") is None else cost["macs"] * ENERGY_PJ["mac"]
    return None if cost.get("synops") is None else cost["synops"] * ENERGY_PJ["synop"]


def _label_subset(y: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of ``k`` random training samples per class (``k == 0``: all)."""
    if k == 0:
        return np.arange(len(y))
    idx = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        idx.append(rng.choice(members, size=min(k, len(members)), replace=False))
    return np.sort(np.concatenate(idx))


def _time_predict(model, X: np.ndarray, min_s: float = 0.2) -> tuple[float, int]:
    """Wall seconds per sample of ``model.predict(X)``, repeating fast calls for ``min_s``."""
    reps, total = 0, 0.0
    while total < min_s or reps == 0:
        t0 = time.perf_counter()
        model.predict(X)
        total += time.perf_counter() - t0
        reps += 1
        if reps >= 10_000:
            break
    return total / (reps * len(X)), reps


def _first_layer(model, family: str) -> np.ndarray | None:
    """Input weights, shape (n_features, n_units), or None when the model has none."""
    if family == "snn":
        w = getattr(model, "weights_", None)
    else:
        coefs = getattr(model, "coefs_", None)
        w = coefs[0] if coefs else None
    if w is None:
        return None
    w = np.asarray(w, dtype=float)
    return w if w.ndim == 2 else None


def _threads_used(params: dict[str, Any], blas_threads: int) -> int:
    """Threads the inference ran on: the spiking model's OpenMP ``threads`` (0 = serial build,
    one thread) or the BLAS limit for an ANN."""
    if "threads" in params and isinstance(params["threads"], int):
        return max(1, params["threads"])
    return blas_threads


def _progress_kwargs(model, progress: bool) -> dict[str, Any]:
    params = model.get_params(deep=False)
    for name in ("progress", "verbose"):
        if name in params:
            return {name: bool(progress)}
    return {}


def _run(job: Job, progress: bool) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    from experiments.tasks import load_task

    task = load_task(job.task, seed=job.seed, **dict(job.task_knobs))
    X_train, y_train, X_test, y_test = task.X_train, task.y_train, task.X_test, task.y_test
    mk = MODEL_KINDS[job.kind]
    params = dict(job.params)

    def build(size=job.size, extra=None):
        model = make_estimator(job.kind, size, {**params, **(extra or {})}, job.seed)
        defaults = model.get_params(deep=False)
        fixed = {}
        for shape_param in ("image_shape", "sequence_shape"):
            if shape_param in defaults and shape_param not in params:
                if task.image_shape is None:
                    raise ValueError(
                        f"model kind {job.kind!r} needs images but task {job.task!r} has none; "
                        f"set {shape_param} under [models.{job.model}] or use an image task"
                    )
                fixed[shape_param] = tuple(task.image_shape)
        fixed.update({k: v for k, v in _progress_kwargs(model, progress).items()
                      if k not in params})
        return model.set_params(**fixed) if fixed else model

    n_eval = len(X_test) if job.eval_samples == 0 else min(job.eval_samples, len(X_test))
    out: dict[str, Any] = {}
    with threadpool_limits(limits=job.threads):
        model = build()
        t0 = time.perf_counter()
        model.fit(X_train, y_train, eval_set=(X_test[:n_eval], y_test[:n_eval]))
        wall_train = time.perf_counter() - t0

        t0 = time.perf_counter()
        pred = model.predict(X_test)
        wall_test = time.perf_counter() - t0
        accuracy = float(np.mean(pred == y_test))
        cost = model.cost(X_test[:COST_SAMPLES])

    compile_s = float(getattr(model, "compile_s_", 0.0) or 0.0)
    missing = [k for k in COST_KEYS if k not in cost]
    if missing:
        raise ValueError(f"{job.kind}.cost() lacks keys {missing} required by the contract")
    model_params = model.get_params(deep=False)
    row: dict[str, Any] = {
        "task": job.task_key, "task_name": job.task, "model": job.model, "kind": job.kind,
        "family": job.family, "size": job.size, "size_meaning": mk.size_meaning,
        "seed": job.seed, "n_features": task.n_features, "n_classes": task.n_classes,
        "n_train": len(X_train), "n_test": len(X_test), "accuracy": accuracy,
        **{k: _clean(cost[k]) for k in COST_KEYS},
        "energy_pj_est": _clean(_energy_pj(job.family, cost)),
        "wall_s_train": wall_train - compile_s, "compile_s": compile_s,
        "wall_s_test": wall_test,
        "wall_s_infer": wall_test / len(X_test),
        "threads": _threads_used(model_params, job.threads),
        "dt_ms": _clean(model_params.get("dt_ms")),
        "presentation_ms": _clean(model_params.get("presentation_ms")),
    }
    row.update({k: _clean(v) for k, v in cost.items()
                if k not in row and isinstance(v, (int, float, str, np.generic))})
    out["row"] = row

    hist = list(getattr(model, "history_", []) or [])
    out["curve"] = [
        {k: _clean(h.get(k)) for k in
         ("samples_seen", "wall_s", "epoch", "loss", "train_accuracy", "eval_accuracy")}
        for h in hist
    ]

    if job.anytime_ms:
        with threadpool_limits(limits=job.threads):
            times = list(job.anytime_ms)
            pred_t = np.asarray(model.predict_at(X_test, times))
        out["anytime"] = [
            {"time_ms": t, "accuracy": float(np.mean(pred_t[i] == y_test))}
            for i, t in enumerate(times)
        ]

    if job.thread_counts:
        n_time = len(X_test) if job.thread_samples == 0 else min(job.thread_samples,
                                                                    len(X_test))
        out["timings"] = _thread_timings(job, model, X_test[:n_time])

    w = _first_layer(model, job.family)
    if w is not None and task.image_shape is not None and w.shape[0] == task.n_features:
        units = w[:, :N_FIELDS].T
        out["fields"] = {
            "image_shape": list(task.image_shape),
            "weights": np.round(units, 5).tolist(),
        }
    if job.labels_per_class:
        out["labels"] = _label_efficiency(job, model, build, accuracy, task)

    return out


def _label_efficiency(job, model, build, accuracy_all, task) -> list[dict[str, Any]]:
    """Accuracy when only ``k`` labels per class are available.

    The spiking model keeps the weights STDP learned from every training image (labels are not
    used by STDP) and redoes only the label assignment from the ``k`` labelled images; one
    simulation of the test set (frozen weights, the same spikes ``predict`` sees) serves every
    ``k``. ``k == 0`` ("all labels") is the job's own accuracy. The ANN is
    trained from scratch on the ``k`` labelled images alone, for as many sample presentations as
    the full run used (epochs scaled up, at most 2,000 epochs), so that small sets are not
    under-trained.
    """
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng([job.seed, 7])
    X_train, y_train, X_test, y_test = task.X_train, task.y_train, task.X_test, task.y_test
    points = []
    counts = None
    if job.family == "snn" and any(k != 0 for k in job.labels_per_class):
        # one simulation of the test set serves every label budget: the weights are frozen and
        # only the assignment changes (same spikes as predict: same seed)
        with threadpool_limits(limits=job.threads):
            counts = model.transform(X_test)
    for k in job.labels_per_class:
        idx = _label_subset(y_train, k, rng)
        if k == 0:
            acc = accuracy_all
        elif job.family == "snn":
            with threadpool_limits(limits=job.threads):
                model.assign(X_train[idx], y_train[idx])
                acc = float(np.mean(_vote_or_predict(model, counts, X_test) == y_test))
        else:
            extra = {}
            epochs = dict(job.params).get("epochs", model.get_params(deep=False).get("epochs"))
            if isinstance(epochs, int):
                extra["epochs"] = int(min(2000, math.ceil(epochs * len(y_train) / len(idx))))
            small = build(extra=extra)
            if "batch_size" in small.get_params(deep=False) and isinstance(
                small.get_params()["batch_size"], int
            ):
                small.set_params(batch_size=min(small.get_params()["batch_size"], len(idx)))
            with threadpool_limits(limits=job.threads):
                small.fit(X_train[idx], y_train[idx])
                acc = float(np.mean(small.predict(X_test) == y_test))
        points.append({"labels_per_class": k, "labels_used": len(idx), "accuracy": acc})
    return points


def _vote_or_predict(model, counts: np.ndarray | None, X: np.ndarray) -> np.ndarray:
    """Labels from recorded spike counts with the model's current assignment (Diehl & Cook's
    vote, what ``predict`` does for ``readout="vote"``), or ``predict`` for other read-outs."""
    if counts is not None and model.get_params(deep=False).get("readout") == "vote":
        from neurosim.readout import vote

        return vote(counts, model.assignments_, model.classes_)
    return model.predict(X)


def _thread_timings(job, model, X_test) -> list[dict[str, Any]]:
    """Wall time per inference at each thread count.

    ANN: BLAS threads limited with threadpoolctl. Spiking model: its ``threads`` parameter (the
    OpenMP threads of the compiled simulation; each value is its own build, compiled once and
    cached). One thread uses the serial build (``threads=0``) when that is the model's setting.
    """
    from threadpoolctl import threadpool_limits

    rows = []
    params = model.get_params(deep=False)
    has_threads = "threads" in params
    original = params.get("threads")
    # OpenMP threads that busy-wait for each other are pathologically slow when another
    # process holds a core (measured: ~60x slower with 2 threads next to a busy core); passive
    # waiting yields the core. A user's own OMP_WAIT_POLICY is respected.
    policy = os.environ.get("OMP_WAIT_POLICY")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        for n in job.thread_counts:
            if has_threads:
                model.set_params(threads=0 if n == 1 and original == 0 else n)
            with threadpool_limits(limits=n):
                model.predict(X_test[:1])  # warm-up: a new thread count may compile a build
                per_sample, reps = _time_predict(model, X_test)
            rows.append({"threads": n, "wall_s_infer": per_sample, "repeats": reps,
                         "n_samples": len(X_test),
                         "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")})
    finally:
        if policy is None:
            os.environ.pop("OMP_WAIT_POLICY", None)
        if has_threads:
            model.set_params(threads=original)
    return rows


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (user + system)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_job(job: dict[str, Any] | Job, progress: bool = False) -> dict[str, Any]:
    """Run one job and return its result; failures are recorded, never raised.

    Parameters
    ----------
    job : Job or dict
        The job, or its :meth:`Job.to_dict` form (what executors send to workers).
    progress : bool
        Let the model show its own progress bar.

    Returns
    -------
    dict
        ``id``, ``job`` (dict), ``status`` (``"ok"`` or ``"failed"``), ``error``,
        ``traceback``, ``started``/``finished`` (ISO UTC), ``host``, ``pid``, and on success
        ``row`` (one ``runs.csv`` row), ``curve``, and where asked ``labels``, ``anytime``,
        ``timings``, ``fields``.
    """
    if isinstance(job, dict):
        job = Job.from_dict(job)
    if not isinstance(job, Job):
        raise TypeError(f"job must be a Job or its dict, got {type(job).__name__}")
    result: dict[str, Any] = {
        "id": job.id, "job": job.to_dict(), "status": "ok", "error": None, "traceback": None,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": platform.node(), "pid": os.getpid(),
    }
    inject = os.environ.get("BRAIN_VS_ANN_FAIL_JOB")
    t0, c0 = time.perf_counter(), _cpu_s()
    try:
        if inject and inject in (job.id, job.label()):
            raise RuntimeError(f"failure injected by BRAIN_VS_ANN_FAIL_JOB={inject}")
        result.update(_run(job, progress))
        # whole job, compile and every measurement included; CPU counts finished subprocesses
        # (the compiler and the compiled simulation) too
        result["row"]["wall_s_job"] = time.perf_counter() - t0
        result["row"]["cpu_s_job"] = _cpu_s() - c0
    except Exception as err:  # recorded, so that the other jobs go on
        result["status"] = "failed"
        result["error"] = f"{type(err).__name__}: {err}"
        result["traceback"] = traceback.format_exc()
    result["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return result
