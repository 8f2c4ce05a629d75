"""Behaviour of the spiking building blocks: neurons, encoding, plasticity, inhibition, monitors."""

from __future__ import annotations

import brian2 as b2
import numpy as np
import pytest

from neurosim._checks import check_dt, codegen_target
from neurosim.encoding import poisson_input, poisson_rates_hz, population_code, set_rates
from neurosim.inhibition import lateral_inhibition
from neurosim.monitors import check_spike_budget, spike_counter, spike_monitor, state_monitor
from neurosim.neurons import lif_equations, lif_group, lif_rate_hz, rheobase_nA
from neurosim.params import LIFParams, STDPParams, inhibitory_lif_params
from neurosim.plasticity import (
    normalize_incoming,
    normalize_synapses,
    stdp_synapse_model,
    stdp_synapses,
)

ms, mV = b2.ms, b2.mV


@pytest.fixture(autouse=True)
def _runtime_target():
    """Run every test with Brian2's numpy runtime target (no compile step) and dt = 0.1 ms."""
    old_dt = b2.defaultclock.dt
    b2.defaultclock.dt = 0.1 * ms
    with codegen_target("numpy"):
        yield
    b2.defaultclock.dt = old_dt


def _run(objects, duration_ms):
    net = b2.Network(*objects)
    net.run(duration_ms * ms, namespace={})
    return net


# ---------------------------------------------------------------- parameters and bad input


def test_lif_defaults_are_diehl_cook():
    p = LIFParams()
    assert (p.tau_m_ms, p.v_rest_mV, p.v_reset_mV, p.v_thresh_mV, p.t_ref_ms) == (
        100.0, -65.0, -65.0, -52.0, 5.0)
    assert (p.e_exc_mV, p.e_inh_mV, p.tau_ge_ms, p.tau_gi_ms) == (0.0, -100.0, 1.0, 2.0)
    assert p.adaptive and p.theta_plus_mV == 0.05 and p.tau_theta_ms == 1e7
    q = inhibitory_lif_params()
    assert (q.tau_m_ms, q.v_rest_mV, q.v_reset_mV, q.v_thresh_mV, q.t_ref_ms, q.e_inh_mV) == (
        10.0, -60.0, -45.0, -40.0, 2.0, -85.0)
    assert not q.adaptive


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tau_m_ms": -1.0}, "tau_m_ms must be > 0"),
        ({"t_ref_ms": -2.0}, "t_ref_ms must be >= 0"),
        ({"v_thresh_mV": -70.0}, "v_thresh_mV"),
        ({"e_exc_mV": -60.0}, "reversal"),
        ({"tau_ge_ms": float("nan")}, "finite"),
    ],
)
def test_lif_params_reject_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LIFParams(**kwargs)


def test_params_type_errors_and_frozen():
    with pytest.raises(TypeError, match="adaptive"):
        LIFParams(adaptive=1)
    with pytest.raises(TypeError, match="real number"):
        LIFParams(tau_m_ms="10")
    with pytest.raises(AttributeError):
        LIFParams().tau_m_ms = 5.0  # frozen
    with pytest.raises(ValueError, match="rule"):
        STDPParams(rule="multiplicative-ish")
    with pytest.raises(ValueError, match="pairing"):
        STDPParams(pairing="triplet")
    with pytest.raises(ValueError, match="a_minus must be >= 0"):
        STDPParams(a_minus=-0.1)
    assert LIFParams().replace(tau_m_ms=20.0).tau_m_ms == 20.0


def test_dt_too_large_is_rejected_with_the_fix():
    with pytest.raises(ValueError, match=r"decrease dt_ms or increase tau_ge_ms"):
        lif_group(3, LIFParams(), name="bad_dt", dt_ms=0.6)  # tau_ge 1 ms, limit 0.5 ms
    with pytest.raises(ValueError, match="dt_ms must be > 0"):
        check_dt(-0.1, {"tau": 10.0})
    assert check_dt(0.5, {"tau_ge_ms": 1.0}) == 0.5  # Diehl & Cook's own step is admitted


# ---------------------------------------------------------------- LIF neuron


def test_lif_voltage_matches_exact_solution_under_constant_current():
    p = LIFParams(adaptive=False)
    i_nA = 0.1  # r_m i = 10 mV < 13 mV to threshold: no spike
    g = lif_group(1, p, name="lif_exact", method="exponential_euler")
    g.i_ext = i_nA * b2.nA
    mon = b2.StateMonitor(g, "v", record=0, name="lif_exact_v")
    _run([g, mon], 200.0)
    t = mon.t / ms
    v = mon.v[0] / mV
    exact = p.v_rest_mV + p.r_m_Mohm * i_nA * (1.0 - np.exp(-t / p.tau_m_ms))
    np.testing.assert_allclose(v, exact, atol=1e-9)
    # forward Euler is first-order: global error <= dt/(2 tau e) * r_m i
    g2 = lif_group(1, p, name="lif_euler", method="euler")
    g2.i_ext = i_nA * b2.nA
    mon2 = b2.StateMonitor(g2, "v", record=0, name="lif_euler_v")
    _run([g2, mon2], 200.0)
    err = np.abs(mon2.v[0] / mV - exact)
    assert 0.0 < err.max() <= 0.1 / (2 * p.tau_m_ms * np.e) * 10.0 * 1.01


def test_conductance_input_decays_per_integrator_and_depolarises():
    p = LIFParams(adaptive=False)
    src = b2.SpikeGeneratorGroup(1, [0], [10.0] * ms, name="g_src")
    objs = [src]
    mons = {}
    for method in ("euler", "exponential_euler"):
        g = lif_group(1, p, name=f"g_{method}", method=method)
        syn = b2.Synapses(src, g, on_pre="ge_post += 0.5", name=f"g_syn_{method}")
        syn.connect()
        mons[method] = b2.StateMonitor(g, ["ge", "v"], record=0, name=f"g_mon_{method}")
        objs += [g, syn, mons[method]]
    _run(objs, 20.0)
    t = mons["euler"].t / ms
    # the spike at 10 ms is delivered during that step; monitors record at the step's start
    k = np.round((t - 10.0) / 0.1).astype(int) - 1  # steps since ge jumped
    after = k >= 0
    dt_over_tau = 0.1 / p.tau_ge_ms
    # forward Euler multiplies by (1 - dt/tau) per step; exponential Euler by exp(-dt/tau)
    np.testing.assert_allclose(mons["euler"].ge[0][after], 0.5 * (1 - dt_over_tau) ** k[after],
                               rtol=1e-12)
    np.testing.assert_allclose(mons["exponential_euler"].ge[0][after],
                               0.5 * np.exp(-dt_over_tau * k[after]), rtol=1e-12)
    assert np.all(mons["euler"].ge[0][~after] == 0)
    for mon in mons.values():  # ~0.5 * 1 ms * 65 mV / 100 ms = 0.33 mV towards e_exc = 0 mV
        assert 0.2 < mon.v[0].max() / mV - p.v_rest_mV < 0.4


def test_default_membrane_integration_is_bounded_under_an_inhibitory_volley():
    """30 Diehl & Cook inhibitory spikes (weight 17) in one 0.5 ms step: gi = 510, so forward
    Euler's factor dt / tau_m x (1 + gi) = 2.6 > 2 throws v past the reversal potential (the
    instability that ran the 784 x 1600 network away); the default method keeps v between
    e_inh and rest."""
    p = LIFParams(adaptive=False)
    v = {}
    for method in ("default", "euler"):
        kw = {} if method == "default" else {"method": method}
        g = lif_group(1, p, name=f"volley_{method}", dt_ms=0.5, **kw)
        g.gi = 17.0 * 30
        mon = b2.StateMonitor(g, "v", record=0, name=f"volley_mon_{method}")
        _run([g, mon], 10.0)
        v[method] = mon.v[0] / mV
    assert np.all(v["default"] >= p.e_inh_mV - 1e-9)
    assert np.all(v["default"] <= p.v_rest_mV + 1e-9)
    assert v["default"].min() < p.v_rest_mV - 20.0  # the volley does hyperpolarise
    assert v["euler"].min() < p.e_inh_mV - 10.0  # the failure the default avoids


def test_refractory_period_and_reset():
    p = LIFParams(adaptive=False, t_ref_ms=5.0)
    g = lif_group(1, p, name="refr")
    g.i_ext = 2.0 * b2.nA  # strong drive
    spikes = b2.SpikeMonitor(g, name="refr_spikes")
    mon = b2.StateMonitor(g, "v", record=0, name="refr_v")
    _run([g, spikes, mon], 200.0)
    t_sp = spikes.t / ms
    assert t_sp.size > 5
    assert np.diff(t_sp).min() >= p.t_ref_ms
    # during refractoriness v stays at reset
    t = mon.t / ms
    k = np.searchsorted(t, t_sp[0]) + 1
    window = (t > t_sp[0]) & (t < t_sp[0] + p.t_ref_ms - 0.05)
    assert window.sum() > 10 and k > 0
    np.testing.assert_allclose(mon.v[0][window] / mV, p.v_reset_mV)


def test_adaptive_threshold_grows_per_spike_and_can_be_frozen():
    p = LIFParams(theta_plus_mV=0.5)
    g = lif_group(2, p, name="adapt")
    g.i_ext = [0.3, 0.0] * b2.nA
    counter = spike_counter(g, name="adapt_count")
    net = _run([g, counter.monitor], 300.0)
    n = counter.counts()
    assert n[0] > 3 and n[1] == 0
    # tau_theta = 1e7 ms: decay over 300 ms is < 3e-5 relative
    np.testing.assert_allclose(g.theta[:] / mV, [0.5 * n[0], 0.0], rtol=1e-4)
    g.adapt = 0
    theta = g.theta[:].copy()
    counter.reset()
    net.run(200.0 * ms, namespace={})
    assert counter.counts()[0] > 0
    np.testing.assert_array_equal(g.theta[:], theta)


def test_non_adaptive_neuron_has_constant_zero_theta_and_analytic_helpers():
    m = lif_equations(LIFParams(adaptive=False))
    assert "theta : volt (constant)" in m.model and "theta" not in m.reset
    g = lif_group(1, LIFParams(adaptive=False), name="noadapt")
    assert g.theta[0] == 0 * mV
    assert "adapt" not in g.variables
    p = LIFParams(adaptive=False)
    assert rheobase_nA(p) == pytest.approx(0.13)
    assert lif_rate_hz(0.13, p) == 0.0
    # 1 / (t_ref + tau ln(RI / (RI - 13 mV))), RI = 50 mV
    assert lif_rate_hz(0.5, p) == pytest.approx(1000.0 / (5.0 + 100.0 * np.log(50.0 / 37.0)))


# ---------------------------------------------------------------- encoding


def test_poisson_rates_pure_and_validated():
    X = np.array([[0.0, 0.5, 1.0]])
    before = X.copy()
    r = poisson_rates_hz(X, 63.75)
    np.testing.assert_allclose(r, [[0.0, 31.875, 63.75]])
    np.testing.assert_array_equal(X, before)
    with pytest.raises(ValueError, match=r"X must lie in \[0, 1\]"):
        poisson_rates_hz(np.array([-0.1, 0.5]), 10.0)
    with pytest.raises(ValueError, match="max_rate_hz must be >= 0"):
        poisson_rates_hz(X, -5.0)
    with pytest.raises(ValueError, match="NaN"):
        poisson_rates_hz(np.array([np.nan]), 5.0)


def test_poisson_input_rates_statistically_and_seeded():
    def counts(seed):
        b2.seed(seed)
        inp = poisson_input(200, name="pois", rates=np.repeat([10.0, 40.0], 100))
        c = spike_counter(inp, name="pois_count")
        _run([inp, c.monitor], 1000.0)
        return c.counts()

    c = counts(3)
    for block, rate in ((c[:100], 10.0), (c[100:], 40.0)):
        expected = rate * 100  # spikes per block in 1 s
        assert abs(block.sum() - expected) < 5 * np.sqrt(expected)
    np.testing.assert_array_equal(counts(3), c)  # same seed, same spikes
    assert not np.array_equal(counts(4), c)


def test_set_rates_and_bad_rates():
    inp = poisson_input(4, name="pois_set")
    set_rates(inp, [1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(inp.rates[:] / b2.Hz, [1, 2, 3, 4])
    with pytest.raises(ValueError, match="rates must be >= 0 Hz"):
        set_rates(inp, [-1.0, 0, 0, 0])
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        set_rates(inp, [1.0, 2.0])
    with pytest.raises(ValueError, match="decrease dt_ms"):
        poisson_input(2, name="pois_fast", rates=500.0, dt_ms=1.0)


def test_population_code_gaussian_fields():
    X = np.array([[0.0, 1.0], [0.5, 0.26]])
    before = X.copy()
    code = population_code(X, 5)
    assert code.shape == (2, 10)
    assert np.all((code > 0) & (code <= 1))
    np.testing.assert_array_equal(X, before)
    # feature-major: the unit whose centre is nearest responds most
    centres = np.linspace(0, 1, 5)
    for n in range(2):
        for d in range(2):
            block = code[n, d * 5:(d + 1) * 5]
            assert np.argmax(block) == np.argmin(np.abs(centres - X[n, d]))
    assert code[0, 0] == pytest.approx(1.0)
    # default sigma = spacing 0.25: neighbour at one spacing responds exp(-1/2)
    assert code[0, 1] == pytest.approx(np.exp(-0.5))
    assert population_code(X, 5, sigma=0.1)[0, 1] == pytest.approx(np.exp(-0.25**2 / 0.02))
    with pytest.raises(ValueError, match="2-D"):
        population_code(np.array([0.1, 0.2]), 5)
    with pytest.raises(ValueError, match="n_per_dim must be >= 2"):
        population_code(X, 1)
    with pytest.raises(ValueError, match="sigma must be > 0"):
        population_code(X, 3, sigma=0.0)


# ---------------------------------------------------------------- plasticity


def test_normalize_incoming_sums_and_purity():
    rng = np.random.default_rng(0)
    w = rng.uniform(0, 1, size=12 * 5)
    w[np.arange(12) * 5 + 3] = 0.0  # post neuron 3 receives nothing
    before = w.copy()
    out = normalize_incoming(w, 12, 5, 7.8)
    np.testing.assert_array_equal(w, before)
    sums = out.reshape(12, 5).sum(axis=0)
    np.testing.assert_allclose(sums[[0, 1, 2, 4]], 7.8)
    assert sums[3] == 0.0
    # proportions within each column are kept
    np.testing.assert_allclose(out.reshape(12, 5)[:, 0] / w.reshape(12, 5)[:, 0],
                               7.8 / w.reshape(12, 5)[:, 0].sum())
    assert normalize_incoming(w.reshape(12, 5), 12, 5, 1.0).shape == (12, 5)
    with pytest.raises(ValueError, match="shape"):
        normalize_incoming(w, 5, 5, 1.0)
    with pytest.raises(ValueError, match="non-negative"):
        normalize_incoming(-w, 12, 5, 1.0)
    with pytest.raises(ValueError, match="total must be > 0"):
        normalize_incoming(w, 12, 5, 0.0)


def test_normalize_synapses_any_connectivity():
    b2.seed(1)
    src = b2.SpikeGeneratorGroup(30, [], [] * ms, name="ns_src")
    dst = lif_group(4, LIFParams(), name="ns_dst")
    syn = stdp_synapses(src, dst, STDPParams(), name="ns_syn", connect={"p": 0.5})
    syn.w = np.random.default_rng(1).uniform(0.1, 1.0, len(syn))
    normalize_synapses(syn, 3.0)
    sums = np.bincount(syn.j[:], weights=syn.w[:], minlength=4)
    np.testing.assert_allclose(sums, 3.0)


def _pair_net(p, pre_times_ms, post_times_ms, w0=0.5, name="pp"):
    pre = b2.SpikeGeneratorGroup(1, np.zeros(len(pre_times_ms), int), pre_times_ms * ms,
                                 name=f"{name}_pre")
    post = b2.SpikeGeneratorGroup(1, np.zeros(len(post_times_ms), int), post_times_ms * ms,
                                  name=f"{name}_post")
    syn = stdp_synapses(pre, post, p, name=f"{name}_syn", target_var=None, w_init=w0)
    return [pre, post, syn], syn


@pytest.mark.parametrize("pairing", ["nearest", "all"])
def test_pairing_schemes(pairing):
    # two pre spikes (10 and 20 ms) then one post spike at 30 ms
    p = STDPParams(pairing=pairing, a_plus=0.01, a_minus=0.0, tau_plus_ms=20.0)
    objs, syn = _pair_net(p, np.array([10.0, 20.0]), np.array([30.0]))
    _run(objs, 40.0)
    near = 0.01 * np.exp(-10.0 / 20.0)
    expected = near if pairing == "nearest" else near + 0.01 * np.exp(-20.0 / 20.0)
    assert syn.w[0] - 0.5 == pytest.approx(expected, rel=1e-9)


def test_soft_bound_rule_scales_with_distance_to_bounds():
    p = STDPParams(rule="soft", a_plus=0.1, a_minus=0.1, w_max=2.0)
    for w0 in (0.5, 1.5):
        objs, syn = _pair_net(p, np.array([10.0]), np.array([15.0]), w0=w0)
        _run(objs, 20.0)
        assert syn.w[0] - w0 == pytest.approx(0.1 * (2.0 - w0) * np.exp(-0.25), rel=1e-9)
        objs, syn = _pair_net(p, np.array([15.0]), np.array([10.0]), w0=w0)
        _run(objs, 20.0)
        assert syn.w[0] - w0 == pytest.approx(-0.1 * w0 * np.exp(-0.25), rel=1e-9)


def _driven_stdp_net(p, seed=0, name="drv"):
    b2.seed(seed)
    inp = poisson_input(50, name=f"{name}_in", rates=30.0)
    post = lif_group(2, LIFParams(adaptive=False, tau_m_ms=20.0), name=f"{name}_post")
    syn = stdp_synapses(inp, post, p, name=f"{name}_syn",
                        w_init=np.random.default_rng(seed).uniform(0, 1, 100))
    c = spike_counter(post, name=f"{name}_count")
    return b2.Network(inp, post, syn, c.monitor), syn, c


def test_learning_off_freezes_weights_without_rebuilding():
    p = STDPParams(a_plus=0.05, a_minus=0.05)
    net, syn, c = _driven_stdp_net(p)
    w0 = syn.w[:].copy()
    syn.plastic = 0
    net.run(200 * ms, namespace={})
    assert c.total() > 5  # there was activity to learn from
    np.testing.assert_array_equal(syn.w[:], w0)
    syn.plastic = 1
    net.run(200 * ms, namespace={})
    assert np.abs(syn.w[:] - w0).max() > 1e-3
    assert syn.w[:].min() >= 0.0 and syn.w[:].max() <= 1.0  # hard bounds


def test_same_seed_same_learning():
    p = STDPParams(a_plus=0.05, a_minus=0.05)
    results = []
    for seed in (7, 7, 8):
        net, syn, _ = _driven_stdp_net(p, seed=seed)
        net.run(200 * ms, namespace={})
        results.append(syn.w[:].copy())
    np.testing.assert_array_equal(results[0], results[1])
    assert not np.array_equal(results[0], results[2])


def test_stdp_model_strings_and_bad_args():
    m = stdp_synapse_model(STDPParams(), target_var="ge")
    assert m.on_pre.splitlines()[0] == "ge_post += w"
    assert "plastic : 1 (shared)" in m.model
    assert "ge_post" not in stdp_synapse_model(STDPParams(), target_var=None).on_pre
    with pytest.raises(TypeError, match="STDPParams"):
        stdp_synapse_model(LIFParams())
    src = b2.SpikeGeneratorGroup(2, [], [] * ms, name="bad_src")
    dst = lif_group(2, LIFParams(), name="bad_dst")
    with pytest.raises(ValueError, match="w_init must lie in"):
        stdp_synapses(src, dst, STDPParams(w_max=1.0), name="bad_syn", w_init=2.0)


# ---------------------------------------------------------------- inhibition and monitors


def _competition(mode, name="comp"):
    p = LIFParams(adaptive=False)
    exc = lif_group(10, p, name=f"{name}_exc")
    exc.i_ext = (0.30 + 0.01 * (np.arange(10) == 0)) * b2.nA  # neuron 0 slightly favoured
    objs = [] if mode is None else lateral_inhibition(exc, mode=mode)
    c = spike_counter(exc, name=f"{name}_count")
    _run([exc, c.monitor, *objs], 1000.0)
    return c.counts(), objs


@pytest.mark.parametrize("mode", ["population", "wta"])
def test_lateral_inhibition_lets_one_winner_dominate(mode):
    free, _ = _competition(None)
    inhibited, objs = _competition(mode)
    assert (free > 0).sum() == 10  # without inhibition all fire
    assert inhibited.sum() > 0
    assert inhibited.max() >= 0.9 * inhibited.sum()  # one neuron takes >= 90 % of spikes
    assert inhibited.sum() < free.sum()
    if mode == "population":
        inh, ei, ie = objs
        assert len(inh) == 10 and len(ei) == 10 and len(ie) == 90
        np.testing.assert_array_equal(ei.i[:], ei.j[:])
        assert np.all(ie.i[:] != ie.j[:])
    else:
        assert len(objs) == 1 and len(objs[0]) == 90


def test_lateral_inhibition_bad_args():
    exc = lif_group(3, LIFParams(), name="li_bad")
    with pytest.raises(ValueError, match="mode"):
        lateral_inhibition(exc, mode="global")
    with pytest.raises(ValueError, match="w_inh_exc must be >= 0"):
        lateral_inhibition(exc, w_inh_exc=-1.0)
    with pytest.raises(ValueError, match="conductance variable"):
        lateral_inhibition(b2.NeuronGroup(3, "v : 1", name="no_g"))


def test_spike_counter_reset_and_state_monitor_budget():
    g = lif_group(2, LIFParams(adaptive=False), name="cnt")
    g.i_ext = [0.5, 0.0] * b2.nA
    c = spike_counter(g, name="cnt_c")
    net = _run([g, c.monitor], 200.0)
    first = c.counts()
    assert first[0] > 0 and first[1] == 0
    c.reset()
    assert c.total() == 0
    net.run(200 * ms, namespace={})
    assert c.counts()[0] > 0
    with pytest.raises(ValueError, match="max_values"):
        state_monitor(g, "v", name="too_big", record=True, duration_ms=1e6, dt_ms=0.1,
                      max_values=1000)
    mon = state_monitor(g, "v", name="small", record=[0], duration_ms=10, dt_ms=1.0)
    assert isinstance(mon, b2.StateMonitor)


def test_spike_monitor_budget():
    g = lif_group(2, LIFParams(adaptive=False), name="cnt")
    g.i_ext = [0.5, 0.0] * b2.nA  # ~28 Hz
    sm = spike_monitor(g, name="cnt_sm")
    _run([g, sm], 200.0)
    assert 3 <= sm.num_spikes <= 8
    check_spike_budget(sm, 100)
    with pytest.raises(RuntimeError, match="max_spikes=2"):
        check_spike_budget(sm, 2)


def test_drive_normalisation_gives_every_image_the_same_expected_drive():
    """A dim image and a bright one, with different numbers of lit pixels, send the same summed
    input rate; the rates stay proportional to the intensities; a blank image stays silent."""
    from neurosim.encoding import normalized_rates_hz

    X = np.array([[0.1, 0.1, 0.0, 0.0],      # dim, 2 pixels
                  [1.0, 1.0, 1.0, 0.5],      # bright, 4 pixels
                  [0.0, 0.0, 0.0, 0.0]])     # blank
    rates = normalized_rates_hz(X, 6500.0)
    np.testing.assert_allclose(rates.sum(axis=1), [6500.0, 6500.0, 0.0])
    np.testing.assert_allclose(rates[0], [3250.0, 3250.0, 0.0, 0.0])
    np.testing.assert_allclose(rates[1], 6500.0 * X[1] / X[1].sum())
    # expected input spikes per 350 ms showing: the same for both images
    np.testing.assert_allclose(rates[:2].sum(axis=1) * 0.35, [2275.0, 2275.0])
    with pytest.raises(ValueError, match="total_rate_hz"):
        normalized_rates_hz(X, 0.0)
