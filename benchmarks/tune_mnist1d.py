"""MNIST-1D: the encoding choice for spiking input and the ANN hyper-parameter search, both on a
validation split carved from the training set (never the test split), then the test table.

    python benchmarks/tune_mnist1d.py encoding          # STDP + MLP, affine vs on/off
    python benchmarks/tune_mnist1d.py search [--quick]  # ANN hyper-parameters on validation
    python benchmarks/tune_mnist1d.py test --seeds 0 1 2  # chosen settings on the test split

Validation split: a stratified 80/20 split of the 4,000 training sequences
(``numpy.random.default_rng(0)``), 3,200 fit / 800 validation. Each section prints its table.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from experiments.tasks import load_task  # noqa: E402
from experiments.tasks.mnist1d import PERMUTATION, PUBLISHED, generate  # noqa: E402


class _Raw:
    """The package's signed standardised values (the paper's input; not a Task: outside
    [0, 1]), for paper-equivalent ANN numbers: ``--encoding raw``."""

    def __init__(self, variant):
        self.X_train, self.y_train, self.X_test, self.y_test = generate()
        if variant.endswith("shuffled"):
            self.X_train, self.X_test = self.X_train[:, PERMUTATION], self.X_test[:, PERMUTATION]
        self.n_classes, self.image_shape = 10, (40, 1)


def load(variant, encoding):
    return _Raw(variant) if encoding == "raw" else load_task(variant, encoding=encoding)


def validation_split(task, seed=0, fraction=0.2):
    """Stratified ``(X_fit, y_fit, X_val, y_val)`` from the task's training set."""
    rng = np.random.default_rng(seed)
    val = np.zeros(len(task.y_train), dtype=bool)
    for c in range(task.n_classes):
        idx = np.flatnonzero(task.y_train == c)
        val[rng.choice(idx, round(fraction * len(idx)), replace=False)] = True
    return (task.X_train[~val], task.y_train[~val], task.X_train[val], task.y_train[val])


# -- models (the chosen settings; the search varies them) ------------------------------------
#: settings chosen on validation (see the search table); epochs from the validation curves
CHOSEN = {
    "logistic": dict(learning_rate=1e-2, epochs=100),
    "mlp": dict(learning_rate=1e-2, epochs=150, weight_decay=1e-3),
    "cnn": dict(learning_rate=1e-2, epochs=60),
    "gru": dict(learning_rate=1e-2, n_hidden=64, epochs=40),
}


def make_model(name, shape, seed, **over):
    """``name`` in logistic, mlp, cnn, gru; ``shape`` the task's image_shape ``(40, c)``."""
    from ann import CNNClassifier, MLPClassifier, RNNClassifier

    t, c = shape
    kw = {**CHOSEN[name], **over, "batch_size": 100, "random_state": seed}
    if name == "logistic":
        return MLPClassifier(hidden_layer_sizes=(), **kw)
    if name == "mlp":
        return MLPClassifier(hidden_layer_sizes=(100, 100), **kw)
    if name == "cnn":  # three 25-channel convolutions along the sequence (the paper's widths);
        # the first kernel spans the c columns (on/off), like a c-channel 1-D convolution
        return CNNClassifier(image_shape=shape, channels=(25, 25, 25),
                             kernel_size=((5, c), (5, 1), (5, 1)), padding=(2, 0),
                             pool_size=(2, 1), **kw)
    if name == "gru":
        return RNNClassifier(sequence_shape=(t, c), cell="gru", clip_norm=1.0, **kw)
    raise ValueError(name)


def encoding_section(args):
    from ann import MLPClassifier

    rows = []
    for enc in ("affine", "onoff"):
        task = load_task("mnist1d", encoding=enc)
        X, y, Xv, yv = validation_split(task)
        mlp = MLPClassifier(hidden_layer_sizes=(100, 100), learning_rate=1e-2, epochs=50,
                            batch_size=100, random_state=0)
        t0 = time.perf_counter()
        acc = mlp.fit(X, y).score(Xv, yv)
        rows.append((enc, "MLP 100-100", acc))
        print(f"{enc:7s} MLP 100-100          val {acc:.3f}  ({time.perf_counter() - t0:.0f} s)",
              flush=True)
        if args.no_snn:
            continue
        import neurosim

        n = args.snn_samples
        snn = neurosim.STDPClassifier(n_excitatory=100, epochs=args.snn_epochs,
                                      random_state=0)
        t0 = time.perf_counter()
        acc = snn.fit(X[:n], y[:n]).score(Xv, yv)
        rows.append((enc, f"STDP 100 ({n} fit)", acc))
        print(f"{enc:7s} STDP 100 ({n} fit)  val {acc:.3f}  ({time.perf_counter() - t0:.0f} s)",
              flush=True)
    print("\nencoding  model                 val acc")
    for enc, model, acc in rows:
        print(f"{enc:8s}  {model:20s}  {acc:.3f}")


#: the grid; each run records its validation curve, so epochs are read off it (best epoch)
SEARCH = {
    "logistic": [dict(learning_rate=lr, epochs=150) for lr in (1e-3, 1e-2)],
    "mlp": [dict(learning_rate=lr, epochs=150, weight_decay=wd)
            for lr in (1e-3, 1e-2) for wd in (0.0, 1e-3)],
    "cnn": [dict(learning_rate=lr, epochs=60) for lr in (3e-3, 1e-2)],
    "gru": [dict(learning_rate=lr, n_hidden=64, epochs=40) for lr in (3e-3, 1e-2)],
}


def search_section(args):
    models = args.models or list(SEARCH)
    for variant in args.tasks:
        task = load(variant, args.encoding)
        X, y, Xv, yv = validation_split(task)
        shape = task.image_shape
        print(f"\n{variant} ({args.encoding}): {len(y)} fit / {len(yv)} validation (seed 0)")
        print("model     setting                                             final  best "
              "(epoch)  wall s")
        for name in models:
            grid = SEARCH[name][:1] if args.quick else SEARCH[name]
            for over in grid:
                m = make_model(name, shape, 0, **over)
                t0 = time.perf_counter()
                m.fit(X, y, eval_set=(Xv, yv))
                curve = [r["eval_accuracy"] for r in m.history_]
                best = int(np.argmax(curve))
                print(f"{name:8s}  {str(over):50s}  {curve[-1]:.3f}  {curve[best]:.3f} "
                      f"({best + 1:3d})  {time.perf_counter() - t0:6.0f}", flush=True)


def test_section(args):
    models = args.models or ["logistic", "mlp", "cnn", "gru"]
    for variant in args.tasks:
        task = load(variant, args.encoding)
        shape = task.image_shape
        col = 1 if variant.endswith("shuffled") else 0
        print(f"\n{variant} ({args.encoding}; test split, {len(task.y_test)} sequences)")
        print("model     " + "  ".join(f"seed {s}" for s in args.seeds)
              + "   mean   paper   diff")
        for name in models:
            accs = []
            for s in args.seeds:
                m = make_model(name, shape, s)
                m.fit(task.X_train, task.y_train)
                accs.append(m.score(task.X_test, task.y_test))
            paper = PUBLISHED[name][col]
            mean = float(np.mean(accs))
            print(f"{name:8s}  " + "  ".join(f"{a:.3f} " for a in accs)
                  + f"   {mean:.3f}  {paper:.2f}   {mean - paper:+.3f}", flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("section", choices=("encoding", "search", "test"))
    p.add_argument("--models", nargs="*")
    p.add_argument("--tasks", nargs="*", default=["mnist1d", "mnist1d_shuffled"])
    p.add_argument("--seeds", nargs="*", type=int, default=[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--encoding", default="onoff", choices=("onoff", "affine", "raw"),
                   help="the task's encoding, or the package's raw signed values")
    p.add_argument("--no-snn", action="store_true")
    p.add_argument("--snn-samples", type=int, default=3200)
    p.add_argument("--snn-epochs", type=int, default=1)
    args = p.parse_args(argv)
    {"encoding": encoding_section, "search": search_section, "test": test_section}[
        args.section](args)


if __name__ == "__main__":
    main()
