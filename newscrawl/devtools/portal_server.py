"""A small threaded HTTP server for a folder of static portal pages, on 127.0.0.1 port 0.

Used by the tests, the benchmarks and `newscrawl demo`. It logs every request path, and reads an
optional `_rules.txt` in the folder with one rule a line:

    redirect 301 /old/path /new/path     answer with a redirect
    status 410 /path                     answer with this status and no body
    type /path text/html                 Content-Type for one path (e.g. to drop the charset)

Text files may contain the token `{{ORIGIN}}`; it is replaced by the server's own origin
(`http://127.0.0.1:PORT`) so sitemaps and feeds can hold absolute URLs. `.gz` files are
inflated, rewritten and compressed again. Files named `_*` or `*.py` are never served.
"""

from __future__ import annotations

import gzip
import mimetypes
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TOKEN = b"{{ORIGIN}}"
_TEXT_TYPES = {".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
               ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
               ".json": "application/json", ".rss": "application/rss+xml",
               "": "text/html; charset=utf-8"}


class _Rules:
    def __init__(self, root: Path) -> None:
        self.redirects: dict[str, tuple[int, str]] = {}
        self.statuses: dict[str, int] = {}
        self.types: dict[str, str] = {}
        path = root / "_rules.txt"
        if not path.exists():
            return
        for raw in path.read_text(encoding="utf-8").splitlines():
            words = raw.split("#", 1)[0].split()
            if not words:
                continue
            if words[0] == "redirect" and len(words) == 4:
                self.redirects[words[2]] = (int(words[1]), words[3])
            elif words[0] == "status" and len(words) == 3:
                self.statuses[words[2]] = int(words[1])
            elif words[0] == "type" and len(words) >= 3:
                self.types[words[1]] = " ".join(words[2:])
            else:
                raise ValueError(f"{path}: unreadable rule: {raw!r}")


class PortalServer:
    """Serve `root` on 127.0.0.1 (port 0 = any free port); `requests` logs each request path."""

    def __init__(self, root: str | Path, *, port: int = 0, log_file: str | Path | None = None,
                 quiet: bool = True) -> None:
        self.root = Path(root).resolve()
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._log_file = Path(log_file) if log_file else None
        self.quiet = quiet
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually bound."""
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """Origin of the server, with a trailing slash: `http://127.0.0.1:PORT/`."""
        return f"http://127.0.0.1:{self.port}/"

    def log(self, method: str, path: str, status: int) -> None:
        """Record one request (thread-safe); also appended to the log file when one is set."""
        with self._lock:
            self.requests.append(path)
            if self._log_file:
                with self._log_file.open("a", encoding="utf-8") as fh:
                    fh.write(f"{method} {status} {path}\n")

    def paths(self) -> list[str]:
        """A copy of the request log (paths with query)."""
        with self._lock:
            return list(self.requests)

    def start(self) -> PortalServer:
        """Serve in a background thread and return self."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> PortalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- file lookup --------------------------------------------------------------------------
    def resolve(self, path: str) -> Path | None:
        """The file serving a URL path, or None (outside the root, hidden, or missing)."""
        rel = unquote(path).lstrip("/")
        candidates = [rel, f"{rel}/index.html".lstrip("/"), f"{rel}.html"]
        for cand in candidates:
            target = (self.root / cand).resolve()
            if not target.is_relative_to(self.root) or not target.is_file():
                continue
            if target.name.startswith("_") or target.suffix == ".py":
                return None
            return target
        return None


def _make_handler(server: PortalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            if not server.quiet:
                sys.stderr.write(f"{self.address_string()} - {format % args}\n")

        def _send(self, status: int, body: bytes = b"", ctype: str | None = None,
                  headers: dict[str, str] | None = None, head: bool = False) -> None:
            server.log(self.command, self.path, status)
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def do_GET(self, head: bool = False) -> None:  # noqa: N802
            rules = _Rules(server.root)
            path = urlsplit(self.path).path or "/"
            origin = f"http://127.0.0.1:{server.port}"
            if path in rules.redirects:
                code, target = rules.redirects[path]
                if target.startswith("/"):
                    target = origin + target
                self._send(code, ctype="text/plain", headers={"Location": target}, head=head)
                return
            if path in rules.statuses:
                self._send(rules.statuses[path], ctype="text/plain", head=head)
                return
            file = server.resolve(path)
            if file is None:
                self._send(404, b"not found\n", "text/plain; charset=utf-8", head=head)
                return
            data = file.read_bytes()
            ctype = rules.types.get(path)
            if file.suffix == ".gz":
                data = gzip.compress(gzip.decompress(data).replace(TOKEN, origin.encode()),
                                     mtime=0)
                ctype = ctype or "application/gzip"
            else:
                data = data.replace(TOKEN, origin.encode())
                ctype = ctype or _TEXT_TYPES.get(file.suffix.lower()) or (
                    mimetypes.guess_type(file.name)[0] or "application/octet-stream")
            self._send(200, data, ctype, head=head)

        def do_HEAD(self) -> None:  # noqa: N802
            self.do_GET(head=True)

    return Handler


def main(argv: list[str] | None = None) -> int:
    """`python -m newscrawl.devtools.portal_server FOLDER [PORT]`: serve until interrupted."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m newscrawl.devtools.portal_server FOLDER [PORT]", file=sys.stderr)
        return 2
    server = PortalServer(args[0], port=int(args[1]) if len(args) > 1 else 0, quiet=False)
    print(f"serving {server.root} at {server.url}", flush=True)
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
