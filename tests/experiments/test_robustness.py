"""Robustness protocol (experiments/robustness.py): levels, draws, noise, curves, areas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ann import MLPClassifier
from experiments.models.baselines import KMeansVoteClassifier
from experiments.protocols.robustness import (
    DEFAULT_LEVELS,
    area_under_curve,
    check_levels,
    curve_areas,
    noisy_inputs,
    perturbation_seed,
    robustness_curves,
)
from experiments.tasks import load_task


def test_check_levels():
    assert check_levels("input_noise", [0.5, 0, 0.25]) == (0.0, 0.25, 0.5)
    assert check_levels("weight_bits", [1, 8, 4]) == (8.0, 4.0, 1.0)  # mildest first
    for kind, bad in (("synapse_lesion", [1.5]), ("weight_bits", [0]), ("weight_bits", [2.5]),
                      ("neuron_lesion", []), ("input_noise", [0.1, 0.1]), ("blur", [0.1]),
                      ("input_noise", [True])):
        with pytest.raises(ValueError):
            check_levels(kind, bad)
    for kind, levels in DEFAULT_LEVELS.items():
        check_levels(kind, list(levels))


def test_seeds_are_shared_by_models_and_differ_by_draw():
    assert perturbation_seed(0, "neuron_lesion", 0.5) == perturbation_seed(0, "neuron_lesion",
                                                                           0.5)
    seeds = {perturbation_seed(s, k, v) for s in (0, 1) for k in ("neuron_lesion",
                                                                  "synapse_lesion")
             for v in (0.1, 0.5)}
    assert len(seeds) == 8


def test_noisy_inputs_replace_exactly_k_pixels_per_row():
    X = np.full((5, 20), 0.5)
    Xn = noisy_inputs(X, 0.25, seed=3)
    assert np.all((Xn != X).sum(axis=1) == 5)
    assert Xn.min() >= 0 and Xn.max() <= 1
    np.testing.assert_array_equal(Xn, noisy_inputs(X, 0.25, seed=3))  # same for every model
    assert not np.array_equal(Xn, noisy_inputs(X, 0.25, seed=4))
    np.testing.assert_array_equal(noisy_inputs(X, 0.0, seed=3), X)
    assert np.all(X == 0.5)  # the caller's array is not modified


def test_area_under_curve_by_hand():
    assert area_under_curve([0, 0.5, 1.0], [1.0, 0.5, 0.0], "neuron_lesion") == pytest.approx(
        0.5)
    # bits on log2: x = 3, 2, 1, 0 with accuracy 1, 1, 1, 0 -> (1 + 1 + 0.5) / 3
    assert area_under_curve([8, 4, 2, 1], [1, 1, 1, 0], "weight_bits") == pytest.approx(
        2.5 / 3)
    assert math.isnan(area_under_curve([0.3], [0.9], "input_noise"))


def test_curve_areas_relative_to_level_zero():
    rows = [{"task": "t", "model": "m", "size": 1, "seed": 0, "perturbation": k, "level": lv,
             "accuracy": a}
            for k, pts in (("input_noise", ((0, 0.8), (0.5, 0.4))),
                           ("weight_bits", ((8, 0.8), (1, 0.2))))
            for lv, a in pts]
    out = curve_areas(pd.DataFrame(rows)).set_index("perturbation")
    assert out.loc["input_noise", "auc"] == pytest.approx(0.6)
    assert out.loc["input_noise", "auc_relative"] == pytest.approx(0.75)
    assert out.loc["weight_bits", "clean"] == pytest.approx(0.8)  # from the level-0 rows
    assert out.loc["weight_bits", "auc"] == pytest.approx(0.5)


class Fake:
    """Records ``perturbed`` calls; neuron lesions do not apply to it."""

    def __init__(self):
        self.calls = []

    def predict(self, X):
        return np.zeros(len(X), dtype=int)

    def perturbed(self, kind, level, random_state=None):
        if kind == "neuron_lesion":
            raise NotImplementedError("no hidden units")
        self.calls.append((kind, level, random_state))
        return self


def test_curves_use_the_shared_seeds_and_skip_what_does_not_apply():
    model = Fake()
    levels = {"synapse_lesion": [0, 0.5], "neuron_lesion": [0, 0.5], "input_noise": [0, 0.5],
              "weight_bits": [8, 1]}
    rows, skipped = robustness_curves(model, np.zeros((4, 3)), np.array([0, 0, 1, 1]),
                                      seed=2, levels=levels)
    assert skipped == ["neuron_lesion: no hidden units"]
    assert {r["perturbation"] for r in rows} == {"synapse_lesion", "input_noise", "weight_bits"}
    assert all(r["accuracy"] == 0.5 for r in rows)
    assert ("synapse_lesion", 0.5, perturbation_seed(2, "synapse_lesion", 0.5)) in model.calls
    assert ("weight_bits", 8, perturbation_seed(2, "weight_bits", 8)) in model.calls
    assert isinstance([c for c in model.calls if c[0] == "weight_bits"][0][1], int)

    class NoPerturbed:
        def predict(self, X):
            return np.zeros(len(X), dtype=int)

    rows, skipped = robustness_curves(NoPerturbed(), np.zeros((4, 3)), np.zeros(4), seed=0,
                                      levels=levels)
    assert {r["perturbation"] for r in rows} == {"input_noise"} and len(skipped) == 3


@pytest.mark.parametrize("make", [
    lambda: MLPClassifier((16,), epochs=10, random_state=0),
    lambda: KMeansVoteClassifier(20, random_state=0),
])
def test_level_zero_is_clean_and_a_full_neuron_lesion_is_at_most_chance(make):
    task = load_task("digits", seed=0)
    X, y = task.X_test[:150], task.y_test[:150]
    model = make().fit(task.X_train, task.y_train)
    clean = float(np.mean(model.predict(X) == y))
    levels = {k: [0.0, 1.0] for k in ("synapse_lesion", "neuron_lesion", "input_noise")}
    rows, skipped = robustness_curves(model, X, y, seed=0, levels=levels)
    assert not skipped
    for r in rows:
        if r["level"] == 0:
            assert abs(r["accuracy"] - clean) <= 0.005
    full = [r for r in rows if r["perturbation"] == "neuron_lesion" and r["level"] == 1.0][0]
    assert full["accuracy"] <= np.bincount(y).max() / len(y)


def test_same_lesion_draw_across_families():
    """A k-means baseline and an ANN whose first layer has the same shape lose the same input
    synapses for the same seed (the spiking network draws the same way: tests/neurosim)."""
    task = load_task("digits", seed=0)
    km = KMeansVoteClassifier(10, random_state=0).fit(task.X_train, task.y_train)
    ann = MLPClassifier((10,), epochs=2, random_state=0).fit(task.X_train, task.y_train)
    s = perturbation_seed(0, "synapse_lesion", 0.3)
    km_mask = km.perturbed("synapse_lesion", 0.3, s).input_weights_ == 0
    ann_mask = ann.perturbed("synapse_lesion", 0.3, s).input_weights_ == 0
    np.testing.assert_array_equal(km_mask & (km.input_weights_ != 0),
                                  ann_mask & (km.input_weights_ != 0))
    s = perturbation_seed(0, "neuron_lesion", 0.5)
    km_dead = km.perturbed("neuron_lesion", 0.5, s).silenced_
    ann_dead = ~ann.perturbed("neuron_lesion", 0.5, s).input_weights_.any(axis=0)
    np.testing.assert_array_equal(km_dead, ann_dead)
