"""A small, correct, pure-NumPy neural-network library (dense, conv, pooling, recurrent layers).

Layers (:mod:`ann.layers`), losses (:mod:`ann.losses`), optimisers (:mod:`ann.optimizers`) and
initialisers (:mod:`ann.initializers`) are plain NumPy; the estimators
(:class:`MLPClassifier`, :class:`CNNClassifier`, :class:`RNNClassifier`) follow the scikit-learn
contract without importing scikit-learn. :func:`load` reads a model written by ``model.save``;
:mod:`ann.gradcheck` checks every gradient by finite differences; :mod:`ann.presets` holds the
essay's MLP.
"""

from ann import gradcheck, initializers, layers, losses, optimizers, presets
from ann.base import NotFittedError
from ann.estimators import CNNClassifier, MLPClassifier, RNNClassifier
from ann.io import load

__all__ = [
    "MLPClassifier", "CNNClassifier", "RNNClassifier", "NotFittedError", "load",
    "layers", "losses", "optimizers", "initializers", "gradcheck", "presets",
]
