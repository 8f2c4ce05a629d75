"""`brain-vs-ann list` / `--version` and the one-line error contract of the CLI skeleton."""

import subprocess
import sys

import pytest

from experiments.cli import main
from experiments.tasks import list_tasks


def test_list_prints_every_task_with_shape(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in list_tasks():
        assert f"{name}:" in out
    assert "64 features (8x8), 10 classes" in out


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("brain-vs-ann ")


def test_python_dash_m_experiments_is_the_same_command():
    proc = subprocess.run(
        [sys.executable, "-m", "experiments", "list"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "digits:" in proc.stdout


def test_unknown_subcommand_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
