"""Config loading: presets, overrides, and one-line errors for every kind of mistake."""

from __future__ import annotations

import pytest

from experiments.cli import main
from experiments.running.config import (
    Config,
    ConfigError,
    list_presets,
    load_config,
    load_preset,
    parse_config,
)


def test_shipped_presets_load():
    names = list_presets()
    assert {"quick", "full", "essay"} <= set(names)
    for name in names:
        cfg = load_preset(name)
        assert isinstance(cfg, Config)
        assert cfg.name == name
        assert cfg.tasks and cfg.models and cfg.seeds


def test_quick_preset_has_both_families_baselines_and_seeds():
    cfg = load_preset("quick")
    main = {m.family for m in cfg.models if m.role == "main"}
    assert main == {"ann", "snn"}
    assert {m.key for m in cfg.models if m.role == "baseline"} == {"kmeans", "snn_random",
                                                                     "logreg"}
    assert "digits" in [t.task for t in cfg.tasks]
    assert len(cfg.seeds) >= 3
    snn = next(m for m in cfg.models if m.key == "snn")
    assert len(snn.sizes) >= 3  # an exponent needs three sizes
    assert cfg.timing.repeats >= 5 and 2 in cfg.timing.threads_for("ann")


def test_user_file_overrides_only_what_differs(write_config):
    path = write_config('seeds = [3, 4]\n[models.ann]\nkind = "mlp"\nsizes = [5]\n'
                                  "[tasks.digits]\n")
    cfg = load_config(path)
    quick = load_preset("quick")
    assert cfg.seeds == (3, 4)
    assert cfg.name == "cfg"  # named after the file
    assert [m.key for m in cfg.models] == ["ann"]  # listed models are the ones that run
    ann = cfg.models[0]
    quick_ann = next(m for m in quick.models if m.key == "ann")
    assert ann.sizes == (5,)
    assert ann.params == quick_ann.params  # merged onto the preset's entry
    assert [t.key for t in cfg.tasks] == ["digits"]
    assert cfg.labels_per_class == quick.labels_per_class


def test_resolved_config_is_json_data(tiny_config):
    import json

    cfg = load_config(tiny_config)
    text = json.dumps(cfg.to_dict())
    assert '"sizes": [4, 8]' in text


@pytest.mark.parametrize(
    ("text", "key", "hint"),
    [
        ("colour = 3\n", "colour", "remove it"),
        ("seeds = 0\n", "seeds", "list of integers"),
        ("seeds = [-1]\n", "seeds", ">= 0"),
        ('[models.bad]\nkind = "mlp"\nsizes = [-1]\n', "models.bad.sizes", ">= 0"),
        ('[models.bad]\nkind = "stdp"\nsizes = [0]\n', "models.bad.sizes", ">= 1"),
        ('[models.bad]\nkind = "stdp"\nsizes = [4]\nrate_boost_hz = "fast"\n',
         "models.bad.rate_boost_hz", "real number"),
        ('[models.bad]\nkind = "stdp"\nsizes = [4]\nlog_every = 3\n', "models.bad.log_every",
         "not a parameter"),
        ('[models.bad]\nkind = "mlp"\nsizes = [4]\nlog_every = "often"\n',
         "models.bad.log_every", "log_every"),
        ('[models.bad]\nkind = "mlp"\nsizes = [4]\nrole = "star"\n', "models.bad.role",
         "baseline"),
        ('[models.bad]\nkind = "mlp"\nsizes = [4]\nepochs = "ten"\n', "models.bad.epochs",
         "an int"),
        ('[models.bad]\nkind = "mlp"\nsizes = [4]\nlearnin_rate = 0.1\n',
         "models.bad.learnin_rate", "learning_rate"),
        ('[models.bad]\nkind = "perceptron"\nsizes = [4]\n', "models.bad.kind", "mlp"),
        ("[tasks.imagenet]\n", "tasks.imagenet", "digits"),
        ('[tasks.p2]\ntask = "patterns"\nd = 1\n', "tasks.p2", "d"),
        ("[label_efficiency]\nlabels_per_class = [1, 1]\n",
         "label_efficiency.labels_per_class", "once"),
        ('[timing]\nthreads = [1, 2]\ntasks = ["moons"]\n', "timing.tasks", "patterns"),
        ("[timing]\nrepeats = 3\n", "timing.repeats", ">= 5"),
        ('[timing]\nmodels = ["ann"]\nsizes = { ann = [5] }\n', "timing.sizes.ann",
         "models.ann.sizes"),
        ("[anytime]\ntimes_ms = [50, 10]\n", "anytime.times_ms", "increasing"),
        ("threads = 0\n", "threads", "positive"),
    ],
)
def test_bad_config_exits_2_with_one_line_naming_the_key(
    tmp_path, capsys, write_config, tiny_text, text, key, hint
):
    # top-level keys must precede the first table, so they go first
    top = text.startswith(("seeds", "colour", "threads"))
    body = text + tiny_text.replace("seeds = [0]\n", "") if top else tiny_text + "\n" + text
    path = write_config(body)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    msg = str(err.value)
    assert key in msg and hint in msg
    assert "\n" not in msg
    status = main(["run", "--config", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert status == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and key in lines[0]
    assert not (tmp_path / "out").exists()


def test_a_bad_model_parameter_fails_fast_before_any_job(tmp_path, capsys, write_config):
    """The issue's example: a string where the spiking model wants a rate, in a file that
    starts from the quick preset; validated by the estimator itself, at load time."""
    import time

    path = write_config('[models.snn]\nkind = "stdp"\nsizes = [25]\nrate_boost_hz = "fast"\n')
    t0 = time.perf_counter()
    status = main(["run", "--config", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert status == 2 and time.perf_counter() - t0 < 10
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "models.snn.rate_boost_hz" in lines[0]
    assert not (tmp_path / "out").exists()


def test_an_internal_error_exits_1_with_its_traceback(monkeypatch, tmp_path, capsys,
                                                      tiny_config):
    import experiments.running.runner

    def broken(*args, **kwargs):
        raise ValueError("a bug, not a usage error")

    monkeypatch.setattr(experiments.running.runner, "run", broken)
    assert main(["run", "--config", str(tiny_config), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "a bug, not a usage error" in err


def test_duplicate_tables_in_toml_are_a_syntax_error(capsys, write_config):
    path = write_config("[tasks.digits]\n[tasks.digits]\n")
    assert main(["run", "--config", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "not valid TOML" in err and len(err.splitlines()) == 1


def test_unknown_preset_and_missing_file_exit_2(tmp_path, capsys):
    assert main(["run", "nonesuch", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "unknown preset 'nonesuch'" in err and "quick" in err
    assert main(["run", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["run", "quick", "--config", str(tmp_path / "x.toml")]) == 2
    assert "either a PRESET or --config" in capsys.readouterr().err


def test_anytime_longer_than_presentation_is_rejected():
    raw = {"tasks": {"digits": {}},
           "models": {"snn": {"kind": "stdp", "sizes": [4], "presentation_ms": 50.0}},
           "anytime": {"times_ms": [10, 100]}}
    with pytest.raises(ConfigError, match="presentation"):
        parse_config(raw)


def test_parse_config_rejects_non_mapping():
    with pytest.raises(TypeError, match="raw"):
        parse_config(["tasks"])
