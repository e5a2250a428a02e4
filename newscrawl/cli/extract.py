"""Extract articles from URLs, saved pages, folders of them (recursive) and stdin.

Inputs: any mix of http(s) URLs (fetched politely: robots.txt, one request each, size cap,
timeout), files (`.gz` inflated), folders (every *.html / *.htm, plain or .gz, at any depth),
`-` for stdin and `-i LIST` (one input a line). Output: `--format json|jsonl|csv|txt` on stdout
(one input: a JSON object; several: JSON Lines), or one file per input under `--out`, the same
records as the crawl feeds. A failed input gets one line on stderr with its reason and makes
the exit status 1; the others are still written. With several inputs a progress bar (on a
terminal) and a summary line on stderr tell how the run went.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from newscrawl.cli.extracting.inputs import UsageError, expand
from newscrawl.cli.extracting.outputs import FORMATS, FolderOutput, Stream
from newscrawl.cli.extracting.work import Options, Outcome, run_all
from newscrawl.crawl.progress import TerminalLine, bar
from newscrawl.fetch import MAX_BYTES, TIMEOUT

PROG = "newscrawl extract"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `newscrawl extract`."""
    parser.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="URL, HTML file, folder (searched recursively) or - for stdin")
    parser.add_argument("-i", "--input-list", dest="lists", action="append", default=[],
                        metavar="FILE", help="file with one input a line (- for stdin)")
    parser.add_argument("--format", choices=tuple(FORMATS), default=None,
                        help="output format (default: json for one input, jsonl for several)")
    parser.add_argument("-o", "--out", default=None, metavar="DIR",
                        help="write one file per input under DIR instead of stdout")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="extract with N processes (output keeps the input order)")
    parser.add_argument("--url", default=None,
                        help="URL the saved page(s) were published at (default: the page's own "
                             "canonical URL)")
    parser.add_argument("--portal", default=None, help="force a portal module by name")
    parser.add_argument("--ignore-robots", action="store_true",
                        help="fetch URLs even where robots.txt disallows them")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, metavar="SECONDS",
                        help=f"per URL (default: {TIMEOUT:g})")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bar and no summary line (failures are still named)")


def _fail(message: str, status: int = 2) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return status


def _check(args: argparse.Namespace) -> str | None:
    """Why the command line cannot run, or None."""
    if args.jobs < 1:
        return "--jobs must be at least 1"
    if args.timeout <= 0:
        return "--timeout must be positive"
    if args.url is not None and not args.url.strip():
        return "--url is empty"
    if args.portal:
        from newscrawl.portals import get_portal

        try:
            get_portal(args.portal)
        except KeyError as exc:
            return str(exc.args[0])
    if args.out is not None and Path(args.out).exists() and not Path(args.out).is_dir():
        return f"--out {args.out} exists and is not a folder"
    return None


class _Tally:
    """Counts, the progress bar and the summary line of one run."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total = total
        self.done = self.articles = self.failed = self.skipped = 0
        self.started = time.monotonic()
        # One input: its record or its one-line reason says it all; several: bar and summary.
        self.line = TerminalLine() if not quiet and total > 1 else None
        self.quiet = quiet or total <= 1

    def add(self, outcome: Outcome) -> None:
        self.done += 1
        if outcome.article is not None:
            self.articles += 1
        elif outcome.skipped:
            self.skipped += 1
        else:
            self.failed += 1
        if outcome.error:
            self.note(f"{PROG}: {outcome.input.label}: "
                      f"{'skipped: ' if outcome.skipped else ''}{outcome.error}")
        if self.line is not None:
            rate = self.done / max(time.monotonic() - self.started, 1e-6)
            self.line.show(f"{bar(self.done, self.total)} {self.done}/{self.total} pages, "
                           f"{self.failed} failed, {rate:.1f}/s", force=self.done == self.total)

    def note(self, message: str) -> None:
        """One line on stderr, above the progress bar."""
        if self.line is not None:
            self.line.clear()
        print(message, file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.line is not None:
            self.line.clear()
        if not self.quiet:
            elapsed = time.monotonic() - self.started
            print(f"{self.articles} articles, {self.failed} failed, {self.skipped} skipped "
                  f"in {elapsed:.1f} s", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Read every input, write its article, name each failure; exit 1 if any input failed."""
    problem = _check(args)
    if problem:
        return _fail(problem)
    try:
        inputs, repeated = expand(args.inputs, args.lists)
    except UsageError as exc:
        return _fail(str(exc))
    fmt = args.format or ("json" if len(inputs) == 1 or args.out else "jsonl")
    stdin = sys.stdin.buffer.read() if any(i.kind == "stdin" for i in inputs) else None
    options = Options(url=args.url, portal=args.portal, timeout=args.timeout,
                      max_bytes=MAX_BYTES, obey_robots=not args.ignore_robots)
    jobs = [(item, stdin if item.kind == "stdin" else None, options) for item in inputs]
    tally = _Tally(len(inputs), args.quiet)
    tally.skipped = repeated
    folder = FolderOutput(Path(args.out), fmt) if args.out else None
    stream = None if folder else Stream(sys.stdout.buffer, fmt, single=len(inputs) == 1)
    try:
        for outcome in run_all(jobs, args.jobs):
            if outcome.article is not None:
                _write(outcome, stream, folder, tally)
            tally.add(outcome)
    finally:
        if stream is not None:
            stream.close()
        tally.finish()
    return 1 if tally.failed else 0


def _write(outcome: Outcome, stream: Stream | None, folder: FolderOutput | None,
           tally: _Tally) -> None:
    """The article to stdout or its own file; a file that cannot be written fails the input."""
    if stream is not None:
        stream.write(outcome.article)
        return
    assert folder is not None
    try:
        folder.write(outcome.input, outcome.article)
    except OSError as exc:
        outcome.article, outcome.error = None, f"cannot write: {exc.strerror or exc}"
