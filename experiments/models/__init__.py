"""The model kinds a run can use (the registry), the baselines and the adapters that make a
function into an estimator (the converted network). May import ``facts``, ``ann``, ``neurosim``."""

from experiments.models.registry import (
    MODEL_KINDS,
    ModelKind,
    default_params,
    estimator_factory,
    load_model,
    make_estimator,
)

__all__ = ["ModelKind", "MODEL_KINDS", "default_params", "make_estimator", "estimator_factory",
           "load_model"]
