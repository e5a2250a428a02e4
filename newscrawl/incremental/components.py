"""The incremental crawl's Scrapy components: a spider middleware that drops known-unchanged
article requests before they are scheduled, and the last item pipeline, which versions articles.
Both share the crawler's `IncrementalTracker` (newscrawl.incremental.tracker)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from newscrawl.incremental.tracker import IncrementalTracker, tracker_for


class IncrementalSpiderMiddleware(BaseSpiderMiddleware):
    """Drops discovered article requests known to be unchanged; tags items with their origin."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.tracker = tracker_for(crawler)

    def process_spider_output(self, response: Response | None, result: Iterable[Any],
                              spider: Any = None) -> Iterable[Any]:
        """Filter the spider's output; note an article page that yielded no item."""
        found = False
        for o in result:
            found = found or not isinstance(o, Request)
            if (o := self.process_one(o, response)) is not None:
                yield o
        self._after(response, found)

    async def process_spider_output_async(self, response: Response | None,
                                          result: AsyncIterator[Any],
                                          spider: Any = None) -> AsyncIterator[Any]:
        """The asynchronous twin of `process_spider_output`."""
        found = False
        async for o in result:
            found = found or not isinstance(o, Request)
            if (o := self.process_one(o, response)) is not None:
                yield o
        self._after(response, found)

    def process_one(self, o: Any, response: Response | None) -> Any:
        """One output object through `get_processed_request` or `get_processed_item`."""
        if isinstance(o, Request):
            return self.get_processed_request(o, response)
        return self.get_processed_item(o, response)

    def _after(self, response: Response | None, found: bool) -> None:
        if (not found and response is not None and "discovery" in response.meta
                and self.tracker.active):
            self.tracker.no_article(response)

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        """Keep the request unless it is a known article whose discovery date has not moved."""
        if not self.tracker.active:
            return None if self.tracker.locked else request
        if "discovery" not in request.meta:
            return request
        return request if self.tracker.should_fetch(request) else None

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        """Remember which response (and discovery data) the item came from."""
        if response is not None and self.tracker.active:
            self.tracker.remember(item, response)
        return item


class IncrementalPipeline:
    """Last item pipeline: drop unchanged articles, mark changed ones `updated` with a version."""

    def __init__(self, tracker: IncrementalTracker) -> None:
        self.tracker = tracker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalPipeline:
        """Built by Scrapy from ITEM_PIPELINES."""
        return cls(tracker_for(crawler))

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Pass new and changed articles on; raise DropItem("unchanged") for the rest."""
        if not self.tracker.active:
            return item
        return self.tracker.check_item(item)
