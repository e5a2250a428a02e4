"""A scripted, misbehaving HTTP/1.1 server on 127.0.0.1 for fault tests (raw sockets, threads).

Each path gets a `Script`: what to send and how to break. One request per connection
(`Connection: close`); unknown paths get a 404.

    from hostile_server import HostileServer, Script, refused_origin

    with HostileServer({
        "/ok": Script(body="<html>...</html>", headers={"Content-Type": "text/html"}),
        "/slow": Script(delay_headers=5),              # nothing for 5 s: a client timeout
        "/stall": Script(body=b"x" * 1000, delay_body=5),  # half the body, then 5 s of silence
        "/cut": Script(body=b"x" * 1000, cut_after=100),  # Content-Length 1000, 100 bytes, close
        "/reset": Script(reset=True),                  # RST (SO_LINGER 0) before any byte
        "/reset-mid": Script(body=b"x" * 1000, cut_after=100, reset=True),  # RST mid-body
        "/gz": Script(body=page, gzip=True),           # Content-Encoding: gzip, whole
        "/gz-cut": Script(body=page, gzip=True, gzip_cut=0.5),  # gzip cut short, honest length
        "/moved": Script(redirect="http://127.0.0.2:1/"),  # 302 to any URL
        "/loop": Script(endless_redirect=True),        # /loop -> /loop/1 -> /loop/2 -> ...
    }) as server:
        server.origin                  # "http://127.0.0.1:PORT"
        server.url("/ok")              # origin + path
        server.route("/new", Script(status=503))  # add or replace a path while running
        server.requests                # [(method, path), ...] in arrival order
        server.hits("/ok")             # how many requests asked for that path (query ignored)

A TLS ClientHello (an `https://` URL on the server's port) gets a plain-text 400: a TLS failure.
`refused_origin()` gives an origin whose port was bound and closed again: connecting is refused.
`-s TWISTED_DNS_RESOLVER=hostile_server.LoopbackResolver` (tests/ on PYTHONPATH) makes every host
name but `localhost` fail DNS at once, with no query leaving the machine.
`host="127.0.0.2"` serves as "another host". Bodies given as `str` are sent as UTF-8.
"""

from __future__ import annotations

import gzip as gzip_module
import ipaddress
import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer


@dataclass
class Script:
    """How one path answers: status, headers, body, and the fault to inject (see module doc)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str = b""
    #: Declared Content-Length; None: the real length of what is meant to be sent.
    content_length: int | None = None
    #: Seconds of silence before the status line / after the first half of the body.
    delay_headers: float = 0.0
    delay_body: float = 0.0
    #: Send only this many body bytes, then close (the declared Content-Length stays).
    cut_after: int | None = None
    #: Close with a TCP reset: before any byte, or (with `cut_after`) instead of the clean close.
    reset: bool = False
    #: gzip the body and say so; `gzip_cut` keeps this share (0-1) of the gzip stream, with a
    #: Content-Length that matches what is sent (a truncated stream, honestly delivered).
    gzip: bool = False
    gzip_cut: float | None = None
    #: 302 to this URL; `endless_redirect`: every `<path>` and `<path>/<n>` 302s to `<path>/<n+1>`.
    redirect: str | None = None
    endless_redirect: bool = False


class HostileServer:
    """Serve `routes` (path → Script) on `host`, port 0; a context manager (see module doc)."""

    def __init__(self, routes: dict[str, Script] | None = None, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Script] = dict(routes or {})
        self.requests: list[tuple[str, str]] = []
        self._host = host
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- public API ---------------------------------------------------------------------------
    @property
    def origin(self) -> str:
        """`http://host:port` of the running server."""
        return f"http://{self._host}:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL of `path` on this server."""
        return self.origin + path

    def route(self, path: str, script: Script) -> None:
        """Add or replace the script of `path` (also while serving)."""
        with self._lock:
            self.routes[path] = script

    def hits(self, path: str) -> int:
        """Requests received for `path` (query string ignored)."""
        with self._lock:
            return sum(1 for _, p in self.requests if urlsplit(p).path == path)

    def __enter__(self) -> HostileServer:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((self._host, 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._sock is not None:
            self._sock.close()

    # -- serving ------------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
                if data.startswith(b"\x16\x03"):  # a TLS ClientHello: answer in plain text
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
                    return
            method, target = (data.split(b"\r\n", 1)[0].decode("latin-1").split(" ") + ["", ""])[:2]
            with self._lock:
                self.requests.append((method, target))
                script = self._script_for(urlsplit(target).path)
            self._answer(conn, method, target, script)
        except OSError:
            pass
        finally:
            conn.close()

    def _script_for(self, path: str) -> Script:
        if path in self.routes:
            return self.routes[path]
        for prefix, script in self.routes.items():
            if script.endless_redirect and path.startswith(prefix.rstrip("/") + "/"):
                return script
        return Script(status=404, body=b"not found", headers={"Content-Type": "text/plain"})

    def _answer(self, conn: socket.socket, method: str, target: str, script: Script) -> None:
        if script.reset and script.cut_after is None:
            _reset(conn)
            return
        if self._stop.wait(script.delay_headers):
            return
        status, headers, body = script.status, dict(script.headers), script.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        if script.endless_redirect:
            path = urlsplit(target).path
            base, _, last = path.rpartition("/")
            nxt = f"{base}/{int(last) + 1}" if last.isdigit() else f"{path.rstrip('/')}/1"
            status, headers["Location"] = 302, nxt
        elif script.redirect is not None:
            status = script.status if 300 <= script.status < 400 else 302
            headers["Location"] = script.redirect
        if script.gzip:
            body = gzip_module.compress(body)
            if script.gzip_cut is not None:
                body = body[:max(1, int(len(body) * script.gzip_cut))]
            headers["Content-Encoding"] = "gzip"
        length = script.content_length if script.content_length is not None else len(body)
        head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}",
                f"Content-Length: {length}", "Connection: close"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if method == "HEAD":
            return
        if script.cut_after is not None:
            conn.sendall(body[:script.cut_after])
            if script.reset:
                _reset(conn)
            return
        half = len(body) // 2 if script.delay_body else len(body)
        conn.sendall(body[:half])
        if script.delay_body and self._stop.wait(script.delay_body):
            return
        conn.sendall(body[half:])


_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found",
            500: "Internal Server Error", 503: "Service Unavailable"}


def _reset(conn: socket.socket) -> None:
    """Close with RST instead of FIN (SO_LINGER on, timeout 0)."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def refused_origin(host: str = "127.0.0.1") -> str:
    """An origin nobody listens on: a port bound, then closed again (connecting is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    return f"http://{host}:{port}"


@implementer(IResolverSimple)
class LoopbackResolver:
    """A Scrapy TWISTED_DNS_RESOLVER for tests: IP literals resolve to themselves, `localhost` to
    127.0.0.1, any other name fails at once with DNSLookupError (no DNS query is sent)."""

    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> LoopbackResolver:
        """Built by Scrapy's crawler process."""
        return cls(reactor)

    def install_on_reactor(self) -> None:
        """Become the reactor's resolver."""
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout: Any = ()) -> defer.Deferred:  # noqa: N802
        """The address of `name`, or a failed Deferred for anything but loopback names."""
        if name == "localhost":
            return defer.succeed("127.0.0.1")
        try:
            return defer.succeed(str(ipaddress.ip_address(name)))
        except ValueError:
            return defer.fail(DNSLookupError(f"{name}: only loopback names resolve in tests"))
