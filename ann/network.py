"""The shared machinery of the backprop classifiers over :class:`ann.layers.Sequential` networks.

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
``check_estimator`` accept them. Labels are any values scikit-learn accepts as classes
(integers, strings, ...); ``classes_`` holds them, ``-1`` included.

Training is deterministic for an int ``random_state`` (initial weights and the shuffling order are
drawn from ``numpy.random.default_rng(random_state)``). ``history_`` holds one row per epoch:
``epoch``, ``samples_seen``, ``loss`` (mean training loss over the epoch's mini-batches),
``train_accuracy`` (fraction of the epoch's samples classified correctly as they were presented,
i.e. with the weights of the moment), ``wall_s`` (cumulative training time, s) and
``eval_accuracy`` when ``fit`` got ``eval_set``. ``threads_used_`` is the BLAS thread count the
last ``fit``/``predict``/``predict_proba``/``cost`` ran with.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ann.base import BaseEstimator, InvalidParameterError, check_is_fitted
from ann.cost import measure_activity, network_cost
from ann.initializers import check_dtype
from ann.layers import Dense, Sequential, get_activation
from ann.losses import get_loss, softmax
from ann.optimizers import get_optimizer
from ann.params import (
    _check_bool,
    _check_choice,
    _check_int,
    _check_random_state,
    _check_real,
)
from ann.perturb import PerturbableNetwork
from ann.threads import blas_threads

__all__ = ["NetworkClassifier"]

_PREDICT_CHUNK = 1024
#: Input dtypes kept as they are (anything else becomes float64).
_FLOATS = (np.float64, np.float32)
_HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
_OUTPUTS = ("softmax", "sigmoid")
_INITS = ("auto", "xavier", "he", "normal")


class NetworkClassifier(PerturbableNetwork, BaseEstimator):
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

    def _record_input_shape(self, n_features):
        """Hook: set a fitted attribute for a per-sample shape inferred at fit (CNN, RNN)."""

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

    def _as_rows(self, X, name="X"):
        """``X`` as given, or an image/sequence array ``(n, ...)`` of ``_input_ndims`` dims
        flattened to rows (scikit-learn's ``check_array`` checks it first)."""
        if len(self._input_ndims) > 1 and getattr(X, "ndim", 2) > 2:
            X = check_array(X, allow_nd=True, dtype=_FLOATS, input_name=name)
            if X.ndim not in self._input_ndims:
                raise ValueError(f"{name} must have {' or '.join(map(str, self._input_ndims))} "
                                 f"dimensions, got {X.ndim}")
            return self._flatten_input(X, name)
        return X

    def _validate_X(self, X, *, reset=False, name="X"):
        """``X`` validated by scikit-learn (``reset``: record ``n_features_in_``), as rows."""
        X2 = validate_data(self, self._as_rows(X, name), reset=reset, dtype=_FLOATS)
        return self._flatten_input(X2, name)

    def _validate_Xy(self, X, y):
        """Validated rows and labels for training (``n_features_in_`` is recorded)."""
        X2, y = validate_data(self, self._as_rows(X), y, reset=True, dtype=_FLOATS)
        check_classification_targets(y)
        return self._flatten_input(X2), y

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
        self._record_input_shape(int(n_features))
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
            Class labels (integers, strings, ...); at least two classes. Backprop needs a
            target for every row, so every value is a class (``-1`` too).
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
        X2, y = self._validate_Xy(X, y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"y holds one class only ({classes[0]!r}); a classifier needs at "
                             "least two classes to train")
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
        given = y if classes is None else np.asarray(classes).ravel()
        check_classification_targets(given)
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
            Every row labelled, with classes from the first call's ``classes``.
        classes : array-like, optional
            All labels that will ever appear; needed on the first call unless ``y`` holds them
            all. Ignored afterwards.
        eval_set : tuple (X_val, y_val), optional

        Returns
        -------
        self
        """
        first = getattr(self, "network_", None) is None
        if first:
            X2, y = self._validate_Xy(X, y)
            self._first_partial_fit(X2.shape[1], y, classes)
        else:
            X2, y = validate_data(self, self._as_rows(X), y, reset=False, dtype=_FLOATS)
            X2 = self._flatten_input(X2)
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
        try:
            Xv = self._validate_X(eval_set[0], name="eval_set[0]")
        except ValueError as err:
            raise ValueError(f"eval_set[0]: {err}") from err
        yv = np.asarray(eval_set[1]).ravel()
        if len(yv) != len(Xv):
            raise ValueError(f"eval_set has {len(Xv)} samples but {len(yv)} labels; pass "
                             "(X_val, y_val) with one label per row")
        return self._network_input(Xv.astype(self._dtype, copy=False)), yv

    def _targets(self, y_enc, dtype):
        if self.loss == "cross_entropy":
            return y_enc
        targets = np.zeros((len(y_enc), len(self.classes_)), dtype=dtype)
        targets[np.arange(len(y_enc)), y_enc] = 1
        return targets

    def _batch_input(self, xb, epoch):
        """Hook: the network input of one training mini-batch in epoch ``epoch`` (1-based);
        as it is by default (the spiking network draws its input spikes here)."""
        return xb

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
        epoch = len(self.history_) + 1
        for s in range(0, n, bs):
            xb = self._batch_input(X[s : s + bs], epoch)
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
