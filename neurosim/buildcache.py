"""The on-disk cache of compiled networks: one directory per network structure, built once.

A build is keyed by a hash of everything that changes the generated code
(:func:`neurosim.network.spec_key`) and lives in ``$BRAIN_VS_ANN_CACHE/snn-builds/<key>``
(default ``~/.cache/brain-vs-ann``). Processes of a pool share the cache safely: a build happens
under a per-key file lock (checked again once the lock is held), into a temporary directory that
is renamed into place only when complete, so a reader never sees half a build. Temporary
directories left by a builder that was killed are removed by the next builder of the same key
(it holds the lock, so nobody else is building that key).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import sysconfig
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["CACHE_ENV", "BuildError", "MANIFEST", "cache_dir", "compiler_name",
           "compiler_available", "cached_build"]

#: Environment variable that overrides the cache's base directory.
CACHE_ENV = "BRAIN_VS_ANN_CACHE"

#: File a finished build must contain (written last by the builder).
MANIFEST = "brain_vs_ann_manifest.json"


class BuildError(RuntimeError):
    """The C++ build of a standalone network failed (the message names compiler and log)."""


def cache_dir() -> Path:
    """The build-cache directory: ``$BRAIN_VS_ANN_CACHE/snn-builds`` or
    ``~/.cache/brain-vs-ann/snn-builds``."""
    env = os.environ.get(CACHE_ENV)
    base = Path(env).expanduser() if env else Path.home() / ".cache" / "brain-vs-ann"
    return base / "snn-builds"


def compiler_name() -> str:
    """The C++ compiler Brian2 will call: ``$CXX`` or Python's configured ``CXX``."""
    return os.environ.get("CXX") or sysconfig.get_config_var("CXX") or "c++"


def compiler_available() -> tuple[bool, str]:
    """Whether a C++ compiler and ``make`` are on ``PATH``; with a reason when not."""
    if sys.platform.startswith("win"):
        return False, "the compiled backend is only supported on Linux/macOS here"
    cxx = compiler_name().split()[0]
    if shutil.which(cxx) is None:
        return False, f"no C++ compiler {cxx!r} on PATH (set $CXX or install g++/clang++)"
    if shutil.which("make") is None:
        return False, "no 'make' on PATH (install GNU make)"
    return True, ""


@contextlib.contextmanager
def _file_lock(path: Path):
    """Exclusive inter-process lock on ``path`` (POSIX ``flock``)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def cached_build(key: str, build: Callable[[Path], None]) -> tuple[Path, bool]:
    """Return the directory of build ``key``, calling ``build(tmp_dir)`` once if it is missing.

    Parameters
    ----------
    key : str
        Hash naming the build (letters and digits).
    build : callable
        ``build(directory)`` fills a fresh empty directory and writes :data:`MANIFEST` last;
        an exception aborts the build and removes the directory.

    Returns
    -------
    path : Path
        The finished build directory.
    built : bool
        True when this call built it, False on a cache hit.
    """
    if not isinstance(key, str) or not key.isalnum():
        raise ValueError(f"key must be an alphanumeric hash, got {key!r}")
    root = cache_dir()
    final = root / key
    if (final / MANIFEST).is_file():
        return final, False
    with _file_lock(root / f"{key}.lock"):
        if (final / MANIFEST).is_file():
            return final, False
        for stale in root.glob(f"{key}.tmp-*"):  # left by a killed builder of this key
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f"{key}.tmp-", dir=root))
        try:
            build(tmp)
            if not (tmp / MANIFEST).is_file():
                raise BuildError(f"the build of {key} finished without writing {MANIFEST}")
            if final.exists():
                shutil.rmtree(final)
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return final, True
