"""Jobs: the expansion of a config into task x model x size x seed, their hashes, and running one.

A :class:`Job` is plain data (JSON-able through :meth:`Job.to_dict`), so it travels to a worker
process or a Dask worker unchanged. :func:`run_job` trains one model on one task and returns a
flat result dict: the metrics row of ``runs.csv`` plus the job's learning curve, label-efficiency
points, anytime accuracies and a few receptive fields. It never raises for a failure inside the
job: the error is recorded in the result (``status = "failed"``).

Every estimator is driven through the one contract of ``CONTRIBUTING.md`` (``fit`` with an
evaluation set, ``predict``, ``cost(X)``, ``n_threads``, ``verbose``, ``history_``); optional
capabilities are used where a model has them, whatever its family: ``predict_at`` (an answer
at a given time), ``relabel`` (new labels without relearning what was learned without them),
``input_weights_`` (first-layer weights to draw), ``save`` (for the timing phase),
``partial_fit`` (continual learning, :mod:`experiments.protocols.continual`) and ``perturbed``
(lesions and quantisation, :mod:`experiments.protocols.robustness`).
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

from contract import COST_KEYS
from experiments.facts.energy import energy_pj
from experiments.models import MODEL_KINDS, make_estimator
from experiments.protocols.label_efficiency import label_efficiency
from experiments.running.config import Config

__all__ = ["Job", "expand_jobs", "job_id", "run_job", "build_model", "SCHEMA", "MODELS_DIR"]

#: Bump when the meaning of a result changes, so ``--resume`` does not mix old and new results.
SCHEMA = 2

#: Receptive fields kept per job for the report's figure.
N_FIELDS = 16
#: Folder of a run directory where jobs selected for timing save their fitted model.
MODELS_DIR = "models"


@dataclass(frozen=True)
class Job:
    """One unit of work: train model ``model`` of size ``size`` on task ``task_key`` with ``seed``.

    ``labels_per_class`` and ``anytime_ms`` are empty unless the config asks this job to
    measure label efficiency or anytime accuracy; ``timing_threads`` is non-empty when the job's
    model is timed after training (it is then saved, and warmed up at those thread counts so
    that any compilation happens here, not in the timing phase). ``continual`` asks the job to
    run the class-incremental protocol too; ``robustness`` lists the perturbations (with their
    levels) its trained model is scored under, on the first ``robustness_samples`` test rows
    (0: all). These three are left out of :meth:`to_dict` (and of the job's hash) when unset,
    so that jobs without them keep their ids.
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
    timing_threads: tuple[int, ...] = ()
    eval_samples: int = 0
    continual: bool = False
    robustness: tuple[tuple[str, tuple[float, ...]], ...] = ()
    robustness_samples: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (tuples become lists, key/value pairs become tables)."""
        d = asdict(self)
        d["task_knobs"] = dict(self.task_knobs)
        d["params"] = {k: list(v) if isinstance(v, tuple) else v for k, v in self.params}
        for k in ("labels_per_class", "anytime_ms", "timing_threads"):
            d[k] = list(d[k])
        d["robustness"] = {k: list(v) for k, v in self.robustness}
        for k in ("continual", "robustness", "robustness_samples"):
            if not d[k]:  # unset: the job's id stays what it was before these existed
                del d[k]
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
        for k in ("labels_per_class", "anytime_ms", "timing_threads"):
            d[k] = tuple(d[k])
        if "robustness" in d:
            d["robustness"] = tuple((k, tuple(v)) for k, v in d["robustness"].items())
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

    Larger sizes come first, so a pool starts the longest jobs early. The order does not affect
    any result.
    """
    if not isinstance(cfg, Config):
        raise TypeError(f"cfg must be a Config, got {type(cfg).__name__}")
    jobs = []
    for seed in cfg.seeds:
        for task in cfg.tasks:
            for model in cfg.models:
                if model.tasks and task.key not in model.tasks:
                    continue
                for size in model.sizes:
                    robust = cfg.robustness.selects(task.key, model.key, size)
                    jobs.append(Job(
                        task_key=task.key, task=task.task, task_knobs=task.knobs,
                        model=model.key, kind=model.kind, family=model.family, size=size,
                        params=model.params, seed=seed, threads=cfg.threads,
                        labels_per_class=(
                            cfg.labels_per_class if task.key in cfg.label_tasks
                            and (not cfg.label_models or model.key in cfg.label_models)
                            else ()
                        ),
                        anytime_ms=cfg.anytime_ms,
                        timing_threads=cfg.timing.threads_for(model.key) if
                        cfg.timing.selects(task.key, model.key, size, seed) else (),
                        eval_samples=cfg.eval_samples,
                        continual=cfg.continual.selects(task.key, model.key, size),
                        robustness=cfg.robustness.levels if robust else (),
                        robustness_samples=cfg.robustness.test_samples if robust else 0,
                    ))
    return sorted(jobs, key=lambda j: -j.size)


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


def build_model(job: Job, task: Any, *, verbose: bool = False, extra: dict | None = None):
    """The job's unfitted estimator: its kind, size, config parameters and seed, with the
    task's image shape where the estimator takes one and the config does not set it."""
    params = {**dict(job.params), **(extra or {})}
    model = make_estimator(job.kind, job.size, params, job.seed)
    defaults = model.get_params(deep=False)
    fixed: dict[str, Any] = {"n_threads": job.threads, "verbose": bool(verbose)}
    for shape_param in ("image_shape", "sequence_shape"):
        if shape_param in defaults and shape_param not in params:
            if task.image_shape is None:
                raise ValueError(
                    f"model kind {job.kind!r} needs images but task {job.task!r} has none; "
                    f"set {shape_param} under [models.{job.model}] or use an image task")
            fixed[shape_param] = tuple(task.image_shape)
    return model.set_params(**{k: v for k, v in fixed.items() if k not in params})


def _run(job: Job, progress: bool, models_dir: str | None) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    from experiments.tasks import load_task

    task = load_task(job.task, seed=job.seed, **dict(job.task_knobs))
    X_train, y_train, X_test, y_test = task.X_train, task.y_train, task.X_test, task.y_test
    n_eval = len(X_test) if job.eval_samples == 0 else min(job.eval_samples, len(X_test))
    out: dict[str, Any] = {}
    # third-party code (scikit-learn, BLAS) inside any estimator stays at the job's threads
    with threadpool_limits(limits=job.threads):
        model = build_model(job, task, verbose=progress)
        t0 = time.perf_counter()
        model.fit(X_train, y_train, eval_set=(X_test[:n_eval], y_test[:n_eval]))
        wall_train = time.perf_counter() - t0
        t0 = time.perf_counter()
        pred = model.predict(X_test)
        wall_test = time.perf_counter() - t0
        cost = model.cost(X_test)  # a model may reuse what predict(X_test) simulated
        if set(cost) != set(COST_KEYS):
            raise ValueError(f"{job.kind}.cost() does not follow contract.COST_KEYS")
        compile_s = float(getattr(model, "compile_s_", 0.0) or 0.0)
        params = model.get_params(deep=False)
        out["row"] = {
            "task": job.task_key, "task_name": job.task, "model": job.model, "kind": job.kind,
            "family": job.family, "size": job.size,
            "size_meaning": MODEL_KINDS[job.kind].size_meaning, "seed": job.seed,
            "n_features": task.n_features, "n_classes": task.n_classes,
            "n_train": len(X_train), "n_test": len(X_test),
            "accuracy": float(np.mean(pred == y_test)),
            "answered_frac": float(np.mean(pred >= 0)),
            # chance levels of this test set: the majority class's share (and 1 / n_classes)
            "majority_rate": float(np.bincount(y_test).max() / len(y_test)),
            **{k: _clean(v) for k, v in cost.items()},
            **{k: _clean(v) for k, v in energy_pj(cost).items()},
            "wall_s_train": wall_train - compile_s, "compile_s": compile_s,
            "wall_s_test": wall_test, "threads": job.threads,
            "threads_used": _clean(getattr(model, "threads_used_", None)),
            "dt_ms": _clean(params.get("dt_ms")),
            "presentation_ms": _clean(params.get("presentation_ms")),
        }
        hist = list(getattr(model, "history_", []) or [])
        out["curve"] = [
            {k: _clean(h.get(k)) for k in
             ("samples_seen", "wall_s", "epoch", "loss", "train_accuracy", "eval_accuracy")}
            for h in hist
        ]
        if job.anytime_ms and hasattr(model, "predict_at"):
            out["anytime"] = _anytime(model, X_test, y_test, job.anytime_ms, params)
        w = getattr(model, "input_weights_", None)
        if w is not None and task.image_shape is not None and np.ndim(w) == 2 \
                and np.shape(w)[0] == task.n_features:
            out["fields"] = {"image_shape": list(task.image_shape),
                             "weights": np.round(np.asarray(w)[:, :N_FIELDS].T, 5).tolist()}
        if job.labels_per_class:
            out["labels"] = label_efficiency(
                model, task, lambda extra: build_model(job, task, extra=extra),
                seed=job.seed, labels_per_class=job.labels_per_class,
                accuracy_all=out["row"]["accuracy"])
        if job.timing_threads and models_dir is not None:
            out["saved_for_timing"] = _save_for_timing(job, model, X_test, models_dir)
        if job.continual and hasattr(model, "partial_fit"):
            from experiments.protocols.continual import continual_learning

            t0 = time.perf_counter()
            out["continual"] = continual_learning(lambda: build_model(job, task), X_train,
                                                  y_train, X_test, y_test, joint_pred=pred)
            out["row"]["wall_s_continual"] = time.perf_counter() - t0
        if job.robustness:
            from experiments.protocols.robustness import robustness_curves

            m = len(X_test) if job.robustness_samples == 0 else min(job.robustness_samples,
                                                                     len(X_test))
            t0 = time.perf_counter()
            out["robustness"], out["robustness_skipped"] = robustness_curves(
                model, X_test[:m], y_test[:m], seed=job.seed, levels=dict(job.robustness))
            out["row"]["wall_s_robustness"] = time.perf_counter() - t0
    return out


def _anytime(model, X: np.ndarray, y: np.ndarray, times_ms: tuple[float, ...],
             params: dict[str, Any]) -> list[dict[str, Any]]:
    """Accuracy and answered fraction at each listed time after onset (up to the model's
    presentation time, when it has one)."""
    limit = params.get("presentation_ms")
    times = [t for t in times_ms if limit is None or t <= limit]
    if not times:
        return []
    pred = np.asarray(model.predict_at(X, times))
    return [{"time_ms": t, "accuracy": float(np.mean(pred[i] == y)),
             "answered_frac": float(np.mean(pred[i] >= 0))} for i, t in enumerate(times)]


def _save_for_timing(job: Job, model, X: np.ndarray, models_dir: str) -> str | None:
    """Save the fitted model for the timing phase, after a warm-up ``predict`` at every timed
    thread count (a thread count may need its own compiled build: built now, not timed).
    Returns the file, or None when the folder cannot be written (e.g. a remote worker without
    the run directory): the timing phase then skips this model and says so."""
    original = model.get_params(deep=False)["n_threads"]
    for n in job.timing_threads:
        model.set_params(n_threads=n).predict(X[:1])
    model.set_params(n_threads=original)
    path = os.path.join(models_dir, f"{job.id}.npz")
    try:
        os.makedirs(models_dir, exist_ok=True)
        model.save(path)
    except OSError:
        return None
    return path


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (user + system)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_job(job: dict[str, Any] | Job, progress: bool = False,
            models_dir: str | None = None) -> dict[str, Any]:
    """Run one job and return its result; failures are recorded, never raised.

    Parameters
    ----------
    job : Job or dict
        The job, or its :meth:`Job.to_dict` form (what executors send to workers).
    progress : bool
        Let the model show its own progress bar.
    models_dir : str, optional
        Where a job selected for timing saves its fitted model (``<id>.npz``); a payload dict
        may carry it as its ``"models_dir"`` entry instead.

    Returns
    -------
    dict
        ``id``, ``job`` (dict), ``status`` (``"ok"`` or ``"failed"``), ``error``,
        ``traceback``, ``started``/``finished`` (ISO UTC), ``host``, ``pid``, and on success
        ``row`` (one ``runs.csv`` row), ``curve``, and where asked ``labels``, ``anytime``,
        ``fields``.
    """
    if isinstance(job, dict):
        job = dict(job)
        models_dir = job.pop("models_dir", models_dir)  # the runner may put it in the payload
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
        result.update(_run(job, progress, models_dir))
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
