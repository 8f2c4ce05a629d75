"""Continual (class-incremental) learning of a Diehl & Cook network through ``partial_fit``:
one more STDP pass per call, no replay, neurons named from the labels seen so far."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sklearn.utils.multiclass import check_classification_targets

from neurosim.plasticity import normalize_incoming
from neurosim.presentation import PresentationResult
from neurosim.readout import assign_labels

__all__ = ["ContinualSTDP"]


class ContinualSTDP:
    """Mixin: ``partial_fit`` for an estimator built on the Diehl & Cook network."""

    # ------------------------------------------------------------------ continual learning
    #: Seed keys of :meth:`partial_fit` (learning pass, naming pass, sample order), apart
    #: from the module's ``_SEED_*`` keys so that no stream is shared with ``fit``.
    _SEED_PARTIAL_KEYS = (11, 12, 13)

    def partial_fit(self, X: Any, y: Any, classes: Any = None, *, labelled: Any = None) -> Any:
        """One more pass of STDP over ``(X, y)``, continuing from the current weights; then
        the neurons are named again from the labels seen so far.

        Continual (class-incremental) learning without replay: no sample of an earlier call is
        shown again, for learning or for naming. The first call starts as :meth:`fit` does
        (the same random initial weights for the same ``random_state``, zero thresholds);
        later calls continue from ``weights_`` and ``theta_mV_``. With ``epochs=0``
        (plasticity off) the pass is frozen and only the naming changes.

        Naming (the only use of the labels): the model keeps, per class, every excitatory
        neuron's mean response to that class's labelled rows, recorded on the latest call that
        had any (``class_responses_``, ``class_counts_``); a class absent from a call keeps the
        responses recorded when it was learned. The responses are those of the frozen network
        right after this call's STDP pass (one pass over this call's labelled rows with
        learning off) when ``assign_from="frozen"``, or those recorded while each row was
        learned when ``assign_from="learning"``. Each neuron takes the class of its highest
        mean response (Diehl & Cook's rule, :func:`neurosim.readout.assign_labels`). On a model
        trained by :meth:`fit`, which keeps no such record, the record starts with the first
        ``partial_fit`` call (the names ``fit`` gave are replaced).

        Parameters
        ----------
        X : array-like (n_samples, n_features), non-negative intensities
        y : array-like (n_samples,)
            Labels (rows outside ``labelled`` are learned from, not used for naming).
        classes : array-like of int, optional
            Every class that will ever be seen; needed on the first call unless ``y`` holds
            them all (at least two). Ignored afterwards: later labels must be in ``classes_``.
        labelled : array-like (n_samples,) of bool, optional
            True where ``y`` holds a label (default: every row).

        Returns
        -------
        self
            With ``class_responses_`` ``(n_classes, n_excitatory)`` and ``class_counts_``
            ``(n_classes,)`` (the naming record; a count of 0: class not seen yet),
            ``partial_fit_calls_``, and ``history_`` / ``train_samples_`` / ``epochs_`` /
            ``labels_used_`` / ``fit_wall_s_`` carried on from call to call.

        Raises
        ------
        ValueError
            ``readout="linear"`` (a ridge read-out needs every label at once: use ``fit``),
            fewer than two classes on the first call, or labels outside ``classes_``.
        """
        first = getattr(self, "weights_", None) is None
        if first:
            self._check_params()
        if self.readout != "vote":
            raise ValueError("partial_fit names neurons by Diehl & Cook's vote; "
                             "readout='linear' needs every label at once: use fit, or set "
                             "readout='vote'")
        if first:
            X, y_given = self._check_Xy(X, y)
        else:
            X = self._check_X(X, fitted=True)
            y_given = np.asarray(y).ravel()
            if len(y_given) != len(X):
                raise ValueError(f"y must hold one label per row of X ({len(X)}), got "
                                 f"{len(y_given)}")
        mask = self._labelled_mask(labelled, len(X))
        if first:
            given = y_given[mask] if classes is None else np.asarray(classes).ravel()
            check_classification_targets(given)
            cls = np.unique(given)
            if len(cls) < 2:
                raise ValueError(f"the first partial_fit needs at least 2 classes, got "
                                 f"{len(cls)}; pass classes=[...] listing every label")
            self._start_partial(X.shape[1], cls)
        y = self._encode(y_given, mask, name="y (list every class in the first partial_fit "
                                           "call's classes=)")
        if getattr(self, "class_responses_", None) is None:
            self.class_responses_ = np.zeros((len(self.classes_), self.n_excitatory))
            self.class_counts_ = np.zeros(len(self.classes_), dtype=np.int64)
            self._partial_shows = (0, 0, 0)
        key_learn, key_name, key_order = self._SEED_PARTIAL_KEYS
        call = int(getattr(self, "partial_fit_calls_", 0))
        order = np.random.default_rng(self._seed(key_order, call)).permutation(len(X))
        Xo, yo = X[order], y[order]
        learn = self.epochs > 0
        t0 = time.perf_counter()
        w, theta = self.weights_.reshape(-1), self.theta_mV_
        counts, presentations, reshown = [], 0, 0
        for r in self._runs(Xo, w, theta, learn=learn, purpose=(key_learn, call),
                            desc=f"partial_fit {call + 1}",
                            labels=self._teaching_labels(yo) if learn else None):
            w, theta = r.w, r.theta_mV
            presentations += r.result.presentations
            reshown += int((r.result.shows > 1).sum())
            counts.append(r.result.counts())
            self._add_times(r.result.times)
            self.footprint_bytes_ = r.result.footprint_bytes
        self.weights_ = np.asarray(w, dtype=np.float64).reshape(X.shape[1], -1).copy()
        self.theta_mV_ = np.asarray(theta, dtype=np.float64).copy()
        keep = yo != -1
        if keep.any():
            if learn and self.assign_from == "frozen":
                res = PresentationResult.concat([r.result for r in self._runs(
                    Xo[keep], self.weights_.reshape(-1), self.theta_mV_, learn=False,
                    purpose=(key_name, call), desc="assign")])
                self._add_times(res.times)
                responses = res.counts()
            else:
                responses = np.concatenate(counts)[keep]
            self._record_class_responses(responses, yo[keep])
        self.partial_fit_calls_ = call + 1
        if learn:
            self.train_samples_ += len(X)
            self.epochs_ += 1
            n, p, s = self._partial_shows
            self._partial_shows = (n + len(X), p + presentations, s + reshown)
            n, p, s = self._partial_shows
            self.train_presentations_per_sample_ = p / n
            self.train_reshown_frac_ = s / n
        self.labels_used_ += int(keep.sum())
        self.fit_wall_s_ += time.perf_counter() - t0
        self.history_.append({"samples_seen": int(self.train_samples_),
                              "epoch": self.partial_fit_calls_,
                              "presentations": int(self._partial_shows[1]),
                              "wall_s": float(self.fit_wall_s_)})
        return self

    def _start_partial(self, n_in: int, classes: np.ndarray) -> None:
        """The state :meth:`fit` starts from: seed, engine, initial weights, counters."""
        self.seed_ = (int(np.random.SeedSequence().entropy % (2**32))
                      if self.random_state is None else int(self.random_state))
        rng = np.random.default_rng(self.seed_)
        engine, self.compile_s_ = self._engine(n_in)
        self.backend_ = engine.backend
        self.classes_ = classes
        w = rng.uniform(0.0, self.w_init_max * self.w_max, n_in * self.n_excitatory)
        w = normalize_incoming(w, n_in, self.n_excitatory, self._norm_total(n_in))
        self.weights_ = w.reshape(n_in, self.n_excitatory)
        self.theta_mV_ = np.zeros(self.n_excitatory)
        self.assignments_ = np.full(self.n_excitatory, -1, dtype=np.int64)
        self.history_, self.fit_times_ = [], {}
        self.train_samples_ = self.epochs_ = self.labels_used_ = 0
        self.fit_wall_s_, self.footprint_bytes_ = 0.0, 0
        self.train_presentations_per_sample_ = self.train_reshown_frac_ = 0.0
        self.class_responses_ = None
        self.partial_fit_calls_ = 0

    def _record_class_responses(self, responses: np.ndarray, y: np.ndarray) -> None:
        """Store each class's mean response of ``(responses, y)`` and name the neurons from
        every class recorded so far."""
        for i in np.unique(y):  # class indices
            self.class_responses_[i] = responses[y == i].mean(axis=0)
            self.class_counts_[i] = int(np.count_nonzero(y == i))
        seen = self.class_counts_ > 0
        ids = self._class_ids
        self.assignments_ = assign_labels(self.class_responses_[seen], ids[seen], ids)
