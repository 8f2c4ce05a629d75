"""Input spikes as a function of the sample: counter-based uniform numbers for the Poisson inputs.

An input neuron ``i`` of the classifier's network fires in a time step when a uniform number
falls below its rate times ``dt``. Drawn from one random stream consumed in sample order (as
Brian2's ``rand()`` is), the same image would get other spikes, and possibly another answer,
beside other images or at another position in the batch. Here the uniform number is instead a
pure function of

- the sample's *key*: 64 bits of BLAKE2b over the model's seed, the call's purpose (a fit epoch,
  an assignment pass, ``predict``, ...) and the sample's values (:func:`sample_keys`);
- the input ``i``, the step within the showing and the showing (0 = first, 1.. = re-shows),

computed by the SplitMix64 finaliser (Steele, Lea & Flood 2014, "Fast splittable pseudorandom
number generators", OOPSLA) applied twice: ``u = mix(key + mix(c + golden)) / 2**64`` with the
counter ``c = i << 32 | step << 8 | showing``. So ``predict(X[perm]) == predict(X)[perm]`` and
``predict(X[:k]) == predict(X)[:k]`` hold exactly, and the same seed gives the same spikes. The
NumPy implementation (runtime backend) and the C++ one (compiled backend) are the same integer
arithmetic, bit for bit.
"""

from __future__ import annotations

import hashlib

import brian2 as b2
import numpy as np

__all__ = ["sample_keys", "uniform", "brian2_uniform", "FUNCTION_NAME"]

#: Name of the uniform-number function inside the Brian2 network's code.
FUNCTION_NAME = "sample_uniform"

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_LOW32 = (1 << 32) - 1

_CPP = """
static inline unsigned long long _sample_mix(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static inline double sample_uniform(double hi, double lo, int i, int step, int showing) {
    const unsigned long long key = ((unsigned long long)hi << 32) | (unsigned long long)lo;
    const unsigned long long c = ((unsigned long long)(unsigned int)i << 32)
        | ((unsigned long long)(unsigned int)step << 8)
        | ((unsigned long long)(unsigned int)showing & 0xFFULL);
    const unsigned long long z = _sample_mix(key + _sample_mix(c + 0x9E3779B97F4A7C15ULL));
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}
"""


def sample_keys(X: np.ndarray, seed: int, purpose: tuple[int, ...]) -> np.ndarray:
    """Each row's 64-bit key, as two float64 halves ``(hi, lo)`` (each < 2**32, exact).

    Parameters
    ----------
    X : ndarray (n_samples, n_features)
        The samples (their float64 values are hashed).
    seed : int
        The model's seed.
    purpose : tuple of int
        What the simulation is for (e.g. ``(1, epoch)`` for a training epoch); other purposes
        give independent spikes for the same sample.

    Returns
    -------
    ndarray (n_samples, 2) of float64
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    head = np.asarray([int(seed), *map(int, purpose)], dtype=np.int64).tobytes()
    out = np.empty((len(X), 2), dtype=np.float64)
    for r, row in enumerate(X):
        key = int.from_bytes(hashlib.blake2b(head + row.tobytes(), digest_size=8).digest(),
                             "little")
        out[r] = (key >> 32, key & _LOW32)
    return out


def _mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def uniform(hi, lo, i, step, showing) -> np.ndarray:
    """The uniform numbers in ``[0, 1)`` for keys ``(hi, lo)``, inputs ``i``, steps and
    showings (arrays broadcast together); the C++ implementation computes the same bits."""
    hi, lo, i, step, showing = np.broadcast_arrays(hi, lo, i, step, showing)
    with np.errstate(over="ignore"):
        key = (hi.astype(np.uint64) << np.uint64(32)) | lo.astype(np.uint64)
        c = ((i.astype(np.int64).astype(np.uint64) << np.uint64(32))
             | (step.astype(np.int64).astype(np.uint64) << np.uint64(8))
             | (showing.astype(np.int64).astype(np.uint64) & np.uint64(0xFF)))
        z = _mix(key + _mix(c + _GOLDEN))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def brian2_uniform() -> b2.Function:
    """:func:`uniform` as a Brian2 function ``sample_uniform(hi, lo, i, step, showing)``, with
    its NumPy (runtime) and C++ (standalone) implementations."""
    fn = b2.Function(uniform, arg_units=[1, 1, 1, 1, 1], return_unit=1,
                     arg_types=["float", "float", "integer", "integer", "integer"],
                     return_type="float", stateless=True)
    fn.implementations.add_implementation("cpp", code=_CPP, name=FUNCTION_NAME)
    return fn
