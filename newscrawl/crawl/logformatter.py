"""Crawl log lines about items (Scrapy's `LOG_FORMATTER`): one short line per article, never
its text, so a cron log grows by a line per article rather than by the whole feed.

    Article: https://portal.example/polityka/art1 | Sejm przyjął budżet
    Dropped (duplicate fingerprint): https://portal.example/polityka/art1?utm=x
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.logformatter import LogFormatter

#: Characters of a headline or reason kept in a log line.
MAX_TEXT = 120


def _short(value: Any) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def _url(item: Any, response: Any) -> str:
    try:
        url = ItemAdapter(item).get("url")
    except TypeError:  # not an item type itemadapter knows
        url = None
    return str(url or getattr(response, "url", "") or "?")


class ArticleLogFormatter(LogFormatter):
    """Scrapy's LogFormatter with item messages reduced to URL and headline (or drop reason):
    `scraped` at INFO, `dropped` at the drop's level, `item_error` at ERROR."""

    def scraped(self, item: Any, response: Any, spider: Any) -> Any:
        """`Article: URL | headline` at INFO."""
        try:
            headline = ItemAdapter(item).get("headline")
        except TypeError:
            headline = None
        return {"level": logging.INFO, "msg": "Article: %(url)s | %(headline)s",
                "args": {"url": _url(item, response), "headline": _short(headline)}}

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        """`Dropped (reason): URL` at the level Scrapy would use, without the item."""
        result = dict(super().dropped(item, exception, response, spider))
        result["msg"] = "Dropped (%(reason)s): %(url)s"
        result["args"] = {"reason": _short(exception), "url": _url(item, response)}
        return result

    def item_error(self, item: Any, exception: BaseException, response: Any,
                   spider: Any) -> Any:
        """`Error processing URL` at ERROR (the traceback follows, the item does not)."""
        result = dict(super().item_error(item, exception, response, spider))
        result["msg"] = "Error processing %(url)s"
        result["args"] = {"url": _url(item, response)}
        return result
