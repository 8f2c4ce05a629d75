"""Import-and-smoke check of an installed brain-vs-ann: ``python -m experiments.smoke``.

CI runs it on a plain (non-editable) install under every extra Python it proves (3.13: Brian2 2.11
with numpy >= 2.4). It trains both model families briefly on a small task, compiles one tiny
spiking network and exits non-zero, with one line saying what broke, if anything does.
"""

from __future__ import annotations

import sys
import time

import numpy as np


def smoke(backend: str = "auto") -> dict[str, float]:
    """Train an MLP and a tiny STDP network on ``patterns``; return their test accuracies."""
    import brian2

    import ann
    import neurosim
    from experiments.tasks import load_task

    task = load_task("patterns", d=16, k=2, p=0.05, n_train_per_class=20, n_test_per_class=10)
    chance = 1.0 / task.n_classes
    mlp = ann.MLPClassifier(hidden_layer_sizes=(16,), epochs=20, random_state=0)
    mlp.fit(task.X_train, task.y_train)
    snn = neurosim.STDPClassifier(n_excitatory=6, backend=backend, random_state=0, verbose=False)
    snn.fit(task.X_train, task.y_train)
    scores = {
        "mlp_accuracy": mlp.score(task.X_test, task.y_test),
        "snn_accuracy": snn.score(task.X_test, task.y_test),
    }
    cost = snn.cost(task.X_test)
    if not cost["effective_acs"] or cost["effective_acs"] <= 0:
        raise RuntimeError(f"the spiking network produced no synaptic events: {cost}")
    for name, value in scores.items():
        if not value > chance:
            raise RuntimeError(f"{name} is {value:.2f}, not above chance ({chance:.2f})")
    print(
        f"smoke ok: python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"brian2 {brian2.__version__}; "
        + ", ".join(f"{k} {v:.2f}" for k, v in scores.items())
    )
    return scores


def main() -> int:
    start = time.perf_counter()
    try:
        smoke()
    except Exception as err:  # a smoke check reports whatever broke, in one line
        print(f"smoke FAILED: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    print(f"smoke took {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
