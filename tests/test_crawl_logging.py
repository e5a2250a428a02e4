"""Quiet, informative crawls: INFO by default, one line per article and never its text, the run
report once, a live progress line only on a terminal, notices only for what was asked for."""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.crawl.logformatter import ArticleLogFormatter
from newscrawl.crawl.progress import Progress, TerminalLine
from newscrawl.devtools.portal_server import PortalServer
from newscrawl.items import Article

QUIET_FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s",
              "RETRY_BACKOFF_BASE=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s",
              "NEWSCRAWL_RENDER_ENABLED=0"]


#: Child processes run outside the checkout import the checkout's package.
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}


def _generate(site: Path, n: int) -> list[str]:
    """An `n`-article portal written by the crawl benchmark's generator."""
    spec = importlib.util.spec_from_file_location("crawl_speed", ROOT / "bench" / "crawl_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_portal(site, n, "{{ORIGIN}}")  # the server fills in its origin


def test_a_200_article_crawl_log_holds_no_article_text(tmp_path: Path) -> None:
    paths = _generate(tmp_path / "site", 200)
    out = tmp_path / "out"
    with PortalServer(tmp_path / "site") as server:
        proc = subprocess.run(
            [sys.executable, "-m", "newscrawl.cli", "crawl", "wp", "-a",
             f"base_url={server.url}", "--out", str(out), "--no-incremental", *QUIET_FAST],
            cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = [json.loads(line) for feed in out.glob("*.jsonl")
               for line in feed.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(paths) == 200
    log = proc.stderr
    assert " DEBUG: " not in log  # INFO by default
    article_lines = [line for line in log.splitlines() if "] INFO: Article: " in line]
    assert len(article_lines) == 200
    for record in records:
        assert f"Article: {record['url']} | {record['headline']}" in log
        for text in [record["lead"], *record["body"]]:
            assert text[:80] not in log, text
    # the run report once: on stdout, not in the log as well; no live line in a pipe
    assert proc.stdout.count("articles 200;") == 1 and "Run report" not in log
    assert "\r" not in log and "\x1b[K" not in log


def test_with_a_log_file_the_report_goes_there_and_on_stdout(portal, tmp_path: Path) -> None:
    log_file = tmp_path / "crawl.log"
    proc = subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", "crawl", "wp", "-a", f"base_url={portal.url}",
         "--out", str(tmp_path / "out"), "--no-incremental", "-s", f"LOG_FILE={log_file}",
         *QUIET_FAST], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = log_file.read_text(encoding="utf-8")
    assert log.count("Run report:") == 1 and proc.stdout.count("articles 36;") == 1
    assert "\r" not in log


def test_log_formatter_keeps_items_out_of_the_log() -> None:
    crawler = get_crawler(Spider)
    spider = Spider(name="t")
    spider.crawler = crawler
    article = Article(url="https://portal.example/a1", headline="Sejm  przyjął\nbudżet",
                      body=["SECRET BODY TEXT " * 20], lead="SECRET LEAD")
    response = HtmlResponse(article.url, body=b"<html></html>")
    formatter = ArticleLogFormatter()
    for entry in (formatter.scraped(article, response, spider),
                  formatter.dropped(article, DropItem("duplicate fingerprint"), response, spider),
                  formatter.item_error(article, ValueError("x"), response, spider)):
        message = entry["msg"] % entry["args"]
        assert "SECRET" not in message and "https://portal.example/a1" in message
    scraped = formatter.scraped(article, response, spider)
    assert scraped["level"] == logging.INFO
    assert scraped["msg"] % scraped["args"] == (
        "Article: https://portal.example/a1 | Sejm przyjął budżet")
    dropped = formatter.dropped(article, DropItem("duplicate fingerprint"), response, spider)
    assert dropped["msg"] % dropped["args"] == (
        "Dropped (duplicate fingerprint): https://portal.example/a1")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_line_only_on_a_terminal() -> None:
    piped = io.StringIO()
    TerminalLine(piped).show("12 articles")
    assert piped.getvalue() == ""
    tty = _Terminal()
    line = TerminalLine(tty, min_interval=0)
    line.show("12 articles")
    line.clear()
    assert tty.getvalue() == "\r\x1b[K12 articles\r\x1b[K"


def test_progress_live_line_shows_articles_queue_and_errors() -> None:
    crawler = get_crawler(Spider, {"NEWSCRAWL_PROGRESS_INTERVAL": 0})
    crawler.stats.set_value("item_scraped_count", 7)
    crawler.stats.set_value("response_received_count", 9)
    crawler.stats.set_value("newscrawl/errors/http_404", 2)
    tty = _Terminal()
    ext = Progress(crawler, 0, TerminalLine(tty, min_interval=0))
    ext.draw()
    assert tty.getvalue().startswith("\r\x1b[K7 articles (")
    assert "9 pages, 0 queued, 2 errors" in tty.getvalue()
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "a log line", None, None)
    assert ext._clear_line(record) is True and tty.getvalue().endswith("\r\x1b[K")


def test_progress_is_off_without_interval_or_terminal() -> None:
    from scrapy.exceptions import NotConfigured

    crawler = get_crawler(Spider, {"NEWSCRAWL_PROGRESS_INTERVAL": 0,
                                   "NEWSCRAWL_PROGRESS_TERMINAL": True})
    with pytest.raises(NotConfigured):  # pytest's stderr is not a terminal
        Progress.from_crawler(crawler)


def test_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "newscrawl.cli", "--version"],
                          capture_output=True, text=True, cwd=ROOT)
    from newscrawl import __version__

    assert proc.returncode == 0 and proc.stdout.strip() == f"newscrawl {__version__}"


@pytest.mark.parametrize(("priority", "level"), [("addon", None), ("project", logging.WARNING)])
def test_missing_browser_package_is_a_warning_only_when_rendering_was_asked_for(
        monkeypatch, caplog, priority: str, level: int | None) -> None:
    import asyncio
    from types import SimpleNamespace

    from scrapy import Request
    from scrapy.settings import Settings

    from newscrawl import defaults
    from newscrawl.portals import get_portal
    from newscrawl.render import browser

    monkeypatch.setattr(browser, "_playwright_installed", lambda: False)
    settings = Settings()
    for name in dir(defaults):
        if name.startswith(("NEWSCRAWL_RENDER", "PLAYWRIGHT")):
            settings.set(name, getattr(defaults, name), priority="addon")
    settings.set("NEWSCRAWL_RENDER_ENABLED", True, priority=priority)
    spider = Spider(name="t")
    spider.portal = get_portal("wp")
    crawler = SimpleNamespace(settings=settings, stats=get_crawler(Spider).stats, spider=spider)
    middleware = browser.RenderMiddleware.from_crawler(crawler)
    url = "https://wiadomosci.wp.pl/most-na-wisle-otwarty-po-trzech-latach-budowy-7300000000001a"
    with caplog.at_level(logging.INFO, logger="newscrawl.render.browser"):
        for n in range(3):
            request = Request(f"{url}?n={n}", meta={"discovery": {"source": "sitemap"}})
            asyncio.run(middleware.process_request(request))
    said = [r for r in caplog.records if "scrapy-playwright is not installed" in r.getMessage()]
    assert [r.levelno for r in said] == ([] if level is None else [level])
    assert crawler.stats.get_value("newscrawl/render/fallback") == 3
