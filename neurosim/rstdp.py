"""``RSTDPClassifier``: reward-modulated STDP, supervised by one scalar per sample.

The rule follows Mozafari et al. (2018), "First-spike-based visual categorization using
reward-modulated STDP", IEEE Trans. Neural Netw. Learn. Syst. 29(12):6178-6190:

- every excitatory neuron has a fixed class, neuron ``j`` -> class ``j mod n_classes``;
- the first excitatory neuron to spike in a presentation is the winner, its class the
  network's decision;
- when that class is the sample's label the presentation is *rewarded* and the winner's STDP
  is applied; otherwise it is *punished* and the mirror image, anti-STDP, is applied; only the
  winner's synapses change (``winner_only=True``); a presentation in which no neuron spiked,
  or of an unlabelled sample (``y == -1``), changes nothing;
- the reward's size adapts to the accuracy so far: Mozafari et al. scale the rewarded rates by
  the recent fraction of misses and the punished ones by the fraction of hits. Here the reward
  is the outcome (+1 hit, -1 miss) less its running mean ``rbar`` (``baseline_window``
  presentations), the baseline-subtracted reward of three-factor rules (Fremaux & Gerstner
  2016, Front Neural Circuits 9:85); with ``rbar = 2p - 1`` at hit rate ``p`` that is
  ``+2(1 - p)`` for a hit and ``-2p`` for a miss: Mozafari et al.'s scaling. ``rbar`` starts
  at chance, ``2 / n_classes - 1``.

The STDP of a presentation is held in an eligibility trace, as in the three-factor rules of
Izhikevich (2007, Cereb Cortex 17:2443) and Florian (2007, Neural Comput 19:1468): each input
synapse accumulates the pair-based terms of :class:`neurosim.params.STDPParams` (the same terms
:class:`~neurosim.classifier.STDPClassifier` applies at once) in ``elig`` instead of ``w``, and
at the end of the presentation ``w <- clip(w + r * elig, 0, w_max)``, ``elig <- 0``, with the
reward ``r``. Unlike Izhikevich's trace, ``elig`` does not decay within a presentation and is
cleared by every reward: one presentation is one trial, as in Mozafari et al. Unlike Mozafari
et al., the STDP is the additive pair-based rule with exponential windows, not their sign-only
one, and the network keeps Diehl & Cook's adaptive thresholds and per-image weight
normalisation (which, as their depression of inputs that did not fire, takes weight from the
inputs a reward did not strengthen).

The update is local in space: a synapse reads its own pre- and postsynaptic spikes and one
scalar broadcast to all, the reward (gated by whether its neuron won, the outcome of the
lateral inhibition's race); the labels enter only through it. The reward is decided inside
the compiled simulation (:mod:`neurosim.network`, ``learning_rule="rstdp"``): a table indexed
by sample holds the labels, the ``exc_count`` synapses record the winner, the schedule group
``ctrl`` computes the reward at the end of the presentation, and an event of the excitatory
neurons triggers the synapses' ``reinforce`` pathway.

Everything else is :class:`~neurosim.classifier.STDPClassifier`'s: the network, the compiled
fast path, ``predict``/``predict_at``/``transform``/``cost``/``save``. Prediction votes with the
neurons' classes (``assignment="fixed"``: the classes the rule trained them for, no extra pass;
``"responses"``: Diehl & Cook's assignment from their responses); ``benchmarks/tune_rstdp.py``
chose the defaults on validation splits of the training data.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np

from contract import InvalidParameterError
from neurosim._checks import check_choice, check_real
from neurosim.classifier import STDPClassifier
from neurosim.io import register
from neurosim.network import NetworkSpec
from neurosim.params import DC2015_W_EXC_INH, DC2015_W_INH_EXC
from neurosim.presentation import Presented
from neurosim.readout import assign_labels
from neurosim.standalone import RunSettings

__all__ = ["RSTDPClassifier", "ASSIGNMENTS", "fixed_classes"]

#: How neurons are named for prediction: the rule's fixed classes, or by their responses.
ASSIGNMENTS = ("fixed", "responses")


def fixed_classes(n_excitatory: int, classes: np.ndarray) -> np.ndarray:
    """The class of each excitatory neuron under the reward rule: ``classes[j % n_classes]``.

    Parameters
    ----------
    n_excitatory : int
    classes : ndarray (n_classes,)
        The sorted class labels.

    Returns
    -------
    ndarray (n_excitatory,) of int64
    """
    classes = np.asarray(classes)
    if classes.ndim != 1 or classes.size == 0:
        raise ValueError(f"classes must be a non-empty 1-D array, got shape {classes.shape}")
    return classes[np.arange(int(n_excitatory)) % len(classes)].astype(np.int64)


@register
class RSTDPClassifier(STDPClassifier):
    """Spiking network trained by reward-modulated STDP (Mozafari et al. 2018), sklearn style.

    Parameters
    ----------
    n_excitatory, epochs, presentation_ms, rest_ms, input_rate_hz, rate_boost_hz, min_spikes, \
max_repeats, dt_ms, a_plus, a_minus, tau_plus_ms, tau_minus_ms, w_max, stdp_rule, \
stdp_pairing, theta_plus_mV, tau_theta_ms, norm_total, w_init_max, w_exc_inh, w_inh_exc, \
inhibition, readout, readout_alpha, assign_from, checkpoints, chunk_samples, n_threads, \
backend, verbose, random_state
        As in :class:`~neurosim.classifier.STDPClassifier`, with defaults of their own (chosen
        on validation, ``benchmarks/tune_rstdp.py``). The STDP rates ``a_plus``/``a_minus``
        now scale the eligibility trace that a reward turns into a weight change.
        ``assign_from`` matters only with ``assignment="responses"`` or ``readout="linear"``.
        ``theta_plus_mV=None`` is ``0.1 * n_excitatory / 100`` mV, not divided by the epochs.
    assignment : {"fixed", "responses"}
        Classes ``predict`` votes with: ``"fixed"``, the classes the reward trained the
        neurons for (``j mod n_classes``; no pass after learning); ``"responses"``, Diehl &
        Cook's assignment from the responses to the labelled training samples
        (``assign_from`` says which).
    winner_only : bool
        The reward reaches only the winner's synapses (Mozafari et al.); ``False``: every
        neuron's, each with its own eligibility.
    baseline_window : float or None
        Presentations the running mean of the outcomes averages over (an exponential average,
        rate ``1 / baseline_window``; >= 1); the reward is the outcome less that mean.
        ``None``: the bare outcome, +1 or -1.

    Attributes
    ----------
    weights_, theta_mV_, assignments_, classes_, n_features_in_, history_, ...
        As in :class:`~neurosim.classifier.STDPClassifier`. ``history_`` entries also hold
        ``reward_rate``: the fraction of the training presentations since the previous
        checkpoint (re-shows counted) whose first spike came from a neuron of the right class,
        among those that had a spike.
    train_reward_rate_ : float
        The same over the last epoch.
    reward_baseline_ : float
        The running mean of the outcomes (+1 right, -1 wrong) at the end of training, where
        further learning would start from (``baseline_window``).
    labels_used_ : int
        Every labelled training sample (the reward reads them all).
    """

    def __init__(
        self,
        n_excitatory: int = 100,
        *,
        epochs: int = 5,
        presentation_ms: float = 150.0,
        rest_ms: float = 50.0,
        input_rate_hz: float = 6500.0,
        rate_boost_hz: float | None = None,
        min_spikes: int = 5,
        max_repeats: int = 5,
        dt_ms: float = 0.5,
        a_plus: float = 0.02,
        a_minus: float = 0.0001,
        tau_plus_ms: float = 20.0,
        tau_minus_ms: float = 20.0,
        w_max: float = 1.0,
        stdp_rule: str = "additive",
        stdp_pairing: str = "nearest",
        theta_plus_mV: float | None = None,
        tau_theta_ms: float = 1e7,
        norm_total: float | None = None,
        w_init_max: float = 0.3,
        w_exc_inh: float = DC2015_W_EXC_INH,
        w_inh_exc: float = DC2015_W_INH_EXC,
        inhibition: str = "population",
        readout: str = "vote",
        readout_alpha: float = 1.0,
        assign_from: str = "learning",
        assignment: str = "fixed",
        winner_only: bool = True,
        baseline_window: float | None = 100.0,
        checkpoints: int = 1,
        chunk_samples: int = 256,
        n_threads: int = 1,
        backend: str = "auto",
        verbose: bool | None = None,
        random_state: int | None = None,
    ) -> None:
        super().__init__(
            n_excitatory, epochs=epochs, presentation_ms=presentation_ms, rest_ms=rest_ms,
            input_rate_hz=input_rate_hz, rate_boost_hz=rate_boost_hz, min_spikes=min_spikes,
            max_repeats=max_repeats, dt_ms=dt_ms, a_plus=a_plus, a_minus=a_minus,
            tau_plus_ms=tau_plus_ms, tau_minus_ms=tau_minus_ms, w_max=w_max,
            stdp_rule=stdp_rule, stdp_pairing=stdp_pairing, theta_plus_mV=theta_plus_mV,
            tau_theta_ms=tau_theta_ms, norm_total=norm_total, w_init_max=w_init_max,
            w_exc_inh=w_exc_inh, w_inh_exc=w_inh_exc, inhibition=inhibition, readout=readout,
            readout_alpha=readout_alpha, assign_from=assign_from, checkpoints=checkpoints,
            chunk_samples=chunk_samples, n_threads=n_threads, backend=backend,
            verbose=verbose, random_state=random_state)
        self.assignment = assignment
        self.winner_only = winner_only
        self.baseline_window = baseline_window

    # ------------------------------------------------------------------ what differs
    def _derived(self) -> dict[str, Any]:
        check_choice("assignment", self.assignment, ASSIGNMENTS)
        if not isinstance(self.winner_only, bool):
            raise InvalidParameterError("winner_only", f"winner_only must be True or False, "
                                        f"got {self.winner_only!r}")
        if self.baseline_window is not None:
            check_real("baseline_window", self.baseline_window)
            if self.baseline_window < 1:
                raise InvalidParameterError(
                    "baseline_window", f"baseline_window must be >= 1 presentation (or None "
                    f"for no baseline), got {self.baseline_window!r}")
        return super()._derived()

    def _spec(self, n_inputs: int) -> NetworkSpec:
        return dataclasses.replace(super()._spec(n_inputs), learning_rule="rstdp")

    def _theta_plus_mV(self) -> float:
        """``None`` = ``0.1 * n_excitatory / 100`` mV whatever the epochs: the value the rule's
        defaults were tuned with (the unsupervised classifier divides it by the epochs)."""
        if self.theta_plus_mV is not None:
            return float(self.theta_plus_mV)
        return 0.1 * self.n_excitatory / 100

    def _settings(self, n_inputs: int, *, learn: bool) -> RunSettings:
        classes = getattr(self, "classes_", None)
        n_classes = 1 if classes is None else len(classes)
        baseline = getattr(self, "reward_baseline_", None)
        if baseline is None:  # the mean outcome of guessing: 1/n right, the rest wrong
            baseline = 2.0 / n_classes - 1.0
        rate = 0.0 if self.baseline_window is None else 1.0 / float(self.baseline_window)
        return dataclasses.replace(super()._settings(n_inputs, learn=learn),
                                   n_classes=n_classes, winner_only=self.winner_only,
                                   baseline_rate=rate, reward_baseline=baseline)

    def _teaching_labels(self, y: np.ndarray) -> np.ndarray:
        """The class indices ``y`` (``-1``: unlabelled, no reward), the network's label
        table."""
        return np.asarray(y, dtype=np.int64)

    def _name_neurons(self, counts: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.assignment == "fixed":
            return fixed_classes(self.n_excitatory, self._class_ids)
        return assign_labels(counts, y, self._class_ids)

    def _runs(self, X: np.ndarray, w: np.ndarray, theta: np.ndarray, *, learn: bool,
              purpose: tuple[int, ...], desc: str,
              labels: np.ndarray | None = None) -> Iterator[Presented]:
        """The parent's runs; after each learning run the reward's running mean is kept for the
        next (``reward_baseline_``) and, during ``fit``, the outcomes logged for ``history_``."""
        log = getattr(self, "_reward_log", None)
        for r in super()._runs(X, w, theta, learn=learn, purpose=purpose, desc=desc,
                               labels=labels):
            if learn and labels is not None:
                self.reward_baseline_ = float(r.reward_baseline)
                if log is not None:
                    log.append((r.result.n_samples, r.result.rewarded, r.result.punished))
            yield r

    def fit(self, X: Any, y: Any, *, eval_set: tuple[Any, Any] | None = None,
            labelled: Any = None) -> RSTDPClassifier:
        """Learn the input weights by reward-modulated STDP, every label a reward's teacher.

        Parameters
        ----------
        X : array-like (n_samples, n_features), non-negative intensities
        y : array-like (n_samples,)
            Class labels; rows outside ``labelled`` are shown without a reward.
        eval_set : (X_eval, y_eval), optional
            Scored at ``checkpoints`` points during training (see
            :meth:`STDPClassifier.fit`), with the fixed classes when ``assignment="fixed"``.
        labelled : array-like (n_samples,) of bool, optional
            True where ``y`` holds a label (default: every row).

        Returns
        -------
        self
        """
        self._reward_log: list[tuple[int, int, int]] = []
        self.reward_baseline_: float | None = None  # starts at chance
        try:
            super().fit(X, y, eval_set=eval_set, labelled=labelled)
            self._add_reward_rates()
        finally:
            del self._reward_log
        return self

    def _add_reward_rates(self) -> None:
        """``reward_rate`` per checkpoint of ``history_`` and ``train_reward_rate_``."""
        n = self.train_samples_ // self.epochs_ if self.epochs_ else 0  # samples per epoch
        log = np.array(self._reward_log, dtype=np.int64).reshape(-1, 3)
        seen = np.cumsum(log[:, 0])

        def rate(lo: int, hi: int) -> float | None:
            runs = (seen > lo) & (seen <= hi)
            decided = log[runs, 1].sum() + log[runs, 2].sum()
            return float(log[runs, 1].sum() / decided) if decided else None

        previous = 0
        for entry in self.history_:
            if entry["samples_seen"] > previous:
                entry["reward_rate"] = rate(previous, entry["samples_seen"])
                previous = entry["samples_seen"]
        total = int(seen[-1]) if len(seen) else 0
        self.train_reward_rate_ = rate(total - n, total) if total else None

    def relabel(self, X: Any, y: Any, *, labelled: Any = None) -> RSTDPClassifier:
        """A fitted copy whose neurons are named by their responses to the labelled rows of
        ``(X, y)`` (``assignment="responses"``), weights and thresholds kept.

        Unlike for :class:`STDPClassifier`, this is not what fitting with those labels would
        give: here the labels shaped the weights. ``self`` is not changed.
        """
        self._check_fitted()
        named = copy.copy(self)
        named.assignment = "responses"
        return STDPClassifier.relabel(named, X, y, labelled=labelled)

    def fitted_state(self) -> dict[str, Any]:
        state = super().fitted_state()
        for key in ("train_reward_rate_", "reward_baseline_"):
            state["meta"][key] = getattr(self, key, None)
        return state
