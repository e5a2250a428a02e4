"""A spider that makes articles up without any request, for feed export tests."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import scrapy

from newscrawl.items import Article, RelatedLink
from newscrawl.output.signals import item_written


def make_article(i: int, paragraphs: int = 3) -> Article:
    """Article number `i`: unique URL and text, Polish letters, a related block rendered twice."""
    body = [f"Akapit {j} artykułu {i}: zażółć gęślą jaźń. " * 4 for j in range(paragraphs)]
    related = [RelatedLink(f"Polecany {i % 7}", f"/related/{i % 7}"),
               RelatedLink(f"Polecany {i % 7}", f"/related/{i % 7}?utm_source=box")]
    return Article(url=f"https://portal.example/news/{i}.html", portal=None, language="pl",
                   headline=f"Nagłówek {i}", lead=f"Lead {i}.", body=body, authors=["Ala Kot"],
                   published="2024-05-03T10:00:00+02:00", date_source="meta",
                   related=related, fetched_at="2024-05-04T00:00:00+00:00")


class StreamSpider(scrapy.Spider):
    """Yields `count` articles (`-a count=N`, default 50), sleeping `delay` seconds between them;
    `-a paragraphs=N` makes records longer (several kilobytes each to cross buffer sizes)."""

    name = "stream"
    custom_settings = {"ROBOTSTXT_OBEY": False, "LOG_LEVEL": "INFO"}

    def __init__(self, count: str = "50", delay: str = "0", paragraphs: str = "3",
                 written_log: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.count, self.delay, self.paragraphs = int(count), float(delay), int(paragraphs)
        self.written_log = written_log

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> StreamSpider:
        """With `-a written_log=PATH`, append the URL of every `item_written` item to PATH."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.written_log:
            crawler.signals.connect(spider._log_written, signal=item_written)
        return spider

    def _log_written(self, item: Any, **kwargs: Any) -> None:
        # one unbuffered append per item: the log is on disk the moment the signal ran
        fd = os.open(self.written_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{item.url}\n".encode())
        finally:
            os.close(fd)

    async def start(self) -> AsyncIterator[Any]:
        """Yield the made-up articles (plus one duplicate and one without a body)."""
        for i in range(self.count):
            yield make_article(i, self.paragraphs)
            if self.delay:
                await asyncio.sleep(self.delay)
        if self.count:
            dup = make_article(0, self.paragraphs)
            dup.url += "?utm_source=newsletter"
            yield dup
            yield Article(url="https://portal.example/empty.html", headline="Pusty")
