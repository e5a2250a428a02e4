"""Scrapy's RetryMiddleware with exponential backoff (and `Retry-After`) between attempts."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries 5xx / 429 / timeouts like Scrapy's, waiting base * 2**(attempt-1) seconds first.

    Settings: RETRY_BACKOFF_BASE (seconds, 0 disables the wait) and RETRY_BACKOFF_MAX (cap,
    also applied to a server's `Retry-After`).
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX")

    def delay_for(self, retry: Request, response: Response | None = None) -> float:
        """Seconds to wait before sending `retry` (its meta holds the attempt number)."""
        attempt = max(int(retry.meta.get("retry_times", 1)), 1)
        delay = self.base * 2 ** (attempt - 1)
        if response is not None:
            header = response.headers.get(b"Retry-After")
            if header and header.strip().isdigit():
                delay = max(delay, float(header.strip()))
        return min(delay, self.cap)

    async def _wait(self, retry: Request, response: Response | None = None) -> None:
        delay = self.delay_for(retry, response)
        if delay > 0:
            logger.debug("retrying %s in %.1fs", retry.url, delay)
            await asyncio.sleep(delay)

    async def process_response(self, request: Request, response: Response,
                               spider: Any = None) -> Request | Response:
        """Retry (after the backoff) when the status is in RETRY_HTTP_CODES."""
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result, response)
        return result

    async def process_exception(self, request: Request, exception: Exception,
                                spider: Any = None) -> Request | Response | None:
        """Retry (after the backoff) timeouts and connection errors."""
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result)
        return result
