"""Image layers: 2-D convolution (by im2col), max pooling and flattening; images are
``(n, C, H, W)``."""

from __future__ import annotations

import numpy as np

from ann.im2col import col2im, im2col, output_size
from ann.initializers import check_rng, get_initializer
from ann.layers.base import Layer, _check_positive_int, _column_sum, _effective, _pair


class Conv2D(Layer):
    """2-D convolution (cross-correlation) by im2col and one matrix product.

    ``y[n, f, i, j] = b[f] + sum_{c,u,v} W[f, c, u, v] * x_pad[n, c, i*stride + u, j*stride + v]``

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride : int, default 1
    padding : int or (int, int), default 0
        Zeros added on each side of both spatial axes (a pair: ``(rows, columns)``, e.g.
        ``(2, 0)`` for a ``(5, 1)`` kernel over a one-column image).
    rng, init, dtype
        As for :class:`Dense` (``init`` default ``"he"``; fan-in ``C * kh * kw``).

    Shapes: ``x (n, C, H, W) -> y (n, F, Ho, Wo)`` with
    ``Ho = (H + 2 ph - kh) // stride + 1``; ``params["W"] (F, C, kh, kw)``,
    ``params["b"] (F,)``.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, *,
                 rng=None, init="he", dtype=np.float32):
        super().__init__(dtype=dtype)
        self.in_channels = _check_positive_int(in_channels, "in_channels")
        self.out_channels = _check_positive_int(out_channels, "out_channels")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _check_positive_int(stride, "stride")
        pads = padding if isinstance(padding, (tuple, list)) else (padding, padding)
        if len(pads) != 2 or any(isinstance(p, bool) or not isinstance(p, (int, np.integer))
                                 or p < 0 for p in pads):
            raise ValueError(f"padding must be a non-negative int or a pair of them, got "
                             f"{padding!r}")
        # an int when both axes agree (the repr and saved models stay as they were)
        self.padding = int(pads[0]) if pads[0] == pads[1] else (int(pads[0]), int(pads[1]))
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

    def _pads(self):
        p = self.padding
        return (p, p) if isinstance(p, int) else p

    def output_shape(self, input_shape):
        c, h, w = input_shape
        kh, kw = self.kernel_size
        ph, pw = self._pads()
        return (self.out_channels, output_size(h, kh, self.stride, ph),
                output_size(w, kw, self.stride, pw))

    def forward(self, x):
        x = self._input(x, 4)
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"Conv2D.forward: x must have {self.in_channels} channels (axis 1), got {x.shape}"
            )
        n = x.shape[0]
        f, _, ho, wo = (self.out_channels, *self.output_shape(x.shape[1:]))
        kh, kw = self.kernel_size
        ph, pw = self._pads()
        if ph or pw:
            hp, wp = x.shape[2] + 2 * ph, x.shape[3] + 2 * pw
            xp = self._buffer("xp", (n, self.in_channels, hp, wp), np.zeros)
            # the zero border is never written, only the interior
            xp[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]] = x
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
        ph, pw = self._pads()
        return dxp[:, :, ph : xp_shape[2] - ph, pw : xp_shape[3] - pw] if ph or pw else dxp

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
