"""Spiking networks on Brian2: LIF neurons, Poisson coding, STDP, lateral inhibition."""
