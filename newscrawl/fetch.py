"""Fetch one page politely and extract its article, outside a crawl (`fetch_article`, and
`newscrawl extract URL`).

One request per page (plus robots.txt once per host), redirects followed up to a cap, a body
size cap, timeouts (connect, each read, and 4x that for the whole body) and an identifying user
agent; robots.txt is obeyed unless told otherwise.
urllib3 does the HTTP (it comes with Scrapy through tldextract/requests, and needs no reactor,
so a single page costs no Twisted start-up); Protego, Scrapy's own parser, reads robots.txt.
The bytes and Content-Type go to `extract_article`, the same decoding path as a crawl.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import urllib3
from protego import Protego

from newscrawl.about import PROJECT_URL, __version__
from newscrawl.items import Article

__all__ = ["USER_AGENT", "FetchError", "Page", "RobotsDisallowed", "fetch_article", "fetch_page"]

#: Identifies newscrawl to the sites it reads; robots.txt rules are matched on `newscrawl`.
USER_AGENT = f"newscrawl/{__version__} (+{PROJECT_URL})"
#: Defaults: seconds to connect / to read, redirects followed, bytes of body read at most.
TIMEOUT = 30.0
MAX_REDIRECTS = 5
MAX_BYTES = 16 * 1024 * 1024
_CHUNK = 64 * 1024

_pool: urllib3.PoolManager | None = None
_robots: dict[str, Protego | None] = {}
_lock = threading.Lock()


class FetchError(Exception):
    """The page could not be fetched; the message says why in a few words."""


class RobotsDisallowed(FetchError):
    """robots.txt of the site forbids the page to newscrawl's user agent."""


@dataclass
class Page:
    """A fetched page: final URL (after redirects), status, Content-Type and body bytes."""

    url: str
    status: int
    content_type: str | None
    body: bytes


def _manager() -> urllib3.PoolManager:
    global _pool
    with _lock:
        if _pool is None:
            _pool = urllib3.PoolManager(num_pools=32)
        return _pool


def _get(url: str, *, timeout: float, max_bytes: int, max_redirects: int,
         user_agent: str) -> Page:
    """One GET, redirects followed; FetchError for network errors, caps, and HTTP >= 400."""
    headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate",
               "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
    retries = urllib3.Retry(total=None, connect=0, read=0, status=0, other=0,
                            redirect=max_redirects, raise_on_redirect=True,
                            raise_on_status=False)
    try:
        response = _manager().request(
            "GET", url, headers=headers, preload_content=False, redirect=True, retries=retries,
            timeout=urllib3.Timeout(connect=timeout, read=timeout))
    except urllib3.exceptions.MaxRetryError as exc:
        if isinstance(exc.reason, urllib3.exceptions.ResponseError):
            raise FetchError(f"more than {max_redirects} redirects") from None
        raise FetchError(_reason(exc.reason)) from None
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(_reason(exc)) from None
    try:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise FetchError(f"body larger than {max_bytes} bytes (Content-Length {length})")
        chunks, size = [], 0
        deadline = time.monotonic() + 4 * timeout  # a body trickling in does not hold us forever
        for chunk in response.stream(_CHUNK, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"body larger than {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchError(f"timed out (body still arriving after {4 * timeout:g} s)")
            chunks.append(chunk)
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(_reason(exc)) from None
    finally:
        response.release_conn()
    # urllib3 keeps the last Location as sent (possibly relative): resolve it on the last hop.
    history = response.retries.history if response.retries else ()
    final = urljoin(history[-1].url, response.url) if history and response.url else url
    if response.status >= 400:
        raise FetchError(f"HTTP {response.status}")
    return Page(url=final, status=response.status,
                content_type=response.headers.get("Content-Type"), body=b"".join(chunks))


def _reason(exc: BaseException | None) -> str:
    """A short reason for a urllib3 error (timeouts and refused connections named plainly)."""
    # Most specific first: urllib3's NameResolutionError is a NewConnectionError, which is a
    # ConnectTimeoutError (a TimeoutError) although nothing timed out.
    if isinstance(exc, urllib3.exceptions.NameResolutionError):
        return "host name not resolved"
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "connection failed: " + str(exc).rsplit(":", 1)[-1].strip()
    if isinstance(exc, (urllib3.exceptions.TimeoutError, TimeoutError)):
        return "timed out"
    text = str(exc) if exc is not None else "unknown error"
    return text if len(text) < 200 else text[:197] + "..."


def _robots_for(url: str, *, timeout: float, user_agent: str) -> Protego | None:
    """The site's parsed robots.txt, fetched once per origin; None allows all (no file, or it
    could not be read, as Scrapy's robots.txt middleware treats it)."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    with _lock:
        if origin in _robots:
            return _robots[origin]
    try:
        page = _get(origin + "/robots.txt", timeout=timeout, max_bytes=512 * 1024,
                    max_redirects=MAX_REDIRECTS, user_agent=user_agent)
        rules: Protego | None = Protego.parse(page.body.decode("utf-8", "replace"))
    except FetchError:
        rules = None
    with _lock:
        _robots[origin] = rules
    return rules


def fetch_page(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES,
               max_redirects: int = MAX_REDIRECTS, user_agent: str = USER_AGENT,
               obey_robots: bool = True) -> Page:
    """Fetch one http(s) page; FetchError (RobotsDisallowed for robots.txt) says why not."""
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__}")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise FetchError(f"not an http(s) URL: {url!r}")
    if obey_robots:
        rules = _robots_for(url, timeout=timeout, user_agent=user_agent)
        if rules is not None and not rules.can_fetch(url, user_agent.split("/", 1)[0]):
            raise RobotsDisallowed("disallowed by robots.txt (--ignore-robots to fetch anyway)")
    return _get(url, timeout=timeout, max_bytes=max_bytes, max_redirects=max_redirects,
                user_agent=user_agent)


def fetch_article(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES,
                  user_agent: str = USER_AGENT, obey_robots: bool = True,
                  portal: str | None = None) -> Article:
    """Fetch `url` and extract its article, as a crawl would (`fetched_at` set, final URL after
    redirects). Raises FetchError when the page cannot be fetched, ExtractionError when it is
    not HTML."""
    from newscrawl.routing import extract_article

    page = fetch_page(url, timeout=timeout, max_bytes=max_bytes, user_agent=user_agent,
                      obey_robots=obey_robots)
    return extract_article(page.body, page.url, fetched_at=datetime.now(UTC), portal=portal,
                           content_type=page.content_type)
