"""The class-incremental protocol (experiments/continual.py), driven through ``partial_fit``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ann import MLPClassifier
from experiments.protocols.continual import (
    continual_learning,
    forgetting,
    passes_per_phase,
    split_classes,
)
from experiments.tasks import load_task


class Recorder:
    """A stand-in estimator that records its ``partial_fit`` calls and predicts a fixed
    label per call count."""

    def __init__(self, epochs=2):
        self.epochs = epochs
        self.calls = []

    def get_params(self, deep=False):
        return {"epochs": self.epochs}

    def partial_fit(self, X, y, classes=None):
        self.calls.append((np.unique(y).tolist(), None if classes is None else list(classes),
                           len(X)))
        return self

    def predict(self, X):
        # after phase 1 answer 0; after phase 2 answer 9
        return np.full(len(X), 0 if len(self.calls) <= self.epochs else 9)


def _data():
    y_train = np.repeat(np.arange(10), 3)
    y_test = np.repeat(np.arange(10), 2)
    return (np.zeros((30, 4)), y_train, np.zeros((20, 4)), y_test)


def test_split_and_passes():
    old, new = split_classes([3, 0, 1, 2, 9, 4, 5, 6, 7, 8])
    assert old.tolist() == [0, 1, 2, 3, 4] and new.tolist() == [5, 6, 7, 8, 9]
    assert [a.tolist() for a in split_classes([0, 1, 2])] == [[0], [1, 2]]
    with pytest.raises(ValueError):
        split_classes([1])
    assert passes_per_phase(Recorder(epochs=3)) == 3
    assert passes_per_phase(Recorder(epochs=0)) == 1  # plasticity off still names its units
    assert passes_per_phase(MLPClassifier(epochs=7)) == 7

    class NoEpochs(Recorder):
        def get_params(self, deep=False):
            return {}

    assert passes_per_phase(NoEpochs()) == 1


def test_protocol_phases_classes_and_rows():
    model = Recorder(epochs=2)
    X_train, y_train, X_test, y_test = _data()
    rows = continual_learning(lambda: model, X_train, y_train, X_test, y_test,
                              joint_pred=y_test)
    # two passes per phase; phase 1 sees only 0-4, phase 2 only 5-9; every call lists all
    assert [c[0] for c in model.calls] == [[0, 1, 2, 3, 4]] * 2 + [[5, 6, 7, 8, 9]] * 2
    assert all(c[1] == list(range(10)) for c in model.calls)
    assert [c[2] for c in model.calls] == [15, 15, 15, 15]
    got = {(r["phase"], r["eval_classes"]): r["accuracy"] for r in rows}
    # answering 0 after phase 1: 2 of the 10 old-class test rows; 9 after phase 2
    assert got == {(0, "old"): 1.0, (0, "new"): 1.0, (0, "all"): 1.0, (1, "old"): 0.2,
                   (2, "old"): 0.0, (2, "new"): 0.2, (2, "all"): 0.1}


def test_protocol_needs_partial_fit():
    class Plain:
        def get_params(self, deep=False):
            return {}

    with pytest.raises(TypeError, match="partial_fit"):
        continual_learning(Plain, *_data())


def test_ann_has_a_ten_class_output_from_phase_one():
    digits = load_task("digits")
    rows = continual_learning(lambda: MLPClassifier((16,), epochs=3, random_state=0),
                              digits.X_train, digits.y_train, digits.X_test, digits.y_test)
    assert [(r["phase"], r["eval_classes"]) for r in rows] == [
        (1, "old"), (2, "old"), (2, "new"), (2, "all")]
    assert all(0.0 <= r["accuracy"] <= 1.0 for r in rows)


def test_forgetting_from_the_table():
    frame = pd.DataFrame([
        {"task": "t", "model": "m", "size": 1, "seed": s, "phase": p, "eval_classes": e,
         "accuracy": a}
        for s, vals in ((0, (0.9, 0.5, 0.7, 0.6, 0.8)), (1, (1.0, 0.2, 0.9, 0.55, 0.85)))
        for (p, e), a in zip(((1, "old"), (2, "old"), (2, "new"), (2, "all"), (0, "all")),
                             vals, strict=True)
    ])
    out = forgetting(frame).set_index("seed")
    assert out.loc[0, "forgetting"] == pytest.approx(0.4)
    assert out.loc[1, "forgetting"] == pytest.approx(0.8)
    assert out.loc[1, "all_joint"] == pytest.approx(0.85)
    assert forgetting(pd.DataFrame()).empty
