"""Benchmark: this library's NumPy networks vs scikit-learn's MLPClassifier and PyTorch (CPU).

Trains the same networks on the ``digits`` task in one run and prints, per configuration, the
median wall time per epoch over ``--reps`` repetitions, the test accuracy, and the ratios
``ann / other`` (below 1 means this library is faster). PyTorch is optional: when it is not
installed its rows are skipped. Torch runs with ``OMP_WAIT_POLICY=PASSIVE`` (set before import)
and an explicit thread count, because spinning OpenMP threads on a shared 2-core machine can slow
it down by orders of magnitude.

Configurations: the 64-128-10 ReLU MLP (Adam, lr 1e-3) at batch 32, 1 and 256, with 1 and 2
BLAS/torch threads at batch 32 and 256; a CNN (conv 3x3 x8 with padding 1, ReLU, 2x2 max-pool,
dense 128 -> 10) and an Elman RNN (rows of the image as 8 steps of 8 features, 64 tanh units,
dense 64 -> 10), both Adam lr 3e-3, batch 32.

Run: ``python benchmarks/bench_ann.py`` (about a minute on 2 cores); ``--reps 1`` is faster.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # must precede any torch import

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from ann import CNNClassifier, MLPClassifier, RNNClassifier  # noqa: E402
from experiments.tasks import load_task  # noqa: E402

try:  # optional, never a dependency
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None


def _median_run(fn, reps):
    """Run ``fn() -> (seconds_per_epoch, accuracy)`` ``reps`` times; medians."""
    results = [fn(seed) for seed in range(reps)]
    return (statistics.median(r[0] for r in results),
            statistics.median(r[1] for r in results))


def bench_ann(make, task, epochs, threads):
    def run(seed):
        model = make(seed, epochs, threads)
        t0 = time.perf_counter()
        model.fit(task.X_train, task.y_train)
        dt = time.perf_counter() - t0
        return dt / epochs, model.score(task.X_test, task.y_test)
    return run


def bench_sklearn(batch, task, epochs, threads):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier as SkMLP

    def run(seed):
        model = SkMLP((128,), alpha=0.0, batch_size=batch, learning_rate_init=1e-3,
                      max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1, random_state=seed)
        with warnings.catch_warnings(), threadpool_limits(threads, user_api="blas"):
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            model.fit(task.X_train, task.y_train)
            dt = time.perf_counter() - t0
        return dt / epochs, model.score(task.X_test, task.y_test)
    return run


def _torch_model(kind):
    nn = torch.nn
    if kind == "mlp":
        return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    if kind == "cnn":
        return nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 8, 3, padding=1),
                             nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128, 10))

    class Elman(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.RNN(8, 64, batch_first=True)
            self.out = nn.Linear(64, 10)

        def forward(self, x):
            _, h = self.rnn(x.reshape(-1, 8, 8))
            return self.out(h[0])

    return Elman()


def bench_torch(kind, batch, lr, task, epochs, threads):
    def run(seed):
        torch.set_num_threads(threads)
        torch.manual_seed(seed)
        model = _torch_model(kind)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        crit = torch.nn.CrossEntropyLoss()
        X = torch.tensor(task.X_train, dtype=torch.float32)
        y = torch.tensor(task.y_train)
        gen = torch.Generator().manual_seed(seed)
        n = len(X)
        t0 = time.perf_counter()
        for _ in range(epochs):
            perm = torch.randperm(n, generator=gen)
            Xe, ye = X[perm], y[perm]
            for s in range(0, n, batch):
                opt.zero_grad(set_to_none=True)
                loss = crit(model(Xe[s : s + batch]), ye[s : s + batch])
                loss.backward()
                opt.step()
        dt = time.perf_counter() - t0
        with torch.no_grad():
            pred = model(torch.tensor(task.X_test, dtype=torch.float32)).argmax(1).numpy()
        return dt / epochs, float(np.mean(pred == task.y_test))
    return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions (median), default 3")
    args = parser.parse_args(argv)
    if args.reps < 1:
        parser.error("--reps must be >= 1")
    task = load_task("digits")
    print(f"digits: {len(task.X_train)} train / {len(task.X_test)} test; numpy "
          f"{np.__version__}; torch {torch.__version__ if torch else 'not installed'}; "
          f"{os.cpu_count()} CPUs; median of {args.reps} runs")

    def mlp(batch, dtype="float32"):
        return lambda seed, epochs, threads: MLPClassifier(
            (128,), batch_size=batch, epochs=epochs, learning_rate=1e-3, dtype=dtype,
            random_state=seed, n_threads=threads)

    def cnn(seed, epochs, threads):
        return CNNClassifier((8, 8), channels=(8,), epochs=epochs, learning_rate=3e-3,
                             random_state=seed, n_threads=threads)

    def rnn(seed, epochs, threads):
        return RNNClassifier((8, 8), n_hidden=64, epochs=epochs, learning_rate=3e-3,
                             random_state=seed, n_threads=threads)

    # (label, epochs, threads, ann runner, sklearn runner or None, torch runner or None)
    configs = []
    for batch, epochs in ((32, 30), (256, 30), (1, 2)):
        for threads in ((1, 2) if batch != 1 else (1,)):
            configs.append((f"MLP 64-128-10 batch {batch:>3}, {threads} thr", epochs, threads,
                            mlp(batch), batch, ("mlp", batch, 1e-3)))
    configs.append(("MLP batch  32 float64, 1 thr", 30, 1, mlp(32, "float64"), 32,
                    ("mlp", 32, 1e-3)))
    configs.append(("CNN conv3x3x8-pool-dense, b32, 1 thr", 15, 1, cnn, None, ("cnn", 32, 3e-3)))
    configs.append(("RNN 8 steps x 64 tanh, b32, 1 thr", 15, 1, rnn, None, ("rnn", 32, 3e-3)))

    header = (f"{'configuration':40s} {'ann ms/ep':>9s} {'acc':>6s} | {'sklearn':>8s} {'acc':>6s} "
              f"{'ratio':>6s} | {'torch':>8s} {'acc':>6s} {'ratio':>6s}")
    print(header)
    print("-" * len(header))
    for label, epochs, threads, make, sk_batch, torch_cfg in configs:
        t_ann, a_ann = _median_run(bench_ann(make, task, epochs, threads), args.reps)
        line = f"{label:40s} {1e3 * t_ann:9.2f} {a_ann:6.3f} |"
        if sk_batch is not None:
            t_sk, a_sk = _median_run(bench_sklearn(sk_batch, task, epochs, threads), args.reps)
            line += f" {1e3 * t_sk:8.2f} {a_sk:6.3f} {t_ann / t_sk:5.2f}x |"
        else:
            line += f" {'-':>8s} {'-':>6s} {'-':>6s} |"
        if torch is not None:
            kind, batch, lr = torch_cfg
            t_t, a_t = _median_run(bench_torch(kind, batch, lr, task, epochs, threads),
                                   args.reps)
            line += f" {1e3 * t_t:8.2f} {a_t:6.3f} {t_ann / t_t:5.2f}x"
        else:
            line += f" {'skipped (torch not installed)':>22s}"
        print(line, flush=True)
    print("ratio = ann time / other time per epoch (lower is better for ann); batch 1 runs "
          "2 epochs, so its accuracies are not comparable with the rest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
