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


# ------------------------------------------------------------------------------------------
# container
# ------------------------------------------------------------------------------------------
