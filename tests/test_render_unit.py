"""Rendering decisions, settings wiring, route blocking and fallbacks, without a browser."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from types import SimpleNamespace

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newscrawl import defaults as project_settings
from newscrawl.portals import get_portal
from newscrawl.render import browser as render
from newscrawl.render.browser import (
    HANDLER,
    RenderAddon,
    RenderMiddleware,
    RouteBlocker,
    error_type,
)

pytest.importorskip("scrapy_playwright", reason="the render extra is part of the test extra")

WP = get_portal("wp")
ARTICLE = "https://wiadomosci.wp.pl/most-na-wisle-otwarty-po-trzech-latach-budowy-7300000000001a"
SELECTOR = WP.render_wait


def run(coro):
    """Run one middleware coroutine to completion."""
    return asyncio.run(coro)


def _settings(**overrides: object) -> dict:
    base = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    base = {k: v for k, v in base.items() if k.startswith(("NEWSCRAWL_RENDER", "PLAYWRIGHT",
                                                           "NEWSCRAWL_CHROMIUM", "ADDONS"))}
    base["ADDONS"] = {"newscrawl.render.browser.RenderAddon": 100}
    base.update(overrides)
    return base


def _middleware(portal=WP, **overrides: object) -> tuple[RenderMiddleware, object]:
    crawler = get_crawler(Spider, _settings(**overrides))
    crawler.spider = Spider(name="t")
    crawler.spider.portal = portal
    return RenderMiddleware.from_crawler(crawler), crawler.stats


def _article(url: str = ARTICLE, **meta: object) -> Request:
    return Request(url, meta={"discovery": {"source": "sitemap"}, **meta})


# -- settings wiring ------------------------------------------------------------------------
def test_addon_installs_handlers_and_browser_options_only_when_enabled():
    on = get_crawler(Spider, _settings(NEWSCRAWL_CHROMIUM_PATH="/opt/chromium/chrome")).settings
    assert on.getdict("DOWNLOAD_HANDLERS")["https"] == HANDLER
    assert on.getdict("DOWNLOAD_HANDLERS")["http"] == HANDLER
    options = on.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert options["executable_path"] == "/opt/chromium/chrome"
    assert options["headless"] is True
    for flag in ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run",
                 "--disable-sync"):
        assert flag in options["args"]
    assert isinstance(on.get("PLAYWRIGHT_ABORT_REQUEST"), RouteBlocker)
    assert RenderMiddleware in on.getdict("DOWNLOADER_MIDDLEWARES")

    off = get_crawler(Spider, _settings(NEWSCRAWL_RENDER_ENABLED=False)).settings
    assert HANDLER not in off.getdict("DOWNLOAD_HANDLERS").values()
    assert not off.get("PLAYWRIGHT_ABORT_REQUEST")
    # The middleware stays, so a rendering portal can say once that it falls back.
    assert RenderMiddleware in off.getdict("DOWNLOADER_MIDDLEWARES")


def test_addon_starts_no_browser_for_a_plain_portal_spider():
    spider = SimpleNamespace(portal=dataclasses.replace(WP, render=False))
    settings = Settings(_settings())
    RenderAddon(SimpleNamespace(spider=spider)).update_settings(settings)
    assert HANDLER not in settings.getdict("DOWNLOAD_HANDLERS").values()
    RenderAddon(SimpleNamespace(spider=SimpleNamespace(portal=WP))).update_settings(settings)
    assert settings.getdict("DOWNLOAD_HANDLERS")["https"] == HANDLER


def test_addon_starts_no_browser_for_a_generic_crawl_of_a_plain_host():
    def handlers(spider: object, **overrides: object) -> dict:
        settings = Settings(_settings(**overrides))
        RenderAddon(SimpleNamespace(spider=spider)).update_settings(settings)
        return settings.getdict("DOWNLOAD_HANDLERS")

    plain = SimpleNamespace(portal=None, allowed_domains=["127.0.0.1"])
    assert HANDLER not in handlers(plain).values()
    # A host of a rendering portal (or a parent domain of one) may render: the handlers go in.
    assert WP.render
    for hosts in (["wiadomosci.wp.pl"], ["wp.pl"]):
        spider = SimpleNamespace(portal=None, allowed_domains=hosts)
        assert handlers(spider)["https"] == HANDLER
    assert handlers(plain, NEWSCRAWL_ALLOWED_HOSTS=["www.wp.pl"])["https"] == HANDLER
    # A spider naming no hosts may go anywhere.
    assert handlers(SimpleNamespace(portal=None, allowed_domains=[]))["https"] == HANDLER


# -- which requests render --------------------------------------------------------------------
def test_only_candidate_articles_of_a_rendering_portal_render():
    mw, _ = _middleware()
    request = _article()
    run(mw.process_request(request))
    assert request.meta["playwright"] is True
    methods = request.meta["playwright_page_methods"]
    assert methods[-1].method is render.wait_for_block and methods[-1].args[0] == SELECTOR
    assert request.meta["playwright_page_goto_kwargs"]["wait_until"] == "domcontentloaded"

    for plain in (Request("https://wiadomosci.wp.pl/sitemap.xml"),      # no discovery meta
                  Request("https://wiadomosci.wp.pl/polska"),
                  _article(render=False)):                              # per-request opt-out
        run(mw.process_request(plain))
        assert "playwright" not in plain.meta

    mw_plain, _ = _middleware(portal=dataclasses.replace(WP, render=False))
    request = _article()
    run(mw_plain.process_request(request))
    assert "playwright" not in request.meta


def test_render_url_pattern_limits_rendering_to_matching_pages():
    portal = dataclasses.replace(WP, extra={"render_url": r"/wideo/"})
    mw, _ = _middleware(portal=portal)
    video, text = _article("https://wp.pl/wideo/klip-7300000000009a"), _article()
    run(mw.process_request(video))
    run(mw.process_request(text))
    assert video.meta.get("playwright") is True
    assert "playwright" not in text.meta


def test_rendering_off_falls_back_and_says_so_once(caplog):
    mw, stats = _middleware(NEWSCRAWL_RENDER_ENABLED=False)
    with caplog.at_level(logging.INFO, logger="newscrawl.render.browser"):
        for n in range(3):
            request = _article(f"{ARTICLE}?n={n}")
            run(mw.process_request(request))
            assert "playwright" not in request.meta
    said = [r for r in caplog.records if "rendering is off" in r.getMessage()]
    assert len(said) == 1 and "wp" in said[0].getMessage()
    assert stats.get_value("newscrawl/render/fallback") == 3


# -- failures ---------------------------------------------------------------------------------
def _exc(name: str, message: str) -> Exception:
    return type(name, (Exception,), {})(message)


@pytest.mark.parametrize(("exc", "kind"), [
    (_exc("TimeoutError", "Page.goto: Timeout 20000ms exceeded."), "timeout"),
    (_exc("Error", "BrowserType.launch: Failed to launch chromium because executable "
                   "doesn't exist at /nowhere/chromium"), "browser_missing"),
    (_exc("Error", "BrowserType.launch: Browser closed.\n==== logs ===="), "launch"),
    (_exc("TimeoutError", "BrowserType.launch: Timeout 180000ms exceeded."), "launch"),
    (_exc("TargetClosedError", "Target page, context or browser has been closed"), "crash"),
    (_exc("Error", "Page.goto: Navigation failed because page crashed!"), "crash"),
    (_exc("Error", "Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/"), "network"),
    (ValueError("something else"), "other"),
])
def test_error_types(exc, kind):
    assert error_type(exc) == kind


def test_crashed_render_is_counted_and_fetched_again_without_browser(caplog):
    mw, stats = _middleware()
    request = _article()
    run(mw.process_request(request))
    with caplog.at_level(logging.WARNING, logger="newscrawl.render.browser"):
        retry = run(mw.process_exception(request, _exc("TargetClosedError", "Target crashed")))
    assert isinstance(retry, Request) and retry.url == ARTICLE and retry.dont_filter
    assert not any(k.startswith("playwright") for k in retry.meta)
    assert retry.meta["discovery"] == {"source": "sitemap"}
    assert stats.get_value("newscrawl/render/errors/crash") == 1
    assert stats.get_value("newscrawl/render/fallback") == 1
    assert any(ARTICLE in r.getMessage() for r in caplog.records)
    run(mw.process_request(retry))  # the re-request stays plain
    assert "playwright" not in retry.meta
    # Errors of plain requests are not the middleware's business.
    assert run(mw.process_exception(Request("https://wp.pl/x"), ValueError("x"))) is None


def test_browser_that_cannot_start_turns_rendering_off_for_the_crawl():
    mw, stats = _middleware()
    first = _article()
    run(mw.process_request(first))
    run(mw.process_exception(first, _exc("Error", "BrowserType.launch: Failed to launch chromium "
                                              "because executable doesn't exist at /x")))
    later = _article(f"{ARTICLE}?later=1")
    run(mw.process_request(later))
    assert "playwright" not in later.meta
    assert stats.get_value("newscrawl/render/errors/browser_missing") == 1
    assert stats.get_value("newscrawl/render/fallback") == 2


def test_rendered_response_counts_pages_seconds_and_missing_blocks():
    mw, stats = _middleware()
    outcomes = {"found": None, "absent": "newscrawl/render/no_block",
                "timeout": "newscrawl/render/errors/timeout"}
    for n, (result, key) in enumerate(outcomes.items()):
        request = _article(f"{ARTICLE}?n={n}")
        run(mw.process_request(request))
        request.meta["playwright_page_methods"][-1].result = result
        request.meta["download_latency"] = 0.5
        response = HtmlResponse(request.url, body=b"<html></html>", request=request,
                                flags=["playwright"])
        assert run(mw.process_response(request, response)) is response
        if key:
            assert stats.get_value(key) == 1
    assert stats.get_value("newscrawl/render/pages") == 3
    assert stats.get_value("newscrawl/render/seconds") == pytest.approx(1.5)


# -- route blocking ---------------------------------------------------------------------------
def test_route_blocker_keeps_first_party_scripts_and_drops_the_rest():
    blocker = RouteBlocker(None, ["image", "media", "font", "stylesheet"])
    page = "https://wiadomosci.wp.pl/most-7300000000001a"
    assert not blocker.should_abort(page, "document", page, main_navigation=True)
    assert not blocker.should_abort("https://wiadomosci.wp.pl/app.js", "script", page, False)
    assert not blocker.should_abort("https://www.wp.pl/api/related", "fetch", page, False)
    assert not blocker.should_abort("data:text/javascript,1", "script", page, False)
    assert blocker.should_abort("https://wiadomosci.wp.pl/photo.jpg", "image", page, False)
    assert blocker.should_abort("https://wiadomosci.wp.pl/site.css", "stylesheet", page, False)
    assert blocker.should_abort("https://www.googletagmanager.com/gtm.js", "script", page, False)
    assert blocker.should_abort("https://ads.example.net/x.js", "script", page, False)
    # A page outside any portal module: only its own host is first-party.
    local = "http://127.0.0.1:8000/article"
    assert not blocker.should_abort("http://127.0.0.1:8000/static/a.js", "script", local, False)
    assert blocker.should_abort("http://localhost:8000/static/t.js", "script", local, False)


def test_route_blocker_reads_the_playwright_request():
    blocker = RouteBlocker(None, ["image"])
    page = SimpleNamespace(main_frame=SimpleNamespace(url="http://127.0.0.1:8000/a"))
    frame = SimpleNamespace(parent_frame=None, page=page)

    def pw(url: str, kind: str, nav: bool = False) -> SimpleNamespace:
        return SimpleNamespace(url=url, resource_type=kind, frame=frame,
                               is_navigation_request=lambda: nav)

    assert blocker(pw("http://localhost:8000/t.js", "script")) is True
    assert blocker(pw("http://127.0.0.1:8000/r.js", "script")) is False
    assert blocker(pw("http://127.0.0.1:8000/p.gif", "image")) is True
    assert blocker(pw("http://127.0.0.1:8000/a", "document", nav=True)) is False


# -- page reuse -------------------------------------------------------------------------------
class FakePage:
    def __init__(self) -> None:
        self.closed = False

    def is_closed(self) -> bool:
        return self.closed

    async def close(self) -> None:
        self.closed = True


def test_pages_are_reused_then_recycled_and_renders_are_capped():
    async def scenario() -> None:
        pool = render.PagePool(size=2, reuse=3)
        page = FakePage()
        seen = []
        for _ in range(4):
            meta: dict = {}
            await pool.acquire(meta)
            assert meta["playwright_include_page"] is True
            seen.append(meta.get("playwright_page"))
            meta["playwright_page"] = meta.get("playwright_page") or page
            await pool.release(meta, keep=True)
        # New page, then the same page twice more, then closed after its third article.
        assert seen == [None, page, page, None] and page.closed
        # A failed render closes its page instead of keeping it.
        failed: dict = {}
        await pool.acquire(failed)
        failed["playwright_page"] = broken = FakePage()
        await pool.release(failed, keep=False)
        assert broken.closed and not pool.idle
        # At most `size` renders at once: a third waits until one is released.
        a: dict = {}
        b: dict = {}
        c: dict = {}
        await pool.acquire(a)
        await pool.acquire(b)
        waiting = asyncio.ensure_future(pool.acquire(c))
        await asyncio.sleep(0)
        assert not waiting.done()
        await pool.release(a, keep=True)
        await asyncio.wait_for(waiting, 1)

    run(scenario())
