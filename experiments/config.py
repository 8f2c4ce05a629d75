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

from experiments.models import MODEL_KINDS, default_params

__all__ = [
    "Config",
    "ConfigError",
    "ModelSpec",
    "TaskSpec",
    "list_presets",
    "load_config",
    "load_preset",
    "parse_config",
]

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")


class ConfigError(ValueError):
    """A configuration mistake; the message is one line naming the key and the fix."""


@dataclass(frozen=True)
class TaskSpec:
    """One task to run: a registry ``task`` name with its knobs, under a config ``key``."""

    key: str
    task: str
    knobs: tuple[tuple[str, Any], ...] = ()

    def knobs_dict(self) -> dict[str, Any]:
        return dict(self.knobs)


@dataclass(frozen=True)
class ModelSpec:
    """One model entry: estimator ``kind``, the ``sizes`` to sweep, fixed ``params``, and the
    task keys it runs on (``tasks``; empty = every task)."""

    key: str
    kind: str
    sizes: tuple[int, ...]
    params: tuple[tuple[str, Any], ...] = ()
    tasks: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        return MODEL_KINDS[self.kind].family

    def params_dict(self) -> dict[str, Any]:
        return dict(self.params)


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
    labels_per_class : tuple of int
        Label budgets per class for label efficiency; 0 means "all labels".
    anytime_ms : tuple of float
        Presentation-time cut-offs (ms) for the spiking model's anytime accuracy.
    thread_tasks : tuple of str
        Task keys on which inference is timed at each of ``thread_counts``.
    thread_counts : tuple of int
        Thread counts for the inference timing (e.g. ``(1, 2)``).
    thread_sizes : str
        ``"smallest"`` or ``"all"``: which model sizes get the thread timing.
    thread_samples : int
        Test samples each thread timing predicts (0: the whole test set).
    eval_samples : int
        Test samples scored at each learning-curve checkpoint (0: the whole test set).
    """

    name: str
    description: str
    seeds: tuple[int, ...]
    tasks: tuple[TaskSpec, ...]
    models: tuple[ModelSpec, ...]
    threads: int = 1
    label_tasks: tuple[str, ...] = ()
    labels_per_class: tuple[int, ...] = ()
    anytime_ms: tuple[float, ...] = ()
    thread_tasks: tuple[str, ...] = ()
    thread_counts: tuple[int, ...] = ()
    thread_sizes: str = "smallest"
    thread_samples: int = 100
    eval_samples: int = 0
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
        merged = _merge(_raw_preset(base), raw)
    if "name" not in raw:  # named after the file (made a valid folder name)
        merged["name"] = re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem).lstrip(".-")[:64] or "run"
    return parse_config(merged, where=f"config file {str(path)!r}")


# ------------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------------

_TOP = {"name", "description", "seeds", "threads", "tasks", "models", "label_efficiency",
        "anytime", "thread_timing", "eval_samples"}


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


def _check_param_type(key: str, value, default) -> None:
    if isinstance(default, bool):
        ok = isinstance(value, bool)
        want = "true or false"
    elif _is_int(default):
        ok = _is_int(value)
        want = "an integer"
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        want = "a number"
    elif isinstance(default, str):
        ok = isinstance(value, str)
        want = "a string"
    elif isinstance(default, (tuple, list)):
        ok = isinstance(value, list)
        want = "a list"
    else:  # None or other: accept any scalar TOML value
        ok = not isinstance(value, Mapping)
        want = "a scalar or list"
    if not ok:
        _fail(key, f"must be {want} (default {default!r}), got {value!r}",
              f"write e.g. {key.split('.')[-1]} = {_toml_repr(default)}")
    if isinstance(value, float) and value != value:
        _fail(key, "is NaN", "give a finite number")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0 and (
        isinstance(default, (int, float)) and not isinstance(default, bool) and default >= 0
    ):
        _fail(key, f"is {value!r}, negative", "give a value >= 0")


def _toml_repr(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, tuple):
        return repr(list(v))
    return repr(v)


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
        sizes = _int_list(table.pop("sizes", None), f"models.{key}.sizes", 1, mk.size_example)
        only = _task_refs(table.pop("tasks", None), f"models.{key}.tasks", task_keys, ())
        defaults = default_params(kind)
        allowed = set(defaults) - {mk.size_param, "random_state"}
        extra = sorted(set(table) - allowed)
        if extra:
            _fail(f"models.{key}.{extra[0]}", f"is not a parameter of {kind!r}",
                  f"remove it or use one of: kind, sizes, tasks, {', '.join(sorted(allowed))}")
        for name, value in table.items():
            _check_param_type(f"models.{key}.{name}", value, defaults[name])
        params = tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                              for k, v in table.items()))
        specs.append(ModelSpec(key=key, kind=kind, sizes=sizes, params=params, tasks=only))
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
    _unknown(le, {"tasks", "labels_per_class"}, "label_efficiency.")
    labels_per_class = _int_list(le.get("labels_per_class", []),
                                 "label_efficiency.labels_per_class", 0, "[1, 5, 10, 0]",
                                 allow_empty=True)
    label_tasks = _task_refs(le.get("tasks"), "label_efficiency.tasks", task_keys,
                             tuple(task_keys[:1]) if labels_per_class else ())

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
    for m in models:
        if m.family == "snn" and times:
            pres = m.params_dict().get("presentation_ms", default_params(m.kind).get(
                "presentation_ms"))
            if isinstance(pres, (int, float)) and max(times) > pres:
                _fail("anytime.times_ms", f"goes up to {max(times)} ms, longer than "
                      f"models.{m.key}.presentation_ms = {pres}",
                      "keep every time <= the presentation time")

    tt = raw.get("thread_timing", {})
    if not isinstance(tt, Mapping):
        _fail("thread_timing", "must be a table", "write [thread_timing]")
    _unknown(tt, {"tasks", "counts", "sizes", "samples"}, "thread_timing.")
    thread_samples = tt.get("samples", 100)
    if not _is_int(thread_samples) or thread_samples < 0:
        _fail("thread_timing.samples", f"is {thread_samples!r}",
              "give 0 (whole test set) or a positive integer")
    thread_counts = _int_list(tt.get("counts", []), "thread_timing.counts", 1, "[1, 2]",
                              allow_empty=True)
    thread_tasks = _task_refs(tt.get("tasks"), "thread_timing.tasks", task_keys,
                              tuple(task_keys[:1]) if thread_counts else ())
    thread_sizes = _str(tt.get("sizes"), "thread_timing.sizes", "smallest")
    if thread_sizes not in ("smallest", "all"):
        _fail("thread_timing.sizes", f"is {thread_sizes!r}", 'use "smallest" or "all"')

    return Config(
        name=name,
        description=description,
        seeds=seeds,
        tasks=tasks,
        models=models,
        threads=threads,
        label_tasks=label_tasks,
        labels_per_class=labels_per_class,
        anytime_ms=tuple(float(t) for t in times),
        thread_tasks=thread_tasks,
        thread_counts=thread_counts,
        thread_sizes=thread_sizes,
        thread_samples=thread_samples,
        eval_samples=eval_samples,
        resolved=copy.deepcopy(dict(raw)),
    )
