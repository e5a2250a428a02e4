"""The scrapy-redis scheduler with worker coordination for distributed crawls.

Built by `newscrawl.distributed.addon.DistributedAddon` when `NEWSCRAWL_REDIS_URL` is set.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler

from newscrawl.compat import wake_engine
from newscrawl.distributed.addon import key_base

logger = logging.getLogger(__name__)


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler plus worker coordination: busy marks in `<key>:busy` (a sorted
    set of worker ids by expiry), polling while idle, and a clean end of the shared crawl."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        """Built by the engine; reads the NEWSCRAWL_REDIS_* timings."""
        scheduler = super().from_crawler(crawler)
        settings = crawler.settings
        scheduler.crawler = crawler
        scheduler.busy_ttl = settings.getfloat("NEWSCRAWL_REDIS_BUSY_TTL")
        scheduler.idle_close = settings.getfloat("NEWSCRAWL_REDIS_IDLE_CLOSE")
        scheduler.poll = settings.getfloat("NEWSCRAWL_REDIS_POLL")
        scheduler.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        scheduler._busy_until = 0.0
        scheduler._idle_since: float | None = None
        scheduler._spider_idle: Any = None
        scheduler._loop: Any = None
        for signal in (signals.request_scheduled, signals.request_reached_downloader,
                       signals.response_received, signals.item_scraped):
            crawler.signals.connect(scheduler.mark_busy, signal=signal)
        return scheduler

    def open(self, spider: Any) -> None:
        """Open the shared queue; take over the spider's idle hook (run crawl-wide, see below)."""
        super().open(spider)
        self.base = key_base(self.crawler.settings, spider.name)
        hook = getattr(spider, "on_idle", None)
        if callable(hook):
            self.crawler.signals.disconnect(hook, signal=signals.spider_idle)
            self._spider_idle = hook
        self.crawler.signals.connect(self.on_idle, signal=signals.spider_idle)
        self.mark_busy()
        from twisted.internet import task

        self._loop = task.LoopingCall(self._wake)
        self._loop.start(self.poll, now=False)
        logger.info("Distributed crawl: worker %s on %s", self.worker, self.queue.key)

    # -- worker coordination ------------------------------------------------------------------
    def mark_busy(self, *args: Any, **kwargs: Any) -> None:
        """Note (at most every few seconds) that this worker has work in hand."""
        now = time.time()
        if now < self._busy_until - self.busy_ttl * 2 / 3:
            return
        self._busy_until = now + self.busy_ttl
        self._idle_since = None
        self.server.zadd(self.base + ":busy", {self.worker: self._busy_until})

    def _mark_idle(self) -> None:
        self._busy_until = 0.0
        self.server.zrem(self.base + ":busy", self.worker)

    def others_busy(self) -> bool:
        """True while another worker holds an unexpired busy mark."""
        key = self.base + ":busy"
        self.server.zremrangebyscore(key, "-inf", time.time())
        workers = self.server.zrange(key, 0, -1)
        return any((w.decode() if isinstance(w, bytes) else w) != self.worker for w in workers)

    def _wake(self) -> None:
        """While idle, let the engine look at the shared queue again (its own heartbeat is 5 s)."""
        if self._busy_until == 0.0:
            wake_engine(self.crawler)

    def on_idle(self, spider: Any = None) -> None:
        """Stay open while the crawl goes on elsewhere; close once it is drained for a while."""
        self._mark_idle()
        if len(self.queue) or self.others_busy():
            self._idle_since = None
            raise DontCloseSpider("shared crawl in progress")
        if self._spider_idle is not None:
            shared = int(self.server.get(self.base + ":entries") or 0)
            if shared and hasattr(spider, "entries_found"):
                spider.entries_found = max(spider.entries_found, shared)
            self._spider_idle(spider)  # may schedule the listing fallback (DontCloseSpider)
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        if now - self._idle_since < self.idle_close:
            raise DontCloseSpider("waiting for other workers")

    def close(self, reason: str) -> None:
        """Leave the worker set; the last worker of a finished crawl clears it (unless persist)."""
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self._mark_idle()
        last = reason == "finished" and not len(self.queue) and not self.others_busy()
        if not self.persist and last:
            self.flush()
            self.server.delete(self.base + ":entries", self.base + ":busy")
            logger.info("Distributed crawl finished: queue and duplicate filter cleared")
