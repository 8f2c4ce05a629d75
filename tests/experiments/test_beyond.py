"""``[continual]`` and ``[robustness]``: config, jobs, tables, report sections (tiny runs)."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.report.beyond import continual_section, robustness_section
from experiments.running.config import ConfigError, load_config, load_preset, parse_config
from experiments.running.jobs import Job, expand_jobs
from experiments.running.runner import run

TINY = {
    "name": "tiny_beyond", "seeds": [0, 1],
    "tasks": {"patterns": {"d": 16, "k": 4, "n_train_per_class": 20, "n_test_per_class": 10}},
    "models": {"ann": {"kind": "mlp", "sizes": [4, 8], "epochs": 5, "batch_size": 16},
               "logreg": {"kind": "mlp", "sizes": [0], "epochs": 5, "role": "baseline"},
               "km": {"kind": "kmeans", "sizes": [4, 8], "role": "baseline"}},
    "continual": {},
    "robustness": {"levels": {"synapse_lesion": [0, 0.5], "neuron_lesion": [0, 1.0],
                              "input_noise": [0, 0.5], "weight_bits": [4, 1]}},
}


def _cfg(**over):
    return parse_config({**TINY, **over})


def test_presets_select_jobs():
    beyond = load_preset("beyond")
    jobs = expand_jobs(beyond)
    assert len(jobs) == 27 and all(j.continual and j.robustness for j in jobs)
    assert {j.model for j in jobs} == {"snn", "ann", "kmeans"}
    assert [k for k, _ in beyond.robustness.levels] == ["synapse_lesion", "neuron_lesion",
                                                        "input_noise", "weight_bits"]
    full = expand_jobs(load_preset("full"))  # the scale comparison: the beyond tables are not in it
    assert not any(j.continual or j.robustness for j in full)
    assert not any(j.labels_per_class for j in full if j.model == "snn_1600")
    assert any(j.labels_per_class for j in full if j.model == "snn" and j.task_key == "bars")
    quick = expand_jobs(load_preset("quick"))
    assert not any(j.continual or j.robustness for j in quick)


def test_job_dict_round_trip_and_unchanged_ids_without_the_new_tables():
    for job in expand_jobs(_cfg()):
        assert Job.from_dict(job.to_dict()) == job
        assert job.to_dict()["robustness"]["neuron_lesion"] == [0.0, 1.0]
    plain = expand_jobs(parse_config({k: v for k, v in TINY.items()
                                      if k not in ("continual", "robustness")}))
    for job in plain:
        d = job.to_dict()
        assert not {"continual", "robustness", "robustness_samples"} & set(d)
        assert Job.from_dict(d) == job


def test_selection_defaults_and_sizes():
    cfg = _cfg(continual={"models": ["ann"], "sizes": {"ann": [8]}})
    assert [(j.model, j.size) for j in expand_jobs(cfg) if j.continual and j.seed == 0] == [
        ("ann", 8)]
    assert cfg.robustness.models == ("ann", "logreg", "km") and cfg.robustness.tasks == (
        "patterns",)


@pytest.mark.parametrize("over, key", [
    ({"continual": {"model": ["ann"]}}, "continual.model"),
    ({"continual": {"models": ["cnn"]}}, "continual.models"),
    ({"continual": {"sizes": {"ann": [16]}}}, "continual.sizes.ann"),
    ({"robustness": {"levels": {"input_noise": [0, 2]}}}, "robustness.levels.input_noise"),
    ({"robustness": {"levels": {"blur": [0]}}}, "robustness.levels.blur"),
    ({"robustness": {"perturbations": ["blur"]}}, "robustness.perturbations"),
    ({"robustness": {"test_samples": -1}}, "robustness.test_samples"),
    ({"robustness": {"tasks": ["digits"]}}, "robustness.tasks"),
])
def test_config_mistakes_name_the_key(over, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        _cfg(**over)


def test_user_file_on_full_drops_references_to_models_it_leaves_out(write_config):
    path = write_config('base = "full"\nseeds = [0]\n[tasks.digits]\n'
                        '[models.ann]\nsizes = [8]\n')
    cfg = load_config(path)
    assert cfg.label_models == ("ann",) and cfg.label_tasks == ("digits",)
    assert cfg.timing.models == ("ann",)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("beyond") / "run"
    summary = run(_cfg(), out, quiet=True, report=False)
    assert summary.n_failed == 0, summary.failed
    return out


def test_tables_have_their_columns(tiny_run):
    cont = pd.read_csv(tiny_run / "continual.csv")
    assert list(cont.columns[-3:]) == ["phase", "eval_classes", "accuracy"]
    assert {"task", "model", "size", "seed"} <= set(cont.columns)
    per_job = cont.groupby("job_id").size()
    assert set(per_job) == {7}  # joint x 3, phase 1 old, phase 2 x 3
    assert set(cont.loc[cont["phase"] == 1, "eval_classes"]) == {"old"}
    rob = pd.read_csv(tiny_run / "robustness.csv")
    assert list(rob.columns[-3:]) == ["perturbation", "level", "accuracy"]
    runs = pd.read_csv(tiny_run / "runs.csv").set_index("job_id")
    zero = rob[rob["level"] == 0]
    gap = (zero["accuracy"] - runs.loc[zero["job_id"], "accuracy"].to_numpy()).abs()
    assert gap.max() <= 0.005
    assert set(rob.loc[rob["model"] == "logreg", "perturbation"]) == {
        "synapse_lesion", "input_noise", "weight_bits"}  # no hidden units to lesion
    full = rob[(rob["perturbation"] == "neuron_lesion") & (rob["level"] == 1.0)]
    majority = runs.loc[full["job_id"], "majority_rate"].to_numpy()
    assert (full["accuracy"].to_numpy() <= majority + 1e-12).all()
    assert runs["wall_s_continual"].notna().all() and runs["wall_s_robustness"].notna().all()


def test_report_sections(tiny_run):
    text = continual_section(tiny_run)
    assert text.startswith("## Continual learning") and "forgets less" in text
    assert (tiny_run / "figures" / "continual_patterns.png").is_file()
    text = robustness_section(tiny_run)
    assert text.startswith("## Robustness") and "degrades more gracefully" in text
    assert "within 0 " in text or "within 0." in text  # the level-0 check
    assert (tiny_run / "figures" / "robustness_patterns.png").is_file()


def test_report_sections_without_the_tables(tmp_path):
    assert "not measured in this run" in continual_section(tmp_path)
    assert "not measured in this run" in robustness_section(tmp_path)
    pd.DataFrame(columns=["job_id", "task"]).to_csv(tmp_path / "continual.csv", index=False)
    assert "not measured in this run" in continual_section(tmp_path)
