"""The shared spider: discovery (robots.txt, sitemaps, news sitemaps, feeds, listing pages) and
article extraction, for one portal module or, generically, for any portal from its home URL.

Arguments (`-a name=value`): `url` (generic spider), `since` / `until` (`2h`, `3d`, ISO date),
`limit`, `sections` (comma-separated URL path prefixes), `base_url` (serve the portal from another
host, e.g. a mirror), `follow_listing` (`auto`: only when sitemaps and feeds give nothing; `on`;
`off`). Article requests carry `meta["discovery"]` (see `newscrawl.discovery.Entry.meta`).

The spider requests every discovery of an article; Scrapy's duplicate filter drops the repeats
(with `newscrawl.crawl.fingerprint.CanonicalFingerprinter`, every variant of one page is one
request), counted as `newscrawl/duplicates/discovered`. Components between the spider and the
scheduler (the incremental middleware) thus see every discovery, dates included.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import Response, TextResponse

from newscrawl.crawl.arguments import NAMES, SpiderArgumentError, parse_arguments
from newscrawl.crawl.errors import classify_failure
from newscrawl.crawl.keyset import KeySet
from newscrawl.crawl.reading import PageReading, read_page
from newscrawl.crawl.workers import ExtractionPool, WorkerDied, extraction_pool
from newscrawl.discovery import (
    Discovered,
    Entry,
    TimeWindow,
    feed_links,
    parse_feed,
    parse_listing,
    parse_sitemap,
    sitemaps_from_robots,
)
from newscrawl.portals import Portal
from newscrawl.urls import canonical_url

logger = logging.getLogger(__name__)

COMMON_SITEMAPS = ("/sitemap.xml", "/sitemap_index.xml", "/sitemap-news.xml")
COMMON_FEEDS = ("/rss.xml", "/feed", "/rss", "/atom.xml", "/feed.xml")
P_DISCOVERY, P_ARTICLE, P_LISTING = 20, 10, 0
#: A sitemap index's children come after the articles already found: the scheduler then holds
#: one child's article requests at a time, not a whole archive's (a 100,000-article portal
#: queued at once costs about 100 MB). Which discovery of an article wins is unchanged (the
#: first one scheduled; the duplicate filter drops the others).
P_CHILD_SITEMAP = 5
_UNSET: Any = object()


class NewsSpider(scrapy.Spider):
    """Crawl one portal: `portal_name` binds a portal module; without it, `-a url=` is needed."""

    name = "newscrawl-base"
    portal_name: ClassVar[str | None] = None
    #: Listing pages followed at most, per run (home, sections, pagination).
    max_listing_pages: ClassVar[int] = 500
    #: A listing chain stops after this many pages in a row that add no new article link.
    listing_barren_pages: ClassVar[int] = 2

    def __init__(self, *args: Any, url: str | None = None, since: str | None = None,
                 until: str | None = None, limit: str | int | None = None,
                 sections: str | None = None, base_url: str | None = None,
                 follow_listing: str = "auto", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One bound method per callback for the whole crawl: Scrapy caches its check of a
        # callback's source (WARN_ON_GENERATOR_RETURN_VALUE) by the callable, else parses it
        # again for every response.
        for name in ("parse_article", "parse_listing"):
            setattr(self, name, getattr(self, name))
        #: One line saying which argument is unusable; the crawl then closes at once with
        #: reason `invalid_argument` (no traceback; `newscrawl crawl` checks before starting).
        self.argument_error: str | None = None
        self._defaults()
        try:
            self._configure(url=url, since=since, until=until, limit=limit, sections=sections,
                            base_url=base_url, follow_listing=follow_listing)
        except SpiderArgumentError as exc:
            self.argument_error = str(exc)
            logger.error("%s: invalid argument: %s", self.name, exc)

    @classmethod
    def validate_arguments(cls, **kwargs: Any) -> None:
        """Raise `SpiderArgumentError` with a one-line message when `-a` arguments are unusable
        (what `newscrawl crawl` checks before it starts Scrapy)."""
        parse_arguments(cls.portal_name, **{name: kwargs.get(name) for name in NAMES})

    def _defaults(self) -> None:
        """Attributes every component may read, even when the arguments were unusable."""
        self.portal: Portal | None = None
        self.allowed_domains: list[str] = []
        self.base_url: str | None = None
        self.limit: int | None = None
        self.section_prefixes: tuple[str, ...] = ()
        self.follow_listing = "off"
        # Per article URL, for the whole crawl: kept as hashes (newscrawl.crawl.keyset).
        self._discovered = KeySet()
        self._documents: set[str] = set()
        self._yielded = KeySet()
        self._listing_pages = 0
        self._listing_cap_logged = False
        #: Sitemap and feed entries found so far (listing links not counted): when none are
        #: found, `follow_listing=auto` falls back to listing pages.
        self.entries_found = 0
        self._listing_started = False
        self.articles = 0
        #: The crawl's extraction worker pool, looked up at the first article page.
        self._pool: ExtractionPool | None = _UNSET

    def _configure(self, **kwargs: Any) -> None:
        args = parse_arguments(self.portal_name, **kwargs)
        self.portal = args.portal
        self.original_home = args.home
        self.base_url = args.base_url
        self.home = self.map_url(args.home)
        self.window = args.window
        self.limit = args.limit
        self.section_prefixes = args.section_prefixes
        self.follow_listing = args.follow_listing
        hosts = {urlsplit(self.home).hostname or ""}
        if self.portal:
            hosts.update(self.portal.domains)
        self.allowed_domains = sorted(h for h in hosts if h)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        """Build the spider; listen for `spider_idle` (the listing-page fallback) and for
        `request_dropped` (discoveries the duplicate filter drops)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Hosts the settings allow besides the portal's: Scrapy's offsite check and the host
        # guard (newscrawl.crawl.hosts) then agree on where requests may go.
        extra = crawler.settings.getlist("NEWSCRAWL_ALLOWED_HOSTS")
        if spider.allowed_domains and extra:
            spider.allowed_domains = sorted({*spider.allowed_domains,
                                             *(h.strip().lower() for h in extra if h.strip())})
        spider.max_listing_pages = crawler.settings.getint("NEWSCRAWL_MAX_LISTING_PAGES",
                                                           cls.max_listing_pages)
        spider.listing_barren_pages = crawler.settings.getint(
            "NEWSCRAWL_LISTING_BARREN_PAGES", cls.listing_barren_pages)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_request_dropped, signal=signals.request_dropped)
        return spider

    # -- URLs -----------------------------------------------------------------------------------
    def map_url(self, url: str, base: str | None = None) -> str:
        """Absolute URL; with `base_url`, the portal's own hosts are moved onto that host."""
        url = urljoin(base or getattr(self, "home", None) or self.original_home, url.strip())
        if not self.base_url:
            return url
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        own = host == (urlsplit(self.original_home).hostname or "").lower() or (
            self.portal is not None and self.portal.owns(host))
        if not own:
            return url
        target = urlsplit(self.base_url)
        path = target.path.rstrip("/") + parts.path
        return urlunsplit((target.scheme, target.netloc, path, parts.query, ""))

    def stat(self, key: str, count: int = 1) -> None:
        """Increment `newscrawl/<key>` in the crawl stats."""
        self.crawler.stats.inc_value(f"newscrawl/{key}", count)

    def is_article_url(self, url: str) -> bool | None:
        """The portal's article-URL verdict, or None for the generic spider (decided later)."""
        return self.portal.is_article_url(url) if self.portal else None

    # -- start ----------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        """robots.txt, declared sitemaps and feeds, the home page, and listing pages if asked."""
        if self.argument_error:
            raise CloseSpider("invalid_argument")
        requests = [self._document(urljoin(self.home, "/robots.txt"), self.parse_robots,
                                   probe=True)]
        if self.portal:
            requests += [self._document(self.map_url(p), self.parse_sitemap, probe=True)
                         for p in self.portal.sitemaps]
            requests += [self._document(self.map_url(p), self.parse_feed, probe=True)
                         for p in self.portal.feeds]
        requests.append(self._document(self.home, self.parse_home, probe=False))
        # `sections=` names listing pages: read them unless listings are off (a portal's
        # sitemap URLs often carry no section in their path, so the filter alone finds nothing).
        if self.follow_listing == "on" or (self.section_prefixes and self.follow_listing == "auto"):
            requests += list(self._listing_starts())
        for request in requests:
            if request is not None:
                yield request

    def _document(self, url: str, callback: Any, *, probe: bool,
                  priority: int = P_DISCOVERY) -> scrapy.Request | None:
        key = canonical_url(url)
        if key in self._documents:
            return None
        self._documents.add(key)
        return scrapy.Request(url, callback=callback, errback=self.on_error, priority=priority,
                              meta={"newscrawl_probe": probe})

    def _listing_starts(self) -> Iterator[scrapy.Request]:
        self._listing_started = True
        paths = self.section_prefixes or (self.portal.sections if self.portal else ())
        urls = ([] if self.section_prefixes else [self.home]) + [self.map_url(p) for p in paths]
        for url in urls:
            request = self._listing_request(url, home=url == self.home, probe=url != self.home)
            if request is not None:
                yield request

    def _listing_request(self, url: str, *, home: bool = False, probe: bool = False,
                         barren: int = 0) -> scrapy.Request | None:
        key = "listing:" + canonical_url(url)
        if key in self._documents:
            return None
        if self._listing_pages >= self.max_listing_pages:
            self.stat("listing/over_cap")
            if not self._listing_cap_logged:
                self._listing_cap_logged = True
                logger.warning("%s: listing-page cap reached (NEWSCRAWL_MAX_LISTING_PAGES=%d); "
                               "further listing pages are not followed, first one skipped: %s",
                               self.name, self.max_listing_pages, url)
            return None
        self._documents.add(key)
        self._listing_pages += 1
        # The home page was fetched once already for the feeds it advertises; read as a listing
        # it must be fetched again, past the duplicate filter. Other listing pages go through it.
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error,
                              priority=P_LISTING, dont_filter=home,
                              meta={"newscrawl_probe": probe},
                              cb_kwargs={"home": home, "barren": barren})

    def on_idle(self, spider: scrapy.Spider | None = None) -> None:
        """`follow_listing=auto`: when sitemaps and feeds found nothing, follow listing pages."""
        if self.follow_listing != "auto" or self._listing_started or self.entries_found:
            return
        if self.limit is not None and self.articles >= self.limit:
            return
        logger.info("%s: no articles from sitemaps or feeds; following listing pages", self.name)
        started = False
        for request in self._listing_starts():
            self.crawler.engine.crawl(request)
            started = True
        if started:
            raise DontCloseSpider("following listing pages")

    # -- discovery callbacks ----------------------------------------------------------------------
    def parse_robots(self, response: Response) -> Iterator[Any]:
        """Sitemaps named by `Sitemap:` lines; the common sitemap paths when there are none."""
        found = sitemaps_from_robots(response.body, response.url)
        self.stat("discovery/robots_sitemaps", len(found))
        if not found:
            yield from self._probe_sitemaps()
        for url in found:
            request = self._document(self.map_url(url, response.url), self.parse_sitemap,
                                     probe=False)
            if request is not None:
                yield request

    def _probe_sitemaps(self) -> Iterator[scrapy.Request]:
        for path in COMMON_SITEMAPS:
            request = self._document(urljoin(self.home, path), self.parse_sitemap, probe=True)
            if request is not None:
                yield request

    def parse_home(self, response: Response) -> Iterator[Any]:
        """Feeds the home page advertises (or the common feed paths)."""
        if not isinstance(response, TextResponse):
            return
        feeds = feed_links(response.text, response.url)
        if not feeds and self.portal and self.portal.feeds:
            return  # the portal module declares its feeds; no guessing needed
        paths = feeds or [urljoin(self.home, p) for p in COMMON_FEEDS]
        for url in paths:
            request = self._document(self.map_url(url, response.url), self.parse_feed,
                                     probe=not feeds)
            if request is not None:
                yield request

    def _report(self, kind: str, response: Response, problems: list[str]) -> None:
        for problem in problems:
            self.stat("discovery/problems")
            logger.warning("%s %s: %s", kind, response.url, problem)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Sitemap index → child sitemaps; urlset / news sitemap → article requests."""
        result = parse_sitemap(response.body)
        self._report("sitemap", response, result.problems)
        self.stat(f"discovery/sitemaps/{result.kind}")
        for url in result.follow:
            request = self._document(self.map_url(url, response.url), self.parse_sitemap,
                                     probe=False, priority=P_CHILD_SITEMAP)
            if request is not None:
                yield request
        source = "news-sitemap" if result.kind == "news-sitemap" else "sitemap"
        yield from self._articles(result.entries, source, response.url)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """RSS / Atom → article requests."""
        result = parse_feed(response.body)
        self._report("feed", response, result.problems)
        self.stat(f"discovery/feeds/{result.kind}")
        yield from self._articles(result.entries, result.kind, response.url)

    def parse_listing(self, response: Response, home: bool = False, barren: int = 0,
                      links: Discovered | None = None) -> Iterator[Any]:
        """A home / section / pagination page: article links and further listing pages.

        `barren` counts the pages before this one in its chain that added no new article link;
        a chain stops once `listing_barren_pages` such pages follow each other (a trap such as an
        endless `?page=N` archive costs a few fetches, not the whole listing-page cap). `links`:
        the page's links already read (a page fetched as an article that is none)."""
        self.stat("pages/listing")
        if links is not None:
            result = links
        elif isinstance(response, TextResponse):
            result = parse_listing(Selector(text=response.text), response.url,
                                   article_url=self.portal.article_url if self.portal else None,
                                   sections=home and not self.section_prefixes)
        else:
            return
        known = len(self._discovered)
        yield from self._articles(result.entries, "listing", response.url)
        barren = 0 if len(self._discovered) > known else barren + 1
        if barren >= self.listing_barren_pages and result.follow:
            self.stat("listing/chain_stopped")
            logger.info("%s: listing chain stopped at %s: %d pages in a row added no new "
                        "article link", self.name, response.url, barren)
            return
        for url in result.follow:
            request = self._listing_request(self.map_url(url, response.url), barren=barren)
            if request is not None:
                yield request

    # -- article requests ---------------------------------------------------------------------
    def _articles(self, entries: list[Entry], source: str, base: str) -> Iterator[Any]:
        if source != "listing":
            self.entries_found += len(entries)
        self.stat(f"discovery/{source}/entries", len(entries))
        for entry in entries:
            entry.url = self.map_url(entry.url, base)
            self._discovered.add(canonical_url(entry.url))
            request = self._article_request(entry, source)
            if request is not None:
                yield request

    def _in_window(self, entry: Entry) -> bool:
        if self.window.open:
            return True
        if entry.published:
            return self.window.contains(entry.published) is not False
        if entry.lastmod and self.window.since:
            # A page modified before `since` cannot have been published after it.
            return TimeWindow(since=self.window.since).contains(entry.lastmod) is not False
        return True

    def on_request_dropped(self, request: scrapy.Request, spider: Any = None) -> None:
        """A request the scheduler refused (its duplicate filter saw it): a redirect hop back
        onto its own chain is a loop (an error), an article request a repeated discovery."""
        chain = request.meta.get("redirect_urls") or []
        key = canonical_url(request.url)
        if any(canonical_url(url) == key for url in chain):
            self.stat("errors/redirect_loop")
            logger.error("redirect_loop: %s (redirected back from %s)", chain[0], chain[-1])
        elif "discovery" in request.meta:
            self.stat("duplicates/discovered")

    def _article_request(self, entry: Entry, source: str) -> scrapy.Request | None:
        """The request for one discovered article, or None when a rule skips it (counted).

        Repeats are not skipped here: Scrapy's duplicate filter drops them after the spider
        middlewares (the incremental one records every discovery's date) have seen them."""
        if urlsplit(entry.url).scheme not in ("http", "https"):
            return None
        if self.section_prefixes and source != "listing" and not urlsplit(
                entry.url).path.startswith(self.section_prefixes):
            self.stat("skipped/sections")
            return None
        if self.portal and source != "listing" and not self.portal.is_article_url(entry.url):
            self.stat("skipped/not_article_url")
            return None
        if not self._in_window(entry):
            self.stat("window/skipped_before_fetch")
            return None
        if self.limit is not None and self.articles >= self.limit:
            self.stat("skipped/limit")
            return None
        self.stat(f"requests/{source}")
        return scrapy.Request(entry.url, callback=self.parse_article, errback=self.on_error,
                              priority=P_ARTICLE, meta={"discovery": entry.meta(source)})

    # -- articles -----------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterable[Any] | AsyncIterator[Any]:
        """Extract the article, in this process or, with `NEWSCRAWL_EXTRACT_WORKERS`, in the
        worker pool (awaited); listing pages and pages without a body yield no item."""
        if self.limit is not None and self.articles >= self.limit:
            return ()
        if not isinstance(response, TextResponse):
            self.stat("pages/not_article/not_text")
            logger.info("not an article (not text: %s): %s",
                        response.headers.get(b"Content-Type", b"no Content-Type").decode(
                            "latin-1"), response.url)
            return ()
        # The generic spider learns a portal's shape as it goes: a page that is not an article
        # may still be a listing worth reading for links (read with the page).
        listing = self.portal is None and self.follow_listing != "off"
        page = (response.body, response.url, response.headers.get(b"Content-Type"),
                datetime.now(UTC), self.portal.name if self.portal else None, listing)
        if self._pool is _UNSET:
            self._pool = extraction_pool(getattr(self, "crawler", None))
        if self._pool is not None:
            return self._read_in_pool(self._pool, response, page)
        return self._emit_article(response, read_page(*page))

    async def _read_in_pool(self, pool: ExtractionPool, response: Response,
                            page: tuple) -> AsyncIterator[Any]:
        try:
            reading = await pool.read(*page)
        except WorkerDied:
            return  # logged and counted by the pool
        for output in self._emit_article(response, reading):
            yield output

    def _emit_article(self, response: Response, page: PageReading) -> Iterator[Any]:
        """The item of one read page, or nothing (each reason counted and logged)."""
        if self.limit is not None and self.articles >= self.limit:
            return
        if page.article is None:
            self.stat("pages/not_article/not_html")
            logger.info("not an article (%s): %s", page.error, response.url)
            return
        discovery = response.meta.get("discovery") or {}
        item, verdict, missing = page.article, page.verdict, page.missing
        if missing or not verdict.is_article:
            reason = verdict.reason if not verdict.is_article else f"no {missing}"
            kind = verdict.kind if not verdict.is_article else f"no_{missing}"
            self.stat(f"pages/not_article/{kind}")
            logger.info("not an article (%s): %s", reason, response.url)
            if page.links is not None:
                yield from self.parse_listing(response, links=page.links)
            return
        if not item.published and discovery.get("published"):
            item.published = discovery["published"]
            item.date_source = "sitemap"
        if item.published and self.window.contains(item.published) is False:
            self.stat("window/dropped_after_fetch")
            return
        key = canonical_url(response.url)
        if key in self._yielded:
            self.stat("duplicates/fetched")
            return
        self._yielded.add(key)
        self.articles += 1
        self.stat("pages/article")
        yield item
        if self.limit is not None and self.articles >= self.limit:
            raise CloseSpider("limit")

    def parse(self, response: Response, **kwargs: Any) -> Iterable[Any] | AsyncIterator[Any]:
        """Default callback (`scrapy parse --spider=NAME URL`, requests without a callback): the
        page is read as an article (in the worker pool too, when it is on)."""
        return self.parse_article(response)

    def closed(self, reason: str) -> None:
        """Say in one warning why `sections=` gave nothing, when it did."""
        stats = self.crawler.stats.get_stats()
        skipped = stats.get("newscrawl/skipped/sections", 0)
        requested = any(key.startswith("newscrawl/requests/") for key in stats)
        if self.section_prefixes and skipped and not requested:  # no article was even asked for
            logger.warning("%s: sections=%s: %d sitemap/feed entries skipped (their URL path is "
                           "not under these prefixes) and %s", self.name,
                           ",".join(p.strip("/") for p in self.section_prefixes), skipped,
                           "listing pages are off (follow_listing=off)"
                           if self.follow_listing == "off" else
                           "the section listing pages gave no article link")

    # -- errors ---------------------------------------------------------------------------------
    def on_error(self, failure: Any) -> None:
        """Log the precise reason, count it as `newscrawl/errors/<type>`, carry on."""
        request = failure.request
        kind, reason = classify_failure(failure)
        if request.meta.get("newscrawl_probe") or kind.startswith("skipped/"):
            self.stat(kind if kind.startswith("skipped/") else "discovery/missing")
            logger.info("%s: %s (%s)", kind, request.url, reason)
            if request.callback == self.parse_robots:
                for req in self._probe_sitemaps():
                    self.crawler.engine.crawl(req)
            return
        self.stat(f"errors/{kind}")
        logger.error("%s: %s (%s)", kind, request.url, reason)
