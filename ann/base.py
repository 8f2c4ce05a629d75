"""The estimator contract, from :mod:`contract` (scikit-learn's API without importing it).

:class:`BaseEstimator` is :class:`contract.ContractEstimator` with ``network_`` as the attribute
that marks a fitted model: ``get_params``/``set_params``/``repr`` from the ``__init__``
signature, ``check_params()``, and the ``__sklearn_tags__`` that scikit-learn's
``cross_val_score``, ``Pipeline``, ``GridSearchCV`` and ``check_estimator`` read (scikit-learn is
imported only when it asks for them). :class:`NotFittedError` is the contract's (a
``ValueError`` and an ``AttributeError``, like scikit-learn's).
"""

from __future__ import annotations

from contract import ContractEstimator, InvalidParameterError, NotFittedError

__all__ = ["BaseEstimator", "NotFittedError", "InvalidParameterError", "check_is_fitted"]


def check_is_fitted(estimator, attribute: str = "network_") -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has ``attribute`` (set by ``fit``)."""
    if getattr(estimator, attribute, None) is None:
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet; call "
            "fit(X, y) (or partial_fit) before using it, or load a saved model with ann.load(path)"
        )


class BaseEstimator(ContractEstimator):
    """Keyword hyper-parameters only; fitted when ``network_`` is set."""

    _fitted_attr = "network_"
