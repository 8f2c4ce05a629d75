"""The estimator base of the backprop networks: :class:`contract.ContractEstimator` (scikit-learn's
``ClassifierMixin`` + ``BaseEstimator``) with ``network_`` as the attribute that marks a fitted
model. ``check_is_fitted`` and ``NotFittedError`` are scikit-learn's, re-exported here.
"""

from __future__ import annotations

from sklearn.utils.validation import check_is_fitted

from contract import ContractEstimator, InvalidParameterError, NotFittedError

__all__ = ["BaseEstimator", "NotFittedError", "InvalidParameterError", "check_is_fitted"]


class BaseEstimator(ContractEstimator):
    """Keyword hyper-parameters only; fitted when ``network_`` is set."""

    _fitted_attr = "network_"
