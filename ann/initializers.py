"""Weight initialisers drawing from a :class:`numpy.random.Generator`.

Every initialiser has the signature ``init(shape, fan_in, fan_out, rng, dtype) -> ndarray``:

- ``xavier`` (Glorot & Bengio 2010, uniform): ``U(-a, a)`` with
  ``a = sqrt(6 / (fan_in + fan_out))``, suited to sigmoid/tanh units.
- ``he`` (He et al. 2015, normal): ``N(0, 2 / fan_in)``, suited to ReLU units.
- ``normal``: ``N(0, 1)``, the essay's ``np.random.randn`` (saturates sigmoids on wide inputs).
- ``zeros``: used for biases.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["xavier_uniform", "he_normal", "standard_normal", "zeros", "get_initializer",
           "INITIALIZERS", "check_rng", "check_dtype"]


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """Return ``rng`` as a Generator; ``None`` gives a fresh unseeded one, an int seeds one."""
    if rng is None or isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(rng)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator, an int seed or None, got "
            f"{type(rng).__name__}; pass rng=numpy.random.default_rng(seed)"
        )
    return rng


def check_dtype(dtype, name: str = "dtype") -> np.dtype:
    """Return ``dtype`` as float32 or float64, else raise naming the argument."""
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"{name} must be 'float32' or 'float64', got {dtype!r}") from err
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"{name} must be 'float32' or 'float64', got {dtype!r}")
    return dt


def xavier_uniform(shape, fan_in: int, fan_out: int, rng: np.random.Generator, dtype):
    """Glorot-uniform weights of ``shape``: ``U(-a, a)``, ``a = sqrt(6 / (fan_in + fan_out))``."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def he_normal(shape, fan_in: int, fan_out: int, rng: np.random.Generator, dtype):
    """He-normal weights of ``shape``: ``N(0, 2 / fan_in)``."""
    return (rng.standard_normal(size=shape) * np.sqrt(2.0 / fan_in)).astype(dtype)


def standard_normal(shape, fan_in: int, fan_out: int, rng: np.random.Generator, dtype):
    """Standard-normal weights of ``shape`` (the essay's ``np.random.randn``)."""
    return rng.standard_normal(size=shape).astype(dtype)


def zeros(shape, fan_in: int, fan_out: int, rng: np.random.Generator, dtype):
    """All-zero array of ``shape`` (biases); draws nothing from ``rng``."""
    return np.zeros(shape, dtype=dtype)


INITIALIZERS: dict[str, Callable] = {
    "xavier": xavier_uniform,
    "he": he_normal,
    "normal": standard_normal,
    "zeros": zeros,
}


def get_initializer(name: str) -> Callable:
    """Look up an initialiser by name (one of :data:`INITIALIZERS`)."""
    if not isinstance(name, str) or name not in INITIALIZERS:
        raise ValueError(
            f"init must be one of {sorted(INITIALIZERS)}, got {name!r}"
        )
    return INITIALIZERS[name]
