"""The docs stay true to the code: generated tables current, every column documented, links live."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = ("index.md", "neurosim.md", "ann.md", "experiments.md", "surrogate.md",
         "interoperability.md", "sklearn.md")


def _make_tables():
    spec = importlib.util.spec_from_file_location("make_tables", DOCS / "make_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_tables_are_current():
    stale = _make_tables().stale(DOCS)
    assert not stale, f"stale generated tables {stale}: run python docs/make_tables.py"


def test_cost_table_lists_every_cost_metric_in_schema_order():
    from contract import COST_METRICS

    text = (DOCS / "experiments.md").read_text("utf-8")
    block = text.split("BEGIN GENERATED: cost_metrics")[1].split("END GENERATED: cost_metrics")[0]
    names = re.findall(r"^\| `(\w+)` \|", block, flags=re.MULTILINE)
    assert names == [m.name for m in COST_METRICS]


def test_every_run_directory_column_is_documented():
    from experiments.facts.energy import ENERGY_COLUMNS
    from experiments.protocols import continual, robustness, timing
    from experiments.store import rundir as store

    text = (DOCS / "experiments.md").read_text("utf-8")
    per_table = ("samples_seen", "wall_s", "epoch", "loss", "train_accuracy", "eval_accuracy",
                 "labels_per_class", "labels_used", "time_ms", "answered_frac", "unit", "row",
                 "col", "weight", "wall_s_continual", "wall_s_robustness")
    columns = {*store.ID_COLUMNS, *store.RUN_COLUMNS, *ENERGY_COLUMNS, *timing.TIMING_COLUMNS,
               *continual.COLUMNS, *robustness.COLUMNS, *per_table}
    missing = sorted(c for c in columns if f"`{c}`" not in text)
    assert not missing, f"columns not documented in docs/experiments.md: {missing}"
    for name in (*store.TABLES, "runs.csv", "timing.csv", "receptive_fields.csv",
                 "manifest.json"):
        assert f"`{name}`" in text, name


def test_pages_exist_and_index_links_pages_and_examples():
    for page in PAGES:
        assert (DOCS / page).is_file(), page
    index = (DOCS / "index.md").read_text("utf-8")
    for page in PAGES[1:]:
        assert f"]({page})" in index, page
    for script in sorted((ROOT / "examples").glob("[0-9][0-9]_*.py")):
        assert f"](../examples/{script.name})" in index, script.name


def test_readme_links_the_docs_index_from_its_layout_table():
    rows = [line for line in (ROOT / "README.md").read_text("utf-8").splitlines()
            if "docs/index.md" in line]
    assert len(rows) == 1 and rows[0].startswith("| `docs/`"), rows


def test_neurosim_page_keeps_the_defaults_section():
    assert "\n## How the defaults were chosen\n" in (DOCS / "neurosim.md").read_text("utf-8")


def test_relative_links_resolve():
    broken = []
    for page in PAGES:
        text = (DOCS / page).read_text("utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" not in target and not (DOCS / target).exists():
                broken.append(f"{page}: {target}")
    assert not broken, broken
