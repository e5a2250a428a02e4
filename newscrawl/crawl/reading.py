"""One fetched page read into what the spider decides on: the article and the page's verdict.

`read_page` is pure (bytes and a few plain values in, plain picklable data out), so the spider
calls it in its own process or hands it to the extraction worker pool (`newscrawl.crawl.workers`)
and gets the same answer either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newscrawl.discovery import Discovered, PageVerdict, page_verdict, parse_listing
from newscrawl.extract import ExtractionError
from newscrawl.items import Article
from newscrawl.portals import get_portal
from newscrawl.routing import extract_page

__all__ = ["PageReading", "read_page"]


@dataclass(frozen=True)
class PageReading:
    """What the spider needs of one page: the extracted `article` (None when the bytes are not
    HTML, `error` then says why), the `verdict` on what it would emit and, when asked for and
    the page is no article, its `links` read as a listing page."""

    article: Article | None
    verdict: PageVerdict | None = None
    error: str | None = None
    links: Discovered | None = None

    @property
    def missing(self) -> str | None:
        """The essential field the article lacks (`body`, then `headline`), or None."""
        if self.article is None:
            return None
        return "body" if not self.article.body else "headline" if not self.article.headline \
            else None


def read_page(body: bytes, url: str, content_type: bytes | str | None, fetched_at: datetime,
              portal: str | None, listing: bool = False) -> PageReading:
    """Extract the article and judge the page, from one decoding (the verdict and, with
    `listing`, the links of a page that is no article and no soft 404 read its text)."""
    try:
        article, doc = extract_page(body, url, fetched_at=fetched_at, portal=portal,
                                    content_type=content_type)
    except ExtractionError as exc:
        return PageReading(None, error=str(exc))
    verdict = page_verdict(doc.text, url, headline=article.headline, body=article.body or [],
                           published=article.published)
    reading = PageReading(article, verdict)
    if listing and (reading.missing or not verdict.is_article) and verdict.kind != "soft404":
        spec = get_portal(portal) if portal else None
        links = parse_listing(doc.text, url, article_url=spec.article_url if spec else None)
        reading = PageReading(article, verdict, links=links)
    return reading
