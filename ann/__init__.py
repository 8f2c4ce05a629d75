"""A small, correct, pure-NumPy neural-network library (dense, conv, pooling, recurrent layers)."""
