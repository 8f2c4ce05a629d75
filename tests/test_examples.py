"""Every script in ``examples/`` runs with ``--quick`` and writes a PNG figure.

Each example runs in its own subprocess (as a user runs it), in a temporary folder, with the
environment of the test run: ``BRAIN_VS_ANN_CACHE`` is inherited, so the compiled spiking
networks are built once per structure and re-used by the examples that share them (and by a
later run of the suite). The quick examples share two structures (64 inputs x 25 and x 100
excitatory neurons, 150 + 50 ms); the default suite runs the examples that need at most the
first one and take no more than about 15 s each once it is built; the three that train the
100-neuron network on ``digits`` (10-40 s each on a busy 2-core machine) are ``slow``.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("[0-9][0-9]_*.py"))
#: Examples that train the 100-neuron spiking network on digits (10-40 s each, warm).
SLOW = {"04_label_efficiency.py", "05_cost_vs_size.py", "06_anytime.py"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_there_are_at_least_six_examples():
    assert len(EXAMPLES) >= 6, [p.name for p in EXAMPLES]
    assert SLOW <= {p.name for p in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_states_what_it_shows_and_what_to_change(path):
    doc = ast.get_docstring(ast.parse(path.read_text("utf-8")))
    assert doc, f"{path.name} has no module docstring"
    assert "Shows:" in doc and "Change:" in doc and "--quick" in doc, path.name
    text = path.read_text("utf-8")
    assert '"--out"' in text and '"--quick"' in text, path.name


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW else p for p in EXAMPLES
], ids=lambda p: p.stem)
def test_example_runs_quick_and_writes_a_png(path, tmp_path):
    path_entries = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": os.pathsep.join(path_entries)}
    proc = subprocess.run([sys.executable, str(path), "--quick", "--out", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"{path.name} failed:\n{proc.stdout}\n{proc.stderr}"
    pngs = sorted(tmp_path.glob("*.png"))
    assert [p.name for p in pngs] == [f"{path.stem}.png"], proc.stdout
    data = pngs[0].read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 5_000, f"{pngs[0]} is not a PNG figure"
    assert f"wrote {pngs[0]}" in proc.stdout


def test_quick_spiking_examples_share_their_builds():
    """One presentation and rest for every quick spiking example: they compile each network
    size once between them."""
    timings = {}
    for path in EXAMPLES:
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.Assign) and any(
                    getattr(t, "id", None) == "QUICK_TIMING" for t in node.targets):
                timings[path.name] = ast.literal_eval(node.value)
    assert len(timings) >= 4 and len({repr(t) for t in timings.values()}) == 1, timings
