"""Layers: ``forward(x) -> y``, ``backward(dy) -> dx``, ``params``/``grads`` dicts.

Every layer follows one small contract (after ddbourgin/numpy-ml's layout):

- ``forward(x)`` computes the output for a batch and caches what ``backward`` needs;
- ``backward(dy, *, input_grad=True)`` takes ``dL/dy`` of the last forward, writes ``dL/dparam``
  into ``grads`` (same keys and shapes as ``params``) and returns ``dL/dx`` (``None`` when
  ``input_grad=False``, which skips that work for a network's first layer);
- ``params`` and ``grads``: ``dict[str, ndarray]`` with the same keys. Change parameters in place
  (``layer.params["W"][...] = value``): inside a :class:`Sequential` they are views into one flat
  buffer that the optimiser updates in a single pass.

Shapes are ``(n, features)`` for dense layers, ``(n, C, H, W)`` for images, ``(n, T, d)`` for
sequences. Parameters are created in ``dtype`` (float32 by default) from an explicit
``numpy.random.Generator``. Parameters named ``"b"`` are biases: not weight-decayed and not counted
as synapses.
"""

from ann.layers.activations import (
    ACTIVATIONS,
    Identity,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
)
from ann.layers.base import Layer, Sequential
from ann.layers.conv import Conv2D, Flatten, MaxPool2D
from ann.layers.dense import Dense
from ann.layers.lif import LIF, LeakyReadout, SpikeCount
from ann.layers.recurrent import GRU, RNN

__all__ = [
    "Layer", "Dense", "Sigmoid", "Tanh", "ReLU", "Softmax", "Identity", "Conv2D", "MaxPool2D",
    "Flatten", "RNN", "GRU", "LIF", "LeakyReadout", "SpikeCount", "Sequential", "ACTIVATIONS",
    "get_activation",
]
