"""Baselines that show what STDP adds: clustering with the spiking network's read-out.

:class:`KMeansVoteClassifier` learns ``n_clusters`` prototypes from the images by k-means
(labels unused, like STDP), then names and reads them exactly as the spiking network names its
neurons: Diehl & Cook's assignment (each cluster takes the class it responds to most on the
labelled images) and vote (:mod:`neurosim.readout`), with a cluster's "response" to an image
being 1 for the nearest centroid and 0 for the others. With ``n_clusters`` equal to the spiking
network's excitatory count it answers: how much of the spiking network's accuracy would plain
clustering of the same unlabelled images give with the same labels?

The other two baselines are configurations, not classes: ``snn_random`` is
:class:`neurosim.STDPClassifier` with ``epochs=0`` (plasticity off: the random initial weights,
then the same assignment and vote), and ``logreg`` is :class:`ann.MLPClassifier` with no hidden
layer (multinomial logistic regression on the pixels, the supervised linear reference).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from contract import ContractEstimator, InvalidParameterError, cost_record
from neurosim.readout import assign_labels, vote

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

    Attributes
    ----------
    cluster_centers_ : ndarray (n_clusters, n_features)
    assignments_ : ndarray (n_clusters,)
        Class of each cluster, ``-1`` for clusters no labelled image fell into.
    classes_, n_features_in_, labels_used_, train_samples_, n_iter_, threads_used_
    history_ : list of dict
        One entry (``samples_seen``, ``wall_s``) for the shared contract.
    """

    _fitted_attr = "cluster_centers_"

    def __init__(self, n_clusters: int = 100, *, n_init: int = 3, max_iter: int = 300,
                 n_threads: int | None = 1, verbose: bool = False,
                 random_state: int | None = None) -> None:
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.n_threads = n_threads
        self.verbose = verbose
        self.random_state = random_state

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

    @staticmethod
    def _check_X(X: Any) -> np.ndarray:
        arr = np.array(X, dtype=np.float64, copy=True)
        if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
            raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError("X contains NaN or inf; impute or drop those samples first")
        return arr

    def _limits(self):
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=self.n_threads)

    def _responses(self, X: np.ndarray) -> np.ndarray:
        """One-hot nearest-centroid responses ``(n_samples, n_clusters)``."""
        d = ((X[:, None, :] - self.cluster_centers_[None, :, :]) ** 2).sum(axis=2)
        out = np.zeros((len(X), self.n_clusters))
        out[np.arange(len(X)), d.argmin(axis=1)] = 1.0
        return out

    def fit(self, X: Any, y: Any, *, eval_set: tuple | None = None) -> KMeansVoteClassifier:
        """Cluster every row of ``X`` (labels unused), then name clusters from the labelled
        rows (``y == -1`` marks unlabelled rows). ``eval_set`` is accepted and unused."""
        import time

        from sklearn.cluster import KMeans

        self._check_params()
        X = self._check_X(X)
        y = np.asarray(y).astype(np.int64)
        if y.shape != (len(X),):
            raise ValueError(f"y must have shape ({len(X)},), got {y.shape}")
        lab = y != -1
        if len(np.unique(y[lab])) < 2:
            raise ValueError("fit needs labelled samples of at least 2 classes (y == -1 marks "
                             "unlabelled ones)")
        if self.n_clusters > len(X):
            raise ValueError(f"n_clusters={self.n_clusters} exceeds the {len(X)} samples; use "
                             "fewer clusters")
        t0 = time.perf_counter()
        with self._limits():
            km = KMeans(self.n_clusters, n_init=self.n_init, max_iter=self.max_iter,
                        random_state=self.random_state).fit(X)
        self.cluster_centers_ = km.cluster_centers_
        self.n_iter_ = int(km.n_iter_)
        self.classes_ = np.unique(y[lab])
        self.n_features_in_ = X.shape[1]
        self.train_samples_ = len(X)
        self._assign(X[lab], y[lab])
        self.history_ = [{"samples_seen": len(X), "wall_s": time.perf_counter() - t0}]
        return self

    def _assign(self, X: np.ndarray, y: np.ndarray) -> None:
        self.assignments_ = assign_labels(self._responses(X), y, self.classes_)
        self.labels_used_ = int(len(y))

    def relabel(self, X: Any, y: Any) -> KMeansVoteClassifier:
        """A fitted copy named from the labelled rows of ``(X, y)`` only (clusters kept)."""
        self._check_fitted()
        X = self._check_X(X)
        y = np.asarray(y).astype(np.int64)
        lab = y != -1
        if not lab.any():
            raise ValueError("relabel needs at least one labelled sample (y != -1)")
        out = copy.deepcopy(self)
        out._assign(X[lab], y[lab])
        return out

    @property
    def input_weights_(self) -> np.ndarray:
        """The centroids as ``(n_features, n_clusters)``: what each prototype looks like."""
        self._check_fitted()
        return self.cluster_centers_.T

    def predict(self, X: Any) -> np.ndarray:
        """Class of the nearest centroid's assignment (``-1`` if that cluster has none)."""
        self._check_fitted()
        X = self._check_X(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but KMeansVoteClassifier is "
                             f"expecting {self.n_features_in_} features as input")
        self.threads_used_ = 1 if self.n_threads is None else int(self.n_threads)
        return vote(self._responses(X), self.assignments_, self.classes_)

    def cost(self, X: Any = None) -> dict[str, Any]:
        """The shared cost schema: a one-layer network of ``n_clusters`` distance units.

        One inference finds the nearest centroid: ``||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2``
        with ``||c||^2`` computed once after fitting, so it costs the dot products ``x.c``:
        ``n_features x n_clusters`` multiply-accumulates dense, ``nnz(x) x n_clusters``
        effective (zero pixels contribute nothing).
        """
        self._check_fitted()
        n_in, k = self.n_features_in_, self.n_clusters
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
