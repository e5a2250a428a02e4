"""The spider's pieces without a crawl: arguments, URL mapping, errors, server, backoff."""

from __future__ import annotations

import asyncio
import gzip
import re
import urllib.error
import urllib.request

import pytest
from scrapy.exceptions import CloseSpider
from scrapy.http import HtmlResponse, Request, Response
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet import error as net
from twisted.python.failure import Failure

from newscrawl.crawl.errors import classify_failure
from newscrawl.crawl.retry import BackoffRetryMiddleware
from newscrawl.crawl.spider import NewsSpider, SpiderArgumentError
from newscrawl.devtools.portal_server import PortalServer
from newscrawl.discovery import Entry
from newscrawl.spiders.news import GenericNewsSpider
from newscrawl.spiders.wp import WpSpider


def make(cls: type[NewsSpider], **kwargs: str) -> NewsSpider:
    """A spider bound to a test crawler."""
    return cls.from_crawler(get_crawler(cls), **kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"since": "wczoraj"}, "not a time"),
    ({"until": "2024-01-01", "since": "2024-02-01"}, "before"),
    ({"limit": "dużo"}, "whole number"),
    ({"limit": "0"}, "at least 1"),
    ({"follow_listing": "maybe"}, "on, off or auto"),
    ({"base_url": "ftp://mirror"}, r"http\(s\) URL"),
])
def test_invalid_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(SpiderArgumentError, match=message):
        WpSpider.validate_arguments(**kwargs)
    # Built by a crawl, the spider keeps the one-line reason and closes before any request.
    spider = make(WpSpider, **kwargs)
    assert re.search(message, spider.argument_error)
    with pytest.raises(CloseSpider) as closed:
        asyncio.run(anext(spider.start()))
    assert closed.value.reason == "invalid_argument"


def test_valid_arguments_pass_validation():
    WpSpider.validate_arguments(since="2d", limit="5", follow_listing="on", incremental="1")
    assert make(WpSpider, since="2d").argument_error is None


def test_generic_spider_needs_url():
    with pytest.raises(SpiderArgumentError, match="-a url="):
        GenericNewsSpider.validate_arguments()
    assert "-a url=" in make(GenericNewsSpider).argument_error


def test_base_url_maps_portal_hosts_and_is_allowed():
    spider = make(WpSpider, base_url="http://127.0.0.1:8080", sections="polska, /swiat/",
                  follow_listing="yes", limit="3")
    assert spider.home == "http://127.0.0.1:8080/"
    assert spider.map_url("https://sport.wp.pl/x-6000000000000100a?a=1#c") == \
        "http://127.0.0.1:8080/x-6000000000000100a?a=1"
    assert spider.map_url("/sitemap.xml") == "http://127.0.0.1:8080/sitemap.xml"
    assert spider.map_url("https://other.example/a") == "https://other.example/a"
    assert "127.0.0.1" in spider.allowed_domains and "wp.pl" in spider.allowed_domains
    assert spider.section_prefixes == ("/polska", "/swiat")
    assert (spider.follow_listing, spider.limit) == ("on", 3)


def test_window_is_applied_before_fetching():
    spider = make(WpSpider, since="2024-06-01", until="2024-06-10")
    assert spider._in_window(Entry("u", published="2024-06-05T10:00:00+02:00"))
    assert not spider._in_window(Entry("u", published="2024-05-05"))
    assert not spider._in_window(Entry("u", published="2024-06-11"))
    # lastmod only: before `since` means published before it too; after `until` proves nothing.
    assert not spider._in_window(Entry("u", lastmod="2024-05-05"))
    assert spider._in_window(Entry("u", lastmod="2024-07-01"))
    assert spider._in_window(Entry("u"))


def test_article_requests_carry_discovery_meta_and_leave_dedup_to_scrapy():
    spider = make(WpSpider, base_url="http://127.0.0.1:8080/")
    entry = Entry("https://wiadomosci.wp.pl/a-6000000000000100a", published="2024-06-01",
                  title="T")
    entry.url = spider.map_url(entry.url)
    request = spider._article_request(entry, "news-sitemap")
    assert request.meta["discovery"] == {"source": "news-sitemap", "lastmod": None,
                                         "published": "2024-06-01", "title": "T"}
    assert not request.dont_filter
    # Every discovery is requested (the incremental middleware sees each one's date); Scrapy's
    # duplicate filter drops the repeat (tests/test_fingerprint.py).
    again = spider._article_request(entry, "rss")
    assert again is not None and again.meta["discovery"]["source"] == "rss"
    listing_page = Entry("http://127.0.0.1:8080/polska")
    assert spider._article_request(listing_page, "sitemap") is None

def test_listing_page_cap_is_a_setting():
    crawler = get_crawler(WpSpider, settings_dict={"NEWSCRAWL_MAX_LISTING_PAGES": 7})
    assert WpSpider.from_crawler(crawler).max_listing_pages == 7
    assert make(WpSpider).max_listing_pages == 500


def test_article_without_page_date_takes_the_sitemap_date():
    spider = make(GenericNewsSpider, url="https://portal.example/")
    paragraphs = "".join(f"<p>{'Akapit z treścią artykułu o ważnych sprawach. ' * 5}</p>"
                         for _ in range(4))
    html = (f'<html><head><meta property="og:type" content="article"></head><body>'
            f"<h1>Tytuł artykułu</h1>{paragraphs}</body></html>")
    request = Request("https://portal.example/a-123456-tytul",
                      meta={"discovery": {"source": "news-sitemap", "lastmod": None,
                                          "published": "2024-06-20T08:00:00+02:00",
                                          "title": None}})
    response = HtmlResponse(request.url, body=html.encode(), encoding="utf-8", request=request)
    (item,) = list(spider.parse_article(response))
    assert item.published == "2024-06-20T08:00:00+02:00" and item.date_source == "sitemap"
    listing = HtmlResponse("https://portal.example/polska", request=request, encoding="utf-8",
                           body=b'<html><head><meta property="og:type" content="website">'
                                b"</head><body><a href='/x'>x</a></body></html>")
    assert list(spider.parse_article(listing)) == []
    assert spider.crawler.stats.get_value("newscrawl/pages/listing") == 1


def test_failures_are_classified():
    request = Request("https://portal.example/a")
    response = Response(request.url, status=503, request=request)

    def failure(exc: Exception) -> Failure:
        f = Failure(exc)
        f.request = request
        return f

    assert classify_failure(failure(HttpError(response, "x")))[0] == "http_503"
    assert classify_failure(failure(net.DNSLookupError("nx")))[0] == "dns"
    assert classify_failure(failure(net.TimeoutError()))[0] == "timeout"
    from scrapy.exceptions import IgnoreRequest

    assert classify_failure(failure(IgnoreRequest("max redirections reached")))[0] == \
        "redirect_loop"
    assert classify_failure(failure(IgnoreRequest("Forbidden by robots.txt")))[0] == \
        "skipped/robots"


def test_backoff_grows_and_respects_retry_after_and_cap():
    settings = Settings({"RETRY_ENABLED": True, "RETRY_TIMES": 3, "RETRY_BACKOFF_BASE": 1.0,
                         "RETRY_BACKOFF_MAX": 10.0, "RETRY_HTTP_CODES": [503]})
    mw = BackoffRetryMiddleware(settings)
    req = Request("https://portal.example/")
    delays = [mw.delay_for(req.replace(meta={"retry_times": n})) for n in (1, 2, 3, 5)]
    assert delays == [1.0, 2.0, 4.0, 10.0]
    busy = Response(req.url, status=503, headers={"Retry-After": "7"})
    assert mw.delay_for(req.replace(meta={"retry_times": 1}), busy) == 7.0


def test_portal_server_rules_origin_and_log(tmp_path):
    (tmp_path / "index.html").write_text("<a href='{{ORIGIN}}/a'>a</a>", encoding="utf-8")
    (tmp_path / "s.xml.gz").write_bytes(gzip.compress(b"<loc>{{ORIGIN}}/x</loc>"))
    (tmp_path / "latin").write_bytes("zażółć".encode("iso-8859-2"))
    (tmp_path / "_rules.txt").write_text("redirect 301 /old /index.html\n"
                                         "type /latin text/html\nstatus 410 /gone\n")
    (tmp_path / "secret.py").write_text("x = 1")
    with PortalServer(tmp_path, log_file=tmp_path / "log.txt") as server:
        with urllib.request.urlopen(server.url) as resp:
            assert resp.read().decode() == f"<a href='{server.url}a'>a</a>"
            assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        with urllib.request.urlopen(server.url + "old") as resp:
            assert resp.url == server.url + "index.html"
        with urllib.request.urlopen(server.url + "s.xml.gz") as resp:
            assert gzip.decompress(resp.read()) == f"<loc>{server.url}x</loc>".encode()
        with urllib.request.urlopen(server.url + "latin") as resp:
            assert resp.headers["Content-Type"] == "text/html"
        for path, code in (("gone", 410), ("secret.py", 404), ("_rules.txt", 404),
                           ("../etc/passwd", 404)):
            with pytest.raises(urllib.error.HTTPError) as info:
                urllib.request.urlopen(server.url + path)
            assert info.value.code == code
        assert server.paths()[:2] == ["/", "/old"]
    assert "GET 301 /old" in (tmp_path / "log.txt").read_text()


def test_progress_line_counts_articles_and_errors(caplog):
    from newscrawl.crawl.progress import Progress

    crawler = get_crawler(settings_dict={"NEWSCRAWL_PROGRESS_INTERVAL": 5})
    crawler.stats.set_value("item_scraped_count", 12)
    crawler.stats.set_value("newscrawl/errors/http_404", 2)
    crawler.stats.set_value("newscrawl/errors/timeout", 1)
    ext = Progress.from_crawler(crawler)
    snap = ext.snapshot()
    assert (snap["articles"], snap["errors"]) == (12, 3)
    with caplog.at_level("INFO", logger="newscrawl.crawl.progress"):
        ext.log()
    assert "Progress: 12 articles" in caplog.text and "3 errors" in caplog.text
