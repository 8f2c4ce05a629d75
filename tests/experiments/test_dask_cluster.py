"""Jobs on a real Dask deployment: a ``dask scheduler`` and two ``dask worker`` processes.

A user runs ``dask scheduler``, ``dask worker ADDRESS --nthreads 1`` and then
``brain-vs-ann run --executor dask --scheduler ADDRESS``. Dask workers run tasks in a thread
pool, and ``import brian2`` installs a SIGINT handler, which Python allows only in the main
thread: a spiking job that imports Brian2 first fails there. These tests start those processes
as a user would (the ``dask`` command of this interpreter, nanny included) and stop them in the
fixture's teardown, whatever happens.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from experiments.cli import main
from experiments.running.config import load_config
from experiments.running.executors import execute
from experiments.running.jobs import expand_jobs

#: Seconds the scheduler and the workers get to come up on a busy machine.
START_S = 120

#: A quick-sized run with a spiking model: digits only, tiny networks, one seed. Standalone
#: (``base = "none"``), so changes to the presets cannot reach it, and with no optional section,
#: so nothing but training and testing runs (no label efficiency, anytime or timing).
SPIKING = """
base = "none"
name = "dask-cluster"
seeds = [0]

[tasks.digits]

[models.snn]
kind = "stdp"
sizes = [10]
presentation_ms = 50.0
rest_ms = 20.0

[models.ann]
kind = "mlp"
sizes = [8]
"""


class Cluster:
    """The scheduler address, the workers' build cache and the logs of the processes the
    ``cluster`` fixture started."""

    def __init__(self, cache) -> None:
        self.address: str | None = None
        self.cache = cache
        self.logs: list = []

    def tails(self, n: int = 30) -> str:
        """The last ``n`` lines of every process's log (for assertion messages)."""
        parts = []
        for path in self.logs:
            lines = path.read_text(errors="replace").splitlines()[-n:]
            parts.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(parts)


def _stop(procs: list[subprocess.Popen]) -> None:
    """SIGTERM each process (a nanny stops its worker), then SIGKILL its whole session."""
    for proc in reversed(procs):  # workers first, the scheduler last
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        try:  # the nanny's worker child shares the session we started it in
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A ``dask scheduler`` and 2 ``dask worker --nthreads 1`` processes on 127.0.0.1.

    The workers cache compiled spiking networks in a fresh folder (``cluster.cache``).
    """
    from dask.distributed import Client

    root = tmp_path_factory.mktemp("dask")
    cache = root / "cache"
    env = {**os.environ, "BRAIN_VS_ANN_CACHE": str(cache)}
    dask = [sys.executable, "-m", "dask"]  # the `dask` command of this environment
    procs: list[subprocess.Popen] = []
    cluster = Cluster(cache)

    def start(name: str, args: list[str]) -> subprocess.Popen:
        log = root / f"{name}.log"
        cluster.logs.append(log)
        with open(log, "wb") as fh:
            proc = subprocess.Popen([*dask, *args], cwd=root, env=env, stdout=fh,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        return proc

    try:
        info = root / "scheduler.json"
        scheduler = start("scheduler", [
            "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
            "--scheduler-file", str(info), "--idle-timeout", "600",  # gone even if we are
        ])
        deadline = time.monotonic() + START_S
        while cluster.address is None:
            if scheduler.poll() is not None or time.monotonic() > deadline:
                pytest.fail("dask scheduler did not start:\n" + cluster.tails())
            try:
                cluster.address = json.loads(info.read_text())["address"]
            except (OSError, ValueError, KeyError):  # not written (completely) yet
                time.sleep(0.1)
        for i in range(2):
            start(f"worker{i}", [
                "worker", cluster.address, "--nthreads", "1", "--host", "127.0.0.1",
                "--no-dashboard", "--local-directory", str(root / f"worker{i}"),
                "--death-timeout", "60",
            ])
        with Client(cluster.address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=START_S)
        yield cluster
    finally:
        _stop(procs)


def _check_workers(address: str) -> dict:
    """On each worker: the plugin ran in the main thread and Brian2's SIGINT handler is the one
    installed (``import brian2`` can only do that in the main thread)."""
    from dask.distributed import Client

    from experiments.running.dask_setup import PLUGIN_NAME

    def state(dask_worker):  # a closure, so Dask ships it by value
        import signal as sig

        plugin = dask_worker.plugins.get(PLUGIN_NAME)
        handler = sig.getsignal(sig.SIGINT)
        return {"main_thread": getattr(plugin, "main_thread", None),
                "thread": getattr(plugin, "thread", None),
                "handler": f"{type(handler).__module__}.{type(handler).__name__}"}

    with Client(address, timeout="30s") as client:
        states = client.run(state)
    assert len(states) == 2, states
    for worker, s in states.items():
        assert s["main_thread"] is True, (worker, s)
        assert s["thread"] in ("MainThread", None), (worker, s)  # None: imported before
        assert s["handler"].startswith("brian2."), (worker, s)
    return states


def test_executor_prepares_workers_before_any_job(cluster, tiny_config):
    payload = expand_jobs(load_config(tiny_config))[0].to_dict()
    results = []
    execute([payload], results.append, executor="dask", scheduler=cluster.address)
    assert [r["status"] for r in results] == ["ok"], cluster.tails()

    from dask.distributed import Client

    def import_spiking_package():  # what a spiking job does first, in a task thread
        import threading

        import neurosim  # noqa: F401

        return threading.current_thread() is threading.main_thread()

    with Client(cluster.address, timeout="30s") as client:
        in_main = client.gather([client.submit(import_spiking_package, pure=False, workers=[w])
                                 for w in client.scheduler_info()["workers"]])
    assert in_main == [False, False]  # ran in worker threads, and the import worked
    _check_workers(cluster.address)


def test_plugin_imports_only_in_the_main_thread():
    code = """
import signal, sys, threading
from experiments.running.dask_setup import ImportBrian2, WorkerSetupError
errors = []
def task():
    try:
        ImportBrian2().setup(worker=None)
    except WorkerSetupError as err:
        errors.append(str(err))
t = threading.Thread(target=task, name="task-thread")
t.start(); t.join()
assert "brian2" not in sys.modules
plugin = ImportBrian2()
plugin.setup(worker=None)
print(errors[0])
print(plugin.thread, plugin.main_thread, type(signal.getsignal(signal.SIGINT)).__module__)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    refusal, imported = proc.stdout.strip().splitlines()[-2:]
    assert "'task-thread'" in refusal and "dask worker" in refusal  # names the fix
    assert imported == "MainThread True brian2"


@pytest.mark.slow  # compiles the spiking network once (tens of seconds on 2 cores)
@pytest.mark.timeout(600)
def test_spiking_run_on_dask_workers_matches_local(cluster, write_config, tmp_path, monkeypatch,
                                                   capsys):
    cfg = write_config(SPIKING)
    monkeypatch.setenv("BRAIN_VS_ANN_CACHE", str(cluster.cache))  # the workers' cache
    assert {j.family for j in expand_jobs(load_config(cfg))} == {"snn", "ann"}

    status = main(["run", "--config", str(cfg), "--out", str(tmp_path / "dask"), "--quiet",
                   "--executor", "dask", "--scheduler", cluster.address])
    err = capsys.readouterr().err
    assert status == 0, err + cluster.tails()
    dask_runs = pd.read_csv(tmp_path / "dask" / "runs.csv")
    assert (dask_runs["status"] == "ok").all() and len(dask_runs) == 2, err
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["n_failed"] == 0 and manifest["executor"]["kind"] == "dask"
    _check_workers(cluster.address)

    status = main(["run", "--config", str(cfg), "--out", str(tmp_path / "local"), "--quiet",
                   "--jobs", "1"])
    assert status == 0, capsys.readouterr().err
    local_runs = pd.read_csv(tmp_path / "local" / "runs.csv")
    acc = {name: frame.set_index("job_id")["accuracy"].sort_index()
           for name, frame in (("dask", dask_runs), ("local", local_runs))}
    pd.testing.assert_series_equal(acc["dask"], acc["local"])
