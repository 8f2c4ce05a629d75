"""Run configurations: TOML presets and user files, validated into frozen dataclasses.

A configuration is data. The presets ship as TOML files in ``experiments/presets/`` and a user
file may start from one (``base = "quick"``, the default) and state only what differs:

.. code-block:: toml

    base = "quick"
    seeds = [0, 1]

    [models.ann]          # merged onto the preset's entry of the same name
    sizes = [32, 128]

Tables merge key by key; arrays and scalars replace. Under ``[tasks]`` and ``[models]`` the entries
listed in the user file are the ones that run (entries the preset has but the file omits are
dropped), and each listed entry is merged onto the preset's entry of the same name. Every mistake
raises :class:`ConfigError` with one line naming the key and the fix.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from experiments.models import MODEL_KINDS, default_params, make_estimator
from experiments.running.errors import UsageError

__all__ = [
    "Config",
    "ConfigError",
    "ContinualSpec",
    "ModelSpec",
    "RobustnessSpec",
    "TaskSpec",
    "TimingSpec",
    "list_presets",
    "load_config",
    "load_preset",
    "parse_config",
]

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")


class ConfigError(UsageError, ValueError):
    """A configuration mistake; the message is one line naming the key and the fix."""


@dataclass(frozen=True)
class TaskSpec:
    """One task to run: a registry ``task`` name with its knobs, under a config ``key``."""

    key: str
    task: str
    knobs: tuple[tuple[str, Any], ...] = ()

    def knobs_dict(self) -> dict[str, Any]:
        return dict(self.knobs)


#: What a model entry is for: one of the compared models, or a baseline that shows what a
#: learning rule adds (reports list baselines apart).
ROLES = ("main", "baseline")


@dataclass(frozen=True)
class ModelSpec:
    """One model entry: estimator ``kind``, the ``sizes`` to sweep, fixed ``params``, the task
    keys it runs on (``tasks``; empty = every task) and its ``role`` (:data:`ROLES`)."""

    key: str
    kind: str
    sizes: tuple[int, ...]
    params: tuple[tuple[str, Any], ...] = ()
    tasks: tuple[str, ...] = ()
    role: str = "main"

    @property
    def family(self) -> str:
        return MODEL_KINDS[self.kind].family

    def params_dict(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True)
class TimingSpec:
    """The timing phase: which trained models are timed alone after every job, and how.

    Attributes
    ----------
    tasks, models : tuple of str
        Task and model keys whose jobs are timed (first seed only).
    sizes : tuple of (str, tuple of int)
        Per model key, the sizes timed (a model not listed: all its sizes).
    threads : tuple of (str, tuple of int)
        Per model key, the thread counts it is timed at (BLAS threads for an ANN, OpenMP
        threads of the compiled simulation for a spiking network); see :meth:`threads_for`.
    repeats : int
        Repeats of every measurement (>= 5: medians and quartiles are reported).
    seed : int or None
        The seed whose jobs are timed (the config's first).
    """

    tasks: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    sizes: tuple[tuple[str, tuple[int, ...]], ...] = ()
    threads: tuple[tuple[str, tuple[int, ...]], ...] = ()
    repeats: int = 5
    seed: int | None = None

    def threads_for(self, model: str) -> tuple[int, ...]:
        """The thread counts ``model`` is timed at (1 when not listed)."""
        return dict(self.threads).get(model, (1,))

    def selects(self, task: str, model: str, size: int, seed: int) -> bool:
        """Whether the job (task, model, size, seed) is timed."""
        only = dict(self.sizes).get(model)
        return (task in self.tasks and model in self.models and seed == self.seed
                and (only is None or size in only))


@dataclass(frozen=True)
class Selection:
    """Which jobs a per-job measurement runs in: task keys, model keys and, per model key, the
    sizes (a model not listed under ``sizes``: all its sizes). Empty ``tasks``: none."""

    tasks: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    sizes: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def selects(self, task: str, model: str, size: int) -> bool:
        """Whether the job (task, model, size) runs the measurement (every seed)."""
        only = dict(self.sizes).get(model)
        return task in self.tasks and model in self.models and (only is None or size in only)


@dataclass(frozen=True)
class ContinualSpec(Selection):
    """``[continual]``: the jobs that also run the class-incremental protocol
    (:mod:`experiments.protocols.continual`)."""


@dataclass(frozen=True)
class RobustnessSpec(Selection):
    """``[robustness]``: the jobs whose trained model is also scored under perturbations
    (:mod:`experiments.protocols.robustness`).

    Attributes
    ----------
    levels : tuple of (str, tuple of float)
        Per perturbation measured, its levels (mildest first).
    test_samples : int
        Test rows scored (the first ones of the test set; 0: all).
    """

    levels: tuple[tuple[str, tuple[float, ...]], ...] = ()
    test_samples: int = 0


@dataclass(frozen=True)
class Config:
    """A validated run configuration.

    Attributes
    ----------
    name : str
        Run name; the default output folder is ``results/<name>``.
    description : str
        One line for the report.
    seeds : tuple of int
        Every job runs once per seed; the seed draws the task split and the model's weights.
    tasks : tuple of TaskSpec
    models : tuple of ModelSpec
    threads : int
        BLAS / OpenMP threads every training job uses (1 keeps runs reproducible and lets a
        process pool use the cores).
    label_tasks : tuple of str
        Task keys on which label efficiency is measured.
    label_models : tuple of str
        Model keys whose jobs measure it there (empty: every model).
    labels_per_class : tuple of int
        Label budgets per class for label efficiency; 0 means "all labels".
    anytime_ms : tuple of float
        Presentation-time cut-offs (ms) for the spiking model's anytime accuracy.
    timing : TimingSpec
        The timing phase (empty: none).
    eval_samples : int
        Test samples scored at each learning-curve checkpoint (0: the whole test set).
    continual : ContinualSpec
        The jobs that also run the class-incremental protocol (empty: none).
    robustness : RobustnessSpec
        The jobs whose trained model is also scored under perturbations (empty: none).
    """

    name: str
    description: str
    seeds: tuple[int, ...]
    tasks: tuple[TaskSpec, ...]
    models: tuple[ModelSpec, ...]
    threads: int = 1
    label_tasks: tuple[str, ...] = ()
    label_models: tuple[str, ...] = ()
    labels_per_class: tuple[int, ...] = ()
    anytime_ms: tuple[float, ...] = ()
    timing: TimingSpec = field(default_factory=TimingSpec)
    eval_samples: int = 0
    continual: ContinualSpec = field(default_factory=ContinualSpec)
    robustness: RobustnessSpec = field(default_factory=RobustnessSpec)
    resolved: dict = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict:
        """The resolved configuration as plain JSON-able data (what the manifest stores)."""
        d = asdict(self)
        d.pop("resolved")
        return d


# ------------------------------------------------------------------------------------------------
# loading and merging
# ------------------------------------------------------------------------------------------------


def list_presets() -> list[str]:
    """Names of the shipped presets (``quick``, ``full``, ``essay``, ...)."""
    folder = resources.files("experiments") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _preset_text(name: str) -> str:
    if not isinstance(name, str) or name not in list_presets():
        raise ConfigError(
            f"unknown preset {name!r}; choose one of {', '.join(list_presets())} "
            "or pass --config FILE"
        )
    return (resources.files("experiments") / "presets" / f"{name}.toml").read_text("utf-8")


def _parse_toml(text: str, where: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{where} is not valid TOML ({err}); fix the syntax there") from None


def _raw_preset(name: str) -> dict:
    raw = _parse_toml(_preset_text(name), f"preset {name!r}")
    if "base" in raw:
        raise ConfigError(f"preset {name!r} must not have a 'base' key")
    return raw


def _merge(base: dict, over: Mapping, path: str = "") -> dict:
    """Deep-merge ``over`` onto a copy of ``base`` (see the module docstring for the rules)."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        here = f"{path}{key}"
        if here in ("tasks", "models") and isinstance(value, Mapping):
            old = out.get(key, {})
            out[key] = {
                k: _merge(old.get(k, {}), v, f"{here}.{k}.") if isinstance(v, Mapping) else v
                for k, v in value.items()
            }
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value, f"{here}.")
        else:
            out[key] = copy.deepcopy(value)
    return out


def _prune_references(merged: dict, user: Mapping) -> dict:
    """Drop the base preset's references to tasks or models the user file left out.

    A user file that lists its own ``[tasks]`` or ``[models]`` runs only those; the preset's
    ``[label_efficiency]`` and ``[timing]`` tables may still name the others. Where the user
    file does not restate such a table, its references to entries that no longer run are
    dropped (a reference the user writes is checked, and a wrong one is an error).
    """
    tasks, models = set(merged.get("tasks", {})), set(merged.get("models", {}))
    for table, key, valid in (("label_efficiency", "tasks", tasks),
                              ("label_efficiency", "models", models), ("timing", "tasks", tasks),
                              ("timing", "models", models), ("continual", "tasks", tasks),
                              ("continual", "models", models), ("robustness", "tasks", tasks),
                              ("robustness", "models", models)):
        section = merged.get(table)
        if table in user or not isinstance(section, dict) or not isinstance(
                section.get(key), list):
            continue
        kept = [v for v in section[key] if v in valid]
        if kept:
            section[key] = kept
        else:
            section.pop(key)
    timing = merged.get("timing")
    if "timing" not in user and isinstance(timing, dict) and isinstance(timing.get("sizes"),
                                                                        dict):
        sizes = {}
        for k, listed in timing["sizes"].items():
            own = merged["models"].get(k, {}).get("sizes", []) if k in models else []
            kept = [v for v in listed if v in own] if isinstance(listed, list) else listed
            if k in timing.get("models", models) and kept:
                sizes[k] = kept
        timing["sizes"] = sizes
    if "timing" not in user and isinstance(timing, dict) and isinstance(timing.get("threads"),
                                                                        dict):
        timing["threads"] = {k: v for k, v in timing["threads"].items()
                             if k in models and k in timing.get("models", models)}
    for table in ("continual", "robustness"):  # sizes that no longer run
        section = merged.get(table)
        if table in user or not isinstance(section, dict) or not isinstance(
                section.get("sizes"), dict):
            continue
        sizes = {}
        for k, listed in section["sizes"].items():
            own = merged["models"].get(k, {}).get("sizes", []) if k in models else []
            kept = [v for v in listed if v in own] if isinstance(listed, list) else listed
            if k in section.get("models", models) and kept:
                sizes[k] = kept
        section["sizes"] = sizes
    return merged


def load_preset(name: str) -> Config:
    """Load and validate the shipped preset ``name``.

    Raises
    ------
    ConfigError
        Unknown preset (the message lists the valid names).
    """
    return parse_config(_raw_preset(name), where=f"preset {name!r}")


def load_config(path: str | Path) -> Config:
    """Load a user TOML file, merge it onto its ``base`` preset (default ``quick``), validate.

    Parameters
    ----------
    path : str or Path
        The TOML file.

    Raises
    ------
    ConfigError
        Missing file, bad TOML, unknown keys, wrong types or impossible values.
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or Path, got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist; check the path")
    raw = _parse_toml(path.read_text("utf-8"), f"config file {str(path)!r}")
    base = raw.pop("base", "quick")
    if base == "none":
        merged = dict(raw)
    else:
        if not isinstance(base, str):
            raise ConfigError("config key 'base' must be a preset name string or 'none'")
        merged = _prune_references(_merge(_raw_preset(base), raw), raw)
    if "name" not in raw:  # named after the file (made a valid folder name)
        merged["name"] = re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem).lstrip(".-")[:64] or "run"
    return parse_config(merged, where=f"config file {str(path)!r}")


# ------------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------------

_TOP = {"name", "description", "seeds", "threads", "tasks", "models", "label_efficiency",
        "anytime", "timing", "eval_samples", "continual", "robustness"}


def _fail(key: str, problem: str, fix: str) -> None:
    raise ConfigError(f"config key {key!r} {problem}; {fix}")


def _unknown(table: Mapping, allowed, prefix: str, fix_hint: str = "") -> None:
    extra = sorted(set(table) - set(allowed))
    if extra:
        key = f"{prefix}{extra[0]}"
        valid = ", ".join(sorted(allowed))
        _fail(key, "is not a known key", f"remove it or use one of: {valid}{fix_hint}")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int_list(raw, key, low, example, allow_empty=False, unique=True) -> tuple[int, ...]:
    if not isinstance(raw, list) or not all(_is_int(v) for v in raw):
        _fail(key, f"must be a list of integers, got {raw!r}", f"write e.g. {key.split('.')[-1]}"
              f" = {example}")
    if not raw and not allow_empty:
        _fail(key, "is empty", f"give at least one value, e.g. {example}")
    bad = [v for v in raw if v < low]
    if bad:
        _fail(key, f"has {bad[0]}, below the minimum {low}", f"use values >= {low}")
    if unique and len(set(raw)) != len(raw):
        _fail(key, f"repeats a value in {raw!r}", "list each value once")
    return tuple(raw)


def _str(raw, key, default=None) -> str:
    if raw is None:
        return default
    if not isinstance(raw, str):
        _fail(key, f"must be a string, got {raw!r}", 'quote it, e.g. "text"')
    return raw


def _task_specs(raw, where) -> tuple[TaskSpec, ...]:
    from experiments.tasks import list_tasks, load_task

    if not isinstance(raw, Mapping) or not raw:
        _fail("tasks", "must be a non-empty table of tasks", "add e.g. [tasks.digits]")
    specs = []
    for key, table in raw.items():
        if not _NAME.match(key):
            _fail(f"tasks.{key}", "is not a valid name", "use letters, digits, _ . -")
        if not isinstance(table, Mapping):
            _fail(f"tasks.{key}", "must be a table", f"write [tasks.{key}] with its knobs below")
        table = dict(table)
        task = table.pop("task", key)
        if task not in list_tasks():
            _fail(f"tasks.{key}.task" if key != task else f"tasks.{key}",
                  f"names no known task {task!r}", f"choose one of: {', '.join(list_tasks())}")
        if task == "mnist":
            # loading MNIST reads large files; only the knob names are checked here
            from experiments.tasks import task_knobs

            _unknown(table, task_knobs(task), f"tasks.{key}.")
        else:
            try:
                load_task(task, seed=0, **table)
            except (ValueError, TypeError) as err:
                msg = str(err).split(";")[0]
                _fail(f"tasks.{key}", f"is invalid: {msg}", f"see `brain-vs-ann list`; {err}")
        specs.append(TaskSpec(key=key, task=task, knobs=tuple(sorted(table.items()))))
    return tuple(specs)


def _check_model_params(key: str, kind: str, sizes: tuple[int, ...], params: dict) -> None:
    """Validate the entry's parameters with the estimator's own ``check_params`` at every size,
    so that a wrong type or value fails here, naming the key, before any job runs."""
    from contract import InvalidParameterError

    for size in sizes:
        try:
            est = make_estimator(kind, size, params, 0)
            est.check_params()
        except InvalidParameterError as err:
            where = f"models.{key}.{err.param}" if err.param in params else f"models.{key}"
            if err.param == MODEL_KINDS[kind].size_param:
                where = f"models.{key}.sizes"
            _fail(where, f"is invalid for {kind!r}: {err}", "see the estimator's docstring")
        except (TypeError, ValueError) as err:  # a constructor that validates on its own
            _fail(f"models.{key}", f"is invalid for {kind!r}: {err}", "fix the parameters")


def _model_specs(raw, task_keys) -> tuple[ModelSpec, ...]:
    if not isinstance(raw, Mapping) or not raw:
        _fail("models", "must be a non-empty table of models", "add e.g. [models.ann] kind = "
              '"mlp"')
    specs = []
    for key, table in raw.items():
        if not _NAME.match(key):
            _fail(f"models.{key}", "is not a valid name", "use letters, digits, _ . -")
        if not isinstance(table, Mapping):
            _fail(f"models.{key}", "must be a table", f"write [models.{key}] with kind = ...")
        table = dict(table)
        kind = table.pop("kind", None)
        if kind not in MODEL_KINDS:
            _fail(f"models.{key}.kind", f"is {kind!r}, not a known model kind",
                  f"choose one of: {', '.join(MODEL_KINDS)}")
        mk = MODEL_KINDS[kind]
        sizes = _int_list(table.pop("sizes", None), f"models.{key}.sizes", mk.min_size,
                          mk.size_example)
        only = _task_refs(table.pop("tasks", None), f"models.{key}.tasks", task_keys, ())
        role = _str(table.pop("role", None), f"models.{key}.role", "main")
        if role not in ROLES:
            _fail(f"models.{key}.role", f"is {role!r}", f"use one of: {', '.join(ROLES)}")
        defaults = default_params(kind)
        allowed = set(defaults) - {mk.size_param, "random_state"}
        extra = sorted(set(table) - allowed)
        if extra:
            _fail(f"models.{key}.{extra[0]}", f"is not a parameter of {kind!r}",
                  f"remove it or use one of: kind, sizes, tasks, role, "
                  f"{', '.join(sorted(allowed))}")
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}
        _check_model_params(key, kind, sizes, params)
        specs.append(ModelSpec(key=key, kind=kind, sizes=sizes, params=tuple(sorted(
            params.items())), tasks=only, role=role))
    return tuple(specs)


def _task_refs(raw, key, task_keys, default) -> tuple[str, ...]:
    if raw is None:
        return default
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        _fail(key, f"must be a list of task names, got {raw!r}", 'write e.g. tasks = ["digits"]')
    bad = [v for v in raw if v not in task_keys]
    if bad:
        _fail(key, f"names {bad[0]!r}, which is not under [tasks]",
              f"use one of: {', '.join(task_keys)}")
    return tuple(raw)


def _model_refs(raw, key, model_keys, default) -> tuple[str, ...]:
    if raw is None:
        return default
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        _fail(key, f"must be a list of model names, got {raw!r}",
              'write e.g. models = ["snn", "ann"]')
    bad = [v for v in raw if v not in model_keys]
    if bad:
        _fail(key, f"names {bad[0]!r}, which is not under [models]",
              f"use one of: {', '.join(model_keys)}")
    return tuple(raw)


def _timing_spec(tt, task_keys, models, seeds) -> TimingSpec:
    if not isinstance(tt, Mapping):
        _fail("timing", "must be a table", "write [timing]")
    if not tt:
        return TimingSpec()
    _unknown(tt, {"tasks", "models", "sizes", "threads", "repeats"}, "timing.")
    tasks = _task_refs(tt.get("tasks"), "timing.tasks", task_keys, tuple(task_keys[:1]))
    chosen = _model_refs(tt.get("models"), "timing.models", [m.key for m in models],
                         tuple(m.key for m in models if m.role == "main"))
    raw_sizes = tt.get("sizes", {})
    if not isinstance(raw_sizes, Mapping):
        _fail("timing.sizes", f"must be a table of model -> sizes, got {raw_sizes!r}",
              "write e.g. sizes = { snn = [100] }")
    sizes = []
    for key, value in raw_sizes.items():
        spec = next((m for m in models if m.key == key), None)
        if spec is None or key not in chosen:
            _fail(f"timing.sizes.{key}", "names a model that is not timed",
                  f"use one of: {', '.join(chosen)}")
        listed = _int_list(value, f"timing.sizes.{key}", 0, "[100]")
        missing = [v for v in listed if v not in spec.sizes]
        if missing:
            _fail(f"timing.sizes.{key}", f"has {missing[0]}, not among models.{key}.sizes",
                  f"use some of: {list(spec.sizes)}")
        sizes.append((key, listed))
    raw_threads = tt.get("threads", [1])
    if isinstance(raw_threads, Mapping):  # per model: threads = { snn = [1], ann = [1, 2] }
        unknown = [k for k in raw_threads if k not in chosen]
        if unknown:
            _fail(f"timing.threads.{unknown[0]}", "names a model that is not timed",
                  f"use one of: {', '.join(chosen)}")
        listed = {k: _int_list(v, f"timing.threads.{k}", 1, "[1, 2]")
                  for k, v in raw_threads.items()}
        threads = tuple((k, listed.get(k, (1,))) for k in chosen)
    else:
        common = _int_list(raw_threads, "timing.threads", 1, "[1, 2]")
        threads = tuple((k, common) for k in chosen)
    repeats = tt.get("repeats", 5)
    if not _is_int(repeats) or repeats < 5:
        _fail("timing.repeats", f"is {repeats!r}", "give an integer >= 5 (medians and "
              "quartiles need repeats)")
    return TimingSpec(tasks=tasks, models=chosen, sizes=tuple(sizes), threads=threads,
                      repeats=repeats, seed=seeds[0])


def _selection(table: Mapping, name: str, task_keys, models) -> dict[str, tuple]:
    """``tasks``, ``models`` and ``sizes`` of a ``[continual]``/``[robustness]`` table:
    default the first task, every model, all their sizes."""
    tasks = _task_refs(table.get("tasks"), f"{name}.tasks", task_keys, tuple(task_keys[:1]))
    model_keys = [m.key for m in models]
    chosen = _model_refs(table.get("models"), f"{name}.models", model_keys, tuple(model_keys))
    raw_sizes = table.get("sizes", {})
    if not isinstance(raw_sizes, Mapping):
        _fail(f"{name}.sizes", f"must be a table of model -> sizes, got {raw_sizes!r}",
              "write e.g. sizes = { snn = [100] }")
    sizes = []
    for key, value in raw_sizes.items():
        spec = next((m for m in models if m.key == key), None)
        if spec is None or key not in chosen:
            _fail(f"{name}.sizes.{key}", f"names a model that is not in {name}.models",
                  f"use one of: {', '.join(chosen)}")
        listed = _int_list(value, f"{name}.sizes.{key}", 0, "[100]")
        missing = [v for v in listed if v not in spec.sizes]
        if missing:
            _fail(f"{name}.sizes.{key}", f"has {missing[0]}, not among models.{key}.sizes",
                  f"use some of: {list(spec.sizes)}")
        sizes.append((key, listed))
    return {"tasks": tasks, "models": chosen, "sizes": tuple(sizes)}


def _continual_spec(raw, task_keys, models) -> ContinualSpec:
    """``[continual]``; absent: no job runs the protocol."""
    if raw is None:
        return ContinualSpec()
    if not isinstance(raw, Mapping):
        _fail("continual", "must be a table", "write [continual]")
    _unknown(raw, {"tasks", "models", "sizes"}, "continual.")
    return ContinualSpec(**_selection(raw, "continual", task_keys, models))


def _robustness_spec(raw, task_keys, models) -> RobustnessSpec:
    """``[robustness]``; absent: no job is perturbed."""
    from experiments.protocols.robustness import DEFAULT_LEVELS, PERTURBATIONS, check_levels

    if raw is None:
        return RobustnessSpec()
    if not isinstance(raw, Mapping):
        _fail("robustness", "must be a table", "write [robustness]")
    _unknown(raw, {"tasks", "models", "sizes", "perturbations", "levels", "test_samples"},
             "robustness.")
    kinds = raw.get("perturbations", list(PERTURBATIONS))
    if not isinstance(kinds, list) or not kinds or not all(k in PERTURBATIONS for k in kinds) \
            or len(set(kinds)) != len(kinds):
        _fail("robustness.perturbations", f"is {kinds!r}",
              f"list some of: {', '.join(PERTURBATIONS)} (each once)")
    given = raw.get("levels", {})
    if not isinstance(given, Mapping):
        _fail("robustness.levels", f"must be a table of perturbation -> levels, got {given!r}",
              "write e.g. [robustness.levels] with input_noise = [0, 0.25, 0.5]")
    _unknown(given, PERTURBATIONS, "robustness.levels.")
    levels = []
    for kind in PERTURBATIONS:
        if kind not in kinds:
            continue
        try:
            levels.append((kind, check_levels(kind, given.get(kind, list(DEFAULT_LEVELS[kind])))))
        except ValueError as err:
            _fail(f"robustness.levels.{kind}", f"is invalid: {err}",
                  "see experiments/robustness.py for the ranges")
    test_samples = raw.get("test_samples", 0)
    if not _is_int(test_samples) or test_samples < 0:
        _fail("robustness.test_samples", f"is {test_samples!r}",
              "give 0 (the whole test set) or a positive integer")
    return RobustnessSpec(**_selection(raw, "robustness", task_keys, models),
                          levels=tuple(levels), test_samples=test_samples)


def parse_config(raw: Mapping, *, where: str = "config") -> Config:
    """Validate a raw (already merged) mapping and return a frozen :class:`Config`.

    Parameters
    ----------
    raw : mapping
        Data as read from TOML.
    where : str
        Names the source in messages.

    Raises
    ------
    ConfigError
        One line naming the offending key and the fix.
    """
    if not isinstance(raw, Mapping):
        raise TypeError(f"raw must be a mapping (parsed TOML), got {type(raw).__name__}")
    _unknown(raw, _TOP, "")
    name = _str(raw.get("name"), "name", "run")
    if not _NAME.match(name):
        _fail("name", f"is {name!r}", "use letters, digits, _ . - (it names the output folder)")
    description = _str(raw.get("description"), "description", "")
    seeds = _int_list(raw.get("seeds", [0]), "seeds", 0, "[0, 1, 2]")
    threads = raw.get("threads", 1)
    if not _is_int(threads) or threads < 1:
        _fail("threads", f"is {threads!r}", "give a positive integer, e.g. threads = 1")
    eval_samples = raw.get("eval_samples", 0)
    if not _is_int(eval_samples) or eval_samples < 0:
        _fail("eval_samples", f"is {eval_samples!r}", "give 0 (whole test set) or a positive "
              "integer")
    tasks = _task_specs(raw.get("tasks"), where)
    task_keys = [t.key for t in tasks]
    models = _model_specs(raw.get("models"), task_keys)

    le = raw.get("label_efficiency", {})
    if not isinstance(le, Mapping):
        _fail("label_efficiency", "must be a table", "write [label_efficiency]")
    _unknown(le, {"tasks", "models", "labels_per_class"}, "label_efficiency.")
    labels_per_class = _int_list(le.get("labels_per_class", []),
                                 "label_efficiency.labels_per_class", 0, "[1, 5, 10, 0]",
                                 allow_empty=True)
    label_tasks = _task_refs(le.get("tasks"), "label_efficiency.tasks", task_keys,
                             tuple(task_keys[:1]) if labels_per_class else ())
    label_models = _model_refs(le.get("models"), "label_efficiency.models",
                               [m.key for m in models], tuple(m.key for m in models))

    anytime = raw.get("anytime", {})
    if not isinstance(anytime, Mapping):
        _fail("anytime", "must be a table", "write [anytime]")
    _unknown(anytime, {"times_ms"}, "anytime.")
    times = anytime.get("times_ms", [])
    if not isinstance(times, list) or not all(
        isinstance(t, (int, float)) and not isinstance(t, bool) for t in times
    ):
        _fail("anytime.times_ms", f"must be a list of numbers, got {times!r}",
              "write e.g. times_ms = [10, 25, 50, 100]")
    if any(not (t > 0) for t in times):
        _fail("anytime.times_ms", "has a value <= 0", "use positive times in ms")
    if list(times) != sorted(set(times)):
        _fail("anytime.times_ms", "must be strictly increasing", "sort them and drop repeats")
    # each model with a presentation time answers at the listed times within it; a time
    # beyond every model's presentation is a mistake
    presentations = {m.key: m.params_dict().get("presentation_ms", default_params(m.kind).get(
        "presentation_ms")) for m in models}
    presentations = {k: v for k, v in presentations.items() if isinstance(v, (int, float))}
    if times and presentations and max(times) > max(presentations.values()):
        key = max(presentations, key=presentations.get)
        _fail("anytime.times_ms", f"goes up to {max(times)} ms, longer than every "
              f"presentation (the longest: models.{key}.presentation_ms = "
              f"{presentations[key]})", "keep every time <= the longest presentation time")

    timing = _timing_spec(raw.get("timing", {}), task_keys, models, seeds)
    continual = _continual_spec(raw.get("continual"), task_keys, models)
    robustness = _robustness_spec(raw.get("robustness"), task_keys, models)

    return Config(
        name=name,
        description=description,
        seeds=seeds,
        tasks=tasks,
        models=models,
        threads=threads,
        label_tasks=label_tasks,
        label_models=label_models,
        labels_per_class=labels_per_class,
        anytime_ms=tuple(float(t) for t in times),
        timing=timing,
        eval_samples=eval_samples,
        continual=continual,
        robustness=robustness,
        resolved=copy.deepcopy(dict(raw)),
    )
