"""Discovery: where a portal's article URLs come from, as pure functions over bytes.

Every reader takes the raw bytes (or text) of one document and returns a `Discovered` result:
the entries it found, further documents to read (sitemap index children, pagination) and a list
of problems (human-readable reasons, never exceptions). The spider decides what to fetch.
"""

from newscrawl.discovery.entries import Discovered, Entry
from newscrawl.discovery.feeds import parse_feed
from newscrawl.discovery.listing import feed_links, parse_listing
from newscrawl.discovery.pages import PageVerdict, classify_page, page_verdict
from newscrawl.discovery.robots import sitemaps_from_robots
from newscrawl.discovery.sitemaps import parse_sitemap
from newscrawl.discovery.window import TimeWindow, parse_since

__all__ = [
    "Discovered", "Entry", "PageVerdict", "TimeWindow", "classify_page", "feed_links",
    "page_verdict", "parse_feed", "parse_listing", "parse_since", "parse_sitemap",
    "sitemaps_from_robots",
]
