"""Execution: configurations, jobs, local and Dask executors, the runner that goes from a config
to a rendered report. The top room: it may import every other room of ``experiments``."""
