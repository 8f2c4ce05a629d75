"""The report renders every section from a run directory's files alone, with intervals, baselines
apart, and every brain or hardware number taken from ``experiments.facts.constants``."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
import tokenize
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contract import COST_KEYS, COST_METRICS
from experiments.cli import main
from experiments.facts import constants
from experiments.facts.constants import ENERGY_PJ, REFERENCES, reference
from experiments.facts.energy import energy_pj
from experiments.protocols.timing import TIMING_COLUMNS
from experiments.report.assemble import build_report, render
from experiments.report.markdown import fmt, fmt_cell, markdown_table
from experiments.running.config import load_config
from experiments.running.runner import run
from experiments.store import ID_COLUMNS, RUN_COLUMNS

SEEDS = (0, 1, 2)
#: model -> (kind, family, role, sizes); "ann" has two sizes, so its exponents cannot be fitted.
MODELS = {
    "snn": ("stdp", "snn", "main", (10, 20, 40)),
    "snn_random": ("stdp", "snn", "baseline", (10,)),
    "ann": ("mlp", "ann", "main", (8, 16)),
    "logreg": ("mlp", "ann", "baseline", (0,)),
    "kmeans": ("kmeans", "clustering", "baseline", (10, 20, 40)),
}
SECTIONS = ("## At a glance", "## 1. What ran", "## 2. Scale", "### Cost exponents",
            "### Size trend of the spiking network against Diehl & Cook (2015)",
            "## 3. Extrapolation to brains", "## 4. Learning rule", "### Label efficiency",
            "### What STDP adds", "## 5. Information processing and parallelism",
            "### Depth to an answer", "### Operations and energy, two ways", "### Activity",
            "### Anytime answer", "### Timing on this machine",
            "## 6. Learning rule against substrate", "## 7. Summary",
            "## Sources", "## Failed jobs", "## Appendix", "### How to read the tables",
            "### Run details", "### What was really simulated", "### Glossary",
            "### Energy assumptions")


def _cost(family: str, size: int, rng: np.random.Generator) -> dict:
    """A plausible cost record of one job (values need not be realistic, only consistent)."""
    c = dict.fromkeys(COST_KEYS)
    if family == "snn":
        neurons, steps = 2 * size, 840
        c.update(neurons=neurons, synapses=64 * size + 2 * size, params=65 * size,
                 footprint_bytes=40 * 66 * size, presentations_per_sample=1.0 + rng.random(),
                 timesteps=steps, sim_ms_per_inference=steps * 0.5, sequential_depth=steps,
                 steps_to_first_output=20.0, ms_to_first_output=10.0,
                 steps_to_final_output=800.0, dense_ops=66 * size * steps, effective_macs=0,
                 effective_acs=1500.0 * size * (1 + 0.1 * rng.random()),
                 membrane_updates=neurons * steps, input_draws=64 * steps,
                 activation_sparsity=0.99, spike_rate_hz=2.0 + rng.random(),
                 fraction_active=0.3, update_locality="local")
    else:
        c.update(neurons=size + 10, synapses=64 * size + 10 * max(size, 1), params=70 * size,
                 footprint_bytes=4 * 70 * size, presentations_per_sample=1, timesteps=1,
                 sequential_depth=2 if size else 1, steps_to_first_output=2,
                 steps_to_final_output=2, dense_ops=64 * size + 10 * max(size, 1),
                 effective_macs=40.0 * max(size, 1) * (1 + 0.1 * rng.random()),
                 effective_acs=0, membrane_updates=0, input_draws=0,
                 activation_sparsity=0.5, fraction_active=0.5,
                 update_locality="global" if family == "ann" else "local")
    c.update(footprint_dtype="float32", connection_sparsity=0.0, parallel_width=c["neurons"],
             train_samples=1000, epochs=1,
             labels_used=1000)
    return c


def make_run_dir(out: Path) -> Path:
    """A synthetic run directory: the manifest and every CSV the runner writes."""
    rng = np.random.default_rng(0)
    out.mkdir(parents=True)
    manifest = {
        "name": "synthetic", "description": "a synthetic run for the tests",
        "seeds": list(SEEDS), "n_jobs": 0, "n_done": 0, "n_failed": 1, "status": "finished",
        "wall_s": 123.4, "started": "2026-01-01T00:00:00+00:00",
        "finished": "2026-01-01T00:02:03+00:00", "threads_per_job": 1,
        "executor": {"kind": "local", "workers": 1}, "platform": "Linux-test",
        "cpu": {"model": "Test CPU", "logical_cores": 2, "usable_cores": 2},
        "versions": {"python": "3.11", "numpy": "2"},
        "timing": {"threads": [1, 2], "repeats": 5, "rapl_readable": False, "wall_s": 9.0},
        "config": {
            "seeds": list(SEEDS), "threads": 1,
            "tasks": [{"key": "digits", "task": "digits", "knobs": []}],
            "models": [{"key": k, "kind": kind, "role": role, "sizes": list(sizes),
                        "params": [["epochs", 0]] if k == "snn_random" else [], "tasks": []}
                       for k, (kind, _, role, sizes) in MODELS.items()],
        },
    }
    runs, le, at, lc, rf, tm = [], [], [], [], [], []
    base = {"snn": 0.7, "snn_random": 0.3, "ann": 0.85, "logreg": 0.9, "kmeans": 0.75}
    for seed in SEEDS:
        for model, (kind, family, _role, sizes) in MODELS.items():
            for size in sizes:
                job = f"{model}{size}s{seed}".replace("_", "")
                ids = {"job_id": job, "task": "digits", "model": model, "kind": kind,
                       "family": family, "size": size, "seed": seed}
                cost = _cost(family, size, rng)
                acc = base[model] + 0.002 * size + 0.03 * rng.standard_normal()
                work = (cost["effective_acs"] or 0) + (cost["membrane_updates"] or 0) + \
                    (cost["input_draws"] or 0)
                runs.append({**ids, "status": "ok", "accuracy": acc, "answered_frac": 1.0,
                             "majority_rate": 0.11, **cost, **energy_pj(cost),
                             "wall_s_train": 1.0, "wall_s_test": 1e-6 * work ** 1.1 * 100,
                             "compile_s": 0.0, "wall_s_job": 2.0, "cpu_s_job": 2.0,
                             "threads": 1, "threads_used": 1, "n_train": 1000, "n_test": 100,
                             "n_features": 64, "n_classes": 10,
                             "dt_ms": 0.5 if family == "snn" else None,
                             "presentation_ms": 350.0 if family == "snn" else None,
                             "task_name": "digits", "size_meaning": "units", "error": ""})
                for k in (1, 5, 0):
                    le.append({**ids, "labels_per_class": k, "labels_used": 10 * k or 1000,
                               "accuracy": acc - (0.2 / k if k else 0.0)})
                if family == "snn":
                    for t in (10.0, 50.0, 150.0):
                        at.append({**ids, "time_ms": t, "accuracy": acc * t / 150.0,
                                   "answered_frac": min(1.0, t / 50.0)})
                    for u in range(2):
                        rf.extend({**ids, "unit": u, "row": p // 8, "col": p % 8,
                                   "weight": float(rng.random())} for p in range(64))
                for i, n in enumerate((100, 500, 1000)):
                    lc.append({**ids, "samples_seen": n, "wall_s": 0.1 * i,
                               "eval_accuracy": acc * (i + 1) / 3})
                if seed == 0 and model in ("snn", "ann"):
                    for threads in (1, 2):
                        for mode, n in (("latency", 1), ("throughput", 100)):
                            med = 1e-3 * size * n / (1.3 if threads == 2 else 1.0)
                            tm.append({"task": "digits", "model": model, "kind": kind,
                                       "family": family, "size": size, "seed": 0,
                                       "mode": mode, "threads": threads, "threads_used": threads,
                                       "repeats": 5, "n_samples": n, "median_s": med,
                                       "q25_s": 0.9 * med, "q75_s": 1.1 * med,
                                       "samples_per_s": n / med, "load_avg": 3.5,
                                       "rapl_j": None})
    runs.append({"job_id": "bad", "task": "digits", "model": "ann", "kind": "mlp",
                 "family": "ann", "size": 8, "seed": 9, "status": "failed",
                 "error": "RuntimeError: boom"})
    manifest["n_jobs"] = len(runs)
    manifest["n_done"] = len(runs) - 1
    (out / "manifest.json").write_text(json.dumps(manifest))
    pd.DataFrame(runs, columns=[*ID_COLUMNS, *RUN_COLUMNS]).to_csv(out / "runs.csv", index=False)
    pd.DataFrame(le).to_csv(out / "label_efficiency.csv", index=False)
    pd.DataFrame(at).to_csv(out / "anytime.csv", index=False)
    pd.DataFrame(lc).to_csv(out / "learning_curves.csv", index=False)
    pd.DataFrame(rf).to_csv(out / "receptive_fields.csv", index=False)
    pd.DataFrame(tm, columns=list(TIMING_COLUMNS)).to_csv(out / "timing.csv", index=False)
    return out


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The synthetic run directory, rendered once with its figures."""
    out = make_run_dir(tmp_path_factory.mktemp("report") / "run")
    render(out)
    return out, (out / "report.md").read_text("utf-8")


@pytest.fixture
def run_dir(tmp_path):
    return make_run_dir(tmp_path / "run")


def test_every_section_renders_with_intervals_and_figures(rendered):
    out, text = rendered
    at = [text.index(heading) for heading in SECTIONS]  # each there, in this order
    assert at == sorted(at)
    assert text.count("±") > 50
    assert "**Baselines**" in text and "**Main comparison**" in text
    for fig in ("scale_accuracy", "scale_operations", "scale_brains", "size_trend",
                "extrapolation", "learning_curves", "label_efficiency", "stdp_adds",
                "receptive_fields", "energy", "anytime", "speedup"):
        assert (out / "figures" / f"{fig}.png").is_file(), fig
        assert f"figures/{fig}.png" in text, fig
    assert "not measured in this run" in text  # continual.csv and robustness.csv are absent
    for name, *_ in constants.BRAINS:
        assert name in text


def test_baselines_are_listed_apart(rendered):
    _, text = rendered
    scale = text.split("### Size and accuracy")[1].split("### Work and energy")[0]
    main, base = scale.split("**Baselines**")
    for model in ("snn_random", "logreg", "kmeans"):
        assert f"| {model} |" in base and f"| {model} |" not in main
    assert "| snn |" in main and "| ann |" in main


def test_exponents_need_three_sizes(rendered):
    _, text = rendered
    exps = text.split("### Cost exponents")[1].split("![")[0]
    assert "`ann` on `digits` (2 sizes): the exponent cannot be fitted from fewer than 3 " \
           "sizes." in exps
    assert "`logreg` on `digits` (1 size)" in exps
    assert re.search(r"\| digits \| snn \| main \| effective_acs \| 3 \|", exps)


def test_extrapolation_fits_and_states_its_assumptions(rendered):
    _, text = rendered
    ex = text.split("## 3. Extrapolation to brains")[1].split("## 4. Learning rule")[0]
    assert "Fit: wall s per simulated s" in ex and "TDP × time, an assumption" in ex
    assert "timing.csv: throughput at 1 thread" in ex
    assert "rapl_readable` = false" in ex
    for scope in ("neocortex", "whole brain", "K computer"):
        assert f"| {scope} |" in ex
    assert fmt(REFERENCES["k_computer_wall_s"].value * REFERENCES["k_computer_cores"].value) in ex
    assert "In plain words" in ex and "days" in ex


def test_size_trend_sits_beside_diehl_and_cook(rendered):
    _, text = rendered
    trend = text.split("against Diehl & Cook (2015)")[1].split("## 3.")[0]
    assert "8x8" in trend and "28x28" in trend
    for n, acc in constants.DC2015_ACCURACY.items():
        assert f"| {fmt(n)} |" in trend and fmt(acc) in trend


def test_what_stdp_adds_is_paired_and_written_out(rendered):
    _, text = rendered
    part = text.split("### What STDP adds")[1].split("### Learning curves")[0]
    for comparison in ("snn [10] − kmeans [10]", "snn [10] − snn_random [10]",
                       "snn [40] − kmeans [40]", "snn [40] − logreg [0]"):
        assert comparison in part
    assert "snn [20] − snn_random" not in part  # plasticity off only ran at size 10
    assert "over 3 paired seeds" in part and "less accurate than" in part


def test_processing_section_quotes_the_brain_and_chance(rendered):
    _, text = rendered
    part = text.split("## 5. Information processing")[1].split("## 7. Summary")[0]
    assert fmt(REFERENCES["rapid_categorisation_ms"].value) in part
    assert fmt(REFERENCES["cortical_rate_hz"].value) in part
    assert "majority class = 0.11" in part and "1 / classes = 0.1" in part
    assert "median [q25–q75]" in part and "load average" in part
    assert "speed-up" in part and "OpenMP barrier" in part  # 2 threads gained 1.3x: a loss


def test_energy_text_matches_the_constants(rendered):
    _, text = rendered
    energy_part = text.split("### Energy assumptions")[1].split("## 2. Scale")[0]
    for key, value in ENERGY_PJ.items():
        assert f"| {key} | {fmt(value)} |" in energy_part
    ops = text.split("### Operations and energy, two ways")[1]
    assert ", ".join(f"{k} {fmt(v)} pJ" for k, v in ENERGY_PJ.items()) in ops


def test_changing_a_constant_changes_the_report(run_dir, monkeypatch):
    before = build_report(run_dir, draw=False)
    monkeypatch.setitem(ENERGY_PJ, "mac", 7.77)
    monkeypatch.setitem(REFERENCES, "brain_power_w",
                        dataclasses.replace(REFERENCES["brain_power_w"], value=33.3))
    monkeypatch.setitem(REFERENCES, "rapid_categorisation_ms",
                        dataclasses.replace(REFERENCES["rapid_categorisation_ms"], value=123.0))
    monkeypatch.setattr(constants, "DC2015_ACCURACY", {100: 0.444})
    after = build_report(run_dir, draw=False)
    assert "| mac | 7.77 |" in after and "| mac | 7.77 |" not in before
    assert "33.3 W" in after and "33.3 W" not in before
    assert "123 ms" in after and "123 ms" not in before
    assert "0.444" in after and "| 6,400 |" not in after.split("Diehl & Cook (2015)")[1][:2000]


def test_glossary_lists_every_cost_metric(rendered):
    _, text = rendered
    glossary = text.split("### Glossary")[1].split("### Energy assumptions")[0]
    for key in COST_KEYS:
        assert f"| `{key}` |" in glossary, key
    for m in COST_METRICS:
        assert m.meaning in glossary


def test_no_literal_brain_or_hardware_numbers_in_the_sources():
    """No number of the constants table is written out anywhere in the report's room."""
    import experiments.report

    root = Path(experiments.report.__file__).parent
    banned = {float(r.value) for r in REFERENCES.values()} | {float(v) for v in
                                                               ENERGY_PJ.values()}
    banned -= {10.0}  # the base of log10 and a font size, never the SRAM energy here
    # stats.py (interval levels such as 0.95) and validate.py (the canonical checks' own
    # constants) hold no brain or hardware facts
    # (the section modules under sections/ included)
    paths = sorted(p for p in root.rglob("*.py") if p.name not in ("stats.py", "validate.py"))
    assert any(p.parent.name == "sections" for p in paths)
    for path in paths:
        name, src = str(path.relative_to(root)), path.read_text("utf-8")
        for tok in tokenize.generate_tokens(io.StringIO(src).readline):
            if tok.type == tokenize.NUMBER:
                assert float(tok.string.replace("_", "")) not in banned, (name, tok)
        for text in ("20 W", "0.16 Hz", "4.6 pJ", "0.9 pJ", "86 billion", "150 ms"):
            assert text not in src, (name, text)


def test_missing_tables_and_columns_are_reported_not_crashed(run_dir):
    for name in ("timing.csv", "anytime.csv", "label_efficiency.csv", "learning_curves.csv",
                 "receptive_fields.csv"):
        (run_dir / name).unlink()
    runs = pd.read_csv(run_dir / "runs.csv")
    runs = runs.drop(columns=["majority_rate", "effective_acs", "ms_to_first_output",
                              "spike_rate_hz", "energy_pj_dram"])
    runs.to_csv(run_dir / "runs.csv", index=False)
    text = render(run_dir, figures=False).read_text("utf-8")
    for what in ("Label efficiency", "The anytime answer", "The timing phase (timing.csv)",
                 "`effective_acs`", "`spike_rate_hz`"):
        assert re.search(re.escape(what) + r".*not measured in this run", text), what
    assert "## 7. Summary" in text


def test_sizes_below_three_say_the_extrapolation_cannot_be_fitted(run_dir):
    runs = pd.read_csv(run_dir / "runs.csv")
    runs = runs[~((runs["model"] == "snn") & (runs["size"] == 40))]
    runs.to_csv(run_dir / "runs.csv", index=False)
    text = build_report(run_dir, draw=False)
    ex = text.split("## 3. Extrapolation to brains")[1].split("## 4.")[0]
    assert "cannot be fitted from fewer than 3 sizes" in ex
    assert "`snn` on `digits` (2 sizes): the exponent cannot be fitted" in text
    assert "PB" in ex or "TB" in ex  # memory needs no fit


def test_a_run_without_finished_jobs_renders(run_dir):
    runs = pd.read_csv(run_dir / "runs.csv")
    runs["status"] = "failed"
    runs.to_csv(run_dir / "runs.csv", index=False)
    text = build_report(run_dir, draw=False)
    assert "nothing to compare yet" in text and "## Failed jobs" in text


def test_failed_jobs_are_listed(rendered):
    _, text = rendered
    assert "RuntimeError: boom" in text.split("## Failed jobs")[1]


def test_report_command_renders_without_job_files(rendered, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(rendered[0], copy)
    shutil.rmtree(copy / "figures")
    assert main(["report", str(copy)]) == 0
    assert "report.md" in capsys.readouterr().out
    assert (copy / "figures" / "scale_accuracy.png").is_file()


def test_report_on_a_non_run_directory_exits_2(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "not a run directory" in capsys.readouterr().err


def test_markdown_helpers():
    frame = pd.DataFrame({"a": [1, 2.5e7], "b": ["x", None]})
    text = markdown_table(frame)
    assert text.splitlines()[0] == "| a | b |"
    assert "2.50e+07" in text and "| 1 | x |" in text and "| - |" in text
    assert markdown_table(frame, ["a"], ["alpha"]).splitlines()[0] == "| alpha |"
    with pytest.raises(ValueError, match="columns"):
        markdown_table(frame, ["c"])
    assert fmt(float("nan")) == "-" and fmt(0.123456) == "0.123"
    assert fmt_cell(0.5, 0.01) == "0.5 ± 0.01"
    assert fmt_cell(740.0, 0.0) == "740" and fmt_cell(0.5, float("nan")) == "0.5"
    assert fmt_cell(None) == "-"


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
    assert render(out, figures=False) == out / "report.md"
    assert "## 2. Scale" in (out / "report.md").read_text("utf-8")


def test_tables_added_later_render_generically(run_dir):
    frame = pd.DataFrame({"task": "digits", "model": "snn", "size": 10, "seed": [0, 1, 2],
                          "phase": "after B", "accuracy": [0.5, 0.6, 0.7]})
    frame.to_csv(run_dir / "substrate.csv", index=False)
    text = build_report(run_dir, draw=False)
    part = text.split("## 8. Further measurements")[1]
    assert "### `substrate.csv` (not yet described by this report)" in part
    # mean 0.6, sd 0.1: half-width t_{0.975,2} * 0.1 / sqrt(3) = 0.25 (2 digits)
    assert "| digits | snn | after B | 10 | 0.6 ± 0.25 | 3 |" in part
    # continual.csv and robustness.csv are absent: their sections say so
    assert re.search(r"Continual learning.*not measured in this run", part)
    assert re.search(r"Robustness.*not measured in this run", part)


def test_rule_against_substrate_pairs_the_same_rule_on_two_substrates(run_dir):
    """The 2 x 2: the converted network (backprop on spiking neurons) beside the ANN and STDP,
    with paired differences by seed."""
    runs = pd.read_csv(run_dir / "runs.csv")
    conv = runs[(runs["model"] == "ann") & (runs["size"] == 8)].copy()
    conv["model"], conv["kind"], conv["family"] = "ann2snn", "ann2snn", "snn"
    conv["job_id"] = conv["job_id"] + "c"
    conv["accuracy"] = conv["accuracy"] - 0.01  # the same rule, 0.01 lower on spikes
    conv["effective_acs"], conv["ms_to_first_output"] = 5000.0, 3.0
    conv["sim_ms_per_inference"] = 50.0
    pd.concat([runs, conv]).to_csv(run_dir / "runs.csv", index=False)
    man = json.loads((run_dir / "manifest.json").read_text())
    man["config"]["models"].append({"key": "ann2snn", "kind": "ann2snn", "role": "main",
                                    "sizes": [8], "params": [], "tasks": []})
    (run_dir / "manifest.json").write_text(json.dumps(man))
    text = build_report(run_dir, draw=False)
    sec = text.split("## 6. Learning rule against substrate")[1].split("## 7.")[0]
    assert "`ann2snn` [8]" in sec and "`ann` [8]" in sec and "`snn` [" in sec
    assert "the converted network minus the ANN: -0.01" in sec
    assert "STDP minus the converted network" in sec and "3 ms" in sec


def test_first_screen_gives_each_verdict_with_interval_figure_and_link(rendered):
    """The first screen: scale, learning rule, information processing and beyond the essay,
    each a verdict with its number and interval, its figure and a link to the details; then
    what ran; the glossary and the energy constants only in the appendix at the end."""
    out, text = rendered
    top = text.split("## 1. What ran")[0]
    head, rule, verdicts, figs = [ln for ln in top.split("## At a glance")[1].splitlines()
                                  if ln.startswith("|")][:4]
    for name, link in (("Scale", "#2-scale"), ("Learning rule", "#4-learning-rule"),
                       ("Information processing", "#5-information-processing-and-parallelism"),
                       ("Beyond the essay", "#8-further-measurements-beyond-the-essay")):
        assert f"[{name}]({link})" in head
    cells = verdicts.strip("|").split(" | ")
    assert len(cells) == 4
    for cell in cells[:3]:
        assert "95 % CI" in cell, cell
    assert "not measured" in cells[3]  # continual.csv is absent
    for fig in ("glance_scale", "glance_learning", "glance_processing"):
        assert f"(figures/{fig}.png)" in figs
        assert (out / "figures" / f"{fig}.png").is_file()
    assert "STDP minus backprop accuracy" in cells[1] and "`snn` [40]" in cells[1]
    assert "[Appendix](#appendix)" in top
    assert "### Glossary" not in top and "### Energy assumptions" not in top
    assert text.index("## Appendix") > text.index("## Failed jobs")


def test_first_screen_numbers_come_from_the_tables(run_dir):
    runs = pd.read_csv(run_dir / "runs.csv")
    runs.loc[runs["model"] == "snn", "accuracy"] += 0.05  # STDP 0.05 better on every seed
    runs.to_csv(run_dir / "runs.csv", index=False)
    before = build_report(make_run_dir(run_dir.parent / "other"), draw=False)
    after = build_report(run_dir, draw=False)
    pick = lambda t: t.split("STDP minus backprop accuracy: ")[1].split(" ")[0]  # noqa: E731
    assert float(pick(after)) == pytest.approx(float(pick(before)) + 0.05, abs=0.011)


def test_accuracy_below_chance_is_flagged_as_broken(run_dir):
    le = pd.read_csv(run_dir / "label_efficiency.csv")
    le.loc[(le["model"] == "kmeans") & (le["labels_per_class"] == 1), "accuracy"] = 0.05
    le.to_csv(run_dir / "label_efficiency.csv", index=False)
    text = build_report(run_dir, draw=False)
    top = text.split("## 1. What ran")[0]
    assert "**Broken: accuracy below chance.**" in top
    assert "`kmeans` [10] on `digits` with 1 label(s) per class: 0.05 < chance 0.1" in top
    assert "Broken" not in build_report(make_run_dir(run_dir.parent / "ok"), draw=False)


def test_every_linked_figure_exists_and_every_anchor_resolves(rendered):
    from experiments.report.markdown import anchor

    out, text = rendered
    linked = set(re.findall(r"\]\((figures/[^)]+)\)", text))
    assert len(linked) >= 12
    for rel in linked:
        assert (out / rel).is_file(), rel
    heads = {anchor(re.sub(r"[`*]", "", h)) for h in re.findall(r"^#+ (.+)$", text, re.M)}
    for target in set(re.findall(r"\]\(#([^)]+)\)", text)):
        assert target in heads, target


def test_render_writes_a_self_contained_html_beside_the_markdown(rendered):
    import base64

    out, _ = rendered
    page = (out / "report.html").read_text("utf-8")
    srcs = re.findall(r'<img src="([^"]+)"', page)
    assert len(srcs) >= 12
    for src in srcs:
        assert src.startswith("data:image/png;base64,"), src[:60]
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'id="at-a-glance"' in page and '<table class="glance">' in page
    assert page.count("<details") >= 10 and "http://" not in page and "https://" not in page


def test_beyond_verdict_pairs_forgetting_and_the_final_accuracy(run_dir):
    """With continual.csv: forgetting of the spiking network minus the ANN's, paired by seed,
    with the accuracy on all classes at the end beside it, and the continual figure."""
    rows = []
    for seed in SEEDS:
        for model, family, size, old2 in (("snn", "snn", 40, 0.8), ("ann", "ann", 16, 0.1)):
            ids = {"job_id": f"{model}{seed}", "task": "digits", "model": model,
                   "kind": "stdp" if family == "snn" else "mlp", "family": family,
                   "size": size, "seed": seed}
            for phase, which, acc in ((0, "all", 0.9), (1, "old", 0.9), (2, "old", old2),
                                      (2, "new", 0.5 + 0.01 * seed), (2, "all", 0.5)):
                rows.append({**ids, "phase": phase, "eval_classes": which,
                             "accuracy": acc + (0.01 * seed if which == "old" else 0.0)})
    pd.DataFrame(rows).to_csv(run_dir / "continual.csv", index=False)
    render(run_dir)
    text = (run_dir / "report.md").read_text("utf-8")
    cell = text.split("## 1. What ran")[0].split("Learning new classes")[1].split(" |")[0]
    # forgetting: snn 0.1, ann 0.8 on every seed -> -0.7 with a zero-width interval
    assert "`snn` [40] minus `ann` [16]" in cell and ": -0.7 " in cell
    assert "accuracy on all classes at the end: 0 " in cell
    assert "(figures/continual_digits.png)" in text.split("## 1. What ran")[0]
