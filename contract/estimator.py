"""The scikit-learn estimator API shared by every estimator of both families.

scikit-learn recognises an estimator by its methods and by ``__sklearn_tags__``; this base class
provides both without importing scikit-learn until scikit-learn itself asks for the tags (so
``import ann`` stays pure NumPy and quick). A subclass

- stores its keyword hyper-parameters unchanged in ``__init__`` (the names are read from the
  signature: ``get_params``, ``set_params``, ``sklearn.base.clone`` and ``repr`` follow);
- validates them in ``_check_params()``, raising :class:`InvalidParameterError` (a
  ``ValueError`` and a ``TypeError``) whose ``param`` names the parameter, so that a config
  loader can point at the key;
- sets fitted attributes ending in ``_`` in ``fit`` and names one of them in ``_fitted_attr``.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

__all__ = ["ContractEstimator", "InvalidParameterError", "NotFittedError"]


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


class NotFittedError(ValueError, AttributeError):
    """A method that needs a fitted model was called before ``fit`` (as in scikit-learn)."""


class ContractEstimator:
    """Base of every estimator: parameters from the signature, validation hook, sklearn tags."""

    #: A fitted attribute whose presence means "fitted" (set by ``fit``).
    _fitted_attr = "classes_"

    # -- parameters ---------------------------------------------------------------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        return sorted(p.name for p in sig.parameters.values()
                      if p.name != "self" and p.kind in kinds)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Hyper-parameters as passed to ``__init__`` (``deep`` accepted for scikit-learn)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> ContractEstimator:
        """Set hyper-parameters by name; an unknown name raises ``ValueError``. Returns self."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}; "
                                 f"valid parameters are {valid}")
            setattr(self, name, value)
        return self

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

    def __repr__(self) -> str:
        defaults = {p.name: p.default
                    for p in inspect.signature(type(self).__init__).parameters.values()}
        changed = []
        for name, value in self.get_params().items():
            default = defaults.get(name, inspect.Parameter.empty)
            try:
                same = bool(value == default) and type(value) is type(default)
            except Exception:  # arrays and other values that do not compare to a bool
                same = False
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    # -- fitted state -------------------------------------------------------------------------
    def __sklearn_is_fitted__(self) -> bool:
        return getattr(self, self._fitted_attr, None) is not None

    def _check_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(X, y) first (or load a "
                "saved model)")

    # -- scikit-learn tags ----------------------------------------------------------------------
    def _update_tags(self, tags: Any) -> Any:
        """Hook for subclasses: adjust the scikit-learn ``Tags`` (returns them)."""
        return tags

    def __sklearn_tags__(self) -> Any:
        """What scikit-learn's tools need to know: a classifier of 2-D dense numeric input."""
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        tags = Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags(), input_tags=InputTags())
        return self._update_tags(tags)

    def score(self, X: Any, y: Any) -> float:
        """Accuracy of ``predict(X)`` against ``y``."""
        pred = self.predict(X)  # type: ignore[attr-defined]
        y = np.asarray(y)
        if y.shape != pred.shape:
            raise ValueError(f"y must have shape {pred.shape} (one label per sample of X), got "
                             f"{y.shape}")
        return float(np.mean(pred == y))
