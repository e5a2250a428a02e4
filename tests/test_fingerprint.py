"""Dedup the Scrapy way: `CanonicalFingerprinter` folds the variants of one article, and a crawl
yields every discovery while Scrapy's duplicate filter fetches each page once."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.test import get_crawler

from newscrawl.crawl.fingerprint import CanonicalFingerprinter
from newscrawl.devtools.portal_server import PortalServer
from newscrawl.discovery import Entry
from newscrawl.spiders.news import GenericNewsSpider

ROOT = Path(__file__).resolve().parent.parent
FINGERPRINTER = "newscrawl.crawl.fingerprint.CanonicalFingerprinter"
ARTICLE = "https://news.example.com/2024/06/01/bridge"
VARIANTS = (ARTICLE + "?utm_source=rss&utm_medium=feed", ARTICLE + ".amp",
            ARTICLE + "?amp=1", "https://www.news.example.com/2024/06/01/bridge?fbclid=abc",
            "http://news.example.com/2024/06/01/bridge#comments",
            "https://m.news.example.com/2024/06/01/bridge")


def fp(url: str, **kwargs: object) -> bytes:
    return CanonicalFingerprinter().fingerprint(Request(url, **kwargs))


@pytest.mark.parametrize("variant", VARIANTS)
def test_variants_of_one_article_share_a_fingerprint(variant: str) -> None:
    assert fp(variant) == fp(ARTICLE)


def test_other_pages_methods_and_bodies_differ() -> None:
    assert fp(ARTICLE) != fp("https://news.example.com/2024/06/01/other")
    assert fp(ARTICLE) != fp(ARTICLE + "?page=2")
    assert fp(ARTICLE, method="POST") != fp(ARTICLE)
    assert fp(ARTICLE, method="POST", body=b"a=1") != fp(ARTICLE, method="POST", body=b"a=2")
    assert len(fp(ARTICLE)) == 20  # a SHA-1 digest, like Scrapy's own fingerprints


def test_verbatim_url_and_redirect_hops_are_kept_apart() -> None:
    assert fp(VARIANTS[0], meta={"verbatim_url": True}) != fp(ARTICLE)
    # A redirect hop (here http → https) is not the page discovered directly ...
    hop = fp(ARTICLE, meta={"redirect_urls": [VARIANTS[4]]})
    assert hop != fp(ARTICLE)
    # ... and the same hop from the same origin is one request.
    assert hop == fp(ARTICLE, meta={"redirect_urls": ["http://news.example.com/2024/06/01/bridge"]})


def test_scrapys_duplicate_filter_uses_it_through_the_setting() -> None:
    crawler = get_crawler(settings_dict={"REQUEST_FINGERPRINTER_CLASS": FINGERPRINTER})
    assert isinstance(crawler.request_fingerprinter, CanonicalFingerprinter)
    dupefilter = RFPDupeFilter.from_crawler(crawler)
    assert not dupefilter.request_seen(Request(ARTICLE))
    assert all(dupefilter.request_seen(Request(v)) for v in VARIANTS)
    assert not dupefilter.request_seen(Request(ARTICLE, method="POST"))


def test_spider_requests_every_discovery_without_bypassing_the_filter() -> None:
    crawler = get_crawler(GenericNewsSpider, settings_dict={
        "NEWSCRAWL_ALLOWED_HOSTS": ["cdn.example.net"]})
    spider = GenericNewsSpider.from_crawler(crawler, url="https://news.example.com/")
    requests = [spider._article_request(Entry(url), "sitemap") for url in (ARTICLE, *VARIANTS)]
    assert all(r is not None and not r.dont_filter for r in requests)
    assert all(r.meta["discovery"]["source"] == "sitemap" for r in requests)
    assert not hasattr(spider, "_scheduled") and not hasattr(spider, "unschedule")
    assert spider.allowed_domains == ["cdn.example.net", "news.example.com"]
    # A repeat the scheduler drops is counted; a redirect back onto its own chain is a loop.
    spider.on_request_dropped(requests[1])
    loop = Request(ARTICLE, meta={"redirect_urls": [ARTICLE, ARTICLE + "-b"], "discovery": {}})
    spider.on_request_dropped(loop)
    stats = crawler.stats
    assert stats.get_value("newscrawl/duplicates/discovered") == 1
    assert stats.get_value("newscrawl/errors/redirect_loop") == 1


# -- end to end on 127.0.0.1 --------------------------------------------------------------------

PARA = ("Radni miasta przyjęli w czwartek uchwałę w sprawie nowego planu komunikacji, który "
        "obejmie linie autobusowe i tramwajowe w całej aglomeracji przez kolejne lata. ") * 3


def page(headline: str) -> str:
    body = "".join(f"<p>{headline}, akapit {i}. {PARA}</p>" for i in range(5))
    return ("<!doctype html><html lang=\"pl\"><head><meta charset=\"utf-8\">"
            f"<title>{headline}</title><meta property=\"og:type\" content=\"article\">"
            "<meta property=\"article:published_time\" content=\"2024-06-01T10:00:00+02:00\">"
            f"</head><body><article><h1>{headline}</h1><p class=\"lead\">Wstęp: {headline}.</p>"
            f"{body}</article></body></html>")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[PortalServer]:
    """One article listed three times over (tracking, AMP), one reached through an AMP
    redirect, and a redirect loop; a feed repeats the first article once more."""
    root = tmp_path / "site"
    (root / "news").mkdir(parents=True)
    (root / "news" / "pierwszy.html").write_text(page("Pierwszy artykuł o tramwajach"),
                                                 encoding="utf-8")
    (root / "news" / "drugi.html").write_text(page("Drugi artykuł o budżecie"),
                                              encoding="utf-8")
    (root / "index.html").write_text(
        '<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        "</head><body><h1>Portal</h1></body></html>", encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nSitemap: {{ORIGIN}}/sitemap.xml\n",
                                     encoding="utf-8")
    listed = ["/news/pierwszy", "/news/pierwszy?utm_source=x", "/news/pierwszy.amp",
              "/news/drugi.amp", "/news/petla-a"]
    urls = "".join(f"<url><loc>{{{{ORIGIN}}}}{p.replace('&', '&amp;')}</loc></url>"
                   for p in listed)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>', encoding="utf-8")
    (root / "rss.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>P</title>'
        "<item><title>Pierwszy</title><link>{{ORIGIN}}/news/pierwszy?fbclid=abc</link></item>"
        "</channel></rss>", encoding="utf-8")
    (root / "_rules.txt").write_text(
        "redirect 301 /news/drugi.amp /news/drugi\n"
        "redirect 302 /news/petla-a /news/petla-b\n"
        "redirect 302 /news/petla-b /news/petla-a\n", encoding="utf-8")
    with PortalServer(root) as server:
        yield server


def stat(log: str, key: str) -> int:
    m = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(m.group(1)) if m else 0


def test_crawl_fetches_each_article_once_and_counts_the_repeats(site: PortalServer,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-O", str(out), "-a",
           f"url={site.url}", "-s", f"REQUEST_FINGERPRINTER_CLASS={FINGERPRINTER}",
           "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO",
           "-s", "RETRY_BACKOFF_BASE=0", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
           "-s", "TELNETCONSOLE_ENABLED=0"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    log = proc.stderr
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
    assert sorted(i["headline"] for i in items) == ["Drugi artykuł o budżecie",
                                                    "Pierwszy artykuł o tramwajach"], log[-3000:]
    served = [p for p in site.paths() if p.startswith("/news/")]
    # Four discoveries of the first article, one fetch; the AMP redirect is followed.
    assert sum(p.startswith("/news/pierwszy") for p in served) == 1, served
    assert served.count("/news/drugi.amp") == 1 and served.count("/news/drugi") == 1
    assert stat(log, "newscrawl/duplicates/discovered") == 3
    assert stat(log, "dupefilter/filtered") >= 3
    # The loop ends on its first repeated hop, counted as before.
    assert served.count("/news/petla-a") == 2 and served.count("/news/petla-b") == 1
    assert stat(log, "newscrawl/errors/redirect_loop") == 1
