"""save/load: one .npz without pickle; identical predictions; clear errors on bad files."""

import json
import zipfile

import numpy as np
import pytest

import ann
from ann import CNNClassifier, MLPClassifier, RNNClassifier

X = np.random.default_rng(0).uniform(size=(30, 16))
Y = np.arange(30) % 3

MODELS = {
    "mlp": lambda: MLPClassifier((8, 5), epochs=3, random_state=0),
    "mlp64-essay": lambda: ann.presets.essay_mlp(hidden_layer_sizes=(4,), epochs=5,
                                                  dtype="float64", random_state=0),
    "cnn": lambda: CNNClassifier((4, 4), channels=(2, 3), hidden_layer_sizes=(4,), epochs=2,
                                 random_state=0),
    "rnn": lambda: RNNClassifier((4, 4), n_hidden=5, epochs=2, random_state=0),
}


@pytest.mark.parametrize("kind", list(MODELS))
def test_save_load_round_trip_predicts_identically(kind, tmp_path):
    model = MODELS[kind]().fit(X, Y + 3)
    path = tmp_path / "model.npz"
    assert model.save(path) == path
    loaded = ann.load(path)
    assert type(loaded) is type(model)
    assert loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.classes_, model.classes_)
    assert loaded.history_ == model.history_
    assert loaded.cost(X) == model.cost(X)
    # no pickle needed, and nothing else left in the directory (atomic write)
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["__meta__"]))
    assert meta["class"] == type(model).__name__
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    loaded.partial_fit(X, Y + 3)  # a loaded model keeps learning
    assert len(loaded.history_) == len(model.history_) + 1


def _rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    for k, v in changes.items():
        if v is None:
            del arrays[k]
        else:
            arrays[k] = v
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "m.npz"
    MLPClassifier((4,), epochs=1, random_state=0).fit(X, Y).save(path)
    return path


def test_truncated_file_raises_a_clear_error(saved):
    saved.write_bytes(saved.read_bytes()[:200])
    with pytest.raises(ValueError, match="is not a valid ann model file"):
        ann.load(saved)


def test_not_an_npz_file(tmp_path):
    path = tmp_path / "x.npz"
    path.write_text("hello")
    with pytest.raises(ValueError, match="cannot read it as .npz"):
        ann.load(path)
    with pytest.raises(FileNotFoundError, match="no model file"):
        ann.load(tmp_path / "missing.npz")


def test_changed_weights_fail_the_checksum(saved):
    with np.load(saved) as data:
        w = data["param.0.W"].copy()
    w[0, 0] += 1
    _rewrite(saved, **{"param.0.W": w})
    with pytest.raises(ValueError, match="fails its checksum"):
        ann.load(saved)


def test_missing_array_or_metadata(saved, tmp_path):
    other = tmp_path / "o.npz"
    other.write_bytes(saved.read_bytes())
    _rewrite(saved, **{"param.0.b": None})
    with pytest.raises(ValueError, match="do not match the metadata"):
        ann.load(saved)
    _rewrite(other, __meta__=None)
    with pytest.raises(ValueError, match="no __meta__"):
        ann.load(other)


def test_mismatched_shapes_and_unknown_class(saved):
    with np.load(saved) as data:
        meta = json.loads(str(data["__meta__"]))
    meta["params"]["hidden_layer_sizes"] = [5]
    _rewrite(saved, __meta__=np.array(json.dumps(meta)))
    with pytest.raises(ValueError, match=r"parameter '0.W' has float32 \(16, 4\)"):
        ann.load(saved)
    meta["class"] = "TransformerClassifier"
    _rewrite(saved, __meta__=np.array(json.dumps(meta)))
    with pytest.raises(ValueError, match="unknown estimator class"):
        ann.load(saved)
    meta["format"] = "something-else"
    _rewrite(saved, __meta__=np.array(json.dumps(meta)))
    with pytest.raises(ValueError, match="format"):
        ann.load(saved)


def test_save_needs_a_fitted_model_and_serialisable_params(tmp_path):
    with pytest.raises(ann.NotFittedError):
        MLPClassifier().save(tmp_path / "a.npz")
    model = MLPClassifier((3,), epochs=1, random_state=np.random.default_rng(0)).fit(X, Y)
    with pytest.raises(ValueError, match="int random_state"):
        model.save(tmp_path / "a.npz")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FileNotFoundError, match="does not exist"):
        MLPClassifier((3,), epochs=1).fit(X, Y).save(tmp_path / "no" / "a.npz")


def test_the_file_is_a_plain_zip_of_npy_arrays(saved):
    with zipfile.ZipFile(saved) as zf:
        names = sorted(zf.namelist())
    assert names == ["__meta__.npy", "classes.npy", "param.0.W.npy", "param.0.b.npy",
                     "param.2.W.npy", "param.2.b.npy"]
