"""Published numbers with their sources: brain constants (neurons, synapses, rates) and energy per
operation. Imports nothing else of ``experiments``; every other room may import it."""
