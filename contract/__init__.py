"""The estimator contract both model families honour, as code.

``ann`` and ``neurosim`` never import each other or ``experiments``; what they must agree on
lives here, in a leaf package that imports only the standard library, NumPy and scikit-learn:

- :mod:`contract.estimator`: :class:`ContractEstimator`, scikit-learn's ``ClassifierMixin`` +
  ``BaseEstimator`` plus ``check_params`` (hyper-parameters validated before any fit) and
  :class:`InvalidParameterError`, which names the bad parameter; ``NotFittedError`` is
  scikit-learn's.
- :mod:`contract.cost`: the one schema of the comparison metrics (names, units, what each
  family counts, the NeuroBench metric behind each) that ``cost(X)`` fills for every model and
  that the run store, the report and the docs read.
"""

from contract.cost import COST_KEYS, COST_METRICS, CostMetric, cost_record
from contract.estimator import (
    ContractEstimator,
    InvalidParameterError,
    NotFittedError,
    savable_classes,
)

__all__ = [
    "COST_KEYS",
    "COST_METRICS",
    "CostMetric",
    "cost_record",
    "ContractEstimator",
    "InvalidParameterError",
    "NotFittedError",
    "savable_classes",
]
