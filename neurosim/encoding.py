"""Input encodings: Poisson rate coding and Gaussian population (receptive-field) coding.

The pure functions (:func:`poisson_rates_hz`, :func:`normalized_rates_hz`,
:func:`population_code`) map features to rates or to [0, 1] activations; :func:`poisson_input` /
:func:`set_rates` are the thin Brian2 wrappers.
"""

from __future__ import annotations

import brian2 as b2
import numpy as np

from neurosim._checks import (
    as_float_array,
    check_int,
    check_name,
    check_nonnegative,
    check_positive,
    check_unit_interval,
)


def poisson_rates_hz(X: np.ndarray, max_rate_hz: float) -> np.ndarray:
    """Map intensities in [0, 1] linearly to Poisson rates.

    Diehl & Cook (2015) use ``pixel / 4`` Hz for pixels in 0..255, i.e. ``max_rate_hz = 63.75``.

    Parameters
    ----------
    X : array_like, any shape
        Intensities in [0, 1]. Not modified.
    max_rate_hz : float
        Rate (Hz) of an input at intensity 1, >= 0.

    Returns
    -------
    numpy.ndarray, same shape as ``X``, float64
        Rates in Hz, ``X * max_rate_hz``.
    """
    arr = check_unit_interval("X", as_float_array("X", X))
    rate = check_nonnegative("max_rate_hz", max_rate_hz)
    return arr * rate


def normalized_rates_hz(X: np.ndarray, total_rate_hz: float) -> np.ndarray:
    """Per-image drive normalisation: rates proportional to the intensities, summing to a total.

    Row ``x`` becomes ``total_rate_hz * x / sum(x)``, so every image sends the same expected
    number of input spikes per second, whatever its mean intensity (a dim digit and a bold one
    drive the network equally; divisive normalisation of contrast, as in the early visual
    system). With each neuron's input weights normalised to a fixed sum (Diehl & Cook 2015), the
    expected input conductance per second of a neuron with uniform weights is then the same for
    every image: ``norm_total / n_inputs * total_rate_hz``. Diehl & Cook's MNIST set-up
    corresponds to ``total_rate_hz`` ~ 784 x 0.1307 x 63.75 Hz ~ 6,530 Hz (mean MNIST intensity
    0.1307 at 63.75 Hz for intensity 1).

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
        Non-negative intensities, any scale (each row is normalised). Not modified. An all-zero
        row stays silent.
    total_rate_hz : float
        Summed rate of all inputs of one image (Hz), > 0. A simulator with step ``dt`` cannot
        fire an input more than once per step, so single rates above ``1 / dt`` saturate.

    Returns
    -------
    numpy.ndarray, shape (n_samples, n_features), float64
        Rates in Hz; each non-zero row sums to ``total_rate_hz``.
    """
    arr = as_float_array("X", X, ndim=2)
    if arr.size and (not np.all(np.isfinite(arr)) or arr.min() < 0.0):
        raise ValueError("X must be finite and non-negative (intensities); shift or rescale it")
    total = check_positive("total_rate_hz", total_rate_hz)
    sums = arr.sum(axis=1, keepdims=True)
    scale = np.divide(total, sums, out=np.zeros_like(sums), where=sums > 0)
    return arr * scale


def _check_rates(rates: object, n: int) -> np.ndarray:
    arr = as_float_array("rates", rates)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"rates must be a scalar or have shape ({n},), got {arr.shape}")
    if arr.size and arr.min() < 0.0:
        raise ValueError(f"rates must be >= 0 Hz, got min {arr.min():.4g}; clip them at 0")
    return arr


def poisson_input(n: int, *, name: str, rates: float | np.ndarray = 0.0,
                  dt_ms: float | None = None) -> b2.PoissonGroup:
    """Create ``n`` independent Poisson spike sources.

    Parameters
    ----------
    n : int
        Number of inputs, >= 1.
    name : str
        Brian2 object name.
    rates : float or array of shape (n,)
        Initial rates in Hz, >= 0. Change them between presentations with :func:`set_rates`
        (or ``group.rates = r * brian2.Hz``); no rebuild needed.
    dt_ms : float, optional
        Private time step (ms); ``None`` uses the network's default clock. Each step emits at
        most one spike per input, so ``rate * dt`` must stay well below 1 (checked <= 0.1 at the
        initial rates).

    Returns
    -------
    brian2.PoissonGroup
    """
    n = check_int("n", n, minimum=1)
    check_name("name", name)
    arr = _check_rates(rates, n)
    kwargs = {}
    if dt_ms is not None:
        step = check_positive("dt_ms", dt_ms)
        if arr.size and arr.max() * step / 1000.0 > 0.1:
            raise ValueError(f"rates up to {arr.max():g} Hz with dt_ms={step:g} give a spike "
                             "probability > 0.1 per step; decrease dt_ms or the rates")
        kwargs["dt"] = step * b2.ms
    group = b2.PoissonGroup(n, rates=np.zeros(n) * b2.Hz, name=name, **kwargs)
    group.rates = arr * b2.Hz
    return group


def set_rates(group: b2.PoissonGroup, rates_hz: float | np.ndarray) -> None:
    """Set the rates (Hz) of a :class:`brian2.PoissonGroup` for the next presentation."""
    if not isinstance(group, b2.PoissonGroup):
        raise TypeError(f"group must be a brian2.PoissonGroup, got {type(group).__name__}")
    group.rates = _check_rates(rates_hz, len(group)) * b2.Hz


def population_code(X: np.ndarray, n_per_dim: int, *, sigma: float | None = None) -> np.ndarray:
    """Gaussian receptive-field (population) code of low-dimensional inputs in [0, 1].

    Each feature ``x_k`` is represented by ``n_per_dim`` units with centres ``c_j`` evenly spaced
    on [0, 1]; unit ``(k, j)`` responds ``exp(-(x_k - c_j)^2 / (2 sigma^2))``.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
        Inputs scaled to [0, 1] (e.g. the ``moons`` task after min-max scaling). Not modified.
    n_per_dim : int
        Units per feature, >= 2.
    sigma : float, optional
        Receptive-field width in input units, > 0. Default: the centre spacing
        ``1 / (n_per_dim - 1)``: two neighbouring units both respond ``exp(-1/8) ~ 0.88`` to an
        input half-way between their centres, and ``exp(-2) ~ 0.14`` two centres away.

    Returns
    -------
    numpy.ndarray, shape (n_samples, n_features * n_per_dim), float64 in (0, 1]
        Feature-major columns: ``[x0@c0 .. x0@c_{m-1}, x1@c0, ...]``. Feed to
        :func:`poisson_rates_hz`.
    """
    arr = check_unit_interval("X", as_float_array("X", X, ndim=2))
    n_per_dim = check_int("n_per_dim", n_per_dim, minimum=2)
    s = 1.0 / (n_per_dim - 1) if sigma is None else check_positive("sigma", sigma)
    centres = np.linspace(0.0, 1.0, n_per_dim)
    act = np.exp(-((arr[:, :, None] - centres[None, None, :]) ** 2) / (2.0 * s * s))
    return act.reshape(arr.shape[0], arr.shape[1] * n_per_dim)
