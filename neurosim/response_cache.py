"""The last simulations of fitted spiking models, kept outside the estimators.

``predict(X)`` followed by ``cost(X)``, ``predict_at(X, t)`` or ``spikes(X)`` on the same ``X``
would simulate the same network on the same input spikes again (a sample's spikes are a function
of the model's seed, the call's purpose and the sample: :mod:`neurosim.sample_noise`). This
module keeps the few latest results, keyed by everything the simulation depends on — the
class, the hyper-parameters, the learned arrays, the data and the purpose — so that a model's
``__dict__`` is never changed by ``predict`` (scikit-learn's rule) and a copy or a reloaded model
with the same state finds the same entry. Engines (compiled builds, runtime networks) are kept
here too, by their structure.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["response_key", "cached_response", "cached_engine", "clear"]

#: How many simulation results and engines are kept (least recently used dropped first).
MAX_RESPONSES = 4
MAX_ENGINES = 4

_RESPONSES: OrderedDict[str, Any] = OrderedDict()
_ENGINES: OrderedDict[Any, Any] = OrderedDict()


def response_key(model: Any, X: np.ndarray, purpose: tuple[int, ...]) -> str:
    """Digest of what a frozen simulation of ``X`` by ``model`` depends on."""
    h = hashlib.blake2b(digest_size=16)
    h.update(type(model).__qualname__.encode())
    h.update(repr(sorted(model.get_params().items())).encode())
    h.update(repr((int(model.seed_), tuple(int(p) for p in purpose))).encode())
    for a in (model.weights_, model.theta_mV_, X):
        a = np.ascontiguousarray(a, dtype=np.float64)
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _lru(store: OrderedDict, key: Any, make: Callable[[], Any], limit: int) -> Any:
    if key in store:
        store.move_to_end(key)
        return store[key]
    value = make()
    store[key] = value
    while len(store) > limit:
        store.popitem(last=False)
    return value


def cached_response(key: str, simulate: Callable[[], Any], *, reuse: bool) -> Any:
    """The result stored under ``key`` when ``reuse`` and present, else ``simulate()`` (then
    stored)."""
    if not reuse:
        _RESPONSES.pop(key, None)
    return _lru(_RESPONSES, key, simulate, MAX_RESPONSES)


def cached_engine(key: Any, make: Callable[[], Any]) -> tuple[Any, bool]:
    """The engine stored under ``key`` (a network structure and backend), made once; and
    whether this call made it (so that a caller counts its compile time only then)."""
    made = key not in _ENGINES
    return _lru(_ENGINES, key, make, MAX_ENGINES), made


def clear() -> None:
    """Forget every stored result and engine."""
    _RESPONSES.clear()
    _ENGINES.clear()
