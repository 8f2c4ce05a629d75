"""Recurrent layers over sequences ``(n, T, d)``, trained by backpropagation through time."""

from __future__ import annotations

import numpy as np

from ann.initializers import check_rng, get_initializer
from ann.layers.base import Layer, _check_positive_int, _column_sum, _effective


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


def _sigmoid(a, out):
    """Numerically stable logistic ``1 / (1 + exp(-a))`` written into ``out``."""
    np.negative(np.abs(a), out=out)
    np.exp(out, out=out)  # e = exp(-|a|) in (0, 1]
    pos = a >= 0
    # a >= 0: 1 / (1 + e); a < 0: e / (1 + e)
    np.divide(np.where(pos, 1.0, out), 1.0 + out, out=out)
    return out


class GRU(Layer):
    """Gated recurrent unit (Cho et al. 2014, the PyTorch form), ``h_0 = 0``::

        z_t = sigmoid(x_t Wx_z + h_{t-1} Wh_z + b_z)          update gate
        r_t = sigmoid(x_t Wx_r + h_{t-1} Wh_r + b_r)          reset gate
        n_t = tanh(x_t Wx_n + b_n + r_t * (h_{t-1} Wh_n))     candidate
        h_t = (1 - z_t) * n_t + z_t * h_{t-1}

    Trained by backpropagation through time. The three gates are stacked in the columns of the
    parameters (order ``z, r, n``), so the input projection of all steps is one matrix product
    before the time loop and each step one ``h_{t-1} Wh`` product; the weight gradients are
    single products after the backward loop. The additive path ``z_t * h_{t-1}`` carries the
    gradient through many steps without repeated multiplication by ``Wh`` (no vanishing /
    exploding through 40 steps at the start of training).

    Parameters
    ----------
    n_in, n_hidden : int
    return_sequences : bool, default False
        Return all hidden states ``(n, T, n_hidden)`` instead of the last ``(n, n_hidden)``.
    rng, init, dtype
        As for :class:`RNN` (each gate's block drawn separately with fan-in/out of one gate).

    Shapes: ``x (n, T, n_in)``; ``params["Wx"] (n_in, 3 n_hidden)``, ``params["Wh"]
    (n_hidden, 3 n_hidden)``, ``params["b"] (3 n_hidden,)``.
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
        h, d = self.n_hidden, self.n_in
        wx = [init_fn((d, h), d, h, rng, self.dtype) for _ in range(3)]
        wh = [init_fn((h, h), h, h, rng, self.dtype) for _ in range(3)]
        self.params = {
            "Wx": np.ascontiguousarray(np.concatenate(wx, axis=1)),
            "Wh": np.ascontiguousarray(np.concatenate(wh, axis=1)),
            "b": np.zeros(3 * h, dtype=self.dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._ones = {}

    def output_shape(self, input_shape):
        t, _ = input_shape
        return (t, self.n_hidden) if self.return_sequences else (self.n_hidden,)

    def forward(self, x):
        x = self._input(x, 3)
        if x.shape[2] != self.n_in:
            raise ValueError(f"GRU.forward: x must have shape (n, T, {self.n_in}), got {x.shape}")
        n, t, d = x.shape
        h = self.n_hidden
        xs = np.ascontiguousarray(x.transpose(1, 0, 2)).reshape(t * n, d)
        gx = (xs @ self.params["Wx"]).reshape(t, n, 3 * h)
        gx += self.params["b"]
        wh = self.params["Wh"]
        hs = np.empty((t, n, h), dtype=self.dtype)
        zs = np.empty_like(hs)
        rs = np.empty_like(hs)
        ns = np.empty_like(hs)
        hn = np.empty_like(hs)  # h_{t-1} Wh_n, needed for dL/dr
        prev = np.zeros((n, h), dtype=self.dtype)
        for k in range(t):
            g = prev @ wh
            a = gx[k]
            _sigmoid(a[:, :h] + g[:, :h], zs[k])
            _sigmoid(a[:, h : 2 * h] + g[:, h : 2 * h], rs[k])
            hn[k] = g[:, 2 * h :]
            np.tanh(a[:, 2 * h :] + rs[k] * hn[k], out=ns[k])
            # h = n + z * (h_prev - n)
            np.subtract(prev, ns[k], out=hs[k])
            hs[k] *= zs[k]
            hs[k] += ns[k]
            prev = hs[k]
        self._cache = (xs, hs, zs, rs, ns, hn)
        if self.return_sequences:
            return hs.transpose(1, 0, 2)
        return hs[-1]

    def backward(self, dy, *, input_grad=True):
        xs, hs, zs, rs, ns, hn = self._cached()
        t, n, h = hs.shape
        dgx = np.empty((t, n, 3 * h), dtype=hs.dtype)  # dL/d(input pre-activations)
        dgh = np.empty_like(dgx)  # dL/d(h_{t-1} Wh)
        wh_t = self.params["Wh"].T
        if self.return_sequences:
            dyt = dy.transpose(1, 0, 2)
            dh = np.array(dyt[t - 1], dtype=hs.dtype)
        else:
            dh = np.array(dy, dtype=hs.dtype)
        zero = np.zeros((n, h), dtype=hs.dtype)
        for k in range(t - 1, -1, -1):
            prev = hs[k - 1] if k > 0 else zero
            z, r, nk = zs[k], rs[k], ns[k]
            dan = dh * (1 - z) * (1 - nk * nk)           # candidate pre-activation
            dgx[k, :, 2 * h :] = dan
            dgh[k, :, 2 * h :] = dan * r
            dgx[k, :, h : 2 * h] = dan * hn[k] * r * (1 - r)  # reset pre-activation
            dgx[k, :, :h] = dh * (prev - nk) * z * (1 - z)   # update pre-activation
            dgh[k, :, : 2 * h] = dgx[k, :, : 2 * h]
            if k > 0:
                dh = dh * z + dgh[k] @ wh_t
                if self.return_sequences:
                    dh += dyt[k - 1]
        da = dgx.reshape(t * n, 3 * h)
        np.matmul(xs.T, da, out=self.grads["Wx"])
        np.matmul(hs[:-1].reshape(-1, h).T, dgh[1:].reshape(-1, 3 * h), out=self.grads["Wh"])
        _column_sum(da, self._ones, out=self.grads["b"])
        if not input_grad:
            return None
        return (da @ self.params["Wx"].T).reshape(t, n, self.n_in).transpose(1, 0, 2)

    def describe(self, input_shape):
        t, _ = input_shape
        h = self.n_hidden
        syn = 3 * (self.n_in * h + h * h)
        return {"output_shape": self.output_shape(input_shape), "neurons": h,
                "synapses": syn, "macs": syn * t, "steps": t, "membrane_updates": h * t}

    def hidden_states(self):
        return None if self._cache is None else self._cache[1]

    def effective_macs(self):
        xs, hs = self._cached()[:2]
        return (_effective(xs, self.params["Wx"])
                + _effective(hs[:-1].reshape(-1, self.n_hidden), self.params["Wh"]))

    def __repr__(self):
        return (f"GRU({self.n_in}, {self.n_hidden}, return_sequences={self.return_sequences}, "
                f"dtype={self.dtype.name})")


# ------------------------------------------------------------------------------------------
# container
# ------------------------------------------------------------------------------------------
