"""Crawl progress: a line in the log every NEWSCRAWL_PROGRESS_INTERVAL seconds and, on a
terminal, a live status line on stderr.

Like Scrapy's LogStats, but about articles: how many, how fast, how much is queued, how many
errors, e.g. `Progress: 120 articles (34.5/min), 310 pages, 42 queued, 3 errors`. The live line
(`NEWSCRAWL_PROGRESS_TERMINAL`) is redrawn every second when stderr is a terminal; log records
clear it before they print, and it never goes into a LOG_FILE or a pipe.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from typing import IO, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


#: Seconds between two redraws of the live terminal line.
LIVE_INTERVAL = 1.0


class Progress:
    """Scrapy extension; 0 (or negative) NEWSCRAWL_PROGRESS_INTERVAL switches the log line off,
    NEWSCRAWL_PROGRESS_TERMINAL the live line (which only ever shows on a terminal)."""

    def __init__(self, crawler: Any, interval: float, line: TerminalLine | None = None) -> None:
        self.crawler = crawler
        self.interval = interval
        self.line = line if line is not None and line.enabled else None
        self.started = time.monotonic()
        self._task: task.LoopingCall | None = None
        self._live: task.LoopingCall | None = None
        self._handler: logging.Handler | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        """Build from the crawler's settings and hook the spider signals."""
        interval = crawler.settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL")
        line = TerminalLine() if crawler.settings.getbool("NEWSCRAWL_PROGRESS_TERMINAL") else None
        if interval <= 0 and (line is None or not line.enabled):
            raise NotConfigured
        ext = cls(crawler, interval, line)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        """Start the periodic log line and, on a terminal, the live line."""
        self.started = time.monotonic()
        if self.interval > 0:
            self._task = task.LoopingCall(self.log)
            self._task.start(self.interval, now=False)
        if self.line is not None:
            self._attach()
            self._live = task.LoopingCall(self.draw)
            self._live.start(LIVE_INTERVAL, now=False)

    def _attach(self) -> None:
        """Clear the live line before any log record prints (to the same terminal or not)."""
        from scrapy.utils.log import get_scrapy_root_handler

        self._handler = get_scrapy_root_handler()
        if self._handler is not None:
            self._handler.addFilter(self._clear_line)

    def _clear_line(self, record: logging.LogRecord) -> bool:
        if self.line is not None:
            self.line.clear()
        return True

    def draw(self) -> None:
        """Redraw the live line on the terminal."""
        if self.line is None:
            return
        s = self.snapshot()
        elapsed = int(time.monotonic() - self.started)
        self.line.show(f"{s['articles']} articles ({s['per_minute']:.1f}/min), {s['pages']} pages,"
                       f" {s['queued']} queued, {s['errors']} errors, {elapsed // 60}:"
                       f"{elapsed % 60:02d}", force=True)

    def snapshot(self) -> dict[str, float]:
        """The figures of one progress line."""
        stats = self.crawler.stats.get_stats()
        minutes = max(time.monotonic() - self.started, 1e-6) / 60
        articles = stats.get("item_scraped_count", 0)
        errors = sum(v for k, v in stats.items() if k.startswith("newscrawl/errors/"))
        queued = 0
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling yet
            engine = None
        if engine is not None:
            scheduler = getattr(engine, "scheduler", None)  # Scrapy >= 2.19
            try:
                queued = len(scheduler) if scheduler is not None else 0
            except TypeError:  # a scheduler without __len__
                queued = 0
            queued += len(engine.downloader.active)
        return {"articles": articles, "per_minute": articles / minutes,
                "pages": stats.get("response_received_count", 0), "queued": queued,
                "errors": errors}

    def log(self) -> None:
        """Write one progress line."""
        s = self.snapshot()
        logger.info("Progress: %d articles (%.1f/min), %d pages, %d queued, %d errors",
                    s["articles"], s["per_minute"], s["pages"], s["queued"], s["errors"])

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Stop the periodic log and the live line, and write the last log line."""
        for loop in (self._task, self._live):
            if loop is not None and loop.running:
                loop.stop()
        if self._handler is not None:
            self._handler.removeFilter(self._clear_line)
        if self.line is not None:
            self.line.clear()
        self.log()


class TerminalLine:
    """One status line redrawn in place on a terminal (stderr by default); does nothing when the
    stream is not a terminal, so piped output and log files never see it."""

    def __init__(self, stream: IO[str] | None = None, *, min_interval: float = 0.1) -> None:
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.enabled = self.stream.isatty()
        except (AttributeError, ValueError):
            self.enabled = False
        self.min_interval = min_interval
        self._shown = False
        self._last = 0.0

    def show(self, text: str, *, force: bool = False) -> None:
        """Draw `text` over the previous line (at most every `min_interval` s unless `force`)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self.min_interval:
            return
        self._last = now
        width = max(shutil.get_terminal_size((80, 20)).columns - 1, 10)
        self.stream.write("\r\x1b[K" + text[:width])
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Erase the line, e.g. before other output goes to the same terminal."""
        if self.enabled and self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


def bar(done: int, total: int, width: int = 24) -> str:
    """A text progress bar: `[#######.........]`."""
    filled = width * done // total if total else width
    return "[" + "#" * filled + "." * (width - filled) + "]"
