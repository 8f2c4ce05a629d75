"""``perturbed``: lesions and weight quantisation of a fitted ANN (robustness experiments)."""

from __future__ import annotations

import numpy as np
import pytest

from ann import CNNClassifier, MLPClassifier, RNNClassifier


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    centers = rng.uniform(0, 1, (4, 16))
    y = np.repeat(np.arange(4), 30)
    X = np.clip(centers[y] + rng.normal(0, 0.1, (len(y), 16)), 0, 1)
    return X, y


@pytest.fixture(scope="module")
def mlp(data):
    return MLPClassifier((12,), epochs=20, random_state=0).fit(*data)


def _weights(model):
    return [w.copy() for w in model.coefs_]


def test_level_zero_is_the_clean_model_and_the_original_is_untouched(mlp, data):
    X, y = data
    before = _weights(mlp)
    clean = mlp.predict(X)
    for kind in ("synapse_lesion", "neuron_lesion"):
        copy_ = mlp.perturbed(kind, 0.0, random_state=1)
        assert copy_ is not mlp
        np.testing.assert_array_equal(copy_.predict(X), clean)
    mlp.perturbed("synapse_lesion", 0.9, random_state=1)
    mlp.perturbed("weight_bits", 1)
    for a, b in zip(before, _weights(mlp), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(mlp.predict(X), clean)


def test_synapse_lesion_zeroes_the_exact_fraction_with_the_documented_draw(mlp):
    out = mlp.perturbed("synapse_lesion", 0.25, random_state=7)
    rng = np.random.default_rng(7)
    for w0, w in zip(mlp.coefs_, out.coefs_, strict=True):
        k = round(0.25 * w0.size)
        expected = w0.copy()
        expected.flat[rng.permutation(w0.size)[:k]] = 0
        np.testing.assert_array_equal(w, expected)
    for b0, b in zip(mlp.intercepts_, out.intercepts_, strict=True):
        np.testing.assert_array_equal(b0, b)  # biases are not synapses


def test_full_neuron_lesion_gives_a_constant_answer_at_or_below_chance(mlp, data):
    X, y = data
    pred = mlp.perturbed("neuron_lesion", 1.0, random_state=0).predict(X)
    assert len(np.unique(pred)) == 1
    assert np.mean(pred == y) <= np.bincount(y).max() / len(y)


def test_neuron_lesion_silences_the_drawn_units(mlp):
    out = mlp.perturbed("neuron_lesion", 0.5, random_state=3)
    units = np.random.default_rng(3).permutation(12)[:6]
    w_in, w_out = out.coefs_
    assert not w_in[:, units].any() and not out.intercepts_[0][units].any()
    assert not w_out[units].any()
    others = np.setdiff1d(np.arange(12), units)
    np.testing.assert_array_equal(w_in[:, others], mlp.coefs_[0][:, others])


def test_a_silenced_sigmoid_unit_passes_nothing_on(data):
    X, y = data
    model = MLPClassifier((6,), activation="sigmoid", epochs=5, random_state=0).fit(X, y)
    out = model.perturbed("neuron_lesion", 0.5, random_state=0)
    units = np.random.default_rng(0).permutation(6)[:3]
    probe = out.perturbed("synapse_lesion", 0.0)
    probe.network_.layers[0].params["b"][units] = 5.0  # a sigmoid unit at 0 outputs 0.5
    np.testing.assert_allclose(probe.predict_proba(X), out.predict_proba(X))


def test_cnn_channel_lesion_reaches_the_dense_layer_and_rnn_units_go_quiet(data):
    X, y = data
    Xi = X.reshape(-1, 16)
    cnn = CNNClassifier(image_shape=(4, 4), channels=(3,), activation="sigmoid", epochs=2,
                        random_state=0).fit(Xi, y)
    out = cnn.perturbed("neuron_lesion", 1 / 3, random_state=0)
    (unit,) = np.random.default_rng(0).permutation(3)[:1]
    probe = out.perturbed("synapse_lesion", 0.0)
    probe.network_.layers[0].params["b"][unit] = 3.0  # its sigmoid output reaches nothing
    np.testing.assert_allclose(probe.predict_proba(Xi), out.predict_proba(Xi))
    rnn = RNNClassifier(sequence_shape=(4, 4), n_hidden=5, epochs=2, random_state=0).fit(Xi, y)
    assert len(np.unique(rnn.perturbed("neuron_lesion", 1.0).predict(Xi))) == 1


def test_weight_bits_grid(mlp, data):
    X, y = data
    for bits in (4, 2, 1):
        out = mlp.perturbed("weight_bits", bits)
        for w in out.coefs_:
            for col in w.T:
                assert len(np.unique(col)) <= (2 if bits == 1 else 2 ** bits - 1)
    out = mlp.perturbed("weight_bits", 8)
    assert abs(out.score(X, y) - mlp.score(X, y)) <= 0.02
    w0 = mlp.coefs_[0]
    top = np.abs(w0).max(axis=0)
    np.testing.assert_allclose(np.abs(mlp.perturbed("weight_bits", 2).coefs_[0]).max(axis=0),
                               top, rtol=1e-6)  # 2 bits: {-max, 0, +max} per unit


def test_no_hidden_units_no_neuron_lesion_and_bad_arguments(data):
    logreg = MLPClassifier((), epochs=3, random_state=0).fit(*data)
    with pytest.raises(NotImplementedError, match="hidden"):
        logreg.perturbed("neuron_lesion", 0.5)
    with pytest.raises(ValueError, match="kind"):
        logreg.perturbed("dropout", 0.5)
    with pytest.raises(ValueError, match="level"):
        logreg.perturbed("synapse_lesion", 1.5)
    with pytest.raises(ValueError, match="level"):
        logreg.perturbed("weight_bits", 0)
