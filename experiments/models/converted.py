"""The backprop-trained MLP run on spiking neurons: ANN-to-SNN conversion as one estimator.

:class:`ConvertedMLPClassifier` is the glue the runner needs to put the converted network in the
same tables as every other model: ``fit`` trains an :class:`ann.MLPClassifier` (ReLU, softmax,
backprop) and converts its ``coefs_``/``intercepts_`` with :func:`neurosim.convert`, using the
labelled training images as calibration data; ``predict``, ``predict_at`` and ``cost`` are the
converted network's. It completes the 2 x 2 of learning rule against substrate: the same weights
as the ANN (the rule: backprop), computed by integrate-and-fire neurons in time (the substrate:
spiking). ``ann`` and ``neurosim`` stay independent of each other: only this module sees both.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import validate_data

from contract import ContractEstimator, InvalidParameterError

__all__ = ["ConvertedMLPClassifier"]


class ConvertedMLPClassifier(ContractEstimator):
    """A ReLU MLP trained by backprop, then run as rate-coded integrate-and-fire neurons.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int
        Hidden ReLU layers of the MLP (as :class:`ann.MLPClassifier`).
    epochs, learning_rate, batch_size : as :class:`ann.MLPClassifier`
    percentile : float
        Data-based normalisation percentile (:func:`neurosim.convert`; its default was chosen on
        validation splits of training data).
    presentation_ms : float
        Simulated time of ``predict`` and ``cost`` (ms); ``predict_at`` answers at any time up
        to it.
    dt_ms : float
        Simulation step of the converted network (ms).
    n_threads : int or None
        BLAS threads of the MLP's training and of the conversion's NumPy products.
    verbose : bool
        Progress bar of the MLP's training.
    random_state : int or None
        Seeds the MLP.

    Attributes
    ----------
    ann_ : ann.MLPClassifier
        The trained MLP.
    network_ : neurosim.ConvertedNetwork
        The converted network.
    classes_, n_features_in_, history_ (the MLP's), input_weights_ (the MLP's first layer)
    """

    _fitted_attr = "network_"

    def __init__(self, hidden_layer_sizes: tuple[int, ...] = (128,), *, epochs: int = 50,
                 learning_rate: float = 1e-3, batch_size: int = 32, percentile: float | None = None,
                 presentation_ms: float | None = None, dt_ms: float = 1.0,
                 n_threads: int | None = 1, verbose: bool = False,
                 random_state: int | None = None) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.percentile = percentile
        self.presentation_ms = presentation_ms
        self.dt_ms = dt_ms
        self.n_threads = n_threads
        self.verbose = verbose
        self.random_state = random_state

    def _mlp(self):
        from ann import MLPClassifier

        return MLPClassifier(self.hidden_layer_sizes, activation="relu", epochs=self.epochs,
                             learning_rate=self.learning_rate, batch_size=self.batch_size,
                             n_threads=self.n_threads, verbose=self.verbose,
                             random_state=self.random_state)

    def _options(self) -> dict[str, Any]:
        from neurosim.conversion import DEFAULT_DURATION_MS, DEFAULT_PERCENTILE

        return {"percentile": DEFAULT_PERCENTILE if self.percentile is None
                else self.percentile,
                "duration_ms": DEFAULT_DURATION_MS if self.presentation_ms is None
                else self.presentation_ms,
                "dt_ms": self.dt_ms}

    def _check_params(self) -> None:
        self._mlp().check_params()
        opts = self._options()
        for name, value in (("percentile", opts["percentile"]),
                            ("presentation_ms", opts["duration_ms"]), ("dt_ms", self.dt_ms)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise InvalidParameterError(name, f"{name} must be a number > 0, got {value!r}")
        if opts["percentile"] > 100:
            raise InvalidParameterError("percentile", f"percentile must be <= 100, got "
                                        f"{opts['percentile']!r}")

    def fit(self, X: Any, y: Any, *, eval_set: tuple | None = None) -> ConvertedMLPClassifier:
        """Train the MLP by backprop (``eval_set`` as for the MLP), then convert it with the
        training rows as calibration data."""
        from neurosim import convert

        self._check_params()
        self.ann_ = self._mlp().fit(X, y, eval_set=eval_set)
        X = validate_data(self, X, reset=True, dtype=np.float64)
        self.network_ = convert(
            self.ann_.coefs_, self.ann_.intercepts_, X, classes=self.ann_.classes_,
            train_samples=self.ann_.train_samples_, epochs=len(self.ann_.history_),
            labels_used=self.ann_.labels_used_, random_state=self.random_state,
            **self._options())
        self.classes_ = self.ann_.classes_
        self.history_ = self.ann_.history_
        return self

    @property
    def input_weights_(self):
        self._check_fitted()
        return self.ann_.input_weights_

    def predict(self, X: Any) -> np.ndarray:
        """Labels from the converted network after ``presentation_ms``."""
        self._check_fitted()
        return self.network_.predict(validate_data(self, X, reset=False, dtype=np.float64))

    def predict_at(self, X: Any, times_ms: Any) -> np.ndarray:
        """Answers from the first ``t`` ms after onset, ``(len(times_ms), n_samples)``."""
        self._check_fitted()
        return self.network_.predict_at(validate_data(self, X, reset=False, dtype=np.float64),
                                        times_ms)

    def cost(self, X: Any = None) -> dict[str, Any]:
        """The converted network's cost record (see :meth:`neurosim.ConvertedNetwork.cost`)."""
        self._check_fitted()
        if X is not None:
            X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.network_.cost(X)

    @property
    def threads_used_(self) -> int | None:
        """BLAS threads of the conversion's NumPy products (``n_threads``)."""
        self._check_fitted()
        return self.n_threads
