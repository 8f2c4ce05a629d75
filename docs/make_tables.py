"""Regenerate the tables of ``docs/*.md`` that are made from code, so they never drift.

A generated table sits between two marker lines::

    <!-- BEGIN GENERATED: cost_metrics (python docs/make_tables.py) -->
    ...
    <!-- END GENERATED: cost_metrics -->

and is rewritten from its source by :data:`BLOCKS`: ``cost_metrics`` from
``contract.COST_METRICS`` (the one cost schema), ``references`` from
``experiments.facts.constants.REFERENCES``, ``model_kinds`` from ``experiments.models.MODEL_KINDS``,
``tasks`` from ``experiments.tasks``, ``presets`` from the shipped TOML presets.

    python docs/make_tables.py           # rewrite every stale block in docs/*.md
    python docs/make_tables.py --check   # exit 1 and name the stale blocks, change nothing

``tests/test_docs.py`` runs the check.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

DOCS = Path(__file__).resolve().parent
MARKERS = re.compile(r"(<!-- BEGIN GENERATED: (\w+) [^\n]*-->\n)(.*?)(<!-- END GENERATED: \2 -->)",
                     re.DOTALL)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def cost_metrics() -> str:
    """The cost columns of ``runs.csv`` (``cost(X)`` of every estimator), in column order."""
    from contract import COST_METRICS

    return _table(("column", "unit", "per", "meaning", "ANN counts", "SNN counts", "NeuroBench"),
                  ((f"`{m.name}`", m.unit, m.per, m.meaning, m.ann, m.snn, m.neurobench or "-")
                   for m in COST_METRICS))


def references() -> str:
    """Every sourced constant the report and the energy estimate use."""
    from experiments.facts.constants import REFERENCES

    return _table(("key", "value", "unit", "what", "source"),
                  ((f"`{r.key}`", f"{r.value:g}", r.unit, r.what, r.source)
                   for r in REFERENCES.values()))


def model_kinds() -> str:
    """The estimator kinds a config's ``kind = ...`` can name."""
    from experiments.models import MODEL_KINDS

    return _table(("kind", "family", "estimator", "`size` sets", "`size` means", "saved?"),
                  ((f"`{k.kind}`", k.family, f"`{k.target.replace(':', '.')}`",
                    f"`{k.size_param}`", k.size_meaning, "yes" if k.loader else "no")
                   for k in MODEL_KINDS.values()))


def tasks() -> str:
    """The shared tasks and their knobs (``load_task(name, seed=..., **knobs)``)."""
    from experiments.tasks import list_tasks, task_knobs

    def knobs(name: str) -> str:
        return "; ".join(f"`{k}`: {d.replace(' in [0, 0]', '')}"
                         for k, d in task_knobs(name).items()) or "-"

    return _table(("task", "what", "knobs"),
                  ((f"`{name}`", what, knobs(name)) for name, what in list_tasks().items()))


def presets() -> str:
    """The shipped presets: what runs (read from the TOML files themselves)."""
    folder = resources.files("experiments") / "presets"
    rows = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".toml"):
            continue
        raw = tomllib.loads(path.read_text("utf-8"))
        role = {k: ", baseline" if m.get("role") == "baseline" else ""
                for k, m in raw.get("models", {}).items()}
        models = ", ".join(f"`{k}` ({m['kind']}{role[k]}: {m['sizes']})"
                           for k, m in raw.get("models", {}).items())
        extra = [s for s in ("label_efficiency", "anytime", "timing", "continual", "robustness")
                 if s in raw]
        rows.append((f"`{path.name[:-5]}`", raw.get("description", ""),
                     ", ".join(f"`{t}`" for t in raw.get("tasks", {})),
                     raw.get("seeds", [0]), models, ", ".join(f"`[{s}]`" for s in extra)))
    return _table(("preset", "what", "tasks", "seeds", "models (kind: sizes)", "also measures"),
                  rows)


#: Block name -> function returning its markdown.
BLOCKS: dict[str, Callable[[], str]] = {
    "cost_metrics": cost_metrics,
    "references": references,
    "model_kinds": model_kinds,
    "tasks": tasks,
    "presets": presets,
}


def render(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""
    def replace(match: re.Match) -> str:
        name = match.group(2)
        if name not in BLOCKS:
            raise ValueError(f"unknown generated block {name!r}; known: {', '.join(BLOCKS)}")
        return match.group(1) + BLOCKS[name]() + match.group(4)

    return MARKERS.sub(replace, text)


def stale(folder: Path = DOCS) -> list[str]:
    """``"file: block"`` for every generated block of ``folder/*.md`` that is not current."""
    out = []
    for path in sorted(folder.glob("*.md")):
        text = path.read_text("utf-8")
        new = render(text)
        if new != text:
            old_blocks = {m.group(2): m.group(3) for m in MARKERS.finditer(text)}
            new_blocks = {m.group(2): m.group(3) for m in MARKERS.finditer(new)}
            out += [f"{path.name}: {k}" for k in old_blocks if old_blocks[k] != new_blocks[k]]
    return out


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale blocks")
    args = parser.parse_args(argv)
    old = stale()
    if args.check:
        for line in old:
            print(f"stale: {line} (run python docs/make_tables.py)", file=sys.stderr)
        return 1 if old else 0
    for path in sorted(DOCS.glob("*.md")):
        text = path.read_text("utf-8")
        new = render(text)
        if new != text:
            _write(path, new)
            print(f"rewrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
