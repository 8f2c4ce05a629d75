"""Input validation shared by the ``neurosim`` building blocks (private).

Every check raises :class:`contract.InvalidParameterError` (a ``ValueError`` and a
``TypeError``) whose message names the argument and says what to
change. Nothing here touches Brian2 state except :func:`codegen_target`, a context manager that
switches the runtime code-generation target and restores it afterwards.
"""

from __future__ import annotations

import contextlib
import math
import numbers
from collections.abc import Iterator, Mapping

import numpy as np

from contract import InvalidParameterError

#: Runtime code-generation targets accepted by ``backend=`` arguments.
RUNTIME_BACKENDS = ("cython", "numpy")


def check_real(name: str, value: object) -> float:
    """Return ``value`` as a finite float, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(
            name, f"{name} must be a real number, got {type(value).__name__}: {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise InvalidParameterError(name, f"{name} must be finite, got {value!r}")
    return out


def check_positive(name: str, value: object) -> float:
    """Return ``value`` as a float > 0, or raise naming ``name``."""
    out = check_real(name, value)
    if out <= 0.0:
        raise InvalidParameterError(
            name, f"{name} must be > 0, got {value!r}; pass a positive value")
    return out


def check_nonnegative(name: str, value: object) -> float:
    """Return ``value`` as a float >= 0, or raise naming ``name``."""
    out = check_real(name, value)
    if out < 0.0:
        raise InvalidParameterError(
            name, f"{name} must be >= 0, got {value!r}; pass a non-negative value")
    return out


def check_int(name: str, value: object, *, minimum: int = 0) -> int:
    """Return ``value`` as an int >= ``minimum``, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidParameterError(
            name, f"{name} must be an integer, got {type(value).__name__}: {value!r}")
    out = int(value)
    if out < minimum:
        raise InvalidParameterError(name, f"{name} must be >= {minimum}, got {out}")
    return out


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, or raise naming ``name``."""
    if not isinstance(value, str) or value not in choices:
        raise InvalidParameterError(name, f"{name} must be one of {choices}, got {value!r}")
    return value


def check_name(name: str, value: object) -> str:
    """Return a valid Brian2 object name (identifier, no leading underscore)."""
    if not isinstance(value, str) or not value.isidentifier() or value.startswith("_"):
        raise InvalidParameterError(name,
            f"{name} must be a Python identifier not starting with '_' (a Brian2 object name), "
            f"got {value!r}"
        )
    return value


def check_seed(name: str, value: object) -> int:
    """Return a seed as a non-negative int below 2**32 (what ``brian2.seed`` accepts)."""
    out = check_int(name, value, minimum=0)
    if out >= 2**32:
        raise InvalidParameterError(name, f"{name} must be < 2**32, got {out}")
    return out


def as_float_array(name: str, value: object, *, ndim: int | None = None) -> np.ndarray:
    """Return a new finite float64 array copy of ``value``, or raise naming ``name``."""
    try:
        arr = np.array(value, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(name, f"{name} must be array-like of numbers: {exc}") from None
    if ndim is not None and arr.ndim != ndim:
        raise InvalidParameterError(name, f"{name} must be {ndim}-D, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(
            name, f"{name} contains NaN or inf; clean or impute the input first")
    return arr


def check_unit_interval(name: str, arr: np.ndarray) -> np.ndarray:
    """Raise unless every entry of ``arr`` lies in [0, 1]."""
    if arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
        raise InvalidParameterError(name,
            f"{name} must lie in [0, 1] (got min {arr.min():.4g}, max {arr.max():.4g}); "
            "rescale it first, e.g. sklearn.preprocessing.MinMaxScaler"
        )
    return arr


def check_dt(dt_ms: object, time_constants_ms: Mapping[str, float], *, max_fraction: float = 0.5,
             name: str = "dt_ms") -> float:
    """Validate a simulation step against the model's time constants.

    Parameters
    ----------
    dt_ms : float
        Simulation time step in ms, must be > 0.
    time_constants_ms : mapping of str to float
        Named time constants (ms) the integrator must resolve.
    max_fraction : float
        Largest allowed ``dt / tau``. Forward Euler on ``dx/dt = -x/tau`` overshoots (changes sign)
        for ``dt > tau`` and diverges for ``dt > 2 tau``; 0.5 keeps the decay factor in [0.5, 1),
        which still admits Diehl & Cook's 0.5 ms step with their 1 ms excitatory conductance.

    Returns
    -------
    float
        ``dt_ms`` as a float.
    """
    dt = check_positive(name, dt_ms)
    for tau_name, tau in time_constants_ms.items():
        if dt > max_fraction * tau:
            raise InvalidParameterError(name,
                f"{name}={dt:g} is too large for {tau_name}={tau:g} ms: need {name} <= "
                f"{max_fraction:g} * {tau_name} = {max_fraction * tau:g} ms; decrease {name} "
                f"or increase {tau_name}"
            )
    return dt


@contextlib.contextmanager
def codegen_target(backend: str) -> Iterator[None]:
    """Temporarily set ``brian2.prefs.codegen.target`` to ``backend`` (``cython``/``numpy``).

    Raises ``ValueError`` for other names (``cpp_standalone`` is a *device*, handled by the
    classifier's standalone path, not by this runtime switch).
    """
    import brian2 as b2

    check_choice("backend", backend, RUNTIME_BACKENDS)
    old = b2.prefs.codegen.target
    b2.prefs.codegen.target = backend
    try:
        yield
    finally:
        b2.prefs.codegen.target = old
