"""Optimisers that live outside the layers: ``step(params, grads, decay=None)`` updates in place.

``params`` and ``grads`` are dicts with the same keys (a layer's, or a :class:`Sequential`'s flat
buffers); per-key state (velocity, Adam moments) is created on first use. Optional L2 weight
decay adds ``weight_decay * decay[key] * p`` to the gradient (the gradient of
``weight_decay / 2 * ||p||^2``); ``decay[key]`` is a 0/1 mask (scalar or array) that keeps biases
out, default 1 for every key.

- :class:`SGD`: ``p -= lr * g``
- :class:`Momentum`: ``v = momentum * v - lr * g; p += v``
- :class:`Adam` (Kingma & Ba 2015): bias-corrected moments,
  ``p -= lr * m_hat / (sqrt(v_hat) + eps)``.

Optional gradient-norm clipping (``clip_norm``; Pascanu, Mikolov & Bengio 2013): when the global
L2 norm of all gradients of one step, ``sqrt(sum_key ||grads[key]||^2)``, exceeds ``clip_norm``,
every gradient is scaled by ``clip_norm / norm`` before weight decay and the update (the
direction is kept, only the length is capped; ``grads`` are not modified). ``last_grad_norm``
holds the norm of the last step (before clipping). Recurrent networks need it: through 40
steps of BPTT a few mini-batches' gradients are tens of times the typical norm.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Optimizer", "SGD", "Momentum", "Adam", "OPTIMIZERS", "get_optimizer"]


def _check_nonneg(value, name, *, positive=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value) or value < 0 or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"{name} must be a finite {kind} number, got {value}")
    return float(value)


class Optimizer:
    """Base class holding ``learning_rate``, ``weight_decay`` and per-key scratch buffers."""

    def __init__(self, learning_rate=0.01, *, weight_decay=0.0, clip_norm=None):
        self.learning_rate = _check_nonneg(learning_rate, "learning_rate", positive=True)
        self.weight_decay = _check_nonneg(weight_decay, "weight_decay")
        self.clip_norm = None if clip_norm is None else _check_nonneg(clip_norm, "clip_norm",
                                                                      positive=True)
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.t = 0
        self.last_grad_norm = None
        self._scale = 1.0

    def _slot(self, key, p, names):
        st = self.state.get(key)
        if st is None or st["tmp"].shape != p.shape or st["tmp"].dtype != p.dtype:
            st = {name: np.zeros_like(p) for name in (*names, "tmp", "tmp2")}
            self.state[key] = st
        return st

    def _effective_grad(self, p, g, st, mask):
        """``scale * g + weight_decay * mask * p`` in a scratch buffer (``g`` itself is not
        modified); ``scale`` is the clipping factor of this step (1 without clipping)."""
        scale = self._scale
        if self.weight_decay == 0.0 and scale == 1.0:
            return g
        out = st["tmp2"]
        if self.weight_decay == 0.0:
            np.multiply(g, scale, out=out)
            return out
        np.multiply(p, self.weight_decay, out=out)
        if mask is not None:
            out *= mask
        if scale == 1.0:
            out += g
        else:
            out += scale * g
        return out

    def step(self, params, grads, decay=None):
        """Update every ``params[key]`` in place from ``grads[key]``.

        Parameters
        ----------
        params, grads : dict of str to ndarray
            Same keys and shapes.
        decay : dict of str to (float or ndarray), optional
            Weight-decay mask per key (1 decays, 0 does not); default 1.
        """
        if params.keys() != grads.keys():
            raise ValueError("params and grads must have the same keys")
        self.t += 1
        self._scale = 1.0
        if self.clip_norm is not None:
            norm = math.sqrt(sum(float(np.dot(g.reshape(-1), g.reshape(-1)))
                                 for g in grads.values()))
            self.last_grad_norm = norm
            if norm > self.clip_norm:
                self._scale = self.clip_norm / norm
        for key, p in params.items():
            mask = None if decay is None else decay.get(key)
            self._update(key, p, grads[key], mask)

    def _update(self, key, p, g, mask):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


class SGD(Optimizer):
    """Plain gradient descent ``p -= learning_rate * g``."""

    def _update(self, key, p, g, mask):
        st = self._slot(key, p, ())
        g = self._effective_grad(p, g, st, mask)
        np.multiply(g, self.learning_rate, out=st["tmp"])
        p -= st["tmp"]


class Momentum(Optimizer):
    """Heavy-ball momentum: ``v = momentum * v - learning_rate * g``; ``p += v``."""

    def __init__(self, learning_rate=0.01, momentum=0.9, *, weight_decay=0.0, clip_norm=None):
        super().__init__(learning_rate, weight_decay=weight_decay, clip_norm=clip_norm)
        self.momentum = _check_nonneg(momentum, "momentum")
        if self.momentum >= 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")

    def _update(self, key, p, g, mask):
        st = self._slot(key, p, ("v",))
        g = self._effective_grad(p, g, st, mask)
        v = st["v"]
        v *= self.momentum
        np.multiply(g, self.learning_rate, out=st["tmp"])
        v -= st["tmp"]
        p += v


class Adam(Optimizer):
    """Adam with bias correction (the PyTorch formulation of ``eps``)."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8, *,
                 weight_decay=0.0, clip_norm=None):
        super().__init__(learning_rate, weight_decay=weight_decay, clip_norm=clip_norm)
        self.beta1 = _check_nonneg(beta1, "beta1")
        self.beta2 = _check_nonneg(beta2, "beta2")
        if self.beta1 >= 1 or self.beta2 >= 1:
            raise ValueError(f"beta1 and beta2 must be in [0, 1), got {beta1}, {beta2}")
        self.eps = _check_nonneg(eps, "eps", positive=True)

    def _update(self, key, p, g, mask):
        st = self._slot(key, p, ("m", "v"))
        g = self._effective_grad(p, g, st, mask)
        m, v, tmp = st["m"], st["v"], st["tmp"]
        b1, b2 = self.beta1, self.beta2
        m *= b1
        np.multiply(g, 1 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - b2
        v += tmp
        # Python floats (not numpy float64 scalars): they keep float32 arrays in float32 loops
        c2 = math.sqrt(1.0 - b2**self.t)
        step = self.learning_rate * c2 / (1.0 - b1**self.t)
        np.sqrt(v, out=tmp)
        tmp += self.eps * c2
        np.divide(m, tmp, out=tmp)
        tmp *= step
        p -= tmp


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def get_optimizer(name: str, learning_rate: float, *, momentum=0.9, weight_decay=0.0,
                  clip_norm=None):
    """Build an optimiser by name (``"sgd"``, ``"momentum"`` or ``"adam"``); ``clip_norm``
    caps the global gradient norm of each step (None: no clipping)."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    if name == "momentum":
        return Momentum(learning_rate, momentum, weight_decay=weight_decay, clip_norm=clip_norm)
    return OPTIMIZERS[name](learning_rate, weight_decay=weight_decay, clip_norm=clip_norm)
