"""Run-directory storage: atomic writes, tolerant reading, tidy tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from experiments.store import (
    ID_COLUMNS,
    assemble,
    atomic_write_text,
    job_path,
    read_jobs,
    read_manifest,
    write_job,
)


def _result(job_id: str, status: str = "ok", size: int = 4) -> dict:
    job = {"task_key": "t", "model": "m", "kind": "mlp", "family": "ann", "size": size,
           "seed": 0}
    res = {"id": job_id, "job": job, "status": status, "error": None if status == "ok" else "E"}
    if status == "ok":
        res.update(row={"accuracy": 0.5, "neurons": size + 2}, curve=[
            {"samples_seen": 10, "eval_accuracy": 0.4}, {"samples_seen": 20,
                                                          "eval_accuracy": 0.5}])
    return res


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "sub" / "a.txt"
    atomic_write_text(path, "one")
    atomic_write_text(path, "two")
    assert path.read_text() == "two"
    assert [p.name for p in path.parent.iterdir()] == ["a.txt"]
    assert path.stat().st_mode & 0o777 == 0o644


def test_read_jobs_skips_corrupt_and_foreign_files(tmp_path):
    write_job(tmp_path, _result("aaaa"))
    (tmp_path / "jobs" / "bbbb.json").write_text("{truncated")
    (tmp_path / "jobs" / "cccc.json").write_text(json.dumps(_result("dddd")))  # id mismatch
    (tmp_path / "jobs" / ".aaaa.json.123.tmp").write_text("partial")
    assert list(read_jobs(tmp_path)) == ["aaaa"]
    assert read_jobs(tmp_path / "missing") == {}


def test_job_path_and_write_job_validate(tmp_path):
    with pytest.raises(ValueError, match="job_id"):
        job_path(tmp_path, "../evil")
    with pytest.raises(ValueError, match="result"):
        write_job(tmp_path, {"id": "x"})
    with pytest.raises(FileNotFoundError, match="not a run directory"):
        read_manifest(tmp_path)


def test_assemble_builds_tidy_tables_for_the_wanted_ids(tmp_path):
    write_job(tmp_path, _result("aaaa", size=4))
    write_job(tmp_path, _result("bbbb", status="failed", size=8))
    write_job(tmp_path, _result("zzzz", size=16))  # a stale job of another config
    written = assemble(tmp_path, ["aaaa", "bbbb"])
    runs = pd.read_csv(written["runs.csv"])
    assert list(runs.columns[: len(ID_COLUMNS)]) == list(ID_COLUMNS)
    assert sorted(runs["job_id"]) == ["aaaa", "bbbb"]
    assert runs.set_index("job_id").loc["bbbb", "status"] == "failed"
    curves = pd.read_csv(written["learning_curves.csv"])
    assert list(curves["samples_seen"]) == [10, 20] and set(curves["job_id"]) == {"aaaa"}
    empty = pd.read_csv(written["anytime.csv"])
    assert empty.empty and list(empty.columns) == list(ID_COLUMNS)
