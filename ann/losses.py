"""Losses: ``forward(y_pred, target) -> float`` then ``backward() -> dL/dy_pred``.

- :class:`MeanSquaredError`, the essay's loss: ``L = mean((y_pred - target)**2)`` over every element
  (samples x outputs), so ``dL/dy_pred = 2 (y_pred - target) / y_pred.size``.
- :class:`SoftmaxCrossEntropy` on logits ``z``: ``L = mean_n(-sum_k t_nk log softmax(z_n)_k)``
  computed with log-sum-exp (``log softmax = z - max z - log sum exp(z - max z)``) so it never
  overflows; ``dL/dz = (softmax(z) - t) / n``. ``target`` is integer class indices ``(n,)`` or
  probabilities ``(n, k)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Loss", "MeanSquaredError", "SoftmaxCrossEntropy", "softmax", "LOSSES", "get_loss"]


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits ``z`` (n, k), shifted by the row maximum (no overflow)."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


class Loss:
    """Base class: ``forward`` caches what ``backward`` needs."""

    def __init__(self):
        self._cache = None

    def _cached(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._cache

    def __repr__(self):
        return f"{type(self).__name__}()"


class MeanSquaredError(Loss):
    """``L = mean((y_pred - target)**2)`` over all elements; ``target`` has ``y_pred``'s shape."""

    def forward(self, y_pred, target) -> float:
        y_pred = np.asarray(y_pred)
        target = np.asarray(target)
        if target.shape != y_pred.shape:
            raise ValueError(
                f"target must have the shape of y_pred {y_pred.shape}, got {target.shape}; "
                "one-hot encode class labels for the MSE loss"
            )
        diff = y_pred - target
        self._cache = diff
        return float(np.vdot(diff, diff) / diff.size)

    def backward(self):
        diff = self._cached()
        return diff * (2.0 / diff.size)


class SoftmaxCrossEntropy(Loss):
    """Softmax cross-entropy on logits, averaged over samples (log-sum-exp stable)."""

    def __init__(self):
        super().__init__()
        self._rows = {}

    def forward(self, logits, target) -> float:
        z = np.asarray(logits)
        if z.ndim != 2:
            raise ValueError(f"logits must be 2-D (n, n_classes), got shape {z.shape}")
        target = np.asarray(target)
        n = z.shape[0]
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        e /= s
        if target.ndim == 1:
            if target.shape[0] != n or target.dtype.kind not in "iu":
                raise ValueError(
                    f"target must be integer class indices of shape ({n},) or probabilities of "
                    f"shape {z.shape}, got {target.dtype} {target.shape}"
                )
            rows = self._rows.get(n)
            if rows is None:
                rows = self._rows[n] = np.arange(n)
            loss = np.log(s[:, 0]).sum() - shifted[rows, target].sum()
            self._cache = (e, target, rows)
        else:
            if target.shape != z.shape:
                raise ValueError(f"target probabilities must have shape {z.shape}, got "
                                 f"{target.shape}")
            loss = -(target * (shifted - np.log(s))).sum()
            self._cache = (e, target, None)
        return float(loss / n)

    def backward(self):
        p, target, rows = self._cached()
        n = p.shape[0]
        grad = p.copy()
        if rows is not None:
            grad[rows, target] -= 1
        else:
            grad -= target
        grad *= 1.0 / n
        return grad


LOSSES = {"mse": MeanSquaredError, "cross_entropy": SoftmaxCrossEntropy}


def get_loss(name: str) -> Loss:
    """Build a loss by name (``"mse"`` or ``"cross_entropy"``)."""
    if not isinstance(name, str) or name not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {name!r}")
    return LOSSES[name]()
