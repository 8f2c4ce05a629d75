"""The scikit-learn estimator contract without importing scikit-learn.

:class:`BaseEstimator` gives ``get_params``/``set_params``/``repr`` from the ``__init__``
signature, so ``sklearn.base.clone`` works on every estimator here. :class:`NotFittedError`
subclasses ``ValueError`` and ``AttributeError`` like scikit-learn's.
"""

from __future__ import annotations

import inspect

__all__ = ["BaseEstimator", "NotFittedError", "check_is_fitted"]


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before ``fit``."""


def check_is_fitted(estimator, attribute: str = "network_") -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has ``attribute`` (set by ``fit``)."""
    if getattr(estimator, attribute, None) is None:
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet; call "
            "fit(X, y) (or partial_fit) before using it, or load a saved model with ann.load(path)"
        )


class BaseEstimator:
    """Keyword hyper-parameters only; ``get_params``/``set_params`` read the signature."""

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        return [p.name for p in sig.parameters.values() if p.name != "self" and p.kind in kinds]

    def get_params(self, deep: bool = True) -> dict:
        """Hyper-parameters as passed to ``__init__`` (``deep`` is accepted for compatibility)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set hyper-parameters by name; unknown names raise ``ValueError``. Returns ``self``."""
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"invalid parameter {name!r} for {type(self).__name__}; "
                    f"valid parameters are {sorted(valid)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__)
                    .parameters.values()}
        changed = []
        for k, v in self.get_params().items():
            d = defaults.get(k, inspect.Parameter.empty)
            try:
                same = bool(v == d)
            except Exception:  # arrays and other non-comparable values
                same = False
            if not same:
                changed.append(f"{k}={v!r}")
        return f"{type(self).__name__}({', '.join(changed)})"
