"""`newscrawl` command: one sub-command per module in newscrawl.cli."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import NoReturn

#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130
#: Exit status when the reader of stdout went away (128 + SIGPIPE), e.g. `| head`.
EXIT_BROKEN_PIPE = 141


class ArgumentParser(argparse.ArgumentParser):
    """argparse with a one-line usage error: `newscrawl crawl: <what is wrong> (see --help)`."""

    def error(self, message: str) -> NoReturn:
        """Print the mistake on one line and exit 2, as argparse does (without the usage)."""
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command found in newscrawl.cli."""
    from newscrawl import __version__

    parser = ArgumentParser(prog="newscrawl", description=__doc__)
    parser.add_argument("--version", action="version", version=f"newscrawl {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        doc = (module.__doc__ or "").strip().splitlines()
        sub = subparsers.add_parser(info.name, help=doc[0] if doc else None,
                                    description=module.__doc__)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    try:
        args = build_parser().parse_args(argv)
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("newscrawl: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Quiet like other Unix tools; stdout is pointed at devnull so the exit flush is silent.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
