"""The LIF layers: pinned trajectories, surrogates, and BPTT against central differences."""

import math

import numpy as np
import pytest

from ann import gradcheck
from ann.layers import Sequential
from ann.layers.lif import (
    LIF,
    LeakyReadout,
    SpikeCount,
    leaky_integrate,
    leaky_integrate_backward,
    spike_grad,
)
from ann.losses import SoftmaxCrossEntropy

F64 = np.float64


def _one_neuron(weight, *, tau_mem_ms=10.0, dt_ms=1.0, **kw):
    layer = LIF(1, 1, tau_mem_ms=tau_mem_ms, dt_ms=dt_ms, rng=0, dtype=F64, **kw)
    layer.params["W"][...] = weight
    return layer


def _reference(x, W, b, *, beta, alpha, v_th, reset):
    """The module's equations, scalar by scalar (an independent reading)."""
    n, t_steps, _ = x.shape
    d = W.shape[1]
    v_out, s_out = np.zeros((n, t_steps, d)), np.zeros((n, t_steps, d))
    for i in range(n):
        for j in range(d):
            v = s = cur = 0.0
            for t in range(t_steps):
                c = float(x[i, t] @ W[:, j] + b[j])
                cur = alpha * cur + c
                if reset == "subtract":
                    v = beta * v + cur - v_th * s
                else:
                    v = beta * v * (1 - s) + cur
                s = 1.0 if v >= v_th else 0.0
                v_out[i, t, j], s_out[i, t, j] = v, s
    return v_out, s_out


def test_constant_subthreshold_input_follows_the_closed_form():
    current, t_steps = 0.05, 40
    layer = _one_neuron(current)
    beta = math.exp(-1.0 / 10.0)
    s = layer.forward(np.ones((1, t_steps, 1)))
    v = layer.membrane()[:, 0, 0]
    t = np.arange(t_steps)
    np.testing.assert_allclose(v, current * (1 - beta ** (t + 1)) / (1 - beta), rtol=1e-12)
    assert not s.any()


def test_current_synapse_follows_its_closed_form():
    c, alpha_ms, t_steps = 0.01, 5.0, 30
    layer = _one_neuron(c, tau_syn_ms=alpha_ms)
    beta, alpha = math.exp(-0.1), math.exp(-1.0 / alpha_ms)
    layer.forward(np.ones((1, t_steps, 1)))
    v = layer.membrane()[:, 0, 0]
    i = c * (1 - alpha ** (np.arange(t_steps) + 1)) / (1 - alpha)
    expected = np.zeros(t_steps)
    for t in range(t_steps):
        expected[t] = (beta * expected[t - 1] if t else 0.0) + i[t]
    np.testing.assert_allclose(v, expected, rtol=1e-12)


@pytest.mark.parametrize("reset, v_expected, s_expected", [
    # beta = 0.5, I = 0.6, v_th = 1: 0.6, 0.9, 1.05 (spike), then the reset
    ("subtract", [0.6, 0.9, 1.05, 0.125, 0.6625, 0.93125, 1.065625, 0.1328125],
     [0, 0, 1, 0, 0, 0, 1, 0]),
    ("zero", [0.6, 0.9, 1.05, 0.6, 0.9, 1.05, 0.6, 0.9], [0, 0, 1, 0, 0, 1, 0, 0]),
])
def test_hand_computed_spike_and_reset_sequence(reset, v_expected, s_expected):
    layer = _one_neuron(0.6, tau_mem_ms=1.0 / math.log(2.0), reset=reset)
    s = layer.forward(np.ones((1, 8, 1)))
    np.testing.assert_allclose(layer.membrane()[:, 0, 0], v_expected, rtol=1e-12)
    np.testing.assert_array_equal(s[0, :, 0], s_expected)


@pytest.mark.parametrize("reset", ["subtract", "zero"])
@pytest.mark.parametrize("tau_syn_ms", [None, 4.0])
def test_forward_matches_a_scalar_reference(reset, tau_syn_ms):
    rng = np.random.default_rng(1)
    layer = LIF(5, 4, tau_mem_ms=8.0, tau_syn_ms=tau_syn_ms, v_threshold=0.7, reset=reset,
                rng=rng, init="normal", dtype=F64)
    layer.params["b"][...] = rng.normal(0, 0.2, 4)
    x = (rng.random((3, 12, 5)) < 0.4).astype(F64)
    s = layer.forward(x)
    v_ref, s_ref = _reference(x, layer.params["W"], layer.params["b"], beta=math.exp(-1 / 8),
                              alpha=0.0 if tau_syn_ms is None else math.exp(-1 / tau_syn_ms),
                              v_th=0.7, reset=reset)
    np.testing.assert_allclose(layer.membrane().transpose(1, 0, 2), v_ref, atol=1e-12)
    np.testing.assert_array_equal(s, s_ref)
    assert s.any() and not s.all()  # the case exercises both spikes and silence


def test_surrogate_shapes():
    u = np.array([0.0, 0.1, -0.1, 1.0])
    np.testing.assert_allclose(spike_grad(u, "fast_sigmoid", 10.0),
                               1 / (10 * np.abs(u) + 1) ** 2)
    np.testing.assert_allclose(spike_grad(u, "arctan", 2.0), 1 / (1 + (np.pi * 2 * u) ** 2))
    assert spike_grad(np.zeros(1), "fast_sigmoid", 3.0)[0] == 1.0
    assert spike_grad(np.zeros(1), "arctan", 3.0)[0] == 1.0
    k, eps = 3.0, 1e-6
    sig = 1 / (1 + np.exp(-k * u))
    numeric = (1 / (1 + np.exp(-k * (u + eps))) - 1 / (1 + np.exp(-k * (u - eps)))) / (2 * eps)
    np.testing.assert_allclose(spike_grad(u, "sigmoid_exact", k), numeric, rtol=1e-7)
    np.testing.assert_allclose(spike_grad(u, "sigmoid_exact", k), k * sig * (1 - sig))
    with pytest.raises(ValueError, match="surrogate"):
        spike_grad(u, "boxcar", 1.0)


def test_leaky_integrate_and_its_adjoint():
    rng = np.random.default_rng(0)
    c, g = rng.standard_normal((6, 2, 3)), rng.standard_normal((6, 2, 3))
    y = leaky_integrate(c, 0.7)
    np.testing.assert_allclose(y[3], c[3] + 0.7 * c[2] + 0.49 * c[1] + 0.343 * c[0])
    # <g, A c> == <A^T g, c>
    np.testing.assert_allclose(np.sum(g * y), np.sum(leaky_integrate_backward(g, 0.7) * c))


def _net(reset, tau_syn_ms, readout, rng, detach_reset=False):
    kw = {"reset": reset, "surrogate": "sigmoid_exact", "surrogate_scale": 3.0,
          "detach_reset": detach_reset, "v_threshold": 0.5, "rng": rng, "init": "normal",
          "dtype": F64}
    layers = [LIF(4, 5, tau_syn_ms=tau_syn_ms, tau_mem_ms=6.0, **kw),
              LIF(5, 4, tau_syn_ms=tau_syn_ms, tau_mem_ms=4.0, **kw)]
    if readout == "spike_count":
        layers += [LIF(4, 3, **kw), SpikeCount(dtype=F64)]
    else:
        layers.append(LeakyReadout(4, 3, reduce=readout, rng=rng, dtype=F64))
    return Sequential(layers)


@pytest.mark.parametrize("readout", ["max", "mean", "spike_count"])
@pytest.mark.parametrize("tau_syn_ms", [None, 3.0])
@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_bptt_matches_central_differences(reset, tau_syn_ms, readout):
    rng = np.random.default_rng(7)
    net = _net(reset, tau_syn_ms, readout, rng)
    x = rng.uniform(0, 1, (3, 7, 4))
    errors = gradcheck.check_network(net, SoftmaxCrossEntropy(), x, np.array([0, 2, 1]))
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_constant_input_layer_gradient(reset):
    rng = np.random.default_rng(3)
    layer = LIF(4, 5, n_steps=6, tau_syn_ms=2.0, reset=reset, surrogate="sigmoid_exact",
                detach_reset=False, rng=rng, dtype=F64)
    errors = gradcheck.check_layer(layer, rng.uniform(0, 1, (3, 4)))
    assert max(errors.values()) < 1e-6, errors


def test_detached_reset_drops_the_reset_path():
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, (3, 7, 4))
    grads = []
    for detach in (False, True):
        net = _net("subtract", None, "max", np.random.default_rng(7), detach_reset=detach)
        loss = SoftmaxCrossEntropy()
        loss.forward(net.forward(x), np.array([0, 2, 1]))
        net.backward(loss.backward())
        grads.append(net.flat_grads.copy())
    assert not np.allclose(grads[0], grads[1])
    # detached: dL/dv[t] = ds[t] sigma'[t] + beta dL/dv[t+1] (the leak only)
    layer = _one_neuron(0.01, surrogate="fast_sigmoid", detach_reset=True)
    layer.forward(np.ones((1, 5, 1)))
    dx = layer.backward(np.ones((1, 5, 1)))
    beta = math.exp(-0.1)
    sg = 1 / (10.0 * np.abs(layer.membrane()[:, 0, 0] - 1.0) + 1) ** 2
    expected = [sum(sg[j] * beta ** (j - t) for j in range(t, 5)) * 0.01 for t in range(5)]
    np.testing.assert_allclose(dx[0, :, 0], expected, rtol=1e-12)


def test_constant_input_equals_the_repeated_sequence():
    rng = np.random.default_rng(0)
    a = LIF(6, 4, n_steps=9, rng=1, tau_syn_ms=3.0)
    b = LIF(6, 4, rng=1, tau_syn_ms=3.0)
    x = rng.uniform(0, 1, (5, 6)).astype(np.float32)
    sa = a.forward(x)
    sb = b.forward(np.repeat(x[:, None, :], 9, axis=1))
    np.testing.assert_array_equal(sa, sb)
    assert sa.dtype == np.float32 and sa.shape == (5, 9, 4)
    dy = rng.standard_normal(sa.shape).astype(np.float32)
    a.backward(dy)
    b.backward(dy)
    np.testing.assert_allclose(a.grads["W"], b.grads["W"], rtol=1e-4, atol=1e-5)


def test_readouts_reduce_over_time_and_answer_at_any_step():
    rng = np.random.default_rng(0)
    x = (rng.random((4, 10, 6)) < 0.3).astype(np.float32)
    for reduce in ("max", "mean"):
        r = LeakyReadout(6, 3, reduce=reduce, rng=2)
        y = r.forward(x)
        u = r.membrane()
        np.testing.assert_allclose(y, u.max(axis=0) if reduce == "max" else u.mean(axis=0),
                                   rtol=1e-6)
        at = r.scores_at([1, 4, 10])
        np.testing.assert_allclose(at[-1], y, rtol=1e-5)
        np.testing.assert_allclose(at[0], u[0], rtol=1e-6)
    count = SpikeCount()
    np.testing.assert_array_equal(count.forward(x), x.sum(axis=1))
    np.testing.assert_array_equal(count.scores_at([3])[0], x[:, :3].sum(axis=1))


def test_describe_and_effective_counts():
    layer = LIF(3, 2, rng=0)
    layer.params["W"][0, 0] = 0.0
    d = layer.describe((5, 3))
    assert d == {"output_shape": (5, 2), "neurons": 2, "synapses": 6, "macs": 30, "steps": 5,
                 "membrane_updates": 10}
    x = np.zeros((1, 5, 3), dtype=np.float32)
    x[0, 0, 0] = x[0, 1, 0] = x[0, 2, 1] = 1
    layer.forward(x)
    # input 0 spikes twice with 1 non-zero weight, input 1 once with 2
    assert layer.effective_acs() == 4 and layer.effective_macs() == 0


@pytest.mark.parametrize("kw, match", [
    ({"tau_mem_ms": -1.0}, "tau_mem_ms"), ({"tau_syn_ms": 0.0}, "tau_syn_ms"),
    ({"reset": "hard"}, "reset"), ({"surrogate": "box"}, "surrogate"),
    ({"dt_ms": 0}, "dt_ms"), ({"v_threshold": -1}, "v_threshold"),
])
def test_bad_layer_arguments_name_themselves(kw, match):
    with pytest.raises(ValueError, match=match):
        LIF(2, 2, **kw)
