"""The fully connected layer ``y = x W + b``."""

from __future__ import annotations

import numpy as np

from ann.initializers import check_rng, get_initializer
from ann.layers.base import Layer, _check_positive_int, _column_sum, _effective


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
