"""Incremental crawls: skip known-unchanged article requests, emit only new or changed articles.

Three Scrapy components share one `IncrementalTracker` per crawler, an extension (`EXTENSIONS`)
that the others find with `tracker_for(crawler)` (`crawler.get_extension()`):

* `IncrementalSpiderMiddleware` (newscrawl.incremental.components) drops a discovered article
  request (`meta["discovery"]`) whose URL was already emitted and whose sitemap/feed date has
  not moved, and remembers which response every item came from;
* `IncrementalPipeline` (the same module; last pipeline) drops an article whose content
  fingerprint equals the emitted one (`DropItem("unchanged")`) and marks a changed one
  `version + 1`, `updated: true`;
* the tracker itself records an article as emitted only when the feed exporter reports it
  written and flushed (`newscrawl.output.signals.item_written`), committing in batches; with
  several writers (feeds, the database store: `add_writer`) only once every one has it.

A discovered article already emitted is fetched again only when its source's date is newer than
every date known for it (`newscrawl.incremental.freshness.known_date`); later discoveries of an
article requested in the same run add their dates to the state instead of being dropped unseen.

Everything is inert unless the spider runs with `-a incremental=1` or `NEWSCRAWL_INCREMENTAL`.
The run lock is taken before any feed opens by the `newscrawl.crawl.preflight.Preflight` add-on; the
tracker's own acquire (lazily, on the first request) is then a no-op, and the fallback without it.
"""

from __future__ import annotations

import logging
import time
import weakref
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response

from newscrawl.crawl.keyset import KeySet
from newscrawl.incremental.freshness import (
    DATED_SOURCES,
    content_fingerprint,
    decide,
    state_key,
    truthy,
)
from newscrawl.incremental.state import CrawlState, later, utcnow
from newscrawl.incremental.stores import open_state, state_path

__all__ = ["DATED_SOURCES", "IncrementalTracker", "content_fingerprint", "decide", "state_key",
           "tracker_for", "truthy"]

logger = logging.getLogger(__name__)

STATS_PREFIX = "newscrawl/incremental"


@dataclass
class Pending:
    """Where an item came from, kept from spider output until it is written or dropped."""

    key: str
    url: str
    discovery: dict | None
    fingerprint: str | None = None
    version: int = 1
    writes: int = 0


class IncrementalTracker:
    """The per-crawler state holder shared by the middleware and the pipeline."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.stats = crawler.stats
        self.state: CrawlState | None = None
        self._enabled: bool | None = None
        self._pending: dict[int, Pending] = {}
        # Per URL for the whole run, so kept as hashes (newscrawl.crawl.keyset).
        self._skipped = KeySet()  # keys skipped this run (counted once)
        self._requested = KeySet()  # keys requested this run (later sources: dates only)
        self.lock: Any = None
        self.locked = False  # another run of the spider holds the lock: request nothing
        self._uncommitted = 0
        self._last_commit = time.monotonic()
        self.commit_items = settings.getint("NEWSCRAWL_STATE_COMMIT_ITEMS")
        self.commit_seconds = settings.getfloat("NEWSCRAWL_STATE_COMMIT_SECONDS")
        days = settings.get("NEWSCRAWL_INCREMENTAL_RECHECK_DAYS")
        self.recheck_after = None if days in (None, "") or float(days) < 0 else timedelta(
            days=float(days))
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self._forget, signal=signals.item_dropped)
        crawler.signals.connect(self._forget, signal=signals.item_error)
        # With several feeds an item counts as emitted once the last of them has written it.
        self.feeds = self.announcing_feeds(settings)
        self.commit_signal = self._commit_signal()
        crawler.signals.connect(self.item_written, signal=self.commit_signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalTracker:
        """Built by Scrapy from EXTENSIONS; one tracker per crawler however often it is asked."""
        tracker = _TRACKERS.get(crawler)
        if tracker is None:
            tracker = _TRACKERS[crawler] = cls(crawler)
        return tracker

    def _commit_signal(self) -> object:
        """`item_written` when feeds that send it are configured, else `item_scraped`."""
        choice = self.crawler.settings.get("NEWSCRAWL_STATE_COMMIT_SIGNAL")
        if choice == "item_scraped":
            return signals.item_scraped
        from newscrawl.output.signals import item_written

        if choice == "item_written" or self.feeds:
            return item_written
        if self.crawler.settings.getdict("FEEDS"):
            logger.warning("No feed sends item_written (newscrawl.output.exporters); the "
                           "incremental state records items on item_scraped, before the feed has "
                           "them")
        return signals.item_scraped

    def add_writer(self) -> None:
        """One more component writes every item and sends `item_written` once it holds it
        (the database store, newscrawl.store.pipeline): an item counts as emitted only after
        every feed and every such writer has sent it."""
        from newscrawl.output.signals import item_written

        if self.crawler.settings.get("NEWSCRAWL_STATE_COMMIT_SIGNAL") == "item_scraped":
            return  # chosen explicitly: record on item_scraped, not crash-safe
        if self.commit_signal is not item_written:
            self.crawler.signals.disconnect(self.item_written, signal=self.commit_signal)
            self.commit_signal = item_written
            self.crawler.signals.connect(self.item_written, signal=item_written)
        self.feeds += 1

    @staticmethod
    def announcing_feeds(settings: Any) -> int:
        """How many configured feeds use an exporter that sends `item_written`."""
        from scrapy.utils.misc import load_object

        from newscrawl.output.exporters import BaseFeedExporter

        exporters = settings.getwithbase("FEED_EXPORTERS")
        count = 0
        for options in settings.getdict("FEEDS").values():
            path = exporters.get((options or {}).get("format", ""))
            try:
                cls = load_object(path) if isinstance(path, str) else path
            except (ImportError, NameError, ValueError):
                continue
            if isinstance(cls, type) and issubclass(cls, BaseFeedExporter):
                count += 1
        return count

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """True when the running spider is incremental (opens the store on first call)."""
        if self._enabled is None:
            spider = getattr(self.crawler, "spider", None)
            if spider is None:
                return False
            flag = getattr(spider, "incremental", None)
            if flag is None:
                flag = self.crawler.settings.get("NEWSCRAWL_INCREMENTAL")
            self._enabled = truthy(flag)
            if self._enabled:
                self._open(spider.name)
                self._enabled = not self.locked
        return bool(self._enabled)

    def _open(self, name: str) -> None:
        settings = self.crawler.settings
        if settings.getbool("NEWSCRAWL_STATE_LOCK"):
            from newscrawl.incremental.lock import LockBusy, run_lock_for

            try:
                self.lock = run_lock_for(settings, name).acquire()
            except LockBusy as exc:
                self._skip_run(name, exc)
                return
        backend = settings.get("NEWSCRAWL_STATE_BACKEND")
        path = state_path(settings.get("NEWSCRAWL_STATE"),
                          name, backend)
        options = {} if backend else {
            "synchronous": settings.get("NEWSCRAWL_STATE_SYNCHRONOUS")}
        self.state = open_state(path, backend, **options)
        if settings.getbool("NEWSCRAWL_STATE_RESET"):
            self.state.reset()
            logger.info("Incremental state %s reset", path)
        expire = settings.get("NEWSCRAWL_STATE_EXPIRE_DAYS")
        if expire not in (None, ""):
            removed = self.state.expire_days(float(expire))
            self.stats.set_value(f"{STATS_PREFIX}/expired", removed)
            logger.info("Incremental state: expired %d URLs not seen for %s days", removed, expire)
        logger.info("Incremental crawl: state %s knows %s URLs", path, self.state.stats()["urls"])

    def _skip_run(self, name: str, exc: Exception) -> None:
        """Another run of this spider holds the lock: close this one before it fetches."""
        self.locked = True
        logger.error("Run of %r skipped: %s", name, exc)
        self.stats.set_value(f"{STATS_PREFIX}/locked", 1)
        engine = self.crawler.engine
        from twisted.internet import reactor

        if hasattr(engine, "close_spider_async"):
            from scrapy.utils.defer import deferred_from_coro

            reactor.callLater(0, lambda: deferred_from_coro(  # type: ignore[attr-defined]
                engine.close_spider_async(reason="skipped_locked")))
        else:  # pragma: no cover - Scrapy < 2.14
            reactor.callLater(0, engine.close_spider,  # type: ignore[attr-defined]
                              self.crawler.spider, "skipped_locked")

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        """Commit the last batch, close the store and give the run lock up."""
        if self.state is not None:
            self.state.close()
            self.stats.set_value(f"{STATS_PREFIX}/pending_at_close", len(self._pending))
            self.state = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def _maybe_commit(self) -> None:
        self._uncommitted += 1
        if (self._uncommitted >= self.commit_items
                or time.monotonic() - self._last_commit >= self.commit_seconds):
            self.commit()

    def commit(self) -> None:
        """Commit the current batch of state changes."""
        if self.state is not None:
            self.state.commit()
            self.stats.inc_value(f"{STATS_PREFIX}/commits")
        self._uncommitted = 0
        self._last_commit = time.monotonic()

    # -- requests -------------------------------------------------------------------------------

    def should_fetch(self, request: Request) -> bool:
        """Decide for one discovered article request; counts the decision in the stats."""
        assert self.state is not None
        discovery = request.meta.get("discovery") or {}
        key = state_key(request.url)
        dated = later(discovery.get("lastmod"), discovery.get("published"))
        if key in self._requested:
            # Another source lists an article requested this run: keep its date, so the next
            # run knows it (run 1 would otherwise know only the first source's date).
            self.stats.inc_value("newscrawl/duplicates/discovered")
            if dated is not None:
                self.state.touch(key, request.url, lastmod=dated)
                self._maybe_commit()
            return False
        record = self.state.get(key)
        reason = decide(record, discovery, utcnow(), self.recheck_after)
        if reason == "skip":
            if key not in self._skipped:
                self._skipped.add(key)
                self.stats.inc_value(f"{STATS_PREFIX}/skipped")
            self.state.touch(key, request.url, lastmod=dated)
            self._maybe_commit()
            return False
        self._requested.add(key)
        self.stats.inc_value(f"{STATS_PREFIX}/fetched/{reason}")
        return True

    # -- items ----------------------------------------------------------------------------------

    def remember(self, item: Any, response: Response) -> None:
        """Note the discovery data of the response an item was scraped from."""
        first_url = (response.meta.get("redirect_urls") or [response.url])[0]
        self._pending[id(item)] = Pending(state_key(first_url), first_url,
                                          response.meta.get("discovery"))

    def no_article(self, response: Response) -> None:
        """A discovered URL answered 404/410: remember it was fetched, so it is re-checked like
        a listing link rather than on every run. A 200 page without an item (limit reached, out
        of the time window) and other failures stay pending: the next run fetches them again."""
        if response.status not in (404, 410):
            return
        assert self.state is not None
        first_url = (response.meta.get("redirect_urls") or [response.url])[0]
        discovery = response.meta.get("discovery") or {}
        key = state_key(first_url)
        record = self.state.get(key)
        if record is not None and record.committed:
            return  # an emitted article that now fails: keep its record as it is
        self.state.touch(key, first_url, fetched=True,
                         lastmod=later(discovery.get("lastmod"), discovery.get("published")))
        self.stats.inc_value(f"{STATS_PREFIX}/no_article")
        self._maybe_commit()

    def check_item(self, item: Any) -> Any:
        """Drop an unchanged article, version a changed one (the pipeline's work)."""
        assert self.state is not None
        pending = self._pending.get(id(item))
        if pending is None:
            url = ItemAdapter(item).get("url") or ""
            pending = self._pending[id(item)] = Pending(state_key(url), url, None)
        fingerprint = content_fingerprint(item)
        record = self.state.get(pending.key)
        discovery = pending.discovery or {}
        if record is not None and record.committed and record.fingerprint == fingerprint:
            adapter = ItemAdapter(item)
            self.state.touch(pending.key, pending.url, fetched=True,
                             lastmod=later(discovery.get("lastmod"), discovery.get("published")),
                             published=adapter.get("published"), modified=adapter.get("modified"))
            self._maybe_commit()
            self._pending.pop(id(item), None)
            self.stats.inc_value(f"{STATS_PREFIX}/unchanged")
            raise _drop("unchanged")
        version = record.version + 1 if record is not None and record.committed else 1
        adapter = ItemAdapter(item)
        if "version" in adapter.field_names() or isinstance(item, dict):
            adapter["version"] = version
            adapter["updated"] = version > 1
        pending.fingerprint = fingerprint
        pending.version = version
        self.stats.inc_value(f"{STATS_PREFIX}/{'updated' if version > 1 else 'new'}")
        return item

    def item_written(self, item: Any, **kwargs: Any) -> None:
        """Every feed holds the item: record it as emitted (committed with the next batch)."""
        pending = self._pending.get(id(item))
        if pending is None or pending.fingerprint is None or self.state is None:
            return  # not an article of this run's incremental flow, or already recorded
        pending.writes += 1
        if self.commit_signal is not signals.item_scraped and pending.writes < self.feeds:
            return
        del self._pending[id(item)]
        adapter = ItemAdapter(item)
        discovery = pending.discovery or {}
        self.state.record_emitted(
            pending.key, pending.url, pending.fingerprint, pending.version,
            published=adapter.get("published"), modified=adapter.get("modified"),
            lastmod=later(discovery.get("lastmod"), discovery.get("published")),
        )
        self.stats.inc_value(f"{STATS_PREFIX}/recorded")
        self._maybe_commit()

    def _forget(self, item: Any = None, **kwargs: Any) -> None:
        self._pending.pop(id(item), None)


#: The tracker of each live crawler, so that the extension, the middleware and the pipeline share
#: one even when a project lists only some of them (gone with the crawler).
_TRACKERS: weakref.WeakKeyDictionary[Crawler, IncrementalTracker] = weakref.WeakKeyDictionary()


def tracker_for(crawler: Crawler) -> IncrementalTracker:
    """The crawler's tracker: the running extension (`crawler.get_extension`) when EXTENSIONS
    lists it, else the one shared by the middleware and the pipeline."""
    try:
        found = crawler.get_extension(IncrementalTracker)
    except RuntimeError:  # asked before the extension manager exists
        found = None
    return found if found is not None else IncrementalTracker.from_crawler(crawler)


def _drop(reason: str) -> DropItem:
    try:
        return DropItem(reason, log_level="DEBUG")  # type: ignore[call-arg]
    except TypeError:  # Scrapy without per-exception log levels
        return DropItem(reason)
