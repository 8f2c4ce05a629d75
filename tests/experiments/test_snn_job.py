"""One tiny spiking job through the runner (one compiled structure, shared by these tests)."""

from __future__ import annotations

import pytest

from experiments.config import parse_config
from experiments.jobs import expand_jobs, run_job

D, N_EXC = 16, 8


def _cfg(sizes=(N_EXC,)):
    return parse_config({
        "name": "snn",
        "tasks": {"patterns": {"d": D, "k": 2, "n_train_per_class": 12, "n_test_per_class": 6}},
        "models": {"snn": {"kind": "stdp", "sizes": list(sizes), "presentation_ms": 50.0,
                           "rest_ms": 20.0, "checkpoints": 2}},
        "anytime": {"times_ms": [10, 25, 50]},
        "label_efficiency": {"labels_per_class": [1, 0]},
    })


@pytest.fixture(scope="module")
def snn_result():
    job = expand_jobs(_cfg())[0]
    return job, run_job(job)


def test_spiking_row_is_computed_from_the_network(snn_result):
    job, res = snn_result
    assert res["status"] == "ok", res["traceback"]
    row = res["row"]
    assert row["family"] == "snn" and row["size"] == N_EXC
    assert row["neurons"] == 2 * N_EXC  # excitatory + inhibitory
    assert row["synapses"] == D * N_EXC + N_EXC + N_EXC * (N_EXC - 1)
    assert row["macs"] is None
    assert row["synops"] > 0 and row["neuron_updates"] > 0
    assert row["timesteps"] == row["sequential_depth"] == round(50.0 / row["dt_ms"])
    assert row["neuron_updates"] >= row["neurons"] * row["timesteps"]
    assert row["energy_pj_est"] == pytest.approx(0.9 * row["synops"])
    assert row["update_locality"] == "local"
    assert 0 <= row["activity"] <= 1
    assert row["presentation_ms"] == 50.0


def test_spiking_curves_anytime_and_labels(snn_result):
    job, res = snn_result
    seen = [c["samples_seen"] for c in res["curve"]]
    assert len(seen) == 2 and seen[-1] == 24 and seen[0] < seen[1]  # 2 checkpoints, 24 samples
    assert all(c["eval_accuracy"] is not None for c in res["curve"])
    assert [a["time_ms"] for a in res["anytime"]] == [10.0, 25.0, 50.0]
    # the full-presentation anytime answer is the prediction itself (same spikes)
    assert res["anytime"][-1]["accuracy"] == res["row"]["accuracy"]
    pts = {p["labels_per_class"]: p for p in res["labels"]}
    assert pts[1]["labels_used"] == 2 and pts[0]["labels_used"] == 24
    assert "fields" not in res  # patterns are not images


@pytest.mark.slow
def test_spiking_size_drives_neurons_and_synapses():
    rows = {}
    for job in expand_jobs(_cfg(sizes=(N_EXC, 2 * N_EXC))):
        res = run_job(job)
        assert res["status"] == "ok", res["traceback"]
        rows[job.size] = res["row"]
    for n, row in rows.items():
        assert row["neurons"] == 2 * n
        assert row["synapses"] == D * n + n + n * (n - 1)
    assert rows[2 * N_EXC]["neuron_updates"] > rows[N_EXC]["neuron_updates"]
