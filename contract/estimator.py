"""The estimator base every estimator of both families shares: scikit-learn's own.

:class:`ContractEstimator` is ``sklearn.base.ClassifierMixin`` + ``sklearn.base.BaseEstimator``
(``get_params``/``set_params``/``repr``/``clone`` from the ``__init__`` signature, ``score`` as
accuracy, the tags scikit-learn's tools read) plus the two things scikit-learn has no word for:

- ``check_params()``: every hyper-parameter validated without fitting (the config loader calls
  it before any job runs), through the subclass's ``_check_params()``, raising
  :class:`InvalidParameterError` whose ``param`` names the parameter;
- ``_fitted_attr``: the fitted attribute whose presence means "fitted", read by
  ``__sklearn_is_fitted__`` so that ``sklearn.utils.validation.check_is_fitted`` (and
  :meth:`ContractEstimator._check_fitted`) raise scikit-learn's ``NotFittedError``.

Inputs are validated with scikit-learn's public utilities (``validate_data``,
``check_classification_targets``) in the estimators themselves; nothing here re-implements them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = ["ContractEstimator", "InvalidParameterError", "NotFittedError", "savable_classes"]


class InvalidParameterError(ValueError, TypeError):
    """A hyper-parameter has a wrong type or value.

    Attributes
    ----------
    param : str
        The parameter's name as the estimator's ``__init__`` spells it (or the argument's name
        for a function).
    """

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


class ContractEstimator(ClassifierMixin, BaseEstimator):
    """scikit-learn's classifier base plus ``check_params`` and a named fitted attribute."""

    #: A fitted attribute whose presence means "fitted" (set by ``fit``).
    _fitted_attr = "classes_"

    def _check_params(self) -> None:  # pragma: no cover - every estimator overrides it
        raise NotImplementedError

    def check_params(self) -> ContractEstimator:
        """Validate every hyper-parameter without fitting; returns ``self``.

        Raises
        ------
        InvalidParameterError
            Naming the first bad parameter (``err.param``) and the fix.
        """
        self._check_params()
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return getattr(self, self._fitted_attr, None) is not None

    def _check_fitted(self) -> None:
        """Raise scikit-learn's ``NotFittedError`` unless ``fit`` (or a load) has run."""
        check_is_fitted(self)

    def _update_tags(self, tags: Any) -> Any:
        """Hook for subclasses: adjust the scikit-learn ``Tags`` (returns them)."""
        return tags

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return self._update_tags(tags)


def savable_classes(classes) -> np.ndarray:
    """``classes_`` as an array ``.npz`` stores without pickle: numbers as they are, labels that
    are all strings as a unicode array.

    Raises
    ------
    ValueError
        Labels of other Python types (no pickle here).
    """
    c = np.asarray(classes)
    if c.dtype != object:
        return c
    if all(isinstance(v, str) for v in c):
        return c.astype(str)
    raise ValueError("classes_ mixes Python objects that .npz cannot store without pickle; "
                     "use integer or string labels to save the model")
