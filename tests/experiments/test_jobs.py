"""Job expansion, hashing, and one job's metrics measured on the model through the contract."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from contract import COST_KEYS
from experiments.running.config import ConfigError, load_config, parse_config
from experiments.running.jobs import Job, expand_jobs, job_id, run_job


def _raw(**over):
    raw = {
        "name": "t",
        "seeds": [0, 1],
        "tasks": {"patterns": {"d": 16, "k": 3, "n_train_per_class": 20, "n_test_per_class": 10},
                  "bars": {"n": 4}},
        "models": {"ann": {"kind": "mlp", "sizes": [4, 8, 16], "epochs": 3}},
    }
    raw.update(over)
    return raw


def test_expansion_is_the_full_product_with_distinct_ids():
    cfg = parse_config(_raw())
    jobs = expand_jobs(cfg)
    assert len(jobs) == 2 * 2 * 1 * 3
    assert len({j.id for j in jobs}) == len(jobs)
    combos = {(j.seed, j.task_key, j.model, j.size) for j in jobs}
    assert len(combos) == len(jobs)


def test_ids_are_stable_and_follow_the_resolved_config():
    a = expand_jobs(parse_config(_raw()))
    b = expand_jobs(parse_config(_raw()))
    assert [j.id for j in a] == [j.id for j in b]
    changed = expand_jobs(parse_config(_raw(models={"ann": {"kind": "mlp", "sizes": [4, 8, 16],
                                                              "epochs": 4}})))
    assert not {j.id for j in a} & {j.id for j in changed}


def test_job_dict_round_trip_keeps_the_id():
    job = expand_jobs(parse_config(_raw()))[0]
    again = Job.from_dict(job.to_dict())
    assert again == job
    assert job_id(again) == job.id
    with pytest.raises(TypeError, match="job must be a Job"):
        job_id(job.to_dict())


def test_label_and_timing_measurements_only_where_asked():
    cfg = parse_config(_raw(label_efficiency={"tasks": ["bars"], "labels_per_class": [1, 0]},
                            timing={"tasks": ["patterns"], "threads": [1, 2],
                                    "sizes": {"ann": [4]}}))
    for j in expand_jobs(cfg):
        assert j.labels_per_class == ((1, 0) if j.task_key == "bars" else ())
        timed = j.task_key == "patterns" and j.size == 4 and j.seed == 0  # first seed only
        assert j.timing_threads == ((1, 2) if timed else ())


def test_label_efficiency_only_for_the_models_asked():
    models = {"ann": {"kind": "mlp", "sizes": [4], "epochs": 3},
              "big": {"kind": "mlp", "sizes": [16], "epochs": 3}}
    cfg = parse_config(_raw(models=models, label_efficiency={
        "tasks": ["bars"], "models": ["ann"], "labels_per_class": [1, 0]}))
    assert cfg.label_models == ("ann",)
    for j in expand_jobs(cfg):
        assert j.labels_per_class == ((1, 0) if (j.task_key, j.model) == ("bars", "ann") else ())
    with pytest.raises(ConfigError, match=r"label_efficiency\.models.*'nope'.*ann, big"):
        parse_config(_raw(models=models, label_efficiency={
            "models": ["nope"], "labels_per_class": [1, 0]}))


def _ann_job(size: int, seed: int = 0) -> Job:
    cfg = parse_config(_raw(seeds=[seed]))
    return next(j for j in expand_jobs(cfg) if j.task_key == "patterns" and j.size == size)


@pytest.mark.parametrize("size", [4, 16])
def test_ann_size_drives_neurons_synapses_and_macs(size):
    res = run_job(_ann_job(size))
    assert res["status"] == "ok", res["traceback"]
    row = res["row"]
    d, k = 16, 3  # patterns task: 16 inputs, 3 classes; one hidden layer of `size` units
    assert row["neurons"] == size + k
    assert row["synapses"] == d * size + size * k
    assert row["params"] == row["synapses"] + size + k
    assert row["dense_ops"] == row["synapses"]
    assert row["footprint_bytes"] == 4 * row["params"]  # float32 storage
    # the energy estimate follows the operation counts and the constants table
    from experiments.facts.constants import ENERGY_PJ

    assert row["energy_pj_ops"] == pytest.approx(ENERGY_PJ["mac"] * row["effective_macs"])
    assert row["update_locality"] == "global"
    assert row["labels_used"] == row["n_train"] == 60
    assert row["effective_acs"] == 0 and row["membrane_updates"] == 0
    assert set(COST_KEYS) <= set(row)
    assert 0 <= row["accuracy"] <= 1 and row["answered_frac"] == 1.0
    assert row["majority_rate"] == pytest.approx(1 / 3)  # balanced test set
    assert [c["samples_seen"] for c in res["curve"]] == [60, 120, 180]


def test_same_job_same_numbers():
    a = run_job(_ann_job(8))
    b = run_job(_ann_job(8).to_dict())
    assert a["id"] == b["id"]
    drop = {"wall_s_train", "wall_s_test", "wall_s_job", "cpu_s_job", "compile_s"}
    assert {k: v for k, v in a["row"].items() if k not in drop} == {
        k: v for k, v in b["row"].items() if k not in drop}
    assert [c["loss"] for c in a["curve"]] == [c["loss"] for c in b["curve"]]


def test_failure_is_recorded_not_raised(monkeypatch):
    job = _ann_job(4)
    monkeypatch.setenv("BRAIN_VS_ANN_FAIL_JOB", job.id)
    res = run_job(job)
    assert res["status"] == "failed"
    assert "injected" in res["error"]
    assert "row" not in res


def test_label_efficiency_and_fields_on_an_image_task(write_config, tiny_text):
    text = tiny_text.replace("[tasks.patterns]\nd = 16\nk = 3\n", "[tasks.bars]\nn = 4\n")
    text = text.replace("n_train_per_class = 20\nn_test_per_class = 10\n",
                        "n_train_per_class = 12\nn_test_per_class = 5\n")
    text += "[label_efficiency]\nlabels_per_class = [1, 3, 0]\n"
    cfg = load_config(write_config(text))
    job = expand_jobs(cfg)[0]
    res = run_job(job)
    assert res["status"] == "ok", res["traceback"]
    pts = {p["labels_per_class"]: p for p in res["labels"]}
    assert pts[1]["labels_used"] == 8 and pts[3]["labels_used"] == 24
    assert pts[0]["labels_used"] == res["row"]["n_train"] == 96
    assert pts[0]["accuracy"] == res["row"]["accuracy"]
    fields = np.asarray(res["fields"]["weights"])
    assert res["fields"]["image_shape"] == [4, 4]
    assert fields.shape == (min(job.size, 16), 16)


def test_job_is_frozen():
    job = _ann_job(4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.size = 5


def test_baselines_see_the_same_images_and_labels_as_the_spiking_network(monkeypatch):
    """The baselines' protocol: k-means, the plasticity-off network and logistic regression of a
    (task, seed) are fitted on exactly the arrays the STDP network is fitted on (same split,
    same unlabelled images, same labels), and evaluated on the same test images."""
    import experiments.running.jobs as jobs_module

    seen: dict[str, tuple[np.ndarray, ...]] = {}

    class Recorded(RuntimeError):
        pass

    real_build = jobs_module.build_model

    def recording_build(job, task, **kw):
        model = real_build(job, task, **kw)

        def fit(X, y, eval_set=None):
            seen[job.model] = (np.array(X), np.array(y), np.array(eval_set[0]))
            raise Recorded("recorded; not fitted")

        model.fit = fit
        return model

    monkeypatch.setattr(jobs_module, "build_model", recording_build)
    cfg = parse_config({
        "name": "t", "seeds": [1], "eval_samples": 0,
        "tasks": {"patterns": {"d": 16, "k": 3, "n_train_per_class": 20, "n_test_per_class": 10}},
        "models": {"snn": {"kind": "stdp", "sizes": [4]},
                   "snn_random": {"kind": "stdp", "sizes": [4], "epochs": 0, "role": "baseline"},
                   "kmeans": {"kind": "kmeans", "sizes": [4], "role": "baseline"},
                   "logreg": {"kind": "mlp", "sizes": [0], "role": "baseline"}},
    })
    for job in expand_jobs(cfg):
        assert run_job(job)["status"] == "failed"  # the recording fit stops every job
    assert set(seen) == {"snn", "snn_random", "kmeans", "logreg"}
    X, y, X_eval = seen["snn"]
    assert len(X) == 60 and set(np.unique(y)) == {0, 1, 2}
    for model in ("snn_random", "kmeans", "logreg"):
        np.testing.assert_array_equal(seen[model][0], X)
        np.testing.assert_array_equal(seen[model][1], y)
        np.testing.assert_array_equal(seen[model][2], X_eval)
