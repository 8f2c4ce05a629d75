"""Discrete-time leaky integrate-and-fire (LIF) layers trained by surrogate gradients (BPTT).

A small numerical core of pure functions over time-major arrays ``(T, n, d)`` (one Python loop
over time, none over samples) and thin :class:`~ann.layers.Layer` wrappers over batch-major
``(n, T, d)`` sequences.

Equations (step ``t = 0 .. T-1``, time in ms, ``dt_ms`` the step, every state starts at 0)::

    c[t] = x[t] W + b                                  synaptic input of step t
    i[t] = alpha i[t-1] + c[t]                         current-based synapse (tau_syn_ms set)
    i[t] = c[t]                                        otherwise (instantaneous synapse)
    v[t] = beta v[t-1] + i[t] - v_th s[t-1]            reset="subtract"
    v[t] = beta v[t-1] (1 - s[t-1]) + i[t]             reset="zero"
    s[t] = H(v[t] - v_th)                              the output spike, H(0) = 1

with ``beta = exp(-dt_ms / tau_mem_ms)``, ``alpha = exp(-dt_ms / tau_syn_ms)``, ``v[-1] = s[-1]
= i[-1] = 0``. ``v[t]`` is the membrane at the end of step ``t``, after the input of step ``t``;
in the notation ``v[t+1] = beta v[t] + I[t] - s[t] v_th`` with ``v[0] = 0`` it is ``v[t+1]``, so
a constant sub-threshold input ``I`` gives ``v[t] = I (1 - beta**(t+1)) / (1 - beta)``. The input
``x[t]`` of step ``t`` reaches the spikes of the same step (no synaptic delay), so a stack of
``L`` layers has a dependency chain of ``T + L - 1`` steps.

Backward (backpropagation through time) replaces ``dH/dv`` by a surrogate ``sigma'(u)``,
``u = v - v_th``, with a scale ``k`` (``surrogate_scale``):

- ``"fast_sigmoid"`` (SuperSpike, Zenke & Ganguli 2018, Neural Computation 30:1514):
  ``sigma'(u) = 1 / (k |u| + 1)**2``;
- ``"arctan"``: ``sigma'(u) = 1 / (1 + (pi k u)**2)``, the derivative of
  ``arctan(pi k u) / (pi k) + 1/2`` (scaled, like ``fast_sigmoid``, to a peak of 1 at ``u = 0``;
  its width is ``1 / (pi k)``);
- ``"sigmoid_exact"``: the forward spike itself is the smooth ``s = sigmoid(k u)`` and the
  backward uses its exact derivative ``k s (1 - s)``; no surrogate, so central differences match
  the analytic gradient (it exists for the gradient check).

What is cut from the gradient: with ``detach_reset=True`` (the default, as snnTorch) the spike
``s[t-1]`` inside the reset term is treated as a constant, so the gradient flows through the
leak (``beta``; ``beta (1 - s[t-1])`` for ``reset="zero"``) but not through the reset's
dependence on ``v[t-1]``. ``detach_reset=False`` keeps it (the exact gradient of the forward
above, which the ``sigmoid_exact`` gradient check needs). Nothing else is cut: ``W``, ``b`` and
the input receive the full BPTT gradient.
"""

from __future__ import annotations

import math

import numpy as np

from ann.initializers import check_rng, get_initializer
from ann.layers.base import Layer, _check_positive_int, _column_sum, _effective

__all__ = [
    "SURROGATES", "RESETS", "REDUCTIONS", "decay", "spike", "spike_grad", "leaky_integrate",
    "leaky_integrate_backward", "lif_forward", "lif_backward", "LIF", "LeakyReadout",
    "SpikeCount",
]

SURROGATES = ("fast_sigmoid", "arctan", "sigmoid_exact")
RESETS = ("subtract", "zero")
REDUCTIONS = ("max", "mean")


# ------------------------------------------------------------------------------------------
# numerical core (pure functions, time-major arrays (T, n, d))
# ------------------------------------------------------------------------------------------


def decay(dt_ms: float, tau_ms: float | None) -> float:
    """Per-step decay factor ``exp(-dt_ms / tau_ms)`` (0.0 for ``tau_ms=None``)."""
    if tau_ms is None:
        return 0.0
    if not (dt_ms > 0 and tau_ms > 0):
        raise ValueError(f"dt_ms and tau_ms must be > 0, got dt_ms={dt_ms}, tau_ms={tau_ms}")
    return math.exp(-float(dt_ms) / float(tau_ms))


def spike(u: np.ndarray, surrogate: str, k: float) -> np.ndarray:
    """Forward spike of ``u = v - v_th``: ``H(u)`` (``H(0) = 1``), or ``sigmoid(k u)`` for
    ``surrogate="sigmoid_exact"``; same dtype as ``u``."""
    if surrogate == "sigmoid_exact":
        z = np.clip(k * u, -60.0, 60.0)
        return (1.0 / (1.0 + np.exp(-z))).astype(u.dtype, copy=False)
    return (u >= 0).astype(u.dtype)


def spike_grad(u: np.ndarray, surrogate: str, k: float) -> np.ndarray:
    """The derivative used for ``ds/dv`` at ``u = v - v_th`` (see the module docstring)."""
    if surrogate == "fast_sigmoid":
        d = k * np.abs(u)
        d += 1.0
        np.square(d, out=d)
        return np.reciprocal(d, out=d)
    if surrogate == "arctan":
        d = (math.pi * k) * u
        np.square(d, out=d)
        d += 1.0
        return np.reciprocal(d, out=d)
    if surrogate == "sigmoid_exact":
        s = spike(u, surrogate, k)
        return k * s * (1.0 - s)
    raise ValueError(f"surrogate must be one of {list(SURROGATES)}, got {surrogate!r}")


def leaky_integrate(c: np.ndarray, a: float) -> np.ndarray:
    """``y[t] = a y[t-1] + c[t]``, ``y[-1] = 0``, over axis 0 (a new array of ``c``'s dtype)."""
    y = np.array(c, dtype=c.dtype, copy=True)
    if a == 0.0:
        return y
    for t in range(1, y.shape[0]):
        y[t] += a * y[t - 1]
    return y


def leaky_integrate_backward(g: np.ndarray, a: float) -> np.ndarray:
    """Adjoint of :func:`leaky_integrate`: ``dc[t] = g[t] + a dc[t+1]`` (a new array)."""
    dc = np.array(g, dtype=g.dtype, copy=True)
    if a == 0.0:
        return dc
    for t in range(dc.shape[0] - 2, -1, -1):
        dc[t] += a * dc[t + 1]
    return dc


def lif_forward(drive: np.ndarray, *, beta: float, v_th: float, reset: str, surrogate: str,
                k: float) -> tuple[np.ndarray, np.ndarray]:
    """Membrane ``v`` and spikes ``s`` (both ``(T, n, d)``) of LIF neurons driven by ``drive``
    (``i[t]`` of the module docstring, ``(T, n, d)``)."""
    if reset not in RESETS:
        raise ValueError(f"reset must be one of {list(RESETS)}, got {reset!r}")
    t_steps = drive.shape[0]
    v = np.empty(drive.shape, dtype=drive.dtype)
    s = np.empty(drive.shape, dtype=drive.dtype)
    v[0] = drive[0]
    s[0] = spike(v[0] - v_th, surrogate, k)
    for t in range(1, t_steps):
        vt = v[t]
        if reset == "subtract":
            np.multiply(v[t - 1], beta, out=vt)
            vt -= v_th * s[t - 1]
        else:
            np.multiply(v[t - 1], 1.0 - s[t - 1], out=vt)
            vt *= beta
        vt += drive[t]
        s[t] = spike(vt - v_th, surrogate, k)
    return v, s


def lif_backward(ds: np.ndarray, v: np.ndarray, s: np.ndarray, *, beta: float, v_th: float,
                 reset: str, surrogate: str, k: float, detach_reset: bool = True) -> np.ndarray:
    """``dL/d drive`` (``(T, n, d)``) from ``dL/ds`` of every step, by BPTT.

    ``gv[t] = ds[t] sigma'[t] + gv[t+1] (a[t] + r[t] sigma'[t])`` where ``a[t] = dv[t+1]/dv[t]``
    at fixed spikes (``beta``, or ``beta (1 - s[t])`` for ``reset="zero"``) and ``r[t] =
    dv[t+1]/ds[t]`` through the reset (``-v_th``, or ``-beta v[t]``), 0 when ``detach_reset``.
    """
    sg = spike_grad(v - v_th, surrogate, k)
    local = ds * sg
    if reset == "subtract":
        coef = np.full_like(v, beta) if detach_reset else beta - v_th * sg
    else:
        coef = beta * (1.0 - s)
        if not detach_reset:
            coef -= beta * v * sg
    g = local
    for t in range(g.shape[0] - 2, -1, -1):
        g[t] += g[t + 1] * coef[t]
    return g


# ------------------------------------------------------------------------------------------
# layers
# ------------------------------------------------------------------------------------------


def _check_tau(value, name, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0 (ms), got {value!r}")
    return float(value)


class _Synaptic(Layer):
    """Shared part: the weights, ``c = x W + b`` over all steps in one product, its adjoint.

    A 3-D input ``(n, T, d_in)`` is a sequence; a 2-D input ``(n, d_in)`` (allowed when
    ``n_steps`` is set) is a constant input fed at each of ``n_steps`` steps (``x W`` computed
    once). Binary inputs are counted as spikes (accumulates), others as analog values (MACs).
    """

    def __init__(self, n_in, n_out, *, dt_ms, tau_mem_ms, n_steps, rng, init, dtype):
        super().__init__(dtype=dtype)
        self.n_in = _check_positive_int(n_in, "n_in")
        self.n_out = _check_positive_int(n_out, "n_out")
        self.dt_ms = _check_tau(dt_ms, "dt_ms")
        self.tau_mem_ms = _check_tau(tau_mem_ms, "tau_mem_ms")
        self.n_steps = None if n_steps is None else _check_positive_int(n_steps, "n_steps")
        rng = check_rng(rng)
        w = get_initializer(init)((self.n_in, self.n_out), self.n_in, self.n_out, rng,
                                  self.dtype)
        self.params = {"W": w, "b": np.zeros(self.n_out, dtype=self.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._ones = {}

    @property
    def beta(self) -> float:
        return decay(self.dt_ms, self.tau_mem_ms)

    def _current(self, x):
        """Time-major ``c`` ``(T, n, n_out)`` and what the adjoint needs."""
        if isinstance(x, np.ndarray) and x.ndim == 2 and self.n_steps is not None:
            x = self._input(x, 2, (self.n_in,))
            c = x @ self.params["W"]
            c += self.params["b"]
            return np.broadcast_to(c, (self.n_steps, *c.shape)), (True, x)
        x = self._input(x, 3)
        if x.shape[2] != self.n_in:
            raise ValueError(f"{type(self).__name__}.forward: x must have shape (n, T, "
                             f"{self.n_in}), got {x.shape}")
        n, t, d = x.shape
        xs = np.ascontiguousarray(x.transpose(1, 0, 2)).reshape(t * n, d)
        c = (xs @ self.params["W"]).reshape(t, n, self.n_out)
        c += self.params["b"]
        return c, (False, xs)

    def _current_backward(self, gc, inp, input_grad):
        constant, x = inp
        t, n, h = gc.shape
        if constant:
            g = gc.sum(axis=0)
            np.matmul(x.T, g, out=self.grads["W"])
            _column_sum(g, self._ones, out=self.grads["b"])
            return g @ self.params["W"].T if input_grad else None
        g = gc.reshape(t * n, h)
        np.matmul(x.T, g, out=self.grads["W"])
        _column_sum(g, self._ones, out=self.grads["b"])
        if not input_grad:
            return None
        return (g @ self.params["W"].T).reshape(t, n, self.n_in).transpose(1, 0, 2)

    def _steps(self, input_shape):
        return self.n_steps if len(input_shape) == 1 else int(input_shape[0])

    def describe(self, input_shape):
        t = self._steps(input_shape)
        syn = self.n_in * self.n_out
        return {"output_shape": self.output_shape(input_shape), "neurons": self.n_out,
                "synapses": syn, "macs": syn * t, "steps": t,
                "membrane_updates": self.n_out * t}

    def _input_events(self):
        """``(accumulates, multiply-accumulates)`` of the last forward's synaptic input, summed
        over the batch: spikes x non-zero outgoing weights for binary input (every step), else
        non-zero values x non-zero weights (a constant input once, as it is computed)."""
        constant, x = self._cached()[0]
        n_ops = _effective(x, self.params["W"])
        binary = not constant and bool(np.all((x == 0) | (x == 1)))
        return (n_ops, 0) if binary else (0, n_ops)

    def effective_macs(self):
        return self._input_events()[1]

    def effective_acs(self):
        return self._input_events()[0]


class LIF(_Synaptic):
    """A fully connected layer of LIF neurons (equations in :mod:`ann.layers.lif`).

    Parameters
    ----------
    n_in, n_out : int
    dt_ms : float, default 1.0
        Time step (ms).
    tau_mem_ms : float, default 10.0
        Membrane time constant (ms): ``beta = exp(-dt_ms / tau_mem_ms)``.
    tau_syn_ms : float or None, default None
        Synaptic time constant (ms) of a current-based synapse; ``None``: the input enters
        the membrane directly.
    v_threshold : float, default 1.0
        Threshold (dimensionless membrane units; the reset subtracts it).
    reset : {"subtract", "zero"}, default "subtract"
    surrogate : {"fast_sigmoid", "arctan", "sigmoid_exact"}, default "fast_sigmoid"
    surrogate_scale : float, default 10.0
        ``k`` of the surrogate (per membrane unit).
    detach_reset : bool, default True
        Treat the spike in the reset term as a constant in the backward pass.
    n_steps : int or None
        Set to accept a 2-D input ``(n, n_in)``, fed as a constant at each of ``n_steps`` steps.
    rng, init, dtype
        As for :class:`~ann.layers.Dense`.

    Shapes: ``x (n, T, n_in)`` (or ``(n, n_in)`` with ``n_steps``) -> spikes ``(n, T, n_out)``
    (0/1; in ``(0, 1)`` for ``sigmoid_exact``); ``params["W"] (n_in, n_out)``,
    ``params["b"] (n_out,)``. After a forward, :meth:`hidden_states` holds the spikes and
    ``membrane()`` the membrane, both time-major ``(T, n, n_out)``.
    """

    def __init__(self, n_in, n_out, *, dt_ms=1.0, tau_mem_ms=10.0, tau_syn_ms=None,
                 v_threshold=1.0, reset="subtract", surrogate="fast_sigmoid",
                 surrogate_scale=10.0, detach_reset=True, n_steps=None, rng=None,
                 init="xavier", dtype=np.float32):
        super().__init__(n_in, n_out, dt_ms=dt_ms, tau_mem_ms=tau_mem_ms, n_steps=n_steps,
                         rng=rng, init=init, dtype=dtype)
        self.tau_syn_ms = _check_tau(tau_syn_ms, "tau_syn_ms", allow_none=True)
        self.v_threshold = _check_tau(v_threshold, "v_threshold")
        if reset not in RESETS:
            raise ValueError(f"reset must be one of {list(RESETS)}, got {reset!r}")
        if surrogate not in SURROGATES:
            raise ValueError(f"surrogate must be one of {list(SURROGATES)}, got {surrogate!r}")
        self.reset = reset
        self.surrogate = surrogate
        self.surrogate_scale = _check_tau(surrogate_scale, "surrogate_scale")
        self.detach_reset = bool(detach_reset)

    @property
    def alpha(self) -> float:
        return decay(self.dt_ms, self.tau_syn_ms)

    def _kw(self):
        return {"beta": self.beta, "v_th": self.v_threshold, "reset": self.reset,
                "surrogate": self.surrogate, "k": self.surrogate_scale}

    def forward(self, x):
        c, inp = self._current(x)
        drive = leaky_integrate(c, self.alpha) if self.tau_syn_ms is not None else c
        v, s = lif_forward(drive, **self._kw())
        self._cache = (inp, v, s)
        return s.transpose(1, 0, 2)

    def backward(self, dy, *, input_grad=True):
        inp, v, s = self._cached()
        ds = np.asarray(dy, dtype=self.dtype).transpose(1, 0, 2)
        g = lif_backward(ds, v, s, detach_reset=self.detach_reset, **self._kw())
        if self.tau_syn_ms is not None:
            g = leaky_integrate_backward(g, self.alpha)
        return self._current_backward(g, inp, input_grad)

    def output_shape(self, input_shape):
        return (self._steps(input_shape), self.n_out)

    def hidden_states(self):
        return None if self._cache is None else self._cache[2]

    def membrane(self):
        """Membrane ``v`` of the last forward, time-major ``(T, n, n_out)``, or None."""
        return None if self._cache is None else self._cache[1]

    def __repr__(self):
        syn = "" if self.tau_syn_ms is None else f", tau_syn_ms={self.tau_syn_ms}"
        return (f"LIF({self.n_in}, {self.n_out}, tau_mem_ms={self.tau_mem_ms}{syn}, "
                f"dt_ms={self.dt_ms}, v_threshold={self.v_threshold}, reset={self.reset!r}, "
                f"surrogate={self.surrogate!r}, k={self.surrogate_scale}, "
                f"dtype={self.dtype.name})")


class LeakyReadout(_Synaptic):
    """Leaky non-spiking read-out (LI): ``u[t] = beta u[t-1] + x[t] W + b``, ``u[-1] = 0``.

    The class score is the membrane reduced over time: ``max_t u[t]`` (``reduce="max"``) or
    ``mean_t u[t]`` (``"mean"``). Its backward sends ``dL/dscore`` to the step holding the
    maximum (``"max"``; the first one on ties) or ``dL/dscore / T`` to every step (``"mean"``).

    Parameters
    ----------
    n_in, n_out : int
    dt_ms, tau_mem_ms : float, defaults 1.0, 10.0
        ``beta = exp(-dt_ms / tau_mem_ms)``.
    reduce : {"max", "mean"}, default "max"
    n_steps, rng, init, dtype
        As for :class:`LIF`.

    Shapes: ``x (n, T, n_in)`` -> scores ``(n, n_out)``; :meth:`scores_at` gives the scores of
    the first ``t`` steps.
    """

    def __init__(self, n_in, n_out, *, dt_ms=1.0, tau_mem_ms=10.0, reduce="max", n_steps=None,
                 rng=None, init="xavier", dtype=np.float32):
        super().__init__(n_in, n_out, dt_ms=dt_ms, tau_mem_ms=tau_mem_ms, n_steps=n_steps,
                         rng=rng, init=init, dtype=dtype)
        if reduce not in REDUCTIONS:
            raise ValueError(f"reduce must be one of {list(REDUCTIONS)}, got {reduce!r}")
        self.reduce = reduce

    def forward(self, x):
        c, inp = self._current(x)
        u = leaky_integrate(c, self.beta)
        self._cache = (inp, u)
        return u.max(axis=0) if self.reduce == "max" else u.mean(axis=0)

    def backward(self, dy, *, input_grad=True):
        inp, u = self._cached()
        dy = np.asarray(dy, dtype=self.dtype)
        t = u.shape[0]
        if self.reduce == "max":
            gu = np.zeros_like(u)
            idx = u.argmax(axis=0)
            np.put_along_axis(gu, idx[None], dy[None], axis=0)
        else:
            gu = np.broadcast_to(dy / t, u.shape)
        g = leaky_integrate_backward(gu, self.beta)
        return self._current_backward(g, inp, input_grad)

    def scores_at(self, steps) -> np.ndarray:
        """Scores from the first ``t`` steps of the last forward for each ``t`` in ``steps``
        (each in ``1..T``): ``(len(steps), n, n_out)``."""
        u = self._cached()[1]
        idx = np.asarray(steps, dtype=np.int64) - 1
        if self.reduce == "max":
            return np.maximum.accumulate(u, axis=0)[idx]
        return np.cumsum(u, axis=0, dtype=np.float64)[idx] / (idx + 1)[:, None, None]

    def membrane(self):
        """Membrane ``u`` of the last forward, time-major ``(T, n, n_out)``, or None."""
        return None if self._cache is None else self._cache[1]

    def output_shape(self, input_shape):
        return (self.n_out,)

    def __repr__(self):
        return (f"LeakyReadout({self.n_in}, {self.n_out}, tau_mem_ms={self.tau_mem_ms}, "
                f"dt_ms={self.dt_ms}, reduce={self.reduce!r}, dtype={self.dtype.name})")


class SpikeCount(Layer):
    """Spike counts over time: ``(n, T, d) -> (n, d)``, ``y = sum_t x[:, t]``; the backward
    copies ``dy`` to every step. After an output :class:`LIF` layer it makes the spike-count
    read-out."""

    def forward(self, x):
        x = self._input(x, 3)
        self._cache = x.transpose(1, 0, 2)
        return x.sum(axis=1)

    def backward(self, dy, *, input_grad=True):
        xs = self._cached()
        if not input_grad:
            return None
        dy = np.asarray(dy, dtype=self.dtype)
        return np.ascontiguousarray(np.broadcast_to(dy[:, None, :],
                                                    (dy.shape[0], xs.shape[0], dy.shape[1])))

    def scores_at(self, steps) -> np.ndarray:
        """Counts over the first ``t`` steps for each ``t`` in ``steps``: ``(len, n, d)``."""
        xs = self._cached()
        return np.cumsum(xs, axis=0)[np.asarray(steps, dtype=np.int64) - 1]

    def output_shape(self, input_shape):
        return (int(input_shape[-1]),)
