"""The spiking network's answer over time: one presentation's raster and accuracy vs time.

Shows: the information-processing difference. An ANN answers after its last layer, all at once;
the spiking network answers from whatever spikes have arrived, so its answer exists early and
improves as the presentation goes on. Left: the excitatory spikes of one test image's first
showing (learning off), coloured by the class each neuron was named after. Right: test accuracy and
answered fraction (a sample with no spike yet has no answer, which counts as wrong) from the
first ``t`` ms after onset (``predict_at``), and ``predict``'s accuracy (re-shows allowed).

Change: ``--neurons``, ``--sample`` (which test image to draw), ``--seed``. ``--quick`` uses
150 + 50 ms presentations, shorter than the defaults (the compiled network is shared with
examples 04, 05); without it the classifier's default timing (one more compile, 15-60 s).

    python examples/06_anytime.py --quick --out examples_output
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from experiments.tasks import load_task
from neurosim import STDPClassifier

# shorter showings need a stronger drive to be answered in one (docs/neurosim.md)
QUICK_TIMING = {"presentation_ms": 150.0, "rest_ms": 50.0, "input_rate_hz": 15000.0}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples_output", help="folder for the PNG")
    parser.add_argument("--quick", action="store_true", help="150 + 50 ms presentations")
    parser.add_argument("--neurons", type=int, default=100)
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    task = load_task("digits", seed=args.seed)
    Xt, yt = task.X_test, task.y_test
    model = STDPClassifier(args.neurons, random_state=args.seed,
                           **(QUICK_TIMING if args.quick else {})).fit(task.X_train, task.y_train)
    pres = model.presentation_ms
    times = np.unique(np.r_[1.0, 2.0, 5.0, np.arange(10.0, pres, 10.0), pres])
    answers = model.predict_at(Xt, times)  # (len(times), n_test): one run serves every t
    accuracy, answered = (answers == yt).mean(axis=1), (answers >= 0).mean(axis=1)
    full = model.score(Xt, yt)
    print(f"{model!r} on digits: predict (re-shows allowed) accuracy {full:.3f}")
    print(f"{'t_ms':>6s} {'accuracy':>9s} {'answered':>9s}")
    for t, a, f in zip(times, accuracy, answered, strict=True):
        print(f"{t:6.0f} {a:9.3f} {f:9.3f}")

    # One presentation's spikes: the first showing predict_at answered from.
    one = Xt[args.sample:args.sample + 1]
    first = model.predict_at(one, times)[:, 0]
    spikes = model.spikes(one)
    t_ms, neuron = spikes["t_ms"], spikes["neuron"]
    fig = Figure(figsize=(11, 4), layout="constrained")
    ax_in, ax_r, ax_a = fig.subplots(1, 3, width_ratios=(1, 3, 3))
    ax_in.imshow(one.reshape(task.image_shape), cmap="gray_r")
    ax_in.set(title=f"test image {args.sample}\n(class {yt[args.sample]})", xticks=[], yticks=[])
    cls = model.assignments_[neuron]
    sc = ax_r.scatter(t_ms, neuron, c=cls, cmap="tab10", vmin=-0.5, vmax=9.5, s=80,
                      marker="|", linewidths=2)
    fig.colorbar(sc, ax=ax_r, ticks=range(10), label="class the neuron is named after")
    ax_r.set(xlim=(0, pres), ylim=(-1, args.neurons), xlabel="time after onset (ms)",
             ylabel="excitatory neuron", title=f"{len(neuron)} spikes; answer {first[-1]}"
             + (f", first spike at {t_ms.min():.1f} ms" if len(neuron) else ""))
    ax_a.plot(times, accuracy, "o-", color="tab:red", ms=3, label="accuracy (predict_at)")
    ax_a.plot(times, answered, "s--", color="gray", ms=3, label="answered fraction")
    ax_a.axhline(full, color="tab:red", lw=0.8, ls=":", label="predict (re-shows allowed)")
    ax_a.axhline(1 / task.n_classes, color="black", lw=0.6, ls=":", label="chance")
    ax_a.set(xlabel="time after onset (ms)", ylim=(0, 1.02), title="digits test set")
    ax_a.legend(fontsize=8, loc="lower right")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "06_anytime.png"
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
