"""HTML + URL → Article. Pure: no Scrapy engine, no network, no portal routing.

`parse_document` runs a given parser class (the generic `ArticleParser` or a portal's subclass)
over a page; choosing the parser by URL is `newscrawl.routing.extract_article`'s job.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from newscrawl.extract.document import Document
from newscrawl.extract.errors import ExtractionError
from newscrawl.items import Article

if TYPE_CHECKING:
    from newscrawl.extract.parser import ArticleParser

__all__ = ["Document", "ExtractionError", "parse_document", "read_document"]


def parse_document(html: bytes | str, url: str, parser: type[ArticleParser] | None = None, *,
                   fetched_at: datetime | None = None, content_type: str | bytes | None = None,
                   portal: str | None = None, timezone: str | None = None) -> Article:
    """Read one page with `parser` (default: the generic `ArticleParser`).

    `content_type` is the HTTP Content-Type header (one charset signal); `portal` and `timezone`
    are what a portal's parser is built with. Raises ExtractionError for input that is not HTML.
    """
    return read_document(html, url, parser, fetched_at=fetched_at, content_type=content_type,
                         portal=portal, timezone=timezone)[0]


def read_document(html: bytes | str, url: str, parser: type[ArticleParser] | None = None, *,
                  fetched_at: datetime | None = None, content_type: str | bytes | None = None,
                  portal: str | None = None, timezone: str | None = None,
                  ) -> tuple[Article, Document]:
    """`parse_document`, also returning the `Document` it decoded and parsed, so a caller can
    read the page further (its `text`) without decoding or parsing it again."""
    if parser is None:
        from newscrawl.extract.parser import ArticleParser

        parser = ArticleParser
    doc = Document(html, url, content_type=content_type)
    return parser(doc, fetched_at=fetched_at, portal=portal, timezone=timezone).parse(), doc
