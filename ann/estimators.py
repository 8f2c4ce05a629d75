"""scikit-learn-style classifiers over :class:`ann.layers.Sequential` networks.

All three take flat 2-D ``X`` ``(n_samples, n_features)`` like the rest of the ecosystem:

- :class:`MLPClassifier`: dense layers (``hidden_layer_sizes=()``: multinomial logistic
  regression).
- :class:`CNNClassifier`: images ``image_shape=(H, W)`` read from flat rows (``C * H * W``
  features, channel-major), or ``(n, C, H, W)`` arrays.
- :class:`RNNClassifier`: sequences ``sequence_shape=(T, d)`` (an image read row by row), or
  ``(n, T, d)`` arrays; ``sequence_shape=None`` reads each feature as one step.

They honour the estimator contract (:mod:`contract`): hyper-parameters are stored by
``__init__`` and checked by ``check_params()`` / ``fit`` (an :class:`contract.InvalidParameterError`
naming the parameter), and scikit-learn's ``cross_val_score``, ``Pipeline``, ``GridSearchCV`` and
``check_estimator`` accept them. Labels are integers or strings; the integer ``-1`` marks an
unlabelled sample (scikit-learn's semi-supervised convention), which backprop cannot use and
skips.

Training is deterministic for an int ``random_state`` (initial weights and the shuffling order are
drawn from ``numpy.random.default_rng(random_state)``). ``history_`` holds one row per epoch:
``epoch``, ``samples_seen``, ``loss`` (mean training loss over the epoch's mini-batches),
``train_accuracy`` (fraction of the epoch's samples classified correctly as they were presented,
i.e. with the weights of the moment), ``wall_s`` (cumulative training time, s) and
``eval_accuracy`` when ``fit`` got ``eval_set``. ``threads_used_`` is the BLAS thread count the
last ``fit``/``predict``/``predict_proba``/``cost`` ran with.
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np

from ann.base import BaseEstimator, InvalidParameterError, check_is_fitted
from ann.cost import measure_activity, network_cost
from ann.initializers import check_dtype
from ann.layers import (
    ACTIVATIONS,
    RNN,
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    Sequential,
    get_activation,
)
from ann.losses import get_loss, softmax
from ann.optimizers import get_optimizer
from ann.threads import blas_threads
from ann.validation import (
    UNLABELLED,
    check_array,
    check_consistent_length,
    check_labels,
    labelled_rows,
)

__all__ = ["MLPClassifier", "CNNClassifier", "RNNClassifier"]

_PREDICT_CHUNK = 1024
_HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
_OUTPUTS = ("softmax", "sigmoid")
_INITS = ("auto", "xavier", "he", "normal")


# -- hyper-parameter checks: each raises InvalidParameterError(param, message naming the fix) ---
def _check_int(value, param, *, low=1, allow_none=False, name=None):
    """``value`` as an int >= ``low`` (or None); ``name`` is what the message calls it
    (default ``param``, e.g. ``hidden_layer_sizes[1]`` for an element)."""
    name = name or param
    if value is None and allow_none:
        return None
    want = f"an int >= {low}" + (" or None" if allow_none else "")
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidParameterError(param, f"{name} must be {want}, got {value!r}; pass e.g. "
                                           f"{name}={max(low, 1)}")
    if value < low:
        raise InvalidParameterError(param, f"{name} must be {want}, got {value}; pass a value "
                                           f">= {low}")
    return int(value)


def _check_real(value, param, *, low, high=None, low_inclusive=False, example):
    """``value`` as a finite float in ``(low, high)`` (``[low, ...`` when ``low_inclusive``)."""
    lo = "[" if low_inclusive else "("
    rng = f"{lo}{low}, {'inf' if high is None else high})"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidParameterError(param, f"{param} must be a number in {rng}, got "
                                           f"{value!r}; pass e.g. {param}={example}")
    ok = math.isfinite(value) and (value >= low if low_inclusive else value > low)
    if not ok or (high is not None and value >= high):
        raise InvalidParameterError(param, f"{param} must be a finite number in {rng}, got "
                                           f"{value}; pass e.g. {param}={example}")
    return float(value)


def _check_sizes(value, param, *, allow_empty=False):
    """A tuple of positive ints (an int is a one-element tuple)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)):
        raise InvalidParameterError(param, f"{param} must be a tuple of positive ints, got "
                                           f"{value!r}; pass e.g. {param}=(64,)")
    if not value and not allow_empty:
        raise InvalidParameterError(param, f"{param} must not be empty; pass e.g. "
                                           f"{param}=(16,)")
    return tuple(_check_int(v, param, name=f"{param}[{i}]") for i, v in enumerate(value))


def _check_shape2(value, param, *, allow_none=False):
    """A pair of positive ints (or None)."""
    if value is None and allow_none:
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        extra = " or None" if allow_none else ""
        raise InvalidParameterError(param, f"{param} must be a pair of positive ints{extra}, "
                                           f"got {value!r}; pass e.g. {param}=(8, 8)")
    return tuple(_check_int(v, param, name=f"{param}[{i}]") for i, v in enumerate(value))


def _check_choice(value, param, choices):
    if not isinstance(value, str) or value not in choices:
        raise InvalidParameterError(param, f"{param} must be one of {sorted(choices)}, got "
                                           f"{value!r}; pass e.g. {param}={choices[0]!r}")
    return value


def _check_bool(value, param):
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(param, f"{param} must be True or False, got {value!r}")


def _check_random_state(value):
    ok = value is None or isinstance(value, np.random.Generator) or (
        isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 0)
    if not ok:
        raise InvalidParameterError(
            "random_state", f"random_state must be an int >= 0, a numpy Generator or None, got "
                            f"{value!r}; pass e.g. random_state=0 for a repeatable run")


def _too_few_classes(classes, n_unlabelled):
    found = ("no labelled samples" if len(classes) == 0
             else f"only one class ({classes[0].tolist()!r}) among its labelled samples")
    skipped = f" ({n_unlabelled} samples are unlabelled, y == -1)" if n_unlabelled else ""
    return ValueError(f"y has {found}{skipped}; a classifier needs at least two classes: pass "
                      "labelled samples of two or more classes")


class _NetworkClassifier(BaseEstimator):
    """Shared fit/predict/cost logic; subclasses build the network and shape the input."""

    _input_ndims = (2,)

    # -- subclass hooks ------------------------------------------------------------------------
    def _build_layers(self, n_features, n_classes, rng, dtype, init):  # pragma: no cover
        raise NotImplementedError

    def _sample_shape(self, n_features):
        """Per-sample network input shape for flat rows of ``n_features``."""
        return (n_features,)

    def _flatten_input(self, X, name="X"):
        """Validated array of ``_input_ndims`` dims -> 2-D view (n, n_features)."""
        return X.reshape(X.shape[0], -1)

    # -- validation ----------------------------------------------------------------------------
    def _check_params(self):
        """Check the hyper-parameters every network shares (subclasses add their own)."""
        _check_choice(self.optimizer, "optimizer", ("adam", "sgd", "momentum"))
        _check_choice(self.loss, "loss", ("cross_entropy", "mse"))
        _check_choice(self.output_activation, "output_activation", _OUTPUTS)
        if self.loss == "cross_entropy" and self.output_activation != "softmax":
            raise InvalidParameterError(
                "loss", "loss='cross_entropy' needs output_activation='softmax'; use loss='mse' "
                        f"for output_activation={self.output_activation!r}")
        _check_choice(self.init, "init", _INITS)
        _check_real(self.learning_rate, "learning_rate", low=0.0, example=1e-3)
        _check_real(self.momentum, "momentum", low=0.0, high=1.0, low_inclusive=True,
                    example=0.9)
        _check_real(self.weight_decay, "weight_decay", low=0.0, low_inclusive=True,
                    example=1e-4)
        _check_int(self.epochs, "epochs", low=0)
        _check_int(self.batch_size, "batch_size", allow_none=True)
        _check_int(self.log_every, "log_every", allow_none=True)
        _check_int(self.n_threads, "n_threads", allow_none=True)
        _check_bool(self.shuffle, "shuffle")
        _check_bool(self.verbose, "verbose")
        _check_random_state(self.random_state)
        try:
            check_dtype(self.dtype, "dtype")
        except (TypeError, ValueError) as err:
            raise InvalidParameterError("dtype", f"{err}; pass dtype='float32'") from err

    def _validate_X(self, X, name="X"):
        X = check_array(X, name=name, ndims=self._input_ndims)
        return self._flatten_input(X, name)

    def _check_n_features(self, X2, name="X"):
        if X2.shape[1] != self.n_features_in_:
            raise ValueError(
                f"{name} has {X2.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input; pass data with the training layout"
            )

    def _labelled(self, X, y):
        """Validated ``(X2, y)`` without the unlabelled rows, and how many were dropped."""
        X2 = self._validate_X(X)
        y = check_labels(y)
        check_consistent_length(X2, y)
        keep = labelled_rows(y)
        if keep.all():
            return X2, y, 0
        return X2[keep], y[keep], int(keep.size - np.count_nonzero(keep))

    def _encode(self, y, name="y"):
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, len(self.classes_) - 1)
        bad = self.classes_[idx] != y
        if bad.any():
            raise ValueError(
                f"{name} contains labels {np.unique(y[bad])[:5].tolist()} not seen in training "
                f"(classes_ = {self.classes_.tolist()}); pass all classes on the first "
                "partial_fit call with classes=..."
            )
        return idx

    # -- set-up --------------------------------------------------------------------------------
    def _resolved_init(self):
        if self.init != "auto":
            return self.init
        return "he" if getattr(self, "activation", "tanh") == "relu" else "xavier"

    def _initialize(self, n_features, classes, rng):
        """Fresh network, loss and optimiser for ``n_features`` inputs and ``classes``."""
        self._dtype = check_dtype(self.dtype, "dtype")
        self.classes_ = np.asarray(classes)
        self.n_features_in_ = int(n_features)
        layers = self._build_layers(n_features, len(classes), rng, self._dtype,
                                    self._resolved_init())
        if self.loss == "mse" or self.output_activation != "softmax":
            layers.append(get_activation(self.output_activation, dtype=self._dtype))
        self.network_ = Sequential(layers)
        self.loss_ = get_loss(self.loss)
        self.optimizer_ = get_optimizer(self.optimizer, self.learning_rate,
                                        momentum=self.momentum, weight_decay=self.weight_decay)
        self.history_ = []
        self.n_samples_seen_ = 0
        self.train_samples_ = 0
        self.labels_used_ = 0
        self._wall_s = 0.0

    def _network_input(self, X2):
        return X2.reshape((X2.shape[0], *self._sample_shape(self.n_features_in_)))

    # -- training ------------------------------------------------------------------------------
    def fit(self, X, y, *, eval_set=None):
        """Train from scratch for ``epochs`` epochs on the labelled samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Not modified.
        y : array-like of shape (n_samples,)
            Class labels (integers or strings). The integer ``-1`` marks an unlabelled sample
            (scikit-learn's semi-supervised convention, as in ``neurosim.STDPClassifier``):
            backprop needs a target, so those rows are skipped and do not count in
            ``train_samples_``/``labels_used_``. At least two classes must remain.
        eval_set : tuple (X_val, y_val), optional
            Adds ``eval_accuracy`` to every ``history_`` row (``y_val`` fully labelled).

        Returns
        -------
        self

        Raises
        ------
        InvalidParameterError
            A hyper-parameter is invalid (``err.param`` names it).
        ValueError
            Bad ``X``/``y``, or fewer than two labelled classes.
        """
        self._check_params()
        X2, y, n_unlabelled = self._labelled(X, y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise _too_few_classes(classes, n_unlabelled)
        rng = np.random.default_rng(self.random_state)
        self._initialize(X2.shape[1], classes, rng)
        self._rng = rng
        evals = self._validate_eval_set(eval_set)
        with blas_threads(self.n_threads) as used:
            self.threads_used_ = used
            self._train(X2, self._encode(y), self.epochs, evals)
        return self

    def _first_partial_fit(self, n_features, y, classes):
        self._check_params()
        given = y if classes is None else check_labels(classes, name="classes")
        if given.dtype.kind in "iu" and np.any(given == UNLABELLED) and classes is not None:
            raise ValueError("classes must not contain -1, which marks unlabelled samples; "
                             "list the real class labels only")
        cls = np.unique(given)
        if len(cls) < 2:
            raise ValueError("partial_fit needs at least two classes on its first call; pass "
                             "classes=[...] listing every label")
        self._rng = np.random.default_rng(self.random_state)
        self._initialize(n_features, cls, self._rng)

    def partial_fit(self, X, y, classes=None, *, eval_set=None):
        """One epoch over the labelled rows of ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        X, y : as for :meth:`fit`
            ``y == -1`` rows are skipped; at least one labelled row is needed.
        classes : array-like, optional
            All labels that will ever appear; needed on the first call unless ``y`` holds them
            all. Ignored afterwards.
        eval_set : tuple (X_val, y_val), optional

        Returns
        -------
        self
        """
        X2, y, _ = self._labelled(X, y)
        if y.size == 0:
            raise ValueError("partial_fit got no labelled samples (every y is -1); pass at "
                             "least one labelled sample")
        if getattr(self, "network_", None) is None:
            self._first_partial_fit(X2.shape[1], y, classes)
        else:
            self._check_n_features(X2)
        evals = self._validate_eval_set(eval_set)
        with blas_threads(self.n_threads) as used:
            self.threads_used_ = used
            self._train(X2, self._encode(y), 1, evals)
        return self

    def _validate_eval_set(self, eval_set):
        if eval_set is None:
            return None
        if not isinstance(eval_set, (tuple, list)) or len(eval_set) != 2:
            raise TypeError("eval_set must be a tuple (X_val, y_val)")
        Xv = self._validate_X(eval_set[0], "eval_set[0]")
        yv = check_labels(eval_set[1], name="eval_set[1]")
        check_consistent_length(Xv, yv, names=("eval_set[0]", "eval_set[1]"))
        self._check_n_features(Xv, "eval_set[0]")
        return self._network_input(Xv.astype(self._dtype, copy=False)), yv

    def _targets(self, y_enc, dtype):
        if self.loss == "cross_entropy":
            return y_enc
        targets = np.zeros((len(y_enc), len(self.classes_)), dtype=dtype)
        targets[np.arange(len(y_enc)), y_enc] = 1
        return targets

    def _epoch(self, X, targets, y_enc, bs):
        """One pass of mini-batch updates; returns (summed loss, correct predictions)."""
        net, loss, opt = self.network_, self.loss_, self.optimizer_
        n = X.shape[0]
        if self.shuffle and bs < n:
            perm = self._rng.permutation(n)
            X, targets, y_enc = X[perm], targets[perm], y_enc[perm]
        params, grads = {"flat": net.flat_params}, {"flat": net.flat_grads}
        decay = {"flat": net.decay_mask}
        total, correct = 0.0, 0
        for s in range(0, n, bs):
            xb = X[s : s + bs]
            out = net.forward(xb)
            total += loss.forward(out, targets[s : s + bs]) * xb.shape[0]
            correct += int(np.count_nonzero(out.argmax(axis=1) == y_enc[s : s + bs]))
            net.backward(loss.backward(), input_grad=False)
            opt.step(params, grads, decay)
        return total, correct

    def _train(self, X2, y_enc, n_epochs, evals):
        dtype = self.network_.dtype
        X = self._network_input(X2.astype(dtype, copy=False))
        n = X.shape[0]
        bs = n if self.batch_size is None else min(self.batch_size, n)
        targets = self._targets(y_enc, dtype)
        epochs, bar = range(n_epochs), None
        if self.verbose:
            from tqdm.auto import tqdm

            epochs = bar = tqdm(epochs, desc=type(self).__name__, unit="epoch")
        self.train_samples_ += n
        self.labels_used_ += n
        for _ in epochs:
            t0 = time.perf_counter()
            total, correct = self._epoch(X, targets, y_enc, bs)
            self._wall_s += time.perf_counter() - t0
            self._record_epoch(total / n, correct / n, n, evals, bar)

    def _record_epoch(self, mean_loss, accuracy, n, evals, bar):
        if not np.isfinite(mean_loss):
            raise FloatingPointError(
                f"training diverged (loss {mean_loss}) at epoch {len(self.history_) + 1}; "
                "lower learning_rate"
            )
        self.n_samples_seen_ += n
        row = {"epoch": len(self.history_) + 1, "samples_seen": self.n_samples_seen_,
               "loss": mean_loss, "train_accuracy": accuracy, "wall_s": self._wall_s}
        if evals is not None:
            row["eval_accuracy"] = float(np.mean(
                self.classes_[self._forward(evals[0]).argmax(axis=1)] == evals[1]))
        self.history_.append(row)
        if bar is not None:
            bar.set_postfix(loss=f"{mean_loss:.4f}")
            if self.log_every and row["epoch"] % self.log_every == 0:
                bar.write(f"epoch {row['epoch']}: loss {mean_loss:.6f}")

    # -- inference -----------------------------------------------------------------------------
    def _forward(self, Xn):
        """Network outputs for network input ``Xn``, in chunks (the caller sets the threads)."""
        outs = [self.network_.forward(Xn[s : s + _PREDICT_CHUNK])
                for s in range(0, Xn.shape[0], _PREDICT_CHUNK)]
        return np.concatenate(outs, axis=0)

    def _outputs(self, X):
        """Validated ``X`` through the network under ``n_threads``; sets ``threads_used_``."""
        Xn = self._prepare(X)
        with blas_threads(self.n_threads) as used:
            self.threads_used_ = used
            return self._forward(Xn)

    def _prepare(self, X):
        check_is_fitted(self)
        X2 = self._validate_X(X)
        self._check_n_features(X2)
        return self._network_input(X2.astype(self.network_.dtype, copy=False))

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), float64, rows summing to 1.

        Softmax outputs are returned as they are; sigmoid outputs (the essay's MSE network) are
        normalised by their row sum. Columns follow ``classes_``.
        """
        out = self._outputs(X).astype(np.float64)
        if self.loss == "cross_entropy":
            return softmax(out)
        if self.output_activation == "sigmoid":
            out = np.maximum(out, np.finfo(np.float64).tiny)
            return out / out.sum(axis=1, keepdims=True)
        return out

    def predict(self, X):
        """Predicted labels (from ``classes_``), shape (n_samples,)."""
        winners = self._outputs(X).argmax(axis=1)
        return self.classes_[winners]

    def score(self, X, y):
        """Accuracy of :meth:`predict` on ``(X, y)`` (every sample counts, ``-1`` too)."""
        y = check_labels(y)
        pred = self.predict(X)
        check_consistent_length(pred, y)
        return float(np.mean(pred == y))

    @property
    def coefs_(self):
        """Weight arrays of the parametrised layers in order (views into the network)."""
        check_is_fitted(self)
        out = []
        for layer in self.network_.layers:
            for key in ("W", "Wx", "Wh"):
                if key in layer.params:
                    out.append(layer.params[key])
        return out

    @property
    def input_weights_(self):
        """First-layer weights ``(n_features, n_units)`` when the first layer is dense, else
        None (what each first-layer unit looks at, drawn by the report)."""
        check_is_fitted(self)
        first = self.network_.layers[0]
        w = first.params.get("W")
        return w if isinstance(first, Dense) and w is not None and w.ndim == 2 else None

    @property
    def intercepts_(self):
        """Bias vectors of the parametrised layers in order."""
        check_is_fitted(self)
        return [layer.params["b"] for layer in self.network_.layers if "b" in layer.params]

    # -- comparison metrics --------------------------------------------------------------------
    def cost(self, X=None) -> dict:
        """The comparison metrics of one inference, in the contract's schema.

        Every key of :data:`contract.COST_KEYS`, filled as the ``ann`` column of
        :data:`contract.COST_METRICS` says (see :mod:`ann.cost` for what is counted). The
        ``per="inference"`` metrics are measured on ``X`` (means per sample) and are ``None``
        without it. ``train_samples`` counts the samples presented in training, repeats
        included (``n_samples_seen_``); ``labels_used`` the labelled samples given to
        ``fit``/``partial_fit``; ``epochs`` is ``len(history_)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), optional

        Returns
        -------
        dict
            :func:`contract.cost_record` of the metrics.
        """
        check_is_fitted(self)
        activity = None
        if X is not None:
            Xn = self._prepare(X)
            with blas_threads(self.n_threads) as used:
                self.threads_used_ = used
                activity = measure_activity(self.network_, Xn, chunk=_PREDICT_CHUNK)
        return network_cost(self.network_, self._sample_shape(self.n_features_in_), activity,
                            train_samples=self.n_samples_seen_, epochs=len(self.history_),
                            labels_used=self.labels_used_)

    # -- scikit-learn ----------------------------------------------------------------------------
    def _update_tags(self, tags):
        tags.non_deterministic = False  # same random_state, same weights, same predictions
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags

    # -- persistence ---------------------------------------------------------------------------
    def save(self, path):
        """Write the fitted model to one ``.npz`` file (see :func:`ann.io.save`)."""
        from ann.io import save

        save(self, path)
        return path

    # -- perturbations (robustness) ------------------------------------------------------------
    #: What :meth:`perturbed` can do to a fitted network.
    PERTURBATIONS = ("synapse_lesion", "neuron_lesion", "weight_bits")

    def perturbed(self, kind, level, random_state=None):
        """A perturbed copy of the fitted network; ``self`` is not changed.

        Nothing is trained again after the perturbation: the copy predicts with what is left.

        Parameters
        ----------
        kind : {"synapse_lesion", "neuron_lesion", "weight_bits"}
            - ``"synapse_lesion"``: in every weight array (``W``, ``Wx``, ``Wh``; biases kept),
              ``round(level * size)`` weights drawn at random are set to zero. The arrays are
              drawn from one generator in network order, each as
              ``rng.permutation(W.size)[:k]`` over its C-order entries, so the first layer's
              ``(n_features, n_hidden)`` draw is the one a spiking network of the same width
              gets for its input weights.
            - ``"neuron_lesion"``: ``round(level * n_hidden)`` hidden units (every unit of every
              parametrised layer but the output layer: dense units, convolution channels,
              recurrent units), drawn as ``rng.permutation(n_hidden)[:k]``, are silenced: their
              incoming weights and bias are set to zero, so their pre-activation is 0 (a ReLU
              or tanh unit outputs 0), and their outgoing weights too, so that no unit, a
              sigmoid one (which would output 0.5) included, passes anything on. A network
              without hidden units has none to silence: ``NotImplementedError``.
            - ``"weight_bits"``: every weight array is rounded to a symmetric uniform grid per
              output unit (a column of ``W``/``Wx``/``Wh``, a convolution filter): ``level``
              bits >= 2 give the ``2**level - 1`` levels ``k * s``, ``|k| <= 2**(level-1) - 1``,
              ``s = max|w| / (2**(level-1) - 1)``; 1 bit gives ``sign(w) * mean|w|`` (binary
              weights with one scale per unit, as in XNOR-Net). Biases stay at full precision.
        level : float or int
            A fraction in ``[0, 1]`` for the lesions; an integer >= 1 (bits) for
            ``"weight_bits"``. Level 0 of a lesion returns an unchanged copy.
        random_state : int, numpy Generator or None
            Seeds the lesion draws (unused by ``"weight_bits"``).

        Returns
        -------
        estimator
            A fitted copy of the same class.

        Raises
        ------
        ValueError
            Unknown ``kind`` or a level out of range.
        NotImplementedError
            ``"neuron_lesion"`` of a network without hidden units.
        """
        check_is_fitted(self)
        kind, level = self._check_perturbation(kind, level)
        out = copy.deepcopy(self)
        rng = np.random.default_rng(random_state)
        weights = [(layer, key) for layer in out.network_.layers
                   for key in ("W", "Wx", "Wh") if key in layer.params]
        if kind == "synapse_lesion":
            for layer, key in weights:
                w = layer.params[key]
                w.flat[rng.permutation(w.size)[:int(round(level * w.size))]] = 0
        elif kind == "neuron_lesion":
            hidden = out._hidden_layers()
            total = sum(n for _, n in hidden)
            if total == 0:
                raise NotImplementedError(
                    f"{type(self).__name__} has no hidden units to silence (a network without a "
                    "hidden layer); neuron_lesion does not apply to it")
            chosen = rng.permutation(total)[:int(round(level * total))]
            start = 0
            for i, n in hidden:
                units = chosen[(chosen >= start) & (chosen < start + n)] - start
                if units.size:
                    out._silence(i, np.sort(units))
                start += n
        else:
            for layer, key in weights:
                w = layer.params[key]
                w[...] = self._quantized(w, int(level), (1, 2, 3) if w.ndim == 4 else (0,))
        return out

    def _check_perturbation(self, kind, level):
        if kind not in self.PERTURBATIONS:
            raise ValueError(f"kind must be one of {list(self.PERTURBATIONS)}, got {kind!r}")
        if kind == "weight_bits":
            return kind, _check_int(level, "level")
        ok = isinstance(level, (int, float, np.integer, np.floating)) and not isinstance(
            level, bool) and 0.0 <= level <= 1.0
        if not ok:
            raise ValueError(f"level of {kind} must be a fraction in [0, 1], got {level!r}")
        return kind, float(level)

    def _hidden_layers(self):
        """``(layer index, units)`` of every parametrised layer but the last (the output)."""
        idx = [i for i, layer in enumerate(self.network_.layers) if layer.params]
        return [(i, self._units(self.network_.layers[i])) for i in idx[:-1]]

    @staticmethod
    def _units(layer):
        """Output units of a parametrised layer: dense units, conv channels, RNN units."""
        if isinstance(layer, Conv2D):
            return layer.params["W"].shape[0]
        return layer.params["b"].shape[0]

    def _silence(self, i, units):
        """Zero the incoming weights and bias of ``units`` of layer ``i`` and their outgoing
        weights in the next parametrised layer."""
        layers = self.network_.layers
        layer = layers[i]
        for key, w in layer.params.items():
            if isinstance(layer, Conv2D) and key == "W":
                w[units] = 0
            elif key == "b":
                w[units] = 0
            else:
                w[:, units] = 0
        shape = self._sample_shape(self.n_features_in_)
        for prior in layers[:i + 1]:
            shape = prior.output_shape(shape)
        flat_from = None  # channels x positions feed the next layer through a Flatten
        for j in range(i + 1, len(layers)):
            nxt = layers[j]
            if isinstance(nxt, Flatten):
                flat_from = shape
            if nxt.params:
                break
            shape = nxt.output_shape(shape)
        else:  # pragma: no cover - the output layer always follows a hidden one
            return
        key = "Wx" if "Wx" in nxt.params else "W"
        w = nxt.params[key]
        if isinstance(nxt, Conv2D):
            w[:, units] = 0
        elif flat_from is not None:
            per = int(np.prod(flat_from[1:]))
            rows = (units[:, None] * per + np.arange(per)[None, :]).ravel()
            w[rows] = 0
        else:
            w[units] = 0

    @staticmethod
    def _quantized(w, bits, axes):
        """``w`` on a symmetric ``bits``-bit grid, one scale per output unit: ``axes`` are the
        axes of one unit's weights (``(0,)`` for ``(n_in, n_out)`` matrices, ``(1, 2, 3)`` for
        ``(F, C, kh, kw)`` filters)."""
        a = np.abs(w.astype(np.float64))
        if bits == 1:
            scale = a.mean(axis=axes, keepdims=True)
            return np.where(w >= 0, scale, -scale).astype(w.dtype)
        top = 2 ** (bits - 1) - 1
        scale = a.max(axis=axes, keepdims=True) / top
        safe = np.where(scale > 0, scale, 1.0)
        q = np.clip(np.round(w / safe), -top, top) * scale
        return q.astype(w.dtype)


class MLPClassifier(_NetworkClassifier):
    """Multi-layer perceptron classifier trained by backpropagation.

    ``fit(X, y)`` takes ``X`` ``(n_samples, n_features)`` and labels ``y`` ``(n_samples,)``;
    ``y == -1`` marks an unlabelled sample, which backprop skips (see :meth:`fit`).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (128,)
        Units of each hidden layer; ``()`` for none: ``softmax(X W + b)``, multinomial logistic
        regression (``activation`` is then unused).
    activation : {"relu", "tanh", "sigmoid"}, default "relu"
        Hidden-layer non-linearity.
    output_activation : {"softmax", "sigmoid"}, default "softmax"
    loss : {"cross_entropy", "mse"}, default "cross_entropy"
        ``cross_entropy`` is fused with the softmax output (stable); ``mse`` compares the output
        activations with one-hot targets (the essay's choice).
    optimizer : {"adam", "sgd", "momentum"}, default "adam"
    learning_rate : float, default 1e-3
    batch_size : int or None, default 32
        ``None`` for full-batch gradient descent.
    epochs : int, default 50
    momentum : float, default 0.9
        Used by ``optimizer="momentum"``.
    weight_decay : float, default 0.0
        L2 penalty ``weight_decay / 2 * ||W||^2`` on weights (not biases).
    init : {"auto", "xavier", "he", "normal"}, default "auto"
        ``auto``: He for ReLU, Xavier otherwise.
    shuffle : bool, default True
        Reshuffle the training set every epoch (mini-batch training only).
    dtype : {"float32", "float64"}, default "float32"
    random_state : int, numpy Generator or None
    n_threads : int or None, default 1
        BLAS threads during ``fit``, ``partial_fit``, ``predict``, ``predict_proba`` and
        ``cost`` (:mod:`ann.threads`); ``None`` keeps the caller's setting (the process default
        or an enclosing ``threadpoolctl.threadpool_limits``). The count BLAS really ran with is
        ``threads_used_``. One thread is fastest for networks of this size.
    verbose : bool, default False
        Show a tqdm bar over epochs with the current loss.
    log_every : int or None
        With ``verbose``, also print the loss every ``log_every`` epochs.
    """

    def __init__(self, hidden_layer_sizes=(128,), *, activation="relu",
                 output_activation="softmax", loss="cross_entropy", optimizer="adam",
                 learning_rate=1e-3, batch_size=32, epochs=50, momentum=0.9, weight_decay=0.0,
                 init="auto", shuffle=True, dtype="float32", random_state=None, n_threads=1,
                 verbose=False, log_every=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.loss = loss
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

    def _check_params(self):
        _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=True)
        _check_choice(self.activation, "activation", _HIDDEN_ACTIVATIONS)
        super()._check_params()

    def _flatten_input(self, X, name="X"):
        return X

    def _build_layers(self, n_features, n_classes, rng, dtype, init):
        sizes = [n_features, *_check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes",
                                           allow_empty=True)]
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [Dense(a, b, rng=rng, init=init, dtype=dtype),
                       ACTIVATIONS[self.activation](dtype=dtype)]
        out_init = "normal" if init == "normal" else "xavier"
        layers.append(Dense(sizes[-1], n_classes, rng=rng, init=out_init, dtype=dtype))
        return layers


class CNNClassifier(_NetworkClassifier):
    """Convolutional classifier: ``[Conv2D -> activation -> MaxPool2D] x len(channels)``, then
    dense layers.

    Parameters
    ----------
    image_shape : (int, int), default (8, 8)
        ``(H, W)``; flat rows hold ``C * H * W`` features, channel-major (``C`` inferred).
    channels : tuple of int, default (16,)
        Output channels of each convolution block.
    kernel_size : int, default 3
    padding : int, default 1
        Zero padding (1 keeps a 3x3 convolution's output the size of its input).
    pool_size : int or None, default 2
        Max-pool window after each convolution; ``None`` for no pooling.
    hidden_layer_sizes : tuple of int, default ()
        Dense layers between the flattened features and the output.
    learning_rate : float, default 3e-3
    Other parameters
        As for :class:`MLPClassifier`.
    """

    _input_ndims = (2, 4)

    def __init__(self, image_shape=(8, 8), *, channels=(16,), kernel_size=3, padding=1,
                 pool_size=2, hidden_layer_sizes=(), activation="relu",
                 output_activation="softmax", loss="cross_entropy", optimizer="adam",
                 learning_rate=3e-3, batch_size=32, epochs=30, momentum=0.9, weight_decay=0.0,
                 init="auto", shuffle=True, dtype="float32", random_state=None, n_threads=1,
                 verbose=False, log_every=None):
        self.image_shape = image_shape
        self.channels = channels
        self.kernel_size = kernel_size
        self.padding = padding
        self.pool_size = pool_size
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.loss = loss
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

    def _check_params(self):
        _check_shape2(self.image_shape, "image_shape")
        _check_sizes(self.channels, "channels")
        _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=True)
        _check_int(self.kernel_size, "kernel_size")
        _check_int(self.padding, "padding", low=0)
        _check_int(self.pool_size, "pool_size", allow_none=True)
        _check_choice(self.activation, "activation", _HIDDEN_ACTIVATIONS)
        super()._check_params()

    def _flatten_input(self, X, name="X"):
        h, w = _check_shape2(self.image_shape, "image_shape")
        if X.ndim == 4 and X.shape[2:] != (h, w):
            raise ValueError(f"{name} has images of shape {X.shape[2:]} but image_shape is "
                             f"{(h, w)}; set image_shape=({X.shape[2]}, {X.shape[3]})")
        X2 = X.reshape(X.shape[0], -1)
        if X2.shape[1] % (h * w):
            raise ValueError(
                f"{name} has {X2.shape[1]} features, not a multiple of image_shape {(h, w)} = "
                f"{h * w} pixels; set image_shape to the (height, width) of your images"
            )
        return X2

    def _sample_shape(self, n_features):
        h, w = self.image_shape
        return (n_features // (h * w), h, w)

    def _build_layers(self, n_features, n_classes, rng, dtype, init):
        shape = self._sample_shape(n_features)
        layers = []
        c_in = shape[0]
        for c_out in _check_sizes(self.channels, "channels"):
            layers += [Conv2D(c_in, c_out, self.kernel_size, padding=self.padding, rng=rng,
                              init=init, dtype=dtype),
                       ACTIVATIONS[self.activation](dtype=dtype)]
            if self.pool_size not in (None, 1):
                layers.append(MaxPool2D(self.pool_size, dtype=dtype))
            c_in = c_out
        layers.append(Flatten(dtype=dtype))
        n = Sequential(layers).output_shape(shape)[0]
        for h in _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=True):
            layers += [Dense(n, h, rng=rng, init=init, dtype=dtype),
                       ACTIVATIONS[self.activation](dtype=dtype)]
            n = h
        layers.append(Dense(n, n_classes, rng=rng, init="xavier", dtype=dtype))
        return layers


class RNNClassifier(_NetworkClassifier):
    """Elman RNN classifier: ``RNN(d, n_hidden)`` over ``T`` steps, its last state -> dense output.

    Parameters
    ----------
    sequence_shape : (int, int) or None, default (8, 8)
        ``(T, d)``: flat rows hold ``T * d`` features, step-major (an image read row by row).
        ``None``: each feature is one step (``T = n_features``, ``d = 1``); 2-D ``X`` only.
    n_hidden : int, default 64
    learning_rate : float, default 3e-3
    epochs : int, default 40
    Other parameters
        As for :class:`MLPClassifier` (the recurrent non-linearity is tanh).
    """

    _input_ndims = (2, 3)

    def __init__(self, sequence_shape=(8, 8), *, n_hidden=64, output_activation="softmax",
                 loss="cross_entropy", optimizer="adam", learning_rate=3e-3, batch_size=32,
                 epochs=40, momentum=0.9, weight_decay=0.0, init="auto", shuffle=True,
                 dtype="float32", random_state=None, n_threads=1, verbose=False,
                 log_every=None):
        self.sequence_shape = sequence_shape
        self.n_hidden = n_hidden
        self.output_activation = output_activation
        self.loss = loss
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

    def _check_params(self):
        _check_shape2(self.sequence_shape, "sequence_shape", allow_none=True)
        _check_int(self.n_hidden, "n_hidden")
        super()._check_params()

    def _flatten_input(self, X, name="X"):
        shape = _check_shape2(self.sequence_shape, "sequence_shape", allow_none=True)
        if shape is None:
            if X.ndim == 3:
                raise ValueError(f"{name} is 3-D {X.shape} but sequence_shape=None reads flat "
                                 f"rows one feature per step; set sequence_shape=({X.shape[1]}, "
                                 f"{X.shape[2]})")
            return X
        t, d = shape
        if X.ndim == 3 and X.shape[1:] != (t, d):
            raise ValueError(f"{name} has sequences of shape {X.shape[1:]} but sequence_shape is "
                             f"{(t, d)}; set sequence_shape=({X.shape[1]}, {X.shape[2]})")
        X2 = X.reshape(X.shape[0], -1)
        if X2.shape[1] != t * d:
            raise ValueError(
                f"{name} has {X2.shape[1]} features but sequence_shape {(t, d)} needs {t * d}; "
                "set sequence_shape=(steps, features_per_step) with steps * features = n_features"
            )
        return X2

    def _sample_shape(self, n_features):
        if self.sequence_shape is None:
            return (n_features, 1)
        return tuple(self.sequence_shape)

    def _build_layers(self, n_features, n_classes, rng, dtype, init):
        t, d = self._sample_shape(n_features)
        return [RNN(d, self.n_hidden, rng=rng, init=init, dtype=dtype),
                Dense(self.n_hidden, n_classes, rng=rng, init="xavier", dtype=dtype)]
