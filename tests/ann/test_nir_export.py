"""NIR export of the surrogate-gradient spiking network (``ann.nir_export``), checked by running
the graph in Brian2 (``neurosim.nir.from_nir``) on the model's own input spikes."""

from __future__ import annotations

import numpy as np
import pytest

nir = pytest.importorskip("nir")

from ann.nir_export import to_nir  # noqa: E402
from ann.spiking_mlp import SpikingMLPClassifier  # noqa: E402
from neurosim.nir import from_nir, read_nir, write_nir  # noqa: E402

READOUT = {"membrane_max": "max", "membrane_mean": "mean", "spike_count": "count"}


def fit(digits, **kw):
    params = {"hidden_layer_sizes": (24,), "n_steps": 12, "epochs": 3, "random_state": 0, **kw}
    return SpikingMLPClassifier(**params).fit(digits.X_train[:400], digits.y_train[:400])


@pytest.mark.parametrize("kw", [{}, {"tau_syn_ms": 4.0, "readout": "spike_count"},
                                {"input_coding": "current", "readout": "membrane_mean"}])
def test_exported_graph_runs_the_model_exactly_in_brian2(digits, tmp_path, kw):
    model = fit(digits, **kw)
    graph = read_nir(write_nir(to_nir(model, approximate_reset=True), tmp_path / "snn.nir"))
    X = digits.X_test[:120]
    inputs = model._spike_input(X, 0)  # the spikes (or currents) predict() feeds the network
    run = from_nir(graph, dt_ms=model.dt_ms, discretisation="impulse", reset="subtract_next",
                   threshold="inclusive", classes=model.classes_)
    steps = model.n_steps if inputs.ndim == 2 else None
    pred = run.predict(inputs, n_steps=steps, readout=READOUT[model.readout])
    np.testing.assert_array_equal(pred, model.predict(X))
    assert graph.metadata["source_reset"] == "subtract"
    kinds = {type(node).__name__ for node in graph.nodes.values()}
    assert ("CubaLIF" in kinds) == ("tau_syn_ms" in kw)


def test_reset_to_zero_is_exact_under_nir_semantics(digits):
    # reset="zero": v[t] = beta v[t-1] (1 - s[t-1]) + i[t] is NIR's v <- v_reset = 0; no flag.
    model = fit(digits, reset="zero")
    graph = to_nir(model)
    X = digits.X_test[:120]
    run = from_nir(graph, dt_ms=model.dt_ms, discretisation="impulse", classes=model.classes_)
    np.testing.assert_array_equal(run.predict(model._spike_input(X, 0), readout="max"),
                                  model.predict(X))


def test_subtraction_needs_the_approximation_named(digits):
    model = fit(digits, epochs=1)
    with pytest.raises(ValueError, match="approximate_reset=True"):
        to_nir(model)
    with pytest.raises(ValueError, match="not fitted"):
        to_nir(SpikingMLPClassifier())
