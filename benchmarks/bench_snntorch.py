"""The same spiking network trained in snnTorch and in ``ann`` (pure NumPy), interleaved.

Architecture (both): rate-coded input (64 pixels, Bernoulli spike with probability = intensity
per step) -> ``hidden`` LIF neurons (subtract reset, reset detached, fast-sigmoid surrogate of
scale ``k``, ``beta = exp(-dt / tau_mem)``) -> 10 leaky non-spiking read-out neurons whose
maximum membrane over the ``n_steps`` steps is the class score; softmax cross-entropy, Adam,
batch 32, one thread each. snnTorch's side is ``nn.Linear`` + ``snn.Leaky`` (read-out:
``snn.Leaky(reset_mechanism="none")``'s membrane) with ``spikegen.rate`` input; ``ann``'s is
:class:`ann.spiking_mlp.SpikingMLPClassifier` with the same hyper-parameters.

Each round ``r`` (seed ``r``, digits split of seed ``r``) trains one model of each, one after the
other, and records the training time per epoch and the test accuracy; the table gives the
median and the [min, max] over rounds and the per-round time ratio.

    python benchmarks/bench_snntorch.py [--rounds 5] [--epochs 60]  (the estimator defaults)

Skips with a message when torch or snntorch is missing (``pip install torch==2.13.0
snntorch``; a CPU wheel is enough).
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

from ann.spiking_mlp import SpikingMLPClassifier
from experiments.tasks import load_task


def _torch():
    try:
        import snntorch as snn
        import torch
        from snntorch import spikegen, surrogate
    except ImportError as err:
        return None, f"skipped: {err.name} is not installed (pip install torch==2.13.0 snntorch)"
    return (torch, snn, spikegen, surrogate), None


def train_snntorch(mods, task, *, seed, hidden, n_steps, tau_mem_ms, dt_ms, k, lr, epochs,
                   batch_size):
    torch, snn, spikegen, surrogate = mods
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    beta = math.exp(-dt_ms / tau_mem_ms)
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(task.X_train.shape[1], hidden)
            self.lif1 = snn.Leaky(beta=beta, threshold=1.0, reset_mechanism="subtract",
                                  spike_grad=surrogate.fast_sigmoid(slope=k))
            self.fc2 = nn.Linear(hidden, len(np.unique(task.y_train)))
            self.out = snn.Leaky(beta=beta, threshold=1.0, reset_mechanism="none")

        def forward(self, spikes):  # (T, n, d)
            mem1 = self.lif1.init_leaky()
            mem2 = self.out.init_leaky()
            trace = []
            for t in range(spikes.shape[0]):
                spk1, mem1 = self.lif1(self.fc1(spikes[t]), mem1)
                _, mem2 = self.out(self.fc2(spk1), mem2)
                trace.append(mem2)
            return torch.stack(trace).amax(dim=0)

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    X = torch.tensor(task.X_train, dtype=torch.float32)
    y = torch.tensor(task.y_train, dtype=torch.long)
    g = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(len(y), generator=g)
        for s in range(0, len(y), batch_size):
            idx = perm[s : s + batch_size]
            spikes = spikegen.rate(X[idx], num_steps=n_steps)
            loss = loss_fn(net(spikes), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    per_epoch = (time.perf_counter() - t0) / epochs
    with torch.no_grad():
        Xt = torch.tensor(task.X_test, dtype=torch.float32)
        pred = net(spikegen.rate(Xt, num_steps=n_steps)).argmax(dim=1).numpy()
    return per_epoch, float(np.mean(pred == task.y_test))


def train_ann(task, *, seed, hidden, n_steps, tau_mem_ms, dt_ms, k, lr, epochs, batch_size):
    m = SpikingMLPClassifier((hidden,), n_steps=n_steps, tau_mem_ms=tau_mem_ms, dt_ms=dt_ms,
                             surrogate="fast_sigmoid", surrogate_scale=k,
                             readout="membrane_max", input_coding="rate", learning_rate=lr,
                             epochs=epochs, batch_size=batch_size, n_threads=1,
                             random_state=seed)
    m.fit(task.X_train, task.y_train)
    return m.history_[-1]["wall_s"] / epochs, m.score(task.X_test, task.y_test)


def _row(name, values, fmt):
    v = np.asarray(values)
    return (f"{name:<28} median {fmt.format(np.median(v))}  [min {fmt.format(v.min())}, "
            f"max {fmt.format(v.max())}]")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--n-steps", type=int, default=10)
    ap.add_argument("--k", type=float, default=5.0)
    ap.add_argument("--lr", type=float, default=1e-3)
    args = ap.parse_args(argv)
    mods, why = _torch()
    if mods is None:
        print(why)
        return 0
    import os

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    kw = {"hidden": args.hidden, "n_steps": args.n_steps, "tau_mem_ms": 10.0, "dt_ms": 1.0,
          "k": args.k, "lr": args.lr, "epochs": args.epochs, "batch_size": 32}
    print(f"torch {mods[0].__version__}, snntorch {mods[1].__version__}; {kw}")
    res = {"ann": ([], []), "snntorch": ([], [])}
    ratios = []
    for r in range(args.rounds):
        task = load_task("digits", seed=r)
        order = ("ann", "snntorch") if r % 2 == 0 else ("snntorch", "ann")
        got = {}
        for name in order:
            if name == "ann":
                got[name] = train_ann(task, seed=r, **kw)
            else:
                got[name] = train_snntorch(mods, task, seed=r, **kw)
            res[name][0].append(got[name][0])
            res[name][1].append(got[name][1])
        ratios.append(got["snntorch"][0] / got["ann"][0])
        print(f"round {r}: ann {got['ann'][0] * 1e3:.1f} ms/epoch acc {got['ann'][1]:.4f} | "
              f"snntorch {got['snntorch'][0] * 1e3:.1f} ms/epoch acc {got['snntorch'][1]:.4f}",
              flush=True)
    for name, (times, accs) in res.items():
        print(_row(f"{name} s/epoch", times, "{:.4f}"))
        print(_row(f"{name} test accuracy", accs, "{:.4f}"))
    print(_row("snntorch / ann time", ratios, "{:.2f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
