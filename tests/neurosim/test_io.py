"""Save/load of STDPClassifier: one .npz without pickle, atomic, identical predictions."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

import neurosim
from neurosim import STDPClassifier
from neurosim.classifier import NotFittedError
from neurosim.io import FORMAT_VERSION, save_classifier

#: Same structure as tests/neurosim/test_classifier.py's TINY (one shared compiled build).
TINY = dict(n_excitatory=16, presentation_ms=100.0, rest_ms=50.0, chunk_samples=64,
            input_rate_hz=2400.0, norm_total=4.8, theta_plus_mV=0.2, min_spikes=2, a_plus=0.01,
            backend="cpp_standalone")


@pytest.fixture(scope="module")
def model_and_data():
    from experiments.tasks import load_task

    t = load_task("bars", n=4, n_train_per_class=40, n_test_per_class=10, seed=0)
    m = STDPClassifier(**TINY, random_state=0).fit(t.X_train[:64], t.y_train[:64])
    return m, t


def test_round_trip_predicts_identically(model_and_data, tmp_path):
    m, t = model_and_data
    path = tmp_path / "snn.npz"
    m.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["snn.npz"]  # no temp file left
    loaded = neurosim.load(path)
    assert loaded.get_params() == m.get_params()
    for name in ("weights_", "theta_mV_", "assignments_", "classes_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(m, name))
    assert loaded.history_ == m.history_ and loaded.seed_ == m.seed_
    np.testing.assert_array_equal(loaded.predict(t.X_test), m.predict(t.X_test))
    np.testing.assert_array_equal(loaded.predict_at(t.X_test, [40.0]),
                                  m.predict_at(t.X_test, [40.0]))
    assert loaded.cost() == m.cost()


def test_file_is_plain_npz_with_json_parameters(model_and_data, tmp_path):
    m, _ = model_and_data
    path = tmp_path / "snn.npz"
    save_classifier(m, path)
    with np.load(path, allow_pickle=False) as data:
        params = json.loads(str(data["params_json"]))
        fmt = json.loads(str(data["format_json"]))
        assert data["weights_"].shape == (16, 16)
    assert params["n_excitatory"] == 16 and fmt["version"] == FORMAT_VERSION


def test_linear_readout_survives_round_trip(model_and_data, tmp_path):
    base, t = model_and_data
    m = copy.deepcopy(base).set_params(readout="linear").relabel(t.X_train[:64], t.y_train[:64])
    m.save(tmp_path / "lin.npz")
    loaded = neurosim.load(tmp_path / "lin.npz")
    np.testing.assert_array_equal(loaded.readout_coef_, m.readout_coef_)
    np.testing.assert_array_equal(loaded.predict(t.X_test), m.predict(t.X_test))


def test_save_and_load_errors(model_and_data, tmp_path):
    m, _ = model_and_data
    with pytest.raises(NotFittedError, match="not fitted"):
        STDPClassifier().save(tmp_path / "x.npz")
    with pytest.raises(ValueError, match="does not exist"):
        m.save(tmp_path / "missing-dir" / "x.npz")
    with pytest.raises(TypeError, match="path"):
        m.save(123)
    with pytest.raises(FileNotFoundError):
        neurosim.load(tmp_path / "nothing.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="not a saved STDPClassifier"):
        neurosim.load(tmp_path / "other.npz")
    path = tmp_path / "v.npz"
    m.save(path)
    with np.load(path, allow_pickle=False) as data:
        payload = {k: data[k] for k in data.files}
    payload["format_json"] = np.array(json.dumps({"kind": "neurosim.STDPClassifier",
                                                  "version": 999}))
    np.savez(path, **payload)
    with pytest.raises(ValueError, match="format version"):
        neurosim.load(path)
