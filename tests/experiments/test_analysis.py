"""The report's arithmetic against small tables computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from experiments.facts.constants import REFERENCES
from experiments.report import analysis as A

#: Student t quantile t_{0.975, 2} (two-sided 95 %, 2 degrees of freedom), from a t table.
T_975_2 = 4.302652729749462


def test_aggregate_gives_the_t_interval_of_three_seeds():
    runs = pd.DataFrame({"task": "t", "model": "m", "family": "ann", "kind": "mlp", "size": 4,
                         "seed": [0, 1, 2], "accuracy": [1.0, 2.0, 3.0],
                         "synapses": [10, 10, 10], "update_locality": "global"})
    agg = A.aggregate(runs, ["accuracy", "synapses", "update_locality", "absent"])
    row = agg.iloc[0]
    # mean 2, sample sd 1, half-width t * 1 / sqrt(3)
    assert row["accuracy"] == pytest.approx(2.0)
    assert row["accuracy_ci"] == pytest.approx(T_975_2 / math.sqrt(3.0))
    assert row["synapses_ci"] == pytest.approx(0.0)
    assert row["update_locality"] == "global" and row["n_seeds"] == 3
    assert "absent" not in agg
    one = A.aggregate(runs.iloc[:1], ["accuracy"]).iloc[0]
    assert one["accuracy"] == 1.0 and math.isnan(one["accuracy_ci"]) and one["n_seeds"] == 1


def test_aggregate_keeps_groups_apart_and_empty_frames_work():
    runs = pd.DataFrame({"task": "t", "model": ["a", "a", "b"], "size": [1, 2, 1],
                         "seed": 0, "accuracy": [0.1, 0.2, 0.3]})
    agg = A.aggregate(runs, ["accuracy"])
    assert list(zip(agg["model"], agg["size"], strict=True)) == [("a", 1), ("a", 2), ("b", 1)]
    assert A.aggregate(runs.iloc[0:0], ["accuracy"]).empty


def test_paired_difference_pairs_by_seed():
    a = pd.DataFrame({"seed": [0, 1, 2, 3], "accuracy": [0.8, 0.7, 0.9, 0.5]})
    b = pd.DataFrame({"seed": [2, 0, 1], "accuracy": [0.7, 0.6, 0.65]})  # no seed 3
    p = A.paired_difference(a, b)
    # differences by seed: 0.2, 0.05, 0.2 -> mean 0.15, sd sqrt(0.0075)
    assert p["n"] == 3
    assert p["diff"] == pytest.approx(0.15)
    assert p["diff_ci"] == pytest.approx(T_975_2 * math.sqrt(0.0075) / math.sqrt(3.0))
    assert p["mean_a"] == pytest.approx(0.8) and p["mean_b"] == pytest.approx(0.65)
    with pytest.raises(ValueError, match="lacks the columns"):
        A.paired_difference(a, b.drop(columns="seed"))


def test_affine_fit_needs_three_sizes_and_a_positive_slope():
    x = np.array([1.0, 2.0, 4.0])
    fit = A.fit_affine(x, 0.5 + 3.0 * x)
    assert fit.fixed == pytest.approx(0.5) and fit.per_unit == pytest.approx(3.0)
    assert fit.r2 == pytest.approx(1.0) and fit.predict(10.0) == pytest.approx(30.5)
    assert A.fit_affine(x[:2], x[:2]) is None
    assert A.fit_affine(x, 5.0 - x) is None  # a falling line resolves no cost per operation


def test_power_law_needs_three_sizes():
    x = np.array([10.0, 100.0, 1000.0])
    fit = A.fit_power_law(x, 3.0 * x**1.5)
    assert fit.exponent == pytest.approx(1.5)
    assert fit.prefactor == pytest.approx(3.0)
    assert fit.r2 == pytest.approx(1.0)
    assert fit.predict(1e6) == pytest.approx(3.0 * 1e9)
    assert A.fit_exponent(x[:2], x[:2] ** 2) is None
    assert A.fit_exponent([5, 5, 5], [1, 2, 3]) is None  # one distinct size
    assert A.fit_exponent([1, 2, 0, 4], [1, 2, 3, -1]) is None  # non-positive pairs dropped
    with pytest.raises(ValueError, match="same shape"):
        A.fit_power_law([1, 2], [1])


def test_cost_exponents_per_seed_and_the_two_size_case():
    rows = []
    for seed, c in ((0, 2.0), (1, 3.0)):
        for size, syn in ((1, 10.0), (2, 100.0), (3, 1000.0)):
            rows.append({"task": "t", "model": "snn", "size": size, "seed": seed,
                         "synapses": syn, "effective_acs": c * syn**1.2,
                         "effective_macs": 0.0})
        for size, syn in ((1, 10.0), (2, 100.0)):
            rows.append({"task": "t", "model": "ann", "size": size, "seed": seed,
                         "synapses": syn, "effective_acs": 0.0, "effective_macs": syn})
    ex = A.cost_exponents(pd.DataFrame(rows), ["effective_acs", "effective_macs"])
    snn = ex[ex["model"] == "snn"]
    assert list(snn["cost"]) == ["effective_acs"]  # never-positive costs are left out
    assert snn["exponent"].iloc[0] == pytest.approx(1.2)
    assert snn["exponent_ci"].iloc[0] == pytest.approx(0.0, abs=1e-9)
    assert snn["n_seeds"].iloc[0] == 2 and snn["n_sizes"].iloc[0] == 3
    ann = ex[ex["model"] == "ann"].iloc[0]
    assert math.isnan(ann["exponent"]) and ann["n_seeds"] == 0 and ann["n_sizes"] == 2


def test_accuracy_by_budget_and_baseline_comparisons():
    runs, le = [], []
    acc = {"snn": 0.8, "snn_random": 0.5, "kmeans": 0.7, "logreg": 0.9}
    fam = {"snn": "snn", "snn_random": "snn", "kmeans": "clustering", "logreg": "ann"}
    sizes = {"snn": [10, 20], "snn_random": [10], "kmeans": [10, 20], "logreg": [0]}
    for seed in (0, 1, 2):
        for m, a in acc.items():
            for s in sizes[m]:
                v = a + 0.01 * seed + 0.001 * s
                runs.append({"task": "d", "model": m, "family": fam[m], "kind": "k",
                             "size": s, "seed": seed, "accuracy": v})
                le.append({"task": "d", "model": m, "family": fam[m], "kind": "k", "size": s,
                           "seed": seed, "labels_per_class": 1, "accuracy": v - 0.1})
    roles = {"snn": "main", "snn_random": "baseline", "kmeans": "baseline",
             "logreg": "baseline"}
    table = A.accuracy_by_budget(pd.DataFrame(runs), pd.DataFrame(le))
    assert sorted(table["labels_per_class"].unique()) == [0, 1]
    comp = A.baseline_comparisons(table, roles)
    pairs = set(zip(comp["size"], comp["baseline"], comp["baseline_size"], strict=True))
    # same size for k-means and plasticity off; logistic regression at its own size
    assert pairs == {(10, "snn_random", 10), (10, "kmeans", 10), (20, "kmeans", 20),
                     (10, "logreg", 0), (20, "logreg", 0)}
    row = comp[(comp["baseline"] == "kmeans") & (comp["size"] == 10)
               & (comp["labels_per_class"] == 1)].iloc[0]
    assert row["diff"] == pytest.approx(0.1) and row["n"] == 3
    assert row["diff_ci"] == pytest.approx(0.0, abs=1e-9)
    row = comp[(comp["baseline"] == "logreg") & (comp["size"] == 20)
               & (comp["labels_per_class"] == 0)].iloc[0]
    assert row["diff"] == pytest.approx((0.8 + 0.02) - 0.9)
    assert A.baseline_comparisons(table, {"snn": "main"}).empty  # no baselines


def _points(fixed: float, per_op: float, sizes=(10, 20, 40), seeds=(0, 1)):
    rows = []
    for seed in seeds:
        for s in sizes:
            work = 1e5 * s
            rows.append({"seed": seed, "size": s, "neurons": 2 * s, "synapses": 100.0 * s,
                         "footprint_bytes": 4000.0 * s, "dt_ms": 0.5,
                         "sim_ms_per_inference": 100.0, "wall_s_per_inference": None,
                         "work_per_sim_s": work,
                         "wall_per_sim_s": fixed + per_op * work, "source": "test"})
    return pd.DataFrame(rows)


def test_extrapolation_follows_the_fitted_line():
    """wall = 0.05 s + 20 ns x work, exactly: the fit recovers both, and a brain's time is
    the line at its work (fixed cost + 20 ns per operation)."""
    targets = A.brain_targets(0.5)
    ex = A.extrapolate(_points(0.05, 2e-8), targets, cpu_core_w=5.0)
    assert ex["fit"].fixed == pytest.approx(0.05)
    assert ex["fit"].per_unit == pytest.approx(2e-8)
    assert ex["n_sizes"] == 3 and ex["largest_size"] == 40
    assert ex["exponent_seeds"][0] == pytest.approx(2e-8) and ex["exponent_seeds"][2] == 2
    assert ex["bytes_per_synapse"] == pytest.approx(40.0)
    # the largest network's average cost per operation includes the fixed cost
    assert ex["s_per_op_largest"] == pytest.approx((0.05 + 2e-8 * 4e6) / 4e6)
    rows = ex["rows"].set_index("scope")
    for scope in ("neocortex", "whole brain", "K computer"):
        r = rows.loc[scope]
        core_s = 0.05 + 2e-8 * r["work_per_sim_s"]
        assert r["core_s"] == pytest.approx(core_s)
        assert r["days_one_core"] == pytest.approx(core_s / 86400.0)
        assert r["cores_real_time"] == math.ceil(core_s)
        assert r["energy_j"] == pytest.approx(5.0 * core_s)
        assert r["memory_bytes"] == pytest.approx(40.0 * r["synapses"])
        assert r["orders_beyond"] == pytest.approx(math.log10(r["work_per_sim_s"] / 4e6))
        # exponent 1: the largest network's wall time per unit of work, times the target's
        linear = (0.05 + 2e-8 * 4e6) / 4e6 * r["work_per_sim_s"]
        assert r["core_s_linear"] == pytest.approx(linear)
        assert r["energy_j_linear"] == pytest.approx(5.0 * linear)


def test_extrapolation_without_three_sizes_keeps_memory_only():
    ex = A.extrapolate(_points(0.05, 2e-8, sizes=(10, 20)), A.brain_targets(0.5))
    assert ex["fit"] is None and ex["n_sizes"] == 2
    r = ex["rows"].set_index("scope").loc["neocortex"]
    assert math.isnan(r["core_s"]) and math.isnan(r["energy_j"])
    assert r["memory_bytes"] == pytest.approx(40.0 * REFERENCES["human_synapses"].value)


def test_brain_targets_keep_scopes_apart():
    t = A.brain_targets(0.5).set_index("scope")
    rate = REFERENCES["cortical_rate_hz"].value
    cortex = t.loc["neocortex"]
    assert cortex["neurons"] == REFERENCES["cortex_neurons"].value
    assert cortex["acs_per_s"] == pytest.approx(REFERENCES["human_synapses"].value * rate)
    assert cortex["membrane_updates_per_s"] == pytest.approx(
        REFERENCES["cortex_neurons"].value * 2000.0)
    assert t.loc["whole brain", "neurons"] == REFERENCES["human_neurons"].value
    assert t.loc["whole brain", "power_w"] == REFERENCES["brain_power_w"].value
    assert t.loc["K computer", "record_core_s"] == pytest.approx(
        REFERENCES["k_computer_wall_s"].value * REFERENCES["k_computer_cores"].value)
    with pytest.raises(ValueError, match="dt_ms"):
        A.brain_targets(0)


def _snn_runs(sizes=(10, 20, 40), seeds=(0, 1)):
    return pd.DataFrame([{
        "task": "d", "model": "snn", "family": "snn", "size": s, "seed": seed,
        "neurons": 2 * s, "synapses": 66 * s, "footprint_bytes": 40 * 66 * s, "dt_ms": 0.5,
        "sim_ms_per_inference": 200.0, "effective_acs": 1000.0 * s,
        "membrane_updates": 2 * s * 400.0, "input_draws": 64 * 400.0,
        "wall_s_test": 0.01 * s * (1 + seed), "n_test": 100} for seed in seeds for s in sizes])


def test_sim_second_points_use_timing_only_when_every_size_was_timed():
    runs = _snn_runs()
    pts = A.sim_second_points(runs)
    r = pts[(pts["size"] == 10) & (pts["seed"] == 1)].iloc[0]
    assert r["source"] == A.SOURCE_TEST
    assert r["work_per_sim_s"] == pytest.approx((1e4 + 8000.0 + 25600.0) / 0.2)
    assert r["wall_per_sim_s"] == pytest.approx(0.01 * 10 * 2 / 100 / 0.2)
    timing = pd.DataFrame([{"task": "d", "model": "snn", "size": s, "seed": 0,
                            "mode": "throughput", "threads": 1, "median_s": 0.5 * s,
                            "n_samples": 50} for s in (10, 20, 40)])
    pts = A.sim_second_points(runs, timing)
    assert set(pts["source"]) == {A.SOURCE_TIMING} and set(pts["seed"]) == {0}
    assert pts.loc[pts["size"] == 20, "wall_per_sim_s"].iloc[0] == pytest.approx(
        0.5 * 20 / 50 / 0.2)
    pts = A.sim_second_points(runs, timing[timing["size"] != 40])  # one size not timed
    assert set(pts["source"]) == {A.SOURCE_TEST}
    assert A.sim_second_points(runs.drop(columns="effective_acs")).empty


def test_timing_summary_and_speedups():
    timing = pd.DataFrame([
        {"task": "d", "model": "m", "family": "snn", "size": 1, "seed": 0, "mode": mode,
         "threads": n, "n_samples": k, "median_s": med, "q25_s": med * 0.9,
         "q75_s": med * 1.2, "load_avg": 3.0}
        for mode, k in (("latency", 1), ("throughput", 100))
        for n, med in ((1, 2.0), (2, 1.6))])
    ts = A.timing_summary(timing)
    lat = ts[(ts["mode"] == "latency") & (ts["threads"] == 1)].iloc[0]
    assert lat["value"] == pytest.approx(2000.0)  # ms
    thr = ts[(ts["mode"] == "throughput") & (ts["threads"] == 1)].iloc[0]
    assert thr["value"] == pytest.approx(50.0)
    assert thr["value_q25"] == pytest.approx(100 / 2.4)
    sp = A.speedups(timing)
    two = sp[sp["threads"] == 2].iloc[0]
    assert two["speedup"] == pytest.approx(2.0 / 1.6)
    assert two["efficiency"] == pytest.approx(2.0 / 1.6 / 2)
    assert two["speedup_q25"] == pytest.approx(2.0 / (1.6 * 1.2))
    assert A.speedups(timing[timing["threads"] == 2]).empty  # no 1-thread baseline


def test_roles_from_the_manifest():
    man = {"config": {"models": [{"key": "snn", "role": "main"},
                                 {"key": "kmeans", "role": "baseline"}, {"key": "ann"}]}}
    roles = A.model_roles(man)
    assert roles == {"snn": "main", "kmeans": "baseline", "ann": "main"}
    assert A.model_roles({}) == {}
    frame = A.add_roles(pd.DataFrame({"model": ["kmeans", "other"]}), roles)
    assert list(frame["role"]) == ["baseline", "main"]
