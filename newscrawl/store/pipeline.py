"""`StorePipeline`: the crawl's articles into the database named by `NEWSCRAWL_DATABASE`.

The last item pipeline (after the incremental one, so items carry their version). Items are
buffered and written in batches (`NEWSCRAWL_DATABASE_BATCH_ITEMS` items or
`NEWSCRAWL_DATABASE_BATCH_SECONDS` seconds, and when the spider closes), one transaction per
batch, in a worker thread so the crawl does not wait for the disk or the network.

At-least-once, like the feeds: the store is one more writer of every item. It registers with the
incremental tracker (`IncrementalTracker.add_writer`) and, once a batch is committed, sends
`newscrawl.output.signals.item_written` for each of its items; the tracker records an article as
emitted only after every feed and the store have sent it. A process killed before a commit loses
the batch from the database and from the crawl state alike, so the next run fetches those
articles again; one killed after the commit but before the state's commit fetches them again
too, and the store sees the same fingerprint and adds nothing.

A database that goes away is reconnected and the batch retried (`NEWSCRAWL_DATABASE_RETRIES`,
backoff from `NEWSCRAWL_DATABASE_RETRY_BACKOFF` seconds, doubling); then the run closes with
reason `database_unavailable`, counts the articles it could not store
(`newscrawl/database/unstored`, which makes `run_failed` fail the run) and keeps every batch
already committed. Each run has a `crawl_runs` row, closed with its run report.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredLock, succeed
from twisted.internet.task import LoopingCall
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from newscrawl.output.signals import item_written
from newscrawl.store.backends import StoreError, redact
from newscrawl.store.records import BadRecord, Version
from newscrawl.store.store import ArticleStore, WriteResult, open_store

logger = logging.getLogger(__name__)

STATS_PREFIX = "newscrawl/database"
#: Finish reason of a run whose database went away (a failure for `run_failed`).
FINISH_REASON = "database_unavailable"
#: Batches waiting behind the one being written before new items wait for theirs.
MAX_QUEUED_BATCHES = 4
#: The `format` of the `item_written` signals the store sends.
SIGNAL_FORMAT = "database"


class StorePipeline:
    """Writes every article that reaches the end of the pipelines into the database."""

    def __init__(self, crawler: Crawler, url: str) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.url = url
        self.stats = crawler.stats
        self.batch_items = max(1, settings.getint("NEWSCRAWL_DATABASE_BATCH_ITEMS"))
        self.batch_seconds = settings.getfloat("NEWSCRAWL_DATABASE_BATCH_SECONDS")
        self.retries = settings.getint("NEWSCRAWL_DATABASE_RETRIES")
        self.backoff = settings.getfloat("NEWSCRAWL_DATABASE_RETRY_BACKOFF")
        self.synchronous = settings.get("NEWSCRAWL_DATABASE_SYNCHRONOUS")
        self.store: ArticleStore | None = None
        self.run_id: int | None = None
        self.failure: str | None = None
        self.stored = 0
        self._buffer: list[Any] = []
        self._lock = DeferredLock()
        self._timer: LoopingCall | None = None
        self._pool = ThreadPool(1, 1, name="newscrawl-store")
        from newscrawl.incremental.tracker import tracker_for

        tracker_for(crawler).add_writer()
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        """Built by Scrapy from ITEM_PIPELINES; NotConfigured while NEWSCRAWL_DATABASE is empty."""
        url = (crawler.settings.get("NEWSCRAWL_DATABASE") or "").strip()
        if not url:
            raise NotConfigured("NEWSCRAWL_DATABASE is empty")
        return cls(crawler, url)

    # -- lifecycle ------------------------------------------------------------------------------

    def _in_thread(self, func: Any, *args: Any) -> Deferred:
        from twisted.internet import reactor  # the crawl's reactor: never imported at load

        return deferToThreadPool(reactor, self._pool, func, *args)

    async def open_spider(self, spider: Any = None) -> None:
        """Open the database (migrating its schema) and start the run's `crawl_runs` row."""
        from twisted.internet import reactor

        self._pool.start()
        reactor.addSystemEventTrigger(  # type: ignore[attr-defined]
            "during", "shutdown", self._stop_pool)
        name = getattr(self.crawler.spider, "name", None)
        options: dict[str, Any] = {"retries": self.retries, "backoff": self.backoff,
                                   "on_retry": self._retrying}
        if self.url.lower().startswith("sqlite:"):
            options["synchronous"] = self.synchronous

        def start() -> tuple[ArticleStore, int]:
            store = open_store(self.url, **options)
            return store, store.start_run(name)

        try:
            self.store, self.run_id = await maybe_deferred_to_future(self._in_thread(start))
        except StoreError as exc:
            self._fail(exc)
            return
        logger.info("Storing articles in %s (run %s), batches of %d items or %.0f s",
                    redact(self.url), self.run_id, self.batch_items, self.batch_seconds)
        if self.batch_seconds > 0:
            self._timer = LoopingCall(self._tick)
            self._timer.start(self.batch_seconds, now=False)

    async def close_spider(self, spider: Any = None) -> None:
        """Write the last batch and wait for every write in flight."""
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        await maybe_deferred_to_future(self._flush())
        if self.failure is not None:
            logger.error("%d articles of this run are not in the database (%s); the next "
                         "incremental run fetches them again", self.stats.get_value(
                             f"{STATS_PREFIX}/unstored", 0), self.failure)

    async def engine_stopped(self) -> None:
        """Close the run's `crawl_runs` row with the run report, then the connection."""
        store, self.store = self.store, None
        if store is None:
            self._stop_pool()
            return
        from newscrawl.crawl.report import RunReport, run_failed

        try:
            ext = self.crawler.get_extension(RunReport)
        except RuntimeError:
            ext = None
        report = (ext.report or ext.build()) if ext is not None else None
        stats = self.stats.get_stats()
        reason = (report or {}).get("finish_reason") or stats.get("finish_reason")
        failed = report["failed"] if report is not None else run_failed(stats) is not None
        if self.failure is None:
            try:
                await maybe_deferred_to_future(self._in_thread(
                    store.finish_run, self.run_id, report, reason, failed, self.stored))
            except StoreError as exc:
                logger.error("Could not record the run in the database: %s", exc)
        await maybe_deferred_to_future(self._in_thread(store.close))
        self._stop_pool()

    def _stop_pool(self) -> None:
        if self._pool.started:
            self._pool.stop()

    # -- items ----------------------------------------------------------------------------------

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        """Buffer the item; a full buffer starts a batch write. The item passes on at once,
        unless the database is far behind: then it waits for its batch (Scrapy then holds
        back new downloads), so a slow database costs speed, not memory."""
        self._buffer.append(item)
        if len(self._buffer) >= self.batch_items:
            written = self._flush()
            if len(self._lock.waiting) >= MAX_QUEUED_BATCHES:
                self.stats.inc_value(f"{STATS_PREFIX}/waits")
                await maybe_deferred_to_future(written)
        return item

    def _tick(self) -> None:
        if self._buffer and not self._lock.locked:
            self._flush()

    def _flush(self) -> Deferred:
        """Write the buffered items (after any write in flight); fires when done."""
        batch, self._buffer = self._buffer, []
        return self._lock.run(self._write, batch)

    def _write(self, batch: list[Any]) -> Deferred:
        if not batch:
            return succeed(None)
        if self.failure is not None or self.store is None:
            self.stats.inc_value(f"{STATS_PREFIX}/unstored", len(batch))
            return succeed(None)
        d = self._in_thread(self._write_batch, self.store, batch)
        d.addCallbacks(self._written, self._not_written, callbackArgs=(batch,),
                       errbackArgs=(batch,))
        return d

    def _write_batch(self, store: ArticleStore, batch: list[Any]) -> tuple[WriteResult, list]:
        """In the worker thread: the batch's versions in one transaction."""
        versions, good = [], []
        for item in batch:
            try:
                versions.append(Version.from_item(item))
                good.append(item)
            except BadRecord as exc:
                logger.error("Not stored: %s (%s)", exc, getattr(item, "url", None) or
                             (item.get("url") if isinstance(item, dict) else None))
        return store.write(versions, self.run_id), good

    def _written(self, outcome: tuple[WriteResult, list], batch: list[Any]) -> None:
        result, good = outcome
        self.stored += result.stored
        self.stats.inc_value(f"{STATS_PREFIX}/batches")
        self.stats.inc_value(f"{STATS_PREFIX}/stored", result.stored)
        if result.unchanged:
            self.stats.inc_value(f"{STATS_PREFIX}/already_stored", result.unchanged)
        if len(good) < len(batch):
            self.stats.inc_value(f"{STATS_PREFIX}/unstored", len(batch) - len(good))
        spider = self.crawler.spider
        for item in good:
            self.crawler.signals.send_catch_log(
                signal=item_written, item=item, spider=spider, crawler=self.crawler,
                uri=redact(self.url), format=SIGNAL_FORMAT)

    def _not_written(self, failure: Failure, batch: list[Any]) -> None:
        self.stats.inc_value(f"{STATS_PREFIX}/unstored", len(batch))
        if not failure.check(StoreError):
            logger.error("Writing to the database failed",
                         exc_info=(failure.type, failure.value, failure.getTracebackObject()))
        self._fail(failure.value)

    def _retrying(self, attempt: int, exc: Exception) -> None:
        """In the worker thread: one retry more (logged, counted)."""
        self.stats.inc_value(f"{STATS_PREFIX}/retries")
        logger.warning("Database %s: %s; retry %d of %d", redact(self.url),
                       str(exc).strip().splitlines()[0] if str(exc).strip() else exc,
                       attempt, self.retries)

    def _fail(self, exc: BaseException) -> None:
        """Stop storing: log once, count, close the run with `database_unavailable`."""
        if self.failure is not None:
            return
        self.failure = str(exc) or type(exc).__name__
        self.stats.set_value(f"{STATS_PREFIX}/failed", self.failure)
        logger.error("Database %s unavailable: %s; closing the run (articles already "
                     "committed stay)", redact(self.url), self.failure)
        engine = self.crawler.engine
        if engine is None:
            return
        from twisted.internet import reactor

        if hasattr(engine, "close_spider_async"):
            reactor.callLater(0, lambda: deferred_from_coro(  # type: ignore[attr-defined]
                engine.close_spider_async(reason=FINISH_REASON)))
        else:  # pragma: no cover - Scrapy < 2.14
            reactor.callLater(0, engine.close_spider,  # type: ignore[attr-defined]
                              self.crawler.spider, FINISH_REASON)
