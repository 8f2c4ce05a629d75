"""RSTDPClassifier: the reward rule by hand, determinism, save/load, cost, sklearn, and the
digits acceptance run (slow).

The rule's tests run one tiny network (2 inputs, 2 excitatory neurons, no lateral inhibition) on
both engines: input 0 fires at every step of the presentation (4000 Hz x 0.5 ms >= 1), input 1
never, so the eligibility of every synapse follows by hand from the excitatory spike steps the
run returns. The compiled engine pays one build of that structure (cached, like the other
tests' builds); the classifier tests use the runtime backend on 2x2 bars.
"""

from __future__ import annotations

import numpy as np
import pytest

import neurosim
from contract import COST_KEYS, InvalidParameterError
from experiments.tasks import load_task
from neurosim import RSTDPClassifier, STDPClassifier
from neurosim.network import NetworkSpec, spec_key
from neurosim.rstdp import fixed_classes
from neurosim.standalone import RunSettings, RuntimeEngine, StandaloneEngine

DT_MS, TAU_MS = 0.5, 20.0  # the network's step and STDP trace time constants (defaults)
HAND = NetworkSpec(n_inputs=2, n_excitatory=2, presentation_ms=40.0, rest_ms=5.0,
                   chunk_samples=2, chunk_slots=2, w_exc_inh=0.0, w_inh_exc=0.0,
                   learning_rule="rstdp")
N_PRES = 80  # 40 ms / 0.5 ms
RATES = np.array([[4000.0, 0.0]])  # input 0 fires at every presentation step, input 1 never
KEYS = np.zeros((1, 2))  # the sample's input-noise key (the drive here is deterministic)
# synapse k = i * 2 + j; each neuron's weights sum to 1 = norm_total, so the normalisation at
# the onset leaves them exactly as they are; neuron 0 is driven harder and fires first
W0 = np.array([0.75, 0.6, 0.25, 0.4])


def hand_settings(**kw) -> RunSettings:
    base = dict(learn=True, boost=0.5, min_spikes=0, max_repeats=0, norm_total=1.0,
                theta_plus_mV=0.0, a_plus=0.01, a_minus=0.0, n_classes=2)
    return RunSettings(**{**base, **kw})


def hand_eligibility(post_steps: np.ndarray, a_plus: float, a_minus: float) -> float:
    """Eligibility of a synapse whose input fires at steps 0..N_PRES-1, by the rule.

    Nearest-spike additive STDP with w_max = 1. In a step with both spikes the presynaptic
    pathway runs first, so each postsynaptic spike finds apre = 1 and adds ``a_plus``; each
    presynaptic spike at step t subtracts ``a_minus * exp(-(t - s) dt / tau)`` for the last
    postsynaptic spike s < t (nothing before the first).
    """
    post = np.sort(post_steps[post_steps <= N_PRES])  # up to the reward's step
    elig = a_plus * len(post)
    for t in range(N_PRES):
        before = post[post < t]
        if before.size:
            elig -= a_minus * np.exp(-(t - before[-1]) * DT_MS / TAU_MS)
    return elig


def renormalised(w: np.ndarray, total: float = 1.0) -> np.ndarray:
    """The normalisation the run applies once more when it stops (each neuron to ``total``)."""
    m = w.reshape(2, 2)
    return (m * total / m.sum(axis=0)).ravel()


@pytest.fixture(scope="module", params=["numpy", "cpp_standalone"])
def hand_engine(request):
    return RuntimeEngine(HAND) if request.param == "numpy" else StandaloneEngine(HAND)


def test_the_drive_is_deterministic(hand_engine):
    """The spikes every rule test below starts from: the drive has no randomness, so neuron 0
    (class 0) fires at steps 27 and 62, neuron 1 (class 1) at steps 34 and 75: neuron 0 wins.
    (Observed once with the exponential-Euler membrane and pinned: both engines must agree.)"""
    r = hand_engine.run_chunk(RATES, w=W0, theta_mV=np.zeros(2), settings=hand_settings(),
                              keys=KEYS, labels=np.array([0]))
    assert list(zip(r.spike_i.tolist(), r.spike_step.tolist(), strict=True)) == [
        (0, 27), (1, 34), (0, 62), (1, 75)]
    assert r.input_counts.tolist() == [N_PRES, 0]


@pytest.mark.parametrize(("label", "reward"), [(0, 1.0), (1, -1.0)])
def test_reward_sign_rule_numbers(hand_engine, label, reward):
    """a_minus = 0: each of the winner's 2 spikes finds apre = 1, so elig = 2 a_plus = 0.02 on
    input 0 -> neuron 0 and 0 elsewhere. Right (label 0): w00 = 0.75 + 0.02; wrong (label 1):
    0.75 - 0.02; neuron 1 lost, so its weights stay; the stop renormalises neuron 0 to 1."""
    r = hand_engine.run_chunk(RATES, w=W0, theta_mV=np.zeros(2), settings=hand_settings(),
                              keys=KEYS, labels=np.array([label]))
    w00 = 0.75 + reward * 0.02
    np.testing.assert_allclose(r.w, [w00 / (w00 + 0.25), 0.6, 0.25 / (w00 + 0.25), 0.4],
                               rtol=1e-12)
    assert (r.rewarded, r.punished) == ((1, 0) if reward > 0 else (0, 1))


@pytest.mark.parametrize(("label", "reward"), [(0, 1.0), (1, -1.0)])
def test_reward_sign_rule_with_depression(hand_engine, label, reward):
    """a_minus > 0: every presynaptic spike after a postsynaptic one also subtracts; the
    winner's weight moves by +-(the rule's eligibility), computed by hand."""
    r = hand_engine.run_chunk(RATES, w=W0, theta_mV=np.zeros(2),
                              settings=hand_settings(a_minus=0.002), keys=KEYS,
                              labels=np.array([label]))
    e = hand_eligibility(np.array([27, 62]), 0.01, 0.002)
    assert e < 0  # 80 presynaptic spikes outweigh 2 postsynaptic ones here
    expected = W0.copy()
    expected[0] = W0[0] + reward * e
    np.testing.assert_allclose(r.w, renormalised(expected), rtol=1e-12)


def test_reward_reaches_every_neuron_unless_winner_only(hand_engine):
    """winner_only=False: the non-winner's synapses take the same reward with their own
    eligibility (neuron 1 also spiked, twice)."""
    r = hand_engine.run_chunk(RATES, w=W0, theta_mV=np.zeros(2),
                              settings=hand_settings(winner_only=False), keys=KEYS,
                              labels=np.array([0]))
    expected = W0 + np.array([0.02, 0.02, 0.0, 0.0])  # 2 and 2 spikes x a_plus
    np.testing.assert_allclose(r.w, renormalised(expected), rtol=1e-12)


@pytest.mark.parametrize("how", ["unlabelled", "learning off"])
def test_eligibility_without_reward_changes_nothing(hand_engine, how):
    """Spikes build eligibility, but without a reward (label -1) or with learning off the
    weights stay exactly as they were."""
    label, learn = (-1, True) if how == "unlabelled" else (0, False)
    r = hand_engine.run_chunk(RATES, w=W0, theta_mV=np.zeros(2),
                              settings=hand_settings(a_minus=0.002, learn=learn), keys=KEYS,
                              labels=np.array([label]))
    assert (r.spike_i == 0).sum() == 2
    np.testing.assert_array_equal(r.w, W0)
    assert r.punished == 0 and r.rewarded == (0 if how == "unlabelled" else 1)


def test_baseline_subtracts_the_running_mean(hand_engine):
    """baseline_rate > 0: the reward is outcome - rbar, and rbar moves toward the outcome."""
    r = hand_engine.run_chunk(RATES, w=W0, theta_mV=np.zeros(2),
                              settings=hand_settings(baseline_rate=0.25, reward_baseline=-0.6),
                              keys=KEYS, labels=np.array([0]))
    expected = W0 + np.array([(1.0 - (-0.6)) * 0.02, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(r.w, renormalised(expected), rtol=1e-12)
    assert r.reward_baseline == pytest.approx(-0.6 + 0.25 * (1.0 + 0.6), abs=1e-15)


def test_labels_are_checked_and_stdp_networks_take_none():
    engine = RuntimeEngine(HAND)
    with pytest.raises(ValueError, match="n_classes"):
        engine.run_chunk(RATES, w=W0, theta_mV=np.zeros(2), settings=hand_settings(), keys=KEYS,
                         labels=np.array([2]))
    stdp = RuntimeEngine(NetworkSpec(n_inputs=2, n_excitatory=2, chunk_samples=2,
                                     chunk_slots=2))
    with pytest.raises(ValueError, match="rstdp"):
        stdp.run_chunk(RATES, w=W0, theta_mV=np.zeros(2), settings=hand_settings(), keys=KEYS,
                       labels=np.array([0]))


def test_stdp_build_key_is_unchanged_by_the_rule_field():
    """The learning_rule field leaves the key (and so the cached builds) of STDP networks as
    it was; "rstdp" networks get their own."""
    spec = NetworkSpec(n_inputs=16, n_excitatory=16)
    plain = spec_key(spec)
    assert spec_key(NetworkSpec(n_inputs=16, n_excitatory=16, learning_rule="stdp")) == plain
    assert spec_key(NetworkSpec(n_inputs=16, n_excitatory=16, learning_rule="rstdp")) != plain
    with pytest.raises(ValueError, match="learning_rule"):
        NetworkSpec(n_inputs=2, n_excitatory=2, learning_rule="bcm")


def test_fixed_classes_cycle_through_the_labels():
    np.testing.assert_array_equal(fixed_classes(7, np.array([3, 5, 9])), [3, 5, 9, 3, 5, 9, 3])


# ---------------------------------------------------------------- the classifier (runtime)

SMALL = dict(n_excitatory=4, presentation_ms=20.0, rest_ms=10.0, chunk_samples=8,
             input_rate_hz=2400.0, norm_total=1.2, theta_plus_mV=0.2, min_spikes=1,
             max_repeats=1, a_plus=0.01, epochs=1, backend="numpy")


@pytest.fixture(scope="module")
def bars2():
    return load_task("bars", n=2, n_train_per_class=4, n_test_per_class=2, seed=0)


@pytest.fixture(scope="module")
def small_model(bars2):
    return RSTDPClassifier(**SMALL, random_state=0, checkpoints=2).fit(bars2.X_train,
                                                                      bars2.y_train)


def test_fit_uses_every_label_and_names_neurons_by_fixed_class(small_model, bars2):
    m = small_model
    assert m.weights_.shape == (4, 4) and m.labels_used_ == len(bars2.y_train) == 16
    np.testing.assert_array_equal(m.assignments_, [0, 1, 2, 3])
    assert [e["samples_seen"] for e in m.history_] == [8, 16]
    assert all(e["reward_rate"] is None or 0.0 <= e["reward_rate"] <= 1.0 for e in m.history_)
    assert m.train_reward_rate_ is None or 0.0 <= m.train_reward_rate_ <= 1.0
    assert m.predict(bars2.X_test).shape == (8,) and m.transform(bars2.X_test).shape == (8, 4)
    assert m.predict_at(bars2.X_test, [5.0, 20.0]).shape == (2, 8)


def test_same_seed_same_predictions(small_model, bars2):
    again = RSTDPClassifier(**SMALL, random_state=0, checkpoints=2).fit(bars2.X_train,
                                                                       bars2.y_train)
    np.testing.assert_array_equal(again.weights_, small_model.weights_)
    np.testing.assert_array_equal(again.predict(bars2.X_test), small_model.predict(bars2.X_test))


def test_save_load_round_trip(small_model, bars2, tmp_path):
    path = tmp_path / "rstdp.npz"
    small_model.save(path)
    loaded = neurosim.load(path)
    assert type(loaded) is RSTDPClassifier and loaded.get_params() == small_model.get_params()
    np.testing.assert_array_equal(loaded.weights_, small_model.weights_)
    assert loaded.train_reward_rate_ == small_model.train_reward_rate_
    assert loaded.history_ == small_model.history_
    np.testing.assert_array_equal(loaded.predict(bars2.X_test), small_model.predict(bars2.X_test))


def test_cost_record_keys_and_supervision(small_model, bars2):
    c = small_model.cost(bars2.X_test)
    assert tuple(c) == COST_KEYS
    assert c["update_locality"] == "local" and c["labels_used"] == 16
    assert c["neurons"] == 8 and c["train_samples"] == 16 and c["effective_acs"] > 0


def test_relabel_names_neurons_by_their_responses(small_model, bars2):
    m = small_model.relabel(bars2.X_train, bars2.y_train)
    assert m.assignment == "responses" and small_model.assignment == "fixed"
    np.testing.assert_array_equal(m.weights_, small_model.weights_)


def test_sklearn_params_and_checks():
    from sklearn.base import clone

    m = RSTDPClassifier(n_excitatory=6, winner_only=False, random_state=1)
    c = clone(m)
    assert c.get_params() == m.get_params() and isinstance(c, STDPClassifier)
    assert {"assignment", "winner_only", "baseline_window"} <= set(m.get_params())
    assert "winner_only=False" in repr(m)
    for name, bad in [("assignment", "vote"), ("winner_only", 1), ("baseline_window", 0.5)]:
        with pytest.raises(InvalidParameterError) as err:
            RSTDPClassifier(**{name: bad}).check_params()
        assert err.value.param == name


# ---------------------------------------------------------------- full size (slow)


@pytest.mark.slow
def test_digits_five_seeds_mean_accuracy():
    """Acceptance: digits, defaults, 100 excitatory neurons, seeds 0-4: mean test accuracy
    >= 0.85 (the defaults were chosen on validation splits of the training data)."""
    accs = []
    for seed in range(5):
        t = load_task("digits", seed=seed)
        m = RSTDPClassifier(100, random_state=seed).fit(t.X_train, t.y_train)
        accs.append(m.score(t.X_test, t.y_test))
    print("digits test accuracies", [round(a, 4) for a in accs], "mean", np.mean(accs))
    assert np.mean(accs) >= 0.85
