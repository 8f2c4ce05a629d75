"""Baselines that show what STDP adds: clustering with the spiking network's read-out.

:class:`KMeansVoteClassifier` learns ``n_clusters`` prototypes from the images by k-means
(labels unused, like STDP), then names and reads them exactly as the spiking network names its
neurons: Diehl & Cook's assignment (each cluster takes the class it responds to most on the
labelled images) and vote (:mod:`neurosim.readout`), with a cluster's "response" to an image
graded like a neuron's spike count: a soft assignment over the prototypes (``temperature``,
chosen on validation; 0 gives the one-hot nearest centroid, which with one label per class names
at most 10 prototypes and scores below chance). With ``n_clusters`` equal to the spiking
network's excitatory count it answers: how much of the spiking network's accuracy would plain
clustering of the same unlabelled images give with the same labels?

The other two baselines are configurations, not classes: ``snn_random`` is
:class:`neurosim.STDPClassifier` with ``epochs=0`` (plasticity off: the random initial weights,
then the same assignment and vote), and ``logreg`` is :class:`ann.MLPClassifier` with no hidden
layer (multinomial logistic regression on the pixels, the supervised linear reference).
"""

from __future__ import annotations

import copy
import math
import warnings
from typing import Any

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from contract import ContractEstimator, InvalidParameterError, cost_record
from neurosim.readout import (
    assign_labels,
    decode_labels,
    encode_labels,
    labelled_mask,
    vote,
)

__all__ = ["KMeansVoteClassifier"]


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InvalidParameterError(name, f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


class KMeansVoteClassifier(ContractEstimator):
    """k-means prototypes (unsupervised) named and read out like the spiking network's neurons.

    Parameters
    ----------
    n_clusters : int
        Prototypes, >= 1 (set it to the spiking network's ``n_excitatory``).
    n_init : int
        k-means restarts (scikit-learn's ``KMeans``), >= 1; the best inertia is kept.
    max_iter : int
        Lloyd iterations per restart, >= 1.
    n_threads : int or None
        BLAS/OpenMP threads of scikit-learn during fit and predict (None: unchanged).
    verbose : bool
        Accepted for the shared contract; k-means prints nothing.
    random_state : int or None
        Seed of the initialisation.
    temperature : float
        >= 0. How graded a prototype's response is: every prototype responds to a sample with
        ``exp(-(d^2 - min d^2) / (temperature * median d^2))`` (squared distances ``d^2`` of
        the sample to every prototype, min and median over the prototypes), normalised to
        sum 1 per sample (a soft assignment). ``0``: one-hot, the nearest prototype only;
        with few labels most prototypes then never respond to a labelled image, stay unnamed,
        and samples nearest them get no answer (below chance). The default was chosen on a
        validation split carved from the training data (``benchmarks/kmeans_temperature.py``).

    Attributes
    ----------
    cluster_centers_ : ndarray (n_clusters, n_features)
    assignments_ : ndarray (n_clusters,)
        Class index (into ``classes_``) of each cluster, ``-1`` for clusters no labelled image
        fell into.
    classes_, n_features_in_, labels_used_, train_samples_, n_iter_, threads_used_
    history_ : list of dict
        One entry (``samples_seen``, ``wall_s``) for the shared contract.
    """

    _fitted_attr = "cluster_centers_"

    def __init__(self, n_clusters: int = 100, *, n_init: int = 3, max_iter: int = 300,
                 n_threads: int | None = 1, verbose: bool = False,
                 random_state: int | None = None, temperature: float = 0.1) -> None:
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.n_threads = n_threads
        self.verbose = verbose
        self.random_state = random_state
        self.temperature = temperature

    def _check_params(self) -> None:
        _check_int("n_clusters", self.n_clusters, 1)
        _check_int("n_init", self.n_init, 1)
        _check_int("max_iter", self.max_iter, 1)
        if self.n_threads is not None:
            _check_int("n_threads", self.n_threads, 1)
        if not isinstance(self.verbose, bool):
            raise InvalidParameterError("verbose", f"verbose must be True or False, got "
                                        f"{self.verbose!r}")
        if self.random_state is not None:
            _check_int("random_state", self.random_state, 0)
        if isinstance(self.temperature, bool) or not isinstance(
                self.temperature, (int, float, np.integer, np.floating)) \
                or not 0.0 <= float(self.temperature) < math.inf:
            raise InvalidParameterError("temperature", f"temperature must be a finite number "
                                        f">= 0, got {self.temperature!r}")

    def _check_X(self, X: Any, *, reset: bool = False) -> np.ndarray:
        """``X`` validated by scikit-learn (``reset``: ``n_features_in_`` recorded)."""
        return validate_data(self, X, reset=reset, dtype=np.float64)

    def _check_Xy(self, X: Any, y: Any, labelled: Any) -> tuple[np.ndarray, np.ndarray,
                                                                np.ndarray]:
        """Training ``X``, ``y`` and the labelled rows, validated by scikit-learn."""
        X, y = validate_data(self, X, y, reset=True, dtype=np.float64)
        check_classification_targets(y)
        return X, y, labelled_mask(labelled, len(X))

    def _clusters_for(self, n_samples: int) -> int:
        """``n_clusters``, or one cluster per sample when there are fewer samples (with a
        warning): a prototype per training image is the most k-means can place."""
        if self.n_clusters > n_samples:
            warnings.warn(f"n_clusters={self.n_clusters} exceeds the {n_samples} samples; "
                          f"fitting {n_samples} clusters (one per sample)", UserWarning,
                          stacklevel=3)
            return n_samples
        return int(self.n_clusters)

    @property
    def n_clusters_(self) -> int:
        """The number of prototypes fitted (``n_clusters``, or fewer with fewer samples)."""
        self._check_fitted()
        return int(self.cluster_centers_.shape[0])

    @property
    def threads_used_(self) -> int:
        """BLAS threads the distances run on."""
        self._check_fitted()
        return 1 if self.n_threads is None else int(self.n_threads)

    def _limits(self):
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=self.n_threads)

    def _responses(self, X: np.ndarray) -> np.ndarray:
        """Graded responses ``(n_samples, n_clusters)``, each row summing to 1 (see
        ``temperature``; 0: one-hot nearest centroid). Silenced clusters respond 0; a sample
        with every cluster silenced gets a row of zeros (no answer)."""
        d = ((X[:, None, :] - self.cluster_centers_[None, :, :]) ** 2).sum(axis=2)
        d = self._without_silenced(d)
        reach = np.isfinite(d.min(axis=1))
        out = np.zeros((len(X), self.n_clusters_))
        t = float(getattr(self, "temperature", 0.0))
        if t == 0.0:
            out[np.arange(len(X)), d.argmin(axis=1)] = 1.0
            return out * reach[:, None]
        d, fin = d[reach], np.isfinite(d[reach])
        gap = d - d.min(axis=1, keepdims=True)
        scale = np.array([np.median(row[ok]) for row, ok in zip(d, fin, strict=True)])
        scale = np.where(scale > 0, scale, 1.0)[:, None]
        r = np.where(fin, np.exp(-np.where(fin, gap, 0.0) / (t * scale)), 0.0)
        out[reach] = r / r.sum(axis=1, keepdims=True)
        return out

    def fit(self, X: Any, y: Any, *, eval_set: tuple | None = None,
            labelled: Any = None) -> KMeansVoteClassifier:
        """Cluster every row of ``X`` (labels unused), then name clusters from the labelled
        rows (``labelled``: a boolean mask, default every row). ``eval_set`` is accepted and
        unused."""
        import time

        from sklearn.cluster import KMeans

        self._check_params()
        X, y, lab = self._check_Xy(X, y, labelled)
        if len(np.unique(y[lab])) < 2:
            raise ValueError("y holds one class only among the labelled rows; a classifier "
                             "needs labelled samples of at least 2 classes")
        t0 = time.perf_counter()
        with self._limits():
            km = KMeans(self._clusters_for(len(X)), n_init=self.n_init, max_iter=self.max_iter,
                        random_state=self.random_state).fit(X)
        self.cluster_centers_ = km.cluster_centers_
        self.n_iter_ = int(km.n_iter_)
        self.classes_ = np.unique(y[lab])
        self.train_samples_ = len(X)
        self._assign(X[lab], encode_labels(y, self.classes_, lab)[lab])
        self.history_ = [{"samples_seen": len(X), "wall_s": time.perf_counter() - t0}]
        return self

    def _assign(self, X: np.ndarray, y: np.ndarray) -> None:
        """Name the clusters from labelled rows ``X`` and their class indices ``y``."""
        self.assignments_ = assign_labels(self._responses(X), y, self._class_ids)
        self.labels_used_ = int(len(y))

    def relabel(self, X: Any, y: Any, *, labelled: Any = None) -> KMeansVoteClassifier:
        """A fitted copy named from the ``labelled`` rows of ``(X, y)`` only (clusters
        kept)."""
        self._check_fitted()
        X = self._check_X(X)
        y = np.asarray(y).ravel()
        lab = labelled_mask(labelled, len(X))
        if len(y) != len(X) or not lab.any():
            raise ValueError(f"relabel needs one label per row of X ({len(X)}) and at least one "
                             "labelled row")
        out = copy.deepcopy(self)
        out._assign(X[lab], encode_labels(y, self.classes_, lab)[lab])
        return out

    @property
    def _class_ids(self) -> np.ndarray:
        return np.arange(len(self.classes_), dtype=np.int64)

    @property
    def input_weights_(self) -> np.ndarray:
        """The centroids as ``(n_features, n_clusters)``: what each prototype looks like."""
        self._check_fitted()
        return self.cluster_centers_.T

    def predict(self, X: Any) -> np.ndarray:
        """Class of the nearest centroid's assignment (``-1`` if that cluster has none)."""
        self._check_fitted()
        X = self._check_X(X)
        return decode_labels(vote(self._responses(X), self.assignments_, self._class_ids),
                             self.classes_)

    def cost(self, X: Any = None) -> dict[str, Any]:
        """The shared cost schema: a one-layer network of ``n_clusters`` distance units.

        One inference finds the nearest centroid: ``||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2``
        with ``||c||^2`` computed once after fitting, so it costs the dot products ``x.c``:
        ``n_features x n_clusters`` multiply-accumulates dense, ``nnz(x) x n_clusters``
        effective (zero pixels contribute nothing).
        """
        self._check_fitted()
        n_in, k = self.n_features_in_, self.n_clusters_
        c = self.cluster_centers_
        out: dict[str, Any] = {
            "neurons": k, "synapses": n_in * k, "params": int(c.size),
            "footprint_bytes": int(c.nbytes + self.assignments_.nbytes),
            "footprint_dtype": f"{c.dtype} centroids, int64 assignments",
            "connection_sparsity": float(np.mean(c == 0)), "parallel_width": k,
            "update_locality": "local", "train_samples": int(self.train_samples_ * self.n_iter_),
            "epochs": int(self.n_iter_), "labels_used": int(self.labels_used_),
            "presentations_per_sample": None, "timesteps": None,
            "sim_ms_per_inference": None, "sequential_depth": None,
            "steps_to_first_output": None, "ms_to_first_output": None,
            "steps_to_final_output": None, "dense_ops": None, "effective_macs": None,
            "effective_acs": None, "membrane_updates": None, "input_draws": None,
            "activation_sparsity": None, "spike_rate_hz": None, "fraction_active": None,
        }
        if X is not None:
            X = self._check_X(X)
            out.update({
                "presentations_per_sample": 1, "timesteps": 1, "sequential_depth": 1,
                "steps_to_first_output": 1, "steps_to_final_output": 1,
                "dense_ops": n_in * k,
                "effective_macs": float(np.count_nonzero(X, axis=1).mean()) * k,
                "effective_acs": 0, "membrane_updates": 0, "input_draws": 0,
                "activation_sparsity": 1.0 - 1.0 / k, "fraction_active": 1.0 / k,
            })
        return cost_record(out)

    # -- continual learning ------------------------------------------------------------------
    def partial_fit(self, X: Any, y: Any, classes: Any = None, *,
                    labelled: Any = None) -> KMeansVoteClassifier:
        """Continue the clustering on ``(X, y)`` from the current centroids; then name the
        clusters again from the labels seen so far.

        Continual (class-incremental) learning without replay: the first call clusters ``X``
        as :meth:`fit` does (k-means++ and ``n_init`` restarts); a later call runs Lloyd's
        iterations on this call's rows only, starting from ``cluster_centers_`` (at most
        ``max_iter``, until no row changes cluster). A centroid that no row of the call is
        nearest to keeps its place (it is not re-seeded), as a neuron that never wins keeps its
        weights.

        Naming, as :meth:`neurosim.STDPClassifier.partial_fit` names neurons: per class, the
        clusters' mean graded response to that class's labelled rows (with the
        centroids after this call) is recorded on the latest call that had
        any (``class_responses_``, ``class_counts_``); each cluster takes the class of its
        highest mean response. A model trained by :meth:`fit` starts that record with its first
        ``partial_fit`` call.

        Parameters
        ----------
        X : array-like (n_samples, n_features)
        y : array-like (n_samples,)
        labelled : array-like (n_samples,) of bool, optional
            True where ``y`` holds a label (other rows are clustered, not used for naming).
        classes : array-like of int, optional
            Every class that will ever be seen; needed on the first call unless ``y`` holds
            them all. Ignored afterwards: later labels must be in ``classes_``.

        Returns
        -------
        self
        """
        import time

        first = getattr(self, "cluster_centers_", None) is None
        if first:
            self._check_params()
        if first:
            X, y, lab = self._check_Xy(X, y, labelled)
        else:
            X = self._check_X(X)
            y = np.asarray(y).ravel()
            lab = labelled_mask(labelled, len(X))
        t0 = time.perf_counter()
        if first:
            given = y[lab] if classes is None else np.asarray(classes).ravel()
            check_classification_targets(given)
            if len(np.unique(given)) < 2:
                raise ValueError("the first partial_fit needs at least 2 classes; pass "
                                 "classes=[...] listing every label")
            from sklearn.cluster import KMeans

            with self._limits():
                km = KMeans(self._clusters_for(len(X)), n_init=self.n_init,
                            max_iter=self.max_iter, random_state=self.random_state).fit(X)
            self.cluster_centers_ = km.cluster_centers_
            self.n_iter_ = int(km.n_iter_)
            self.classes_ = np.unique(given)
            self.train_samples_ = len(X)
            self.labels_used_ = 0
            self.class_responses_ = None
            self.history_ = []
        else:
            self._lloyd(X)
            self.train_samples_ += len(X)
        if getattr(self, "class_responses_", None) is None:
            self.class_responses_ = np.zeros((len(self.classes_), self.n_clusters_))
            self.class_counts_ = np.zeros(len(self.classes_), dtype=np.int64)
        idx = encode_labels(y, self.classes_, lab, name="y (list every class in the first "
                                                         "partial_fit call's classes=)")
        for i in np.unique(idx[lab]):
            rows = idx == i
            self.class_responses_[i] = self._responses(X[rows]).mean(axis=0)
            self.class_counts_[i] = int(rows.sum())
        seen = self.class_counts_ > 0
        ids = self._class_ids
        self.assignments_ = assign_labels(self.class_responses_[seen], ids[seen], ids)
        self.labels_used_ += int(lab.sum())
        wall = (self.history_[-1]["wall_s"] if self.history_ else 0.0)
        self.history_.append({"samples_seen": int(self.train_samples_),
                              "wall_s": wall + time.perf_counter() - t0})
        return self

    def _lloyd(self, X: np.ndarray) -> None:
        """Lloyd's iterations on ``X`` from the current centroids (empty clusters stay)."""
        centers = np.array(self.cluster_centers_, dtype=np.float64, copy=True)
        nearest, iterations = None, 0
        x2 = (X ** 2).sum(axis=1)[:, None]
        while iterations < self.max_iter:
            d = x2 - 2.0 * X @ centers.T + (centers ** 2).sum(axis=1)[None, :]
            new = d.argmin(axis=1)
            if nearest is not None and np.array_equal(new, nearest):
                break
            nearest, iterations = new, iterations + 1
            for j in np.unique(nearest):
                centers[j] = X[nearest == j].mean(axis=0)
        self.cluster_centers_ = centers
        self.n_iter_ = iterations

    # -- perturbations (robustness) ----------------------------------------------------------
    #: What :meth:`perturbed` can do to a fitted model.
    PERTURBATIONS = ("synapse_lesion", "neuron_lesion", "weight_bits")

    def perturbed(self, kind: str, level: float, random_state: Any = None
                  ) -> KMeansVoteClassifier:
        """A perturbed copy of the fitted model (``self`` unchanged; nothing re-fitted or
        re-named), the centroids playing the part of input weights.

        - ``"synapse_lesion"``: ``round(level * n_features * n_clusters)`` centroid coordinates,
          drawn as ``rng.permutation(size)[:k]`` over the C-order entries of
          ``input_weights_`` ``(n_features, n_clusters)`` (the spiking network's layout), are
          set to 0.
        - ``"neuron_lesion"``: ``round(level * n_clusters)`` clusters, drawn as
          ``rng.permutation(n_clusters)[:k]``, are silenced: they respond 0, leaving the soft
          assignment to the others (with none left, no answer, ``-1``).
        - ``"weight_bits"``: each centroid is rounded to ``2**level`` evenly spaced values from
          its smallest to its largest coordinate (1 bit: those two).

        Parameters
        ----------
        kind : {"synapse_lesion", "neuron_lesion", "weight_bits"}
        level : float or int
            A fraction in ``[0, 1]`` for the lesions; an integer >= 1 (bits) for
            ``"weight_bits"``.
        random_state : int, numpy Generator or None
            Seeds the lesion draws.

        Returns
        -------
        KMeansVoteClassifier
        """
        self._check_fitted()
        if kind not in self.PERTURBATIONS:
            raise ValueError(f"kind must be one of {list(self.PERTURBATIONS)}, got {kind!r}")
        if kind == "weight_bits":
            _check_int("level", level, 1)
        elif isinstance(level, bool) or not isinstance(level, (int, float, np.integer,
                                                               np.floating)) \
                or not 0.0 <= level <= 1.0:
            raise ValueError(f"level of {kind} must be a fraction in [0, 1], got {level!r}")
        rng = np.random.default_rng(random_state)
        out = copy.deepcopy(self)
        w = np.array(self.cluster_centers_.T, dtype=np.float64, copy=True)  # (features, k)
        if kind == "synapse_lesion":
            w.flat[rng.permutation(w.size)[:int(round(level * w.size))]] = 0.0
        elif kind == "neuron_lesion":
            k = self.n_clusters_
            silenced = np.zeros(k, dtype=bool)
            silenced[rng.permutation(k)[:int(round(level * k))]] = True
            prior = getattr(self, "silenced_", None)
            out.silenced_ = silenced if prior is None else (silenced | prior)
        else:
            top = 2 ** int(level) - 1
            lo, hi = w.min(axis=0, keepdims=True), w.max(axis=0, keepdims=True)
            step = (hi - lo) / top
            w = lo + np.round((w - lo) / np.where(step > 0, step, 1.0)) * step
        out.cluster_centers_ = np.ascontiguousarray(w.T)
        return out

    def _without_silenced(self, d: np.ndarray) -> np.ndarray:
        """Distances with silenced clusters (:meth:`perturbed`) out of reach (``inf``)."""
        silenced = getattr(self, "silenced_", None)
        if silenced is None or not silenced.any():
            return d
        d = d.copy()
        d[:, silenced] = np.inf
        return d
