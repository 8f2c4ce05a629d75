"""The canonical reproductions of SPEC section 4, run on our own Brian2 models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neurosim import validation
from neurosim.params import LIFParams, STDPParams

#: Reduced Song et al. run for the default suite: 1,000 inputs, 100 s at twice Song's rate.
SONG_FAST = {"n_inputs": 1000, "learn_s": 100.0, "a_plus": 0.01}
#: Full run (slow): Song's learning rate 0.005 for 500 s.
SONG_FULL = {"n_inputs": 1000, "learn_s": 500.0, "a_plus": 0.005}


@pytest.mark.parametrize("rule", ["additive", "soft"])
@pytest.mark.parametrize("pairing", ["nearest", "all"])
def test_stdp_window_matches_exponential_rule(rule, pairing):
    res = validation.stdp_window(rule, pairing=pairing)
    assert res.passed, res.detail
    d = res.data
    assert list(d.columns[:3]) == ["lag_ms", "dw", "dw_expected"]
    assert (d.lag_ms > 0).sum() >= 10 and (d.lag_ms < 0).sum() >= 10  # both signs probed
    # acceptance: within 5 % (or 1e-3 of A+) of the exponential at every lag
    a_plus = res.summary["a_plus"] * res.summary["w_max"]
    tol = np.maximum(0.05 * np.abs(d.dw_expected), 1e-3 * a_plus)
    assert np.all(np.abs(d.dw - d.dw_expected) <= tol)
    assert np.all(np.sign(d.dw) == np.sign(d.lag_ms))  # LTP for pre-before-post, LTD after
    # independent re-derivation of the expected values
    w0, p = res.summary["w_start"], STDPParams(rule=rule)
    amp_p = p.a_plus * (p.w_max if rule == "additive" else p.w_max - w0)
    amp_m = p.a_minus * (p.w_max if rule == "additive" else w0)
    lag = d.lag_ms.to_numpy()
    ref = np.where(lag > 0, amp_p * np.exp(-lag / 20.0), -amp_m * np.exp(lag / 20.0))
    np.testing.assert_allclose(d.dw_expected, ref, rtol=1e-12)


def test_stdp_window_soft_rule_depends_on_start_weight():
    lags = [-10.0, 10.0]
    lo = validation.stdp_window("soft", lags_ms=lags, w_start=0.2)
    hi = validation.stdp_window("soft", lags_ms=lags, w_start=0.8)
    assert lo.passed and hi.passed
    # potentiation scales with (w_max - w), depression with w
    assert lo.data.dw.iloc[1] == pytest.approx(4 * hi.data.dw.iloc[1], rel=1e-9)
    assert hi.data.dw.iloc[0] == pytest.approx(4 * lo.data.dw.iloc[0], rel=1e-9)


def test_stdp_window_detects_a_wrong_rule():
    # the measured window of a rule with another tau must fail against this rule's formula
    p = STDPParams(tau_plus_ms=20.0)
    dw = validation.simulate_stdp_pairs(np.array([-5.0, 5.0]), p.replace(tau_plus_ms=25.0),
                                        w_start=0.5, dt_ms=0.1)
    expected = validation.expected_stdp_dw(np.array([-5.0, 5.0]), p, 0.5)
    assert abs(dw[1] - expected[1]) > 0.05 * abs(expected[1])
    assert dw[0] == pytest.approx(expected[0], rel=1e-9)


def test_stdp_window_bad_input():
    with pytest.raises(ValueError, match="multiples of dt_ms"):
        validation.stdp_window(lags_ms=[0.05, 1.0])
    with pytest.raises(ValueError, match="non-zero"):
        validation.stdp_window(lags_ms=[0.0, 1.0])
    with pytest.raises(ValueError, match="decrease dt_ms"):
        validation.stdp_window(dt_ms=15.0)
    with pytest.raises(ValueError, match="rule"):
        validation.stdp_window("hebbian")
    with pytest.raises(ValueError, match="backend"):
        validation.stdp_window(backend="cuda")


def test_fi_curve_matches_analytic_rate():
    res = validation.fi_curve()
    assert res.passed, res.detail
    d = res.data
    assert list(d.columns[:3]) == ["current_nA", "rate_hz", "rate_hz_expected"]
    above = d.rate_hz_expected > 0
    assert above.sum() >= 10 and (~above).sum() >= 3
    np.testing.assert_allclose(d.rate_hz[above], d.rate_hz_expected[above], rtol=0.02)
    assert np.all(d.rate_hz[~above] == 0) and np.all(d.n_spikes[~above] == 0)
    # analytic formula re-derived here (v_reset = v_rest): 1/(t_ref + tau ln(RI/(RI - 13 mV)))
    ri = 100.0 * d.current_nA[above]
    ref = 1000.0 / (5.0 + 100.0 * np.log(ri / (ri - 13.0)))
    np.testing.assert_allclose(d.rate_hz_expected[above], ref, rtol=1e-12)
    assert np.all(np.diff(d.rate_hz[above]) > 0)  # monotone above rheobase


def test_fi_curve_other_neuron_and_bad_input():
    p = LIFParams(tau_m_ms=20.0, v_rest_mV=-70.0, v_reset_mV=-75.0, v_thresh_mV=-50.0,
                  t_ref_ms=2.0, adaptive=False)
    res = validation.fi_curve(params=p, currents_nA=[0.0, 0.1, 0.25, 0.4, 0.8],
                              duration_ms=1000.0)
    assert res.passed, res.detail
    assert res.data.rate_hz.iloc[-1] > 50.0
    with pytest.raises(ValueError, match="adaptive must be False"):
        validation.fi_curve(params=LIFParams())
    with pytest.raises(ValueError, match="increase duration_ms"):
        validation.fi_curve(currents_nA=[0.131], duration_ms=500.0)
    with pytest.raises(ValueError, match="currents_nA"):
        validation.fi_curve(currents_nA=[-0.1])


def test_song2000_reduced_run():
    res = validation.song2000(**SONG_FAST)
    s = res.summary
    assert isinstance(res.data, pd.DataFrame) and len(res.data) == SONG_FAST["n_inputs"]
    assert {"synapse", "w_initial", "w_final", "w_final_rel"} <= set(res.data.columns)
    assert res.data.w_final_rel.between(0, 1).all()
    # STDP regulated the output rate: lower than with the frozen initial weights
    assert s["rate_final_hz"] < 0.8 * s["rate_initial_hz"], res.detail
    # weights moved towards the bounds: more mass near 0 and w_max than the uniform start (20 %)
    init_rel = res.data.w_initial / s["w_max"]
    init_near = np.mean((init_rel <= 0.1) | (init_rel >= 0.9))
    assert s["bimodal_frac"] > init_near + 0.15, res.detail
    assert s["frac_near_0"] > 0.1 and s["frac_near_wmax"] > 0.05, res.detail
    # U-shaped histogram: both outer deciles outweigh every middle decile
    hist, _ = np.histogram(res.data.w_final_rel, bins=10, range=(0.0, 1.0))
    assert min(hist[0], hist[-1]) > hist[3:7].max(), hist


@pytest.mark.slow
def test_song2000_full_run_is_bimodal_and_regulated():
    res = validation.song2000(**SONG_FULL)
    assert res.passed, res.detail


def test_song2000_bad_input():
    with pytest.raises(ValueError, match="n_inputs must be >= 10"):
        validation.song2000(n_inputs=3)
    with pytest.raises(ValueError, match="learn_s must be > 0"):
        validation.song2000(learn_s=-1.0)
    with pytest.raises(ValueError, match="input_rate_hz must be > 0"):
        validation.song2000(input_rate_hz=-5.0)
    with pytest.raises(ValueError, match="dt_ms"):
        validation.song2000(dt_ms=2.0)


def test_same_seed_same_song_result():
    kw = {**SONG_FAST, "learn_s": 2.0, "probe_s": 1.0, "n_inputs": 200}
    a = validation.song2000(seed=5, **kw)
    b = validation.song2000(seed=5, **kw)
    c = validation.song2000(seed=6, **kw)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.summary["rate_final_hz"] == b.summary["rate_final_hz"]
    assert not np.array_equal(a.data.w_final, c.data.w_final)
