"""The layer contract (:class:`Layer`), the :class:`Sequential` container and small helpers the
layers share."""

from __future__ import annotations

import copy

import numpy as np

from ann.initializers import check_dtype


def _check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return int(value)


def _column_sum(a: np.ndarray, ones_cache: dict, out=None) -> np.ndarray:
    """``a.sum(axis=0)`` for a 2-D ``a`` as ``ones @ a`` (one BLAS call, much faster than a
    small-array reduction); ``ones_cache`` keeps the ones vector per length."""
    n = a.shape[0]
    ones = ones_cache.get(n)
    if ones is None or ones.dtype != a.dtype:
        ones = ones_cache[n] = np.ones(n, dtype=a.dtype)
    return np.matmul(ones, a, out=out)


def _effective(x: np.ndarray, w: np.ndarray) -> int:
    """MACs of ``x @ w`` (``x`` (m, k), ``w`` (k, j)) with a non-zero ``x`` value and a non-zero
    weight: ``sum_{row, i} [x[row, i] != 0] * #{j : w[i, j] != 0}``."""
    inputs = np.count_nonzero(x, axis=0).astype(np.int64)
    weights = np.count_nonzero(w, axis=1).astype(np.int64)
    return int(inputs @ weights)


def _pair(value, name: str) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        return _check_positive_int(value[0], name), _check_positive_int(value[1], name)
    v = _check_positive_int(value, name)
    return v, v


class Layer:
    """Base class: a layer without parameters that passes shapes through.

    Attributes
    ----------
    params, grads : dict of str to ndarray
        Learned parameters and their gradients (same keys, shapes, dtype).
    dtype : numpy.dtype
        float32 or float64.
    """

    def __init__(self, *, dtype=np.float32):
        self.dtype = check_dtype(dtype)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._cache = None

    # -- contract ---------------------------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dy: np.ndarray, *, input_grad: bool = True):  # pragma: no cover
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------------------
    def _input(self, x, ndim: int, trailing=None) -> np.ndarray:
        """Cast ``x`` to this layer's dtype (no copy when it already is) and check its shape."""
        if not (isinstance(x, np.ndarray) and x.dtype == self.dtype):
            x = np.asarray(x, dtype=self.dtype)
        if x.ndim != ndim:
            raise ValueError(
                f"{type(self).__name__}.forward: x must be {ndim}-D, got shape {x.shape}"
            )
        if trailing is not None and x.shape[1:] != tuple(trailing):
            raise ValueError(
                f"{type(self).__name__}.forward: x must have shape (n, "
                f"{', '.join(map(str, trailing))}), got {x.shape}"
            )
        return x

    def _cached(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._cache

    def output_shape(self, input_shape: tuple) -> tuple:
        """Per-sample output shape for a per-sample ``input_shape`` (no batch axis)."""
        return tuple(input_shape)

    def describe(self, input_shape: tuple) -> dict:
        """Cost of one sample through this layer: output shape, units, synapses, MACs, steps.

        ``neurons`` are output units of parametrised layers (activations add none), ``synapses``
        weights (biases excluded), ``macs`` dense multiply-accumulates (every weight once per
        output position and step), ``steps`` the sequential steps the layer takes (1, or T for
        a recurrent layer; 0 for parameter-free layers), ``membrane_updates`` the updates of
        state carried from step to step (a recurrent layer's hidden units x steps; else 0).
        """
        return {
            "output_shape": self.output_shape(input_shape),
            "neurons": 0,
            "synapses": 0,
            "macs": 0,
            "steps": 0,
            "membrane_updates": 0,
        }

    def hidden_states(self):
        """Unit outputs of the last forward, shape ``(steps, n, units)``, or ``None``.

        Activation layers return their output as one step (``units`` = every output value of
        a sample, e.g. ``C * H * W`` after a convolution); a recurrent layer returns its hidden
        state at every step. Used for the activation-sparsity statistics of ``cost``.
        """
        return None

    def effective_macs(self) -> int:
        """Multiply-accumulates of the last forward, summed over its batch, whose input value
        and weight are both non-zero (0 for layers without weights)."""
        return 0

    def __getstate__(self):
        """Copies (``copy.deepcopy``, scikit-learn's pickling) leave out the forward cache and
        the reusable work buffers: they are rebuilt on the next forward."""
        state = self.__dict__.copy()
        state["_cache"] = None
        for transient in ("_buffers", "_ones"):
            if transient in state:
                state[transient] = {}
        return state

    def astype(self, dtype) -> Layer:
        """A deep copy of this layer with parameters cast to ``dtype``."""
        dt = check_dtype(dtype)
        new = copy.deepcopy(self)
        new.dtype = dt
        new.params = {k: v.astype(dt) for k, v in self.params.items()}
        new.grads = {k: np.zeros_like(v) for k, v in new.params.items()}
        new._cache = None
        if hasattr(new, "_buffers"):
            new._buffers = {}
        return new

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


# ------------------------------------------------------------------------------------------
# dense
# ------------------------------------------------------------------------------------------


class Sequential(Layer):
    """A chain of layers whose parameters live in one flat buffer.

    ``params``/``grads`` are keyed ``"<index>.<name>"`` (``"0.W"``); the same arrays are views
    into ``flat_params``/``flat_grads`` so an optimiser can update every parameter in one pass.
    ``decay_mask`` is 1 for weights and 0 for biases.

    Parameters
    ----------
    layers : list of Layer
        All of the same dtype.
    """

    def __init__(self, layers):
        layers = list(layers)
        if not layers:
            raise ValueError("layers must be a non-empty list of Layer objects")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be an ann.layers.Layer, got {type(layer)}")
            if isinstance(layer, Sequential):
                raise TypeError(
                    f"layers[{i}] is a Sequential; nesting is not supported, pass its layers "
                    "instead: Sequential(inner.layers + [...])"
                )
        dtypes = {layer.dtype for layer in layers}
        if len(dtypes) != 1:
            raise ValueError(f"all layers must share one dtype, got {sorted(map(str, dtypes))}")
        super().__init__(dtype=dtypes.pop())
        self.layers = layers
        self._pack()

    def _pack(self):
        entries = [(i, k, v) for i, layer in enumerate(self.layers)
                   for k, v in layer.params.items()]
        size = sum(v.size for _, _, v in entries)
        self.flat_params = np.empty(size, dtype=self.dtype)
        self.flat_grads = np.zeros(size, dtype=self.dtype)
        self.decay_mask = np.zeros(size, dtype=self.dtype)
        self.params, self.grads = {}, {}
        start = 0
        for i, k, v in entries:
            stop = start + v.size
            p = self.flat_params[start:stop].reshape(v.shape)
            g = self.flat_grads[start:stop].reshape(v.shape)
            p[...] = v
            self.layers[i].params[k] = p
            self.layers[i].grads[k] = g
            self.params[f"{i}.{k}"] = p
            self.grads[f"{i}.{k}"] = g
            self.decay_mask[start:stop] = 0.0 if k == "b" else 1.0
            start = stop

    def __setstate__(self, state):
        # a copy (deepcopy, pickle) copies every parameter view on its own: re-link them to
        # one flat buffer (a fresh, writable one) so the optimiser's updates reach the layers
        self.__dict__.update(state)
        self._pack()

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dy, *, input_grad=True):
        last = len(self.layers) - 1
        for i in range(last, -1, -1):
            dy = self.layers[i].backward(dy, input_grad=input_grad or i > 0)
        return dy

    def output_shape(self, input_shape):
        for layer in self.layers:
            input_shape = layer.output_shape(input_shape)
        return tuple(input_shape)

    def summary(self, input_shape) -> list[dict]:
        """Per-layer :meth:`Layer.describe` rows (plus ``layer``, its repr) for a per-sample
        ``input_shape``."""
        rows = []
        for layer in self.layers:
            row = layer.describe(tuple(input_shape))
            row["layer"] = repr(layer)
            rows.append(row)
            input_shape = row["output_shape"]
        return rows

    def describe(self, input_shape):
        rows = self.summary(input_shape)
        keys = ("neurons", "synapses", "macs", "steps", "membrane_updates")
        out = {key: sum(r[key] for r in rows) for key in keys}
        out["output_shape"] = rows[-1]["output_shape"]
        return out

    def astype(self, dtype):
        return Sequential([layer.astype(dtype) for layer in self.layers])

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __repr__(self):
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"Sequential([\n  {inner}\n])"
