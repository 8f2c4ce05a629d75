"""cost(X): the contract's schema, checked against networks small enough to count by hand.

Every expected number below is worked out in the comments from the hand-set weights and inputs,
not read from the code under test.
"""

import numpy as np
import pytest

from ann import CNNClassifier, MLPClassifier, RNNClassifier
from contract import COST_KEYS, COST_METRICS

INFERENCE = [m.name for m in COST_METRICS if m.per == "inference"]


def _fitted(model, n_features, epochs=2):
    """``model`` fitted for ``epochs`` epochs on 4 dummy samples of 2 classes (weights are
    then set by hand)."""
    X = np.linspace(0, 1, 4 * n_features).reshape(4, n_features)
    return model.set_params(epochs=epochs, dtype="float64", random_state=0).fit(X, [0, 1, 0, 1])


@pytest.fixture
def mlp():
    """2 inputs -> 3 ReLU -> 2 outputs, weights with zeros.

    W1 = [[1, 0, -1],     b1 = [0, 0.5, 0]     W2 = [[1,  0],    b2 = [0, 0]
          [2, 0,  1]]                               [0,  0],
                                                    [1, -1]]
    """
    model = _fitted(MLPClassifier(hidden_layer_sizes=(3,)), 2)
    dense1, _, dense2 = model.network_.layers
    dense1.params["W"][...] = [[1, 0, -1], [2, 0, 1]]
    dense1.params["b"][...] = [0, 0.5, 0]
    dense2.params["W"][...] = [[1, 0], [0, 0], [1, -1]]
    dense2.params["b"][...] = 0
    return model


def test_mlp_cost_by_hand(mlp):
    X = np.array([[1.0, 0.0], [1.0, 2.0]])
    c = mlp.cost(X)
    assert tuple(c) == COST_KEYS
    # sample 1, x = [1, 0]: hidden = relu([1, 0.5, -1]) = [1, 0.5, 0]
    #   layer 1: only x0 != 0; row 0 of W1 has 2 non-zero weights            -> 2
    #   layer 2: h0 != 0 (row 0 of W2: 1 non-zero), h1 != 0 (row 1: none)     -> 1
    # sample 2, x = [1, 2]: hidden = relu([5, 0.5, 1]) = [5, 0.5, 1]
    #   layer 1: 2 + 2 = 4; layer 2: 1 + 0 + 2 = 3                             -> 7
    assert c["effective_macs"] == pytest.approx((3 + 7) / 2)
    assert c["dense_ops"] == 2 * 3 + 3 * 2
    # hidden activations: 6 values, one zero; units active: 2 of 3, then 3 of 3
    assert c["activation_sparsity"] == pytest.approx(1 / 6)
    assert c["fraction_active"] == pytest.approx((2 / 3 + 3 / 3) / 2)
    # weights: W1 has 2 zeros of 6, W2 has 3 zeros of 6 (biases excluded)
    assert c["connection_sparsity"] == pytest.approx(5 / 12)
    # 6 + 3 + 6 + 2 = 17 float64 parameters
    assert (c["params"], c["footprint_bytes"], c["footprint_dtype"]) == (17, 17 * 8, "float64")
    assert (c["neurons"], c["synapses"], c["parallel_width"]) == (5, 12, 3)
    assert c["sequential_depth"] == c["steps_to_first_output"] == c["steps_to_final_output"] == 2
    assert (c["timesteps"], c["presentations_per_sample"], c["membrane_updates"]) == (1, 1, 0)
    assert (c["effective_acs"], c["input_draws"]) == (0, 0)
    assert c["spike_rate_hz"] is None and c["sim_ms_per_inference"] is None
    assert c["ms_to_first_output"] is None and c["update_locality"] == "global"
    # 4 labelled samples, 2 epochs: 8 presented, 4 labels
    assert (c["train_samples"], c["epochs"], c["labels_used"]) == (8, 2, 4)


def test_without_X_every_per_inference_metric_is_none(mlp):
    c = mlp.cost()
    assert tuple(c) == COST_KEYS
    assert all(c[k] is None for k in INFERENCE)
    assert c["neurons"] == 5 and c["connection_sparsity"] == pytest.approx(5 / 12)


def test_conv_cost_by_hand():
    # one 2x3 image, one 2x2 kernel W = [[1, 0], [0, 2]], no padding, no pooling: 1x2 outputs
    model = _fitted(CNNClassifier((2, 3), channels=(1,), kernel_size=2, padding=0,
                                  pool_size=None), 6)
    conv, _, _, dense = model.network_.layers
    conv.params["W"][...] = [[[[1, 0], [0, 2]]]]
    conv.params["b"][...] = 0
    dense.params["W"][...] = [[1, 1], [0, 1]]
    dense.params["b"][...] = 0
    c = model.cost(np.array([[0.0, 1, 2, 3, 0, 4]]))  # image [[0, 1, 2], [3, 0, 4]]
    # position (0,0): patch [[0,1],[3,0]]: the two non-zero weights meet 0 and 0 -> 0 MACs,
    #   output 0; position (0,1): patch [[1,2],[0,4]]: they meet 1 and 4 -> 2 MACs, output 9
    # dense on [0, 9]: only input 1 is non-zero; row 1 of W has 1 non-zero weight -> 1
    assert c["effective_macs"] == 3
    assert c["dense_ops"] == 4 * 2 + 2 * 2  # kernel x positions + dense
    assert c["activation_sparsity"] == pytest.approx(1 / 2)
    assert c["fraction_active"] == pytest.approx(1 / 2)
    assert c["connection_sparsity"] == pytest.approx(3 / 8)  # 2 of 4 + 1 of 4
    assert (c["neurons"], c["synapses"], c["params"]) == (2 + 2, 4 + 4, 4 + 1 + 4 + 2)


def test_conv_padding_zeros_are_not_effective():
    # a 1x1 image with padding 1 and a 3x3 kernel of ones: 9 dense MACs, only the centre one
    # meets the pixel
    model = _fitted(CNNClassifier((1, 1), channels=(1,), kernel_size=3, padding=1,
                                  pool_size=None), 1)
    conv, _, _, dense = model.network_.layers
    conv.params["W"][...] = 1
    conv.params["b"][...] = 0
    dense.params["W"][...] = [[1, 0]]
    c = model.cost(np.array([[2.0]]))
    assert c["dense_ops"] == 9 + 2
    assert c["effective_macs"] == 1 + 1  # conv centre + the one non-zero output weight


def test_rnn_cost_by_hand():
    # T = 2 steps of d = 1 input, 2 hidden units: Wx = [[1, 0]], Wh = [[0, 1], [0, 0]], b = 0
    model = _fitted(RNNClassifier((2, 1), n_hidden=2), 2)
    rnn, dense = model.network_.layers
    rnn.params["Wx"][...] = [[1, 0]]
    rnn.params["Wh"][...] = [[0, 1], [0, 0]]
    rnn.params["b"][...] = 0
    dense.params["W"][...] = [[1, 0], [1, 1]]
    c = model.cost(np.array([[0.0, 3.0]]))
    # step 1: x = 0 -> h1 = tanh(0) = [0, 0]; no effective MACs (input 0, h0 = 0)
    # step 2: x = 3 -> 1 MAC (one non-zero Wx weight); h1 = 0 -> none; h2 = [tanh 3, 0]
    # output: h2[0] != 0, row 0 of W has 1 non-zero weight -> 1
    assert c["effective_macs"] == 2
    assert c["dense_ops"] == 2 * (1 * 2 + 2 * 2) + 2 * 2
    assert c["activation_sparsity"] == pytest.approx(3 / 4)  # [0, 0], [tanh 3, 0]
    assert c["fraction_active"] == pytest.approx(1 / 2)  # unit 0 fired at some step
    assert c["connection_sparsity"] == pytest.approx(5 / 10)
    assert (c["timesteps"], c["membrane_updates"], c["sequential_depth"]) == (2, 4, 3)
    assert c["parallel_width"] == 2 and c["neurons"] == 4


def test_no_hidden_layer_is_logistic_regression(digits):
    model = MLPClassifier(hidden_layer_sizes=(), learning_rate=0.01, epochs=20, random_state=0)
    model.fit(digits.X_train, digits.y_train)
    assert [w.shape for w in model.coefs_] == [(64, 10)]
    assert model.score(digits.X_test, digits.y_test) > 0.9
    c = model.cost(digits.X_test[:50])
    assert c["dense_ops"] == c["synapses"] == 640 and c["sequential_depth"] == 1
    # no hidden units: the activation statistics are undefined
    assert c["activation_sparsity"] is None and c["fraction_active"] is None
    # effective MACs: non-zero pixels x 10 (no trained weight is exactly 0)
    nonzero = np.count_nonzero(digits.X_test[:50], axis=1).mean()
    assert c["effective_macs"] == pytest.approx(10 * nonzero)


def test_cost_of_a_default_sized_mlp_cnn_and_rnn(digits):
    X = digits.X_test[:20]
    for model in (MLPClassifier((16,), epochs=1, random_state=0),
                  CNNClassifier((8, 8), channels=(4,), epochs=1, random_state=0),
                  RNNClassifier((8, 8), n_hidden=8, epochs=1, random_state=0)):
        c = model.fit(digits.X_train[:100], digits.y_train[:100]).cost(X)
        assert tuple(c) == COST_KEYS
        assert 0 < c["effective_macs"] < c["dense_ops"]
        assert 0 <= c["activation_sparsity"] < 1 and 0 < c["fraction_active"] <= 1
        assert c["footprint_bytes"] == 4 * c["params"]
