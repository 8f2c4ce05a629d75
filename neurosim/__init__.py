"""Spiking networks on Brian2: LIF neurons, Poisson coding, STDP, lateral inhibition.

Building blocks: :mod:`neurosim.params`, :mod:`neurosim.neurons`, :mod:`neurosim.encoding`,
:mod:`neurosim.plasticity`, :mod:`neurosim.inhibition`, :mod:`neurosim.monitors`,
:mod:`neurosim.validation`. The classifier: :class:`STDPClassifier` (Diehl & Cook 2015, trained
by unsupervised STDP) and :class:`RSTDPClassifier` (the same network trained by reward-modulated
STDP, :mod:`neurosim.rstdp`), built from :mod:`neurosim.network` (the network as one self-driving
simulation), :mod:`neurosim.standalone` (compiled and runtime engines),
:mod:`neurosim.buildcache` (the cache of compiled builds) and :mod:`neurosim.presentation`
(presenting samples run after run); :func:`load` reads a saved model and
:mod:`neurosim.readout` holds the label read-outs. :func:`convert` runs a trained ReLU MLP's
weights as a rate-coded network of integrate-and-fire neurons (:mod:`neurosim.conversion`).
:func:`to_nir`/:func:`from_nir` write and read the field's exchange format, NIR
(:mod:`neurosim.nir`); :mod:`neurosim.neo_export` turns spikes into Neo spike trains.
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
from neurosim.conversion import ConvertedNetwork, convert
from neurosim.io import load
from neurosim.nir import from_nir, to_nir
from neurosim.rstdp import RSTDPClassifier

__all__ = [
    "STDPClassifier",
    "RSTDPClassifier",
    "NotFittedError",
    "convert",
    "ConvertedNetwork",
    "load",
    "from_nir",
    "to_nir",
    "params",
    "neurons",
    "encoding",
    "plasticity",
    "inhibition",
    "monitors",
    "validation",
    "readout",
]
