"""Listing traps: an endless `?page=N` archive stops early, and the listing-page cap is said."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from test_spiders import crawl, stat

ARTICLE = """<html lang="pl"><head><title>{title}</title>
<meta property="og:type" content="article"></head><body><article><h1>{title}</h1>
<p>Pierwszy akapit artykułu numer {n} jest wystarczająco długi, żeby uznać go za tekst.</p>
<p>Drugi akapit opisuje szczegóły sprawy numer {n} i cytuje rozmówców portalu.</p>
<p>Trzeci akapit zamyka tekst numer {n} i zapowiada ciąg dalszy w przyszłym tygodniu.</p>
</article></body></html>"""


class _Archive(BaseHTTPRequestHandler):
    """`/` links three articles and the archive; `/archive?page=N` links to page N+1 and to
    the same three articles (`fresh=1`: one new article per page instead)."""

    fresh = False
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        self.hits.append(self.path)
        if parts.path == "/":
            links = "".join(f'<a href="/wiadomosci/artykul-numer-{n}-o-waznej-sprawie-1234{n}">'
                            f"Artykuł {n}</a>" for n in range(3))
            self._send(f"<html><body>{links}<a href='/archive?page=1'>archiwum</a></body></html>")
        elif parts.path == "/archive":
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            ids = [100 + page] if self.fresh else range(3)
            links = "".join(f'<a href="/wiadomosci/artykul-numer-{n}-o-waznej-sprawie-1234{n}">'
                            f"Artykuł {n}</a>" for n in ids)
            self._send(f"<html><body>{links}<a href='/archive?page={page + 1}'>dalej</a>"
                       "</body></html>")
        elif m := re.fullmatch(r"/wiadomosci/artykul-numer-(\d+)-o-waznej-sprawie-\d+",
                               parts.path):
            self._send(ARTICLE.format(n=m.group(1), title=f"Ważna sprawa numer {m.group(1)}"))
        else:
            self.send_error(404)

    def _send(self, html: str) -> None:
        data = html.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _serve(fresh: bool) -> Iterator[tuple[str, list[str]]]:
    handler = type("Handler", (_Archive,), {"fresh": fresh, "hits": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", handler.hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def endless_archive() -> Iterator[tuple[str, list[str]]]:
    """A portal whose archive pages repeat the same three articles forever."""
    yield from _serve(fresh=False)


@pytest.fixture
def growing_archive() -> Iterator[tuple[str, list[str]]]:
    """A portal whose every archive page adds one new article, forever."""
    yield from _serve(fresh=True)


def test_endless_archive_chain_stops_after_barren_pages(endless_archive, tmp_path: Path):
    url, hits = endless_archive
    items, log = crawl("news", tmp_path / "out.jsonl", f"url={url}", "follow_listing=on")
    archive = [h for h in hits if h.startswith("/archive")]
    assert sorted(i["headline"] for i in items) == [f"Ważna sprawa numer {n}" for n in range(3)]
    # Page 1 and 2 add nothing new: the chain stops there instead of running to the cap.
    assert len(archive) <= 3, archive
    assert stat(log, "newscrawl/listing/chain_stopped") == 1
    assert "listing chain stopped" in log


def test_listing_cap_is_warned_once_and_counted(growing_archive, tmp_path: Path):
    url, hits = growing_archive
    items, log = crawl("news", tmp_path / "out.jsonl", f"url={url}", "follow_listing=on",
                       settings={"NEWSCRAWL_MAX_LISTING_PAGES": "6"})
    archive = [h for h in hits if h.startswith("/archive")]
    assert len(archive) <= 6
    assert log.count("listing-page cap reached (NEWSCRAWL_MAX_LISTING_PAGES=6)") == 1
    assert stat(log, "newscrawl/listing/over_cap") >= 1
    assert stat(log, "newscrawl/listing/chain_stopped") == 0
    assert len(items) >= 6  # the three home articles and one per archive page fetched
