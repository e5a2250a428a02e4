"""`newscrawl.fetch_article` / `fetch_page`: one polite request, caps, robots.txt, and items that
convert to plain dicts."""

from __future__ import annotations

import dataclasses
import gzip
import threading
import time
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import FIXTURES, ROOT
from itemadapter import ItemAdapter

import newscrawl
from newscrawl.fetch import USER_AGENT, FetchError, RobotsDisallowed, fetch_page

PAGE = (FIXTURES / "pages" / "rp" / "budzet-obrona.html").read_bytes()


class _Site:
    """Pages by path on 127.0.0.1; records every request's path and User-Agent."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                site.seen.append((self.path, self.headers.get("User-Agent", "")))
                status, headers, body = site.routes.get(self.path, (404, {}, b"missing"))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.path == "/slow":  # headers at once, the body only after a pause
                    self.wfile.flush()
                    time.sleep(1.5)
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def site() -> Iterator[_Site]:
    s = _Site()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def test_fetch_article_is_one_request_with_an_identifying_agent(site: _Site) -> None:
    site.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: *\n")
    site.routes["/old"] = (301, {"Location": "/art"}, b"")
    site.routes["/art"] = (200, {"Content-Type": "text/html; charset=utf-8",
                                 "Content-Encoding": "gzip"}, gzip.compress(PAGE))
    article = newscrawl.fetch_article(site.url + "/old")
    assert article.headline == "Sejm przyjął budżet na obronność. Rekordowe wydatki"
    assert article.url == site.url + "/art"  # the final URL, after the redirect
    assert article.fetched_at
    assert [p for p, _ in site.seen] == ["/robots.txt", "/old", "/art"]
    assert {ua for _, ua in site.seen} == {USER_AGENT}


def test_user_agent_names_version_and_project_url() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert USER_AGENT == f"newscrawl/{project['version']} (+{project['urls']['Homepage']})"


def test_items_convert_to_plain_dicts(site: _Site) -> None:
    site.routes["/art"] = (200, {"Content-Type": "text/html"}, PAGE)
    article = newscrawl.fetch_article(site.url + "/art", obey_robots=False)
    plain = dataclasses.asdict(article)
    assert plain == ItemAdapter(article).asdict()
    assert isinstance(plain["related"], list) and all(
        isinstance(link, dict) and set(link) == {"title", "url"} for link in plain["related"])
    assert plain["body"] == article.body and plain["headline"] == article.headline


def test_robots_txt_is_obeyed(site: _Site) -> None:
    site.routes["/robots.txt"] = (200, {}, b"User-agent: newscrawl\nDisallow: /private\n")
    site.routes["/private/a"] = (200, {}, PAGE)
    with pytest.raises(RobotsDisallowed):
        fetch_page(site.url + "/private/a")
    assert "/private/a" not in [p for p, _ in site.seen]
    assert fetch_page(site.url + "/private/a", obey_robots=False).body == PAGE


def test_caps_and_errors_are_fetch_errors(site: _Site) -> None:
    site.routes["/big"] = (200, {}, b"x" * 5000)
    site.routes["/gone"] = (410, {}, b"")
    site.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        fetch_page(site.url + "/big", max_bytes=1000, obey_robots=False)
    with pytest.raises(FetchError, match="HTTP 410"):
        fetch_page(site.url + "/gone", obey_robots=False)
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch_page(site.url + "/loop", obey_robots=False)
    site.routes["/slow"] = (200, {}, PAGE)
    with pytest.raises(FetchError, match="timed out"):
        fetch_page(site.url + "/slow", timeout=0.3, obey_robots=False)
    with pytest.raises(FetchError, match="not an http"):
        fetch_page("file:///etc/hostname")
    with pytest.raises(TypeError, match="url must be a str"):
        fetch_page(b"http://127.0.0.1/")  # type: ignore[arg-type]


def test_public_api_names() -> None:
    assert {"extract_article", "fetch_article", "FetchError", "Article"} <= set(newscrawl.__all__)
    article = newscrawl.extract_article(PAGE)  # no URL: the page's canonical stands in
    assert article.portal == "rp" and article.url.startswith("https://www.rp.pl/")


def test_a_refused_connection_is_named_as_such_not_as_a_timeout() -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with pytest.raises(FetchError) as caught:
            fetch_page(f"http://127.0.0.1:{port}/x", obey_robots=False)
    assert "connection failed" in str(caught.value)
    assert "refused" in str(caught.value).lower()
    assert "timed out" not in str(caught.value)
