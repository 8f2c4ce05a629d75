"""``brain-vs-ann validate``: every canonical check passes and its figures are written."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from experiments.cli import main


@pytest.mark.slow  # runs the full neurosim validation (Song et al. 2000 simulates ~50 s)
def test_validate_passes_and_writes_figures(tmp_path, capsys):
    out = tmp_path / "validate"
    assert main(["validate", "--out", str(out)]) == 0
    assert "checks passed" in capsys.readouterr().out
    for fig in ("stdp_window", "fi_curve", "song2000"):
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


def test_validate_rejects_bad_arguments():
    from experiments.validate import validate

    with pytest.raises(ValueError, match="backend"):
        validate("x", backend="cuda")
    with pytest.raises(TypeError, match="out"):
        validate(3)
