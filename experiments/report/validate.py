"""``brain-vs-ann validate``: the canonical checks of both model families, with a short report.

Runs :func:`neurosim.validation.run_all` (STDP window for the additive and soft-bound rules, the
LIF f-I curve against its analytic form, Song, Miller & Abbott 2000 run to convergence) and
:func:`ann.gradcheck.self_test` (every layer, loss and model against central finite differences
in float64), writes each check's data as CSV (``data/<check>.csv``, plus
``data/<check>_trace.csv`` for a check with a time course and ``data/<check>_summary.json`` with
its scalar measurements), draws the STDP-window, f-I, Song et al. weight-histogram and
Song et al. convergence figures from those files, and writes ``report.md`` with a pass/fail table.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from experiments.report.assemble import fmt, markdown_table  # noqa: E402
from experiments.report.figures import save_figure  # noqa: E402
from experiments.store import (
    atomic_write_text,  # noqa: E402
    environment,  # noqa: E402
)

__all__ = ["ValidationSummary", "validate"]


@dataclass(frozen=True)
class ValidationSummary:
    """Outcome of :func:`validate`: where it wrote, how many checks ran and failed."""

    out: Path
    n_checks: int
    n_failed: int
    failed: tuple[str, ...]
    wall_s: float


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_")


def _fig_stdp(csvs: list[Path], path: Path) -> Path | None:
    if not csvs:
        return None
    fig, axes = plt.subplots(1, len(csvs), figsize=(5 * len(csvs), 3.6), squeeze=False,
                             layout="constrained")
    for ax, csv in zip(axes[0], csvs, strict=True):
        d = pd.read_csv(csv).sort_values("lag_ms")
        ax.plot(d["lag_ms"], d["dw_expected"], "-", color="gray", label="expected")
        ax.plot(d["lag_ms"], d["dw"], "o", color="tab:red", markersize=4, label="simulated")
        ax.axhline(0, color="k", linewidth=0.5)
        ax.axvline(0, color="k", linewidth=0.5)
        ax.set_xlabel("lag t_post - t_pre (ms)")
        ax.set_ylabel("weight change dw")
        ax.set_title(csv.stem.replace("_", " "))
        ax.legend(fontsize=8)
    fig.suptitle("STDP window (Bi & Poo 1998 shape): one pre/post pair per synapse", fontsize=10)
    return save_figure(fig, path)


def _fig_fi(csv: Path | None, path: Path) -> Path | None:
    if csv is None:
        return None
    d = pd.read_csv(csv).sort_values("current_nA")
    fig, ax = plt.subplots(figsize=(5, 3.6), layout="constrained")
    ax.plot(d["current_nA"], d["rate_hz_expected"], "-", color="gray", label="analytic")
    ax.plot(d["current_nA"], d["rate_hz"], "o", color="tab:red", markersize=4, label="simulated")
    ax.set_xlabel("input current (nA)")
    ax.set_ylabel("firing rate (Hz)")
    ax.set_title("LIF f-I curve")
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def _fig_song(csv: Path | None, path: Path) -> Path | None:
    if csv is None:
        return None
    d = pd.read_csv(csv)
    n = len(d)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True, layout="constrained")
    bins = np.linspace(0, 1, 26)
    w_max = (d["w_final"] / d["w_final_rel"]).replace([np.inf, -np.inf], np.nan).median()
    axes[0].hist(d["w_initial"] / w_max, bins=bins, color="gray")
    axes[0].set_title("initial weights (uniform)")
    axes[1].hist(d["w_final_rel"], bins=bins, color="tab:red")
    axes[1].set_title("after STDP: bimodal")
    for ax in axes:
        ax.set_xlabel("w / w_max")
    axes[0].set_ylabel("synapses")
    fig.suptitle(f"Song, Miller & Abbott 2000: additive STDP on {n:,} Poisson inputs",
                 fontsize=10)
    return save_figure(fig, path)


def _fig_song_convergence(trace_csv: Path | None, summary_json: Path | None,
                          path: Path) -> Path | None:
    """Fraction of weights near a bound (left) and output rate (right) against learning time,
    with the pass thresholds and the quarters compared for the plateau."""
    if trace_csv is None or summary_json is None:
        return None
    d = pd.read_csv(trace_csv).sort_values("t_s")
    s = json.loads(summary_json.read_text())
    near_pct = 100 * s["near_frac"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    ax = axes[0]
    ax.plot(d["t_s"], d["frac_near_bound"], "-", color="tab:red",
            label=f"within {near_pct:.0f} % of 0 or w_max")
    ax.plot(d["t_s"], d["frac_near_0"], "--", color="tab:blue", label="near 0")
    ax.plot(d["t_s"], d["frac_near_wmax"], ":", color="tab:green", label="near w_max")
    ax.axhline(s["min_bimodal_frac"], color="gray", linewidth=0.8,
               label=f"pass: >= {s['min_bimodal_frac']:.0%} near a bound")
    ax.axhline(s["min_mode_frac"], color="gray", linewidth=0.8, linestyle="--",
               label=f"pass: >= {s['min_mode_frac']:.0%} in each mode")
    ax.set_ylim(0, 1)
    ax.set_ylabel("fraction of weights")
    ax.set_title("weights split, then plateau")
    ax.legend(fontsize=7, loc="center right")
    ax = axes[1]
    learning = d[d["t_s"] > 0]
    ax.step(learning["t_s"], learning["rate_hz"], where="pre", color="tab:red",
            label="learning on")
    ax.plot([0.0], d.loc[d["t_s"] == 0, "rate_hz"].iloc[:1], "o", color="k",
            label="initial weights (frozen)")
    ax.plot([d["t_s"].max()], [s["rate_final_hz"]], "s", color="k",
            label="final weights (frozen)")
    ax.set_yscale("log")
    ax.set_ylabel("output rate (Hz)")
    ax.set_title("output rate falls and settles")
    ax.legend(fontsize=7)
    t_end = d["t_s"].max()
    for ax in axes:
        ax.set_xlabel("simulated learning time (s)")
        ax.axvspan(0.5 * t_end, 0.75 * t_end, color="0.9", zorder=0)
        ax.axvspan(0.75 * t_end, t_end, color="0.8", zorder=0)
    fig.suptitle(f"Song, Miller & Abbott 2000 to convergence: {s['input_rate_hz']:g} Hz inputs, "
                 f"a_plus {s['a_plus']:g}; shaded: the third and last quarters compared",
                 fontsize=10)
    return save_figure(fig, path)


def validate(out: str | os.PathLike, *, backend: str = "cython") -> ValidationSummary:
    """Run every canonical check and write ``OUT/report.md``, CSVs and figures.

    Parameters
    ----------
    out : path
        Output folder (created).
    backend : {"cython", "numpy"}
        Brian2 code-generation target for the neurosim checks.

    Returns
    -------
    ValidationSummary
    """
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a path, got {type(out).__name__}")
    if backend not in ("cython", "numpy"):
        raise ValueError(f"backend must be 'cython' or 'numpy', got {backend!r}")
    from ann.gradcheck import self_test
    from neurosim.validation import run_all

    out = Path(out)
    data_dir = out / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rows = []
    csvs: dict[str, Path] = {}
    traces: dict[str, Path] = {}
    summaries: dict[str, Path] = {}
    engines: dict[str, str] = {}
    for res in run_all(backend=backend):
        if res.summary.get("backend", backend) != backend:
            engines[res.name] = str(res.summary["backend"])
        csv = data_dir / f"{_slug(res.name)}.csv"
        atomic_write_text(csv, res.data.to_csv(index=False, float_format="%.6g"))
        csvs[res.name] = csv
        summaries[res.name] = data_dir / f"{_slug(res.name)}_summary.json"
        atomic_write_text(summaries[res.name], json.dumps(res.summary, indent=1, default=str))
        if res.trace is not None:
            traces[res.name] = data_dir / f"{_slug(res.name)}_trace.csv"
            atomic_write_text(traces[res.name],
                              res.trace.to_csv(index=False, float_format="%.6g"))
        rows.append({"family": "spiking (neurosim)", "check": res.name,
                     "passed": "PASS" if res.passed else "FAIL", "detail": res.detail})
    grads = self_test()
    grad_frame = pd.DataFrame([{"name": g["name"], "max_rel_error": g["max_rel_error"],
                                "passed": g["passed"]} for g in grads])
    atomic_write_text(data_dir / "gradcheck.csv", grad_frame.to_csv(index=False))
    n_grad_fail = int((~grad_frame["passed"]).sum()) if not grad_frame.empty else 0
    worst = grad_frame["max_rel_error"].max() if not grad_frame.empty else float("nan")
    rows.append({"family": "ANN (ann)", "check": f"gradcheck ({len(grads)} cases)",
                 "passed": "PASS" if n_grad_fail == 0 and grads else "FAIL",
                 "detail": f"analytic vs central finite differences, float64: worst relative "
                           f"error {fmt(worst)} (need < 1e-6); {n_grad_fail} case(s) failed"})
    figs = {
        "stdp_window": _fig_stdp([p for n, p in csvs.items() if n.startswith("stdp_window")],
                                 out / "figures" / "stdp_window.png"),
        "fi_curve": _fig_fi(csvs.get("fi_curve"), out / "figures" / "fi_curve.png"),
        "song2000": _fig_song(csvs.get("song2000"), out / "figures" / "song2000.png"),
        "song2000_convergence": _fig_song_convergence(
            traces.get("song2000"), summaries.get("song2000"),
            out / "figures" / "song2000_convergence.png"),
    }
    wall = time.perf_counter() - t0
    table = pd.DataFrame(rows)
    failed = tuple(r["check"] for r in rows if r["passed"] != "PASS")
    env = environment()
    engine_note = "".join(f", {name} on `{engine}`" for name, engine in engines.items())
    lines = [
        "# brain-vs-ann: validation\n",
        f"{len(rows)} checks, **{len(rows) - len(failed)} passed, {len(failed)} failed**; "
        f"{fmt(wall)} s on {env['cpu']['model']} (Brian2 backend `{backend}`{engine_note}, "
        f"brian2 {env['versions'].get('brian2')}, numpy {env['versions'].get('numpy')}).\n",
        "What each check reproduces (SPEC section 4): the STDP window of our synapse model "
        "against `A+ exp(-dt/tau+)` / `-A- exp(dt/tau-)` (Bi & Poo 1998 shape); the LIF firing "
        "rate for constant current against the analytic f-I curve; Song, Miller & Abbott "
        "(2000), Nat Neurosci 3:919, where additive STDP drives 1,000 input weights to a bimodal "
        "distribution and regulates the output rate, run until the split and the rate have "
        "stopped moving; and every backprop gradient of the ANN against central finite "
        "differences.\n",
        markdown_table(table, ["family", "check", "passed", "detail"]),
    ]
    captions = {
        "stdp_window": "Simulated weight change against the expected STDP window.",
        "fi_curve": "Simulated LIF firing rate against the analytic f-I curve.",
        "song2000": "Weight distribution before and after STDP (Song et al. 2000).",
        "song2000_convergence": "Fraction of weights near a bound (0 or w_max) and output "
                                "rate against simulated time (Song et al. 2000): the split and "
                                "the rate plateau.",
    }
    for name, path in figs.items():
        if path is not None:
            lines.append(f"![{captions[name]}](figures/{path.name})\n\n*{captions[name]}*\n")
    lines.append("Data: `data/*.csv` (one file per check, `*_trace.csv` for time courses, "
                 "`*_summary.json` for the scalar measurements); gradient checks in "
                 "`data/gradcheck.csv`.\n")
    atomic_write_text(out / "report.md", "\n".join(lines))
    atomic_write_text(out / "validation.json", json.dumps(
        {"checks": rows, "wall_s": wall, "backend": backend, **env}, indent=2, default=str))
    return ValidationSummary(out=out, n_checks=len(rows), n_failed=len(failed), failed=failed,
                             wall_s=wall)
