"""What is new or changed: state keys, content fingerprints and the fetch decision.

Pure functions used by the incremental Scrapy components (newscrawl.incremental.tracker); no engine.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from itemadapter import ItemAdapter

from newscrawl.extract.finish import fingerprint
from newscrawl.incremental.state import StateRecord, later, parse_date
from newscrawl.urls import canonical_url

#: Discovery sources that carry a date the page's freshness can be judged by.
DATED_SOURCES = frozenset({"sitemap", "news-sitemap", "rss", "atom"})


def state_key(url: str) -> str:
    """The state key of a URL: the project's canonical URL (newscrawl.urls)."""
    return canonical_url(url)


def truthy(value: Any) -> bool:
    """A spider argument or setting as a boolean (`1`, `true`, `yes`, `on` are true)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def content_fingerprint(item: Any) -> str:
    """The item's `fingerprint` field, or the text definition's hash of headline and body
    (`newscrawl.extract.finish.fingerprint`) when it is empty (an item not built by extraction)."""
    adapter = ItemAdapter(item)
    given = adapter.get("fingerprint")
    if given:
        return str(given)
    return fingerprint(adapter.get("headline"), list(adapter.get("body") or []))


def known_date(record: StateRecord) -> datetime | None:
    """The newest date known for an article: every discovery date seen for it (`lastmod`) and
    the `published`/`modified` dates read from its page, the latter capped at the time it was
    fetched (a page cannot vouch for changes made after it was read; wrong offsets happen)."""
    known = parse_date(record.lastmod)
    fetched = parse_date(record.last_fetched)
    for value in (record.published, record.modified):
        moment = parse_date(value)
        if moment is None:
            continue
        if fetched is not None and moment > fetched:
            moment = fetched
        if known is None or moment > known:
            known = moment
    return known


def decide(record: StateRecord | None, discovery: dict | None, now: datetime,
           recheck_after: timedelta | None) -> str:
    """Why a discovered article URL is fetched (`new`, `pending`, `moved`, `recheck`, `start`),
    or `skip` when it was emitted and nothing says it changed.

    A dated discovery moves an article only when its date is newer than everything already
    known about it (`known_date`): a sitemap `lastmod` equal to the page's own `dateModified`
    read in an earlier run is no news."""
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
        stored = known_date(record)
        if stored is None or parse_date(seen) > stored:  # type: ignore[operator]
            return "moved"
        return "skip"
    # Listing pages (and undated feed entries) say nothing about freshness: re-check after a while.
    if recheck_after is not None:
        fetched = parse_date(record.last_fetched)
        if fetched is None or now - fetched >= recheck_after:
            return "recheck"
    return "skip"
