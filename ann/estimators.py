"""scikit-learn-style classifiers over :class:`ann.layers.Sequential` networks.

All three take flat 2-D ``X`` ``(n_samples, n_features)`` like the rest of the ecosystem:

- :class:`MLPClassifier`: dense layers.
- :class:`CNNClassifier`: images ``image_shape=(H, W)`` read from flat rows (``C * H * W``
  features, channel-major), or ``(n, C, H, W)`` arrays.
- :class:`RNNClassifier`: sequences ``sequence_shape=(T, d)`` (an image read row by row), or
  ``(n, T, d)`` arrays.

Training is deterministic for an int ``random_state`` (initial weights and the shuffling order are
drawn from ``numpy.random.default_rng(random_state)``). ``history_`` holds one row per epoch:
``epoch``, ``samples_seen``, ``loss`` (mean training loss over the epoch's mini-batches),
``train_accuracy`` (fraction of the epoch's samples classified correctly as they were presented,
i.e. with the weights of the moment), ``wall_s`` (cumulative training time, s) and
``eval_accuracy`` when ``fit`` got ``eval_set``.
"""

from __future__ import annotations

import time

import numpy as np

from ann.base import BaseEstimator, check_is_fitted
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
from ann.validation import check_array, check_consistent_length, check_labels

__all__ = ["MLPClassifier", "CNNClassifier", "RNNClassifier"]

_PREDICT_CHUNK = 1024
_HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
_OUTPUTS = ("softmax", "sigmoid")


def _check_int(value, name, *, low=1, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        extra = " or None" if allow_none else ""
        raise TypeError(f"{name} must be an int >= {low}{extra}, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value}")
    return int(value)


def _check_sizes(value, name, *, allow_empty=False):
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of positive ints, got {value!r}")
    if not value and not allow_empty:
        raise ValueError(f"{name} must not be empty")
    return tuple(_check_int(v, f"{name}[{i}]") for i, v in enumerate(value))


def _check_choice(value, name, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


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
    def _check_hyperparams(self):
        _check_choice(self.optimizer, "optimizer", ("sgd", "momentum", "adam"))
        _check_choice(self.loss, "loss", ("mse", "cross_entropy"))
        _check_choice(self.output_activation, "output_activation", _OUTPUTS)
        if self.loss == "cross_entropy" and self.output_activation != "softmax":
            raise ValueError(
                "loss='cross_entropy' needs output_activation='softmax'; use loss='mse' for "
                f"output_activation={self.output_activation!r}"
            )
        if not isinstance(self.init, str) or self.init not in ("auto", "xavier", "he", "normal"):
            raise ValueError(
                f"init must be one of ['auto', 'he', 'normal', 'xavier'], got {self.init!r}"
            )
        _check_int(self.epochs, "epochs", low=0)
        _check_int(self.batch_size, "batch_size", allow_none=True)
        if self.log_every is not None:
            _check_int(self.log_every, "log_every")
        _check_int(self.n_threads, "n_threads", allow_none=True)
        for name in ("shuffle", "verbose"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        rs = self.random_state
        if rs is not None and not isinstance(rs, (np.random.Generator, int, np.integer)):
            raise TypeError(f"random_state must be an int, a numpy Generator or None, got {rs!r}")
        self._dtype = check_dtype(self.dtype, "dtype")
        # builds the optimisers once to validate learning_rate / momentum / weight_decay
        get_optimizer(self.optimizer, self.learning_rate, weight_decay=self.weight_decay)
        get_optimizer("momentum", self.learning_rate, momentum=self.momentum)

    def _validate_X(self, X, name="X"):
        X = check_array(X, name=name, ndims=self._input_ndims)
        return self._flatten_input(X, name)

    def _check_n_features(self, X2, name="X"):
        if X2.shape[1] != self.n_features_in_:
            raise ValueError(
                f"{name} has {X2.shape[1]} features but this model was fitted with "
                f"{self.n_features_in_}; pass data with the training layout"
            )

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
        """Train from scratch for ``epochs`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Not modified.
        y : array-like of shape (n_samples,)
            Integer class labels (at least two classes).
        eval_set : tuple (X_val, y_val), optional
            Adds ``eval_accuracy`` to every ``history_`` row.

        Returns
        -------
        self
        """
        self._check_hyperparams()
        X2 = self._validate_X(X)
        y = check_labels(y)
        check_consistent_length(X2, y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                f"y has a single class ({classes[0]}); a classifier needs at least two classes"
            )
        rng = np.random.default_rng(self.random_state)
        self._initialize(X2.shape[1], classes, rng)
        self._rng = rng
        evals = self._validate_eval_set(eval_set)
        with blas_threads(self.n_threads):
            self._train(X2, self._encode(y), self.epochs, evals)
        return self

    def partial_fit(self, X, y, classes=None, *, eval_set=None):
        """One epoch over ``(X, y)``, continuing from the current weights (online learning).

        Parameters
        ----------
        X, y : as for :meth:`fit`
        classes : array-like of int, optional
            All labels that will ever appear; needed on the first call unless ``y`` holds them
            all. Ignored afterwards.
        eval_set : tuple (X_val, y_val), optional

        Returns
        -------
        self
        """
        X2 = self._validate_X(X)
        y = check_labels(y)
        check_consistent_length(X2, y)
        if getattr(self, "network_", None) is None:
            self._check_hyperparams()
            given = y if classes is None else check_labels(classes, name="classes")
            cls = np.unique(given)
            if len(cls) < 2:
                raise ValueError(
                    "partial_fit needs at least two classes on its first call; pass "
                    "classes=[...] listing every label"
                )
            self._rng = np.random.default_rng(self.random_state)
            self._initialize(X2.shape[1], cls, self._rng)
        else:
            self._check_n_features(X2)
        evals = self._validate_eval_set(eval_set)
        with blas_threads(self.n_threads):
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

    def _train(self, X2, y_enc, n_epochs, evals):
        net, loss, opt = self.network_, self.loss_, self.optimizer_
        dtype = net.dtype
        X = self._network_input(X2.astype(dtype, copy=False))
        n = X.shape[0]
        bs = n if self.batch_size is None else min(self.batch_size, n)
        if self.loss == "cross_entropy":
            targets = y_enc
        else:
            targets = np.zeros((n, len(self.classes_)), dtype=dtype)
            targets[np.arange(n), y_enc] = 1
        params = {"flat": net.flat_params}
        grads = {"flat": net.flat_grads}
        decay = {"flat": net.decay_mask}
        epochs = range(n_epochs)
        bar = None
        if self.verbose:
            from tqdm.auto import tqdm

            bar = tqdm(epochs, desc=type(self).__name__, unit="epoch")
            epochs = bar
        self.train_samples_ += n
        self.labels_used_ += n
        for _ in epochs:
            t0 = time.perf_counter()
            if self.shuffle and bs < n:
                perm = self._rng.permutation(n)
                Xe, te, ye = X[perm], targets[perm], y_enc[perm]
            else:
                Xe, te, ye = X, targets, y_enc
            total, correct = 0.0, 0
            for s in range(0, n, bs):
                xb = Xe[s : s + bs]
                out = net.forward(xb)
                total += loss.forward(out, te[s : s + bs]) * xb.shape[0]
                correct += int(np.count_nonzero(out.argmax(axis=1) == ye[s : s + bs]))
                net.backward(loss.backward(), input_grad=False)
                opt.step(params, grads, decay)
            self._wall_s += time.perf_counter() - t0
            mean_loss = total / n
            if not np.isfinite(mean_loss):
                raise FloatingPointError(
                    f"training diverged (loss {mean_loss}) at epoch {len(self.history_) + 1}; "
                    "lower learning_rate"
                )
            self.n_samples_seen_ += n
            row = {"epoch": len(self.history_) + 1, "samples_seen": self.n_samples_seen_,
                   "loss": mean_loss, "train_accuracy": correct / n, "wall_s": self._wall_s}
            if evals is not None:
                row["eval_accuracy"] = float(np.mean(
                    self.classes_[self._forward_argmax(evals[0])] == evals[1]))
            self.history_.append(row)
            if bar is not None:
                bar.set_postfix(loss=f"{mean_loss:.4f}")
                if self.log_every and row["epoch"] % self.log_every == 0:
                    bar.write(f"epoch {row['epoch']}: loss {mean_loss:.6f}")

    # -- inference -----------------------------------------------------------------------------
    def _forward_chunks(self, Xn):
        with blas_threads(self.n_threads):
            outs = [self.network_.forward(Xn[s : s + _PREDICT_CHUNK])
                    for s in range(0, Xn.shape[0], _PREDICT_CHUNK)]
        return np.concatenate(outs, axis=0)

    def _forward_argmax(self, Xn):
        return self._forward_chunks(Xn).argmax(axis=1)

    def _prepare(self, X):
        check_is_fitted(self)
        X2 = self._validate_X(X)
        self._check_n_features(X2)
        return self._network_input(X2.astype(self.network_.dtype, copy=False))

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), float64, rows summing to 1.

        Softmax outputs are returned as they are; sigmoid outputs (the essay's MSE network) are
        normalised by their row sum.
        """
        out = self._forward_chunks(self._prepare(X)).astype(np.float64)
        if self.loss == "cross_entropy":
            return softmax(out)
        if self.output_activation == "sigmoid":
            out = np.maximum(out, np.finfo(np.float64).tiny)
            return out / out.sum(axis=1, keepdims=True)
        return out

    def predict(self, X):
        """Predicted labels (from ``classes_``), shape (n_samples,)."""
        Xn = self._prepare(X)
        return self.classes_[self._forward_argmax(Xn)]

    def score(self, X, y):
        """Accuracy of :meth:`predict` on ``(X, y)``."""
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
    def intercepts_(self):
        """Bias vectors of the parametrised layers in order."""
        check_is_fitted(self)
        return [layer.params["b"] for layer in self.network_.layers if "b" in layer.params]

    # -- comparison metrics --------------------------------------------------------------------
    def cost(self, X=None) -> dict:
        """The comparison metrics of one inference (SPEC section 2).

        What is counted: ``neurons`` = output units of every parametrised layer (hidden +
        output; conv: channels x positions; RNN: hidden units); ``synapses`` = weights, biases
        excluded, a conv kernel counted once; ``params`` = all learned numbers incl. biases;
        ``memory_bytes`` = their bytes as stored; ``macs`` = dense multiply-accumulates per
        sample (conv per output position, RNN per step); ``sequential_depth`` = parametrised
        layers, an RNN counting one per step; ``parallel_width`` = the widest layer's units;
        ``activity`` (needs ``X``) = fraction of hidden activations (every activation layer
        but the output one, and every RNN hidden state of every step) that are active: exactly
        non-zero for ReLU, ``|a| > 1e-3`` for sigmoid and tanh (they are never exactly 0).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), optional

        Returns
        -------
        dict
        """
        check_is_fitted(self)
        net = self.network_
        shape = self._sample_shape(self.n_features_in_)
        rows = net.summary(shape)
        timesteps = shape[0] if any(isinstance(layer, RNN) for layer in net.layers) else 1
        activity = None
        if X is not None:
            Xn = self._prepare(X)
            active, total = 0, 0
            for s in range(0, Xn.shape[0], _PREDICT_CHUNK):
                with blas_threads(self.n_threads):
                    net.forward(Xn[s : s + _PREDICT_CHUNK])
                for layer in net.layers[:-1]:
                    a = layer.hidden_activations()
                    if a is None or layer.active_threshold is None:
                        continue
                    active += int(np.count_nonzero(np.abs(a) > layer.active_threshold))
                    total += a.size
            activity = active / total if total else None
        return {
            "neurons": int(sum(r["neurons"] for r in rows)),
            "synapses": int(sum(r["synapses"] for r in rows)),
            "params": int(net.flat_params.size),
            "memory_bytes": int(net.flat_params.nbytes),
            "macs": int(sum(r["macs"] for r in rows)),
            "synops": None,
            "neuron_updates": None,
            "timesteps": int(timesteps),
            "sequential_depth": int(sum(r["steps"] for r in rows)),
            "parallel_width": int(max(r["neurons"] for r in rows)),
            "activity": activity,
            "update_locality": "global",
            "train_samples": int(self.train_samples_),
            "epochs": len(self.history_),
            "labels_used": int(self.labels_used_),
        }

    # -- persistence ---------------------------------------------------------------------------
    def save(self, path):
        """Write the fitted model to one ``.npz`` file (see :func:`ann.io.save`)."""
        from ann.io import save

        save(self, path)
        return path


class MLPClassifier(_NetworkClassifier):
    """Multi-layer perceptron classifier trained by backpropagation.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (128,)
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
        BLAS threads during fit/predict (:mod:`ann.threads`); ``None`` keeps the process
        setting. One thread is fastest for networks of this size.
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

    def _check_hyperparams(self):
        _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=True)
        _check_choice(self.activation, "activation", _HIDDEN_ACTIVATIONS)
        super()._check_hyperparams()

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


def _check_shape2(value, name):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair of positive ints, got {value!r}")
    return tuple(_check_int(v, f"{name}[{i}]") for i, v in enumerate(value))


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

    def _check_hyperparams(self):
        _check_shape2(self.image_shape, "image_shape")
        _check_sizes(self.channels, "channels")
        _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=True)
        _check_int(self.kernel_size, "kernel_size")
        _check_int(self.padding, "padding", low=0)
        _check_int(self.pool_size, "pool_size", allow_none=True)
        _check_choice(self.activation, "activation", _HIDDEN_ACTIVATIONS)
        super()._check_hyperparams()

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
    sequence_shape : (int, int), default (8, 8)
        ``(T, d)``: flat rows hold ``T * d`` features, step-major (an image read row by row).
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

    def _check_hyperparams(self):
        _check_shape2(self.sequence_shape, "sequence_shape")
        _check_int(self.n_hidden, "n_hidden")
        super()._check_hyperparams()

    def _flatten_input(self, X, name="X"):
        t, d = _check_shape2(self.sequence_shape, "sequence_shape")
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
        return tuple(self.sequence_shape)

    def _build_layers(self, n_features, n_classes, rng, dtype, init):
        t, d = self.sequence_shape
        return [RNN(d, self.n_hidden, rng=rng, init=init, dtype=dtype),
                Dense(self.n_hidden, n_classes, rng=rng, init="xavier", dtype=dtype)]
