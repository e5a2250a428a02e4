"""The one place newscrawl reaches past Scrapy's public API, each access small and tested.

Scrapy offers no public way for the two things below; `tests/test_compat.py` checks that what
each relies on still exists in the installed Scrapy, so an upgrade that changes it fails there,
loudly, instead of silently slowing or mislabelling a crawl.

* `wake_engine` – a distributed worker that finds new requests in the shared Redis queue asks
  the engine to look at its scheduler now rather than at its next 5-second heartbeat
  (`ExecutionEngine._slot.nextcall`).
* `feed_slot_of` – a feed exporter learns the URI and format of the feed it writes (Scrapy
  passes neither to exporters); found through the public `crawler.get_extension(FeedExporter)`
  and the extension's `slots` list (public name, undocumented).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter

logger = logging.getLogger(__name__)

__all__ = ["feed_slot_of", "wake_engine"]

_warned: set[str] = set()


def _warn_once(what: str) -> None:
    if what not in _warned:
        _warned.add(what)
        logger.warning("newscrawl.compat: %s not found in this Scrapy version; see "
                       "tests/test_compat.py", what)


def wake_engine(crawler: Crawler) -> bool:
    """Ask the running engine to pull from its scheduler at once; False when it cannot be asked
    (no engine or spider open, or a Scrapy whose engine no longer has `_slot.nextcall`)."""
    try:
        engine = crawler.engine
    except (RuntimeError, AttributeError):  # the crawl has not started
        return False
    slot = getattr(engine, "_slot", None)
    if slot is None:
        return False  # no spider open (or the engine changed: the test catches that)
    schedule = getattr(getattr(slot, "nextcall", None), "schedule", None)
    if not callable(schedule):
        _warn_once("ExecutionEngine._slot.nextcall.schedule")
        return False
    schedule()
    return True


def feed_slot_of(crawler: Crawler | None, exporter: Any) -> Any:
    """The Scrapy `FeedSlot` whose exporter (or file) is `exporter`, else None (exporter used
    outside Scrapy's feed exports, or before the extension manager exists)."""
    if crawler is None:
        return None
    try:
        feeds = crawler.get_extension(FeedExporter)
    except (RuntimeError, AttributeError):  # extension manager not built (e.g. in unit tests)
        return None
    if feeds is None:
        return None
    slots = getattr(feeds, "slots", None)
    if slots is None:
        _warn_once("FeedExporter.slots")
        return None
    file = getattr(exporter, "file", None)
    for slot in slots:
        slot_file = getattr(slot, "file", None)
        if getattr(slot, "exporter", None) is exporter or (
                file is not None and (slot_file is file or getattr(slot_file, "file", None)
                                      is file)):
            return slot
    return None
