"""HTML + URL → Article. Pure: no Scrapy engine, no network."""

from __future__ import annotations

from datetime import datetime

from newscrawl.extract.document import Document
from newscrawl.extract.errors import ExtractionError
from newscrawl.items import Article

__all__ = ["Document", "ExtractionError", "extract_article"]


def extract_article(html: bytes | str, url: str, *, fetched_at: datetime | None = None,
                    portal: str | None = None,
                    content_type: str | bytes | None = None) -> Article:
    """Extract one article from a page; `portal` names a portal module, else found by domain.

    `content_type` is the HTTP Content-Type header value: one charset signal among the BOM, the
    page's own declaration and the bytes themselves (crawls and `newscrawl extract` decode alike).
    Raises ExtractionError only for input that is not HTML at all.
    """
    from newscrawl.portals import get_portal, portal_for_url

    spec = get_portal(portal) if portal else portal_for_url(url)
    doc = Document(html, url, content_type=content_type)
    if spec is None:
        from newscrawl.extract.parser import ArticleParser

        return ArticleParser(doc, fetched_at=fetched_at).parse()
    parser_cls = spec.parser_for(fetched_at)
    return parser_cls(doc, fetched_at=fetched_at, portal=spec.name,
                      timezone=spec.timezone).parse()
