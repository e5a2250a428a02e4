"""What is new or changed: state keys, content fingerprints and the fetch decision.

Pure functions used by the incremental Scrapy components (newscrawl.incremental); no engine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from itemadapter import ItemAdapter

from newscrawl.state import StateRecord, later, parse_date

#: Discovery sources that carry a date the page's freshness can be judged by.
DATED_SOURCES = frozenset({"sitemap", "news-sitemap", "rss", "atom"})

_canonical: Callable[[str], str] | None = None


def state_key(url: str) -> str:
    """The state key of a URL: the project's canonical URL (w3lib's until newscrawl.urls exists)."""
    global _canonical
    if _canonical is None:
        try:
            from newscrawl.urls import canonical_url as func
        except ImportError:  # pragma: no cover - depends on the checkout
            from w3lib.url import canonicalize_url as func
        _canonical = func
    return _canonical(url)


def truthy(value: Any) -> bool:
    """A spider argument or setting as a boolean (`1`, `true`, `yes`, `on` are true)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def content_fingerprint(item: Any) -> str:
    """The item's `fingerprint` field, or a SHA-1 of headline, lead and body when it is empty."""
    adapter = ItemAdapter(item)
    given = adapter.get("fingerprint")
    if given:
        return str(given)
    content = [adapter.get("headline"), adapter.get("lead"), list(adapter.get("body") or [])]
    return hashlib.sha1(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def decide(record: StateRecord | None, discovery: dict | None, now: datetime,
           recheck_after: timedelta | None) -> str:
    """Why a discovered article URL is fetched (`new`, `pending`, `moved`, `recheck`, `start`),
    or `skip` when it was emitted and nothing says it changed."""
    if record is None:
        return "new"
    if not record.committed and record.last_fetched is None:
        return "pending"  # never written to a feed (e.g. a run killed before its commit)
    # Emitted before, or fetched and found gone (404/410).
    discovery = discovery or {}
    source = discovery.get("source")
    if source == "start":
        return "start"
    seen = later(discovery.get("lastmod"), discovery.get("published"))
    if source in DATED_SOURCES and seen is not None:
        stored = parse_date(record.lastmod)
        if stored is None or parse_date(seen) > stored:  # type: ignore[operator]
            return "moved"
        return "skip"
    # Listing pages (and undated feed entries) say nothing about freshness: re-check after a while.
    if recheck_after is not None:
        fetched = parse_date(record.last_fetched)
        if fetched is None or now - fetched >= recheck_after:
            return "recheck"
    return "skip"
