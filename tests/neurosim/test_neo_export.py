"""Neo spike trains and the ISI coefficient of variation (``neurosim.neo_export``).

Expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.neo_export import isi_cv, pooled_isi_cv, to_block, to_spiketrains

# Two samples, three neurons; spikes given out of order.
SPIKES = {"sample": np.array([0, 0, 1, 0, 1]), "neuron": np.array([2, 0, 2, 2, 2]),
          "t_ms": np.array([5.0, 1.5, 7.25, 3.0, 0.5])}


def test_isi_cv_by_hand():
    # Regular: ISIs 2, 2, 2 -> CV 0. ISIs 1 and 3: mean 2, population std 1 -> CV 0.5.
    # A train with 2 spikes (one interval) is skipped.
    cv = isi_cv([[0.0, 2.0, 4.0, 6.0], [0.0, 1.0, 4.0], [1.0, 2.0]])
    np.testing.assert_allclose(cv, [0.0, 0.5])
    # A Poisson process (exponential ISIs) has CV 1: 4000 intervals give about 1 +- 0.02.
    rng = np.random.default_rng(0)
    assert isi_cv([np.cumsum(rng.exponential(10.0, size=4000))])[0] == pytest.approx(1.0,
                                                                                      abs=0.05)


def test_spiketrains_are_sorted_per_sample_and_neuron():
    neo = pytest.importorskip("neo")
    pq = pytest.importorskip("quantities")
    trains = to_spiketrains(SPIKES, n_samples=3, n_neurons=3, t_stop_ms=10.0)
    assert len(trains) == 3 and all(len(row) == 3 for row in trains)
    st = trains[0][2]
    assert isinstance(st, neo.SpikeTrain)
    np.testing.assert_allclose(st.rescale(pq.ms).magnitude, [3.0, 5.0])
    assert float(st.t_stop.rescale(pq.ms)) == 10.0 and float(st.t_start) == 0.0
    assert st.annotations["sample"] == 0 and st.annotations["neuron"] == 2
    np.testing.assert_allclose(trains[0][0].magnitude, [1.5])
    np.testing.assert_allclose(trains[1][2].magnitude, [0.5, 7.25])
    assert trains[1][0].size == 0 and trains[2][1].size == 0  # silent sample and neuron
    block = to_block(SPIKES, n_samples=3, n_neurons=3, t_stop_ms=10.0)
    assert len(block.segments) == 3
    np.testing.assert_allclose(block.segments[1].spiketrains[2].magnitude, [0.5, 7.25])
    # isi_cv accepts SpikeTrains: sample 0, neuron 2 has only 2 spikes -> skipped.
    assert isi_cv(trains[0]).size == 0


def test_bad_spike_dicts_are_named():
    pytest.importorskip("neo")
    with pytest.raises(ValueError, match="n_neurons=2"):
        to_spiketrains(SPIKES, n_samples=2, n_neurons=2, t_stop_ms=10.0)
    with pytest.raises(ValueError, match="t_stop_ms=6"):
        to_spiketrains(SPIKES, n_samples=2, n_neurons=3, t_stop_ms=6.0)
    with pytest.raises(TypeError, match="'sample'"):
        to_spiketrains({"t_ms": [1.0]}, n_samples=1, n_neurons=1, t_stop_ms=1.0)


def test_pooled_isi_cv_keeps_intervals_within_samples():
    # Neuron 0: sample 0 ISIs (1, 1), sample 1 ISIs (3, 3) -> pooled 1, 1, 3, 3: mean 2, std 1
    # -> CV 0.5. The gap between the samples' trains (4 -> 10) is not an interval.
    # Neuron 1: two intervals in all -> skipped with min_intervals=3.
    trains = [[[2.0, 3.0, 4.0], [0.0, 5.0]], [[10.0, 13.0, 16.0], [1.0, 2.0]]]
    np.testing.assert_allclose(pooled_isi_cv(trains, min_intervals=3), [0.5])
