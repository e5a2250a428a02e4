"""The run report: what a crawl produced, what it dropped and how complete the fields were.

`RunReport` is a Scrapy extension (`EXTENSIONS`, switch `NEWSCRAWL_REPORT_ENABLED`). When the
crawl ends it logs a summary and writes `<feed>.stats.json` next to every local feed file:
articles, dropped items by reason, duplicates, errors by type, field coverage (share of articles
with a non-empty value per field) and elapsed time. A field whose coverage falls under its floor
(`NEWSCRAWL_COVERAGE_FLOORS`) is logged as a warning naming the field: that is how a portal's
markup change shows up before anyone reads the data. The report also says whether the run
failed and why (`failed`, `failure`), by the same rule `newscrawl crawl` uses for its exit status
(`run_failed`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured
from w3lib.url import file_uri_to_path

from newscrawl import defaults
from newscrawl.items import ARTICLE_FIELDS

logger = logging.getLogger(__name__)

#: Fields whose coverage says nothing (flags and counters with defaults).
UNMEASURED_FIELDS = frozenset({"paywalled", "updated", "version"})
REPORT_SUFFIX = ".stats.json"
#: `newscrawl/duplicates/<key>` counters of articles (the rest count skipped requests).
ITEM_DUPLICATE_KEYS = ("url", "fingerprint")
#: Finish reasons of a run that did its job: the engine ran out of work, or the spider's own
#: `-a limit=` was reached. Anything else (shutdown, CLOSESPIDER_* cuts, ...) is incomplete.
NORMAL_FINISH_REASONS = frozenset({"finished", "limit"})
#: Runs refused before their first request (newscrawl.crawl.preflight), and what the reason means.
REFUSED_FINISH_REASONS: dict[str, str] = {
    "skipped_locked": "skipped: another run of the spider holds its run lock",
    "feed_unwritable": "refused: a feed cannot be written",
    "lock_unavailable": "refused: the run lock cannot be taken",
    "bad_setting": "refused: a setting has a value of the wrong type",
}


def is_empty(value: Any) -> bool:
    """None, blank strings, empty containers and zero counts are empty."""
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set)):
        return not value
    if isinstance(value, (int, float)):
        return value == 0
    return False


def resolve_floors(settings: Any, spider: Any = None) -> dict[str, float]:
    """Coverage floors for this spider: the setting's field→share entries, overridden by an
    entry keyed by the spider's name (a nested dict) and by a `coverage_floors` spider attribute.
    """
    raw = settings.getdict("NEWSCRAWL_COVERAGE_FLOORS") if settings is not None else {}
    if not raw:  # unset or empty: the add-on's default floors
        raw = dict(defaults.NEWSCRAWL_COVERAGE_FLOORS)
    floors = {k: float(v) for k, v in raw.items() if not isinstance(v, dict)}
    name = getattr(spider, "name", None)
    if name and isinstance(raw.get(name), dict):
        floors.update({k: float(v) for k, v in raw[name].items()})
    own = getattr(spider, "coverage_floors", None) or {}
    floors.update({k: float(v) for k, v in own.items()})
    return floors


def run_failed(stats: Mapping[str, Any]) -> str | None:
    """Why a run failed, from its Scrapy stats, or None when it did not: the one rule behind the
    run report's `failed` field and the exit status of `newscrawl crawl`."""
    reason = stats.get("finish_reason")
    if reason is None:
        return "the crawl did not run to its end (no finish reason)"
    if reason in REFUSED_FINISH_REASONS:
        return REFUSED_FINISH_REASONS[reason]
    if reason == "shutdown":
        return "interrupted (finish reason 'shutdown')"
    if reason not in NORMAL_FINISH_REASONS:
        return f"finish reason {reason!r}"
    unstored = sum(int(v) for v in _prefixed(stats, "feedexport/failed_count/").values())
    if unstored:
        return f"{unstored} feed(s) could not be stored"
    if int(stats.get("newscrawl/database/unstored", 0)):
        return (f"{stats['newscrawl/database/unstored']} article(s) could not be stored in the "
                f"database ({stats.get('newscrawl/database/failed', 'see the log')})")
    if int(stats.get("item_scraped_count", 0)):
        return None
    downloads = {k.rsplit(".", 1)[-1]: int(v) for k, v in
                 _prefixed(stats, "downloader/exception_type_count/").items()}
    if not int(stats.get("response_received_count", 0)) and downloads:
        return (f"portal unreachable: no response, {sum(downloads.values())} download errors "
                f"({_counts(downloads)})")
    crawl = _prefixed(stats, "newscrawl/errors/")
    spider = {k: v for k, v in _prefixed(stats, "spider_exceptions/").items() if "/" not in k}
    errors = sum(crawl.values()) + sum(spider.values()) + sum(downloads.values())
    if errors:
        parts = {**crawl, **{f"spider {k}": v for k, v in spider.items()},
                 **({} if crawl else downloads)}
        return f"no article and {errors} errors ({_counts(parts)})"
    return None


def _errors(stats: dict[str, Any]) -> dict[str, Any]:
    """Errors by type, grouped by where they were counted (the groups may overlap: a timeout
    is both a classified crawl error and a downloader exception)."""
    downloader = {k.rsplit(".", 1)[-1]: v for k, v in
                  _prefixed(stats, "downloader/exception_type_count/").items()}
    spider = {k: v for k, v in _prefixed(stats, "spider_exceptions/").items() if "/" not in k}
    return {
        "crawl": _prefixed(stats, "newscrawl/errors/"),
        "downloader": downloader,
        "spider_exceptions": spider,
        "logged": int(stats.get("log_count/ERROR", 0)),
    }


def _rendering(stats: dict[str, Any]) -> dict[str, Any]:
    """Browser rendering figures: pages rendered, browser-seconds, errors, plain-HTML fallbacks."""
    pages = int(stats.get("newscrawl/render/pages", 0))
    seconds = float(stats.get("newscrawl/render/seconds", 0.0))
    return {
        "pages": pages,
        "seconds": round(seconds, 3),
        "seconds_per_page": round(seconds / pages, 3) if pages else None,
        "errors": _prefixed(stats, "newscrawl/render/errors/"),
        "fallback": int(stats.get("newscrawl/render/fallback", 0)),
    }


def _prefixed(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}


def local_path(uri: str) -> Path | None:
    """Filesystem path of a feed URI (`file://...` or a plain path), None for other storages."""
    if uri.startswith("file:"):
        return Path(file_uri_to_path(uri))
    if "://" in uri or uri in ("-", "stdout:") or uri.startswith("stdout:"):
        return None
    return Path(uri)


class RunReport:
    """Scrapy extension: counts field coverage of scraped items, reports when the engine stops."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.items = 0
        self.filled: dict[str, int] = {}
        self.feeds: list[dict[str, Any]] = []
        self.report: dict[str, Any] | None = None
        self.written: list[Path] = []
        self._started = time.monotonic()
        self._elapsed: float | None = None
        self._started_at = datetime.now(UTC)
        self._finish_reason: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunReport:
        """Connect to the crawler's signals; NotConfigured when NEWSCRAWL_REPORT_ENABLED is off."""
        if not crawler.settings.getbool("NEWSCRAWL_REPORT_ENABLED"):
            raise NotConfigured("NEWSCRAWL_REPORT_ENABLED is off")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider: Any) -> None:
        """Start the clock."""
        self._started = time.monotonic()
        self._started_at = datetime.now(UTC)

    def item_scraped(self, item: Any, spider: Any = None) -> None:
        """Count which fields the item filled."""
        self.items += 1
        adapter = ItemAdapter(item)
        for name in ARTICLE_FIELDS:
            if name not in UNMEASURED_FIELDS and not is_empty(adapter.get(name)):
                self.filled[name] = self.filled.get(name, 0) + 1

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Stop the clock."""
        self._elapsed = time.monotonic() - self._started
        self._finish_reason = reason

    def feed_slot_closed(self, slot: Any) -> None:
        """Remember every stored feed (one per batch file)."""
        self.feeds.append({"uri": slot.uri, "format": slot.format, "items": slot.itemcount})

    def coverage(self) -> dict[str, float]:
        """Share of scraped articles with a non-empty value, per measured field."""
        if not self.items:
            return {}
        return {name: round(self.filled.get(name, 0) / self.items, 4)
                for name in ARTICLE_FIELDS if name not in UNMEASURED_FIELDS}

    def build(self) -> dict[str, Any]:
        """The report as a JSON-ready dict (without the per-feed part)."""
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        spider = self.crawler.spider
        floors = resolve_floors(self.settings, spider)
        coverage = self.coverage()
        min_items = self.settings.getint("NEWSCRAWL_COVERAGE_MIN_ITEMS")
        below = {}
        if self.items >= max(min_items, 1):
            below = {f: coverage.get(f, 0.0) for f, floor in floors.items()
                     if coverage.get(f, 0.0) < floor}
        elapsed = self._elapsed if self._elapsed is not None else time.monotonic() - self._started
        dropped = _prefixed(stats, "newscrawl/dropped/")
        all_duplicates = _prefixed(stats, "newscrawl/duplicates/")
        duplicates = {k: v for k, v in all_duplicates.items() if k in ITEM_DUPLICATE_KEYS}
        if self._finish_reason and not stats.get("finish_reason"):
            stats = {**stats, "finish_reason": self._finish_reason}
        failure = run_failed(stats)
        return {
            "spider": getattr(spider, "name", None),
            "finish_reason": self._finish_reason or stats.get("finish_reason"),
            "started_at": self._started_at.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "elapsed_seconds": round(elapsed, 3),
            "pages": stats.get("response_received_count", 0),
            "articles": self.items,
            "dropped": dropped,
            "dropped_total": sum(dropped.values()),
            "duplicates": duplicates,
            "duplicates_total": sum(duplicates.values()),
            "duplicate_requests": {k: v for k, v in all_duplicates.items()
                                   if k not in ITEM_DUPLICATE_KEYS},
            "errors": _errors(stats),
            "rendering": _rendering(stats),
            "incremental": _prefixed(stats, "newscrawl/incremental/"),
            "coverage": coverage,
            "coverage_floors": floors,
            "below_floor": below,
            "failed": failure is not None,
            "failure": failure,
        }

    def engine_stopped(self) -> None:
        """Build the report, warn about fields under their floor, log it, write the files."""
        report = self.build()
        self.report = report
        for name, share in report["below_floor"].items():
            logger.warning(
                "coverage of %r is %.0f%% (floor %.0f%%) over %d articles: has the portal's "
                "markup changed?", name, share * 100, report["coverage_floors"][name] * 100,
                report["articles"])
            self.crawler.stats.set_value(f"newscrawl/below_floor/{name}", share)
        if self.settings.getbool("NEWSCRAWL_REPORT_LOG"):
            logger.info("Run report:\n%s", format_report(report))
        if report["failed"]:
            logger.error("Run failed: %s", report["failure"])
        for feed in self.feeds:
            path = local_path(feed["uri"])
            if path is None:
                continue
            target = path.with_name(path.name + REPORT_SUFFIX)
            try:
                target.write_text(json.dumps({**report, "feed": feed}, ensure_ascii=False,
                                             indent=2) + "\n", encoding="utf-8")
            except OSError as exc:
                logger.error("could not write the run report %s: %s", target, exc)
                continue
            self.written.append(target)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def format_report(report: dict[str, Any]) -> str:
    """A few human-readable lines summarising a report dict (as logged and printed)."""
    lines = [
        f"  spider {report.get('spider')}: {report.get('finish_reason')} after "
        f"{report.get('elapsed_seconds', 0):.1f}s, {report.get('pages', 0)} pages",
        f"  articles {report.get('articles', 0)}; dropped {report.get('dropped_total', 0)} "
        f"({_counts(report.get('dropped', {}))}); duplicates "
        f"{report.get('duplicates_total', 0)} ({_counts(report.get('duplicates', {}))})",
    ]
    errors = report.get("errors") or {}
    lines.append(f"  errors: crawl ({_counts(errors.get('crawl', {}))}); downloader "
                 f"({_counts(errors.get('downloader', {}))}); spider exceptions "
                 f"({_counts(errors.get('spider_exceptions', {}))}); "
                 f"{errors.get('logged', 0)} logged")
    rendering = report.get("rendering") or {}
    if rendering.get("pages") or rendering.get("errors") or rendering.get("fallback"):
        lines.append(f"  rendered {rendering.get('pages', 0)} pages in "
                     f"{rendering.get('seconds', 0):.1f} browser-seconds; render errors "
                     f"({_counts(rendering.get('errors', {}))}); "
                     f"{rendering.get('fallback', 0)} fell back to server HTML")
    coverage = report.get("coverage") or {}
    if coverage:
        shown = ", ".join(f"{k} {v:.0%}" for k, v in coverage.items())
        lines.append(f"  coverage: {shown}")
    if report.get("below_floor"):
        lines.append("  BELOW FLOOR: " + ", ".join(
            f"{k} {v:.0%} < {report['coverage_floors'][k]:.0%}"
            for k, v in report["below_floor"].items()))
    if report.get("failed"):
        lines.append(f"  FAILED: {report.get('failure')}")
    if report.get("feed"):
        feed = report["feed"]
        lines.append(f"  feed: {feed['uri']} ({feed['format']}, {feed['items']} items)")
    return "\n".join(lines)
