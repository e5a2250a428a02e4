"""Hostile redirects and private-address targets: every hop stays on the portal's hosts.

End to end: a small portal on 127.0.0.1 where one article redirects to another host (a second
server on 127.0.0.2); the decision rules are unit-tested on the middleware with a stub spider,
sending nothing anywhere.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler
from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from newscrawl.crawl.errors import classify_failure
from newscrawl.crawl.hosts import (
    HostGuardMiddleware,
    OffsiteRedirect,
    OffsiteRequest,
    PrivateAddress,
    PublicAddressResolver,
    host_allowed,
    ip_literal,
    is_public_address,
)
from newscrawl.devtools.portal_server import PortalServer

ROOT = Path(__file__).resolve().parent.parent
MIDDLEWARES = {"scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
               "newscrawl.crawl.retry.BackoffRetryMiddleware": 550,
               "newscrawl.crawl.hosts.HostGuardMiddleware": 40,
               "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None}
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO",
        "-s", "RETRY_BACKOFF_BASE=0", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
        "-s", "NEWSCRAWL_RENDER_ENABLED=0", "-s", "TELNETCONSOLE_ENABLED=0",
        "-s", f"DOWNLOADER_MIDDLEWARES={json.dumps(MIDDLEWARES)}",
        "-s", "TWISTED_DNS_RESOLVER=newscrawl.crawl.hosts.PublicAddressResolver"]

WORDS = ("Radni miasta przyjęli w czwartek uchwałę w sprawie nowego planu komunikacji, który "
         "obejmie linie autobusowe i tramwajowe w całej aglomeracji przez kolejne lata.").split()


def article_html(headline: str, seed: int) -> str:
    """A plausible article page: headline, lead, five paragraphs of forty-odd words."""
    paras = []
    for i in range(5):
        words = [WORDS[(seed + i * 7 + j) % len(WORDS)] for j in range(42)]
        paras.append(f"<p>{headline} — akapit {i + 1}. {' '.join(words)}.</p>")
    return (f"<!doctype html><html lang=\"pl\"><head><meta charset=\"utf-8\">"
            f"<title>{headline}</title>"
            f"<meta property=\"og:type\" content=\"article\">"
            f"<meta property=\"article:published_time\" content=\"2024-06-0{seed % 9 + 1}"
            f"T10:00:00+02:00\"></head><body><header><a href=\"/\">Portal</a></header>"
            f"<article><h1>{headline}</h1><p class=\"lead\">Najważniejsze informacje dnia: "
            f"{headline.lower()}.</p>{''.join(paras)}</article></body></html>")


ARTICLES = {"/news/pierwszy-artykul": "Pierwszy artykuł o komunikacji miejskiej",
            "/news/drugi-artykul": "Drugi artykuł o budżecie miasta",
            "/news/przeniesiony-tutaj": "Przeniesiony artykuł o nowych tramwajach"}
LISTED = ["/news/pierwszy-artykul", "/news/drugi-artykul", "/news/przeniesiony",
          "/news/uciekajacy"]
STOLEN_HEADLINE = "Cudzy artykuł podstawiony przez przekierowanie"


class _Other:
    """A server on 127.0.0.2 playing another host: any path answers with a plausible article."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        log = self.requests

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                log.append(self.path)
                body = article_html(STOLEN_HEADLINE, 3).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Origin with a trailing slash."""
        return f"http://127.0.0.2:{self.httpd.server_address[1]}/"


@pytest.fixture
def other() -> Iterator[_Other]:
    server = _Other()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def site(tmp_path: Path, other: _Other) -> Iterator[PortalServer]:
    """The portal on 127.0.0.1: a sitemap of four articles, one moved within the portal (302)
    and one redirecting (301) to the server on 127.0.0.2."""
    root = tmp_path / "site"
    (root / "news").mkdir(parents=True)
    for n, (path, headline) in enumerate(ARTICLES.items()):
        (root / (path.lstrip("/") + ".html")).write_text(article_html(headline, n),
                                                         encoding="utf-8")
    (root / "index.html").write_text("<html><body><h1>Portal</h1></body></html>",
                                     encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nSitemap: {{ORIGIN}}/sitemap.xml\n",
                                     encoding="utf-8")
    urls = "".join(f"<url><loc>{{{{ORIGIN}}}}{p}</loc></url>" for p in LISTED)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>', encoding="utf-8")
    (root / "_rules.txt").write_text(
        "redirect 302 /news/przeniesiony /news/przeniesiony-tutaj\n"
        f"redirect 301 /news/uciekajacy {other.url}news/podstawiony\n", encoding="utf-8")
    with PortalServer(root) as server:
        yield server


def crawl(out: Path, url: str, *settings: str) -> tuple[list[dict], str]:
    """Run the generic spider on `url`; return the items and the log."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-O", str(out), *FAST,
           "-a", f"url={url}"]
    for setting in settings:
        cmd += ["-s", setting]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
    return items, proc.stderr


def stat(log: str, key: str) -> int:
    """A counter from the stats dump at the end of the log (0 when absent)."""
    m = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(m.group(1)) if m else 0


def classifier_reads_kind() -> bool:
    """Whether the failure classifier counts `newscrawl_kind` from the exception."""
    failure = Failure(OffsiteRedirect("redirect from http://a/ to http://b/ leaves the portal's "
                                      "hosts"))
    return classify_failure(failure)[0] == "skipped/offsite_redirect"


# -- end to end ---------------------------------------------------------------------------------

def test_redirect_to_another_host_is_not_followed(site: PortalServer, other: _Other,
                                                  tmp_path: Path) -> None:
    items, log = crawl(tmp_path / "out.jsonl", site.url)
    by_path = {urlsplit(i["url"]).path: i for i in items}
    # The other articles, the one moved within the portal included, are there ...
    assert set(by_path) == set(ARTICLES)
    assert all(urlsplit(i["url"]).hostname == "127.0.0.1" for i in items)
    assert by_path["/news/przeniesiony-tutaj"]["headline"] == ARTICLES["/news/przeniesiony-tutaj"]
    assert "/news/przeniesiony" in site.paths()
    # ... the redirected one is not, and the other host never saw a request.
    assert STOLEN_HEADLINE not in {i["headline"] for i in items}
    assert "/news/uciekajacy" in site.paths()
    assert other.requests == []
    assert (f"redirect from {site.url}news/uciekajacy to {other.url}news/podstawiony leaves "
            "the portal's hosts") in log
    if not classifier_reads_kind():
        pytest.xfail("crawl_errors.classify_failure does not read `newscrawl_kind` yet")
    assert stat(log, "newscrawl/skipped/offsite_redirect") == 1


def test_allowed_hosts_setting_lets_the_redirect_through(site: PortalServer, other: _Other,
                                                        tmp_path: Path) -> None:
    items, _ = crawl(tmp_path / "out.jsonl", site.url, "NEWSCRAWL_ALLOWED_HOSTS=127.0.0.2")
    hosts = {urlsplit(i["url"]).hostname for i in items}
    assert hosts == {"127.0.0.1", "127.0.0.2"}
    assert STOLEN_HEADLINE in {i["headline"] for i in items}
    assert "/news/podstawiony" in other.requests
    assert len(items) == len(ARTICLES) + 1


def test_portal_given_on_a_name_resolving_to_loopback(site: PortalServer, other: _Other,
                                                     tmp_path: Path) -> None:
    """`localhost` resolves to 127.0.0.1: the resolver must not refuse the portal itself, and
    the portal's redirects to 127.0.0.1 (another host name) are offsite redirects."""
    origin = f"http://localhost:{site.port}"
    (site.root / "robots.txt").write_text(f"User-agent: *\nSitemap: {origin}/sitemap.xml\n",
                                          encoding="utf-8")
    urls = "".join(f"<url><loc>{origin}{p}</loc></url>" for p in LISTED)
    (site.root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>', encoding="utf-8")
    items, log = crawl(tmp_path / "out.jsonl", origin + "/")
    assert {urlsplit(i["url"]).path for i in items} == set(LISTED[:2])
    assert {urlsplit(i["url"]).hostname for i in items} == {"localhost"}
    assert other.requests == []
    if not classifier_reads_kind():
        pytest.xfail("crawl_errors.classify_failure does not read `newscrawl_kind` yet")
    assert stat(log, "newscrawl/skipped/offsite_redirect") == 2
    assert stat(log, "newscrawl/skipped/private_address") == 0


# -- decisions, no traffic ----------------------------------------------------------------------

def guard(**settings: object) -> HostGuardMiddleware:
    return HostGuardMiddleware.from_crawler(get_crawler(settings_dict=settings))


def stub(home: str, *domains: str) -> SimpleNamespace:
    """A spider as the middleware sees it: its home URL and allowed domains."""
    host = urlsplit(home).hostname
    return SimpleNamespace(home=home, allowed_domains=[host, *domains])


def redirected(url: str, source: str, **meta: object) -> Request:
    return Request(url, dont_filter=True, meta={"redirect_urls": [source], **meta})


PUBLIC = stub("https://www.wp.pl/", "wp.pl")


def test_own_hosts_and_subdomains_pass_whatever_dont_filter() -> None:
    mw = guard()
    for url in ("https://www.wp.pl/a", "https://wiadomosci.wp.pl/b", "https://WP.PL./c"):
        mw.check(Request(url, dont_filter=True), PUBLIC)
        mw.check(redirected(url, "https://www.wp.pl/old"), PUBLIC)
    with pytest.raises(OffsiteRequest, match="evilwp.pl"):
        mw.check(Request("https://evilwp.pl/x", dont_filter=True), PUBLIC)


def test_redirect_hop_elsewhere_is_an_offsite_redirect_even_when_allow_offsite() -> None:
    mw = guard()
    req = redirected("https://elsewhere.example/x", "https://www.wp.pl/a",
                     allow_offsite=True)
    with pytest.raises(OffsiteRedirect) as info:
        mw.check(req, PUBLIC)
    assert str(info.value) == ("redirect from https://www.wp.pl/a to "
                               "https://elsewhere.example/x leaves the portal's hosts")
    assert info.value.newscrawl_kind == "skipped/offsite_redirect"
    # A first request the spider marks as deliberately off-host may go.
    mw.check(Request("https://elsewhere.example/x", meta={"allow_offsite": True}), PUBLIC)


def test_allowed_hosts_setting_widens() -> None:
    mw = guard(NEWSCRAWL_ALLOWED_HOSTS=["cdn.example"])
    mw.check(redirected("https://img.cdn.example/x", "https://www.wp.pl/a"), PUBLIC)
    with pytest.raises(OffsiteRedirect):
        mw.check(redirected("https://other.example/x", "https://www.wp.pl/a"), PUBLIC)


@pytest.mark.parametrize("host", ["10.0.0.7", "169.254.169.254", "127.0.0.1", "127.8.9.1",
                                  "192.168.1.1", "172.16.0.1", "100.64.0.1", "0.0.0.0",
                                  "224.0.0.1", "240.0.0.1", "255.255.255.255", "[::1]",
                                  "[fe80::1]", "[fc00::1]", "[::ffff:10.0.0.1]",
                                  "[::ffff:127.0.0.1]", "[::]", "[ff02::1]", "2130706433",
                                  "0x7f.1", "[2002:a00:1::]"])
def test_public_portal_refuses_non_global_targets(host: str) -> None:
    mw = guard(NEWSCRAWL_ALLOWED_HOSTS=[host.strip("[]")])
    for req in (Request(f"http://{host}/x", dont_filter=True, meta={"allow_offsite": True}),
                redirected(f"http://{host}:8080/x", "https://www.wp.pl/a")):
        with pytest.raises(PrivateAddress) as info:
            mw.check(req, PUBLIC)
        assert info.value.newscrawl_kind == "skipped/private_address"
        assert "non-global address" in str(info.value)


@pytest.mark.parametrize("home", ["http://127.0.0.1:8000/", "http://10.1.2.3/",
                                  "http://[::1]:8000/", "http://[::ffff:192.168.0.5]/"])
def test_portal_given_on_a_private_address_may_use_private_targets(home: str) -> None:
    mw = guard()
    spider = stub(home, "127.0.0.2")
    mw.check(Request(home + "a", dont_filter=True), spider)
    mw.check(redirected("http://127.0.0.2:9/x", home + "a"), spider)
    # Still confined to its hosts.
    with pytest.raises(OffsiteRedirect):
        mw.check(redirected("http://192.168.7.7/x", home + "a"), spider)


def test_allow_private_setting_widens_and_public_targets_pass() -> None:
    mw = guard(NEWSCRAWL_ALLOW_PRIVATE_ADDRESSES=True, NEWSCRAWL_ALLOWED_HOSTS=["10.0.0.7"])
    mw.check(redirected("http://10.0.0.7/x", "https://www.wp.pl/a"), PUBLIC)
    strict = guard(NEWSCRAWL_ALLOWED_HOSTS=["93.184.216.34", "2606:4700::1111"])
    strict.check(Request("http://93.184.216.34/x"), PUBLIC)
    strict.check(Request("http://[2606:4700::1111]/x"), PUBLIC)


def test_address_helpers() -> None:
    assert ip_literal("www.wp.pl") is None and ip_literal("cafe.be") is None
    assert str(ip_literal("0177.0.0.1")) == "127.0.0.1"
    assert str(ip_literal("[fe80::1%eth0]")) == "fe80::1"
    assert is_public_address("8.8.8.8") and is_public_address("::ffff:8.8.8.8")
    assert not is_public_address("::ffff:169.254.1.1")
    assert host_allowed("a.b.wp.pl", ["wp.pl"]) and not host_allowed("wp.pl", ["www.wp.pl"])


class _AnsweringResolver(PublicAddressResolver):
    """The resolver's decision with a fixed answer instead of a DNS lookup."""

    def __init__(self, answer: str) -> None:
        self.exempt: set[str] = set()
        self.allow_private = False
        self.answer = answer

    def getHostByName(self, name: str, timeout: object = ()) -> defer.Deferred[str]:  # noqa: N802
        return defer.maybeDeferred(self.check_answer, self.answer, name)


@pytest.mark.parametrize(("answer", "private_ok"), [("10.0.0.3", True), ("93.184.216.34", False)])
def test_portal_host_name_is_resolved_when_the_spider_opens(monkeypatch: pytest.MonkeyPatch,
                                                            answer: str,
                                                            private_ok: bool) -> None:
    resolver = _AnsweringResolver(answer)
    monkeypatch.setattr("newscrawl.crawl.hosts._installed_resolver", lambda: resolver)
    mw = guard()
    spider = stub("http://mirror.lan/", "127.0.0.2")
    done: list[object] = []
    result = mw.spider_opened(spider)
    assert isinstance(result, defer.Deferred)
    result.addBoth(done.append)
    assert done == [None]
    assert resolver.exempt == {"mirror.lan"}
    assert mw.private_allowed(spider) is private_ok
    assert resolver.allow_private is private_ok
    req = redirected("http://127.0.0.2/x", "http://mirror.lan/a")
    if private_ok:
        mw.check(req, spider)
    else:
        with pytest.raises(PrivateAddress):
            mw.check(req, spider)


def test_resolver_refuses_non_global_answers_except_the_portals_hosts() -> None:
    resolver = PublicAddressResolver.__new__(PublicAddressResolver)
    resolver.exempt, resolver.allow_private = {"mirror.lan"}, False
    assert resolver.check_answer("93.184.216.34", "example.com") == "93.184.216.34"
    assert resolver.check_answer("10.0.0.3", "mirror.lan") == "10.0.0.3"
    with pytest.raises(DNSLookupError, match="rebind.example resolves to the non-global"):
        resolver.check_answer("127.0.0.1", "rebind.example")
    resolver.allow_private = True
    assert resolver.check_answer("127.0.0.1", "rebind.example") == "127.0.0.1"
