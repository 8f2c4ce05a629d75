"""ANN-to-SNN conversion: a trained ReLU MLP as a rate-coded network of integrate-and-fire neurons.

:func:`convert` takes the weight and bias arrays of a trained ReLU multi-layer perceptron (plain
NumPy arrays, e.g. ``ann.MLPClassifier().coefs_`` / ``.intercepts_``; this module never imports
``ann``) and returns a :class:`ConvertedNetwork` whose ``predict``, ``predict_at`` and ``cost``
run the spiking version in Brian2.

The recipe (Diehl et al. 2015; Rueckauer et al. 2017):

1. **Data-based weight normalisation.** Run the ANN on ``X_calibration`` and take, for every
   layer ``l``, the ``percentile``-th percentile ``lambda_l`` of its *non-zero* ReLU activations
   (the output layer: of its positive pre-softmax outputs); ``lambda_0 = 1`` for inputs in
   [0, 1]. Then ``W_l <- W_l lambda_{l-1} / lambda_l`` and ``b_l <- b_l / lambda_l``, so that a
   unit at activation ``lambda_l`` fires at the maximum rate of one spike per step. Diehl et al.
   used the maximum (``percentile=100``); Rueckauer et al. showed that a high percentile (99.9)
   is robust to outliers and lets the bulk of the units fire faster. The percentile is taken over
   the non-zero activations, as in their toolbox (``snntoolbox.conversion.utils``).
2. **Integrate-and-fire neurons with reset by subtraction.** Every hidden and output unit is a
   non-leaky IF neuron with membrane potential ``v`` in units of its threshold::

       v(t + dt) = v(t) + b_l' + sum_j W_l'[j, i] s_j(t)  (+ x W_1' for the first layer)
       spike when v >= 1:  v <- v - 1        (reset by subtraction: the surplus is kept)

   After ``k`` steps a neuron has fired (input charge - ``v``) times, so its rate per step is
   its mean input, ``clip(a_l / lambda_l, 0, 1)`` for a unit of ANN activation ``a_l``, up to
   an error of ``v / k`` that shrinks as ``1 / k`` (Rueckauer et al. 2017 derive this; reset to
   zero would lose the surplus at every spike and bias the rate down).
3. **Input coding** (``input_coding``):

   - ``"current"`` (default, Rueckauer et al.): the first layer is driven by the constant analog
     current ``x W_1' + b_1'`` per step. It is computed **once per sample** (the first layer's
     work is counted as ``effective_macs``: non-zero inputs x non-zero fan-out, once) and then
     integrated by the first-layer neurons every step (counted in ``membrane_updates``). Fully
     deterministic; ``random_state`` is unused.
   - ``"poisson"``: input ``i`` emits a spike in each step with probability
     ``x_i * input_rate_hz * dt`` (Bernoulli per step, the discrete Poisson process Brian2's
     ``PoissonGroup`` also draws), each spike adding ``W_1'[i] / (input_rate_hz * dt)`` so that
     the expected drive equals the analog one. The draws come from
     ``numpy.random.default_rng`` seeded by ``random_state`` (one child stream per batch of
     ``batch_size`` samples), so the same ``X``, ``random_state`` and ``batch_size`` give the
     same spikes. Counted as ``input_draws`` = inputs x steps, and the input spikes' synaptic
     events as ``effective_acs``.

4. **Read-out.** The class is the output neuron that received the most charge in the first
   ``t`` ms: its spike count plus its residual membrane potential (in threshold units). With
   reset by subtraction this is exactly the time integral of its input, and whenever no output
   neuron is driven above one spike per step it equals "most spikes, ties broken by the higher
   membrane potential". An answer exists from the first step (then from the biases alone); it
   converges to the ANN's ``argmax`` as ``t`` grows.

Simulation (how the batch runs in Brian2): each layer ``l`` is one ``NeuronGroup`` of
``n_batch x n_l`` IF neurons, one independent copy of the network per sample of the batch, with
the integrate/threshold/reset done by Brian2 (``v`` dimensionless, the constant drive
``drive`` in Hz). Synaptic transmission is a ``network_operation`` in the ``synapses`` slot
(after thresholds, before resets) that adds ``spikes_{l-1} @ W_l'`` to ``v`` of layer ``l``
with one dense NumPy matrix product per layer and step, instead of ``Synapses`` objects with a
block-diagonal structure (``n_batch x n_in x n_out`` synapses). A spike therefore reaches the
next layer's threshold one step later (a delay of ``dt`` per layer). Measured once while
choosing (2 shared cores, digits test set: 395 samples, 64-128-10, 200 steps of 1 ms, one
Brian2 run): 0.34 s of stepping with the ``network_operation`` vs 0.94 s with block-diagonal
``Synapses``, both on Brian2's ``numpy`` target (the ``cython`` target was no faster and adds
a 10-25 s first compile); with building the network, about 1-2 ms of wall time per sample
(``benchmarks/conversion_check.py`` prints it). The costs
reported by :meth:`ConvertedNetwork.cost` count what an event-driven implementation does
(spikes x non-zero fan-out), not the dense products used to simulate it.

References
----------
Diehl, P. U., Neil, D., Binas, J., Cook, M., Liu, S.-C. & Pfeiffer, M. (2015). Fast-classifying,
high-accuracy spiking deep networks through weight and threshold balancing. IJCNN 2015.

Rueckauer, B., Lungu, I.-A., Hu, Y., Pfeiffer, M. & Liu, S.-C. (2017). Conversion of
continuous-valued deep networks to efficient event-driven networks for image classification.
Frontiers in Neuroscience 11:682.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import brian2 as b2
import numpy as np

from contract import InvalidParameterError, cost_record
from neurosim._checks import (
    as_float_array,
    check_choice,
    check_int,
    check_positive,
    check_seed,
    check_unit_interval,
    codegen_target,
)

__all__ = [
    "DEFAULT_DURATION_MS",
    "DEFAULT_PERCENTILE",
    "INPUT_CODINGS",
    "ConvertedNetwork",
    "SimulationResult",
    "convert",
    "data_based_scales",
    "if_group",
    "normalize_parameters",
]

#: Accepted values of ``input_coding``.
INPUT_CODINGS = ("current", "poisson")

#: Defaults of :func:`convert`, chosen on validation splits of training data by
#: ``benchmarks/conversion_check.py`` (see :func:`convert`).
DEFAULT_PERCENTILE = 99.0
DEFAULT_DURATION_MS = 20.0

#: Brian2 equations of the IF neuron: ``v`` in units of the threshold, ``drive`` the constant
#: part of the input (bias, and for the first layer with current coding the analog input) in
#: threshold units per second, ``count`` its spikes so far.
IF_MODEL = "dv/dt = drive : 1\ndrive : hertz (constant)\ncount : integer\n"
IF_THRESHOLD = "v >= 1"
IF_RESET = "v -= 1\ncount += 1"  # reset by subtraction (Rueckauer et al. 2017)

# Steps are floor(t / dt) with this tolerance, so that t = 3 * 0.1 ms is 3 steps, not 2.
_STEP_EPS = 1e-9


# -- validation helpers ---------------------------------------------------------------------------
def _option(check: Callable[..., Any], name: str, value: object, **kwargs: Any) -> Any:
    """Run one ``neurosim._checks`` check on an option, re-raising as InvalidParameterError."""
    try:
        return check(name, value, **kwargs)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(name, str(exc)) from None


def _check_layers(coefs: object, intercepts: object) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Validated float64 copies of the weight matrices and bias vectors of a chain of layers."""
    for name, value in (("coefs", coefs), ("intercepts", intercepts)):
        if isinstance(value, np.ndarray) or not isinstance(value, Sequence) or isinstance(
                value, str):
            raise TypeError(f"{name} must be a list of arrays, one per layer (e.g. "
                            f"MLPClassifier().coefs_ / .intercepts_), got {type(value).__name__}")
    if len(coefs) == 0:
        raise ValueError("coefs is empty; pass the weight arrays of at least one layer")
    if len(intercepts) != len(coefs):
        raise ValueError(f"intercepts has {len(intercepts)} arrays but coefs has {len(coefs)}; "
                         "pass one bias vector per weight matrix")
    weights, biases = [], []
    for layer, (w, b) in enumerate(zip(coefs, intercepts, strict=True)):
        w = as_float_array(f"coefs[{layer}]", w, ndim=2)
        b = as_float_array(f"intercepts[{layer}]", b, ndim=1)
        if w.shape[0] < 1 or w.shape[1] < 1:
            raise ValueError(f"coefs[{layer}] has shape {w.shape}; a layer needs at least one "
                             "input and one unit")
        if weights and w.shape[0] != weights[-1].shape[1]:
            raise ValueError(f"coefs[{layer}] has {w.shape[0]} rows but coefs[{layer - 1}] has "
                             f"{weights[-1].shape[1]} columns; pass the (n_in, n_out) weight "
                             "matrices of consecutive layers in order")
        if b.shape != (w.shape[1],):
            raise ValueError(f"intercepts[{layer}] has shape {b.shape} but coefs[{layer}] has "
                             f"{w.shape[1]} units; pass bias vectors of shape ({w.shape[1]},)")
        weights.append(w)
        biases.append(b)
    return weights, biases


def _check_X(name: str, X: object, n_features: int) -> np.ndarray:
    """A float64 copy of a 2-D input in [0, 1] with ``n_features`` columns and >= 1 row."""
    arr = check_unit_interval(name, as_float_array(name, X, ndim=2))
    if arr.shape[1] != n_features:
        raise ValueError(f"{name} has {arr.shape[1]} features but the network has "
                         f"{n_features} inputs; pass data with the training features")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no samples; pass at least one row")
    return arr


def _steps(name: str, t_ms: float, dt_ms: float) -> int:
    """Number of whole steps in the first ``t_ms`` ms (at least one)."""
    steps = math.floor(t_ms / dt_ms + _STEP_EPS)
    if steps < 1:
        raise InvalidParameterError(name, f"{name}={t_ms:g} ms is shorter than one step "
                                          f"(dt_ms={dt_ms:g}); pass at least {dt_ms:g} ms")
    return steps


# -- the functional core: normalisation ---------------------------------------------------------
def data_based_scales(coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray],
                      X_calibration: np.ndarray,
                      percentile: float = DEFAULT_PERCENTILE) -> np.ndarray:
    """Per-layer scale factors ``lambda_l`` of data-based normalisation.

    ``a_0 = X``, ``a_l = max(0, a_{l-1} W_l + b_l)`` (the output layer too: only its positive
    part can be represented by a rate); ``lambda_l`` is the ``percentile``-th percentile (NumPy's
    linear interpolation) of the non-zero entries of ``a_l`` over all samples and units
    (Rueckauer et al. 2017; ``percentile=100`` is Diehl et al.'s maximum).

    Parameters
    ----------
    coefs : list of ndarray, shapes ``(n_0, n_1), (n_1, n_2), ...``
        Weight matrices of the ReLU MLP, input layer first.
    intercepts : list of ndarray, shapes ``(n_1,), (n_2,), ...``
        Bias vectors.
    X_calibration : ndarray, shape (n_samples, n_0)
        Inputs in [0, 1] (e.g. the training set). Not modified.
    percentile : float in (0, 100]
        Which percentile of the non-zero activations maps to the maximum rate.

    Returns
    -------
    ndarray, shape (n_layers,), float64
        ``lambda_1 ... lambda_L`` (``lambda_0 = 1`` is implied), all > 0.

    Raises
    ------
    ValueError
        A layer has no positive activation on ``X_calibration`` (its scale is undefined).
    """
    weights, biases = _check_layers(coefs, intercepts)
    X = _check_X("X_calibration", X_calibration, weights[0].shape[0])
    q = _check_percentile(percentile)
    scales = np.empty(len(weights))
    a = X
    for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
        a = np.maximum(a @ w + b, 0.0)
        nonzero = a[a > 0.0]
        if nonzero.size == 0:
            raise ValueError(f"layer {layer} (coefs[{layer}]) has no positive activation on "
                             "X_calibration, so its scale is undefined; pass more (or more "
                             "varied) calibration samples, e.g. the whole training set")
        scales[layer] = float(np.percentile(nonzero, q))
    return scales


def normalize_parameters(coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray],
                         scales: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Apply the scales: ``W_l' = W_l lambda_{l-1} / lambda_l``, ``b_l' = b_l / lambda_l``.

    Parameters
    ----------
    coefs, intercepts : lists of ndarray
        As for :func:`data_based_scales`. Not modified.
    scales : ndarray, shape (n_layers,)
        ``lambda_1 ... lambda_L`` (> 0); ``lambda_0 = 1``.

    Returns
    -------
    (weights, biases) : lists of new float64 arrays, same shapes as ``coefs``/``intercepts``
        In threshold units: a weight of 1 moves the membrane by one threshold.
    """
    weights, biases = _check_layers(coefs, intercepts)
    lam = as_float_array("scales", scales, ndim=1)
    if lam.shape != (len(weights),) or np.any(lam <= 0.0):
        raise ValueError(f"scales must hold {len(weights)} positive numbers (one per layer), "
                         f"got {lam.tolist()}")
    prev = np.concatenate([[1.0], lam[:-1]])
    return ([w * (p / s) for w, p, s in zip(weights, prev, lam, strict=True)],
            [b / s for b, s in zip(biases, lam, strict=True)])


def _check_percentile(value: object) -> float:
    q = _option(check_positive, "percentile", value)
    if q > 100.0:
        raise InvalidParameterError("percentile", f"percentile must be in (0, 100], got {q:g}; "
                                                  "pass e.g. 99.9 (Rueckauer et al.) or 100")
    return q


# -- Brian2 ---------------------------------------------------------------------------------------
def if_group(n: int, *, dt_ms: float, drive_per_step: float | np.ndarray = 0.0,
             name: str = "if_layer*") -> b2.NeuronGroup:
    """``n`` non-leaky integrate-and-fire neurons with reset by subtraction (Brian2).

    ``dv/dt = drive`` (``v`` in units of the threshold, starts at 0); spike when ``v >= 1``,
    then ``v -= 1`` and ``count += 1``. A constant ``drive_per_step = c`` therefore gives
    ``floor(k c)`` spikes in ``k`` steps for ``0 <= c <= 1`` (up to floating-point rounding at
    an exact hit), a rate of ``c / dt``; nothing of the input is lost at a reset (reset to zero
    would discard ``v - 1``), so ``count + v`` is always the total input.

    Parameters
    ----------
    n : int
        Number of neurons, >= 1.
    dt_ms : float
        Time step (ms) of the group's clock, > 0.
    drive_per_step : float or ndarray of shape (n,)
        Constant input per step, in threshold units (stored as ``drive`` in Hz =
        ``drive_per_step / dt``).
    name : str
        Brian2 object name; a trailing ``*`` makes it unique.

    Returns
    -------
    brian2.NeuronGroup
        Integrated with forward Euler, which is exact for a constant drive.
    """
    n = check_int("n", n, minimum=1)
    dt = check_positive("dt_ms", dt_ms)
    drive = as_float_array("drive_per_step", drive_per_step)
    if drive.ndim not in (0, 1) or (drive.ndim == 1 and drive.shape != (n,)):
        raise ValueError(f"drive_per_step must be a number or have shape ({n},), got "
                         f"{drive.shape}")
    group = b2.NeuronGroup(n, IF_MODEL, threshold=IF_THRESHOLD, reset=IF_RESET, method="euler",
                           dt=dt * b2.ms, name=name)
    group.drive = drive / (dt * 1e-3) * b2.Hz
    return group


@dataclass
class SimulationResult:
    """What the converted network did on a batch of samples.

    Attributes
    ----------
    steps : int
        Simulated steps per sample.
    scores : ndarray, shape (n_times, n_samples, n_outputs)
        Charge of each output neuron (spike count + membrane potential, threshold units) at the
        end of each requested step count.
    spike_counts : list of ndarray, shapes (n_samples, n_l)
        Spikes of every neuron of every (hidden and output) layer over all ``steps``.
    input_spike_counts : ndarray, shape (n_samples, n_inputs), or None
        Input spikes (``"poisson"`` coding only).
    first_output_step : ndarray, shape (n_samples,), int
        1-based step of the first output-layer spike; 0 when the output layer stayed silent.
    """

    steps: int
    scores: np.ndarray
    spike_counts: list[np.ndarray]
    input_spike_counts: np.ndarray | None
    first_output_step: np.ndarray


class _Transmission:
    """The per-step ``network_operation``: input spikes, synaptic transmission, read-out.

    Called once per step in the ``synapses`` slot, i.e. after every layer's threshold and
    before its reset. With ``groups[l]`` holding ``n_batch x n_l`` neurons (sample-major):

    - ``"poisson"`` coding: draw the input spikes of this step and add ``s @ W_in`` to layer 0;
    - add ``spikes_{l-1} @ W_l`` to ``v`` of layer ``l`` (spikes of this step: delay ``dt``);
    - note the first output spike of each sample;
    - at the requested step counts, store the output charge ``count + v`` (unchanged by the
      reset that follows, so it may be read before it).
    """

    def __init__(self, groups: list[b2.NeuronGroup], weights: list[np.ndarray], n_batch: int,
                 record_steps: np.ndarray, input_weights: np.ndarray | None = None,
                 input_prob: np.ndarray | None = None,
                 rng: np.random.Generator | None = None) -> None:
        self.groups = groups
        self.weights = weights
        self.n_batch = n_batch
        self.sizes = [w.shape[1] for w in weights]
        # Views of Brian2's own state arrays (runtime device): in-place updates are seen by the
        # generated code.
        self.v = [g.variables["v"].get_value().reshape(n_batch, n) for g, n
                  in zip(groups, self.sizes, strict=True)]
        self.count_out = groups[-1].variables["count"].get_value().reshape(n_batch, -1)
        self.record_at = {int(s): j for j, s in enumerate(record_steps)}
        self.scores = np.zeros((len(record_steps), n_batch, self.sizes[-1]))
        self.input_weights = input_weights
        self.input_prob = input_prob
        self.rng = rng
        self.input_counts = (None if input_prob is None
                             else np.zeros(input_prob.shape, dtype=np.int64))
        self.first_out = np.zeros(n_batch, dtype=np.int64)
        self.step = 0

    def __call__(self) -> None:
        self.step += 1
        if self.rng is not None:
            spikes_in = self.rng.random(self.input_prob.shape) < self.input_prob
            self.input_counts += spikes_in
            self.v[0] += spikes_in @ self.input_weights
        for layer in range(1, len(self.groups)):
            idx = self.groups[layer - 1].spikes
            if idx.size:
                s = np.zeros(self.n_batch * self.sizes[layer - 1])
                s[idx] = 1.0
                self.v[layer] += s.reshape(self.n_batch, -1) @ self.weights[layer]
        out = self.groups[-1].spikes
        if out.size:
            samples = np.unique(out // self.sizes[-1])
            new = samples[self.first_out[samples] == 0]
            self.first_out[new] = self.step
        j = self.record_at.get(self.step)
        if j is not None:
            self.scores[j] = self.count_out + self.v[-1]


# -- the converted network ------------------------------------------------------------------------
class ConvertedNetwork:
    """A ReLU MLP converted to integrate-and-fire neurons; built by :func:`convert`.

    Attributes
    ----------
    weights_ : list of ndarray, shapes ``(n_0, n_1), ..., (n_{L-1}, n_L)``, float64
        Normalised weights in threshold units.
    biases_ : list of ndarray, shapes ``(n_1,), ..., (n_L,)``, float64
        Normalised biases: the constant input per step, in threshold units.
    scales_ : ndarray, shape (n_layers,)
        The data-based scale factors ``lambda_l`` (see :func:`data_based_scales`).
    classes_ : ndarray, shape (n_L,)
        Label of each output neuron.
    n_features_in_ : int
        Number of inputs.
    percentile, duration_ms, dt_ms, input_coding, input_rate_hz, random_state, batch_size,
    train_samples, epochs, labels_used
        The options of :func:`convert`.
    """

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray], scales: np.ndarray,
                 classes: np.ndarray, *, percentile: float, duration_ms: float, dt_ms: float,
                 input_coding: str, input_rate_hz: float | None, random_state: int | None,
                 batch_size: int, train_samples: int, epochs: int, labels_used: int) -> None:
        """Store validated arrays and options (use :func:`convert`, which validates them)."""
        self.weights_ = weights
        self.biases_ = biases
        self.scales_ = scales
        self.classes_ = classes
        self.n_features_in_ = int(weights[0].shape[0])
        self.percentile = percentile
        self.duration_ms = duration_ms
        self.dt_ms = dt_ms
        self.input_coding = input_coding
        self.input_rate_hz = input_rate_hz
        self.random_state = random_state
        self.batch_size = batch_size
        self.train_samples = train_samples
        self.epochs = epochs
        self.labels_used = labels_used

    def __repr__(self) -> str:
        sizes = "-".join(str(n) for n in [self.n_features_in_, *(w.shape[1] for w in
                                                                 self.weights_)])
        return (f"ConvertedNetwork({sizes}, percentile={self.percentile:g}, "
                f"duration_ms={self.duration_ms:g}, dt_ms={self.dt_ms:g}, "
                f"input_coding={self.input_coding!r})")

    # -- simulation ------------------------------------------------------------------------------
    @property
    def steps_(self) -> int:
        """Steps of one presentation: ``floor(duration_ms / dt_ms)``."""
        return _steps("duration_ms", self.duration_ms, self.dt_ms)

    def _input_rate_hz(self) -> float:
        return 1000.0 / self.dt_ms if self.input_rate_hz is None else float(self.input_rate_hz)

    def _batch(self, X: np.ndarray, record_steps: np.ndarray, steps: int,
               rng: np.random.Generator | None) -> SimulationResult:
        """Simulate one batch of samples (independent copies of the network) in one Brian2 run."""
        n_batch = X.shape[0]
        dt_s = self.dt_ms * 1e-3
        groups = []
        for layer, b in enumerate(self.biases_):
            drive = np.tile(b, n_batch)
            if layer == 0 and self.input_coding == "current":
                drive = (X @ self.weights_[0] + b).ravel()
            groups.append(if_group(drive.size, dt_ms=self.dt_ms, drive_per_step=drive,
                                   name=f"conversion_layer{layer}_*"))
        kwargs: dict[str, Any] = {}
        if self.input_coding == "poisson":
            rate_dt = self._input_rate_hz() * dt_s
            kwargs = {"input_weights": self.weights_[0] / rate_dt, "input_prob": X * rate_dt,
                      "rng": rng}
        op = _Transmission(groups, self.weights_, n_batch, record_steps, **kwargs)
        net = b2.Network(*groups, b2.NetworkOperation(op, when="synapses",
                                                      dt=self.dt_ms * b2.ms))
        net.run(steps * self.dt_ms * b2.ms, namespace={})
        if op.step != steps:  # pragma: no cover - a Brian2 clock rounding surprise
            raise RuntimeError(f"Brian2 ran {op.step} steps instead of {steps}")
        return SimulationResult(
            steps=steps,
            scores=op.scores,
            spike_counts=[np.array(g.count_[:], dtype=np.int64).reshape(n_batch, -1)
                          for g in groups],
            input_spike_counts=op.input_counts,
            first_output_step=op.first_out,
        )

    def simulate(self, X: object, times_ms: object | None = None) -> SimulationResult:
        """Run the network on ``X``: one presentation of ``max(times_ms)`` ms per sample.

        Samples are simulated ``batch_size`` at a time, each batch in one Brian2 run.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
            Inputs in [0, 1]. Not modified.
        times_ms : array-like of float, shape (n_times,), optional
            Read-out times (ms from onset, each >= ``dt_ms``); default ``[duration_ms]``.

        Returns
        -------
        SimulationResult
        """
        X = _check_X("X", X, self.n_features_in_)
        if times_ms is None:
            times_ms = [self.duration_ms]
        times = as_float_array("times_ms", times_ms, ndim=1)
        if times.size == 0:
            raise ValueError("times_ms is empty; pass at least one read-out time in ms")
        record = np.array([_steps("times_ms", t, self.dt_ms) for t in times], dtype=np.int64)
        steps = int(record.max())
        starts = range(0, X.shape[0], self.batch_size)
        streams: list[np.random.Generator | None] = [None] * len(starts)
        if self.input_coding == "poisson":
            seeds = np.random.SeedSequence(self.random_state).spawn(len(starts))
            streams = [np.random.default_rng(s) for s in seeds]
        with codegen_target("numpy"):
            parts = [self._batch(X[start : start + self.batch_size], record, steps, rng)
                     for start, rng in zip(starts, streams, strict=True)]
        return SimulationResult(
            steps=steps,
            scores=np.concatenate([p.scores for p in parts], axis=1),
            spike_counts=[np.concatenate([p.spike_counts[layer] for p in parts])
                          for layer in range(len(self.weights_))],
            input_spike_counts=(None if self.input_coding == "current" else
                                np.concatenate([p.input_spike_counts for p in parts])),
            first_output_step=np.concatenate([p.first_output_step for p in parts]),
        )

    # -- read-out --------------------------------------------------------------------------------
    def predict_at(self, X: object, times_ms: object) -> np.ndarray:
        """The anytime answer: predictions from the first ``t`` ms of each presentation.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
            Inputs in [0, 1].
        times_ms : array-like of float, shape (n_times,)
            Read-out times in ms from onset, each >= ``dt_ms`` (``floor(t / dt)`` steps); may
            exceed ``duration_ms`` (the presentation runs to the longest).

        Returns
        -------
        ndarray, shape (n_times, n_samples)
            Labels from ``classes_``: the output neuron with the most charge (spike count +
            membrane potential) at each time.
        """
        scores = self.simulate(X, times_ms).scores
        return self.classes_[np.argmax(scores, axis=2)]

    def predict(self, X: object) -> np.ndarray:
        """Labels after ``duration_ms``, shape (n_samples,)."""
        return self.predict_at(X, [self.duration_ms])[0]

    def score(self, X: object, y: object) -> float:
        """Accuracy of :meth:`predict` on ``(X, y)``."""
        pred = self.predict(X)
        y = np.asarray(y)
        if y.shape != pred.shape:
            raise ValueError(f"y must have shape {pred.shape} (one label per sample of X), got "
                             f"{y.shape}")
        return float(np.mean(pred == y))

    # -- cost ------------------------------------------------------------------------------------
    def footprint_bytes(self) -> int:
        """Bytes the simulator holds for one copy of the network (one sample).

        Every array variable Brian2 allocates for the IF neurons of a one-sample network
        (``v``, ``drive`` float64; ``count``, the index ``i`` and the ``_spikespace`` int32),
        plus the normalised weights and biases as the transmission step holds them (float64).
        The input table (``X``) and the read-out snapshots are excluded.
        """
        total = 0
        with codegen_target("numpy"):
            groups = [if_group(w.shape[1], dt_ms=self.dt_ms, name="conversion_footprint*")
                      for w in self.weights_]
            b2.Network(*groups).run(0 * b2.ms, namespace={})  # allocates as for a real run
            for group in groups:
                total += sum(var.size * np.dtype(var.dtype).itemsize
                             for var in group.variables.values()
                             if isinstance(var, b2.core.variables.ArrayVariable)
                             and not var.scalar and getattr(var.owner, "name", None) == group.name)
        total += sum(w.nbytes for w in self.weights_) + sum(b.nbytes for b in self.biases_)
        return int(total)

    def cost(self, X: object | None = None) -> dict[str, Any]:
        """The comparison metrics of one inference (``contract.COST_METRICS``, ``snn`` column).

        What is counted (per sample; ``per="inference"`` metrics are means over ``X`` and
        ``None`` without ``X`` when they need data):

        - ``neurons`` = IF neurons of the hidden and output layers (inputs excluded);
          ``synapses`` = all weights (the first layer's too, also with current coding);
          ``params`` = weights + biases (thresholds are fixed at 1);
          ``footprint_bytes`` = :meth:`footprint_bytes`; ``parallel_width`` = all IF neurons.
        - ``timesteps`` = ``sequential_depth`` = ``steps_to_final_output`` =
          ``floor(duration_ms / dt_ms)``; one presentation, no rest.
        - ``dense_ops`` = synapses x timesteps; ``membrane_updates`` = IF neurons x timesteps.
        - ``effective_acs`` = presynaptic spikes x their non-zero fan-out, summed over the hidden
          layers (and, with ``"poisson"`` coding, the input spikes into the first layer). The
          constant bias current integrated every step is part of the membrane update, not an AC.
        - ``effective_macs``: with ``"current"`` coding the first layer's analog input
          ``x W_1'`` is computed once per sample at the first step: non-zero inputs x their
          non-zero fan-out. 0 with ``"poisson"`` coding.
        - ``input_draws`` = inputs x timesteps with ``"poisson"`` coding, 0 with ``"current"``.
        - ``activation_sparsity`` = neuron-steps without a spike over *all* IF neurons (hidden
          and output); ``spike_rate_hz`` = spikes per IF neuron per simulated second;
          ``fraction_active`` = hidden IF neurons that spiked at least once (the output layer
          excluded, as the ANN counts hidden units).
        - ``steps_to_first_output`` = median over the samples whose output layer spiked of the
          step of the first output spike (``ms_to_first_output`` = that x ``dt_ms``); ``None``
          when no sample's output layer spiked.
        - ``update_locality`` = ``"global"`` (the weights come from backpropagation);
          ``train_samples``, ``epochs``, ``labels_used`` = the options passed to
          :func:`convert` (0 unless the caller passes the ANN's).

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features), optional
            Inputs in [0, 1].

        Returns
        -------
        dict
            ``contract.cost_record`` of exactly ``contract.COST_KEYS``.
        """
        steps = self.steps_
        sizes = [w.shape[1] for w in self.weights_]
        n_neurons = int(sum(sizes))
        n_synapses = int(sum(w.size for w in self.weights_))
        n_zero = int(sum(np.count_nonzero(w == 0.0) for w in self.weights_))
        poisson = self.input_coding == "poisson"
        values: dict[str, Any] = {
            "neurons": n_neurons,
            "synapses": n_synapses,
            "params": n_synapses + int(sum(b.size for b in self.biases_)),
            "footprint_bytes": self.footprint_bytes(),
            "footprint_dtype": "float64 state, weights and biases + int32 counts and indices",
            "connection_sparsity": n_zero / n_synapses,
            "parallel_width": n_neurons,
            "update_locality": "global",
            "train_samples": int(self.train_samples),
            "epochs": int(self.epochs),
            "labels_used": int(self.labels_used),
            "presentations_per_sample": 1,
            "timesteps": steps,
            "sim_ms_per_inference": steps * self.dt_ms,
            "sequential_depth": steps,
            "steps_to_final_output": steps,
            "dense_ops": n_synapses * steps,
            "membrane_updates": n_neurons * steps,
            "input_draws": self.n_features_in_ * steps if poisson else 0,
            "effective_macs": None,
            "effective_acs": None,
            "activation_sparsity": None,
            "spike_rate_hz": None,
            "fraction_active": None,
            "steps_to_first_output": None,
            "ms_to_first_output": None,
        }
        if X is not None:
            Xc = _check_X("X", X, self.n_features_in_)
            sim = self.simulate(Xc, [self.duration_ms])
            fanout = [np.count_nonzero(w, axis=1) for w in self.weights_]  # (n_in_l,)
            acs = sum(float((c @ f).mean()) for c, f in zip(sim.spike_counts[:-1], fanout[1:],
                                                            strict=True))
            if poisson:
                acs += float((sim.input_spike_counts @ fanout[0]).mean())
                macs = 0.0
            else:
                macs = float(((Xc != 0.0) @ fanout[0]).mean())
            spikes = float(sum(c.sum(axis=1) for c in sim.spike_counts).mean())
            hidden = sim.spike_counts[:-1]
            active = (float(np.mean(np.concatenate([c > 0 for c in hidden], axis=1).mean(axis=1)))
                      if hidden else None)
            fired = sim.first_output_step[sim.first_output_step > 0]
            first = float(np.median(fired)) if fired.size else None
            values.update({
                "effective_macs": macs,
                "effective_acs": acs,
                "activation_sparsity": 1.0 - spikes / (n_neurons * steps),
                "spike_rate_hz": spikes / (n_neurons * steps * self.dt_ms * 1e-3),
                "fraction_active": active,
                "steps_to_first_output": first,
                "ms_to_first_output": None if first is None else first * self.dt_ms,
            })
        return cost_record(values)


# -- the entry point ------------------------------------------------------------------------------
def convert(coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray], X_calibration: object,
            *, percentile: float = DEFAULT_PERCENTILE,
            duration_ms: float = DEFAULT_DURATION_MS, dt_ms: float = 1.0,
            input_coding: str = "current", input_rate_hz: float | None = None,
            random_state: int | None = None, batch_size: int = 1024,
            classes: object | None = None, train_samples: int = 0, epochs: int = 0,
            labels_used: int = 0) -> ConvertedNetwork:
    """Convert a trained ReLU MLP into a rate-coded network of IF neurons (see module docstring).

    Parameters
    ----------
    coefs : list of ndarray, shapes ``(n_0, n_1), ..., (n_{L-1}, n_L)``
        Weight matrices, input layer first (``MLPClassifier.coefs_``). The hidden layers must
        be ReLU; the output layer's activation (softmax) is replaced by the read-out's argmax.
        Not modified.
    intercepts : list of ndarray, shapes ``(n_1,), ..., (n_L,)``
        Bias vectors (``MLPClassifier.intercepts_``).
    X_calibration : array-like, shape (n_samples, n_0)
        Inputs in [0, 1] whose activations set the normalisation (training data, never the
        test set).
    percentile : float in (0, 100], default 99.0
        Percentile of each layer's non-zero activations that maps to one spike per step
        (Rueckauer et al. 2017 used 99.9; Diehl et al. 2015 the maximum, 100). 99 was chosen on
        validation splits of the digits training sets (``benchmarks/conversion_check.py``):
        of 90, 95, 99, 99.9, 99.99 and 100 it matches the ANN soonest (3 ms at ``dt_ms=1``)
        with the best accuracy from then on.
    duration_ms : float, default 20.0
        Presentation time of ``predict`` and ``cost`` (ms), at least ``dt_ms``. On validation
        the default network at percentile 99 is within 0.005 of the ANN from 3 ms on for
        digits and from 20 ms on for moons; pass a task's own validated time to compare costs.
    dt_ms : float, default 1.0
        Simulation step (ms); the maximum rate is ``1 / dt``. The IF neurons have no time
        constant, so only the number of steps matters for accuracy.
    input_coding : {"current", "poisson"}, default "current"
        Constant analog current into the first layer, or Poisson input spikes.
    input_rate_hz : float, optional
        ``"poisson"`` only: rate of an input at intensity 1; ``input_rate_hz * dt`` must be
        <= 1. Default ``1000 / dt_ms`` (one spike per step).
    random_state : int, optional
        Seeds the Poisson input (unused with ``"current"``). ``None``: fresh entropy each run.
    batch_size : int, default 1024
        Samples simulated side by side in one Brian2 run (memory grows linearly with it).
    classes : array-like, shape (n_L,), optional
        Label of each output unit (e.g. ``MLPClassifier.classes_``); default ``0 .. n_L - 1``.
    train_samples, epochs, labels_used : int, default 0
        What training the ANN consumed, reported by ``cost`` (pass the ANN's; 0 otherwise).

    Returns
    -------
    ConvertedNetwork

    Raises
    ------
    contract.InvalidParameterError
        An option has a wrong type or value (``err.param`` names it).
    ValueError, TypeError
        ``coefs``, ``intercepts`` or ``X_calibration`` are inconsistent or out of range.
    """
    weights, biases = _check_layers(coefs, intercepts)
    q = _check_percentile(percentile)
    dt = _option(check_positive, "dt_ms", dt_ms)
    duration = _option(check_positive, "duration_ms", duration_ms)
    _steps("duration_ms", duration, dt)
    coding = _option(check_choice, "input_coding", input_coding, choices=INPUT_CODINGS)
    rate = None
    if input_rate_hz is not None:
        rate = _option(check_positive, "input_rate_hz", input_rate_hz)
        if rate * dt * 1e-3 > 1.0 + _STEP_EPS:
            raise InvalidParameterError(
                "input_rate_hz", f"input_rate_hz={rate:g} gives more than one spike per step "
                f"at dt_ms={dt:g}; pass input_rate_hz <= {1000.0 / dt:g}")
    if random_state is not None:
        random_state = _option(check_seed, "random_state", random_state)
    batch = _option(check_int, "batch_size", batch_size, minimum=1)
    counts = {name: _option(check_int, name, value, minimum=0) for name, value in
              (("train_samples", train_samples), ("epochs", epochs),
               ("labels_used", labels_used))}
    n_out = weights[-1].shape[1]
    if classes is None:
        labels = np.arange(n_out)
    else:
        labels = np.array(classes, copy=True)
        if labels.shape != (n_out,):
            raise InvalidParameterError("classes", f"classes must have shape ({n_out},), one "
                                                   f"label per output unit, got {labels.shape}")
    scales = data_based_scales(weights, biases, X_calibration, q)
    w_norm, b_norm = normalize_parameters(weights, biases, scales)
    return ConvertedNetwork(w_norm, b_norm, scales, labels, percentile=q, duration_ms=duration,
                            dt_ms=dt, input_coding=coding, input_rate_hz=rate,
                            random_state=random_state, batch_size=batch, **counts)
