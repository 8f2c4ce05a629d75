"""Element-wise activations (sigmoid, tanh, ReLU, identity) and softmax, as layers."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ann.layers.base import Layer


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
