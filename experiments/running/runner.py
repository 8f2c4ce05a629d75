"""The comparison run: expand a config into jobs, execute them, store each, time, report.

:func:`run` is the library call behind ``brain-vs-ann run``. Each finished job is written to its
own file before the next result is handled, so an interrupted run loses at most the jobs in
flight, and ``resume=True`` skips every job whose file says it finished (jobs are keyed by the
hash of their resolved configuration). When every job is done, the timing phase
(:mod:`experiments.protocols.timing`) times the saved models alone and writes ``timing.csv``.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from experiments.protocols.timing import TIMING_COLUMNS, time_models
from experiments.running.config import Config
from experiments.running.executors import EXECUTORS, execute
from experiments.running.jobs import MODELS_DIR, SCHEMA, expand_jobs
from experiments.store import (
    assemble,
    environment,
    read_jobs,
    write_job,
    write_manifest,
    write_table,
)

__all__ = ["RunSummary", "run", "environment"]

@dataclass(frozen=True)
class RunSummary:
    """What a run did.

    Attributes
    ----------
    out : Path
        The run directory.
    n_jobs : int
        Jobs in the config.
    n_run : int
        Jobs executed in this call.
    n_skipped : int
        Jobs skipped because ``resume`` found them finished.
    n_failed : int
        Jobs whose latest result is a failure.
    wall_s : float
        Wall time of this call (s).
    failed : tuple of str
        ``"label: error"`` for each failed job.
    """

    out: Path
    n_jobs: int
    n_run: int
    n_skipped: int
    n_failed: int
    wall_s: float
    failed: tuple[str, ...] = ()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run(
    cfg: Config,
    out: str | os.PathLike,
    *,
    jobs: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    resume: bool = False,
    quiet: bool = False,
    report: bool = True,
    argv: list[str] | None = None,
) -> RunSummary:
    """Run every job of ``cfg`` into ``out`` and return a :class:`RunSummary`.

    Parameters
    ----------
    cfg : Config
        A validated configuration (:func:`experiments.running.config.load_preset` or
        ``load_config``).
    out : path
        Run directory; created if missing.
    jobs : int
        Jobs run in parallel (local process pool size or local Dask workers).
    executor : {"local", "dask"}
    scheduler : str, optional
        Dask scheduler address ``tcp://HOST:PORT`` (with ``executor="dask"``).
    resume : bool
        Skip jobs whose file in ``out/jobs`` says they finished; failed ones run again.
    quiet : bool
        No progress bars.
    report : bool
        Render ``report.md`` and ``figures/`` at the end.
    argv : list of str, optional
        Command line to record in the manifest.

    Returns
    -------
    RunSummary
    """
    if not isinstance(cfg, Config):
        raise TypeError(f"cfg must be a Config, got {type(cfg).__name__}")
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a path, got {type(out).__name__}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    if scheduler is not None and executor != "dask":
        raise ValueError("scheduler needs executor='dask' (add --executor dask)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    all_jobs = expand_jobs(cfg)
    ids = [j.id for j in all_jobs]
    done = {}
    if resume:
        done = {i: r for i, r in read_jobs(out).items() if r.get("status") == "ok"}
    todo = [j for j in all_jobs if j.id not in done]

    manifest: dict[str, Any] = {
        "name": cfg.name,
        "description": cfg.description,
        "config": cfg.to_dict(),
        "config_input": cfg.resolved,
        "seeds": list(cfg.seeds),
        "schema": SCHEMA,
        "jobs": [{"id": j.id, "label": j.label()} for j in all_jobs],
        "executor": {"kind": executor, "workers": jobs, "scheduler": scheduler},
        "threads_per_job": cfg.threads,
        "command": argv if argv is not None else sys.argv,
        "started": _now(),
        "finished": None,
        "status": "running",
        "resumed": bool(resume),
        **environment(),
    }
    write_manifest(out, manifest)

    bar = None
    if not quiet:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(all_jobs), initial=len(all_jobs) - len(todo), unit="job",
                   desc=cfg.name, dynamic_ncols=True, file=sys.stderr)
    latest: dict[str, dict[str, Any]] = dict(done)

    def on_result(result: dict[str, Any]) -> None:
        write_job(out, result)
        latest[result["id"]] = result
        if bar is not None:
            bar.update(1)
            if result["status"] != "ok":
                bar.write(f"job {_label(result)} failed: {result['error']}")

    status = "interrupted"
    models_dir = str((out / MODELS_DIR).resolve())
    try:
        # jobs that share the cores wait for an OpenMP barrier passively (a spinning thread
        # would steal a core from another job); a model timed alone keeps the runtime's default
        from neurosim.standalone import omp_wait_policy

        shared = jobs > 1 or executor != "local"
        manifest["omp_wait_policy"] = {"jobs": "PASSIVE" if shared else "default",
                                       "timing": "default"}
        with omp_wait_policy("PASSIVE" if shared else None):
            execute([{**j.to_dict(), "models_dir": models_dir} for j in todo], on_result,
                    executor=executor, n_workers=jobs, scheduler=scheduler,
                    progress=not quiet and jobs == 1 and executor == "local")
        t_timing = time.perf_counter()
        manifest["timing"] = _timing_phase(cfg, out, [latest.get(i) for i in ids], quiet)
        manifest["timing"]["wall_s"] = round(time.perf_counter() - t_timing, 3)
        status = "finished"
    finally:
        if bar is not None:
            bar.close()
        manifest["finished"] = _now()
        manifest["status"] = status
        manifest["wall_s"] = round(time.perf_counter() - t_start, 3)
        failed = [(i, latest[i]) for i in ids if i in latest and latest[i]["status"] != "ok"]
        manifest["n_jobs"] = len(all_jobs)
        manifest["n_done"] = sum(1 for i in ids if i in latest and latest[i]["status"] == "ok")
        manifest["n_failed"] = len(failed)
        write_manifest(out, manifest)
        assemble(out, ids)
    if report:
        from experiments.report import render

        render(out)
    return RunSummary(
        out=out, n_jobs=len(all_jobs), n_run=len(todo), n_skipped=len(all_jobs) - len(todo),
        n_failed=len(failed), wall_s=time.perf_counter() - t_start,
        failed=tuple(f"{_label(r)}: {r['error']}" for _, r in failed),
    )


def _timing_phase(cfg: Config, out: Path, results: list[dict[str, Any] | None],
                  quiet: bool) -> dict[str, Any]:
    """Time every model a finished job saved, alone, and write ``timing.csv``."""
    from experiments.models import load_model
    from experiments.tasks import load_task

    entries, skipped = [], []
    for r in results:
        if not r or r.get("status") != "ok" or not r["job"].get("timing_threads"):
            continue
        j = r["job"]
        path = r.get("saved_for_timing")
        if not path or not Path(path).is_file():
            skipped.append(f"{_label(r)}: model file not found (a remote worker?)")
            continue
        entries.append({"task": j["task_key"], "model": j["model"], "kind": j["kind"],
                        "family": j["family"], "size": j["size"], "seed": j["seed"],
                        "path": path, "task_name": j["task"], "knobs": j["task_knobs"],
                        "threads": tuple(j["timing_threads"])})
    info: dict[str, Any] = {"models": len(entries), "skipped": skipped,
                            "threads": {k: list(v) for k, v in cfg.timing.threads},
                            "repeats": cfg.timing.repeats}
    if not entries:
        return info
    if not quiet:
        print(f"timing {len(entries)} model(s) alone ({cfg.timing.repeats} repeats each) ...",
              file=sys.stderr)
    rows = time_models(
        entries, repeats=cfg.timing.repeats,
        load=lambda e: load_model(e["kind"], e["path"]),
        test_X=lambda e: load_task(e["task_name"], seed=e["seed"], **e["knobs"]).X_test)
    write_table(out, "timing.csv", rows, TIMING_COLUMNS)
    from experiments.protocols.timing import rapl_energy_uj

    info["rapl_readable"] = rapl_energy_uj() is not None
    return info


def _label(result: dict[str, Any]) -> str:
    j = result["job"]
    return f"{j['task_key']}/{j['model']}[{j['size']}]/seed{j['seed']}"
