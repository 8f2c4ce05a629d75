"""One tiny spiking job through the runner (one compiled structure, shared by these tests)."""

from __future__ import annotations

import pytest

from experiments.running.config import parse_config
from experiments.running.jobs import expand_jobs, run_job

D, N_EXC = 16, 8


def _cfg(sizes=(N_EXC,)):
    return parse_config({
        "name": "snn",
        "tasks": {"patterns": {"d": D, "k": 2, "n_train_per_class": 12, "n_test_per_class": 6}},
        "models": {"snn": {"kind": "stdp", "sizes": list(sizes), "presentation_ms": 50.0,
                           "rest_ms": 20.0, "checkpoints": 2, "input_rate_hz": 4000.0,
                           "epochs": 1, "chunk_samples": 8}},
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
    assert row["effective_macs"] == 0
    assert row["effective_acs"] > 0 and row["membrane_updates"] > 0
    # every simulated step counts: presentation and rest of every showing
    slot = round((50.0 + 20.0) / row["dt_ms"])
    assert row["timesteps"] == row["sequential_depth"] == pytest.approx(
        slot * row["presentations_per_sample"])
    assert row["membrane_updates"] == pytest.approx(row["neurons"] * row["timesteps"])
    from experiments.facts.constants import ENERGY_PJ

    assert row["energy_pj_ops"] == pytest.approx(ENERGY_PJ["ac"] * row["effective_acs"])
    assert row["energy_pj_dram"] > row["energy_pj_sram"] > row["energy_pj_ops"]
    assert row["update_locality"] == "local"
    assert 0 < row["activation_sparsity"] < 1 and row["spike_rate_hz"] > 0
    assert row["presentation_ms"] == 50.0


def test_spiking_curves_anytime_and_labels(snn_result):
    job, res = snn_result
    seen = [c["samples_seen"] for c in res["curve"]]
    # 2 checkpoints (marks 12 and 24) at the ends of the runs of 8 samples that pass them
    assert seen == [16, 24]
    assert all(c["eval_accuracy"] is not None for c in res["curve"])
    assert [a["time_ms"] for a in res["anytime"]] == [10.0, 25.0, 50.0]
    answered = [a["answered_frac"] for a in res["anytime"]]
    assert answered == sorted(answered) and answered[-1] > 0
    # an unanswered sample counts as wrong: accuracy never exceeds the answered fraction
    assert all(a["accuracy"] <= a["answered_frac"] for a in res["anytime"])
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
    assert rows[2 * N_EXC]["membrane_updates"] > rows[N_EXC]["membrane_updates"]
