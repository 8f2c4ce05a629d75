"""The estimator contract both model families honour, as code.

``ann`` and ``neurosim`` never import each other or ``experiments``; what they must agree on
lives here, in a leaf package that imports only the standard library and NumPy:

- :mod:`contract.estimator`: :class:`ContractEstimator`, the scikit-learn estimator API
  (``get_params``/``set_params`` from the ``__init__`` signature, ``repr``, ``check_params``,
  the ``__sklearn_tags__`` that scikit-learn's tools read; scikit-learn itself is imported only
  when it asks for them) and :class:`InvalidParameterError`, which names the bad parameter.
- :mod:`contract.cost`: the one schema of the comparison metrics (names, units, what each
  family counts, the NeuroBench metric behind each) that ``cost(X)`` fills for every model and
  that the run store, the report and the docs read.
"""

from contract.cost import COST_KEYS, COST_METRICS, CostMetric, cost_record
from contract.estimator import ContractEstimator, InvalidParameterError, NotFittedError

__all__ = [
    "COST_KEYS",
    "COST_METRICS",
    "CostMetric",
    "cost_record",
    "ContractEstimator",
    "InvalidParameterError",
    "NotFittedError",
]
