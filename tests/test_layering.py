"""Dependency direction: the model packages never import `experiments` or each other; the
shared `contract` imports none of them (scikit-learn, their common base, is allowed)."""

import subprocess
import sys

import pytest

PROBE = """
import sys
import {package}
bad = sorted(m for m in {forbidden!r} if m in sys.modules)
print(",".join(bad))
"""


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        # scikit-learn is the estimators' base (and imports pandas when it is installed)
        ("ann", ["experiments", "neurosim", "brian2", "matplotlib"]),
        ("neurosim", ["experiments", "ann"]),  # brian2 imports matplotlib
        ("contract", ["experiments", "ann", "neurosim", "brian2", "matplotlib"]),
    ],
)
def test_model_package_imports_stay_inside_their_layer(package, forbidden):
    # A fresh interpreter, so modules imported by other tests cannot hide a leak.
    code = PROBE.format(package=package, forbidden=forbidden)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"importing {package} pulled in: {proc.stdout.strip()}"


def test_model_sources_do_not_mention_experiments():
    """Catches lazy imports inside functions too, which the import probe cannot see."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = []
    layers = [("ann", ["experiments", "neurosim"]), ("neurosim", ["experiments", "ann"]),
              ("contract", ["experiments", "ann", "neurosim"])]
    for package, others in layers:
        for path in (root / package).rglob("*.py"):
            for line in path.read_text().splitlines():
                stripped = line.strip()
                for other in others:
                    if stripped.startswith((f"import {other}", f"from {other}")):
                        offenders.append(f"{path.relative_to(root)}: {stripped}")
    assert not offenders, offenders


#: The rooms of ``experiments``, lowest first: a room may import only itself and rooms before it.
EXPERIMENT_ROOMS = ["facts", "tasks", "models", "protocols", "store", "report", "running"]


def _experiment_imports(path):
    """The ``experiments`` rooms a source file imports (top-level and lazy imports alike)."""
    import re

    rooms = set()
    for line in path.read_text().splitlines():
        m = re.match(r"\s*(?:from|import)\s+experiments\.(\w+)", line)
        if m:
            rooms.add(m.group(1))
    return rooms


def test_experiment_rooms_import_only_rooms_below_them():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "experiments"
    offenders = []
    for rank, room in enumerate(EXPERIMENT_ROOMS):
        allowed = set(EXPERIMENT_ROOMS[: rank + 1])
        files = list((root / room).rglob("*.py"))
        assert files, f"experiments/{room}/ is missing"
        for path in files:
            for other in sorted(_experiment_imports(path) - allowed):
                offenders.append(f"experiments/{room}/{path.name} imports experiments.{other}")
    assert not offenders, offenders


def test_every_experiments_module_lives_in_a_room():
    """Only the command line sits beside the rooms; everything else has a room."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "experiments"
    loose = sorted(p.name for p in root.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "cli.py", "smoke.py"], loose
