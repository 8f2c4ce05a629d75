"""7. Summary: the largest main network of each family beside the brain's figures."""

from __future__ import annotations

import pandas as pd

from experiments.facts import constants as C
from experiments.report import analysis as A
from experiments.report.context import (
    CI,
    _cite,
    _Run,
    _sort,
    _task_order,
)
from experiments.report.markdown import (
    fmt,
    fmt_cell,
    markdown_table,
    not_measured,
)


def _summary(ctx: _Run) -> str:
    runs = ctx.runs
    head = "## 7. Summary\n\n"
    if runs.empty or "family" not in runs:
        return head + not_measured("Any finished job")
    task = _task_order(ctx)[0]
    main = _sort(ctx, A.add_roles(runs[runs["task"] == task], ctx.roles))
    main = main[main["role"] == "main"]
    if main.empty:
        return head + not_measured(f"A main model on `{task}`")
    power = C.REFERENCES["brain_power_w"]
    # (column, what it is, the brain's figure from the literature)
    spec = [
        ("neurons", "neurons", _cite("human_neurons")),
        ("synapses", "synapses", f"{_cite('human_synapses')}, neocortex"),
        ("accuracy", "test accuracy", "-"),
        ("update_locality", "what a weight update reads", "local (LTP, STDP)"),
        ("labels_used", "labels used in training", "few; mostly unsupervised"),
        ("epochs", "passes over the data", "one life, online"),
        ("ms_to_first_output", "simulated ms to a first output",
         f"{_cite('rapid_categorisation_ms')} to categorise an image"),
        ("sim_ms_per_inference", "simulated ms per inference", "-"),
        ("sequential_depth", "dependent steps per inference", "-"),
        ("effective_macs", "effective MACs per inference", "-"),
        ("effective_acs", "effective ACs per inference", "-"),
        ("membrane_updates", "membrane updates per inference", "-"),
        ("energy_pj_ops", "estimated pJ per inference, operations only",
         f"power, not per inference: {fmt(power.value)} {power.unit} ({power.source})"),
        ("energy_pj_dram", "estimated pJ per inference, + DRAM", "-"),
        ("spike_rate_hz", "mean firing rate (Hz)", _cite("cortical_rate_hz")),
        ("fraction_active", "fraction of units active", _cite("active_fraction")),
    ]
    agg = A.aggregate(main, [c for c, _, _ in spec])
    picks = {}
    for fam in dict.fromkeys(agg["family"]):
        g = agg[agg["family"] == fam]
        has = "synapses" in g and g["synapses"].notna().any()
        picks[fam] = g.loc[g["synapses"].astype(float).idxmax()] if has else g.iloc[-1]
    rows = [{"quantity": "network", "brain (literature)": "human brain",
             **{f"{fam}: this run": f"`{r['model']}` [{r['size']}]"
                for fam, r in picks.items()}}]
    for col, what, brain in spec:
        row = {"quantity": f"{what} (`{col}`)", "brain (literature)": brain}
        for fam, r in picks.items():
            row[f"{fam}: this run"] = fmt_cell(r[col], r.get(f"{col}_ci")) \
                if col in r.index else "-"
        rows.append(row)
    rows.append({"quantity": "seeds", "brain (literature)": "-",
                 **{f"{fam}: this run": r["n_seeds"] for fam, r in picks.items()}})
    return (head + f"The largest main network of each family on `{task}` (mean ± {CI} CI over "
            "seeds), beside the brain's figures where the literature has one.\n\n"
            + markdown_table(pd.DataFrame(rows)))


#: False: the section renders even when no job finished.
NEEDS_JOBS = True


def section(ctx: _Run) -> str:
    """The section's markdown."""
    return _summary(ctx)
