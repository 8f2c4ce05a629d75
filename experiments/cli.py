"""The ``brain-vs-ann`` command line.

Every sub-command is a thin wrapper over a library call. Usage and config errors a user can fix
(bad names, a bad config, a missing run directory) exit with status 2 and one line on stderr,
before any job runs; anything else is a bug or an environment problem and exits with status 1
and its traceback.

Exit status of ``run``: 0 when every job finished; ``100 + n`` when ``n`` jobs failed (capped at
125; the failed jobs are listed on stderr and in ``runs.csv``); 2 for a usage or config error;
1 for an internal error; 130 when interrupted. ``validate``: 0 when every check passed, 1
otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from experiments.running.errors import UsageError
from experiments.tasks import list_tasks, load_task

__all__ = ["main", "build_parser", "UsageError"]


def _version() -> str:
    try:
        return version("brain-vs-ann")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def _cmd_list(args: argparse.Namespace) -> int:
    for name in list_tasks():
        if name == "mnist":
            print(f"mnist: 28x28 images, 10 classes - {list_tasks()['mnist']} [needs local files]")
            continue
        print(load_task(name).summary())
    return 0


#: ``run`` exits with ``FAILED_BASE + n_failed`` (at most 125) when jobs failed.
FAILED_BASE = 100


def _cmd_run(args: argparse.Namespace) -> int:
    from experiments.running.config import load_config, load_preset
    from experiments.running.runner import run

    if args.config is not None and args.preset is not None:
        raise UsageError("give either a PRESET or --config FILE (a config file can start from "
                         "a preset with base = \"NAME\")")
    cfg = load_config(args.config) if args.config is not None else load_preset(
        args.preset or "quick")
    jobs = args.jobs if args.jobs is not None else _usable_cores()
    if args.scheduler is not None and args.executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    out = Path(args.out) if args.out is not None else Path("results") / cfg.name
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder; choose another path")
    argv = ["brain-vs-ann", *(args.argv or [])]
    previous = _terminate_like_interrupt()
    try:
        summary = run(cfg, out, jobs=jobs, executor=args.executor, scheduler=args.scheduler,
                      resume=args.resume, quiet=args.quiet, argv=argv)
    finally:
        if previous is not None:
            import signal

            signal.signal(signal.SIGTERM, previous)
    print(f"{summary.n_jobs} jobs ({summary.n_skipped} already done, {summary.n_run} run, "
          f"{summary.n_failed} failed) in {summary.wall_s:.1f} s -> {out / 'report.md'}")
    if summary.n_failed:
        for line in summary.failed:
            print(f"brain-vs-ann: job failed: {line}", file=sys.stderr)
        return min(FAILED_BASE + summary.n_failed, 125)
    return 0


def _terminate_like_interrupt():
    """Treat SIGTERM like Ctrl-C, so a terminated run still records its manifest and tables
    (finished jobs are on disk either way; ``--resume`` continues). Returns the previous
    handler (None when it could not be installed)."""
    import signal

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (e.g. called from a test runner thread)
        return None


def _cmd_report(args: argparse.Namespace) -> int:
    from experiments.report import render

    folder = Path(args.dir)
    if not (folder / "manifest.json").is_file() or not (folder / "runs.csv").is_file():
        raise UsageError(f"{folder} is not a run directory (no manifest.json/runs.csv); "
                         "pass the --out folder of a `brain-vs-ann run`")
    path = render(folder)
    print(f"wrote {path}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from experiments.report.validate import validate

    summary = validate(Path(args.out), backend=args.backend)
    print(f"{summary.n_checks - summary.n_failed}/{summary.n_checks} checks passed in "
          f"{summary.wall_s:.1f} s -> {summary.out / 'report.md'}")
    for name in summary.failed:
        print(f"brain-vs-ann: check failed: {name}", file=sys.stderr)
    return 1 if summary.n_failed else 0


def _usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="brain-vs-ann",
        description="Train a spiking network (STDP) and an ANN (backprop) on the same tasks "
        "and measure how they differ in scale, learning rule and information processing.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("list", help="list the shared tasks with their shapes")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser(
        "run", help="train both models and write the comparison",
        description="Expand a preset or config into jobs (task x model x size x seed), run "
        "them, and write runs.csv, learning_curves.csv, manifest.json, report.md and figures/.",
    )
    p.add_argument("preset", nargs="?", default=None, metavar="PRESET",
                   help=f"a shipped preset: {', '.join(_presets())} (default quick)")
    p.add_argument("--config", metavar="FILE", help="a TOML config (may start from a preset "
                   "with base = \"NAME\" and state only what differs)")
    p.add_argument("--out", metavar="DIR", help="run directory (default results/<name>)")
    p.add_argument("--jobs", type=_positive_int, default=None, metavar="N",
                   help="jobs in parallel (local process pool or local Dask workers; default: "
                   "the usable CPU cores; 1 runs in this process and shows the models' bars)")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local process pool (default) or a Dask distributed cluster")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler, e.g. tcp://HOST:8786 (with --executor dask; without "
                   "it a local Dask cluster of --jobs workers is started)")
    p.add_argument("--resume", action="store_true",
                   help="skip jobs already finished in DIR (keyed by the hash of their config)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("report", help="re-render a run directory's report from its CSVs")
    p.add_argument("dir", metavar="DIR", help="a run directory")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("validate", help="run the canonical validation checks")
    p.add_argument("--out", metavar="DIR", default=os.path.join("results", "validate"),
                   help="output folder (default results/validate)")
    p.add_argument("--backend", choices=("cython", "numpy"), default="cython",
                   help="Brian2 code generation for the checks (default cython)")
    p.set_defaults(func=_cmd_validate)
    return parser


def _presets() -> list[str]:
    try:
        from experiments.running.config import list_presets

        return list_presets()
    except Exception:  # the parser must build even if presets cannot be listed
        return ["quick", "full", "essay"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``brain-vs-ann`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as err:
        print(f"brain-vs-ann: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("brain-vs-ann: interrupted", file=sys.stderr)
        return 130
    except Exception:
        import traceback

        traceback.print_exc()
        print("brain-vs-ann: internal error (traceback above); please report it",
              file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
