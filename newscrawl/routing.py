"""Routing by URL: which portal parser reads a page. Sits above `extract` and `portals`.

`newscrawl.extract` is the pure machinery (HTML + parser class → Article) and knows no portal;
`newscrawl.portals` declares per-portal parsers on top of it. This module joins the two, so
crawls, `newscrawl extract` and `newscrawl evaluate` read a page the same way.
"""

from __future__ import annotations

from datetime import datetime

from newscrawl.extract import parse_document
from newscrawl.items import Article
from newscrawl.portals import Portal, get_portal, portal_for_url

__all__ = ["extract_article", "portal_for"]


def portal_for(url: str, portal: str | None = None) -> Portal | None:
    """The portal named `portal` (KeyError if unknown), else the one owning the URL's host."""
    return get_portal(portal) if portal else portal_for_url(url)


def extract_article(html: bytes | str, url: str, *, fetched_at: datetime | None = None,
                    portal: str | None = None,
                    content_type: str | bytes | None = None) -> Article:
    """Extract one article from a page; `portal` names a portal module, else found by domain.

    `content_type` is the HTTP Content-Type header value: one charset signal among the BOM, the
    page's own declaration and the bytes themselves (crawls and `newscrawl extract` decode alike).
    Raises ExtractionError only for input that is not HTML at all.
    """
    spec = portal_for(url, portal)
    if spec is None:
        return parse_document(html, url, fetched_at=fetched_at, content_type=content_type)
    return parse_document(html, url, spec.parser_for(fetched_at), fetched_at=fetched_at,
                          content_type=content_type, portal=spec.name, timezone=spec.timezone)
