"""Failed requests → a short error type for stats (`newscrawl/errors/<type>`) and a reason."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived


def classify_failure(failure: Any) -> tuple[str, str]:
    """(type, reason) for a Twisted Failure from a request errback.

    Types: `http_<status>`, `dns`, `timeout`, `connection_refused`, `connection_lost`,
    `redirect_loop`, `too_large`, `ignored`, `other`; `skipped/robots` and `skipped/offsite`
    for requests the crawler chose not to make.
    """
    exc = failure.value
    if failure.check(HttpError):
        status = exc.response.status
        return f"http_{status}", f"HTTP {status} after retries" if status >= 500 else \
            f"HTTP {status}"
    if failure.check(net.DNSLookupError):
        return "dns", f"DNS lookup failed: {exc}"
    if failure.check(net.TimeoutError, net.TCPTimedOutError):
        return "timeout", f"timed out: {exc}"
    if failure.check(net.ConnectionRefusedError):
        return "connection_refused", "connection refused"
    if failure.check(net.ConnectionLost, net.ConnectionDone, ResponseFailed,
                     ResponseNeverReceived):
        return "connection_lost", f"connection lost: {exc}"
    if failure.check(IgnoreRequest):
        text = str(exc)
        low = text.lower()
        if "redirect" in low:
            return "redirect_loop", text or "too many redirects"
        if "robots.txt" in low:
            return "skipped/robots", "forbidden by robots.txt"
        if "offsite" in low:
            return "skipped/offsite", text
        if "maxsize" in low or "larger than" in low or "cancelled" in low:
            return "too_large", text
        return "ignored", text or "request ignored"
    return "other", f"{type(exc).__name__}: {exc}"
