"""One fetched page read into what the spider decides on: the article and the page's verdict.

`read_page` is pure (bytes and a few plain values in, plain picklable data out), so the spider
calls it in its own process or hands it to the extraction worker pool (`newscrawl.crawl.workers`)
and gets the same answer either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newscrawl.discovery import PageVerdict, page_verdict
from newscrawl.extract import ExtractionError
from newscrawl.items import Article
from newscrawl.routing import extract_page

__all__ = ["PageReading", "read_page"]


@dataclass(frozen=True)
class PageReading:
    """What the spider needs of one page: the extracted `article` (None when the bytes are not
    HTML, `error` then says why) and the `verdict` on what it would emit."""

    article: Article | None
    verdict: PageVerdict | None = None
    error: str | None = None

    @property
    def missing(self) -> str | None:
        """The essential field the article lacks (`body`, then `headline`), or None."""
        if self.article is None:
            return None
        return "body" if not self.article.body else "headline" if not self.article.headline \
            else None


def read_page(body: bytes, url: str, content_type: bytes | str | None, fetched_at: datetime,
              portal: str | None) -> PageReading:
    """Extract the article and judge the page, from one decoding and one parse (the verdict
    reads the Document's text)."""
    try:
        article, doc = extract_page(body, url, fetched_at=fetched_at, portal=portal,
                                    content_type=content_type)
    except ExtractionError as exc:
        return PageReading(None, error=str(exc))
    verdict = page_verdict(doc.text, url, headline=article.headline, body=article.body or [],
                           published=article.published)
    return PageReading(article, verdict)
