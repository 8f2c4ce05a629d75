"""Deprecated in 0.3: the estimators moved to one module each (:mod:`ann.mlp`, :mod:`ann.cnn`,
:mod:`ann.rnn`); import them from :mod:`ann`. This module goes in 0.4."""

import warnings

from ann.cnn import CNNClassifier
from ann.mlp import MLPClassifier
from ann.rnn import RNNClassifier

__all__ = ["MLPClassifier", "CNNClassifier", "RNNClassifier"]

warnings.warn("ann.estimators is deprecated: import MLPClassifier, CNNClassifier and "
              "RNNClassifier from ann (or ann.mlp, ann.cnn, ann.rnn)", DeprecationWarning,
              stacklevel=2)
