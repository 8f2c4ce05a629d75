"""Layers: ``forward(x) -> y``, ``backward(dy) -> dx``, ``params``/``grads`` dicts.

Every layer follows one small contract (after ddbourgin/numpy-ml's layout):

- ``forward(x)`` computes the output for a batch and caches what ``backward`` needs;
- ``backward(dy, *, input_grad=True)`` takes ``dL/dy`` of the last forward, writes ``dL/dparam``
  into ``grads`` (same keys and shapes as ``params``) and returns ``dL/dx`` (``None`` when
  ``input_grad=False``, which skips that work for a network's first layer);
- ``params`` and ``grads``: ``dict[str, ndarray]`` with the same keys. Change parameters in place
  (``layer.params["W"][...] = value``): inside a :class:`Sequential` they are views into one flat
  buffer that the optimiser updates in a single pass.

Shapes are ``(n, features)`` for dense layers, ``(n, C, H, W)`` for images, ``(n, T, d)`` for
sequences. Parameters are created in ``dtype`` (float32 by default) from an explicit
``numpy.random.Generator``. Parameters named ``"b"`` are biases: not weight-decayed and not counted
as synapses.
"""

from __future__ import annotations

import copy

import numpy as np
from scipy.special import expit

from ann.im2col import col2im, im2col, output_size
from ann.initializers import check_dtype, check_rng, get_initializer

__all__ = [
    "Layer", "Dense", "Sigmoid", "Tanh", "ReLU", "Softmax", "Identity", "Conv2D", "MaxPool2D",
    "Flatten", "RNN", "Sequential", "ACTIVATIONS", "get_activation",
]


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
class Dense(Layer):
    """Fully connected layer ``y = x W + b``.

    Parameters
    ----------
    n_in, n_out : int
        Input and output features.
    rng : numpy.random.Generator, int or None
        Source of the initial weights.
    init : {"xavier", "he", "normal"}
        Weight initialiser (:mod:`ann.initializers`); biases start at zero.
    dtype : float32 or float64

    Shapes: ``x (n, n_in) -> y (n, n_out)``; ``params["W"] (n_in, n_out)``,
    ``params["b"] (n_out,)``.
    """

    def __init__(self, n_in, n_out, *, rng=None, init="xavier", dtype=np.float32):
        super().__init__(dtype=dtype)
        self.n_in = _check_positive_int(n_in, "n_in")
        self.n_out = _check_positive_int(n_out, "n_out")
        rng = check_rng(rng)
        w = get_initializer(init)((self.n_in, self.n_out), self.n_in, self.n_out, rng, self.dtype)
        self.params = {"W": w, "b": np.zeros(self.n_out, dtype=self.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._ones = {}

    def forward(self, x):
        x = self._input(x, 2, (self.n_in,))
        self._cache = x
        y = x @ self.params["W"]
        y += self.params["b"]
        return y

    def backward(self, dy, *, input_grad=True):
        x = self._cached()
        np.matmul(x.T, dy, out=self.grads["W"])
        _column_sum(dy, self._ones, out=self.grads["b"])
        return dy @ self.params["W"].T if input_grad else None

    def output_shape(self, input_shape):
        return (self.n_out,)

    def effective_macs(self):
        x = self._cached()
        return _effective(x, self.params["W"])

    def describe(self, input_shape):
        n = self.n_in * self.n_out
        return {"output_shape": (self.n_out,), "neurons": self.n_out, "synapses": n,
                "macs": n, "steps": 1, "membrane_updates": 0}

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, dtype={self.dtype.name})"


# ------------------------------------------------------------------------------------------
# activations
# ------------------------------------------------------------------------------------------
class _Activation(Layer):
    """Element-wise activation; caches its output."""

    def __init__(self, *, dtype=np.float32):
        super().__init__(dtype=dtype)

    def forward(self, x):
        if not (isinstance(x, np.ndarray) and x.dtype == self.dtype):
            x = np.asarray(x, dtype=self.dtype)
        y = self._fn(x)
        self._cache = (x, y)
        return y

    def backward(self, dy, *, input_grad=True):
        x, y = self._cached()
        return self._grad(x, y, dy) if input_grad else None

    def hidden_states(self):
        if self._cache is None:
            return None
        y = self._cache[1]
        return y.reshape(1, y.shape[0], -1)


class Sigmoid(_Activation):
    """Logistic sigmoid ``y = 1 / (1 + exp(-x))`` (``scipy.special.expit``: no overflow).

    Backward: ``dx = dy * y * (1 - y)``.
    """

    @staticmethod
    def _fn(x):
        return expit(x)

    @staticmethod
    def _grad(x, y, dy):
        return dy * (y * (1 - y))


class Tanh(_Activation):
    """Hyperbolic tangent; backward ``dx = dy * (1 - y**2)``."""

    @staticmethod
    def _fn(x):
        return np.tanh(x)

    @staticmethod
    def _grad(x, y, dy):
        return dy * (1 - y * y)


class ReLU(_Activation):
    """Rectified linear unit ``y = max(x, 0)``; backward ``dx = dy * (x > 0)``."""

    @staticmethod
    def _fn(x):
        return np.maximum(x, 0)

    @staticmethod
    def _grad(x, y, dy):
        return dy * (x > 0)


class Identity(_Activation):
    """``y = x`` (a linear output)."""

    @staticmethod
    def _fn(x):
        return x

    @staticmethod
    def _grad(x, y, dy):
        return dy


class Softmax(_Activation):
    """Softmax over the last axis, computed as ``exp(x - max(x))`` so it never overflows.

    Backward: ``dx = y * (dy - sum(dy * y, axis=-1))``. For classification prefer logits with
    :class:`ann.losses.SoftmaxCrossEntropy`, which fuses both stably.
    """

    @staticmethod
    def _fn(x):
        z = x - x.max(axis=-1, keepdims=True)
        e = np.exp(z)
        e /= e.sum(axis=-1, keepdims=True)
        return e

    @staticmethod
    def _grad(x, y, dy):
        return y * (dy - (dy * y).sum(axis=-1, keepdims=True))


ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "softmax": Softmax,
               "identity": Identity}


def get_activation(name: str, *, dtype=np.float32) -> Layer:
    """Build an activation layer by name (one of :data:`ACTIVATIONS`)."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name](dtype=dtype)


# ------------------------------------------------------------------------------------------
# convolution and pooling
# ------------------------------------------------------------------------------------------
class Conv2D(Layer):
    """2-D convolution (cross-correlation) by im2col and one matrix product.

    ``y[n, f, i, j] = b[f] + sum_{c,u,v} W[f, c, u, v] * x_pad[n, c, i*stride + u, j*stride + v]``

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride : int, default 1
    padding : int, default 0
        Zeros added on each side of both spatial axes.
    rng, init, dtype
        As for :class:`Dense` (``init`` default ``"he"``; fan-in ``C * kh * kw``).

    Shapes: ``x (n, C, H, W) -> y (n, F, Ho, Wo)`` with
    ``Ho = (H + 2 padding - kh) // stride + 1``; ``params["W"] (F, C, kh, kw)``,
    ``params["b"] (F,)``.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, *,
                 rng=None, init="he", dtype=np.float32):
        super().__init__(dtype=dtype)
        self.in_channels = _check_positive_int(in_channels, "in_channels")
        self.out_channels = _check_positive_int(out_channels, "out_channels")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _check_positive_int(stride, "stride")
        if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
            raise ValueError(f"padding must be a non-negative int, got {padding!r}")
        self.padding = int(padding)
        kh, kw = self.kernel_size
        fan_in = self.in_channels * kh * kw
        fan_out = self.out_channels * kh * kw
        shape = (self.out_channels, self.in_channels, kh, kw)
        w = get_initializer(init)(shape, fan_in, fan_out, check_rng(rng), self.dtype)
        self.params = {"W": w, "b": np.zeros(self.out_channels, dtype=self.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._buffers = {}  # reusable padded-input and column buffers, keyed by shape
        self._ones = {}

    def _buffer(self, name, shape, make):
        """A cached work array of ``shape`` (a training run sees two batch sizes at most)."""
        key = (name, shape)
        buf = self._buffers.get(key)
        if buf is None:
            if len(self._buffers) >= 8:
                self._buffers.clear()
            buf = self._buffers[key] = make(shape, dtype=self.dtype)
        return buf

    def output_shape(self, input_shape):
        c, h, w = input_shape
        kh, kw = self.kernel_size
        return (self.out_channels, output_size(h, kh, self.stride, self.padding),
                output_size(w, kw, self.stride, self.padding))

    def forward(self, x):
        x = self._input(x, 4)
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"Conv2D.forward: x must have {self.in_channels} channels (axis 1), got {x.shape}"
            )
        n = x.shape[0]
        f, _, ho, wo = (self.out_channels, *self.output_shape(x.shape[1:]))
        kh, kw = self.kernel_size
        p = self.padding
        if p:
            hp, wp = x.shape[2] + 2 * p, x.shape[3] + 2 * p
            xp = self._buffer("xp", (n, self.in_channels, hp, wp), np.zeros)
            # the zero border is never written, only the interior
            xp[:, :, p : p + x.shape[2], p : p + x.shape[3]] = x
        else:
            xp = x
        shape = (self.in_channels, kh, kw, n, ho, wo)
        cols = im2col(xp, kh, kw, self.stride, out=self._buffer("cols", shape, np.empty))
        cols2d = cols.reshape(self.in_channels * kh * kw, n * ho * wo)
        out = self.params["W"].reshape(f, -1) @ cols2d
        out += self.params["b"][:, None]
        self._cache = (xp.shape, cols.shape, cols2d)
        return out.reshape(f, n, ho, wo).transpose(1, 0, 2, 3)

    def backward(self, dy, *, input_grad=True):
        xp_shape, cols_shape, cols2d = self._cached()
        f = self.out_channels
        dyt = dy.transpose(1, 0, 2, 3).reshape(f, -1)
        np.matmul(dyt, cols2d.T, out=self.grads["W"].reshape(f, -1))
        _column_sum(dyt.T, self._ones, out=self.grads["b"])
        if not input_grad:
            return None
        dcols = self.params["W"].reshape(f, -1).T @ dyt
        dxp = col2im(dcols.reshape(cols_shape), xp_shape, self.stride)
        p = self.padding
        return dxp[:, :, p : xp_shape[2] - p, p : xp_shape[3] - p] if p else dxp

    def effective_macs(self):
        _, _, cols2d = self._cached()
        # one im2col column per output position; its padding zeros, like any zero, do not count
        return _effective(cols2d.T, self.params["W"].reshape(self.out_channels, -1).T)

    def describe(self, input_shape):
        out = self.output_shape(input_shape)
        kh, kw = self.kernel_size
        k = self.out_channels * self.in_channels * kh * kw
        positions = out[1] * out[2]
        return {"output_shape": out, "neurons": self.out_channels * positions, "synapses": k,
                "macs": k * positions, "steps": 1, "membrane_updates": 0}

    def __repr__(self):
        return (f"Conv2D({self.in_channels}, {self.out_channels}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dtype={self.dtype.name})")


class MaxPool2D(Layer):
    """Max pooling over ``pool_size`` windows of (n, C, H, W) inputs.

    Backward routes each window's gradient to the single position of its maximum (the first one
    on ties, as ``argmax``), so flat regions never receive duplicated gradient.

    Parameters
    ----------
    pool_size : int or (int, int), default 2
    stride : int or None
        Defaults to the pool height (non-overlapping windows).
    """

    def __init__(self, pool_size=2, stride=None, *, dtype=np.float32):
        super().__init__(dtype=dtype)
        self.pool_size = _pair(pool_size, "pool_size")
        self.stride = self.pool_size[0] if stride is None else _check_positive_int(stride,
                                                                                    "stride")

    def output_shape(self, input_shape):
        c, h, w = input_shape
        ph, pw = self.pool_size
        return (c, output_size(h, ph, self.stride, 0), output_size(w, pw, self.stride, 0))

    def _windows(self, ho, wo):
        """Yield ``(k, (slice_h, slice_w))`` for every offset of the pooling window."""
        ph, pw = self.pool_size
        s = self.stride
        for i in range(ph):
            for j in range(pw):
                yield i * pw + j, (slice(i, i + s * ho, s), slice(j, j + s * wo, s))

    def forward(self, x):
        x = self._input(x, 4)
        _, ho, wo = self.output_shape(x.shape[1:])
        n_win = self.pool_size[0] * self.pool_size[1]
        arg = np.zeros((x.shape[0], x.shape[1], ho, wo),
                       dtype=np.int8 if n_win < 128 else np.intp)
        y = None
        # running maximum over the window offsets; strict ">" keeps the first maximum on ties
        for k, (sh, sw) in self._windows(ho, wo):
            v = x[:, :, sh, sw]
            if y is None:
                y = v.copy()
                continue
            better = v > y
            np.copyto(y, v, where=better)
            np.copyto(arg, k, where=better)
        self._cache = (x.shape, arg)
        return y

    def backward(self, dy, *, input_grad=True):
        x_shape, arg = self._cached()
        if not input_grad:
            return None
        ho, wo = arg.shape[2:]
        dx = np.zeros(x_shape, dtype=dy.dtype)
        overlap = self.stride < max(self.pool_size)
        for k, (sh, sw) in self._windows(ho, wo):
            routed = dy * (arg == k)
            if overlap:
                dx[:, :, sh, sw] += routed
            else:  # disjoint windows: every input position is written once
                dx[:, :, sh, sw] = routed
        return dx

    def __repr__(self):
        return f"MaxPool2D(pool_size={self.pool_size}, stride={self.stride})"


class Flatten(Layer):
    """Reshape ``(n, ...)`` to ``(n, prod(...))`` (and back in backward)."""

    def forward(self, x):
        x = np.asarray(x)
        self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy, *, input_grad=True):
        shape = self._cached()
        return dy.reshape(shape) if input_grad else None

    def output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)


# ------------------------------------------------------------------------------------------
# recurrent
# ------------------------------------------------------------------------------------------
class RNN(Layer):
    """Elman recurrent layer ``h_t = tanh(x_t Wx + h_{t-1} Wh + b)``, ``h_0 = 0``.

    Trained by backpropagation through time. The input projection ``x Wx`` of all steps is one
    matrix product before the time loop, and the weight gradients are single products after it;
    only ``h_{t-1} Wh`` and its adjoint are inside the loop.

    Parameters
    ----------
    n_in, n_hidden : int
    return_sequences : bool, default False
        Return all hidden states ``(n, T, n_hidden)`` instead of the last ``(n, n_hidden)``.
    rng, init, dtype
        As for :class:`Dense` (both ``Wx`` and ``Wh`` use ``init``).

    Shapes: ``x (n, T, n_in)``; ``params["Wx"] (n_in, n_hidden)``, ``params["Wh"]
    (n_hidden, n_hidden)``, ``params["b"] (n_hidden,)``.
    """

    def __init__(self, n_in, n_hidden, return_sequences=False, *, rng=None, init="xavier",
                 dtype=np.float32):
        super().__init__(dtype=dtype)
        self.n_in = _check_positive_int(n_in, "n_in")
        self.n_hidden = _check_positive_int(n_hidden, "n_hidden")
        if not isinstance(return_sequences, (bool, np.bool_)):
            raise TypeError(f"return_sequences must be a bool, got {return_sequences!r}")
        self.return_sequences = bool(return_sequences)
        rng = check_rng(rng)
        init_fn = get_initializer(init)
        h = self.n_hidden
        self.params = {
            "Wx": init_fn((self.n_in, h), self.n_in, h, rng, self.dtype),
            "Wh": init_fn((h, h), h, h, rng, self.dtype),
            "b": np.zeros(h, dtype=self.dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._ones = {}

    def output_shape(self, input_shape):
        t, _ = input_shape
        return (t, self.n_hidden) if self.return_sequences else (self.n_hidden,)

    def forward(self, x):
        x = self._input(x, 3)
        if x.shape[2] != self.n_in:
            raise ValueError(f"RNN.forward: x must have shape (n, T, {self.n_in}), got {x.shape}")
        n, t, d = x.shape
        xs = np.ascontiguousarray(x.transpose(1, 0, 2)).reshape(t * n, d)
        hs = (xs @ self.params["Wx"]).reshape(t, n, self.n_hidden)
        hs += self.params["b"]
        wh = self.params["Wh"]
        np.tanh(hs[0], out=hs[0])
        for k in range(1, t):
            a = hs[k - 1] @ wh
            a += hs[k]
            np.tanh(a, out=hs[k])
        self._cache = (xs, hs)
        if self.return_sequences:
            return hs.transpose(1, 0, 2)
        return hs[-1]

    def backward(self, dy, *, input_grad=True):
        xs, hs = self._cached()
        t, n, h = hs.shape
        dhs = np.empty_like(hs)  # dL/d(pre-activation) for every step
        wh_t = self.params["Wh"].T
        if self.return_sequences:
            dyt = dy.transpose(1, 0, 2)
            dh = np.array(dyt[t - 1], dtype=hs.dtype)
        else:
            dh = np.array(dy, dtype=hs.dtype)
        deriv = 1 - hs * hs
        for k in range(t - 1, -1, -1):
            np.multiply(dh, deriv[k], out=dhs[k])
            if k > 0:
                dh = dhs[k] @ wh_t
                if self.return_sequences:
                    dh += dyt[k - 1]
        da = dhs.reshape(t * n, h)
        np.matmul(xs.T, da, out=self.grads["Wx"])
        np.matmul(hs[:-1].reshape(-1, h).T, dhs[1:].reshape(-1, h), out=self.grads["Wh"])
        _column_sum(da, self._ones, out=self.grads["b"])
        if not input_grad:
            return None
        return (da @ self.params["Wx"].T).reshape(t, n, self.n_in).transpose(1, 0, 2)

    def describe(self, input_shape):
        t, _ = input_shape
        syn = self.n_in * self.n_hidden + self.n_hidden * self.n_hidden
        return {"output_shape": self.output_shape(input_shape), "neurons": self.n_hidden,
                "synapses": syn, "macs": syn * t, "steps": t,
                "membrane_updates": self.n_hidden * t}

    def hidden_states(self):
        return None if self._cache is None else self._cache[1]

    def effective_macs(self):
        xs, hs = self._cached()
        # input products at every step; recurrent products from h_0 = 0 (none) and h_1..h_{T-1}
        return (_effective(xs, self.params["Wx"])
                + _effective(hs[:-1].reshape(-1, self.n_hidden), self.params["Wh"]))

    def __repr__(self):
        return (f"RNN({self.n_in}, {self.n_hidden}, return_sequences={self.return_sequences}, "
                f"dtype={self.dtype.name})")


# ------------------------------------------------------------------------------------------
# container
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
