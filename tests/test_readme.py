"""The README's two set-up commands are the ones CI and users actually run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _indented_commands():
    return [
        line.strip()
        for line in (ROOT / "README.md").read_text().splitlines()
        if re.match(r"^ {4}\S", line) and "pip install" in line
    ]


def test_readme_starts_with_exactly_two_setup_commands():
    commands = _indented_commands()
    assert len(commands) == 2, commands
    assert commands[0] == "python -m pip install -e . && brain-vs-ann run"
    assert commands[1] == 'python -m pip install -e ".[test]" && python -m pytest'


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = _indented_commands()[1]
    assert f"TEST_CMD='{test_command}'" in ci
    assert 'bash -c "$TEST_CMD"' in ci
