"""Distributed crawls: several processes (or machines) share one crawl through Redis (scrapy-redis).

`DistributedAddon` does nothing unless `NEWSCRAWL_REDIS_URL` is set; then the scheduler and the
duplicate filter live in Redis (keys `NEWSCRAWL_REDIS_KEY` + `:requests` / `:dupefilter`):

* the shared duplicate filter (`CanonicalRedisDupeFilter`) keys requests on the crawler's request
  fingerprinter (newscrawl.crawl.fingerprint), so each sitemap, feed, listing page and article is
  fetched by one worker only; `DistributedSpiderMiddleware` shares the count of sitemap and feed
  entries found, for the listing fallback;
* `newscrawl.distributed.scheduler.RedisScheduler` keeps a worker open while the shared queue holds
  requests or another worker is busy, runs the spider's listing fallback only when the whole
  crawl found no sitemap/feed entries, and closes every worker once the crawl is drained. With
  `NEWSCRAWL_REDIS_PERSIST` off, the last worker deletes the queue and the filter, so the next
  crawl starts afresh.

A Redis URL as `NEWSCRAWL_STATE` (see `newscrawl.incremental.redis_state`) also turns the file
run lock off.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

logger = logging.getLogger(__name__)

#: The spider's own requests (discovery documents, listing pages, articles) carry these keys.


def _set(settings: BaseSettings, name: str, value: Any) -> None:
    """Set with at least add-on priority, overriding a value of the same (project) priority."""
    settings.set(name, value, priority=max(settings.getpriority(name) or 0, 15))


def key_base(settings: BaseSettings, spider_name: str) -> str:
    """Prefix of the crawl's Redis keys for `spider_name`."""
    return settings.get("NEWSCRAWL_REDIS_KEY") % {"spider": spider_name}


class DistributedAddon:
    """Scrapy add-on: scrapy-redis scheduling when `NEWSCRAWL_REDIS_URL` is set, else nothing."""

    def update_settings(self, settings: BaseSettings) -> None:
        """Switch scheduler, duplicate filter and middleware over to Redis."""
        from newscrawl.incremental.redis_state import is_redis_url

        if is_redis_url(settings.get("NEWSCRAWL_STATE")) and settings.getpriority(
                "NEWSCRAWL_STATE_LOCK") <= 20:
            _set(settings, "NEWSCRAWL_STATE_LOCK", False)  # workers of one crawl run together
        url = settings.get("NEWSCRAWL_REDIS_URL")
        if not url:
            return
        try:
            import scrapy_redis  # noqa: F401
        except ImportError as exc:
            raise RuntimeError("NEWSCRAWL_REDIS_URL needs scrapy-redis: "
                               "pip install 'newscrawl[distributed]'") from exc
        base = settings.get("NEWSCRAWL_REDIS_KEY")
        _set(settings, "REDIS_URL", url)
        _set(settings, "SCHEDULER", "newscrawl.distributed.scheduler.RedisScheduler")
        _set(settings, "DUPEFILTER_CLASS",
             "newscrawl.distributed.dupefilter.CanonicalRedisDupeFilter")
        _set(settings, "SCHEDULER_QUEUE_KEY", base + ":requests")
        _set(settings, "SCHEDULER_DUPEFILTER_KEY", base + ":dupefilter")
        _set(settings, "SCHEDULER_PERSIST", settings.getbool("NEWSCRAWL_REDIS_PERSIST"))
        # A blocking pop would stall the whole (single-threaded) engine; the scheduler polls.
        _set(settings, "SCHEDULER_IDLE_BEFORE_CLOSE", 0)
        settings.setdefault_in_component_priority_dict("SPIDER_MIDDLEWARES",
                                                       DistributedSpiderMiddleware, 900)


def _redis_from(settings: BaseSettings) -> Any:
    from scrapy_redis.connection import get_redis_from_settings

    return get_redis_from_settings(settings)


class DistributedSpiderMiddleware(BaseSpiderMiddleware):
    """The spider's requests go through the shared duplicate filter; sitemap and feed entries
    found by this worker are counted for the others (`<key>:entries`)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.redis = _redis_from(crawler.settings)

    def _share_entries(self, before: int) -> None:
        spider = self.crawler.spider
        found = getattr(spider, "entries_found", 0) - before
        if found > 0:
            self.redis.incrby(key_base(self.crawler.settings, spider.name) + ":entries", found)

    def process_spider_output(self, response: Response | None, result: Iterable[Any],
                              spider: Any = None) -> Iterable[Any]:
        """Pass the output on; then publish this response's sitemap/feed entry count."""
        before = getattr(self.crawler.spider, "entries_found", 0)
        yield from result
        self._share_entries(before)

    async def process_spider_output_async(self, response: Response | None,
                                          result: AsyncIterator[Any],
                                          spider: Any = None) -> AsyncIterator[Any]:
        """The asynchronous twin of `process_spider_output`."""
        before = getattr(self.crawler.spider, "entries_found", 0)
        async for o in result:
            yield o
        self._share_entries(before)
