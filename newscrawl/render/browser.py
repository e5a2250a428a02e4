"""Browser rendering of article pages, as a per-portal option (scrapy-playwright + Chromium).

Only candidate article requests (those carrying `meta["discovery"]`) of a portal with
`render=True` are rendered; listing pages, sitemaps and feeds stay plain HTTP. The pieces:

- `RenderAddon` (run by `newscrawl.Addon`) installs `RenderMiddleware` always, and the
  scrapy-playwright download handlers only when `NEWSCRAWL_RENDER_ENABLED` is on, so plain
  crawls start no browser.
- `RenderMiddleware` marks the requests to render, caps and reuses browser pages (`PagePool`),
  counts rendered pages and render time, and turns a failed render (browser missing, crashed
  page, navigation timeout) into a plain re-request: an article is never lost.
- `wait_for_block` waits for the portal's `render_wait` block, not for network idle.
- `RouteBlocker` aborts, at the route level, images/media/fonts/stylesheets and every request to
  a host outside the page's own host and its portal's domains (ads, analytics, trackers).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newscrawl.portals import PORTALS, Portal, get_portal, portal_for_url

logger = logging.getLogger(__name__)

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
MIDDLEWARE_ORDER = 950  # after the stock middlewares: its process_exception sees errors first
STATS = "newscrawl/render"
#: Request meta key this module owns: "render" (rendering), "fallback" (plain re-request).
META = "newscrawl_render"
CONTEXT = "newscrawl-render"
SLOT = "newscrawl_render_slot"


def _playwright_installed() -> bool:
    return importlib.util.find_spec("scrapy_playwright") is not None


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _as_portal(value: Any) -> Portal | None:
    if isinstance(value, Portal):
        return value
    if isinstance(value, str) and value:
        try:
            return get_portal(value)
        except KeyError:
            return None
    return None


def may_render(spider: Spider | None, extra_hosts: list[str]) -> bool:
    """Whether a crawl of `spider` can render a page: its portal renders; or, for a spider without
    a portal (the generic one), a rendering portal owns one of the hosts it may visit (its
    `allowed_domains` and `extra_hosts`, subdomains included), or it names no hosts at all."""
    portal = _as_portal(getattr(spider, "portal", None))
    if portal is not None:
        return portal.render
    hosts = [h.lower() for h in [*(getattr(spider, "allowed_domains", None) or []),
                                 *extra_hosts] if h]
    if not hosts:
        return True
    return any(spec.owns(host) or any(d.endswith("." + host) for d in spec.domains)
               for spec in PORTALS.values() if spec.render for host in hosts)


def portal_of(request: Request, spider: Spider | None) -> Portal | None:
    """The portal a request belongs to: `meta["portal"]`, the spider's portal, else its host."""
    return (_as_portal(request.meta.get("portal"))
            or _as_portal(getattr(spider, "portal", None))
            or portal_for_url(request.url))


def error_type(exc: BaseException) -> str:
    """A short name for a render failure, used in the stats key and the log."""
    name = type(exc).__name__
    message = str(exc)
    lowered = message.lower()
    if "BrowserType.launch" in message or "executable doesn't exist" in lowered:
        return "browser_missing" if "doesn't exist" in lowered or "enoent" in lowered else "launch"
    if name == "TimeoutError" or ("Timeout" in message and "exceeded" in message):
        return "timeout"
    if name == "TargetClosedError" or "crash" in lowered or "closed" in lowered:
        return "crash"
    if "net::ERR_" in message:
        return "network"
    return "other"


class RouteBlocker:
    """`PLAYWRIGHT_ABORT_REQUEST`: abort heavy resources and third-party hosts inside a render.

    A page's own host and its portal's domains (plus `extra["render_hosts"]`) are first-party;
    navigations of the main frame are never aborted.
    """

    def __init__(self, crawler: Crawler | None = None,
                 resource_types: list[str] | tuple[str, ...] = ()) -> None:
        self.crawler = crawler
        self.resource_types = frozenset(resource_types)

    def allowed_domains(self, page_url: str) -> set[str]:
        """Hosts (and their subdomains) a page may load from."""
        allowed = {_host(page_url)}
        spider = getattr(self.crawler, "spider", None)
        for portal in (_as_portal(getattr(spider, "portal", None)), portal_for_url(page_url)):
            if portal is not None:
                allowed.update(d.lower() for d in portal.domains)
                allowed.update(h.lower() for h in portal.extra.get("render_hosts", ()))
        allowed.discard("")
        return allowed

    def should_abort(self, url: str, resource_type: str, page_url: str,
                     main_navigation: bool) -> bool:
        """True for a blocked resource type or a host outside the page's allowed domains."""
        if main_navigation:
            return False
        if resource_type in self.resource_types:
            return True
        host = _host(url)
        if not host:  # data:, blob:
            return False
        return not any(host == d or host.endswith("." + d) for d in self.allowed_domains(page_url))

    def __call__(self, pw_request: Any) -> bool:
        """Decide for one Playwright request (called by scrapy-playwright's route handler)."""
        try:
            frame = pw_request.frame
            main = frame.parent_frame is None
            page_url = frame.page.main_frame.url
        except Exception:  # service-worker requests have no frame
            return True
        navigation = main and pw_request.is_navigation_request()
        if not page_url.startswith("http"):
            page_url = pw_request.url
        blocked = self.should_abort(pw_request.url, pw_request.resource_type, page_url, navigation)
        if blocked and self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"{STATS}/blocked")
        return blocked


async def wait_for_block(page: Any, selector: str, timeout_ms: float,
                         settle_ms: float = 500.0) -> str:
    """Page method: wait for the portal's block. "found"; "absent" when the page went quiet
    (network idle, then `settle_ms`) without it; "timeout" when still busy at `timeout_ms`.

    Never raises for a missing block: the page as rendered is kept rather than thrown away.
    """
    from playwright.async_api import Error as PlaywrightError

    block = asyncio.ensure_future(
        page.wait_for_selector(selector, state="attached", timeout=timeout_ms))
    idle = asyncio.ensure_future(page.wait_for_load_state("networkidle", timeout=timeout_ms))
    try:
        await asyncio.wait({block, idle}, return_when=asyncio.FIRST_COMPLETED)
        if block.done() and block.exception() is None:
            return "found"
        if not idle.done() or idle.exception() is not None:
            return "timeout"
        try:  # quiet now; give timers and lazy inserts a moment
            await asyncio.wait_for(asyncio.shield(block), settle_ms / 1000)
            return "found"
        except (TimeoutError, PlaywrightError):
            return "absent"
    finally:
        for task in (block, idle):
            task.cancel()
        await asyncio.gather(block, idle, return_exceptions=True)


def _set(settings: BaseSettings, name: str, value: Any) -> None:
    """Set with at least add-on priority, overriding a value of the same (project) priority."""
    priority = max(settings.getpriority(name) or 0, 15)
    settings.set(name, value, priority=priority)


class RenderAddon:
    """Scrapy add-on wiring rendering: the middleware always; the browser only when enabled."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderAddon:
        """Built by Scrapy's add-on manager, before the settings freeze."""
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        """Add the middleware; install the Playwright handlers when rendering can happen."""
        settings.setdefault_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", RenderMiddleware, MIDDLEWARE_ORDER)
        if not settings.getbool("NEWSCRAWL_RENDER_ENABLED") or not _playwright_installed():
            return
        spider = getattr(self.crawler, "spider", None)
        if not may_render(spider, settings.getlist("NEWSCRAWL_ALLOWED_HOSTS")):
            return  # a plain portal's crawl never needs a browser
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        handlers.update({"http": HANDLER, "https": HANDLER})
        _set(settings, "DOWNLOAD_HANDLERS", handlers)
        options = dict(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"))
        options["executable_path"] = settings.get("NEWSCRAWL_CHROMIUM_PATH")
        _set(settings, "PLAYWRIGHT_LAUNCH_OPTIONS", options)
        if not settings.get("PLAYWRIGHT_ABORT_REQUEST"):
            blocker = RouteBlocker(self.crawler,
                                   settings.getlist("NEWSCRAWL_RENDER_BLOCK_RESOURCES"))
            _set(settings, "PLAYWRIGHT_ABORT_REQUEST", blocker)


class PagePool:
    """Browser pages kept open between renders, each reused for up to `reuse` articles (a new tab
    costs several times a navigation); at most `size` renders run at once."""

    def __init__(self, size: int, reuse: int) -> None:
        self.size = max(1, size)
        self.reuse = reuse
        self.slots = asyncio.Semaphore(self.size)
        self.idle: list[Any] = []
        self.uses: dict[Any, int] = {}

    async def acquire(self, meta: dict) -> None:
        """Wait for a render slot; hand the request an idle page when there is one."""
        await self.slots.acquire()
        meta[SLOT] = True
        meta["playwright_include_page"] = True
        while self.idle:
            page = self.idle.pop()
            if not page.is_closed():
                meta["playwright_page"] = page
                break

    async def release(self, meta: dict, *, keep: bool) -> None:
        """Give the slot back; keep the request's page for the next render, or close it."""
        if not meta.pop(SLOT, False):
            return
        page = meta.pop("playwright_page", None)
        try:
            if page is None:
                return
            uses = self.uses.pop(page, 0) + 1
            if keep and uses < self.reuse and not page.is_closed():
                self.uses[page] = uses
                self.idle.append(page)
            else:
                with contextlib.suppress(Exception):
                    await page.close()
        finally:
            self.slots.release()


class RenderMiddleware:
    """Downloader middleware: render candidate articles of rendering portals; fall back on error."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.enabled = settings.getbool("NEWSCRAWL_RENDER_ENABLED")
        # Rendering asked for by the project, spider or command line (not the add-on default):
        # only then is a missing browser package worth a warning rather than a debug line.
        priority = settings.getpriority("NEWSCRAWL_RENDER_ENABLED") or 0
        self.asked = self.enabled and priority > SETTINGS_PRIORITIES["addon"]
        handler = settings.getdict("DOWNLOAD_HANDLERS").get("https")
        self.available = handler == HANDLER
        self.wait_timeout_ms = settings.getfloat("NEWSCRAWL_RENDER_WAIT_TIMEOUT") * 1000
        self.nav_timeout_ms = settings.getfloat("NEWSCRAWL_RENDER_TIMEOUT") * 1000
        self.settle_ms = settings.getfloat("NEWSCRAWL_RENDER_SETTLE") * 1000
        self.scroll = settings.getbool("NEWSCRAWL_RENDER_SCROLL")
        self.pages = PagePool(settings.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT"),
                              settings.getint("NEWSCRAWL_RENDER_PAGE_REUSE"))
        self.broken: str | None = None  # why the browser cannot be used in this crawl
        self._told: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderMiddleware:
        """Scrapy's constructor hook."""
        return cls(crawler)

    # -- decisions ---------------------------------------------------------------------------
    def wants_render(self, request: Request, spider: Spider | None) -> Portal | None:
        """The portal asking to render this request, or None for a plain download."""
        meta = request.meta
        if "discovery" not in meta or meta.get(META) or meta.get("playwright") is not None:
            return None
        if meta.get("render") is False:
            return None
        portal = portal_of(request, spider)
        if portal is None or not (portal.render or meta.get("render") is True):
            return None
        pattern = portal.extra.get("render_url")
        if pattern and not re.search(pattern, urlsplit(request.url).path):
            return None
        return portal

    def _unavailable_reason(self) -> str | None:
        if not self.enabled:
            return "rendering is off (NEWSCRAWL_RENDER_ENABLED)"
        if not _playwright_installed():
            return "scrapy-playwright is not installed (pip install 'newscrawl[render]')"
        if not self.available:
            return "the scrapy-playwright download handlers are not installed"
        return self.broken

    def _notice_level(self) -> int:
        """Rendering switched off: INFO. On by the user's own setting but unusable: WARNING. On
        only by the add-on's default (a missing optional package): DEBUG, not worth a notice."""
        if not self.enabled:
            return logging.INFO
        return logging.WARNING if self.asked else logging.DEBUG

    def _once(self, key: str, message: str, *args: Any, level: int = logging.WARNING) -> None:
        if key not in self._told:
            self._told.add(key)
            logger.log(level, message, *args)

    # -- Scrapy hooks ------------------------------------------------------------------------
    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Turn a candidate article of a rendering portal into a scrapy-playwright request."""
        portal = self.wants_render(request, spider or self.crawler.spider)
        if portal is None:
            return None
        reason = self._unavailable_reason()
        if reason:
            self._once(f"off:{portal.name}", "Portal %s renders article pages, but %s: they come "
                       "from server HTML (script-inserted blocks are missed)", portal.name, reason,
                       level=self._notice_level())
            self.stats.inc_value(f"{STATS}/fallback")
            request.meta[META] = "fallback"
            return None
        methods = []
        from scrapy_playwright.page import PageMethod

        if self.scroll:
            methods.append(PageMethod("evaluate", "window.scrollTo(0, document.body.scrollHeight)"))
        if portal.render_wait:
            methods.append(PageMethod(wait_for_block, portal.render_wait, self.wait_timeout_ms,
                                      self.settle_ms))
        request.meta.update({
            META: "render",
            "playwright": True,
            "playwright_context": CONTEXT,
            "playwright_context_kwargs": {"service_workers": "block"},
            "playwright_page_goto_kwargs": {
                "wait_until": "domcontentloaded" if portal.render_wait else "load",
                "timeout": self.nav_timeout_ms},
            "playwright_page_methods": methods,
        })
        await self.pages.acquire(request.meta)
        return None

    async def process_response(self, request: Request, response: Response,
                               spider: Spider | None = None) -> Response:
        """Count a rendered page and its render time (`download_latency`, browser seconds); a
        block that never appeared is counted (`no_block`, or `errors/timeout` when the page was
        still busy), and the page as rendered is kept."""
        await self.pages.release(request.meta, keep=True)
        if request.meta.get(META) != "render" or "playwright" not in response.flags:
            return response
        self.stats.inc_value(f"{STATS}/pages")
        seconds = float(request.meta.get("download_latency") or 0.0)
        self.stats.inc_value(f"{STATS}/seconds", round(seconds, 3), start=0.0)
        for method in request.meta.get("playwright_page_methods") or ():
            if getattr(method, "method", None) is not wait_for_block:
                continue
            if method.result == "timeout":
                self.stats.inc_value(f"{STATS}/errors/timeout")
                logger.warning("Render timeout for %s: %s did not appear within %.1fs; using "
                               "the page as rendered", request.url, method.args[0],
                               self.wait_timeout_ms / 1000)
            elif method.result == "absent":
                self.stats.inc_value(f"{STATS}/no_block")
                logger.info("No %s on %s once the page settled", method.args[0], request.url)
        return response

    async def process_exception(self, request: Request, exception: BaseException,
                                spider: Spider | None = None) -> Request | None:
        """A failed render: log it with the URL, count it, re-request the page without a browser."""
        await self.pages.release(request.meta, keep=False)
        if request.meta.get(META) != "render":
            return None
        kind = error_type(exception)
        self.stats.inc_value(f"{STATS}/errors/{kind}")
        first_line = str(exception).strip().splitlines()[0] if str(exception).strip() else ""
        logger.warning("Render failed (%s) for %s: %s; using the server HTML", kind,
                       request.url, first_line[:300] or type(exception).__name__)
        if kind in ("browser_missing", "launch") and not self.broken:
            self.broken = f"the browser cannot start ({kind})"
            logger.warning("Rendering off for the rest of this crawl: %s. Install Chromium "
                           "(`apt-get install chromium`), point NEWSCRAWL_CHROMIUM_PATH at it, or "
                           "set NEWSCRAWL_RENDER_ENABLED=0", first_line[:300])
        return self.fallback_request(request)

    def fallback_request(self, request: Request) -> Request:
        """The same request without rendering (and past the duplicate filter)."""
        meta = {k: v for k, v in request.meta.items() if not k.startswith("playwright")}
        meta[META] = "fallback"
        meta.pop("download_latency", None)
        self.stats.inc_value(f"{STATS}/fallback")
        return request.replace(meta=meta, dont_filter=True)
