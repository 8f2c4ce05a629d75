"""Spiking networks on Brian2: LIF neurons, Poisson coding, STDP, lateral inhibition.

Building blocks: :mod:`neurosim.params`, :mod:`neurosim.neurons`, :mod:`neurosim.encoding`,
:mod:`neurosim.plasticity`, :mod:`neurosim.inhibition`, :mod:`neurosim.monitors`,
:mod:`neurosim.validation`. The classifier: :class:`STDPClassifier` (Diehl & Cook 2015, trained
by unsupervised STDP; compiled ``cpp_standalone`` fast path in :mod:`neurosim.standalone`), with
:func:`load` to read a saved model and :mod:`neurosim.readout` for the label read-outs.
"""

from neurosim import (
    encoding,
    inhibition,
    monitors,
    neurons,
    params,
    plasticity,
    readout,
    validation,
)
from neurosim.classifier import NotFittedError, STDPClassifier
from neurosim.io import load

__all__ = [
    "STDPClassifier",
    "NotFittedError",
    "load",
    "params",
    "neurons",
    "encoding",
    "plasticity",
    "inhibition",
    "monitors",
    "validation",
    "readout",
]
