"""Preflight: what a crawl must pass before any feed file is opened or any request is made.

`Preflight` is a Scrapy add-on. Its `update_settings` runs inside `Crawler.crawl` after the spider
is created and before the stats, extensions (the feed exporter among them) and the engine exist:

* an incremental spider takes its run lock there (`newscrawl.incremental.lock`; the incremental
  tracker's own acquire later in the same process is then a no-op);
* every local feed must be writable (`check_feed_targets`).

When the lock is busy or a feed cannot be written, `FEEDS` is replaced by `{}` above `cmdline`
priority, so `-O same.jsonl` truncates nothing, and the spider closes when it opens, before its
first request, with `skipped_locked` or `feed_unwritable` (one error line, no traceback).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.reactor import is_asyncio_reactor_installed, is_reactor_installed
from w3lib.url import file_uri_to_path

from newscrawl import defaults
from newscrawl.defaults import setting_problems
from newscrawl.incremental.freshness import truthy

__all__ = ["FEEDS_PRIORITY", "Preflight", "check_feed_targets", "local_feed_path"]

logger = logging.getLogger(__name__)

#: The priority `FEEDS` is emptied at: above `-o/-O` and `-s` (cmdline).
FEEDS_PRIORITY = SETTINGS_PRIORITIES["cmdline"] + 10


class _Params(dict):
    """Feed URI parameters for the check: given values, else the spider's attribute, else 1
    (prints as `%(x)s` and `%(batch_id)05d` alike)."""

    def __init__(self, values: Mapping[str, Any], spider: Any = None) -> None:
        super().__init__(values)
        self.spider = spider

    def __missing__(self, key: str) -> Any:
        return getattr(self.spider, key, 1) if self.spider is not None else 1


def local_feed_path(uri: Any, params: Mapping[str, Any] | None = None) -> Path | None:
    """The file a feed URI names (a plain path or `file://`), its `%(...)s` parameters filled
    from `params`; None for other storages (S3, FTP, stdout)."""
    text = str(uri)
    if "%(" in text:
        try:
            text = text % _Params({"time": _now(), "batch_time": _now(), **(params or {})})
        except (TypeError, ValueError):
            pass  # an unusual template: check it as written
    if text.startswith("file:"):
        return Path(file_uri_to_path(text))
    if "://" in text or text in ("-", "") or text.startswith("stdout:"):
        return None
    return Path(text)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace(":", "-")


def _unwritable(path: Path) -> str | None:
    """Why `path` cannot be written as a feed, or None; leaves nothing behind."""
    step = "open it for writing"
    try:
        if path.is_dir():
            return "it is a folder"
        if path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND))  # no O_TRUNC: nothing changes
            return None
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            return f"cannot create folder {path.parent}: {folder} is not a folder"
        if folder != path.parent:  # Scrapy would create the missing folders: try one
            step = f"create folder {path.parent}"
            os.rmdir(tempfile.mkdtemp(prefix=".newscrawl-check-", dir=folder))
        else:
            step = f"create files in {folder}"
            fd, probe = tempfile.mkstemp(prefix=".newscrawl-check-", dir=folder)
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        return f"cannot {step} ({exc.strerror or exc})"
    return None


def check_feed_targets(feeds: Mapping[Any, Any],
                       params: Mapping[str, Any] | None = None) -> list[str]:
    """One message per local feed (FEEDS key) that cannot be written: its folder cannot be
    created or the file cannot be opened for writing. Remote feeds are not checked."""
    problems = []
    for uri in feeds:
        path = local_feed_path(uri, params)
        if path is None:
            continue
        reason = _unwritable(path)
        if reason is not None:
            problems.append(f"cannot write feed {uri}: {reason}")
    return problems


def _asyncio_reactor(settings: BaseSettings) -> bool:
    """Whether the crawl runs (or will run) on Twisted's asyncio reactor."""
    if is_reactor_installed():
        return is_asyncio_reactor_installed()
    return settings.get("TWISTED_REACTOR") in (
        None, "twisted.internet.asyncioreactor.AsyncioSelectorReactor")


def is_incremental(spider: Any, settings: BaseSettings) -> bool:
    """True when the spider runs incrementally (`-a incremental=1` or NEWSCRAWL_INCREMENTAL)."""
    flag = getattr(spider, "incremental", None)
    if flag is None:
        flag = settings.get("NEWSCRAWL_INCREMENTAL")
    return truthy(flag)


class Preflight:
    """Scrapy add-on: the run lock and the feed check, before feeds are opened or requests made.

    Run last by `newscrawl.Addon` (`ADDONS = {"newscrawl.Addon": 0}`), once FEEDS are final.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.lock: Any = None
        self.reason: str | None = None
        self.problems = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Preflight:
        """Built by Scrapy's add-on manager."""
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        """Take the run lock and check the feeds; on failure empty FEEDS and plan the close."""
        spider = self.crawler.spider
        if spider is None:  # settings loaded outside Crawler.crawl: nothing to check yet
            return
        self.crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        problems = setting_problems(settings)
        if ("NEWSCRAWL_EXTRACT_WORKERS" not in problems and not _asyncio_reactor(settings)
                and settings.getint("NEWSCRAWL_EXTRACT_WORKERS") > 0):
            problems["NEWSCRAWL_EXTRACT_WORKERS"] = (
                "NEWSCRAWL_EXTRACT_WORKERS needs the asyncio reactor (TWISTED_REACTOR = "
                "'twisted.internet.asyncioreactor.AsyncioSelectorReactor')")
        if problems:
            for name, message in problems.items():
                logger.error("Run of %r refused: %s", spider.name, message)
                # The default stands in until the close, so no component fails on the value.
                settings.set(name, getattr(defaults, name), priority=FEEDS_PRIORITY)
            self._refuse(settings, "bad_setting")
            return
        if is_incremental(spider, settings) and settings.getbool("NEWSCRAWL_STATE_LOCK"):
            from newscrawl.incremental.lock import LockBusy, run_lock_for

            try:
                self.lock = run_lock_for(settings, spider.name).acquire()
            except LockBusy as exc:
                logger.error("Run of %r skipped: %s", spider.name, exc)
                self._refuse(settings, "skipped_locked")
                return
            except OSError as exc:
                logger.error("Run of %r refused: cannot take its run lock: %s", spider.name, exc)
                self._refuse(settings, "lock_unavailable")
                return
        params = {"name": spider.name}
        problems = check_feed_targets(settings.getdict("FEEDS"), _Params(params, spider))
        if problems:
            self.problems = len(problems)
            for message in problems:
                logger.error("%s", message)
            self._refuse(settings, "feed_unwritable")

    def _refuse(self, settings: BaseSettings, reason: str) -> None:
        self.reason = reason
        settings.set("FEEDS", {}, priority=FEEDS_PRIORITY)
        self.release()

    def spider_opened(self, spider: Any = None) -> None:
        """Close a refused run before its first request; otherwise hold the lock to the end."""
        if self.reason is None:
            if self.lock is not None:  # connected now: released after the tracker's commit
                self.crawler.signals.connect(self.release, signal=signals.spider_closed)
                self.crawler.signals.connect(self.release, signal=signals.engine_stopped)
            return
        stats = self.crawler.stats
        if self.reason == "skipped_locked":
            stats.set_value("newscrawl/incremental/locked", 1)
        elif self.reason == "feed_unwritable":
            stats.set_value("newscrawl/preflight/feed_unwritable", self.problems)
        else:
            stats.set_value(f"newscrawl/preflight/{self.reason}", 1)
        raise CloseSpider(self.reason)

    def release(self, *args: Any, **kwargs: Any) -> None:
        """Give the run lock up (idempotent)."""
        if self.lock is not None:
            self.lock.release()
            self.lock = None
