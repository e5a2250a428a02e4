"""Request fingerprints keyed on `newscrawl.urls.canonical_url`: Scrapy's duplicate filter (and
HTTP cache) then treat the tracking, `www.`/`m.`, AMP and `http` variants of a page as one.

Install with `REQUEST_FINGERPRINTER_CLASS = "newscrawl.crawl.fingerprint.CanonicalFingerprinter"`.
Like Scrapy's default `RequestFingerprinter`, the fingerprint covers the method, the URL and the
body (headers are left out); `meta["verbatim_url"]` keeps the URL exactly as given.

A redirect hop is keyed on the page its chain started from as well: it is never taken for a
separate discovery of its target. So a redirect to another variant of the same page (`http://`
→ `https://`, `portal.pl` → `www.portal.pl`, an AMP page → its desktop page) is still followed
(and, with the HTTP cache on, cached apart from the redirect itself), a redirect to a page also
discovered directly is fetched as before, and a redirect loop ends on its first repeated hop,
which the spider counts as `newscrawl/errors/redirect_loop`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Request

from newscrawl.urls import canonical_url

__all__ = ["CanonicalFingerprinter"]


class CanonicalFingerprinter:
    """Scrapy request fingerprinter (`REQUEST_FINGERPRINTER_CLASS`) on canonical URLs."""

    def __init__(self, crawler: Any = None) -> None:
        self._cache: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Any) -> CanonicalFingerprinter:
        """Built by Scrapy once per crawler."""
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        """SHA-1 over method, canonical URL and body (20 bytes, as Scrapy's own)."""
        cached = self._cache.get(request)
        if cached is not None:
            return cached
        data: dict[str, Any] = {"method": request.method, "body": (request.body or b"").hex()}
        if request.meta.get("verbatim_url"):
            data["url"] = request.url
        else:
            data["url"] = canonical_url(request.url)
            hops = request.meta.get("redirect_urls")
            if hops:
                data["redirected_from"] = canonical_url(hops[0])
        digest = hashlib.sha1(json.dumps(data, sort_keys=True).encode(),  # noqa: S324
                              usedforsecurity=False).digest()
        self._cache[request] = digest
        return digest
