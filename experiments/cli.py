"""The ``brain-vs-ann`` command line.

Every sub-command is a thin wrapper over a library call; errors a user can fix (bad names, bad
config, missing files) exit with status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import PackageNotFoundError, version

from experiments.tasks import list_tasks, load_task

__all__ = ["main", "build_parser", "UsageError"]


class UsageError(Exception):
    """A mistake the user can fix; printed as one line, exit status 2."""


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


def _not_yet(args: argparse.Namespace) -> int:
    raise UsageError(f"'{args.command}' is not available yet in this version")


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
    for name, help_ in [
        ("run", "train both models and write the comparison"),
        ("report", "re-render a run directory's report"),
        ("validate", "run the canonical validation checks"),
    ]:
        p = sub.add_parser(name, help=help_)
        p.set_defaults(func=_not_yet)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``brain-vs-ann`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as err:
        print(f"brain-vs-ann: error: {err}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, FileNotFoundError) as err:
        print(f"brain-vs-ann: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("brain-vs-ann: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
