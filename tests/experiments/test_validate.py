"""``brain-vs-ann validate``: every canonical check passes and its figures are written."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main

FIGURES = ("stdp_window", "fi_curve", "song2000", "song2000_convergence")


@pytest.mark.slow  # runs the full neurosim validation (Song et al. 2000: ~1-2 min compiled)
def test_validate_passes_and_writes_figures(tmp_path, capsys):
    out = tmp_path / "validate"
    assert main(["validate", "--out", str(out)]) == 0
    assert "checks passed" in capsys.readouterr().out
    for fig in FIGURES:
        png = out / "figures" / f"{fig}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"figures/{fig}.png" in (out / "report.md").read_text()
    checks = json.loads((out / "validation.json").read_text())["checks"]
    assert {c["passed"] for c in checks} == {"PASS"}
    assert any(c["check"].startswith("gradcheck") for c in checks)
    grads = pd.read_csv(out / "data" / "gradcheck.csv")
    assert (grads["max_rel_error"] < 1e-6).all()
    song = pd.read_csv(out / "data" / "song2000.csv")
    assert {"w_initial", "w_final_rel"} <= set(song.columns)
    # converged: >= 80 % of the final weights within 10 % of a bound, both modes >= 10 %
    near0, near_max = (song.w_final_rel <= 0.1).mean(), (song.w_final_rel >= 0.9).mean()
    assert near0 + near_max >= 0.8 and min(near0, near_max) >= 0.1
    trace = pd.read_csv(out / "data" / "song2000_trace.csv")
    assert list(trace.columns) == ["t_s", "frac_near_bound", "frac_near_0", "frac_near_wmax",
                                   "rate_hz"]
    assert trace.frac_near_bound.iloc[-1] == pytest.approx(near0 + near_max, abs=1e-5)
    summary = json.loads((out / "data" / "song2000_summary.json").read_text())
    assert summary["failed"] == "" and summary["backend"] == "cpp_standalone"


def _fake_song_result():
    """A small ValidationResult shaped like song2000's (no simulation)."""
    from neurosim.validation import ValidationResult

    t = np.arange(0.0, 101.0, 10.0)
    near = 0.2 + 0.7 * (1 - np.exp(-t / 30.0))
    trace = pd.DataFrame({"t_s": t, "frac_near_bound": near, "frac_near_0": 0.75 * near,
                          "frac_near_wmax": 0.25 * near, "rate_hz": np.r_[400.0, 50 + 0 * t[1:]]})
    w0 = np.linspace(0.0, 0.01, 20)
    w1 = np.where(np.arange(20) < 15, 0.0, 0.01)
    data = pd.DataFrame({"synapse": np.arange(20), "w_initial": w0, "w_final": w1,
                         "w_final_rel": w1 / 0.01})
    summary = {"near_frac": 0.1, "min_bimodal_frac": 0.8, "min_mode_frac": 0.1,
               "rate_final_hz": 50.0, "input_rate_hz": 30.0, "a_plus": 0.0025, "failed": ""}
    return ValidationResult(name="song2000", passed=True, detail="fake", data=data,
                            summary=summary, trace=trace)


def test_validate_writes_the_song_convergence_figure(tmp_path, monkeypatch):
    import ann.gradcheck
    import neurosim.validation
    from experiments.report.validate import validate

    monkeypatch.setattr(neurosim.validation, "run_all", lambda **kw: [_fake_song_result()])
    monkeypatch.setattr(ann.gradcheck, "self_test",
                        lambda: [{"name": "dense", "max_rel_error": 1e-9, "passed": True}])
    summary = validate(tmp_path / "v")
    assert summary.n_failed == 0
    png = tmp_path / "v" / "figures" / "song2000_convergence.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (tmp_path / "v" / "report.md").read_text()
    assert "figures/song2000_convergence.png" in report
    assert "figures/song2000.png" in report
    trace = pd.read_csv(tmp_path / "v" / "data" / "song2000_trace.csv")
    np.testing.assert_allclose(trace.t_s, np.arange(0.0, 101.0, 10.0))
    assert json.loads((tmp_path / "v" / "data" / "song2000_summary.json").read_text())[
        "min_bimodal_frac"] == 0.8


def test_validate_rejects_bad_arguments():
    from experiments.report.validate import validate

    with pytest.raises(ValueError, match="backend"):
        validate("x", backend="cuda")
    with pytest.raises(TypeError, match="out"):
        validate(3)
