"""A small, correct, pure-NumPy neural-network library (dense, conv, pooling, recurrent layers).

Layers (:mod:`ann.layers`), losses (:mod:`ann.losses`), optimisers (:mod:`ann.optimizers`) and
initialisers (:mod:`ann.initializers`) are plain NumPy; the estimators
(:class:`MLPClassifier`, :class:`CNNClassifier`, :class:`RNNClassifier`) honour the estimator
contract of :mod:`contract` (scikit-learn's API; scikit-learn is imported only when its own tools
ask for the tags) and report the contract's cost metrics (:mod:`ann.cost`). :func:`load` reads a
model written by ``model.save``; :mod:`ann.gradcheck` checks every gradient by finite
differences; :mod:`ann.presets` holds the essay's MLP, correct and with its errors one at a time.
"""

from ann import gradcheck, initializers, layers, losses, optimizers, presets
from ann.base import InvalidParameterError, NotFittedError
from ann.cnn import CNNClassifier
from ann.io import load
from ann.mlp import MLPClassifier
from ann.rnn import RNNClassifier
from ann.spiking_mlp import SpikingMLPClassifier

__all__ = [
    "MLPClassifier", "CNNClassifier", "RNNClassifier", "SpikingMLPClassifier", "NotFittedError",
    "InvalidParameterError",
    "load", "layers", "losses", "optimizers", "initializers", "gradcheck", "presets",
]
