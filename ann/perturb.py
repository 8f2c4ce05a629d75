"""Robustness perturbations of a fitted network (:meth:`PerturbableNetwork.perturbed`): synapse
and neuron lesions and weight quantisation, shared by every backprop estimator."""

from __future__ import annotations

import copy

import numpy as np

from ann.layers import Conv2D, Flatten
from ann.params import _check_int

__all__ = ["PerturbableNetwork"]


class PerturbableNetwork:
    """Mixin: ``perturbed(kind, level)`` for an estimator with a fitted ``network_``."""

    # -- perturbations (robustness) ------------------------------------------------------------
    #: What :meth:`perturbed` can do to a fitted network.
    PERTURBATIONS = ("synapse_lesion", "neuron_lesion", "weight_bits")

    def perturbed(self, kind, level, random_state=None):
        """A perturbed copy of the fitted network; ``self`` is not changed.

        Nothing is trained again after the perturbation: the copy predicts with what is left.

        Parameters
        ----------
        kind : {"synapse_lesion", "neuron_lesion", "weight_bits"}
            - ``"synapse_lesion"``: in every weight array (``W``, ``Wx``, ``Wh``; biases kept),
              ``round(level * size)`` weights drawn at random are set to zero. The arrays are
              drawn from one generator in network order, each as
              ``rng.permutation(W.size)[:k]`` over its C-order entries, so the first layer's
              ``(n_features, n_hidden)`` draw is the one a spiking network of the same width
              gets for its input weights.
            - ``"neuron_lesion"``: ``round(level * n_hidden)`` hidden units (every unit of every
              parametrised layer but the output layer: dense units, convolution channels,
              recurrent units), drawn as ``rng.permutation(n_hidden)[:k]``, are silenced: their
              incoming weights and bias are set to zero, so their pre-activation is 0 (a ReLU
              or tanh unit outputs 0), and their outgoing weights too, so that no unit, a
              sigmoid one (which would output 0.5) included, passes anything on. A network
              without hidden units has none to silence: ``NotImplementedError``.
            - ``"weight_bits"``: every weight array is rounded to a symmetric uniform grid per
              output unit (a column of ``W``/``Wx``/``Wh``, a convolution filter): ``level``
              bits >= 2 give the ``2**level - 1`` levels ``k * s``, ``|k| <= 2**(level-1) - 1``,
              ``s = max|w| / (2**(level-1) - 1)``; 1 bit gives ``sign(w) * mean|w|`` (binary
              weights with one scale per unit, as in XNOR-Net). Biases stay at full precision.
        level : float or int
            A fraction in ``[0, 1]`` for the lesions; an integer >= 1 (bits) for
            ``"weight_bits"``. Level 0 of a lesion returns an unchanged copy.
        random_state : int, numpy Generator or None
            Seeds the lesion draws (unused by ``"weight_bits"``).

        Returns
        -------
        estimator
            A fitted copy of the same class.

        Raises
        ------
        ValueError
            Unknown ``kind`` or a level out of range.
        NotImplementedError
            ``"neuron_lesion"`` of a network without hidden units.
        """
        self._check_fitted()
        kind, level = self._check_perturbation(kind, level)
        out = copy.deepcopy(self)
        rng = np.random.default_rng(random_state)
        weights = [(layer, key) for layer in out.network_.layers
                   for key in ("W", "Wx", "Wh") if key in layer.params]
        if kind == "synapse_lesion":
            for layer, key in weights:
                w = layer.params[key]
                w.flat[rng.permutation(w.size)[:int(round(level * w.size))]] = 0
        elif kind == "neuron_lesion":
            hidden = out._hidden_layers()
            total = sum(n for _, n in hidden)
            if total == 0:
                raise NotImplementedError(
                    f"{type(self).__name__} has no hidden units to silence (a network without a "
                    "hidden layer); neuron_lesion does not apply to it")
            chosen = rng.permutation(total)[:int(round(level * total))]
            start = 0
            for i, n in hidden:
                units = chosen[(chosen >= start) & (chosen < start + n)] - start
                if units.size:
                    out._silence(i, np.sort(units))
                start += n
        else:
            for layer, key in weights:
                w = layer.params[key]
                w[...] = self._quantized(w, int(level), (1, 2, 3) if w.ndim == 4 else (0,))
        return out

    def _check_perturbation(self, kind, level):
        if kind not in self.PERTURBATIONS:
            raise ValueError(f"kind must be one of {list(self.PERTURBATIONS)}, got {kind!r}")
        if kind == "weight_bits":
            return kind, _check_int(level, "level")
        ok = isinstance(level, (int, float, np.integer, np.floating)) and not isinstance(
            level, bool) and 0.0 <= level <= 1.0
        if not ok:
            raise ValueError(f"level of {kind} must be a fraction in [0, 1], got {level!r}")
        return kind, float(level)

    def _hidden_layers(self):
        """``(layer index, units)`` of every parametrised layer but the last (the output)."""
        idx = [i for i, layer in enumerate(self.network_.layers) if layer.params]
        return [(i, self._units(self.network_.layers[i])) for i in idx[:-1]]

    @staticmethod
    def _units(layer):
        """Output units of a parametrised layer: dense units, conv channels, RNN units."""
        if isinstance(layer, Conv2D):
            return layer.params["W"].shape[0]
        return layer.params["b"].shape[0]

    def _silence(self, i, units):
        """Zero the incoming weights and bias of ``units`` of layer ``i`` and their outgoing
        weights in the next parametrised layer."""
        layers = self.network_.layers
        layer = layers[i]
        for key, w in layer.params.items():
            if isinstance(layer, Conv2D) and key == "W":
                w[units] = 0
            elif key == "b":
                w[units] = 0
            else:
                w[:, units] = 0
        shape = self._sample_shape(self.n_features_in_)
        for prior in layers[:i + 1]:
            shape = prior.output_shape(shape)
        flat_from = None  # channels x positions feed the next layer through a Flatten
        for j in range(i + 1, len(layers)):
            nxt = layers[j]
            if isinstance(nxt, Flatten):
                flat_from = shape
            if nxt.params:
                break
            shape = nxt.output_shape(shape)
        else:  # pragma: no cover - the output layer always follows a hidden one
            return
        key = "Wx" if "Wx" in nxt.params else "W"
        w = nxt.params[key]
        if isinstance(nxt, Conv2D):
            w[:, units] = 0
        elif flat_from is not None:
            per = int(np.prod(flat_from[1:]))
            rows = (units[:, None] * per + np.arange(per)[None, :]).ravel()
            w[rows] = 0
        else:
            w[units] = 0

    @staticmethod
    def _quantized(w, bits, axes):
        """``w`` on a symmetric ``bits``-bit grid, one scale per output unit: ``axes`` are the
        axes of one unit's weights (``(0,)`` for ``(n_in, n_out)`` matrices, ``(1, 2, 3)`` for
        ``(F, C, kh, kw)`` filters)."""
        a = np.abs(w.astype(np.float64))
        if bits == 1:
            scale = a.mean(axis=axes, keepdims=True)
            return np.where(w >= 0, scale, -scale).astype(w.dtype)
        top = 2 ** (bits - 1) - 1
        scale = a.max(axis=axes, keepdims=True) / top
        safe = np.where(scale > 0, scale, 1.0)
        q = np.clip(np.round(w / safe), -top, top) * scale
        return q.astype(w.dtype)
