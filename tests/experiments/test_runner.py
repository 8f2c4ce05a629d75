"""The runner end to end on tiny ANN-only configs: files, resume, failures, kill, Dask."""

from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from contract import COST_KEYS
from experiments.cli import FAILED_BASE, main
from experiments.running.config import load_config
from experiments.running.jobs import expand_jobs
from experiments.running.runner import run
from experiments.store import read_jobs

#: Columns that are measured wall times (differ between runs by nature).
TIMING = ["wall_s_train", "wall_s_test", "wall_s_job", "cpu_s_job", "compile_s"]
SPEC_COLUMNS = [*COST_KEYS, "energy_pj_ops", "energy_pj_sram", "energy_pj_dram",
                "wall_s_train", "threads", "threads_used", "accuracy", "answered_frac"]


def _stable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in TIMING if c in frame]).sort_values("job_id").reset_index(
        drop=True)


def test_run_writes_every_file(tiny_config, tmp_path):
    cfg = load_config(tiny_config)
    out = tmp_path / "run"
    summary = run(cfg, out, quiet=True)
    assert (summary.n_jobs, summary.n_run, summary.n_failed) == (2, 2, 0)
    for name in ("manifest.json", "runs.csv", "learning_curves.csv", "report.md"):
        assert (out / name).is_file(), name
    assert len(list((out / "jobs").glob("*.json"))) == 2
    runs = pd.read_csv(out / "runs.csv")
    assert set(SPEC_COLUMNS) <= set(runs.columns)
    assert list(runs["size"]) == [4, 8]
    assert (runs["status"] == "ok").all()
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "finished" and man["n_done"] == 2
    assert man["config"]["models"][0]["sizes"] == [4, 8]
    assert man["versions"]["numpy"] and man["cpu"]["logical_cores"]
    assert man["started"] <= man["finished"]
    curves = pd.read_csv(out / "learning_curves.csv")
    assert set(curves["job_id"]) == set(runs["job_id"])
    assert curves.groupby("job_id")["samples_seen"].max().eq(5 * 60).all()
    report = (out / "report.md").read_text()
    for word in ("Scale", "Learning rule", "Summary"):
        assert word in report
    for fig in (out / "figures").glob("*.png"):
        assert f"figures/{fig.name}" in report
        assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_config_same_numbers_and_resume_skips(tiny_config, tmp_path):
    cfg = load_config(tiny_config)
    run(cfg, tmp_path / "a", quiet=True, report=False)
    run(cfg, tmp_path / "b", quiet=True, report=False)
    a = pd.read_csv(tmp_path / "a" / "runs.csv")
    b = pd.read_csv(tmp_path / "b" / "runs.csv")
    pd.testing.assert_frame_equal(_stable(a), _stable(b))
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "a" / "jobs").iterdir()}
    again = run(cfg, tmp_path / "a", quiet=True, resume=True, report=False)
    assert (again.n_run, again.n_skipped) == (0, 2)
    after = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "a" / "jobs").iterdir()}
    assert before == after


def test_failed_job_is_recorded_others_go_on_and_resume_reruns_it(
    tiny_config, tmp_path, monkeypatch, capsys
):
    cfg = load_config(tiny_config)
    victim = expand_jobs(cfg)[0]
    monkeypatch.setenv("BRAIN_VS_ANN_FAIL_JOB", victim.id)
    out = tmp_path / "run"
    status = main(["run", "--config", str(tiny_config), "--out", str(out), "--quiet"])
    assert status == FAILED_BASE + 1
    assert "job failed" in capsys.readouterr().err
    runs = pd.read_csv(out / "runs.csv")
    assert list(runs.sort_values("status")["status"]) == ["failed", "ok"]
    assert "injected" in runs.loc[runs["status"] == "failed", "error"].iloc[0]
    assert "Failed jobs" in (out / "report.md").read_text()
    monkeypatch.delenv("BRAIN_VS_ANN_FAIL_JOB")
    assert main(["run", "--config", str(tiny_config), "--out", str(out), "--quiet",
                 "--resume"]) == 0
    runs = pd.read_csv(out / "runs.csv")
    assert (runs["status"] == "ok").all() and len(runs) == 2


def _children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Linux /proc; empty elsewhere)."""
    kids = []
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            with open(status) as fh:
                ppid = next(int(x.split()[1]) for x in fh if x.startswith("PPid:"))
        except (OSError, StopIteration, ValueError):
            continue
        if ppid == pid:
            kids.append(int(status.split("/")[2]))
    return kids


def test_kill_then_resume_loses_and_duplicates_nothing(tmp_path, write_config):
    # jobs long enough (~1 s each) that the kill lands while later ones are pending
    cfg_path = write_config("""
base = "none"
name = "killme"
seeds = [0, 1, 2]
[tasks.digits]
[models.ann]
kind = "mlp"
sizes = [32, 64]
epochs = 40
""")
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "experiments", "run", "--config", str(cfg_path), "--out",
           str(out), "--quiet", "--jobs", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    jobs_dir = out / "jobs"
    while time.monotonic() < deadline:
        if jobs_dir.is_dir() and any(jobs_dir.glob("*.json")):
            break
        if proc.poll() is not None:
            pytest.fail(f"run ended before the kill: {proc.stderr.read().decode()}")
        time.sleep(0.01)
    workers = _children(proc.pid)
    assert workers or not os.path.isdir("/proc")  # the pool's workers exist at this point
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 20  # pool workers notice the runner is gone and exit
    while any(os.path.exists(f"/proc/{w}") for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if os.path.exists(f"/proc/{w}")], "orphaned pool workers"
    done_before = set(read_jobs(out))
    assert 1 <= len(done_before) < 6
    assert not list(jobs_dir.glob("*.tmp"))  # nothing half-written under a final name
    first = {i: (jobs_dir / f"{i}.json").read_text() for i in done_before}

    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(done_before)} already done" in resumed.stdout
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 6 and runs["job_id"].is_unique
    assert set(runs["job_id"]) == {j.id for j in expand_jobs(load_config(cfg_path))}
    for i, text in first.items():  # finished jobs were not redone
        assert (jobs_dir / f"{i}.json").read_text() == text


def test_local_pool_and_dask_give_the_same_rows(tiny_config, tmp_path):
    from dask.distributed import LocalCluster

    cfg = load_config(tiny_config)
    run(cfg, tmp_path / "serial", quiet=True, report=False)
    run(cfg, tmp_path / "pool", jobs=2, quiet=True, report=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster:
        run(cfg, tmp_path / "dask", executor="dask", scheduler=cluster.scheduler_address,
            quiet=True, report=False)
    serial = _stable(pd.read_csv(tmp_path / "serial" / "runs.csv"))
    for name in ("pool", "dask"):
        other = _stable(pd.read_csv(tmp_path / name / "runs.csv"))
        pd.testing.assert_frame_equal(serial, other)
        lc_a = pd.read_csv(tmp_path / "serial" / "learning_curves.csv").drop(columns="wall_s")
        lc_b = pd.read_csv(tmp_path / name / "learning_curves.csv").drop(columns="wall_s")
        pd.testing.assert_frame_equal(lc_a, lc_b)
    man = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert man["executor"]["kind"] == "dask"


@pytest.mark.slow  # waits for Dask's connection timeout
def test_unreachable_scheduler_exits_2(tiny_config, tmp_path, capsys):
    status = main(["run", "--config", str(tiny_config), "--out", str(tmp_path / "o"),
                   "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", "--quiet"])
    assert status == 2
    assert "Dask scheduler" in capsys.readouterr().err


def test_scheduler_without_dask_executor_exits_2(tiny_config, capsys):
    assert main(["run", "--config", str(tiny_config), "--scheduler", "tcp://x:1"]) == 2
    assert "--executor dask" in capsys.readouterr().err


def test_timing_phase_times_saved_models_alone(write_config, tiny_text, tmp_path):
    """The timing phase: >= 5 repeats per row, latency and throughput, the thread count the
    model really used (2 BLAS threads for the ANN at 2 threads)."""
    cfg = load_config(write_config(tiny_text + '\n[timing]\nthreads = [1, 2]\nrepeats = 5\n'
                                   'sizes = { ann = [8] }\n'))
    out = tmp_path / "run"
    run(cfg, out, quiet=True, report=False)
    timing = pd.read_csv(out / "timing.csv")
    assert set(timing["mode"]) == {"latency", "throughput"}
    assert (timing["repeats"] >= 5).all() and (timing["size"] == 8).all()
    assert (timing["q25_s"] <= timing["median_s"]).all()
    assert (timing["median_s"] <= timing["q75_s"]).all()
    two = timing[timing["threads"] == 2]
    assert len(two) == 2 and (two["threads_used"] == 2).all()
    assert set(timing.loc[timing["mode"] == "latency", "n_samples"]) == {1}
    man = json.loads((out / "manifest.json").read_text())
    assert man["timing"]["models"] == 1 and man["timing"]["wall_s"] > 0
    assert (out / "models").is_dir()


def test_timing_statistics_by_hand():
    from experiments.protocols.timing import summarise_times

    s = summarise_times([5.0, 1.0, 3.0, 2.0, 4.0])
    assert s == {"median_s": 3.0, "q25_s": 2.0, "q75_s": 4.0}
    with pytest.raises(ValueError, match="non-empty"):
        summarise_times([])


def test_run_validates_arguments(tiny_config, tmp_path):
    cfg = load_config(tiny_config)
    with pytest.raises(ValueError, match="jobs"):
        run(cfg, tmp_path, jobs=0)
    with pytest.raises(ValueError, match="executor"):
        run(cfg, tmp_path, executor="slurm")
    with pytest.raises(TypeError, match="cfg"):
        run({"name": "x"}, tmp_path)
