"""Shared tasks, the comparison runner and its report (imports both model packages).

The package has seven rooms, each allowed to import only the rooms above it in this list:

=========================  ================================================================
``experiments.facts``      published numbers with sources (brain constants, energy per op)
``experiments.tasks``      the shared tasks (``load_task``)
``experiments.models``     the model-kind registry, baselines, adapters
``experiments.protocols``  continual learning, robustness, the timing phase
``experiments.store``      the run directory's format and provenance (written and read)
``experiments.report``     analysis, figures, the report's sections; ``validate``'s report
``experiments.running``    configs, jobs, executors, the runner (config to report)
=========================  ================================================================

The command line (:mod:`experiments.cli`) sits on top. Modules that moved in 0.3 are still
importable under their 0.2 names (``experiments.runner`` and so on) for one release, with a
``DeprecationWarning`` naming the new path (:data:`MOVED`).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings

from experiments.tasks import Task, list_tasks, load_task

__all__ = ["Task", "list_tasks", "load_task", "MOVED"]

#: 0.2 module name -> its 0.3 home. Removed in 0.4.
MOVED: dict[str, str] = {
    "experiments.analysis": "experiments.report.analysis",
    "experiments.baselines": "experiments.models.baselines",
    "experiments.config": "experiments.running.config",
    "experiments.constants": "experiments.facts.constants",
    "experiments.continual": "experiments.protocols.continual",
    "experiments.converted": "experiments.models.converted",
    "experiments.dask_setup": "experiments.running.dask_setup",
    "experiments.energy": "experiments.facts.energy",
    "experiments.errors": "experiments.running.errors",
    "experiments.executors": "experiments.running.executors",
    "experiments.figures": "experiments.report.figures",
    "experiments.jobs": "experiments.running.jobs",
    "experiments.markdown": "experiments.report.markdown",
    "experiments.report_beyond": "experiments.report.beyond",
    "experiments.robustness": "experiments.protocols.robustness",
    "experiments.runner": "experiments.running.runner",
    "experiments.stats": "experiments.report.stats",
    "experiments.timing": "experiments.protocols.timing",
    "experiments.validate": "experiments.report.validate",
}


class _MovedModule(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves a 0.2 module name to the module at its new path, with a warning."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):
        new = MOVED[spec.name]
        warnings.warn(f"{spec.name} moved to {new} in brain-vs-ann 0.3; import it from there "
                      "(the old path goes in 0.4)", DeprecationWarning, stacklevel=2)
        return importlib.import_module(new)

    def exec_module(self, module):
        """The module is the new one, already executed."""


if not any(isinstance(f, _MovedModule) for f in sys.meta_path):
    sys.meta_path.append(_MovedModule())
