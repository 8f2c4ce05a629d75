"""Means with confidence intervals over seeds (the one place intervals are computed).

Every aggregated number the report compares is a mean over seeds with a two-sided Student-t
interval: ``mean +- t_{0.975, n-1} * s / sqrt(n)`` (``s`` the sample standard deviation). With a
single seed there is no interval (``nan`` half-width, shown as no ``+-``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

__all__ = ["mean_ci", "diff_ci", "fmt_ci"]


def mean_ci(values: Iterable[float], level: float = 0.95) -> tuple[float, float, int]:
    """Mean, half-width of the ``level`` t interval, and the number of finite values.

    Parameters
    ----------
    values : iterable of float
        One value per seed; NaN and None are dropped.
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    (mean, half_width, n)
        ``half_width`` is ``nan`` for fewer than 2 values; ``mean`` is ``nan`` for none.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    arr = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    arr = arr[np.isfinite(arr)]
    n = len(arr)
    if n == 0:
        return math.nan, math.nan, 0
    if n == 1:
        return float(arr[0]), math.nan, 1
    from scipy.stats import t

    half = float(t.ppf(0.5 + level / 2.0, n - 1) * arr.std(ddof=1) / math.sqrt(n))
    return float(arr.mean()), half, n


def diff_ci(a: Iterable[float], b: Iterable[float], level: float = 0.95
            ) -> tuple[float, float, int]:
    """Mean and interval of the paired differences ``a - b`` (one pair per seed)."""
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"a and b must pair one value per seed, got {len(a)} and {len(b)}")
    return mean_ci([x - y for x, y in zip(a, b, strict=True)], level)


def fmt_ci(mean: float, half: float, digits: int = 3) -> str:
    """``"0.845 +- 0.012"``, or ``"0.845"`` without an interval, ``"-"`` without a value."""
    if mean is None or not math.isfinite(mean):
        return "-"
    if half is None or not math.isfinite(half):
        return f"{mean:.{digits}g}"
    return f"{mean:.{digits}g} ± {half:.2g}"
