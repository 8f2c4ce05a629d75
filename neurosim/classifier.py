"""``STDPClassifier``: Diehl & Cook (2015) unsupervised STDP learning as a scikit-learn estimator.

``fit(X, y)`` learns the input weights by STDP **without the labels** (Poisson inputs, an
excitatory LIF layer with adaptive thresholds, lateral inhibition, per-image weight
normalisation, re-showing an image at a higher rate when it evoked fewer than ``min_spikes``
spikes); then, with learning frozen, it presents the labelled training samples once more and
assigns each excitatory neuron the class it responds to most (the only use of ``y``).
``predict`` votes by the mean response of each class's neurons. ``readout="linear"`` instead
fits a *supervised* ridge read-out on the spike counts (see :mod:`neurosim.readout`).

Input drive: every image's Poisson rates are normalised to the same total, ``input_rate_hz``
summed over the inputs (:func:`neurosim.encoding.normalized_rates_hz`), and every neuron's
input weights to the same sum, ``norm_total`` (default 0.1 per input, Diehl & Cook's 78.4 for
784 inputs). A neuron with uniform weights then receives ``norm_total / n_inputs *
input_rate_hz`` of conductance per second from every image, whatever its size or intensity.

Simulation: by default the network is compiled once with Brian2's ``cpp_standalone`` device and
whole blocks of samples are presented inside one run of the binary (:mod:`neurosim.network`,
:mod:`neurosim.standalone`, :mod:`neurosim.presentation`); the build is cached on disk and
re-used across calls and processes. ``backend="numpy"`` runs the same network in Brian2's
runtime mode.
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
import time
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_non_negative, validate_data

from contract import ContractEstimator, InvalidParameterError, NotFittedError
from neurosim._checks import check_choice, check_int, check_nonnegative, check_positive
from neurosim.continual import ContinualSTDP
from neurosim.encoding import normalized_rates_hz
from neurosim.inhibition import INHIBITION_MODES
from neurosim.io import register
from neurosim.network import NetworkSpec
from neurosim.params import (
    DC2015_W_EXC_INH,
    DC2015_W_INH_EXC,
    LIFParams,
    STDPParams,
    inhibitory_lif_params,
)
from neurosim.perturb import PerturbableSTDP
from neurosim.plasticity import normalize_incoming
from neurosim.presentation import PresentationResult, Presented, present
from neurosim.readout import (
    assign_labels,
    decode_labels,
    encode_labels,
    fit_linear_readout,
    labelled_mask,
    linear_predict,
    no_answer_label,
    vote,
)
from neurosim.response_cache import cached_engine, cached_response, response_key
from neurosim.sample_noise import sample_keys
from neurosim.spiking_cost import _SEED_PREDICT, SpikingCost
from neurosim.standalone import RunSettings

__all__ = ["STDPClassifier", "NotFittedError"]

BACKENDS = ("auto", "cpp_standalone", "numpy")
READOUTS = ("vote", "linear")
ASSIGN_FROM = ("frozen", "learning")

#: Most showings of one sample a compiled run makes room for (1 + the largest ``max_repeats``
#: that still fills a whole block); larger ``max_repeats`` values take fewer samples per run.
_SLOTS_PER_SAMPLE = 6

# Seed keys: one independent random stream per kind of simulation (same seed, same spikes).
_SEED_TRAIN, _SEED_CHECKPOINT, _SEED_ASSIGN = 1, 2, 3  # and _SEED_PREDICT (spiking_cost)


def _digest(X: np.ndarray) -> str:
    """A key for an input array: its shape and a hash of its bytes."""
    arr = np.ascontiguousarray(X)
    return f"{arr.shape}:{hashlib.sha1(arr.view(np.uint8)).hexdigest()}"


@register
class STDPClassifier(ContinualSTDP, PerturbableSTDP, SpikingCost, TransformerMixin,
                     ContractEstimator):
    """Spiking network trained by unsupervised STDP (Diehl & Cook 2015), scikit-learn style.

    Parameters
    ----------
    n_excitatory : int
        Excitatory (and inhibitory) neurons, >= 1.
    epochs : int
        Passes of STDP over the training set, >= 0 (samples shuffled each epoch). ``0`` turns
        plasticity off: the network keeps its random initial weights (normalised to
        ``norm_total``) and zero thresholds, and only the label assignment is fitted: the
        baseline that shows what STDP adds. Default 3: on validation splits of ``digits``
        (5 seeds, docs/neurosim.md) 100 neurons scored 0.825 / 0.863 / 0.874 / 0.884 after
        1 / 2 / 3 / 5 passes and 400 neurons 0.862 / 0.924 after 1 / 3 (5 passes: lower than
        3 on both seeds tried): three passes is where the larger network peaks.
    presentation_ms, rest_ms : float
        Input duration per showing and the silent rest after it (ms); multiples of ``dt_ms``.
    input_rate_hz : float
        Summed Poisson rate of all inputs for one image (Hz), > 0; each image's intensities are
        scaled to this total. The default is Diehl & Cook's drive on MNIST (784 inputs x mean
        intensity 0.1307 x 63.75 Hz ~ 6,500 Hz); with the default ``norm_total`` every neuron
        then gets their drive per second whatever the input size. On validation splits it was
        the cheapest drive with every image answered in its first showing at 350 ms, and as
        accurate as any higher one (``benchmarks/tune_snn.py``, docs/neurosim.md).
    rate_boost_hz : float or None
        Added to the total rate at each re-show of an image that evoked fewer than
        ``min_spikes`` spikes; ``None`` = ``input_rate_hz / 2`` (Diehl & Cook: +32 Hz on a
        63.75 Hz maximum).
    min_spikes, max_repeats : int
        Re-show criterion and the most re-shows per sample (bounds the run time).
    dt_ms : float
        Integration step (ms); at most half of every neuron/synapse time constant.
    a_plus, a_minus, tau_plus_ms, tau_minus_ms, w_max, stdp_rule, stdp_pairing
        STDP rule of the input synapses (:class:`neurosim.params.STDPParams`): additive,
        nearest-spike traces, strong potentiation on postsynaptic spikes and weak depression
        on presynaptic ones, as in Diehl & Cook (their rates: 0.01 and 0.0001; ``a_plus``
        0.005 was the best of 0.005/0.0075/0.01 on validation, docs/neurosim.md).
    theta_plus_mV : float or None
        Adaptive threshold: increment per spike (mV). ``None`` =
        ``0.1 * n_excitatory / 100 / epochs`` (0.1 mV at 100 neurons and one pass, chosen on
        validation): a network of ``n`` neurons shares each sample's spikes among ``n`` and
        the threshold hardly decays (``tau_theta_ms``), so the increment grows with ``n`` and
        shrinks with the passes, to end training at about the same threshold whatever the size
        and the epochs. On validation (docs/neurosim.md) a fixed 0.1 mV left 25 neurons with
        38 mV of threshold and most images re-shown; the scaled increment answered every
        image in its first showing and was more accurate at 25 and 400 neurons.
    tau_theta_ms : float
        Decay time constant of the adaptive threshold (ms; Diehl & Cook: 1e7).
    norm_total : float or None
        Sum each neuron's input weights are rescaled to before every presentation; ``None`` =
        ``0.1 * n_features`` (Diehl & Cook: 78.4 for 784 inputs).
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
    assign_from : {"learning", "frozen"}
        Which responses name the neurons (and fit the linear read-out): ``"learning"``, the
        responses recorded during the last STDP epoch (Diehl & Cook's running assignment during
        training): no extra pass, though early samples of the epoch met weights that were still
        changing; ``"frozen"``, one more pass over the labelled training samples with learning
        off after STDP (Diehl & Cook's evaluation). On validation splits both were as accurate
        (0.851 +- 0.018 and 0.857 +- 0.021, 3 seeds), so the cheaper one is the default.
    checkpoints : int
        Evaluation points in ``history_`` spread over training (>= 1; the last is the end).
    chunk_samples : int
        Most samples one compiled run presents (its stimulus table). Larger blocks pay the
        binary's start-up less often; ``fit`` records ``history_`` checkpoints at block ends.
    n_threads : int
        Threads of the simulation, >= 1: 1 = a serial build; ``n`` >= 2 = an OpenMP build with
        ``n`` threads (each thread count is its own cached build). Small networks are fastest
        serial (``benchmarks/bench_snn.py``).
    backend : {"auto", "cpp_standalone", "numpy"}
        ``"auto"``: compiled if a C++ compiler is available, else ``"numpy"`` with a warning.
    verbose : bool or None
        Progress bar per simulation run; ``None`` = only for long calls on a terminal.
    random_state : int or None
        Seed for initial weights, sample order and every Poisson spike train.

    Attributes
    ----------
    weights_ : ndarray (n_features, n_excitatory)
    theta_mV_ : ndarray (n_excitatory,)
    assignments_ : ndarray (n_excitatory,)
        Class index (into ``classes_``) of each neuron, ``-1`` for neurons that never fired on
        labelled samples.
    classes_ : ndarray (n_classes,)
    n_features_in_ : int
    history_ : list of dict
        One entry per checkpoint: ``samples_seen``, ``wall_s`` (training time so far, without
        evaluation), ``epoch``, ``presentations`` (so far, counting re-shows), and
        ``eval_accuracy`` when ``eval_set`` is given (see :meth:`fit`).
    train_samples_, labels_used_, epochs_, seed_ : int
    train_presentations_per_sample_ : float
        Showings per training sample during STDP, re-shows counted (1.0 = nobody re-shown).
    train_reshown_frac_ : float
        Fraction of training samples that needed a re-show during STDP.
    compile_s_ : float
        Seconds spent compiling during ``fit`` (0 on a cache hit); not part of ``fit_wall_s_``.
    fit_wall_s_ : float
        Training time: STDP and the assignment pass, without compiling or checkpoint
        evaluation.
    fit_times_ : dict
        Where the simulation runs of ``fit`` spent their wall time (see
        :class:`neurosim.standalone.ChunkResult`).
    footprint_bytes_ : int
        Bytes of the model's arrays as the simulator allocates them.
    threads_used_ : int
        Threads the simulation ran with.
    """

    _fitted_attr = "weights_"
    #: The ``readout`` values this class accepts (a subclass may add its own).
    _readouts = READOUTS

    def __init__(
        self,
        n_excitatory: int = 100,
        *,
        epochs: int = 3,
        presentation_ms: float = 350.0,
        rest_ms: float = 150.0,
        input_rate_hz: float = 6500.0,
        rate_boost_hz: float | None = None,
        min_spikes: int = 5,
        max_repeats: int = 5,
        dt_ms: float = 0.5,
        a_plus: float = 0.005,
        a_minus: float = 0.0001,
        tau_plus_ms: float = 20.0,
        tau_minus_ms: float = 20.0,
        w_max: float = 1.0,
        stdp_rule: str = "additive",
        stdp_pairing: str = "nearest",
        theta_plus_mV: float | None = None,
        tau_theta_ms: float = 1e7,
        norm_total: float | None = None,
        w_init_max: float = 0.3,
        w_exc_inh: float = DC2015_W_EXC_INH,
        w_inh_exc: float = DC2015_W_INH_EXC,
        inhibition: str = "population",
        readout: str = "vote",
        readout_alpha: float = 1.0,
        assign_from: str = "learning",
        checkpoints: int = 1,
        chunk_samples: int = 256,
        n_threads: int = 1,
        backend: str = "auto",
        verbose: bool | None = None,
        random_state: int | None = None,
    ) -> None:
        self.n_excitatory = n_excitatory
        self.epochs = epochs
        self.presentation_ms = presentation_ms
        self.rest_ms = rest_ms
        self.input_rate_hz = input_rate_hz
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
        self.assign_from = assign_from
        self.checkpoints = checkpoints
        self.chunk_samples = chunk_samples
        self.n_threads = n_threads
        self.backend = backend
        self.verbose = verbose
        self.random_state = random_state

    # ------------------------------------------------------------------ plumbing
    def _update_tags(self, tags: Any) -> Any:
        from sklearn.utils import TransformerTags  # only when scikit-learn asks for tags

        tags.input_tags.positive_only = True  # intensities: non-negative, any scale
        # transform(X) gives each neuron's spike count: a classifier that is also a transformer
        tags.transformer_tags = TransformerTags()
        return tags

    def _check_params(self) -> None:
        self._derived()

    def _derived(self) -> dict[str, Any]:
        """Check every hyper-parameter; return the parameter objects they make up."""
        check_int("n_excitatory", self.n_excitatory, minimum=1)
        check_int("epochs", self.epochs, minimum=0)
        check_int("min_spikes", self.min_spikes, minimum=0)
        check_int("max_repeats", self.max_repeats, minimum=0)
        check_int("checkpoints", self.checkpoints, minimum=1)
        check_int("chunk_samples", self.chunk_samples, minimum=1)
        check_int("n_threads", self.n_threads, minimum=1)
        check_positive("presentation_ms", self.presentation_ms)
        check_nonnegative("rest_ms", self.rest_ms)
        check_positive("input_rate_hz", self.input_rate_hz)
        check_positive("dt_ms", self.dt_ms)
        if self.rate_boost_hz is not None:
            check_nonnegative("rate_boost_hz", self.rate_boost_hz)
        if self.theta_plus_mV is not None:
            check_nonnegative("theta_plus_mV", self.theta_plus_mV)
        if self.norm_total is not None:
            check_positive("norm_total", self.norm_total)
        check_positive("w_init_max", self.w_init_max)
        if self.w_init_max > 1:
            raise InvalidParameterError("w_init_max", f"w_init_max must be <= 1 (a fraction "
                                        f"of w_max), got {self.w_init_max}")
        check_nonnegative("w_exc_inh", self.w_exc_inh)
        check_nonnegative("w_inh_exc", self.w_inh_exc)
        check_nonnegative("readout_alpha", self.readout_alpha)
        check_choice("readout", self.readout, self._readouts)
        check_choice("assign_from", self.assign_from, ASSIGN_FROM)
        check_choice("inhibition", self.inhibition, INHIBITION_MODES)
        check_choice("backend", self.backend, BACKENDS)
        if self.verbose is not None and not isinstance(self.verbose, bool):
            raise InvalidParameterError("verbose", f"verbose must be True, False or None, got "
                                        f"{self.verbose!r}")
        if self.random_state is not None:
            check_int("random_state", self.random_state, minimum=0)
        try:
            stdp = STDPParams(rule=self.stdp_rule, pairing=self.stdp_pairing,
                              a_plus=self.a_plus, a_minus=self.a_minus,
                              tau_plus_ms=self.tau_plus_ms, tau_minus_ms=self.tau_minus_ms,
                              w_max=self.w_max)
            exc = LIFParams(theta_plus_mV=self._theta_plus_mV(), tau_theta_ms=self.tau_theta_ms)
        except InvalidParameterError as err:  # "STDPParams.a_plus" -> the estimator's "a_plus"
            name = err.param.split(".")[-1]
            name = {"rule": "stdp_rule", "pairing": "stdp_pairing"}.get(name, name)
            raise InvalidParameterError(name, str(err)) from None
        return {"stdp": stdp, "exc": exc, "inh": inhibitory_lif_params()}

    def _spec(self, n_inputs: int) -> NetworkSpec:
        v = self._derived()
        return NetworkSpec(
            n_inputs=n_inputs, n_excitatory=self.n_excitatory, dt_ms=float(self.dt_ms),
            presentation_ms=float(self.presentation_ms), rest_ms=float(self.rest_ms),
            exc=v["exc"], inh=v["inh"], stdp=v["stdp"], w_exc_inh=float(self.w_exc_inh),
            w_inh_exc=float(self.w_inh_exc), inhibition=self.inhibition,
            chunk_samples=self.chunk_samples,
            chunk_slots=_SLOTS_PER_SAMPLE * self.chunk_samples,
            threads=0 if self.n_threads == 1 else self.n_threads,
        )

    def _settings(self, n_inputs: int, *, learn: bool) -> RunSettings:
        boost = (0.5 if self.rate_boost_hz is None
                 else float(self.rate_boost_hz) / float(self.input_rate_hz))
        return RunSettings(
            learn=learn, boost=boost, min_spikes=int(self.min_spikes),
            max_repeats=int(self.max_repeats),
            norm_total=self._norm_total(n_inputs), theta_plus_mV=self._theta_plus_mV(),
            a_plus=float(self.a_plus), a_minus=float(self.a_minus))

    def _theta_plus_mV(self) -> float:
        if self.theta_plus_mV is not None:
            return float(self.theta_plus_mV)
        return 0.1 * self.n_excitatory / 100 / max(1, self.epochs)

    def _norm_total(self, n_inputs: int) -> float:
        return float(0.1 * n_inputs if self.norm_total is None else self.norm_total)

    def _check_X(self, X: Any, *, fitted: bool) -> np.ndarray:
        """``X`` validated by scikit-learn (``fitted``: against ``n_features_in_``; else it is
        recorded), as float64 non-negative intensities."""
        X = validate_data(self, X, reset=not fitted, dtype=np.float64)
        check_non_negative(X, f"{type(self).__name__} (X holds input intensities: shift or "
                              "rescale it, e.g. with sklearn.preprocessing.MinMaxScaler; the "
                              "scale does not matter, every image gets the same total drive)")
        return X

    def _check_Xy(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Training ``X`` and ``y`` validated by scikit-learn (``n_features_in_`` recorded)."""
        X, y = validate_data(self, X, y, reset=True, dtype=np.float64)
        check_non_negative(X, f"{type(self).__name__} (X holds input intensities)")
        check_classification_targets(y)
        return X, y

    @staticmethod
    def _labelled_mask(labelled: Any, n: int) -> np.ndarray:
        return labelled_mask(labelled, n)

    def _encode(self, y: np.ndarray, mask: np.ndarray, name: str = "y") -> np.ndarray:
        """Class indices into ``classes_`` of the labelled rows, ``-1`` for the others."""
        return encode_labels(y, self.classes_, mask, name=name)

    @property
    def _class_ids(self) -> np.ndarray:
        """The classes as the read-out sees them: indices ``0 .. n_classes - 1``."""
        return np.arange(len(self.classes_), dtype=np.int64)

    @property
    def threads_used_(self) -> int:
        """Threads the simulation runs on: the compiled build's, ``n_threads``."""
        self._check_fitted()
        return int(self.n_threads)

    def _decode(self, idx: np.ndarray) -> np.ndarray:
        """Labels from class indices; ``-1`` (no answer) becomes :attr:`no_answer_`."""
        return decode_labels(idx, self.classes_)

    @property
    def no_answer_(self) -> Any:
        """What :meth:`predict` returns for a sample that evoked no spike from an assigned
        neuron: ``-1`` when the classes are integers other than -1 (it then counts as wrong),
        else ``None`` (:func:`neurosim.readout.no_answer_label`)."""
        return no_answer_label(self.classes_)

    # ------------------------------------------------------------------ simulation driver
    def _engine(self, n_inputs: int):
        from neurosim.standalone import make_engine

        spec = self._spec(n_inputs).structural()
        engine, made = cached_engine((spec, self.backend),
                                     lambda: make_engine(spec, self.backend))
        return engine, (float(engine.compile_s) if made else 0.0)

    def _runs(self, X: np.ndarray, w: np.ndarray, theta: np.ndarray, *, learn: bool,
              purpose: tuple[int, ...], desc: str,
              labels: np.ndarray | None = None) -> Iterator[Presented]:
        """Present the rows of ``X`` (see :func:`neurosim.presentation.present`), with a
        progress bar when ``verbose`` asks for one; ``labels`` go to the network (only a
        reward-modulated one reads them, :mod:`neurosim.rstdp`). ``purpose`` names the
        simulation (a training epoch, an assignment pass, ``predict``): each row's Poisson
        spikes are a function of the model's seed, the purpose and the row itself
        (:func:`neurosim.sample_noise.sample_keys`), never of its position."""
        engine, _ = self._engine(X.shape[1])
        runs = present(engine, normalized_rates_hz(X, self.input_rate_hz), w, theta,
                       settings=self._settings(X.shape[1], learn=learn),
                       keys=sample_keys(X, self.seed_, purpose), labels=labels)
        if not self._show_progress(len(X)):
            yield from runs
            return
        from tqdm.auto import tqdm

        with tqdm(total=len(X), desc=desc, unit="sample") as bar:
            for r in runs:
                bar.update(r.result.n_samples)
                yield r

    def _show_progress(self, n: int) -> bool:
        if self.verbose is not None:
            return self.verbose
        sim_s = n * (self.presentation_ms + self.rest_ms) / 1000.0
        return sim_s > 600 and sys.stderr.isatty()

    def _teaching_labels(self, y: np.ndarray) -> np.ndarray | None:
        """What the learning pass tells the network about the labels ``y``: nothing, since
        STDP never reads them (a subclass with a supervised rule overrides this)."""
        return None

    def _seed(self, *keys: int) -> np.random.SeedSequence:
        return np.random.SeedSequence([self.seed_, *keys])

    def _respond(self, X: np.ndarray, *, seed_key: int, desc: str,
                 reuse: bool = False) -> PresentationResult:
        """Present ``X`` with learning off; what the network did.

        The latest responses are kept outside the model (:mod:`neurosim.response_cache`, keyed
        by the parameters, the learned arrays, the data and the purpose); with ``reuse``, a call
        on the same ``X`` reads it instead of simulating again. ``predict`` and ``transform``
        always simulate (timing them measures the simulation); ``predict_at``, ``spikes`` and
        ``cost`` reuse what they simulated. The model itself is not changed.
        """
        def simulate() -> PresentationResult:
            return PresentationResult.concat([r.result for r in self._runs(
                X, self.weights_.reshape(-1), self.theta_mV_, learn=False,
                purpose=(seed_key,), desc=desc)])

        return cached_response(response_key(self, X, (seed_key,)), simulate, reuse=reuse)

    # ------------------------------------------------------------------ public API
    def fit(self, X: Any, y: Any, *, eval_set: tuple[Any, Any] | None = None,
            labelled: Any = None) -> STDPClassifier:
        """Learn the input weights by STDP (labels unused), then assign neurons to classes.

        Parameters
        ----------
        X : array-like (n_samples, n_features), non-negative intensities
            Input intensities, presented as Poisson rates normalised per image to a total of
            ``input_rate_hz``.
        y : array-like (n_samples,)
            Class labels (any values scikit-learn accepts; ``classes_`` holds them). STDP
            never sees them; they are used only to assign each excitatory neuron a class
            after learning (or to fit the supervised linear read-out, ``readout="linear"``).
        eval_set : (X_eval, y_eval), optional
            Evaluated at ``checkpoints`` points during training: the network runs with learning
            off on ``X_eval``, and votes with neurons assigned from the labelled training
            samples' responses recorded *during learning so far* (no extra pass), so the curve
            shows what the weights at that point support. Checkpoints fall at the end of the
            first compiled run that passes each mark, so ``samples_seen`` may exceed the mark
            by up to ``chunk_samples``; they never change what is learned. The final model
            instead re-assigns after learning with frozen weights (one more pass over the
            labelled samples).
        labelled : array-like (n_samples,) of bool, optional
            True where ``y`` holds a label; the other rows are learned from by STDP but their
            ``y`` is ignored (semi-supervised use; default: every row is labelled).

        Returns
        -------
        self
        """
        self._check_params()
        X, y_given = self._check_Xy(X, y)
        mask = self._labelled_mask(labelled, len(X))
        classes = np.unique(y_given[mask])
        if len(classes) < 2:
            raise ValueError(f"y holds one class only ({len(classes)} labelled class); a "
                             "classifier needs labelled samples of at least 2 classes")
        if self.n_excitatory < len(classes):
            warnings.warn(f"n_excitatory={self.n_excitatory} < {len(classes)} classes: some "
                          "classes can never be predicted; use more neurons", UserWarning,
                          stacklevel=2)
        eval_data = None
        if eval_set is not None:
            if not isinstance(eval_set, (tuple, list)) or len(eval_set) != 2:
                raise TypeError("eval_set must be a pair (X_eval, y_eval)")
            Xe = self._check_X(eval_set[0], fitted=True)
            ye = np.asarray(eval_set[1]).ravel()
            if len(ye) != len(Xe):
                raise ValueError(f"eval_set has {len(Xe)} samples but {len(ye)} labels; pass "
                                 "(X_eval, y_eval) with one label per row")
            eval_data = (Xe, ye)

        self.seed_ = (int(np.random.SeedSequence().entropy % (2**32))
                      if self.random_state is None else int(self.random_state))
        rng = np.random.default_rng(self.seed_)
        n, n_in = X.shape
        engine, compile_s = self._engine(n_in)  # compiles once if the build is not cached
        self.compile_s_ = compile_s  # 0 when this process already had the build
        self.backend_ = engine.backend
        self.classes_ = classes
        y = self._encode(y_given, mask)  # class indices, -1 where unlabelled
        labelled = mask
        w = rng.uniform(0.0, self.w_init_max * self.w_max, n_in * self.n_excitatory)
        w = normalize_incoming(w, n_in, self.n_excitatory, self._norm_total(n_in))
        theta = np.zeros(self.n_excitatory)
        self.history_ = []
        self.fit_times_ = {}
        t_start = time.perf_counter()
        eval_wall, last = self._learn(X, y, w, theta, rng, eval_data, t_start)
        self.train_samples_ = int(n * self.epochs)
        self.epochs_ = int(self.epochs)
        if self.assign_from == "learning" and last is not None:
            self._fit_readout(*last)
        else:
            res = self._respond(X[labelled], seed_key=_SEED_ASSIGN, desc="assign")
            self._fit_readout(res.counts(), y[labelled])
            self.footprint_bytes_ = res.footprint_bytes
            self._add_times(res.times)
        self.fit_wall_s_ = time.perf_counter() - t_start - eval_wall
        return self

    def _add_times(self, times: dict) -> None:
        for k, v in times.items():
            self.fit_times_[k] = self.fit_times_.get(k, 0.0) + v

    def _learn(self, X: np.ndarray, y: np.ndarray, w: np.ndarray, theta: np.ndarray,
               rng: np.random.Generator, eval_data: tuple | None, t_start: float
               ) -> tuple[float, tuple[np.ndarray, np.ndarray] | None]:
        """The STDP epochs: set ``weights_``, ``theta_mV_``, ``history_``.

        Returns the seconds spent evaluating checkpoints (not training time), and the
        labelled responses ``(counts, labels)`` of the last epoch (None without an epoch)."""
        n = len(X)
        total = n * self.epochs
        marks = [int(round(total * (c + 1) / self.checkpoints)) for c in range(self.checkpoints)]
        recent_counts, recent_labels = np.empty((0, self.n_excitatory)), np.empty(0, np.int64)
        eval_wall, presentations, next_mark, reshown = 0.0, 0, 0, 0
        last_epoch = np.zeros((n, self.n_excitatory), dtype=np.float32)  # in X's row order
        for epoch in range(self.epochs):
            order = rng.permutation(n)
            Xo, yo = X[order], y[order]
            for r in self._runs(Xo, w, theta, learn=True, purpose=(_SEED_TRAIN, epoch),
                                desc=f"STDP epoch {epoch + 1}",
                                labels=self._teaching_labels(yo)):
                w, theta = r.w, r.theta_mV
                presentations += r.result.presentations
                reshown += int((r.result.shows > 1).sum())
                self._add_times(r.result.times)
                self.footprint_bytes_ = r.result.footprint_bytes
                lab = yo[r.stop - r.result.n_samples: r.stop]
                last_epoch[order[r.stop - r.result.n_samples: r.stop]] = r.result.counts()
                keep = lab != -1
                recent_counts = np.concatenate([recent_counts, r.result.counts()[keep]])[-n:]
                recent_labels = np.concatenate([recent_labels, lab[keep]])[-n:]
                seen = epoch * n + r.stop
                if next_mark >= len(marks) or seen < marks[next_mark]:
                    continue
                while next_mark < len(marks) and marks[next_mark] <= seen:
                    next_mark += 1
                entry = {"samples_seen": seen, "epoch": epoch + 1,
                         "presentations": presentations}
                if eval_data is not None:
                    t_eval = time.perf_counter()
                    entry["eval_accuracy"] = self._checkpoint_accuracy(
                        eval_data, w, theta, recent_counts, recent_labels, seen)
                    eval_wall += time.perf_counter() - t_eval
                entry["wall_s"] = time.perf_counter() - t_start - eval_wall
                self.history_.append(entry)
        if self.epochs == 0:
            self.history_.append({"samples_seen": 0, "epoch": 0, "presentations": 0,
                                  "wall_s": 0.0})
        self.weights_ = np.asarray(w, dtype=np.float64).reshape(X.shape[1], -1).copy()
        self.theta_mV_ = np.asarray(theta, dtype=np.float64).copy()
        self.train_presentations_per_sample_ = presentations / total if total else 0.0
        self.train_reshown_frac_ = reshown / total if total else 0.0
        n_lab = int((y != -1).sum())
        last = (recent_counts[-n_lab:], recent_labels[-n_lab:]) if self.epochs else None
        # every training row's response during the last epoch, for relabel (not saved)
        self._train_responses = (_digest(X), last_epoch) if self.epochs else None
        return eval_wall, last

    def _checkpoint_accuracy(self, eval_data: tuple, w: np.ndarray, theta: np.ndarray,
                             counts: np.ndarray, labels: np.ndarray, seen: int) -> float:
        """Accuracy on the eval set of the weights of the moment, neurons assigned from the
        labelled responses recorded during learning."""
        Xe, ye = eval_data
        assignments = self._name_neurons(counts, labels)
        parts = [r.result for r in self._runs(Xe, w, theta, learn=False,
                                              purpose=(_SEED_CHECKPOINT, seen),
                                              desc="evaluate")]
        counts_e = PresentationResult.concat(parts).counts()
        return float(np.mean(self._decode(self._labels(counts_e, assignments)) == ye))

    def _name_neurons(self, counts: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each neuron's class from labelled responses (Diehl & Cook's assignment; a subclass
        whose neurons have fixed classes overrides this)."""
        return assign_labels(counts, y, self._class_ids)

    def _fit_readout(self, counts: np.ndarray, y: np.ndarray) -> None:
        """Assign neurons (and fit the linear read-out) from labelled responses."""
        self.assignments_ = self._name_neurons(counts, y)
        self.labels_used_ = int(len(y))
        if self.readout == "linear":
            self.readout_coef_, self.readout_intercept_ = fit_linear_readout(
                counts, y, self._class_ids, alpha=float(self.readout_alpha))

    def relabel(self, X: Any, y: Any, *, labelled: Any = None) -> STDPClassifier:
        """A fitted copy whose label assignment uses only the labelled rows of ``(X, y)``.

        The learned weights and thresholds are kept; only the read-out is fitted again
        (rows outside ``labelled`` are ignored), from the same responses ``fit`` would use: with
        ``assign_from="learning"`` and ``X`` the training set of this fit, the responses
        recorded during the last epoch; otherwise a frozen pass over the labelled rows. So
        ``model.relabel(X_train, y, labelled=few)`` predicts as
        ``clone(model).fit(X_train, y, labelled=few)``
        would, since STDP never reads the labels, without repeating the learning (a loaded
        model has no recorded responses: it makes the frozen pass). ``self`` is not changed.

        Parameters
        ----------
        X : array-like (n_samples, n_features) non-negative
        y : array-like (n_samples,) of labels from ``classes_``
        labelled : array-like (n_samples,) of bool, optional
            True where ``y`` holds a label (default: every row).

        Returns
        -------
        STDPClassifier
        """
        self._check_fitted()
        X = self._check_X(X, fitted=True)
        y = np.asarray(y).ravel()
        if len(y) != len(X):
            raise ValueError(f"y must hold one label per row of X ({len(X)}), got {len(y)}")
        lab = self._labelled_mask(labelled, len(X))
        if not lab.any():
            raise ValueError("relabel needs at least one labelled sample (labelled is all "
                             "False)")
        y = self._encode(y, lab)
        out = copy.deepcopy(self)
        recorded = getattr(self, "_train_responses", None)
        if self.assign_from == "learning" and recorded is not None and \
                recorded[0] == _digest(X):
            counts = recorded[1][lab].astype(np.float64)
        else:
            counts = out._respond(X[lab], seed_key=_SEED_ASSIGN, desc="assign").counts()
        out._fit_readout(counts, y[lab])
        return out

    def _labels(self, counts: np.ndarray, assignments: np.ndarray | None = None) -> np.ndarray:
        """Class indices from final-showing spike counts; ``-1`` where no neuron spiked (no
        answer)."""
        if self.readout == "linear" and assignments is None:
            out = linear_predict(counts, self.readout_coef_, self.readout_intercept_,
                                 self._class_ids)
            return np.where(counts.sum(axis=1) > 0, out, -1)
        return vote(counts, self.assignments_ if assignments is None else assignments,
                    self._class_ids)

    @property
    def input_weights_(self) -> np.ndarray:
        """Input weights ``(n_features, n_excitatory)``: each neuron's receptive field."""
        self._check_fitted()
        return self.weights_

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels ``(n_samples,)`` from ``classes_``; :attr:`no_answer_` (``-1`` for
        integer classes) for a sample that evoked no spike from an assigned neuron even after
        its re-shows (no answer)."""
        self._check_fitted()
        X = self._check_X(X, fitted=True)
        return self._decode(self._labels(
            self._respond(X, seed_key=_SEED_PREDICT, desc="predict").counts()))

    def transform(self, X: Any) -> np.ndarray:
        """Excitatory spike counts of each sample's final showing ``(n_samples,
        n_excitatory)``, learning frozen (the responses ``predict`` votes with)."""
        self._check_fitted()
        X = self._check_X(X, fitted=True)
        return self._respond(X, seed_key=_SEED_PREDICT, desc="transform").counts()

    def predict_at(self, X: Any, times_ms: Any) -> np.ndarray:
        """Anytime answers: predictions from the spikes of the first ``t`` ms after onset.

        ``t`` is measured from the onset of each sample's first showing and only that showing's
        spikes count (a re-show starts after it ends and cannot change it), so the answer at
        the full presentation can differ from :meth:`predict`, which votes with the final
        showing of a sample that was re-shown. The simulation is the one ``predict`` makes.

        Parameters
        ----------
        X : array-like (n_samples, n_features)
        times_ms : array-like of float
            Cut-offs in ``(0, presentation_ms]``.

        Returns
        -------
        ndarray (len(times_ms), n_samples) of int
            Row ``r`` predicts from spikes before ``times_ms[r]``; ``-1`` where no assigned
            neuron has spiked yet (no answer; it counts as wrong). One simulation serves all.
        """
        self._check_fitted()
        X = self._check_X(X, fitted=True)
        t = np.atleast_1d(np.asarray(times_ms, dtype=np.float64))
        if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)):
            raise ValueError("times_ms must be a non-empty 1-D array of finite times (ms)")
        if t.min() <= 0 or t.max() > self.presentation_ms:
            raise ValueError(f"times_ms must lie in (0, presentation_ms={self.presentation_ms}]"
                             f", got [{t.min()}, {t.max()}]")
        res = self._respond(X, seed_key=_SEED_PREDICT, desc="predict_at", reuse=True)
        steps = np.ceil(t / self.dt_ms - 1e-9).astype(np.int64)
        return np.stack([self._decode(self._labels(res.counts(s, showing="first")))
                         for s in steps])

    def spikes(self, X: Any, *, as_neo: bool = False) -> Any:
        """The excitatory spikes of each sample's first showing (learning frozen), for rasters.

        Parameters
        ----------
        X : array-like (n_samples, n_features)
        as_neo : bool
            Return ``trains[sample][neuron]`` as ``neo.SpikeTrain`` objects (ms, from 0 to
            ``presentation_ms``; :func:`neurosim.neo_export.to_spiketrains`), the format
            Elephant and the electrophysiology tools read; needs ``neo``
            (``pip install 'brain-vs-ann[interop]'``).

        Returns
        -------
        dict of ndarray (n_spikes,), or list of lists of neo.SpikeTrain
            ``sample`` (row of ``X``), ``neuron`` and ``t_ms`` (time since the showing's
            onset, ms). The simulation is the one :meth:`predict` makes.
        """
        self._check_fitted()
        X = self._check_X(X, fitted=True)
        res = self._respond(X, seed_key=_SEED_PREDICT, desc="spikes", reuse=True)
        out = {"sample": res.first_show_sample.copy(), "neuron": res.first_show_neuron.copy(),
               "t_ms": res.first_show_step * float(self.dt_ms)}
        if as_neo:
            from neurosim.neo_export import to_spiketrains

            return to_spiketrains(out, n_samples=X.shape[0], n_neurons=self.n_excitatory,
                                  t_stop_ms=float(self.presentation_ms))
        return out

    def save(self, path: Any) -> None:
        """Write the fitted model to one ``.npz`` (see :func:`neurosim.io.save_classifier`)."""
        from neurosim.io import save_classifier

        save_classifier(self, path)

    def fitted_state(self) -> dict[str, Any]:
        """The learned state, for :mod:`neurosim.io`: ``{"arrays": {...}, "meta": {...}}``
        (arrays, and JSON-able scalars and history), enough to rebuild the fitted model with
        :meth:`from_fitted_state`."""
        self._check_fitted()
        arrays = {"weights_": self.weights_, "theta_mV_": self.theta_mV_,
                  "assignments_": self.assignments_, "classes_": self.classes_}
        if self.readout == "linear":
            arrays["readout_coef_"] = self.readout_coef_
            arrays["readout_intercept_"] = self.readout_intercept_
        meta = {k: getattr(self, k) for k in (
            "seed_", "n_features_in_", "train_samples_", "epochs_", "labels_used_",
            "history_", "compile_s_", "fit_wall_s_", "fit_times_", "backend_",
            "footprint_bytes_", "train_presentations_per_sample_", "train_reshown_frac_")}
        return {"arrays": arrays, "meta": json.loads(json.dumps(meta, default=float))}

    @classmethod
    def from_fitted_state(cls, params: dict[str, Any], state: dict[str, Any]
                          ) -> STDPClassifier:
        """Inverse of :meth:`fitted_state`: a fitted model from its parameters and state."""
        model = cls(**params).check_params()
        arrays, meta = state["arrays"], state["meta"]
        model.weights_ = np.asarray(arrays["weights_"], dtype=np.float64)
        model.theta_mV_ = np.asarray(arrays["theta_mV_"], dtype=np.float64)
        model.assignments_ = np.asarray(arrays["assignments_"], dtype=np.int64)
        model.classes_ = np.asarray(arrays["classes_"])
        if "readout_coef_" in arrays:
            model.readout_coef_ = np.asarray(arrays["readout_coef_"], dtype=np.float64)
            model.readout_intercept_ = np.asarray(arrays["readout_intercept_"],
                                                  dtype=np.float64)
        for key, value in meta.items():
            setattr(model, key, value)
        n_in, n_exc = model.weights_.shape
        if n_exc != model.n_excitatory or n_in != model.n_features_in_:
            raise ValueError(f"inconsistent state: weights {model.weights_.shape} vs "
                             f"n_features_in_={model.n_features_in_}, "
                             f"n_excitatory={model.n_excitatory}")
        return model
