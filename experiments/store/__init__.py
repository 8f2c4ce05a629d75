"""The run directory's format: atomic writes, per-job records, the assembled tables, the manifest
and its provenance. The writer (``running``) and the reader (``report``) both import it; it imports
only ``facts``."""

from experiments.store.provenance import environment
from experiments.store.rundir import (
    ID_COLUMNS,
    RUN_COLUMNS,
    TABLES,
    assemble,
    atomic_write_text,
    job_path,
    read_jobs,
    read_manifest,
    write_job,
    write_manifest,
    write_table,
)

__all__ = [
    "ID_COLUMNS", "RUN_COLUMNS", "TABLES", "assemble", "atomic_write_text", "job_path",
    "read_jobs", "read_manifest", "write_job", "write_manifest", "write_table", "environment",
]
