"""Run directories: atomic per-job JSON files, the manifest, and the tidy CSVs assembled from them.

Layout of a run directory ``OUT``::

    OUT/manifest.json            resolved config, seeds, versions, CPU, threads, times
    OUT/jobs/<job-id>.json       one file per finished job (ok or failed), written atomically
    OUT/models/<job-id>.npz      fitted models of the jobs the timing phase times
    OUT/runs.csv                 one row per job: accuracy + the contract's cost metrics
    OUT/learning_curves.csv      accuracy vs samples seen, per job and checkpoint
    OUT/label_efficiency.csv     accuracy vs labels per class
    OUT/anytime.csv              accuracy and answered fraction vs time after onset
    OUT/timing.csv               the timing phase: latency and throughput, alone, repeated
    OUT/receptive_fields.csv     a few first-layer weight vectors per job (long format)
    OUT/continual.csv            class-incremental learning: accuracy per phase and class half
    OUT/robustness.csv           accuracy under lesions, input noise and weight quantisation
    OUT/report.md, OUT/figures/  rendered from the CSVs only

Every write goes to a temporary file in the same folder and is renamed into place, so a killed
run never leaves a half-written file under its final name.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from contract import COST_KEYS
from experiments.facts.energy import ENERGY_COLUMNS

__all__ = [
    "ID_COLUMNS",
    "RUN_COLUMNS",
    "TABLES",
    "assemble",
    "atomic_write_text",
    "job_path",
    "read_jobs",
    "read_manifest",
    "write_job",
    "write_manifest",
    "write_table",
]

#: Columns identifying a job in every table.
ID_COLUMNS = ("job_id", "task", "model", "kind", "family", "size", "seed")

#: Column order of ``runs.csv`` after the id columns: accuracy, the contract's cost metrics
#: (:data:`contract.COST_KEYS`), the energy estimates, then the job's own measurements.
RUN_COLUMNS = (
    "status", "accuracy", "answered_frac", "majority_rate", *COST_KEYS, *ENERGY_COLUMNS,
    "wall_s_train", "wall_s_test", "compile_s", "wall_s_job", "cpu_s_job",
    "threads", "threads_used", "n_train", "n_test",
    "n_features", "n_classes", "dt_ms", "presentation_ms", "task_name", "size_meaning", "error",
)

#: The CSV files assembled from the job files (name -> result key).
TABLES = {
    "learning_curves.csv": "curve",
    "label_efficiency.csv": "labels",
    "anytime.csv": "anytime",
    "continual.csv": "continual",
    "robustness.csv": "robustness",
}


def _check_dir(out) -> Path:
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a path to a run directory, got {type(out).__name__}")
    return Path(out)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def job_path(out: str | os.PathLike, job_id: str) -> Path:
    """``OUT/jobs/<job_id>.json``."""
    if not isinstance(job_id, str) or not job_id.isalnum():
        raise ValueError(f"job_id must be an alphanumeric hash, got {job_id!r}")
    return _check_dir(out) / "jobs" / f"{job_id}.json"


def write_job(out: str | os.PathLike, result: dict[str, Any]) -> Path:
    """Write one job result atomically to ``OUT/jobs/<id>.json`` and return the path."""
    if not isinstance(result, dict) or "id" not in result or "status" not in result:
        raise ValueError("result must be a dict from run_job (with 'id' and 'status')")
    path = job_path(out, result["id"])
    atomic_write_text(path, json.dumps(result, indent=1, sort_keys=True, allow_nan=False))
    return path


def read_jobs(out: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """All job results in ``OUT/jobs`` keyed by id; unreadable files are skipped."""
    folder = _check_dir(out) / "jobs"
    results = {}
    if not folder.is_dir():
        return results
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and data.get("id") == path.stem:
            results[path.stem] = data
    return results


def write_manifest(out: str | os.PathLike, manifest: dict[str, Any]) -> Path:
    """Write ``OUT/manifest.json`` atomically."""
    if not isinstance(manifest, dict):
        raise TypeError(f"manifest must be a dict, got {type(manifest).__name__}")
    path = _check_dir(out) / "manifest.json"
    atomic_write_text(path, json.dumps(manifest, indent=2, sort_keys=True, default=str))
    return path


def read_manifest(out: str | os.PathLike) -> dict[str, Any]:
    """Read ``OUT/manifest.json``; FileNotFoundError says the folder is not a run directory."""
    path = _check_dir(out) / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: {out} is not a run directory of brain-vs-ann")
    return json.loads(path.read_text("utf-8"))


def write_table(out: str | os.PathLike, name: str, rows: list[dict[str, Any]],
                columns: Iterable[str]) -> Path:
    """Write ``rows`` as ``OUT/<name>`` (CSV, atomically) with ``columns`` in that order."""
    if not isinstance(name, str) or not name.endswith(".csv") or "/" in name:
        raise ValueError(f"name must be a CSV file name like 'timing.csv', got {name!r}")
    path = _check_dir(out) / name
    _write_csv(path, pd.DataFrame(rows, columns=list(columns)))
    return path


def _ids(result: dict[str, Any]) -> dict[str, Any]:
    job = result["job"]
    return {"job_id": result["id"], "task": job["task_key"], "model": job["model"],
            "kind": job["kind"], "family": job["family"], "size": job["size"],
            "seed": job["seed"]}


def _write_csv(path: Path, frame: pd.DataFrame, float_format: str = "%.6g") -> None:
    atomic_write_text(path, frame.to_csv(index=False, float_format=float_format,
                                         lineterminator="\n"))


def _column_order(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The id columns, then the table's own columns in their documented order (job files
    store keys sorted), then anything else."""
    from experiments.protocols.continual import COLUMNS as CONTINUAL_COLUMNS
    from experiments.protocols.robustness import COLUMNS as ROBUSTNESS_COLUMNS

    own = {"continual.csv": CONTINUAL_COLUMNS, "robustness.csv": ROBUSTNESS_COLUMNS}.get(name)
    if own is None or frame.empty:
        return frame
    first = [c for c in (*ID_COLUMNS, *own) if c in frame]
    return frame[first + [c for c in frame if c not in first]]


def _sort(frame: pd.DataFrame, extra: Iterable[str] = ()) -> pd.DataFrame:
    keys = [c for c in ("task", "family", "model", "size", "seed", *extra) if c in frame]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True) if keys else frame


def assemble(out: str | os.PathLike, ids: Iterable[str] | None = None) -> dict[str, Path]:
    """Build the tidy CSVs of a run directory from its job files.

    Parameters
    ----------
    out : path
        The run directory.
    ids : iterable of str, optional
        Job ids to include (the current config's jobs); default all job files present.

    Returns
    -------
    dict
        CSV file name -> path written. ``runs.csv`` has one row per job, failed jobs included
        (``status``, ``error``; metrics empty).
    """
    out = _check_dir(out)
    results = read_jobs(out)
    if ids is not None:
        wanted = list(ids)
        results = {i: results[i] for i in wanted if i in results}
    rows, tables, fields = [], {name: [] for name in TABLES}, []
    for rid, res in results.items():
        ids_ = _ids(res)
        row = {**ids_, "status": res["status"], "error": res.get("error") or ""}
        if res["status"] == "ok":
            row.update({k: v for k, v in res["row"].items() if k not in ("task", "model")})
            row["task"], row["model"] = ids_["task"], ids_["model"]
            for name, key in TABLES.items():
                tables[name].extend({**ids_, **p} for p in res.get(key) or [])
            f = res.get("fields")
            if f:
                h, w = f["image_shape"]
                for unit, vec in enumerate(f["weights"]):
                    fields.extend(
                        {**ids_, "unit": unit, "row": p // w, "col": p % w, "weight": v}
                        for p, v in enumerate(vec)
                    )
        rows.append(row)
        del rid
    written = {}
    runs = pd.DataFrame(rows)
    if not runs.empty:
        first = [*ID_COLUMNS, *RUN_COLUMNS]
        runs = runs[[c for c in first if c in runs] + [c for c in runs if c not in first]]
    runs_path = out / "runs.csv"
    _write_csv(runs_path, _sort(runs))
    written["runs.csv"] = runs_path
    extra_sort = {"learning_curves.csv": ["samples_seen"], "label_efficiency.csv":
                  ["labels_per_class"], "anytime.csv": ["time_ms"],
                  "continual.csv": ["phase", "eval_classes"],
                  "robustness.csv": ["perturbation", "level"]}
    for name, records in tables.items():
        frame = pd.DataFrame(records, columns=None if records else list(ID_COLUMNS))
        frame = _column_order(frame, name)
        _write_csv(out / name, _sort(frame, extra_sort[name]))
        written[name] = out / name
    frame = pd.DataFrame(fields, columns=None if fields else list(ID_COLUMNS))
    _write_csv(out / "receptive_fields.csv", _sort(frame, ["unit", "row", "col"]), "%.4g")
    written["receptive_fields.csv"] = out / "receptive_fields.csv"
    return written
