"""Crawl with a spider and write feeds under --out, then print the run report.

A thin wrapper over `scrapy crawl`: same project settings, same spiders, same `-a` and `-s`;
it only adds one feed per `--formats` entry, named `<out>/<spider>-<time>.<ext>`, and prints the
run report (`<feed>.stats.json` is written beside each feed).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

#: `--formats` entries: feed format key and file extension.
FORMATS: dict[str, tuple[str, str]] = {
    "jsonl": ("jsonlines", "jsonl"),
    "jsonlines": ("jsonlines", "jsonl"),
    "json": ("json", "json"),
    "csv": ("csv", "csv"),
    "txt": ("txt", "txt"),
}
DEFAULT_FORMATS = "jsonl"
FEED_NAME = "%(name)s-%(time)s"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `newscrawl crawl` (the `scrapy crawl` ones plus --out and --formats)."""
    parser.add_argument("spider", help="spider name, as `scrapy list` shows it")
    parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                        help="spider argument (repeatable)")
    parser.add_argument("-s", dest="settings", action="append", default=[],
                        metavar="NAME=VALUE", help="Scrapy setting (repeatable)")
    parser.add_argument("--out", default="output",
                        help="folder for the feeds (default: ./output)")
    parser.add_argument("--formats", default=DEFAULT_FORMATS,
                        help=f"comma-separated feed formats out of {', '.join(FORMATS)} "
                             f"(default: {DEFAULT_FORMATS})")
    parser.add_argument("-L", "--loglevel", default=None, help="log level (default: INFO)")
    # Scheduled and incremental crawls (newscrawl.incremental, newscrawl.state, newscrawl.lock).
    parser.add_argument("--no-incremental", dest="incremental", action="store_false",
                        help="fetch and emit every article (default: only new or changed ones)")
    parser.add_argument("--reset", action="store_true",
                        help="forget the spider's crawl state first (a full incremental run)")
    parser.add_argument("--expire", type=float, default=None, metavar="DAYS",
                        help="forget URLs not seen in the last DAYS days first")


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, val = value.partition("=")
        if not sep or not name:
            raise ValueError(f"{flag} expects NAME=VALUE, got {value!r}")
        out[name.strip()] = val
    return out


def feeds_for(out: str | Path, formats: str) -> dict[str, dict[str, Any]]:
    """The FEEDS setting for the chosen formats: one file per format under `out`."""
    feeds: dict[str, dict[str, Any]] = {}
    for name in (f.strip().lower() for f in formats.split(",")):
        if not name:
            continue
        if name not in FORMATS:
            raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
        fmt, ext = FORMATS[name]
        uri = str(Path(out) / f"{FEED_NAME}.{ext}")
        feeds[uri] = {"format": fmt, "encoding": "utf-8"}
    if not feeds:
        raise ValueError("--formats names no format")
    return feeds


def build_settings(args: argparse.Namespace) -> Any:
    """Project settings with the command line applied (feeds, -s values, log level)."""
    from scrapy.utils.conf import closest_scrapy_cfg
    from scrapy.utils.project import get_project_settings

    if "SCRAPY_SETTINGS_MODULE" not in os.environ and not closest_scrapy_cfg():
        os.environ["SCRAPY_SETTINGS_MODULE"] = "newscrawl.settings"
    settings = get_project_settings()
    settings.set("FEEDS", feeds_for(args.out, args.formats), priority="cmdline")
    for name, value in _pairs(args.settings, "-s").items():
        settings.set(name, value, priority="cmdline")
    if args.loglevel:
        settings.set("LOG_LEVEL", args.loglevel.upper(), priority="cmdline")
    if getattr(args, "reset", False):
        settings.set("NEWSCRAWL_STATE_RESET", True, priority="cmdline")
    if getattr(args, "expire", None) is not None:
        settings.set("NEWSCRAWL_STATE_EXPIRE_DAYS", args.expire, priority="cmdline")
    return settings


def _report_of(crawler: Any) -> Any:
    from newscrawl.report import RunReport

    for ext in getattr(crawler.extensions, "middlewares", ()) if crawler.extensions else ():
        if isinstance(ext, RunReport):
            return ext
    return None


def run(args: argparse.Namespace) -> int:
    """Run the crawl in this process and print where the feeds went and the run report."""
    from scrapy.crawler import CrawlerProcess

    from newscrawl.report import format_report

    try:
        settings = build_settings(args)
        spargs = _pairs(args.spargs, "-a")
    except ValueError as exc:
        print(f"newscrawl crawl: {exc}", file=sys.stderr)
        return 2
    process = CrawlerProcess(settings)
    try:
        crawler = process.create_crawler(args.spider)
    except KeyError:
        print(f"newscrawl crawl: no spider named {args.spider!r} (see `scrapy list`)",
              file=sys.stderr)
        return 2
    if getattr(args, "incremental", True):
        spargs.setdefault("incremental", "1")
    from newscrawl.lock import LockBusy, run_lock_for

    try:  # two runs of one spider never overlap (cron, systemd timers)
        lock = run_lock_for(settings, args.spider).acquire()
    except LockBusy as exc:
        print(f"newscrawl crawl: run of {args.spider!r} skipped: {exc}", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again at the next scheduled time
    process.crawl(crawler, **spargs)
    try:
        process.start()
    finally:
        lock.release()
    ext = _report_of(crawler)
    report = ext.report if ext is not None else None
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if report is None:
        print(f"finished: {stats.get('finish_reason')}, "
              f"{stats.get('item_scraped_count', 0)} articles")
    else:
        print(format_report(report))
        for feed in ext.feeds:
            print(f"  feed: {feed['uri']} ({feed['format']}, {feed['items']} items)")
        for path in ext.written:
            print(f"  report: {path}")
    reason = (report or {}).get("finish_reason") or stats.get("finish_reason")
    return 0 if reason == "finished" else 1
