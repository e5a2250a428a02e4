"""Routing by URL: which portal parser reads a page. Sits above `extract` and `portals`.

`newscrawl.extract` is the pure machinery (HTML + parser class → Article) and knows no portal;
`newscrawl.portals` declares per-portal parsers on top of it. This module joins the two, so
crawls, `newscrawl extract` and `newscrawl evaluate` read a page the same way.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from newscrawl.extract import Document, read_document
from newscrawl.extract.parser import ArticleParser
from newscrawl.items import Article
from newscrawl.portals import Portal, get_portal, portal_for_url

__all__ = ["extract_article", "extract_page", "portal_for"]

#: Portal (or None) by URL netloc: a crawl reads thousands of pages of a few hosts, and the
#: registry's domain search is the same for each. Bounded: cleared when it holds this many.
_HOST_CACHE_SIZE = 4096
_by_netloc: dict[str, Portal | None] = {}


def portal_for(url: str, portal: str | None = None) -> Portal | None:
    """The portal named `portal` (KeyError if unknown), else the one owning the URL's host."""
    if portal:
        return get_portal(portal)
    netloc = urlsplit(url).netloc
    try:
        return _by_netloc[netloc]
    except KeyError:
        pass
    if len(_by_netloc) >= _HOST_CACHE_SIZE:
        _by_netloc.clear()
    found = _by_netloc[netloc] = portal_for_url(url)
    return found


def extract_article(html: bytes | str, url: str | None = None, *,
                    fetched_at: datetime | None = None, portal: str | None = None,
                    content_type: str | bytes | None = None) -> Article:
    """Extract one article from a page; `portal` names a portal module, else found by domain.

    `url` is where the page was published. Without it (or with a `file:` URL) the page's own
    canonical / `og:url` stands in: it picks the portal parser and relative links resolve to it.

    `content_type` is the HTTP Content-Type header value: one charset signal among the BOM, the
    page's own declaration and the bytes themselves (crawls and `newscrawl extract` decode alike).
    Raises ExtractionError only for input that is not HTML at all.
    """
    return extract_page(html, url, fetched_at=fetched_at, portal=portal,
                        content_type=content_type)[0]


def extract_page(html: bytes | str, url: str | None = None, *, fetched_at: datetime | None = None,
                 portal: str | None = None,
                 content_type: str | bytes | None = None) -> tuple[Article, Document]:
    """`extract_article`, also returning the parsed `Document` (its decoded `text`), so a crawl
    classifies the page from the same decoding and parse, not a second one."""
    if url is not None and not isinstance(url, str):
        raise TypeError(f"url must be a str or None, got {type(url).__name__}")
    if url and url.startswith(("http://", "https://")):
        spec = portal_for(url, portal)
        return _read(html, url, spec, fetched_at, content_type)
    doc = Document(html, url or "", content_type=content_type)
    own = doc.own_url()
    if own:
        doc.rebase(own)
    spec = portal_for(doc.url, portal)
    parser = spec.parser_for(fetched_at) if spec else ArticleParser
    article = parser(doc, fetched_at=fetched_at, portal=spec.name if spec else None,
                     timezone=spec.timezone if spec else None).parse()
    return article, doc


def _read(html: bytes | str, url: str, spec: Portal | None, fetched_at: datetime | None,
          content_type: str | bytes | None) -> tuple[Article, Document]:
    if spec is None:
        return read_document(html, url, fetched_at=fetched_at, content_type=content_type)
    return read_document(html, url, spec.parser_for(fetched_at), fetched_at=fetched_at,
                         content_type=content_type, portal=spec.name, timezone=spec.timezone)
