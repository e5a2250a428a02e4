"""Crawl with a spider and write feeds under --out, then print the run report.

A thin wrapper over `scrapy crawl`: same project settings, same spiders, same `-a` and `-s`;
it only adds one feed per `--formats` entry, named `<out>/<spider>-<time>.<ext>`, and prints the
run report (`<feed>.stats.json` is written beside each feed).

Exit status: 0 done; 1 the run failed (`newscrawl.crawl.report.run_failed`: portal unreachable, no
article and errors, a feed not stored, an abnormal finish reason); 2 a mistake on the command
line (argument, spider name, unwritable --out), refused before anything starts; 75 skipped
because another run of the spider holds the run lock; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import logging
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
#: Exit status of a failed run by finish reason (any other failure: 1).
EXIT_BY_REASON: dict[str | None, int] = {
    "shutdown": 130,  # Ctrl-C (128 + SIGINT)
    "skipped_locked": 75,  # EX_TEMPFAIL: another run holds the lock, try at the next slot
    "feed_unwritable": 2,  # refused by the Preflight add-on before the first request
    "lock_unavailable": 2,
}
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
    parser.add_argument("--db", default=None, metavar="URL",
                        help="also store every article version in this database "
                             "(sqlite:///FILE or postgresql://...; NEWSCRAWL_DATABASE)")
    # Scheduled and incremental crawls (newscrawl.incremental: tracker, state, lock).
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


def _check_log_level(level: str | None) -> None:
    if level and not isinstance(logging.getLevelName(level.upper()), int):
        raise ValueError(f"unknown log level {level!r}; choose from DEBUG, INFO, WARNING, ERROR, "
                         "CRITICAL")


def build_settings(args: argparse.Namespace) -> Any:
    """Project settings with the command line applied (feeds, -s values, log level)."""
    from scrapy.utils.conf import closest_scrapy_cfg
    from scrapy.utils.project import get_project_settings

    _check_log_level(args.loglevel)
    from newscrawl.addon import apply_defaults

    settings = get_project_settings()
    if "SCRAPY_SETTINGS_MODULE" not in os.environ and not closest_scrapy_cfg():
        # Outside a Scrapy project: newscrawl's own project settings (not put in the process
        # environment, where they would leak into every later crawl and child process).
        settings.setmodule("newscrawl.settings", priority="project")
    apply_defaults(settings)  # the run lock below reads NEWSCRAWL_STATE before any crawler exists
    settings.set("FEEDS", feeds_for(args.out, args.formats), priority="cmdline")
    for name, value in _pairs(args.settings, "-s").items():
        settings.set(name, value, priority="cmdline")
    if args.loglevel:
        settings.set("LOG_LEVEL", args.loglevel.upper(), priority="cmdline")
    if not settings.get("LOG_FILE"):  # the report is printed on stdout: not in the log as well
        settings.set("NEWSCRAWL_REPORT_LOG", False, priority="project")  # `-s` still wins
    from newscrawl.defaults import setting_problems

    for problem in setting_problems(settings).values():
        raise ValueError(problem)
    if getattr(args, "db", None):
        settings.set("NEWSCRAWL_DATABASE", args.db, priority="cmdline")
    if settings.get("NEWSCRAWL_DATABASE"):
        from newscrawl.store import check_url

        check_url(settings.get("NEWSCRAWL_DATABASE"))
    if getattr(args, "reset", False):
        settings.set("NEWSCRAWL_STATE_RESET", True, priority="cmdline")
    if getattr(args, "expire", None) is not None:
        settings.set("NEWSCRAWL_STATE_EXPIRE_DAYS", args.expire, priority="cmdline")
    return settings


def _report_of(crawler: Any) -> Any:
    from newscrawl.crawl.report import RunReport

    try:
        return crawler.get_extension(RunReport)
    except RuntimeError:  # the crawl never started: no extension manager
        return None


def _spider_class(settings: Any, name: str) -> type:
    """The spider class named `name`; KeyError when the project has none of that name."""
    from scrapy.spiderloader import get_spider_loader

    return get_spider_loader(settings).load(name)


def check_spider_arguments(spidercls: type, spargs: dict[str, str]) -> str | None:
    """Why the spider would refuse these `-a` arguments, or None: asked before Scrapy starts."""
    from newscrawl.crawl.spider import NewsSpider, SpiderArgumentError

    validate = getattr(spidercls, "validate_arguments", None)
    try:
        if validate is not None:
            validate(**spargs)
        elif isinstance(spidercls, type) and issubclass(spidercls, NewsSpider):
            # Until the spider offers validate_arguments: build it once, its __init__ checks
            # the arguments (and logs the error, hence the logging pause).
            logging.disable(logging.CRITICAL)
            try:
                spidercls(**spargs)
            finally:
                logging.disable(logging.NOTSET)
    except SpiderArgumentError as exc:
        return str(exc)
    return None


def check_feeds(feeds: dict[str, dict[str, Any]], spider: str) -> list[str]:
    """One message per local feed that cannot be written (newscrawl.crawl.preflight's check)."""
    from newscrawl.crawl.preflight import check_feed_targets

    return check_feed_targets(feeds, {"name": spider})


def _fail(message: str, status: int = 2) -> int:
    print(f"newscrawl crawl: {message}", file=sys.stderr)
    return status


def run(args: argparse.Namespace) -> int:
    """Check the command line, run the crawl in this process, print the feeds and run report."""
    from scrapy.crawler import CrawlerProcess

    from newscrawl.crawl.report import format_report, run_failed

    try:
        settings = build_settings(args)
        spargs = _pairs(args.spargs, "-a")
    except ValueError as exc:
        return _fail(str(exc))
    try:
        spidercls = _spider_class(settings, args.spider)
    except KeyError:
        return _fail(f"no spider named {args.spider!r} (see `scrapy list`)")
    if getattr(args, "incremental", True):
        spargs.setdefault("incremental", "1")
    problem = check_spider_arguments(spidercls, spargs)
    if problem:
        return _fail(f"invalid argument: {problem}")
    problems = check_feeds(settings.getdict("FEEDS"), args.spider)
    for problem in problems:
        _fail(problem)
    if problems:
        return 2
    from newscrawl.incremental.lock import LockBusy, run_lock_for

    try:  # two runs of one spider never overlap (cron, systemd timers)
        lock = run_lock_for(settings, args.spider).acquire()
    except LockBusy as exc:
        return _fail(f"run of {args.spider!r} skipped: {exc}", 75)  # EX_TEMPFAIL: retry later
    except OSError as exc:
        return _fail(f"cannot take the run lock: {exc}")
    try:
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(spidercls)
        process.crawl(crawler, **spargs)
        process.start()
    finally:
        lock.release()
    ext = _report_of(crawler)
    report = ext.report if ext is not None else None
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if report is None:
        print(f"finished: {stats.get('finish_reason')}, "
              f"{stats.get('item_scraped_count', 0)} articles")
        failure = run_failed(stats)
    else:
        print(format_report(report))
        for feed in ext.feeds:
            print(f"  feed: {feed['uri']} ({feed['format']}, {feed['items']} items)")
        for path in ext.written:
            print(f"  report: {path}")
        failure = report.get("failure")
    if failure is None:
        return 0
    return _fail(f"run failed: {failure}", EXIT_BY_REASON.get(stats.get("finish_reason"), 1))
