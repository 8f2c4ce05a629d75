"""``STDPClassifier``: Diehl & Cook (2015) unsupervised STDP learning as a scikit-learn estimator.

``fit(X, y)`` learns the input weights by STDP **without the labels** (Poisson inputs, an
excitatory LIF layer with adaptive thresholds, lateral inhibition, per-image weight
normalisation, re-showing an image at a higher rate when it evoked fewer than ``min_spikes``
spikes); then, with learning frozen, it presents the labelled training samples once more and
assigns each excitatory neuron the class it responds to most (the only use of ``y``).
``predict`` votes by the mean response of each class's neurons. ``readout="linear"`` instead
fits a *supervised* ridge read-out on the spike counts (see :mod:`neurosim.readout`).

Simulation: by default the network is compiled once with Brian2's ``cpp_standalone`` device and
whole blocks of ``chunk_samples`` samples are presented inside one run of the binary
(:mod:`neurosim.network`, :mod:`neurosim.standalone`); the build is cached on disk and re-used
across calls and processes. ``backend="numpy"`` runs the same network in Brian2's runtime mode.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurosim._checks import check_choice, check_int, check_nonnegative, check_positive
from neurosim.inhibition import INHIBITION_MODES
from neurosim.network import NetworkSpec
from neurosim.params import (
    DC2015_W_EXC_INH,
    DC2015_W_INH_EXC,
    LIFParams,
    STDPParams,
    inhibitory_lif_params,
)
from neurosim.readout import assign_labels, fit_linear_readout, linear_predict, vote

__all__ = ["STDPClassifier", "PresentationResult", "NotFittedError"]

BACKENDS = ("auto", "cpp_standalone", "numpy")
READOUTS = ("vote", "linear")


class NotFittedError(ValueError, AttributeError):
    """A method that needs a fitted model was called before ``fit`` (as in scikit-learn)."""


@dataclass
class PresentationResult:
    """What the network did on a set of samples (final presentation of each sample).

    Attributes
    ----------
    sample, neuron, step : ndarray (n_spikes,)
        Excitatory spikes of each sample's final presentation: sample index, neuron index and
        time step since the presentation's onset.
    n_samples, n_excitatory : int
    presentations : int
        Presentations made, counting repeats.
    input_spikes, exc_spikes, inh_spikes : int
        Spike totals over all presentations (and rests).
    wall_s : float
        Wall time of the simulation runs.
    """

    sample: np.ndarray
    neuron: np.ndarray
    step: np.ndarray
    n_samples: int
    n_excitatory: int
    presentations: int = 0
    input_spikes: int = 0
    exc_spikes: int = 0
    inh_spikes: int = 0
    wall_s: float = 0.0
    chunks: int = 0
    extra: dict = field(default_factory=dict)

    def counts(self, max_step: int | None = None) -> np.ndarray:
        """Spike counts ``(n_samples, n_excitatory)``, optionally only steps ``< max_step``."""
        keep = slice(None) if max_step is None else self.step < max_step
        flat = self.sample[keep] * self.n_excitatory + self.neuron[keep]
        c = np.bincount(flat, minlength=self.n_samples * self.n_excitatory)
        return c.reshape(self.n_samples, self.n_excitatory).astype(np.float64)


class STDPClassifier:
    """Spiking network trained by unsupervised STDP (Diehl & Cook 2015), scikit-learn style.

    Parameters
    ----------
    n_excitatory : int
        Excitatory (and inhibitory) neurons, >= 1.
    epochs : int
        Passes over the training set, >= 1 (samples shuffled each epoch).
    presentation_ms, rest_ms : float
        Input duration per sample and the silent rest after it (ms); multiples of ``dt_ms``.
    max_rate_hz : float
        Poisson rate of an input of intensity 1 (Hz), > 0. Diehl & Cook: 63.75 Hz on MNIST;
        128 Hz suits the 8x8 ``digits`` task (fewer inputs, so more drive per input is needed).
    rate_boost_hz : float or None
        Increase of ``max_rate_hz`` each time a sample is re-shown because it evoked fewer than
        ``min_spikes`` spikes; ``None`` = ``max_rate_hz / 2`` (Diehl & Cook: +32 Hz on 64 Hz).
    min_spikes, max_repeats : int
        Re-show criterion and the most re-shows per sample (bounds the run time).
    dt_ms : float
        Integration step (ms); at most half of every neuron/synapse time constant.
    a_plus, a_minus, tau_plus_ms, tau_minus_ms, w_max, stdp_rule, stdp_pairing
        STDP rule of the input synapses (:class:`neurosim.params.STDPParams`): additive,
        nearest-spike traces, strong potentiation on postsynaptic spikes and weak depression
        on presynaptic ones, as in Diehl & Cook (their rates: 0.01 and 0.0001). Measured on
        ``digits`` (100 neurons, one epoch, test accuracy for seeds 0/1/2; seed-to-seed spread
        is about +-0.02, larger than most differences): ``a_plus`` 0.0075 (the default):
        0.851/0.866/0.838; 0.005: 0.846/0.838/0.851; 0.01: 0.838/0.868/0.790. Depression close
        to potentiation collapses learning (``a_plus=0.005, a_minus=0.001``: 0.36;
        ``a_plus=0.01, a_minus=0.002``: 0.45).
    theta_plus_mV, tau_theta_ms : float
        Adaptive threshold: increment per spike and decay time constant (measured on
        ``digits``, seeds 0/1/2, ``a_plus=0.005``: 0.075 mV 0.841/0.873/0.830, 0.1 mV
        0.846/0.838/0.851, 0.15 mV 0.833/0.808/0.851).
    norm_total : float or None
        Sum each neuron's input weights are rescaled to before every presentation; ``None`` =
        ``0.1 * n_features`` (Diehl & Cook: 78 for 784 inputs).
    w_init_max : float
        Initial input weights are uniform in ``[0, w_init_max * w_max]``.
    w_exc_inh, w_inh_exc : float
        Lateral inhibition strengths (Diehl & Cook: 10.4 and 17).
    inhibition : {"population", "wta"}
        ``"population"``: Diehl & Cook's inhibitory population (``n_excitatory`` more
        neurons); ``"wta"``: direct all-but-self inhibition among excitatory neurons (see
        :func:`neurosim.inhibition.lateral_inhibition`).
    readout : {"vote", "linear"}
        ``"vote"``: Diehl & Cook's label assignment (labels used only to name neurons);
        ``"linear"``: **supervised** ridge read-out on spike counts.
    readout_alpha : float
        Ridge penalty of the linear read-out.
    checkpoints : int
        Evaluation points in ``history_`` spread over training (>= 1; the last is the end).
    chunk_samples : int
        Samples per compiled run (each run costs ~20 ms of process start and I/O); one run
        simulates ``2 * chunk_samples`` presentation slots, leaving room for re-shows.
    threads : int
        OpenMP threads of the compiled simulation; 0 = no OpenMP (fastest for small networks,
        measured in ``benchmarks/bench_snn.py``).
    backend : {"auto", "cpp_standalone", "numpy"}
        ``"auto"``: compiled if a C++ compiler is available, else ``"numpy"`` with a warning.
    progress : bool or None
        Progress bar per chunk; ``None`` = only for long calls on an interactive terminal.
    random_state : int or None
        Seed for initial weights, sample order and every Poisson spike train.

    Attributes
    ----------
    weights_ : ndarray (n_features, n_excitatory)
    theta_mV_ : ndarray (n_excitatory,)
    assignments_ : ndarray (n_excitatory,)
        Class of each neuron, ``-1`` for neurons that never fired on labelled samples.
    classes_ : ndarray (n_classes,)
    n_features_in_ : int
    history_ : list of dict
        One entry per checkpoint: ``samples_seen``, ``wall_s`` (training time so far, without
        evaluation), ``epoch``, ``presentations`` (so far, counting re-shows), and
        ``eval_accuracy`` when ``eval_set`` is given (see :meth:`fit`).
    train_samples_, labels_used_, seed_ : int
    compile_s_ : float
        Seconds spent compiling during ``fit`` (0 on a cache hit); not part of ``wall_s``.
    """

    def __init__(
        self,
        n_excitatory: int = 100,
        *,
        epochs: int = 1,
        presentation_ms: float = 350.0,
        rest_ms: float = 150.0,
        max_rate_hz: float = 128.0,
        rate_boost_hz: float | None = None,
        min_spikes: int = 5,
        max_repeats: int = 5,
        dt_ms: float = 0.5,
        a_plus: float = 0.0075,
        a_minus: float = 0.0001,
        tau_plus_ms: float = 20.0,
        tau_minus_ms: float = 20.0,
        w_max: float = 1.0,
        stdp_rule: str = "additive",
        stdp_pairing: str = "nearest",
        theta_plus_mV: float = 0.1,
        tau_theta_ms: float = 1e7,
        norm_total: float | None = None,
        w_init_max: float = 0.3,
        w_exc_inh: float = DC2015_W_EXC_INH,
        w_inh_exc: float = DC2015_W_INH_EXC,
        inhibition: str = "population",
        readout: str = "vote",
        readout_alpha: float = 1.0,
        checkpoints: int = 1,
        chunk_samples: int = 64,
        threads: int = 0,
        backend: str = "auto",
        progress: bool | None = None,
        random_state: int | None = None,
    ) -> None:
        self.n_excitatory = n_excitatory
        self.epochs = epochs
        self.presentation_ms = presentation_ms
        self.rest_ms = rest_ms
        self.max_rate_hz = max_rate_hz
        self.rate_boost_hz = rate_boost_hz
        self.min_spikes = min_spikes
        self.max_repeats = max_repeats
        self.dt_ms = dt_ms
        self.a_plus = a_plus
        self.a_minus = a_minus
        self.tau_plus_ms = tau_plus_ms
        self.tau_minus_ms = tau_minus_ms
        self.w_max = w_max
        self.stdp_rule = stdp_rule
        self.stdp_pairing = stdp_pairing
        self.theta_plus_mV = theta_plus_mV
        self.tau_theta_ms = tau_theta_ms
        self.norm_total = norm_total
        self.w_init_max = w_init_max
        self.w_exc_inh = w_exc_inh
        self.w_inh_exc = w_inh_exc
        self.inhibition = inhibition
        self.readout = readout
        self.readout_alpha = readout_alpha
        self.checkpoints = checkpoints
        self.chunk_samples = chunk_samples
        self.threads = threads
        self.backend = backend
        self.progress = progress
        self.random_state = random_state

    # ------------------------------------------------------------------ sklearn plumbing
    _PARAM_NAMES = (
        "n_excitatory", "epochs", "presentation_ms", "rest_ms", "max_rate_hz", "rate_boost_hz",
        "min_spikes", "max_repeats", "dt_ms", "a_plus", "a_minus", "tau_plus_ms",
        "tau_minus_ms", "w_max", "stdp_rule", "stdp_pairing", "theta_plus_mV", "tau_theta_ms",
        "norm_total", "w_init_max", "w_exc_inh", "w_inh_exc", "inhibition", "readout",
        "readout_alpha", "checkpoints", "chunk_samples", "threads", "backend", "progress",
        "random_state",
    )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Hyper-parameters as a dict (scikit-learn API)."""
        return {name: getattr(self, name) for name in self._PARAM_NAMES}

    def set_params(self, **params: Any) -> STDPClassifier:
        """Set hyper-parameters (scikit-learn API); unknown names raise ``ValueError``."""
        for name, value in params.items():
            if name not in self._PARAM_NAMES:
                raise ValueError(f"unknown parameter {name!r} for STDPClassifier; valid: "
                                 f"{', '.join(self._PARAM_NAMES)}")
            setattr(self, name, value)
        return self

    def __getstate__(self) -> dict[str, Any]:
        # copies (copy.deepcopy, sklearn.clone) share nothing with the simulation engine
        state = dict(self.__dict__)
        state.pop("_engine_cache", None)
        return state

    def __repr__(self) -> str:
        defaults = STDPClassifier().get_params()
        changed = {k: v for k, v in self.get_params().items() if v != defaults[k]}
        return f"STDPClassifier({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    # ------------------------------------------------------------------ validation
    def _validated(self) -> dict[str, Any]:
        """Check every hyper-parameter; return the derived settings."""
        check_int("n_excitatory", self.n_excitatory, minimum=1)
        check_int("epochs", self.epochs, minimum=1)
        check_int("min_spikes", self.min_spikes, minimum=0)
        check_int("max_repeats", self.max_repeats, minimum=0)
        check_int("checkpoints", self.checkpoints, minimum=1)
        check_int("chunk_samples", self.chunk_samples, minimum=1)
        check_int("threads", self.threads, minimum=0)
        check_positive("presentation_ms", self.presentation_ms)
        check_nonnegative("rest_ms", self.rest_ms)
        check_positive("max_rate_hz", self.max_rate_hz)
        check_positive("dt_ms", self.dt_ms)
        if self.rate_boost_hz is not None:
            check_nonnegative("rate_boost_hz", self.rate_boost_hz)
        if self.norm_total is not None:
            check_positive("norm_total", self.norm_total)
        check_positive("w_init_max", self.w_init_max)
        if self.w_init_max > 1:
            raise ValueError(f"w_init_max must be <= 1 (a fraction of w_max), got "
                             f"{self.w_init_max}")
        check_nonnegative("w_exc_inh", self.w_exc_inh)
        check_nonnegative("w_inh_exc", self.w_inh_exc)
        check_nonnegative("readout_alpha", self.readout_alpha)
        check_choice("readout", self.readout, READOUTS)
        check_choice("inhibition", self.inhibition, INHIBITION_MODES)
        check_choice("backend", self.backend, BACKENDS)
        if self.progress is not None and not isinstance(self.progress, bool):
            raise TypeError(f"progress must be a bool or None, got {self.progress!r}")
        if self.random_state is not None:
            check_int("random_state", self.random_state, minimum=0)
        stdp = STDPParams(rule=self.stdp_rule, pairing=self.stdp_pairing, a_plus=self.a_plus,
                          a_minus=self.a_minus, tau_plus_ms=self.tau_plus_ms,
                          tau_minus_ms=self.tau_minus_ms, w_max=self.w_max)
        exc = LIFParams(theta_plus_mV=self.theta_plus_mV, tau_theta_ms=self.tau_theta_ms)
        return {"stdp": stdp, "exc": exc, "inh": inhibitory_lif_params()}

    def _spec(self, n_inputs: int) -> NetworkSpec:
        v = self._validated()
        # one run simulates 2 x chunk_samples slots, room for re-shows; samples that do not
        # fit roll over to the next run (idle slots at the very end cost little: no input)
        return NetworkSpec(
            n_inputs=n_inputs, n_excitatory=self.n_excitatory, dt_ms=float(self.dt_ms),
            presentation_ms=float(self.presentation_ms), rest_ms=float(self.rest_ms),
            exc=v["exc"], inh=v["inh"], stdp=v["stdp"], w_exc_inh=float(self.w_exc_inh),
            w_inh_exc=float(self.w_inh_exc), inhibition=self.inhibition,
            chunk_samples=self.chunk_samples,
            chunk_slots=2 * self.chunk_samples, threads=self.threads,
        )

    def _check_X(self, X: Any, *, fitted: bool) -> np.ndarray:
        if isinstance(X, (str, bytes)) or X is None:
            raise TypeError(f"X must be a 2-D array of floats, got {type(X).__name__}")
        try:
            arr = np.array(X, dtype=np.float64, copy=True)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"X must be a 2-D array of numbers: {exc}") from None
        if arr.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {arr.shape}; "
                             "reshape a single sample with X.reshape(1, -1)")
        if arr.shape[0] < 1 or arr.shape[1] < 1:
            raise ValueError(f"X must have at least one sample and one feature, got "
                             f"{arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError("X contains NaN or inf; impute or drop those samples first")
        if arr.min() < 0.0 or arr.max() > 1.0:
            raise ValueError(f"X must lie in [0, 1] (input intensities; got min "
                             f"{arr.min():.4g}, max {arr.max():.4g}); rescale it, e.g. "
                             "with sklearn.preprocessing.MinMaxScaler")
        if fitted and arr.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {arr.shape[1]} features but the model was fitted with "
                             f"{self.n_features_in_}; pass data of the same width")
        return arr

    @staticmethod
    def _check_y(y: Any, n: int, *, allow_unlabelled: bool) -> np.ndarray:
        arr = np.asarray(y)
        if arr.ndim != 1 or arr.shape[0] != n:
            raise ValueError(f"y must be 1-D with one label per sample ({n}), got shape "
                             f"{arr.shape}")
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            if np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
                arr = arr.astype(np.int64)
            else:
                raise TypeError(f"y must hold integer class labels, got dtype {arr.dtype}")
        arr = arr.astype(np.int64, copy=True)
        if (arr < -1).any():
            raise ValueError("y must be non-negative class labels, or -1 for unlabelled")
        if not allow_unlabelled and (arr == -1).any():
            raise ValueError("y contains -1 (unlabelled) where labels are required")
        return arr

    def _check_fitted(self) -> None:
        if not hasattr(self, "weights_"):
            raise NotFittedError("this STDPClassifier is not fitted yet; call fit(X, y) first")

    # ------------------------------------------------------------------ simulation driver
    def _engine(self, n_inputs: int):
        from neurosim.standalone import make_engine

        spec = self._spec(n_inputs).structural()
        cached = getattr(self, "_engine_cache", None)
        if cached is not None and cached[0] == (spec, self.backend):
            return cached[1]
        engine = make_engine(spec, self.backend)
        self._engine_cache = ((spec, self.backend), engine)
        return engine

    def _show_progress(self, n: int) -> bool:
        if self.progress is not None:
            return self.progress
        sim_s = n * (self.presentation_ms + self.rest_ms) / 1000.0
        return sim_s > 600 and sys.stderr.isatty()

    def _present(self, engine, X: np.ndarray, w: np.ndarray, theta: np.ndarray, *,
                 learn: bool, seed_seq: np.random.SeedSequence, desc: str,
                 on_chunk: Any = None) -> tuple[PresentationResult, np.ndarray, np.ndarray]:
        """Present every row of ``X`` (in order), chunk by chunk.

        Returns the result, and the weights and thresholds afterwards (unchanged when
        ``learn`` is False). ``on_chunk(done, w, theta, partial_result)`` is called after each
        chunk (``partial_result`` holds the spikes of the ``done`` samples so far); it does not
        change the simulation, so checkpoints never alter what is learned.
        """
        spec = engine.spec
        n = len(X)
        N, n_pres = spec.n_slot_steps, spec.n_pres_steps
        from neurosim.standalone import RunSettings

        rng = np.random.default_rng(seed_seq)
        settings = RunSettings(
            learn=learn, rate_max_hz=float(self.max_rate_hz),
            rate_boost_hz=float(self.max_rate_hz / 2 if self.rate_boost_hz is None
                                else self.rate_boost_hz),
            min_spikes=int(self.min_spikes), max_repeats=int(self.max_repeats),
            norm_total=float(0.1 * spec.n_inputs if self.norm_total is None
                             else self.norm_total),
            theta_plus_mV=float(self.theta_plus_mV), a_plus=float(self.a_plus),
            a_minus=float(self.a_minus))
        bar = None
        if self._show_progress(n):
            from tqdm.auto import tqdm

            bar = tqdm(total=n, desc=desc, unit="sample")
        parts_s, parts_i, parts_t = [], [], []
        res = PresentationResult(np.empty(0, np.int64), np.empty(0, np.int64),
                                 np.empty(0, np.int64), n, spec.n_excitatory)
        start, reps = 0, 0
        try:
            while start < n:
                r = engine.run_chunk(X, start, w=w, theta_mV=theta, settings=settings,
                                     reps_start=reps, seed=int(rng.integers(0, 2**31 - 1)))
                n_valid = min(spec.chunk_samples, n - start)
                done = min(r.k_next, n_valid)
                slot_k = r.slot_k[: spec.chunk_slots]
                shown = slot_k < n_valid
                res.presentations += int(shown.sum())
                res.input_spikes += r.input_spikes
                res.inh_spikes += r.inh_spikes
                res.exc_spikes += len(r.spike_i)
                res.wall_s += r.wall_s
                res.chunks += 1
                # final presentation of each completed sample = last slot showing it
                final_slot = np.full(done, -1, dtype=np.int64)
                for j in np.flatnonzero(shown & (slot_k < done)):
                    final_slot[slot_k[j]] = j
                slot_of_spike = r.spike_step // N
                in_pres = (r.spike_step % N) < n_pres
                is_final = np.zeros(len(slot_k) + 1, dtype=bool)
                is_final[final_slot[final_slot >= 0]] = True
                keep = in_pres & is_final[np.minimum(slot_of_spike, len(slot_k))]
                sample_of_slot = np.where(shown, slot_k, -1)
                parts_s.append(start + sample_of_slot[slot_of_spike[keep]])
                parts_i.append(r.spike_i[keep])
                parts_t.append(r.spike_step[keep] % N)
                if learn:
                    w, theta = r.w, r.theta_mV
                reps = r.reps_next if done < n_valid else 0
                start += done
                if bar is not None:
                    bar.update(done)
                if on_chunk is not None:
                    partial = dataclasses.replace(
                        res, sample=np.concatenate(parts_s), neuron=np.concatenate(parts_i),
                        step=np.concatenate(parts_t))
                    on_chunk(start, w, theta, partial)
        finally:
            if bar is not None:
                bar.close()
        res.sample = np.concatenate(parts_s) if parts_s else res.sample
        res.neuron = np.concatenate(parts_i) if parts_i else res.neuron
        res.step = np.concatenate(parts_t) if parts_t else res.step
        return res, w, theta

    def _seed(self, *keys: int) -> np.random.SeedSequence:
        return np.random.SeedSequence([self.seed_, *keys])

    # ------------------------------------------------------------------ public API
    def fit(self, X: Any, y: Any, *, eval_set: tuple[Any, Any] | None = None
            ) -> STDPClassifier:
        """Learn the input weights by STDP (labels unused), then assign neurons to classes.

        Parameters
        ----------
        X : array-like (n_samples, n_features), values in [0, 1]
            Input intensities, presented as Poisson rates ``X * max_rate_hz``.
        y : array-like (n_samples,) of int
            Class labels, ``-1`` for unlabelled samples. STDP never sees them; they are used
            only to assign each excitatory neuron a class after learning (or to fit the
            supervised linear read-out when ``readout="linear"``).
        eval_set : (X_eval, y_eval), optional
            Evaluated at ``checkpoints`` points during training: the network runs with learning
            off on ``X_eval``, and votes with neurons assigned from the labelled training
            samples' responses recorded *during learning so far* (no extra pass), so the curve
            shows what the weights at that point support. Checkpoints fall at the end of the
            first compiled run (chunk) that passes each mark, so ``samples_seen`` may exceed the
            mark by up to ``chunk_samples``; they never change what is learned. The final model
            instead re-assigns after learning with frozen weights (one more pass over the
            labelled samples).

        Returns
        -------
        self
        """
        self._validated()
        X = self._check_X(X, fitted=False)
        y = self._check_y(y, len(X), allow_unlabelled=True)
        labelled = y != -1
        classes = np.unique(y[labelled])
        if len(classes) < 2:
            raise ValueError(f"fit needs labelled samples of at least 2 classes, got "
                             f"{len(classes)}; label more samples (y == -1 means unlabelled)")
        if labelled.sum() < len(classes):
            raise ValueError("fewer labelled samples than classes")
        if self.n_excitatory < len(classes):
            warnings.warn(f"n_excitatory={self.n_excitatory} < {len(classes)} classes: some "
                          "classes can never be predicted; use more neurons", UserWarning,
                          stacklevel=2)
        eval_data = None
        if eval_set is not None:
            if not isinstance(eval_set, (tuple, list)) or len(eval_set) != 2:
                raise TypeError("eval_set must be a pair (X_eval, y_eval)")
            Xe = self._check_X(eval_set[0], fitted=False)
            if Xe.shape[1] != X.shape[1]:
                raise ValueError(f"eval_set X has {Xe.shape[1]} features, X has {X.shape[1]}")
            ye = self._check_y(eval_set[1], len(Xe), allow_unlabelled=False)
            eval_data = (Xe, ye)

        seed = (int(np.random.SeedSequence().entropy % (2**32)) if self.random_state is None
                else int(self.random_state))
        self.seed_ = seed
        rng = np.random.default_rng(seed)
        n, n_in = X.shape
        engine = self._engine(n_in)
        t_start = time.perf_counter()  # training time excludes the one-off compilation
        self.compile_s_ = float(engine.compile_s)
        self.backend_ = engine.backend
        self.classes_ = classes
        self.n_features_in_ = n_in
        w = rng.uniform(0.0, self.w_init_max * self.w_max, n_in * self.n_excitatory)
        theta = np.zeros(self.n_excitatory)
        total = n * self.epochs
        marks = sorted({int(round(total * (c + 1) / self.checkpoints))
                        for c in range(self.checkpoints)})
        self.history_ = []
        state = {"eval_wall": 0.0, "seen": 0, "presentations": 0, "next": 0}
        # labelled training responses recorded during learning (for checkpoint evaluation)
        rec_counts: list[np.ndarray] = []
        rec_labels: list[np.ndarray] = []

        def checkpoint(epoch: int, yo: np.ndarray, done: int, w_now: np.ndarray,
                       theta_now: np.ndarray, res: PresentationResult) -> None:
            """After each chunk: record history when a checkpoint mark was passed."""
            seen = epoch * n + done
            if state["next"] >= len(marks) or seen < marks[state["next"]]:
                return
            while state["next"] < len(marks) and marks[state["next"]] <= seen:
                state["next"] += 1
            entry = {"samples_seen": seen, "epoch": epoch + 1,
                     "presentations": state["presentations"] + res.presentations}
            if eval_data is not None:
                t_eval = time.perf_counter()
                # assign from the most recent labelled responses (up to one epoch's worth)
                lab = yo[:done] != -1
                rc = np.concatenate([*rec_counts, res.counts()[:done][lab]])[-n:]
                rl = np.concatenate([*rec_labels, yo[:done][lab]])[-n:]
                assign = assign_labels(rc, rl, classes)
                ev, _, _ = self._present(engine, eval_data[0], w_now, theta_now, learn=False,
                                         seed_seq=self._seed(2, seen), desc="evaluate")
                pred = vote(ev.counts(), assign, classes)
                entry["eval_accuracy"] = float(np.mean(pred == eval_data[1]))
                state["eval_wall"] += time.perf_counter() - t_eval
            entry["wall_s"] = time.perf_counter() - t_start - state["eval_wall"]
            self.history_.append(entry)

        for epoch in range(self.epochs):
            order = rng.permutation(n)
            Xo, yo = X[order], y[order]
            res, w, theta = self._present(
                engine, Xo, w, theta, learn=True, seed_seq=self._seed(1, epoch),
                desc=f"STDP epoch {epoch + 1}",
                on_chunk=lambda d, wn, tn, r, e=epoch, yy=yo: checkpoint(e, yy, d, wn, tn, r))
            lab = yo != -1
            rec_counts.append(res.counts()[lab])
            rec_labels.append(yo[lab])
            state["presentations"] += res.presentations
        eval_wall = state["eval_wall"]
        self.weights_ = w.reshape(n_in, self.n_excitatory).copy()
        self.theta_mV_ = np.asarray(theta, dtype=np.float64).copy()
        self.train_samples_ = int(total)
        self.epochs_ = int(self.epochs)
        self.fit_wall_s_ = time.perf_counter() - t_start - eval_wall
        self._assign(X[labelled], y[labelled], seed_key=3)
        return self

    def _assign(self, X: np.ndarray, y: np.ndarray, *, seed_key: int) -> None:
        res = self._respond(X, seed_key=seed_key, desc="assign")
        counts = res.counts()
        self.assignments_ = assign_labels(counts, y, self.classes_)
        self.labels_used_ = int(len(y))
        if self.readout == "linear":
            self.readout_coef_, self.readout_intercept_ = fit_linear_readout(
                counts, y, self.classes_, alpha=float(self.readout_alpha))

    def _respond(self, X: np.ndarray, *, seed_key: int, desc: str) -> PresentationResult:
        engine = self._engine(X.shape[1])
        res, _, _ = self._present(engine, X, self.weights_.reshape(-1), self.theta_mV_,
                                  learn=False, seed_seq=self._seed(seed_key, len(X)),
                                  desc=desc)
        return res

    def assign(self, X: Any, y: Any) -> STDPClassifier:
        """Redo the label assignment (and linear read-out) with the weights frozen.

        Parameters
        ----------
        X : array-like (n_samples, n_features) in [0, 1]
        y : array-like (n_samples,) of int; ``-1`` samples are ignored.

        Returns
        -------
        self
        """
        self._check_fitted()
        X = self._check_X(X, fitted=True)
        y = self._check_y(y, len(X), allow_unlabelled=True)
        lab = y != -1
        if not lab.any():
            raise ValueError("assign needs at least one labelled sample (y != -1)")
        unknown = np.setdiff1d(y[lab], self.classes_)
        if unknown.size:
            self.classes_ = np.union1d(self.classes_, unknown)
        self._assign(X[lab], y[lab], seed_key=4)
        return self

    def _labels_from(self, counts: np.ndarray) -> np.ndarray:
        if self.readout == "linear":
            return linear_predict(counts, self.readout_coef_, self.readout_intercept_,
                                  self.classes_)
        return vote(counts, self.assignments_, self.classes_)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels ``(n_samples,)`` from the spike counts of each presentation."""
        self._check_fitted()
        X = self._check_X(X, fitted=True)
        return self._labels_from(self._respond(X, seed_key=5, desc="predict").counts())

    def transform(self, X: Any) -> np.ndarray:
        """Excitatory spike counts ``(n_samples, n_excitatory)`` with learning frozen."""
        self._check_fitted()
        X = self._check_X(X, fitted=True)
        return self._respond(X, seed_key=5, desc="transform").counts()

    def predict_at(self, X: Any, times_ms: Any) -> np.ndarray:
        """Anytime predictions from the spikes in the first ``t`` ms of each presentation.

        Parameters
        ----------
        X : array-like (n_samples, n_features)
        times_ms : array-like of float
            Cut-offs in ``(0, presentation_ms]``.

        Returns
        -------
        ndarray (len(times_ms), n_samples) of int
            Row ``r`` predicts from spikes before ``times_ms[r]``; one simulation serves all.
        """
        self._check_fitted()
        X = self._check_X(X, fitted=True)
        t = np.atleast_1d(np.asarray(times_ms, dtype=np.float64))
        if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)):
            raise ValueError("times_ms must be a non-empty 1-D array of finite times (ms)")
        if t.min() <= 0 or t.max() > self.presentation_ms:
            raise ValueError(f"times_ms must lie in (0, presentation_ms={self.presentation_ms}]"
                             f", got [{t.min()}, {t.max()}]")
        res = self._respond(X, seed_key=5, desc="predict")
        steps = np.ceil(t / self.dt_ms - 1e-9).astype(np.int64)
        return np.stack([self._labels_from(res.counts(s)) for s in steps])

    def score(self, X: Any, y: Any) -> float:
        """Accuracy of :meth:`predict` on ``(X, y)``."""
        y = self._check_y(y, len(np.asarray(X)), allow_unlabelled=False)
        return float(np.mean(self.predict(X) == y))

    def cost(self, X: Any = None) -> dict[str, Any]:
        """Comparison metrics of one inference (SPEC section 2).

        ``synops`` counts, per sample, every presynaptic spike times its fan-out: input spikes x
        ``n_excitatory`` (input -> excitatory), excitatory spikes x 1 (-> inhibitory partner;
        ``n_excitatory - 1`` with ``inhibition="wta"``), inhibitory spikes x
        ``n_excitatory - 1`` (-> every other excitatory neuron), over all
        presentations of the sample including re-shows (rest periods included).
        ``neuron_updates`` = neurons x presentation steps x presentations per sample (the rest
        period is excluded: it only lets state decay between independent samples).
        ``activity`` = excitatory + inhibitory spikes / (neurons x presentation steps x
        presentations). All three need ``X`` (``None`` without it).
        """
        self._check_fitted()
        n_exc, n_in = self.n_excitatory, self.n_features_in_
        population = self.inhibition == "population"
        neurons = 2 * n_exc if population else n_exc
        synapses = n_in * n_exc + n_exc * (n_exc - 1) + (n_exc if population else 0)
        params = self.weights_.size + self.theta_mV_.size
        timesteps = int(round(self.presentation_ms / self.dt_ms))
        out: dict[str, Any] = {
            "neurons": neurons,
            "synapses": synapses,
            "params": int(params),
            "memory_bytes": int(self.weights_.nbytes + self.theta_mV_.nbytes),
            "macs": None,
            "synops": None,
            "neuron_updates": None,
            "timesteps": timesteps,
            "sequential_depth": timesteps,
            "parallel_width": neurons,
            "activity": None,
            "update_locality": "local",
            "train_samples": int(self.train_samples_),
            "epochs": int(self.epochs_),
            "labels_used": int(self.labels_used_),
        }
        if X is not None:
            Xc = self._check_X(X, fitted=True)
            res = self._respond(Xc, seed_key=6, desc="cost")
            m = len(Xc)
            exc_fanout = 1 if population else n_exc - 1
            syn_events = (res.input_spikes * n_exc + res.exc_spikes * exc_fanout
                          + res.inh_spikes * (n_exc - 1))
            pres = res.presentations / m
            out["synops"] = syn_events / m
            out["neuron_updates"] = neurons * timesteps * pres
            out["activity"] = (res.exc_spikes + res.inh_spikes) / (neurons * timesteps
                                                                   * res.presentations)
            out["presentations_per_sample"] = pres
        return out

    @property
    def stats_(self) -> dict[str, Any]:
        """:meth:`cost` without data (the structural metrics)."""
        return self.cost()

    def save(self, path: Any) -> None:
        """Write the fitted model to one ``.npz`` (see :func:`neurosim.io.save_classifier`)."""
        from neurosim.io import save_classifier

        save_classifier(self, path)

    def _state(self) -> dict[str, Any]:
        """Learned state for :mod:`neurosim.io`: arrays and JSON-able metadata."""
        self._check_fitted()
        arrays = {"weights_": self.weights_, "theta_mV_": self.theta_mV_,
                  "assignments_": self.assignments_, "classes_": self.classes_}
        if self.readout == "linear":
            arrays["readout_coef_"] = self.readout_coef_
            arrays["readout_intercept_"] = self.readout_intercept_
        meta = {"seed_": self.seed_, "n_features_in_": self.n_features_in_,
                "train_samples_": self.train_samples_, "epochs_": self.epochs_,
                "labels_used_": self.labels_used_, "history_": self.history_,
                "compile_s_": self.compile_s_, "fit_wall_s_": self.fit_wall_s_,
                "backend_": self.backend_}
        return {"arrays": arrays, "meta": json.loads(json.dumps(meta, default=float))}
