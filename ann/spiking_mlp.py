"""A spiking multi-layer network (:class:`SpikingMLPClassifier`) of LIF neurons, trained by
surrogate gradients (backpropagation through time, :mod:`ann.layers.lif`), in pure NumPy."""

from __future__ import annotations

import hashlib
import struct

import numpy as np
from sklearn.utils.validation import check_non_negative

from ann.base import InvalidParameterError, check_is_fitted
from ann.cost import _INFERENCE, _structure
from ann.io import register
from ann.layers.lif import LIF, RESETS, SURROGATES, LeakyReadout, SpikeCount
from ann.network import _PREDICT_CHUNK, NetworkClassifier
from ann.params import _check_bool, _check_choice, _check_int, _check_real, _check_sizes
from ann.threads import blas_threads
from contract import cost_record

__all__ = ["SpikingMLPClassifier", "sample_keys", "rate_spikes"]

_READOUTS = ("membrane_max", "membrane_mean", "spike_count")
_CODINGS = ("rate", "current")
_PURPOSE_PREDICT = 0  # fit epoch k (1-based, counted over the model's life) uses purpose k
_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def sample_keys(X2: np.ndarray, seed: int, purpose: int) -> np.ndarray:
    """One 64-bit key per row: BLAKE2b-64 of ``(seed, purpose)`` and the row's float64 bytes.

    The key depends on the model's seed, the call's purpose (0: predict/cost, ``k``: training
    epoch ``k``) and the sample's values, never on its position in the batch.
    """
    head = struct.pack("<QQ", int(seed) & 0xFFFFFFFFFFFFFFFF, int(purpose))
    rows = np.ascontiguousarray(X2, dtype="<f8")
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(head + r.tobytes(), digest_size=8).digest(), "little")
         for r in rows), dtype=np.uint64, count=rows.shape[0])


def _splitmix64(z: np.ndarray) -> np.ndarray:
    z = z ^ (z >> np.uint64(30))
    z = z * np.uint64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> np.uint64(27))
    z = z * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def rate_spikes(X2: np.ndarray, keys: np.ndarray, n_steps: int, max_rate: float,
                dtype) -> np.ndarray:
    """Bernoulli input spikes ``(n, n_steps, d)``: pixel ``x`` spikes at each step with
    probability ``clip(x * max_rate, 0, 1)``.

    The uniforms are counter-based: ``splitmix64(key + (1 + t d + i) * golden)`` of the row's
    key (:func:`sample_keys`), step ``t`` and input ``i``, so each sample's spikes are a function
    of its key alone (vectorised: no loop over samples or steps).
    """
    n, d = X2.shape
    p = np.clip(np.asarray(X2, dtype=np.float64) * max_rate, 0.0, 1.0)
    with np.errstate(over="ignore"):
        ctr = (np.arange(1, n_steps * d + 1, dtype=np.uint64)
               * np.uint64(0x9E3779B97F4A7C15)).reshape(n_steps, d)
        z = _splitmix64(keys[:, None, None] + ctr[None])
    u = (z >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
    return (u < p[:, None, :]).astype(dtype)


@register
class SpikingMLPClassifier(NetworkClassifier):
    """Fully connected spiking network of LIF neurons trained by surrogate gradients (BPTT).

    Each sample is shown for ``n_steps`` steps of ``dt_ms``: input spikes (or a constant
    current) drive ``len(hidden_layer_sizes)`` layers of LIF neurons
    (:class:`ann.layers.lif.LIF`), whose spikes drive a read-out; the read-out's scores are
    trained with softmax cross-entropy through time (:mod:`ann.layers.lif` has the equations,
    the surrogates and what the gradient leaves out).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (256,)
        LIF neurons per hidden layer (at least one layer).
    n_steps : int, default 10
        Time steps per sample (``n_steps * dt_ms`` ms of simulated time).
    dt_ms : float, default 1.0
        Step (ms).
    tau_mem_ms : float, default 10.0
        Membrane time constant (ms) of every layer, the read-out's included.
    tau_syn_ms : float or None, default None
        Synaptic time constant (ms) of a current-based synapse in every LIF layer; None for
        none (the input current enters the membrane directly).
    v_threshold : float, default 1.0
    reset : {"subtract", "zero"}, default "subtract"
    surrogate : {"fast_sigmoid", "arctan", "sigmoid_exact"}, default "fast_sigmoid"
        ``sigmoid_exact`` makes the spikes smooth (for gradient checks only).
    surrogate_scale : float, default 5.0
        ``k`` of the surrogate derivative.
    detach_reset : bool, default True
        Leave the reset's dependence on the membrane out of the gradient (as snnTorch).
    readout : {"membrane_max", "membrane_mean", "spike_count"}, default "membrane_max"
        Score of class ``c``: the maximum or the mean over time of a leaky non-spiking
        read-out neuron's membrane (:class:`~ann.layers.lif.LeakyReadout`), or the spike count
        of an output LIF neuron.
    input_coding : {"rate", "current"}, default "rate"
        ``"rate"``: Bernoulli spikes, pixel ``x`` (in ``[0, 1]``) spiking with probability
        ``x * max_rate`` at every step (the kind of input the STDP network gets), drawn per
        sample from the model's seed, the call (fit epoch ``k`` or predict) and the sample's
        values, so ``predict(X[perm]) == predict(X)[perm]`` and ``predict(X[:k]) ==
        predict(X)[:k]`` exactly and predicting twice gives the same answer.
        ``"current"``: the intensity is a constant current into the first layer at every step.
    max_rate : float in (0, 1], default 1.0
        Spike probability per step of a pixel of intensity 1 (``"rate"`` coding).
    learning_rate : float, default 1e-3
    epochs : int, default 60
    batch_size, optimizer, momentum, weight_decay, init, shuffle, dtype, n_threads, verbose,
    log_every
        As for :class:`~ann.mlp.MLPClassifier` (``init="auto"`` is Xavier).
    random_state : int, numpy Generator or None
        Seeds the weights, the shuffling and (an int itself, else a draw from it at ``fit``)
        the input spikes. A saved model predicts identically after loading when
        ``random_state`` is an int (the file keeps the hyper-parameters, not a drawn seed).

    The defaults (membrane-max read-out, fast sigmoid with ``k = 5``, 10 steps, 256 neurons,
    ``learning_rate=1e-3`` for 60 epochs) were chosen on a validation split of the digits
    training set by ``benchmarks/tune_surrogate.py`` (``docs/surrogate.md``).

    Attributes
    ----------
    input_seed_ : int
        The seed of the input spikes.
    """

    loss = "cross_entropy"
    output_activation = "softmax"

    def __init__(self, hidden_layer_sizes=(256,), *, n_steps=10, dt_ms=1.0, tau_mem_ms=10.0,
                 tau_syn_ms=None, v_threshold=1.0, reset="subtract", surrogate="fast_sigmoid",
                 surrogate_scale=5.0, detach_reset=True, readout="membrane_max",
                 input_coding="rate", max_rate=1.0, optimizer="adam", learning_rate=1e-3,
                 batch_size=32, epochs=60, momentum=0.9, weight_decay=0.0, init="auto",
                 shuffle=True, dtype="float32", random_state=None, n_threads=1, verbose=False,
                 log_every=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.n_steps = n_steps
        self.dt_ms = dt_ms
        self.tau_mem_ms = tau_mem_ms
        self.tau_syn_ms = tau_syn_ms
        self.v_threshold = v_threshold
        self.reset = reset
        self.surrogate = surrogate
        self.surrogate_scale = surrogate_scale
        self.detach_reset = detach_reset
        self.readout = readout
        self.input_coding = input_coding
        self.max_rate = max_rate
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.init = init
        self.shuffle = shuffle
        self.dtype = dtype
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose
        self.log_every = log_every

    # -- validation ----------------------------------------------------------------------------
    def _check_params(self):
        _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        _check_int(self.n_steps, "n_steps")
        _check_real(self.dt_ms, "dt_ms", low=0.0, example=1.0)
        _check_real(self.tau_mem_ms, "tau_mem_ms", low=0.0, example=10.0)
        if self.tau_syn_ms is not None:
            _check_real(self.tau_syn_ms, "tau_syn_ms", low=0.0, example=5.0)
        _check_real(self.v_threshold, "v_threshold", low=0.0, example=1.0)
        _check_choice(self.reset, "reset", RESETS)
        _check_choice(self.surrogate, "surrogate", SURROGATES)
        _check_real(self.surrogate_scale, "surrogate_scale", low=0.0, example=5.0)
        _check_bool(self.detach_reset, "detach_reset")
        _check_choice(self.readout, "readout", _READOUTS)
        _check_choice(self.input_coding, "input_coding", _CODINGS)
        rate = _check_real(self.max_rate, "max_rate", low=0.0, example=1.0)
        if rate > 1.0:
            raise InvalidParameterError(
                "max_rate", f"max_rate is a spike probability per step in (0, 1], got {rate}; "
                            "pass e.g. max_rate=1.0 (or lower dt_ms for a higher rate in Hz)")
        super()._check_params()

    # -- network -------------------------------------------------------------------------------
    def _update_tags(self, tags):
        tags = super()._update_tags(tags)
        # rate coding reads each feature as a firing probability in [0, 1] (clipped)
        tags.input_tags.positive_only = self.input_coding == "rate"
        return tags

    def _resolved_init(self):
        return "xavier" if self.init == "auto" else self.init

    def _lif_kw(self):
        return {"dt_ms": float(self.dt_ms), "tau_mem_ms": float(self.tau_mem_ms),
                "tau_syn_ms": None if self.tau_syn_ms is None else float(self.tau_syn_ms),
                "v_threshold": float(self.v_threshold), "reset": self.reset,
                "surrogate": self.surrogate, "surrogate_scale": float(self.surrogate_scale),
                "detach_reset": bool(self.detach_reset)}

    def _build_layers(self, n_features, n_classes, rng, dtype, init):
        sizes = [n_features, *_check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")]
        const = self.n_steps if self.input_coding == "current" else None
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            layers.append(LIF(a, b, n_steps=const if i == 0 else None, rng=rng, init=init,
                              dtype=dtype, **self._lif_kw()))
        if self.readout == "spike_count":
            layers += [LIF(sizes[-1], n_classes, rng=rng, init=init, dtype=dtype,
                           **self._lif_kw()),
                       SpikeCount(dtype=dtype)]
        else:
            layers.append(LeakyReadout(sizes[-1], n_classes, dt_ms=float(self.dt_ms),
                                       tau_mem_ms=float(self.tau_mem_ms),
                                       reduce=self.readout.split("_")[1], rng=rng, init=init,
                                       dtype=dtype))
        return layers

    def _initialize(self, n_features, classes, rng):
        super()._initialize(n_features, classes, rng)
        rs = self.random_state
        if isinstance(rs, (int, np.integer)) and not isinstance(rs, bool):
            self.input_seed_ = int(rs)
        else:
            self.input_seed_ = int(rng.integers(2**63))

    def _flatten_input(self, X, name="X"):
        if self.input_coding == "rate":  # firing probabilities: negative values are an error
            check_non_negative(X, f"{type(self).__name__} with input_coding='rate' ({name} "
                                  "holds firing probabilities in [0, 1]; rescale it, or use "
                                  "input_coding='current')")
        return X

    def _network_input(self, X2):
        return X2  # intensities; the spikes are drawn per batch (:meth:`_spike_input`)

    def _sample_shape(self, n_features):
        """The network's per-sample input: ``(n_steps, n_features)`` spikes, or the constant
        current ``(n_features,)``."""
        if self.input_coding == "current":
            return (n_features,)
        return (self.n_steps, n_features)

    def _spike_input(self, Xb, purpose):
        """Network input of the intensity rows ``Xb`` for a call of ``purpose``."""
        if self.input_coding == "current":
            return Xb
        keys = sample_keys(Xb, self.input_seed_, purpose)
        return rate_spikes(Xb, keys, self.n_steps, float(self.max_rate), self.network_.dtype)

    # -- training ------------------------------------------------------------------------------
    def _batch_input(self, xb, epoch):
        """A training mini-batch's input spikes, drawn for epoch ``epoch`` (its purpose key)."""
        return self._spike_input(xb, epoch)

    def _epoch(self, X, targets, y_enc, bs):
        """The shared pass of mini-batch updates, then the layers' caches dropped."""
        out = super()._epoch(X, targets, y_enc, bs)
        self._clear_caches()
        return out

    def _clear_caches(self):
        for layer in self.network_.layers:
            layer._cache = None

    # -- inference -----------------------------------------------------------------------------
    def _chunks(self, Xn):
        """Run the network over ``Xn`` (intensities) chunk by chunk; yields each chunk's
        output with the layer caches of that chunk live."""
        try:
            for s in range(0, Xn.shape[0], _PREDICT_CHUNK):
                xb = self._spike_input(Xn[s : s + _PREDICT_CHUNK], _PURPOSE_PREDICT)
                yield self.network_.forward(xb)
        finally:
            self._clear_caches()

    def _forward(self, Xn):
        return np.concatenate(list(self._chunks(Xn)), axis=0)

    def predict_at(self, X, times_ms):
        """Anytime answers: the prediction from the first ``t`` ms of the presentation.

        ``t`` ms is ``floor(t / dt_ms)`` steps (a time past ``n_steps * dt_ms`` reads the full
        presentation, which is the answer of :meth:`predict`): the maximum or mean membrane of
        the read-out over those steps, or the output spike counts until then (ties, e.g. no
        spike yet, go to the first class).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        times_ms : array-like of float
            Read-out times (ms) from onset, each >= ``dt_ms``.

        Returns
        -------
        ndarray of shape (len(times_ms), n_samples)
            Labels from ``classes_``. One simulation serves every time.
        """
        Xn = self._prepare(X)
        t = np.atleast_1d(np.asarray(times_ms, dtype=np.float64))
        if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)):
            raise ValueError("times_ms must be a non-empty 1-D array of finite times (ms)")
        if t.min() < self.dt_ms * (1 - 1e-9):
            raise ValueError(f"times_ms must be >= dt_ms={self.dt_ms} (at least one step), got "
                             f"{t.min()}")
        steps = np.minimum(np.floor(t / self.dt_ms + 1e-9).astype(np.int64), self.n_steps)
        parts = []
        with blas_threads(self.n_threads) as used:
            self.threads_used_ = used
            for _ in self._chunks(Xn):
                parts.append(self.network_.layers[-1].scores_at(steps).argmax(axis=2))
        return self.classes_[np.concatenate(parts, axis=1)]

    @property
    def input_weights_(self):
        """First-layer weights ``(n_features, n_units)``: what each first-layer LIF neuron
        looks at."""
        check_is_fitted(self)
        return self.network_.layers[0].params["W"]

    # -- comparison metrics --------------------------------------------------------------------
    def _lif_layers(self):
        return [layer for layer in self.network_.layers if isinstance(layer, LIF)]

    def cost(self, X=None) -> dict:
        """The comparison metrics of one inference, in the contract's schema.

        Model metrics as for every network (:mod:`ann.cost`: neurons are the LIF and read-out
        neurons, synapses the weights, footprint the parameters). Per inference, over ``X``
        (means per sample; ``None`` without ``X``):

        - ``timesteps``: ``n_steps``; ``sim_ms_per_inference``: ``n_steps * dt_ms``.
        - ``sequential_depth`` = ``steps_to_final_output``: ``n_steps + L - 1`` for ``L``
          weight layers (a layer's step needs the previous layer's spikes of the same step).
        - ``steps_to_first_output``: the median over samples (that have one) of ``t + L``, ``t``
          the first step at which the read-out is driven by a spike (a spike into the leaky
          read-out, or an output spike for ``spike_count``); ``ms_to_first_output``:
          ``(t + 1) * dt_ms`` (median). ``None`` when no sample has one.
        - ``dense_ops``: synapses x ``n_steps``.
        - ``effective_acs``: spikes (input spikes of rate coding, hidden spikes) x their
          non-zero outgoing weights, over every step.
        - ``effective_macs``: current coding only: non-zero pixels x non-zero first-layer
          weights, once (the constant current ``x W`` is computed once, then added at every
          step as part of the membrane update); 0 for rate coding.
        - ``membrane_updates``: neurons (LIF and read-out) x ``n_steps``.
        - ``input_draws``: ``n_features * n_steps`` for rate coding (one Bernoulli draw per
          input per step), else 0.
        - ``activation_sparsity``: hidden LIF neuron-steps without a spike;
          ``fraction_active``: hidden LIF neurons that spiked at least once (mean per sample);
          ``spike_rate_hz``: spikes per LIF neuron (hidden and, for ``spike_count``, output)
          per simulated second.
        """
        check_is_fitted(self)
        s = _structure(self.network_, self._sample_shape(self.n_features_in_))
        out = {k: v for k, v in s.items() if not k.startswith("_")}
        out.update(train_samples=int(self.n_samples_seen_), epochs=len(self.history_),
                   labels_used=int(self.labels_used_))
        if X is None:
            out.update(dict.fromkeys(_INFERENCE))
            return cost_record(out)
        Xn = self._prepare(X)
        with blas_threads(self.n_threads) as used:
            self.threads_used_ = used
            act = self._activity(Xn)
        n, t_steps, dt = Xn.shape[0], int(self.n_steps), float(self.dt_ms)
        n_layers = sum(1 for layer in self.network_.layers if layer.params)
        depth = t_steps + n_layers - 1
        first = act["first"][act["first"] >= 0]
        out.update({
            "presentations_per_sample": 1,
            "timesteps": t_steps,
            "sim_ms_per_inference": t_steps * dt,
            "sequential_depth": depth,
            "steps_to_first_output": float(np.median(first + n_layers)) if first.size else None,
            "ms_to_first_output": float(np.median(first + 1) * dt) if first.size else None,
            "steps_to_final_output": depth,
            "dense_ops": s["_dense_ops"],
            "effective_macs": act["macs"] / n,
            "effective_acs": act["acs"] / n,
            "membrane_updates": s["_membrane_updates"],
            "input_draws": self.n_features_in_ * t_steps if self.input_coding == "rate" else 0,
            "activation_sparsity": 1.0 - act["hidden_spikes"] / act["hidden_values"],
            "spike_rate_hz": act["lif_spikes"] / (act["lif_neurons"] * n * t_steps * dt * 1e-3),
            "fraction_active": act["active_sum"] / n,
        })
        return cost_record(out)

    def _activity(self, Xn) -> dict:
        """Totals over ``Xn`` of the spike and operation counts :meth:`cost` reports."""
        lifs = self._lif_layers()
        hidden = lifs[:-1] if self.readout == "spike_count" else lifs
        synaptic = [layer for layer in self.network_.layers if layer.params]
        tot = {"macs": 0, "acs": 0, "hidden_spikes": 0, "hidden_values": 0, "lif_spikes": 0,
               "active_sum": 0.0, "lif_neurons": sum(layer.n_out for layer in lifs)}
        firsts = []
        for _ in self._chunks(Xn):
            for layer in synaptic:
                acs, macs = layer._input_events()
                tot["acs"] += acs
                tot["macs"] += macs
            units = sum(layer.n_out for layer in hidden)
            active = 0
            for layer in hidden:
                spk = layer.hidden_states()
                tot["hidden_spikes"] += int(np.count_nonzero(spk))
                tot["hidden_values"] += spk.size
                active = active + np.count_nonzero(spk.any(axis=0), axis=1)
            tot["active_sum"] += float(np.sum(active / units))
            tot["lif_spikes"] += sum(int(np.count_nonzero(layer.hidden_states()))
                                     for layer in lifs)
            driver = lifs[-1].hidden_states().any(axis=2)  # (T, n): read-out driven by a spike
            firsts.append(np.where(driver.any(axis=0), driver.argmax(axis=0), -1))
        tot["first"] = np.concatenate(firsts)
        return tot
