"""Layer, loss, optimiser and initialiser behaviour against direct reference computations."""

import numpy as np
import pytest

from ann import initializers
from ann.im2col import col2im, im2col
from ann.layers import (
    RNN,
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
)
from ann.losses import MeanSquaredError, SoftmaxCrossEntropy
from ann.optimizers import SGD, Adam, Momentum, get_optimizer

F64 = np.float64


def naive_conv(x, w, b, stride, padding):
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[:, :, i, j] = np.einsum("nckl,fckl->nf", patch, w) + b
    return out


@pytest.mark.parametrize(("stride", "padding", "k"), [(1, 0, 3), (1, 1, 3), (2, 1, 3), (2, 0, 2)])
def test_conv2d_forward_matches_a_direct_loop(stride, padding, k):
    rng = np.random.default_rng(0)
    layer = Conv2D(3, 4, k, stride=stride, padding=padding, rng=rng, dtype=F64)
    layer.params["b"][...] = rng.standard_normal(4)
    x = rng.standard_normal((2, 3, 7, 7))
    y = layer.forward(x)
    ref = naive_conv(x, layer.params["W"], layer.params["b"], stride, padding)
    assert y.shape == ref.shape == (2, 4, *layer.output_shape((3, 7, 7))[1:])
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)


def test_col2im_is_the_adjoint_of_im2col():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 5))
    cols = im2col(x, 3, 2, 2)
    c = rng.standard_normal(cols.shape)
    # <im2col(x), c> == <x, col2im(c)>
    assert np.isclose(np.vdot(cols, c), np.vdot(x, col2im(c, x.shape, 2)))


def test_maxpool_routes_gradient_to_one_position_on_flat_backgrounds():
    x = np.zeros((1, 1, 4, 4))  # a flat background: every window is all ties
    x[0, 0, 0, 1] = 5.0
    pool = MaxPool2D(2, dtype=F64)
    y = pool.forward(x)
    np.testing.assert_array_equal(y[0, 0], [[5.0, 0.0], [0.0, 0.0]])
    dx = pool.backward(np.ones_like(y))
    assert dx.sum() == 4.0  # one unit of gradient per window, never one per tied element
    assert dx[0, 0, 0, 1] == 1.0
    assert np.count_nonzero(dx) == 4


def test_rnn_matches_an_explicit_time_loop_and_returns_sequences():
    rng = np.random.default_rng(2)
    layer = RNN(3, 4, return_sequences=True, rng=rng, dtype=F64)
    layer.params["b"][...] = rng.standard_normal(4)
    x = rng.standard_normal((2, 5, 3))
    h = np.zeros((2, 4))
    ref = []
    for t in range(5):
        h = np.tanh(x[:, t] @ layer.params["Wx"] + h @ layer.params["Wh"] + layer.params["b"])
        ref.append(h)
    np.testing.assert_allclose(layer.forward(x), np.stack(ref, axis=1), rtol=1e-12)
    last = RNN(3, 4, rng=0, dtype=F64)
    for k in last.params:
        last.params[k][...] = layer.params[k]
    np.testing.assert_allclose(last.forward(x), ref[-1], rtol=1e-12)


def test_softmax_and_cross_entropy_are_stable_for_huge_logits():
    z = np.array([[1000.0, 0.0, -1000.0], [-1e4, -1e4, -1e4]])
    p = Softmax(dtype=F64).forward(z)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    loss = SoftmaxCrossEntropy()
    value = loss.forward(z, np.array([2, 0]))
    assert np.isfinite(value)
    assert np.isclose(value, (2000.0 + np.log(3)) / 2)
    assert np.all(np.isfinite(loss.backward()))
    assert np.all(np.isfinite(Sigmoid(dtype=F64).forward(np.array([-1e4, 1e4]))))


def test_mse_is_the_essays_mean_over_all_elements():
    loss = MeanSquaredError()
    y, t = np.array([[1.0, 2.0], [3.0, 5.0]]), np.zeros((2, 2))
    assert loss.forward(y, t) == pytest.approx((1 + 4 + 9 + 25) / 4)
    np.testing.assert_allclose(loss.backward(), y / 2)
    with pytest.raises(ValueError, match="one-hot"):
        loss.forward(y, np.zeros(2))


def test_layers_never_modify_their_inputs():
    rng = np.random.default_rng(0)
    cases = [(Dense(4, 3, rng=rng, dtype=F64), (2, 4)), (ReLU(dtype=F64), (2, 4)),
             (Conv2D(1, 2, 3, padding=1, rng=rng, dtype=F64), (2, 1, 4, 4)),
             (MaxPool2D(dtype=F64), (2, 1, 4, 4)), (RNN(4, 3, rng=rng, dtype=F64), (2, 3, 4))]
    for layer, shape in cases:
        x = rng.standard_normal(shape)
        keep = x.copy()
        y = layer.forward(x)
        layer.backward(np.ones_like(y))
        np.testing.assert_array_equal(x, keep)


def test_backward_before_forward_and_bad_shapes_raise():
    with pytest.raises(RuntimeError, match="before forward"):
        Dense(2, 3, rng=0).backward(np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        Dense(2, 3, rng=0).forward(np.ones((1, 5)))
    with pytest.raises(ValueError, match="channels"):
        Conv2D(3, 2, 3, rng=0).forward(np.ones((1, 1, 5, 5)))
    with pytest.raises(ValueError, match="does not fit"):
        Conv2D(1, 2, 5, rng=0).forward(np.ones((1, 1, 3, 3)))
    with pytest.raises(TypeError, match="n_out"):
        Dense(2, 1.5, rng=0)
    with pytest.raises(TypeError, match="rng"):
        Dense(2, 2, rng="seed")
    with pytest.raises(ValueError, match="activation must be one of"):
        get_activation("swish")
    with pytest.raises(ValueError, match="dtype"):
        Dense(2, 2, rng=0, dtype=np.int32)


def test_sequential_parameters_are_views_into_one_flat_buffer():
    rng = np.random.default_rng(0)
    net = Sequential([Dense(3, 4, rng=rng), Tanh(), Dense(4, 2, rng=rng), Flatten()])
    assert set(net.params) == {"0.W", "0.b", "2.W", "2.b"}
    assert net.flat_params.size == 3 * 4 + 4 + 4 * 2 + 2
    net.flat_params[:] = 0.5
    assert np.all(net.layers[0].params["W"] == 0.5)
    np.testing.assert_array_equal(net.decay_mask, np.concatenate(
        [np.ones(12), np.zeros(4), np.ones(8), np.zeros(2)]))
    y = net.forward(np.ones((2, 3), np.float32))
    assert net.backward(np.ones_like(y), input_grad=False) is None
    assert net.output_shape((3,)) == (2,)
    with pytest.raises(ValueError, match="one dtype"):
        Sequential([Dense(2, 2, rng=0), Dense(2, 2, rng=0, dtype=F64)])
    with pytest.raises(TypeError, match="nesting is not supported"):
        Sequential([net, Dense(2, 2, rng=0)])
    rows = net.summary((3,))
    assert [r["neurons"] for r in rows] == [4, 0, 2, 0]
    assert net.describe((3,)) == {"neurons": 6, "synapses": 20, "macs": 20, "steps": 2,
                                  "membrane_updates": 0, "output_shape": (2,)}


def test_optimisers_follow_their_update_rules():
    p0 = np.array([1.0, -2.0])
    g = np.array([0.5, 0.25])
    p = p0.copy()
    SGD(0.1).step({"p": p}, {"p": g})
    np.testing.assert_allclose(p, p0 - 0.1 * g)
    p = p0.copy()
    opt = Momentum(0.1, 0.9)
    opt.step({"p": p}, {"p": g})
    opt.step({"p": p}, {"p": g})
    np.testing.assert_allclose(p, p0 - 0.1 * g - (0.9 * 0.1 * g + 0.1 * g))
    p = p0.copy()
    Adam(0.01).step({"p": p}, {"p": g})  # first Adam step is lr * sign(g) (up to eps)
    np.testing.assert_allclose(p, p0 - 0.01 * np.sign(g), rtol=1e-6)
    # weight decay: gradient of wd/2 ||p||^2 on weights only; grads are not modified
    p, b = p0.copy(), p0.copy()
    g_keep = g.copy()
    SGD(0.1, weight_decay=0.5).step({"W": p, "b": b}, {"W": g, "b": g},
                                    decay={"W": 1.0, "b": 0.0})
    np.testing.assert_allclose(p, p0 - 0.1 * (g + 0.5 * p0))
    np.testing.assert_allclose(b, p0 - 0.1 * g)
    np.testing.assert_array_equal(g, g_keep)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        get_optimizer("rmsprop", 0.1)
    with pytest.raises(ValueError, match="learning_rate"):
        SGD(-1.0)


def test_initialisers_have_their_documented_scale_and_are_seeded():
    rng = np.random.default_rng(0)
    w = initializers.he_normal((400, 300), 400, 300, rng, np.float64)
    assert abs(w.std() - np.sqrt(2 / 400)) < 0.002
    w = initializers.xavier_uniform((400, 300), 400, 300, rng, np.float32)
    assert w.dtype == np.float32
    assert np.abs(w).max() <= np.sqrt(6 / 700)
    a = Dense(5, 5, rng=np.random.default_rng(7)).params["W"]
    b = Dense(5, 5, rng=np.random.default_rng(7)).params["W"]
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="init must be one of"):
        initializers.get_initializer("orthogonal")
