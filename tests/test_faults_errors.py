"""Download failures get precise types: one real `scrapy crawl news` against a hostile loopback
server whose sitemap lists articles that each misbehave, plus the classifier and the complete-body
check on their own."""

from __future__ import annotations

import gzip
import json
import os
import re
import ssl
import subprocess
import sys
import zlib
from pathlib import Path

import brotli
import pytest
from hostile_server import HostileServer, Script, refused_origin
from OpenSSL import SSL
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotSupported,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler
from twisted.internet import error as net
from twisted.python.failure import Failure
from twisted.web.client import ResponseNeverReceived

from newscrawl import defaults as project_settings
from newscrawl.crawl.download_checks import (
    CompleteBodyMiddleware,
    CompressedBodyError,
    DecompressedTooLargeError,
    decode_body,
)
from newscrawl.crawl.errors import classify_failure

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
MIDDLEWARE = "newscrawl.crawl.download_checks.CompleteBodyMiddleware"
#: Fast, no retries, short timeouts; the complete-body check added to the project's middlewares.
FAST = {"AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0", "RETRY_TIMES": "0",
        "RETRY_BACKOFF_BASE": "0", "DOWNLOAD_TIMEOUT": "1", "DOWNLOAD_MAXSIZE": "300000",
        "NEWSCRAWL_PROGRESS_INTERVAL": "0", "NEWSCRAWL_RENDER_ENABLED": "0",
        "TELNETCONSOLE_ENABLED": "0", "LOG_LEVEL": "INFO", "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "TWISTED_DNS_RESOLVER": "hostile_server.LoopbackResolver",  # no DNS query leaves
        "NEWSCRAWL_ALLOWED_HOSTS": "no-such-host.invalid",  # past the host guard, to DNS
        "DOWNLOADER_MIDDLEWARES": json.dumps({**project_settings.DOWNLOADER_MIDDLEWARES,
                                              MIDDLEWARE: 595})}


def article(slug: str) -> str:
    """A small article page the generic spider accepts (og:type article, headline, paragraphs)."""
    paras = "".join(
        f"<p>Paragraph {i} of the story {slug}: the council met on Tuesday and voted on the "
        f"budget for the coming year, with {i * 7} members in favour of the proposal.</p>"
        for i in range(1, 7))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta property="og:type" content="article"><title>Story {slug}</title></head>'
            f'<body><article><h1>Story {slug} makes the headline</h1>{paras}</article>'
            f'</body></html>')


HTML = {"Content-Type": "text/html; charset=utf-8"}
#: path → (script, expected type or "item" when the article must come through).
CASES: dict[str, tuple[Script, str]] = {
    "/good/one": (Script(body=article("one"), headers=HTML), "item"),
    "/good/two": (Script(body=article("two"), headers=HTML), "item"),
    "/gzip/whole": (Script(body=article("gzip"), headers=HTML, gzip=True), "item"),
    "/gzip/cut": (Script(body=article("gzcut"), headers=HTML, gzip=True, gzip_cut=0.6),
                  "truncated"),
    "/gzip/corrupt": (Script(body=b"\x1f\x8b\x08\x00" + b"\xff" * 200,
                             headers={**HTML, "Content-Encoding": "gzip"}), "truncated"),
    "/br/cut": (Script(body=brotli.compress(article("brcut").encode())[:100],
                       headers={**HTML, "Content-Encoding": "br"}), "truncated"),
    "/slow/headers": (Script(body=article("slow"), headers=HTML, delay_headers=4), "timeout"),
    "/slow/body": (Script(body=article("stall"), headers=HTML, delay_body=4), "timeout"),
    "/cut/body": (Script(body=article("cut"), headers=HTML, cut_after=200), "truncated"),
    "/reset/mid": (Script(body=article("rst"), headers=HTML, cut_after=200, reset=True),
                   "truncated"),
    "/reset/early": (Script(reset=True), "connection_lost"),
    "/huge": (Script(body=b"x" * 400_000, headers=HTML), "too_large"),
    "/gzip/bomb": (Script(body=b"\0" * 1_000_000, headers=HTML, gzip=True), "too_large"),
    "/loop": (Script(endless_redirect=True), "redirect_loop"),  # logged at its last hop
    "/gone": (Script(status=404, body="gone", headers=HTML), "http_404"),
    "/busy": (Script(status=503, body="busy", headers=HTML), "http_503"),
    "/private/secret": (Script(body=article("private"), headers=HTML), "skipped/robots"),
}


def _sitemap(urls: list[str]) -> str:
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>')


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One crawl of the hostile portal: items, per-URL logged types, stats, and the URLs."""
    out = tmp_path_factory.mktemp("faults") / "items.jsonl"
    with HostileServer(host="127.0.0.2") as other, HostileServer() as server:
        other.route("/elsewhere", Script(body=article("elsewhere"), headers=HTML))
        urls = {path: server.url(path) for path in CASES}
        urls["/away"] = server.url("/away")
        urls["offsite"] = other.url("/elsewhere")
        urls["refused"] = refused_origin() + "/refused/article"
        urls["tls"] = server.url("/tls/article").replace("http://", "https://")
        urls["dns"] = "http://no-such-host.invalid/article"
        for path, (script, _) in CASES.items():
            server.route(path, script)
        server.route("/away", Script(redirect=other.url("/elsewhere?from=away")))
        server.route("/", Script(body="<html><body><p>home</p></body></html>", headers=HTML))
        server.route("/robots.txt", Script(
            body=f"User-agent: *\nDisallow: /private/\nSitemap: {server.url('/sitemap.xml')}\n",
            headers={"Content-Type": "text/plain"}))
        server.route("/sitemap.xml", Script(body=_sitemap(list(urls.values())),
                                            headers={"Content-Type": "application/xml"}))
        cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"url={server.url('/')}",
               "-O", str(out)]
        for name, value in FAST.items():
            cmd += ["-s", f"{name}={value}"]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (str(TESTS), str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env=env)
        other_hits = len(other.requests)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stderr
    logged = re.findall(r"\[newscrawl\.crawl\.spider\] (?:ERROR|INFO): ([a-z_/0-9]+): (\S+) "
                        r"\((.*)\)$", log, flags=re.M)
    kinds = {url: kind for kind, url, _ in logged}
    reasons = {url: reason for _, url, reason in logged}
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
    return {"log": log, "kinds": kinds, "reasons": reasons, "items": items, "urls": urls,
            "other_hits": other_hits}


def stat(log: str, key: str) -> int:
    """A counter from the stats dump at the end of the log (0 when absent)."""
    m = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(m.group(1)) if m else 0


@pytest.mark.parametrize("path", [p for p, (_, kind) in CASES.items()
                                  if kind not in ("item", "redirect_loop")])
def test_each_fault_gets_its_type(crawl: dict, path: str) -> None:
    expected = CASES[path][1]
    assert crawl["kinds"].get(crawl["urls"][path]) == expected, crawl["log"][-4000:]


def test_redirect_loop_is_reported_at_the_last_hop(crawl: dict) -> None:
    loop = crawl["urls"]["/loop"]
    assert crawl["kinds"].get(loop + "/5") == "redirect_loop"  # REDIRECT_MAX_TIMES = 5


def test_refused_tls_and_dns(crawl: dict) -> None:
    assert crawl["kinds"].get(crawl["urls"]["refused"]) == "connection_refused"
    assert crawl["kinds"].get(crawl["urls"]["tls"]) == "tls"
    assert crawl["kinds"].get(crawl["urls"]["dns"]) == "dns"


def test_kinds_named_by_the_exception_itself(crawl: dict) -> None:
    """The host guard's refusals carry `newscrawl_kind`; the classifier takes it as it is."""
    assert crawl["kinds"].get(crawl["urls"]["offsite"]) == "skipped/offsite"
    away = [kind for url, kind in crawl["kinds"].items() if url.endswith("?from=away")]
    assert away == ["skipped/offsite_redirect"]
    assert crawl["other_hits"] == 0


def test_reasons_are_plain_one_liners(crawl: dict) -> None:
    reasons, urls = crawl["reasons"], crawl["urls"]
    assert all(reason and not reason.startswith("[<") for reason in reasons.values()), reasons
    assert reasons[urls["tls"]] == "TLS failed: wrong version number"
    assert reasons[urls["/gzip/cut"]].startswith("gzip stream ends before its end marker")
    assert reasons[urls["/cut/body"]].startswith("body cut short: ConnectionDone")
    assert "max size (300000)" in reasons[urls["/huge"]]
    assert "took longer than 1.0 seconds" in reasons[urls["/slow/body"]]


def test_stats_count_every_type(crawl: dict) -> None:
    log = crawl["log"]
    expected: dict[str, int] = {}
    for _, kind in CASES.values():
        if kind != "item":
            expected[kind] = expected.get(kind, 0) + 1
    expected["connection_refused"] = 1
    expected["tls"] = 1
    expected["dns"] = 1
    expected["skipped/offsite"] = 1
    expected["skipped/offsite_redirect"] = 1
    for kind, count in expected.items():
        key = f"newscrawl/{kind}" if kind.startswith("skipped/") else f"newscrawl/errors/{kind}"
        assert stat(log, key) == count, (key, log[-4000:])
    assert stat(log, "newscrawl/errors/other") == 0
    # gzip cut, gzip corrupt, brotli cut: found by the complete-body check, not by the download
    assert stat(log, "newscrawl/download/truncated_body") == 3


def test_good_articles_come_through_and_no_partial_page_does(crawl: dict) -> None:
    headlines = sorted(item["headline"] for item in crawl["items"])
    assert headlines == ["Story gzip makes the headline", "Story one makes the headline",
                         "Story two makes the headline"]
    assert "not an article" not in crawl["log"]


# -- the classifier alone ----------------------------------------------------------------------

def _failure(exc: BaseException) -> Failure:
    return Failure(exc)


def _caused(exc: BaseException, cause: BaseException) -> BaseException:
    exc.__cause__ = cause
    return exc


class _Kinded(IgnoreRequest):
    newscrawl_kind = "skipped/offsite_redirect"


@pytest.mark.parametrize(("exc", "kind"), [
    (DownloadTimeoutError("Getting x took longer than 1 seconds."), "timeout"),
    (net.TCPTimedOutError(), "timeout"),
    (CannotResolveHostError("no.such.host"), "dns"),
    (net.DNSLookupError("nx"), "dns"),
    (DownloadConnectionRefusedError("refused"), "connection_refused"),
    (net.NoRouteError(), "connection_refused"),
    (ResponseDataLossError(), "truncated"),
    (CompressedBodyError("gzip stream ends early"), "truncated"),
    (DownloadCancelledError("Cancelling download of x: expected response size (9) larger than "
                            "download max size (1)."), "too_large"),
    (IgnoreRequest("Ignored response because its body exceeded DOWNLOAD_MAXSIZE during "
                   "decompression"), "too_large"),
    (DecompressedTooLargeError("inflates beyond"), "too_large"),
    (DownloadFailedError("[<twisted.python.failure.Failure ConnectionLost>]"), "connection_lost"),
    (ConnectionResetError(104, "reset"), "connection_lost"),
    (UnsupportedURLSchemeError("gopher"), "unsupported_scheme"),
    (NotSupported("Unsupported URL scheme 'gopher': no handler"), "unsupported_scheme"),
    (IgnoreRequest("max redirections reached"), "redirect_loop"),
    (IgnoreRequest("Forbidden by robots.txt"), "skipped/robots"),
    (IgnoreRequest("Filtered offsite request to '127.0.0.2'"), "skipped/offsite"),
    (IgnoreRequest("something else"), "ignored"),
    (_Kinded("redirect to 127.0.0.2 left the portal"), "skipped/offsite_redirect"),
    (_caused(DownloadFailedError(""), ResponseNeverReceived(
        [Failure(ssl.SSLError(1, "wrong version number"))])), "tls"),
    (_caused(DownloadFailedError(""), ResponseNeverReceived(
        [Failure(SSL.Error([("SSL routines", "", "certificate verify failed")]))])), "tls"),
    (ValueError("odd"), "other"),
])
def test_classifier(exc: BaseException, kind: str) -> None:
    got, reason = classify_failure(_failure(exc))
    assert got == kind
    assert reason and not reason.startswith("[<")
    if kind == "other":
        assert reason.startswith("ValueError")


def test_classifier_takes_bare_exceptions_and_keeps_hook_reason() -> None:
    assert classify_failure(_Kinded("left the portal")) == ("skipped/offsite_redirect",
                                                            "left the portal")
    request = Request("https://portal.example/a")
    response = Response(request.url, status=410, request=request)
    from scrapy.spidermiddlewares.httperror import HttpError
    assert classify_failure(HttpError(response, "x")) == ("http_410", "HTTP 410")


# -- the complete-body check alone ---------------------------------------------------------------

PAGE = article("unit").encode() * 20


@pytest.mark.parametrize("encode,name", [(gzip.compress, b"gzip"), (zlib.compress, b"deflate"),
                                         (lambda b: zlib.compress(b)[2:-4], b"deflate"),
                                         (brotli.compress, b"br")])
def test_decode_body_whole_cut_and_too_large(encode, name: bytes) -> None:
    data = encode(PAGE)
    assert decode_body(data, [name]) == PAGE
    assert decode_body(data, [name], len(PAGE)) == PAGE
    for cut in (len(data) // 2, len(data) - 1):
        with pytest.raises(CompressedBodyError):
            decode_body(data[:cut], [name])
    with pytest.raises(DecompressedTooLargeError):
        decode_body(data, [name], len(PAGE) - 1)


def test_decode_body_gzip_members_padding_and_stacked_encodings() -> None:
    assert decode_body(gzip.compress(b"ab") + gzip.compress(b"cd") + b"\0\0", [b"gzip"]) == b"abcd"
    assert decode_body(gzip.compress(zlib.compress(b"x")), [b"deflate", b"gzip"]) == b"x"
    with pytest.raises(CompressedBodyError):
        decode_body(b"\x1f\x8b\x08\x00garbage", [b"gzip"])


def test_middleware_decodes_once_and_leaves_the_rest_alone() -> None:
    crawler = get_crawler(settings_dict={"RETRY_ENABLED": False})
    crawler.stats.open_spider()
    mw = CompleteBodyMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1/a")
    headers = {"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"}
    response = HtmlResponse(request.url, body=gzip.compress(PAGE), headers=headers,
                            request=request)
    decoded = mw.process_response(request, response)
    assert decoded.body == PAGE and b"Content-Encoding" not in decoded.headers
    assert isinstance(decoded, HtmlResponse)
    with pytest.raises(CompressedBodyError):
        mw.process_response(request, response.replace(body=gzip.compress(PAGE)[:-20]))
    assert crawler.stats.get_value("newscrawl/download/truncated_body") == 1
    error_page = response.replace(status=404, body=gzip.compress(PAGE)[:-20])
    assert mw.process_response(request, error_page) is error_page  # Scrapy's lenient path
    unknown = response.replace(headers={"Content-Encoding": "compress"})
    assert mw.process_response(request, unknown) is unknown


def test_middleware_retries_a_truncated_body_within_retry_times() -> None:
    from scrapy import Spider

    crawler = get_crawler(settings_dict={"RETRY_ENABLED": True, "RETRY_TIMES": 1})
    crawler.stats.open_spider()
    crawler.spider = Spider.from_crawler(crawler, name="faults")
    mw = CompleteBodyMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1/a")
    cut = HtmlResponse(request.url, body=gzip.compress(PAGE)[:-20], request=request,
                       headers={"Content-Encoding": "gzip"})
    retry = mw.process_response(request, cut)
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    with pytest.raises(CompressedBodyError, match="gzip stream ends before its end marker"):
        mw.process_response(retry, cut)
    assert crawler.stats.get_value("retry/reason_count/truncated_body") == 1
