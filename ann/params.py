"""Hyper-parameter checks of the backprop estimators: each raises
:class:`contract.InvalidParameterError` naming the parameter and the fix."""

from __future__ import annotations

import math

import numpy as np

from ann.base import InvalidParameterError


def _check_int(value, param, *, low=1, allow_none=False, name=None):
    """``value`` as an int >= ``low`` (or None); ``name`` is what the message calls it
    (default ``param``, e.g. ``hidden_layer_sizes[1]`` for an element)."""
    name = name or param
    if value is None and allow_none:
        return None
    want = f"an int >= {low}" + (" or None" if allow_none else "")
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidParameterError(param, f"{name} must be {want}, got {value!r}; pass e.g. "
                                           f"{name}={max(low, 1)}")
    if value < low:
        raise InvalidParameterError(param, f"{name} must be {want}, got {value}; pass a value "
                                           f">= {low}")
    return int(value)


def _check_real(value, param, *, low, high=None, low_inclusive=False, example):
    """``value`` as a finite float in ``(low, high)`` (``[low, ...`` when ``low_inclusive``)."""
    lo = "[" if low_inclusive else "("
    rng = f"{lo}{low}, {'inf' if high is None else high})"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidParameterError(param, f"{param} must be a number in {rng}, got "
                                           f"{value!r}; pass e.g. {param}={example}")
    ok = math.isfinite(value) and (value >= low if low_inclusive else value > low)
    if not ok or (high is not None and value >= high):
        raise InvalidParameterError(param, f"{param} must be a finite number in {rng}, got "
                                           f"{value}; pass e.g. {param}={example}")
    return float(value)


def _check_sizes(value, param, *, allow_empty=False):
    """A tuple of positive ints (an int is a one-element tuple)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)):
        raise InvalidParameterError(param, f"{param} must be a tuple of positive ints, got "
                                           f"{value!r}; pass e.g. {param}=(64,)")
    if not value and not allow_empty:
        raise InvalidParameterError(param, f"{param} must not be empty; pass e.g. "
                                           f"{param}=(16,)")
    return tuple(_check_int(v, param, name=f"{param}[{i}]") for i, v in enumerate(value))


def _check_shape2(value, param, *, allow_none=False):
    """A pair of positive ints (or None)."""
    if value is None and allow_none:
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        extra = " or None" if allow_none else ""
        raise InvalidParameterError(param, f"{param} must be a pair of positive ints{extra}, "
                                           f"got {value!r}; pass e.g. {param}=(8, 8)")
    return tuple(_check_int(v, param, name=f"{param}[{i}]") for i, v in enumerate(value))


def _check_choice(value, param, choices):
    if not isinstance(value, str) or value not in choices:
        raise InvalidParameterError(param, f"{param} must be one of {sorted(choices)}, got "
                                           f"{value!r}; pass e.g. {param}={choices[0]!r}")
    return value


def _check_bool(value, param):
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(param, f"{param} must be True or False, got {value!r}")


def _check_random_state(value):
    ok = value is None or isinstance(value, np.random.Generator) or (
        isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 0)
    if not ok:
        raise InvalidParameterError(
            "random_state", f"random_state must be an int >= 0, a numpy Generator or None, got "
                            f"{value!r}; pass e.g. random_state=0 for a repeatable run")


def _inferred_shape(n_features):
    """``(s, s)`` when ``n_features`` is a perfect square ``s * s``, else ``None``."""
    s = math.isqrt(int(n_features))
    return (s, s) if s * s == n_features else None
