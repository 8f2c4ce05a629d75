"""How well a converted network survives the trip through NIR (``neurosim.nir``).

For each architecture an ``ann.MLPClassifier`` is trained on the digits task, converted
(``neurosim.convert``, its defaults: percentile 99, 20 ms at 1 ms, current coding), exported
with ``to_nir(..., approximate_reset=True)``, written and read back with ``nir.write`` /
``nir.read``, and imported with ``from_nir`` twice:

- **exact**: ``reset="subtract"``, ``threshold="inclusive"``, read-out ``"charge"``, i.e. the
  source model (a non-NIR reading of the graph), from graphs exported without and with
  ``layer_delay=True``;
- **NIR**: NIR's own semantics (reset to ``v_reset = 0``, ``v > v_threshold``), read-out
  ``"count"`` (spike counts: what a NIR consumer sees).

Printed: the fraction of test samples on which each import predicts the converted network's
class, and the accuracies. Then the same for ``ann.spiking_mlp.SpikingMLPClassifier`` exported
by ``ann.nir_export.to_nir`` (64 hidden LIF neurons, 20 steps, 10 epochs; a few variants), run
on the model's own input spikes: exactly (``discretisation="impulse"``,
``reset="subtract_next"``, ``threshold="inclusive"``) and under NIR's semantics.
Run: ``python benchmarks/nir_agreement.py`` (about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ann import MLPClassifier
from experiments.tasks import load_task
from neurosim.conversion import convert
from neurosim.nir import from_nir, read_nir, to_nir, write_nir


def measure(task_name: str, hidden: tuple[int, ...], seed: int, duration_ms: float) -> dict:
    task = load_task(task_name, seed=seed)
    ann = MLPClassifier(hidden_layer_sizes=hidden, random_state=seed).fit(task.X_train,
                                                                          task.y_train)
    net = convert(ann.coefs_, ann.intercepts_, task.X_train, duration_ms=duration_ms,
                  classes=ann.classes_)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_nir(to_nir(net, approximate_reset=True), Path(tmp) / "net.nir")
        graph = read_nir(path)
        path = write_nir(to_nir(net, approximate_reset=True, layer_delay=True),
                         Path(tmp) / "delayed.nir")
        delayed = read_nir(path)
    steps = int(round(duration_ms / net.dt_ms))
    ref = net.predict(task.X_test)
    exact = from_nir(graph, dt_ms=net.dt_ms, reset="subtract", threshold="inclusive",
                     classes=ann.classes_).predict(task.X_test, steps, readout="charge")
    exact_delayed = from_nir(delayed, dt_ms=net.dt_ms, reset="subtract", threshold="inclusive",
                             classes=ann.classes_).predict(task.X_test, steps, readout="charge")
    nir_sem = from_nir(graph, dt_ms=net.dt_ms, classes=ann.classes_).predict(
        task.X_test, steps, readout="count")
    y = task.y_test
    return {"hidden": hidden, "n_test": len(y), "ann_acc": float(ann.score(task.X_test, y)),
            "snn_acc": float(np.mean(ref == y)), "exact_agree": float(np.mean(exact == ref)),
            "exact_acc": float(np.mean(exact == y)),
            "delayed_agree": float(np.mean(exact_delayed == ref)),
            "nir_agree": float(np.mean(nir_sem == ref)),
            "nir_acc": float(np.mean(nir_sem == y))}


#: Configurations of ``ann.spiking_mlp.SpikingMLPClassifier`` measured by :func:`measure_ann`.
ANN_CONFIGS = ({}, {"reset": "zero"}, {"tau_syn_ms": 5.0}, {"readout": "spike_count"},
               {"input_coding": "current", "hidden_layer_sizes": (32, 16)})
_READOUT = {"membrane_max": "max", "membrane_mean": "mean", "spike_count": "count"}


def measure_ann(task_name: str, kw: dict, seed: int) -> dict:
    """The surrogate-gradient network through ``ann.nir_export.to_nir``: agreement of the
    Brian2 import with the model's own predictions on the model's own input spikes."""
    from ann.nir_export import to_nir as ann_to_nir
    from ann.spiking_mlp import SpikingMLPClassifier

    task = load_task(task_name, seed=seed)
    params = {"hidden_layer_sizes": (64,), "n_steps": 20, "epochs": 10, "random_state": seed,
              **kw}
    model = SpikingMLPClassifier(**params).fit(task.X_train, task.y_train)
    graph = ann_to_nir(model, approximate_reset=True)
    X = task.X_test
    inputs = model._spike_input(X, 0)
    steps = model.n_steps if inputs.ndim == 2 else None
    readout = _READOUT[model.readout]
    ref = model.predict(X)
    exact = from_nir(graph, dt_ms=model.dt_ms, discretisation="impulse",
                     reset="subtract_next" if model.reset == "subtract" else "v_reset",
                     threshold="inclusive", classes=model.classes_).predict(
        inputs, n_steps=steps, readout=readout)
    nir_sem = from_nir(graph, dt_ms=model.dt_ms, discretisation="impulse",
                       classes=model.classes_).predict(inputs, n_steps=steps, readout=readout)
    return {"acc": float(np.mean(ref == task.y_test)), "exact_agree": float(np.mean(exact == ref)),
            "nir_agree": float(np.mean(nir_sem == ref))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", default="digits")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--duration-ms", type=float, default=20.0)
    args = ap.parse_args(argv)
    for hidden in ((128,), (128, 64)):
        t0 = time.perf_counter()
        r = measure(args.task, hidden, args.seed, args.duration_ms)
        print(f"{args.task} hidden={hidden} n_test={r['n_test']} {args.duration_ms:g} ms: "
              f"ANN acc {r['ann_acc']:.4f}, converted {r['snn_acc']:.4f}; "
              f"exact import agrees {r['exact_agree']:.4f} (acc {r['exact_acc']:.4f}), "
              f"with layer_delay {r['delayed_agree']:.4f}; "
              f"NIR semantics agrees {r['nir_agree']:.4f} (acc {r['nir_acc']:.4f}) "
              f"[{time.perf_counter() - t0:.1f} s]")
    for kw in ANN_CONFIGS:
        r = measure_ann(args.task, kw, args.seed)
        print(f"{args.task} SpikingMLPClassifier {kw or 'defaults'}: acc {r['acc']:.4f}; exact "
              f"import agrees {r['exact_agree']:.4f}; NIR semantics agrees {r['nir_agree']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
