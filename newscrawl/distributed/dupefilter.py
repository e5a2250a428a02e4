"""The shared duplicate filter of a distributed crawl, keyed on the crawler's request
fingerprinter (newscrawl.crawl.fingerprint): scrapy-redis's own filter ignores
`REQUEST_FINGERPRINTER_CLASS`, so variants of one article would be fetched once per variant."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy_redis.dupefilter import RFPDupeFilter


class CanonicalRedisDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared duplicate filter with newscrawl's notion of "the same page"."""

    fingerprinter: Any = None

    @classmethod
    def from_spider(cls, spider: Any) -> CanonicalRedisDupeFilter:
        """The filter of this spider's crawl, using the crawler's request fingerprinter."""
        dupefilter = super().from_spider(spider)
        dupefilter.fingerprinter = spider.crawler.request_fingerprinter
        return dupefilter

    def request_fingerprint(self, request: Request) -> str:
        """The crawler's fingerprint of the request, as hex (what scrapy-redis stores)."""
        if self.fingerprinter is None:
            return super().request_fingerprint(request)
        return self.fingerprinter.fingerprint(request).hex()
