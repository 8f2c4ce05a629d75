"""NIR export/import (``neurosim.nir``): round trip, closed-form trajectories, errors.

Every expected number is computed here from a closed form or from the equations written out in
a plain NumPy loop, never with the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

nir = pytest.importorskip("nir")

from neurosim.classifier import STDPClassifier  # noqa: E402
from neurosim.conversion import convert  # noqa: E402
from neurosim.nir import from_nir, read_nir, to_nir, write_nir  # noqa: E402

DT_MS = 1.0
DT_S = 1e-3


def one(x: float) -> np.ndarray:
    return np.array([x])


def chain(*nodes):
    return nir.NIRGraph.from_list(*nodes)


def lif_graph(w: float, *, tau: float, r: float = 1.0, v_th: float = 1.0, v_leak: float = 0.0):
    """Input(1) -> Affine(w) -> LIF -> Output."""
    return chain(nir.Affine(weight=np.array([[w]]), bias=one(0.0)),
                 nir.LIF(tau=one(tau), r=one(r), v_leak=one(v_leak), v_threshold=one(v_th),
                         v_reset=one(0.0)))


# -- closed-form trajectories ---------------------------------------------------------------------
def test_lif_exact_integration_matches_the_closed_form_and_resets_to_v_reset():
    # tau dv/dt = -v + R I with I = 2 x 1 held constant, R = 1, tau = 10 ms, dt = 1 ms:
    # v(t) = 2 (1 - exp(-t / tau)). v(6 ms) = 0.902 < 1 < v(7 ms) = 1.0068: spike at step 7,
    # reset to 0, and the trajectory starts again: period 7.
    net = from_nir(lif_graph(2.0, tau=0.01), dt_ms=DT_MS)  # discretisation="exp" by default
    sim = net.simulate(np.ones((1, 1)), n_steps=10)
    a = math.exp(-0.1)
    since = [t if t < 7 else t - 7 for t in range(1, 11)]
    expected = [2.0 * (1.0 - a**k) for k in since]
    np.testing.assert_allclose(sim.v_trace[0, :, 0], expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(sim.output[0, :, 0], [0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
    assert sim.spike_counts["lif"].tolist() == [[1]]
    assert net.predict(np.ones((1, 1)), n_steps=10).tolist() == [0]


def test_lif_forward_euler_with_reset_by_subtraction():
    # Euler: v[t] = v[t-1] + h (2 - v[t-1]), h = 0.1: v[t] = 2 (1 - 0.9**t).
    # v[6] = 0.937, v[7] = 1.0434 -> spike, v -= 1 -> 0.0434; then v[t] = 2 + (v7 - 2) 0.9**(t-7).
    net = from_nir(lif_graph(2.0, tau=0.01), dt_ms=DT_MS, discretisation="euler",
                   reset="subtract")
    sim = net.simulate(np.ones((1, 1)), n_steps=10)
    v7 = 2.0 * (1.0 - 0.9**7) - 1.0
    expected = [2.0 * (1.0 - 0.9**t) for t in range(1, 7)] + [
        2.0 + (v7 - 2.0) * 0.9 ** (t - 7) for t in range(7, 11)]
    np.testing.assert_allclose(sim.v_trace[0, :, 0], expected, rtol=1e-12, atol=1e-12)
    assert sim.spike_counts["lif"].tolist() == [[1]]


def test_li_chain_with_flatten_scale_linear_matches_closed_form_and_readouts():
    # Input of shape (1, 2), flattened to 2; x = (1, 3) -> Scale (2, 1) -> (2, 3) ->
    # Linear [1, 1] -> I = 5.
    # LI: tau = 5 ms, R = 0.5, v_leak = 1: v_inf = 1 + 2.5 = 3.5, v[t] = 3.5 (1 - exp(-0.2 t)).
    graph = chain(nir.Flatten(input_type={"input": np.array([1, 2])}, start_dim=0),
                  nir.Scale(scale=np.array([2.0, 1.0])),
                  nir.Linear(weight=np.array([[1.0, 1.0]])),
                  nir.LI(tau=one(0.005), r=one(0.5), v_leak=one(1.0)))
    net = from_nir(graph, dt_ms=DT_MS)
    sim = net.simulate(np.array([[1.0, 3.0]]), n_steps=8)
    expected = np.array([3.5 * (1.0 - math.exp(-0.2 * t)) for t in range(1, 9)])
    np.testing.assert_allclose(sim.output[0, :, 0], expected, rtol=1e-12)
    np.testing.assert_allclose(sim.scores("max"), [[expected.max()]], rtol=1e-12)
    np.testing.assert_allclose(sim.scores("mean"), [[expected.mean()]], rtol=1e-12)
    np.testing.assert_allclose(sim.scores("last"), [[expected[-1]]], rtol=1e-12)
    assert sim.spike_counts == {} and sim.charge is None


def test_impulse_mode_reproduces_the_numpy_surrogate_lif_update():
    # ann.layers.lif: c[t] = x[t] W + b, v[t] = beta v[t-1] + c[t] - v_th s[t-1],
    # s[t] = [v[t] >= v_th], beta = exp(-dt / tau). NIR: r = tau / dt, v_leak = 0.
    rng = np.random.default_rng(3)
    n_in, n_out, steps, tau = 3, 2, 40, 0.008
    W = rng.normal(0.6, 0.4, size=(n_in, n_out))
    b = np.array([0.05, -0.02])
    x = (rng.random((2, steps, n_in)) < 0.3).astype(float)
    graph = chain(nir.Affine(weight=W.T, bias=b),
                  nir.LIF(tau=np.full(n_out, tau), r=np.full(n_out, tau / DT_S),
                          v_leak=np.zeros(n_out), v_threshold=np.ones(n_out),
                          v_reset=np.zeros(n_out)))
    net = from_nir(graph, dt_ms=DT_MS, discretisation="impulse", reset="subtract_next",
                   threshold="inclusive")
    sim = net.simulate(x)
    beta = math.exp(-DT_S / tau)
    v = np.zeros((2, n_out))
    s = np.zeros((2, n_out))
    vs, ss = [], []
    for t in range(steps):
        v = beta * v + x[:, t] @ W + b - 1.0 * s
        s = (v >= 1.0).astype(float)
        vs.append(v)
        ss.append(s)
    np.testing.assert_array_equal(sim.output, np.stack(ss, axis=1))
    np.testing.assert_allclose(sim.v_trace, np.stack(vs, axis=1), rtol=1e-9, atol=1e-12)
    assert sim.output.sum() > 5  # the inputs do drive spikes


def test_impulse_mode_reproduces_the_current_based_numpy_update():
    # ann.layers.lif with tau_syn: i[t] = alpha i[t-1] + c[t], v[t] = beta v[t-1] + i[t] - s[t-1].
    # NIR CubaLIF: w_in = tau_syn / dt, r = tau_mem / dt.
    rng = np.random.default_rng(4)
    steps, tau_syn, tau_mem = 30, 0.004, 0.01
    W = np.array([[0.5, 0.2], [0.1, 0.45]])
    x = (rng.random((1, steps, 2)) < 0.4).astype(float)
    graph = chain(nir.Linear(weight=W.T),
                  nir.CubaLIF(tau_syn=np.full(2, tau_syn), tau_mem=np.full(2, tau_mem),
                              r=np.full(2, tau_mem / DT_S), v_leak=np.zeros(2),
                              v_threshold=np.ones(2), v_reset=np.zeros(2),
                              w_in=np.full(2, tau_syn / DT_S)))
    sim = from_nir(graph, dt_ms=DT_MS, discretisation="impulse", reset="subtract_next",
                   threshold="inclusive").simulate(x)
    alpha, beta = math.exp(-DT_S / tau_syn), math.exp(-DT_S / tau_mem)
    i = v = s = np.zeros((1, 2))
    ss = []
    for t in range(steps):
        i = alpha * i + x[:, t] @ W
        v = beta * v + i - s
        s = (v >= 1.0).astype(float)
        ss.append(s)
    np.testing.assert_array_equal(sim.output, np.stack(ss, axis=1))
    assert sim.output.sum() > 3


def test_nir_reset_to_v_reset_loses_the_surplus_that_subtraction_keeps():
    # IF, R dt = 1, drive 0.45 per step, 19 steps.
    # Reset by subtraction: floor(0.45 * 19) = floor(8.55) = 8 spikes.
    # NIR (v > 1, then v = 0): 0.45, 0.9, 1.35* -> one spike every 3 steps: 19 // 3 = 6.
    graph = chain(nir.Affine(weight=np.array([[0.45]]), bias=one(0.0)),
                  nir.IF(r=one(1.0 / DT_S), v_threshold=one(1.0), v_reset=one(0.0)))
    x = np.ones((1, 1))
    nir_sem = from_nir(graph, dt_ms=DT_MS).simulate(x, n_steps=19)
    sub = from_nir(graph, dt_ms=DT_MS, reset="subtract").simulate(x, n_steps=19)
    assert nir_sem.spike_counts["if"].tolist() == [[6]]
    assert sub.spike_counts["if"].tolist() == [[8]]
    # charge = count + v is the total input 0.45 * 19 with subtraction.
    np.testing.assert_allclose(sub.charge, [[0.45 * 19]], rtol=1e-12)


# -- export -> file -> import ---------------------------------------------------------------------
@pytest.mark.parametrize("hidden", [(7,), (6, 4)])
def test_export_write_read_import_reproduces_the_converted_network(tmp_path, hidden):
    rng = np.random.default_rng(sum(hidden))
    sizes = (5, *hidden, 3)
    coefs = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    intercepts = [rng.normal(scale=0.2, size=b) for b in sizes[1:]]
    X = rng.random((60, 5))
    net = convert(coefs, intercepts, X, duration_ms=20.0)
    graph = to_nir(net, approximate_reset=True, layer_delay=True)
    path = write_nir(graph, tmp_path / "net.nir")
    back = read_nir(path)
    kinds = [type(back.nodes[k]).__name__ for k in ("input", "affine_0", "if_0", "output")]
    assert kinds == ["Input", "Affine", "IF", "Output"]
    np.testing.assert_array_equal(back.nodes["affine_0"].weight, net.weights_[0].T)
    np.testing.assert_array_equal(back.nodes["if_0"].v_reset, np.zeros(hidden[0]))
    assert float(back.metadata["dt_s"]) == pytest.approx(DT_S)
    assert ("delay_1" in back.nodes) == (len(hidden) == 2)

    model = from_nir(path, dt_ms=DT_MS, reset="subtract", threshold="inclusive")
    ref = net.simulate(X)
    sim = model.simulate(X, n_steps=20)
    # Hidden spikes are identical; the output layer's spikes come one step earlier (its input
    # edge has no delay), its charge (the time integral of its input) is the same.
    for layer in range(len(hidden)):
        np.testing.assert_array_equal(sim.spike_counts[f"if_{layer}"], ref.spike_counts[layer])
    np.testing.assert_allclose(sim.charge, ref.scores[0], atol=1e-9)
    np.testing.assert_array_equal(model.predict(X, n_steps=20, readout="charge"),
                                  net.predict(X))
    # Under NIR's own semantics (reset to 0, v > 1) it is a different network.
    nir_sem = from_nir(back, dt_ms=DT_MS).simulate(X, n_steps=20)
    assert nir_sem.spike_counts["if_0"].sum() < ref.spike_counts[0].sum()


def test_export_refuses_without_naming_the_approximation_and_refuses_stdp():
    rng = np.random.default_rng(0)
    net = convert([rng.normal(size=(2, 3)), rng.normal(size=(3, 2))],
                  [np.zeros(3), np.zeros(2)], rng.random((10, 2)))
    with pytest.raises(ValueError, match="approximate_reset=True"):
        to_nir(net)
    with pytest.raises(NotImplementedError, match="conductance-based"):
        to_nir(STDPClassifier(), approximate_reset=True)
    with pytest.raises(TypeError, match="ConvertedNetwork"):
        to_nir(object(), approximate_reset=True)


# -- errors ---------------------------------------------------------------------------------------
def test_unsupported_node_names_itself_and_the_supported_ones():
    graph = chain(nir.Affine(weight=np.eye(2), bias=np.zeros(2)),
                  nir.Threshold(threshold=np.ones(2)))
    with pytest.raises(ValueError, match=r"Threshold node.*supported node types: Input, Output"):
        from_nir(graph, dt_ms=DT_MS)


def test_a_graph_that_is_not_a_chain_says_so():
    nodes = {"input": nir.Input(input_type={"input": np.array([2])}),
             "w": nir.Affine(weight=np.eye(2), bias=np.zeros(2)),
             "rec": nir.Linear(weight=np.eye(2)),
             "lif": nir.LIF(tau=np.full(2, 0.01), r=np.ones(2), v_leak=np.zeros(2),
                            v_threshold=np.ones(2)),
             "output": nir.Output(output_type={"output": np.array([2])})}
    edges = [("input", "w"), ("w", "lif"), ("lif", "rec"), ("rec", "w"), ("lif", "output")]
    graph = nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    with pytest.raises(ValueError, match="not a simple feed-forward chain"):
        from_nir(graph, dt_ms=DT_MS)


def test_truncated_or_garbage_file_gives_a_clear_error(tmp_path):
    path = write_nir(lif_graph(1.0, tau=0.01), tmp_path / "lif.nir")
    data = path.read_bytes()
    cut = tmp_path / "cut.nir"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut\.nir.*not a readable NIR file"):
        from_nir(cut, dt_ms=DT_MS)
    junk = tmp_path / "junk.nir"
    junk.write_bytes(b"not hdf5 at all")
    with pytest.raises(ValueError, match=r"junk\.nir"):
        read_nir(junk)
    with pytest.raises(FileNotFoundError, match="missing"):
        read_nir(tmp_path / "missing.nir")


def test_options_are_checked_by_name():
    graph = lif_graph(1.0, tau=0.01)
    with pytest.raises(ValueError, match="discretisation"):
        from_nir(graph, dt_ms=DT_MS, discretisation="rk4")
    with pytest.raises(ValueError, match="reset"):
        from_nir(graph, dt_ms=DT_MS, reset="zero")
    with pytest.raises(ValueError, match="forward Euler overshoots"):
        from_nir(lif_graph(1.0, tau=0.0005), dt_ms=DT_MS, discretisation="euler")
    net = from_nir(graph, dt_ms=DT_MS)
    with pytest.raises(ValueError, match="n_steps"):
        net.simulate(np.ones((1, 1)))
    with pytest.raises(ValueError, match="Input node has 1"):
        net.simulate(np.ones((1, 4, 2)))


# -- another simulator ----------------------------------------------------------------------------
def test_snntorch_import_predicts_the_same_classes_under_the_same_spikes():
    # snnTorch 1.0's import_from_nir reads LIF with dt = 1e-4 s fixed: beta = 1 - dt / tau,
    # input weight r dt / tau (1 with its exporter's r = tau / dt), reset to zero, v > v_th:
    # forward Euler, which is from_nir(dt_ms=0.1, discretisation="euler") with NIR's reset.
    pytest.importorskip("nirtorch")
    torch = pytest.importorskip("torch")
    import_from_nir = pytest.importorskip("snntorch.import_nir").import_from_nir
    dt, beta = 1e-4, 0.9
    tau = dt / (1.0 - beta)
    rng = np.random.default_rng(7)
    W1 = rng.normal(0.25, 0.5, size=(12, 6))
    W2 = rng.normal(0.15, 0.5, size=(4, 12))

    def lif(n):
        return nir.LIF(tau=np.full(n, tau), r=np.full(n, tau / dt), v_leak=np.zeros(n),
                       v_threshold=np.ones(n), v_reset=np.zeros(n))

    graph = chain(nir.Affine(weight=W1, bias=np.full(12, 0.02)), lif(12),
                  nir.Affine(weight=W2, bias=np.zeros(4)), lif(4))
    x = (rng.random((200, 40, 6)) < 0.35).astype(np.float32)
    ours = from_nir(graph, dt_ms=dt * 1e3, discretisation="euler").simulate(x)
    module = import_from_nir(graph)
    with torch.no_grad():
        theirs = np.stack([module(torch.from_numpy(x[:, t]))[0].numpy() for t in range(40)],
                          axis=1)
    assert theirs.sum() > 100  # the network is active
    agree = np.mean(ours.scores("count").argmax(axis=1) == theirs.sum(axis=1).argmax(axis=1))
    assert agree >= 0.99, agree
    # float32 (torch) vs float64 (Brian2): the spike trains themselves agree almost everywhere.
    assert np.mean(ours.output == theirs) > 0.99


def test_poisson_coded_network_exports_the_input_scale():
    # input_rate_hz = 500 at dt = 1 ms: a spike has probability x / 2 per step and must carry
    # 1 / (500 x 0.001) = 2 units of input, so that the mean drive is x.
    rng = np.random.default_rng(1)
    net = convert([rng.normal(size=(3, 4)), rng.normal(size=(4, 2))],
                  [np.zeros(4), np.zeros(2)], rng.random((10, 3)), input_coding="poisson",
                  input_rate_hz=500.0, random_state=0)
    graph = to_nir(net, approximate_reset=True)
    assert list(graph.nodes)[:3] == ["input", "input_scale", "affine_0"]
    np.testing.assert_allclose(graph.nodes["input_scale"].scale, np.full(3, 2.0))
    assert graph.metadata["input_coding"] == "poisson"
