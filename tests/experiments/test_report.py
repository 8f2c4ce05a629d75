"""Report and figures are rendered from the CSVs alone; helpers compute what they claim."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.config import load_config
from experiments.constants import BRAINS, ENERGY_PJ, REFERENCES, reference
from experiments.figures import fit_exponent
from experiments.report import extrapolate_human, fmt, markdown_table, render
from experiments.runner import run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    import tomllib

    from experiments.config import parse_config

    text = """
name = "rep"
[tasks.bars]
n = 4
n_train_per_class = 10
n_test_per_class = 5
[models.ann]
kind = "mlp"
sizes = [4, 16]
epochs = 4
[label_efficiency]
labels_per_class = [1, 0]
[thread_timing]
counts = [1, 2]
"""
    out = tmp_path_factory.mktemp("rep") / "run"
    run(parse_config(tomllib.loads(text)), out, quiet=True, report=False)
    return out


def test_report_command_renders_from_csvs_without_jobs(run_dir, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    shutil.rmtree(copy / "jobs")  # no job files, no models: only the CSVs and the manifest
    assert main(["report", str(copy)]) == 0
    assert "report.md" in capsys.readouterr().out
    text = (copy / "report.md").read_text()
    for fig in ("scale_size", "scale_brains", "learning_curves", "label_efficiency",
                "receptive_fields", "operations", "depth_width", "threads"):
        assert (copy / "figures" / f"{fig}.png").is_file(), fig
        assert f"figures/{fig}.png" in text
    assert "anytime.png" not in text  # no spiking model in this run: no anytime figure
    runs = pd.read_csv(copy / "runs.csv")
    for acc in runs["accuracy"]:
        assert fmt(acc) in text
    for name, *_ in BRAINS:
        assert name in (copy / "report.md").read_text() or name == "mouse"


def test_report_on_a_non_run_directory_exits_2(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "not a run directory" in capsys.readouterr().err


def test_report_lists_failed_jobs(run_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    runs = pd.read_csv(copy / "runs.csv")
    runs["error"] = runs["error"].astype(object)
    runs.loc[0, ["status", "error"]] = ["failed", "RuntimeError: boom"]
    runs.to_csv(copy / "runs.csv", index=False)
    text = render(copy).read_text()
    assert "## Failed jobs" in text and "RuntimeError: boom" in text


def test_fit_exponent_recovers_a_power_law():
    x = np.array([10.0, 100.0, 1000.0])
    assert fit_exponent(x, 3 * x**1.5) == pytest.approx(1.5)
    assert fit_exponent([5, 5], [1, 2]) is None
    with pytest.raises(ValueError, match="same shape"):
        fit_exponent([1, 2], [1])


def test_extrapolation_uses_the_measured_cost_per_operation():
    runs = pd.DataFrame([
        {"family": "snn", "model": "snn", "size": 10, "synapses": 1000, "synops": 4e4,
         "neuron_updates": 6e4, "wall_s_infer": 1e-3, "dt_ms": 0.5, "memory_bytes": 8000,
         "params": 1000},
        {"family": "snn", "model": "snn", "size": 5, "synapses": 100, "synops": 1,
         "neuron_updates": 1, "wall_s_infer": 1.0, "dt_ms": 0.5, "memory_bytes": 800,
         "params": 100},
        {"family": "ann", "model": "ann", "size": 5, "synapses": 10**6, "synops": None,
         "neuron_updates": None, "wall_s_infer": 1e-6, "dt_ms": None, "memory_bytes": 4,
         "params": 1},
    ])
    ex = extrapolate_human(runs)
    assert ex["size"] == 10  # the largest spiking network
    assert ex["s_per_op"] == pytest.approx(1e-3 / 1e5)
    assert ex["bytes_per_synapse"] == pytest.approx(8.0)
    n, s = REFERENCES["human_neurons"].value, REFERENCES["human_synapses"].value
    assert ex["memory_bytes"] == pytest.approx(8.0 * s)
    low = ex["variants"][0]
    assert low["rate_hz"] == REFERENCES["cortical_rate_hz"].value
    assert low["neuron_updates"] == pytest.approx(n * 2000)
    assert low["wall_s"] == pytest.approx(1e-8 * (n * 2000 + s * 0.16))
    assert low["energy_j_est"] == pytest.approx(s * 0.16 * ENERGY_PJ["synop"] * 1e-12)
    assert extrapolate_human(runs[runs["family"] == "ann"]) is None


def test_markdown_table_and_fmt():
    frame = pd.DataFrame({"a": [1, 2.5e7], "b": ["x", None]})
    text = markdown_table(frame)
    assert text.splitlines()[0] == "| a | b |"
    assert "2.50e+07" in text and "| 1 | x |" in text and "| - |" in text
    with pytest.raises(ValueError, match="columns"):
        markdown_table(frame, ["c"])
    assert fmt(float("nan")) == "-" and fmt(0.123456) == "0.123"


def test_reference_constants_carry_sources():
    for ref in REFERENCES.values():
        assert ref.source and ref.value > 0
    assert reference("human_neurons").value == pytest.approx(86.1e9)
    with pytest.raises(ValueError, match="unknown reference"):
        reference("cat_neurons")


def test_run_report_false_then_render(tiny_config, tmp_path):
    out = tmp_path / "r"
    run(load_config(tiny_config), out, quiet=True, report=False)
    assert not (out / "report.md").exists()
    assert render(out) == out / "report.md"
