"""im2col / col2im: the functional core of :class:`ann.layers.Conv2D` and ``MaxPool2D``.

A convolution becomes one matrix product once every receptive field is copied into a column.
``im2col`` does that with ``kh * kw`` strided slice copies into one preallocated buffer (no Python
loop over positions); ``col2im`` is its adjoint, a ``kh * kw`` loop of slice ``+=`` (never
``np.add.at``), which is what the backward pass of a convolution needs.

Column layout: ``cols[c, i, j, n, oh, ow] = x_padded[n, c, oh * stride + i, ow * stride + j]``, so
``cols.reshape(C * kh * kw, N * Ho * Wo)`` is contiguous and ``W.reshape(F, C * kh * kw) @ cols``
is the whole convolution.
"""

from __future__ import annotations

import numpy as np

__all__ = ["output_size", "im2col", "col2im"]


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Number of kernel positions along one axis: ``(size + 2 padding - kernel) // stride + 1``."""
    n = (size + 2 * padding - kernel) // stride + 1
    if n < 1:
        raise ValueError(
            f"kernel {kernel} with padding {padding} does not fit an input of size {size}; "
            "use a smaller kernel_size or more padding"
        )
    return n


def im2col(xp: np.ndarray, kh: int, kw: int, stride: int, out=None) -> np.ndarray:
    """Copy the receptive fields of a padded input into columns.

    Parameters
    ----------
    xp : ndarray of shape (N, C, Hp, Wp)
        Input, already padded.
    kh, kw : int
        Kernel height and width.
    stride : int
    out : ndarray of shape (C, kh, kw, N, Ho, Wo), optional
        Buffer to fill (reused across calls to avoid allocation).

    Returns
    -------
    cols : ndarray of shape (C, kh, kw, N, Ho, Wo)
    """
    n, c, hp, wp = xp.shape
    ho = (hp - kh) // stride + 1
    wo = (wp - kw) // stride + 1
    if out is None:
        out = np.empty((c, kh, kw, n, ho, wo), dtype=xp.dtype)
    xt = xp.transpose(1, 0, 2, 3)  # (C, N, Hp, Wp) view
    for i in range(kh):
        for j in range(kw):
            out[:, i, j] = xt[:, :, i : i + stride * ho : stride, j : j + stride * wo : stride]
    return out


def col2im(cols: np.ndarray, x_shape, stride: int) -> np.ndarray:
    """Adjoint of :func:`im2col`: sum column entries back onto the padded input grid.

    Parameters
    ----------
    cols : ndarray of shape (C, kh, kw, N, Ho, Wo)
    x_shape : tuple (N, C, Hp, Wp)
        Shape of the padded input.
    stride : int

    Returns
    -------
    dxp : ndarray of shape (N, C, Hp, Wp)
    """
    c, kh, kw, n, ho, wo = cols.shape
    dxt = np.zeros((c, n, x_shape[2], x_shape[3]), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            dxt[:, :, i : i + stride * ho : stride, j : j + stride * wo : stride] += cols[:, i, j]
    return dxt.transpose(1, 0, 2, 3)
