"""Read and load the article database: export versions as a feed, import feeds, show stats.

    newscrawl db sqlite:///articles.db export --format jsonl --since 2024-07-01 -o out.jsonl
    newscrawl db postgresql://news@db/news import output/wp-*.jsonl
    newscrawl db sqlite:///articles.db stats

The database is the one a crawl fills with `--db URL` (`NEWSCRAWL_DATABASE`); the schema is
created on first use. Importing is idempotent: a feed loaded twice adds nothing the second time.
Exit status: 0 done; 1 the database cannot be used, or some feed lines were not imported
(each named on stderr, the others imported); 2 a mistake on the command line.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

#: Export formats and their exporters (the same classes that write crawl feeds).
EXPORTERS = {
    "jsonl": "newscrawl.output.exporters.JsonLinesExporter",
    "csv": "newscrawl.output.exporters.CsvExporter",
}
IMPORT_BATCH = 500
_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)([hd])$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `newscrawl db URL ACTION`."""
    parser.add_argument("url", metavar="URL",
                        help="database URL: sqlite:///FILE or postgresql://USER@HOST/DB")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="stored versions as a JSON Lines or CSV feed")
    export.add_argument("--format", choices=sorted(EXPORTERS), default="jsonl")
    export.add_argument("--since", default=None, metavar="WHEN",
                        help="only versions fetched since WHEN: an ISO 8601 date or time "
                             "(UTC without an offset), or a span back from now like 24h, 7d")
    export.add_argument("--portal", default=None, help="only this portal's articles")
    export.add_argument("--latest", action="store_true",
                        help="only the latest version of each article")
    export.add_argument("-o", "--output", default="-", metavar="FILE",
                        help="output file (default: standard output)")
    imp = actions.add_parser("import", help="load JSON Lines feeds (oldest first)")
    imp.add_argument("feeds", nargs="+", metavar="FEED.jsonl")
    actions.add_parser("stats", help="counts of articles, versions, links and runs as JSON")


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """`--since`: an ISO 8601 date/time (UTC when it has no offset) or `<N>h` / `<N>d` ago."""
    text = value.strip()
    relative = _RELATIVE.match(text.lower())
    if relative:
        amount, unit = float(relative.group(1)), relative.group(2)
        span = timedelta(hours=amount) if unit == "h" else timedelta(days=amount)
        return (now or datetime.now(UTC)) - span
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since expects an ISO 8601 date or time, or a span like 24h or "
                         f"7d, got {value!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _fail(message: str, status: int = 1) -> int:
    print(f"newscrawl db: {message}", file=sys.stderr)
    return status


def run(args: argparse.Namespace) -> int:
    """Open the database and run the action."""
    from newscrawl.store import StoreError, check_url, open_store

    try:
        check_url(args.url)
        since = parse_since(args.since) if getattr(args, "since", None) else None
    except ValueError as exc:
        return _fail(str(exc), 2)
    if args.action == "import":
        missing = [f for f in args.feeds if not Path(f).is_file()]
        if missing:
            return _fail(f"no such feed file: {missing[0]}", 2)
    elif args.url.startswith("sqlite:///") and not args.url.endswith(":memory:"):
        # Reading a database must not create one (a mistyped path would print empty figures).
        if not Path(args.url[len("sqlite:///"):]).is_file():
            return _fail(f"no such database file: {args.url[len('sqlite:///'):]}")
    try:
        store = open_store(args.url)
    except StoreError as exc:
        return _fail(str(exc))
    try:
        if args.action == "export":
            return _export(store, args, since)
        if args.action == "import":
            return _import(store, args.feeds)
        print(json.dumps(store.stats(), ensure_ascii=False, indent=2))
        return 0
    except StoreError as exc:
        return _fail(str(exc))
    finally:
        store.close()


def _export(store: Any, args: argparse.Namespace, since: datetime | None) -> int:
    from scrapy.utils.misc import load_object

    out: IO[bytes]
    if args.output == "-":
        out = sys.stdout.buffer
    else:
        try:
            out = open(args.output, "wb")  # noqa: SIM115 - closed below
        except OSError as exc:
            return _fail(f"cannot write {args.output}: {exc.strerror or exc}", 2)
    exporter = load_object(EXPORTERS[args.format])(out)
    count = 0
    try:
        exporter.start_exporting()
        for record in store.export(since=since, portal=args.portal, latest=args.latest):
            exporter.export_item(record)
            count += 1
        exporter.finish_exporting()
    finally:
        if out is not sys.stdout.buffer:
            out.close()
    if args.output != "-":
        print(f"exported {count} versions to {args.output}", file=sys.stderr)
    return 0


def _records(path: str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed record or the error message) for every non-blank line."""
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, f"not JSON ({exc.msg})"
                continue
            yield number, record if isinstance(record, dict) else "not a JSON object"


def _import(store: Any, feeds: list[str]) -> int:
    bad = 0
    for path in feeds:
        stored, unchanged, skipped = _import_feed(store, path)
        bad += skipped
        print(f"{path}: {stored} new versions, {unchanged} already stored"
              + (f", {skipped} lines not imported" if skipped else ""))
    return 1 if bad else 0


def _import_feed(store: Any, path: str) -> tuple[int, int, int]:
    """Load one feed in batches (a transaction each); (new versions, already stored, bad)."""
    from newscrawl.store import BadRecord, Version, WriteResult

    total, skipped = WriteResult(), 0
    batch: list[Version] = []
    for number, record in _records(path):
        try:
            if isinstance(record, str):
                raise BadRecord(record)
            batch.append(Version.from_item(record))
        except BadRecord as exc:
            skipped += 1
            print(f"{path}:{number}: {exc}; line not imported", file=sys.stderr)
        if len(batch) >= IMPORT_BATCH:
            _add(total, store.write(batch))
            batch = []
    if batch:
        _add(total, store.write(batch))
    return total.stored, total.unchanged, skipped


def _add(total: Any, result: Any) -> None:
    total.stored += result.stored
    total.unchanged += result.unchanged
