"""Protocols that measure a fitted model beyond one score: continual learning, robustness and the
timing phase. May import ``facts``, ``tasks`` and ``models``; never ``store``, ``report`` or
``running``."""
