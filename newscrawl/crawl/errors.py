"""Failed requests → a short error type for stats (`newscrawl/errors/<type>`) and a reason."""

from __future__ import annotations

import gzip
import ssl
import struct
import zlib
from typing import Any

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
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as net
from twisted.web.client import ResponseFailed
from twisted.web.error import SchemeNotSupported

#: (exception classes, type, reason prefix), first match wins; TLS and HttpError come before.
_BY_CLASS: tuple[tuple[tuple[type[BaseException], ...], str, str], ...] = (
    ((DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError, defer.TimeoutError,
      TimeoutError), "timeout", "timed out"),
    ((CannotResolveHostError, net.DNSLookupError, net.UnknownHostError), "dns",
     "DNS lookup failed"),
    ((DownloadConnectionRefusedError, net.ConnectError, ConnectionRefusedError),
     "connection_refused", "could not connect"),
    ((ResponseDataLossError, gzip.BadGzipFile, zlib.error, EOFError, struct.error), "truncated",
     "body cut short"),
    ((DownloadCancelledError, defer.CancelledError), "too_large", "download cancelled"),
    ((DownloadFailedError, ResponseFailed, net.ConnectionLost, net.ConnectionDone,
      ConnectionError), "connection_lost", "connection lost"),
    ((UnsupportedURLSchemeError, NotSupported, SchemeNotSupported), "unsupported_scheme",
     "unsupported URL"),
)
#: IgnoreRequest messages of Scrapy's own middlewares (lower case) → type.
_IGNORED = (("max redirections", "redirect_loop"), ("redirect", "redirect_loop"),
            ("robots.txt", "skipped/robots"), ("offsite", "skipped/offsite"),
            ("maxsize", "too_large"), ("larger than", "too_large"))


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, its causes and contexts, and the reasons a Twisted ResponseFailed wraps."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) < 20:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        todo += [item.__cause__, item.__context__]
        for reason in getattr(item, "reasons", None) or ():
            todo.append(getattr(reason, "value", None))
    return seen


def _tls_error(exc: BaseException) -> BaseException | None:
    """An OpenSSL / ssl / certificate verification error anywhere in the chain."""
    for item in _chain(exc):
        if isinstance(item, (ssl.SSLError, ssl.CertificateError, net.SSLError)) or any(
                cls.__module__.split(".")[0] in ("OpenSSL", "service_identity")
                for cls in type(item).__mro__):
            return item
    return None


def _tls_text(item: BaseException) -> str:
    """OpenSSL's `[(lib, func, reason), ...]` as its reasons; other errors as they print."""
    stack = item.args[0] if item.args and isinstance(item.args[0], list) else None
    if stack and all(isinstance(entry, tuple) and entry for entry in stack):
        return "; ".join(str(entry[-1]) for entry in stack)
    return _text(item)


def _text(exc: BaseException) -> str:
    """`str(exc)`, or the first plain message in its chain (Scrapy often wraps with none, and
    Twisted's ResponseFailed only lists Failure reprs)."""
    for item in _chain(exc):
        text = str(item).strip()
        if text and not getattr(item, "reasons", None) and not text.startswith("[<"):
            return f"{type(item).__name__}: {text}" if item is not exc else text
    return type(exc).__name__


def classify_failure(failure: Any) -> tuple[str, str]:
    """(type, reason) for a Twisted Failure (or a bare exception) from a request errback.

    Types, first match wins:

    - an exception with a `newscrawl_kind` attribute: exactly that type (`str(exc)` as reason)
    - `http_<status>`: a response with a non-2xx status the spider does not handle (HttpError)
    - `tls`: TLS handshake or certificate verification failed (OpenSSL, ssl, service_identity)
    - `timeout`: the download took longer than DOWNLOAD_TIMEOUT
    - `dns`: the host name could not be resolved
    - `connection_refused`: no connection could be made (refused, unreachable, proxy tunnel)
    - `truncated`: the body ended early (data loss), or a compressed body is truncated or corrupt
    - `too_large`: the download was cancelled, e.g. over DOWNLOAD_MAXSIZE (also when inflated)
    - `connection_lost`: the connection closed or was reset before a whole response came
    - `unsupported_scheme`: no download handler for the URL's scheme
    - `redirect_loop`: more than REDIRECT_MAX_TIMES redirects
    - `skipped/robots`, `skipped/offsite`: requests the crawler chose not to make
    - `ignored`: any other IgnoreRequest
    - `other`: anything else, the exception's class name in the reason
    """
    exc = getattr(failure, "value", failure)
    kind = getattr(exc, "newscrawl_kind", None)
    if isinstance(kind, str) and kind:
        return kind, str(exc) or kind
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", f"HTTP {status} after retries" if status >= 500 else \
            f"HTTP {status}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        low = text.lower()
        for needle, kind in _IGNORED:
            if needle in low:
                return kind, text
        return "ignored", text or "request ignored"
    tls = _tls_error(exc)
    if tls is not None:
        return "tls", f"TLS failed: {_tls_text(tls)}"
    for classes, kind, prefix in _BY_CLASS:
        if isinstance(exc, classes):
            return kind, f"{prefix}: {_text(exc)}"
    return "other", f"{type(exc).__name__}: {exc}"
