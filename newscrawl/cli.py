"""`newscrawl` command: one sub-command per module in newscrawl.commands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import newscrawl.commands as commands_pkg


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command found in newscrawl.commands."""
    parser = argparse.ArgumentParser(prog="newscrawl", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands_pkg.__name__}.{info.name}")
        doc = (module.__doc__ or "").strip().splitlines()
        sub = subparsers.add_parser(info.name, help=doc[0] if doc else None,
                                    description=module.__doc__)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
