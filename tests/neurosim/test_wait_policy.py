"""The OpenMP wait policy of compiled networks is chosen by situation, in one place."""

from __future__ import annotations

import os

import pytest

from neurosim import standalone as S


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.delenv(S.WAIT_POLICY_ENV, raising=False)


def test_default_is_the_runtime_default():
    assert S.wait_policy() is None
    assert S._subprocess_env(2) is None and S._subprocess_env(1) is None


def test_passive_for_shared_cores_only_with_two_or_more_threads():
    with S.omp_wait_policy("passive") as p:
        assert p.policy == "PASSIVE" and S.wait_policy() == "PASSIVE"
        assert S._subprocess_env(2)["OMP_WAIT_POLICY"] == "PASSIVE"
        assert S._subprocess_env(1) is None  # a serial build has no OpenMP
        with S.omp_wait_policy(None):  # the timing phase, inside a runner that set PASSIVE
            assert S._subprocess_env(4) is None
        assert S.wait_policy() == "PASSIVE"
        with S.omp_wait_policy("ACTIVE"):
            assert S._subprocess_env(2)["OMP_WAIT_POLICY"] == "ACTIVE"
    assert S.WAIT_POLICY_ENV not in os.environ


def test_a_users_own_setting_wins(monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "active")
    with S.omp_wait_policy("PASSIVE"):
        assert S.wait_policy() == "ACTIVE"
        assert S._subprocess_env(2) is None  # inherited as it is


def test_bad_values_are_refused(monkeypatch):
    with pytest.raises(ValueError, match="policy"):
        S.omp_wait_policy("spin")
    monkeypatch.setenv(S.WAIT_POLICY_ENV, "sometimes")
    with pytest.raises(ValueError, match=S.WAIT_POLICY_ENV):
        S.wait_policy()
    monkeypatch.setenv(S.WAIT_POLICY_ENV, "default")
    assert S.wait_policy() is None


def test_the_timing_phase_times_with_the_default_policy(monkeypatch):
    from experiments.protocols import timing

    seen = []

    class Model:
        def set_params(self, **kw):
            return self

        def predict(self, X):
            seen.append(os.environ.get(S.WAIT_POLICY_ENV))
            return X[:, 0]

    monkeypatch.setenv(S.WAIT_POLICY_ENV, "PASSIVE")
    entry = {"task": "t", "model": "m", "kind": "k", "family": "f", "size": 1, "seed": 0,
             "threads": [2]}
    import numpy as np

    rows = timing.time_models([entry], repeats=5, load=lambda e: Model(),
                              test_X=lambda e: np.zeros((3, 2)))
    assert rows and set(seen) == {None}
    assert os.environ[S.WAIT_POLICY_ENV] == "PASSIVE"  # restored afterwards
