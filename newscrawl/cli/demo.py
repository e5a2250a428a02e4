"""Crawl the bundled miniature portal on 127.0.0.1 and write its articles to ./output/.

No internet needed: the demo serves a WP-like portal (sitemaps, a news sitemap, RSS, sections
with pagination, a broken link and a redirect loop) on a loopback port, crawls it with the `wp`
spider pointed at it (`base_url`), and writes JSON Lines, CSV and TXT feeds.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import newscrawl

FORMATS = {"jsonl": "jsonlines", "csv": "csv", "txt": "txt"}


def portal_dir() -> Path:
    """The miniature portal: package data when installed, `fixtures/portal` in a checkout."""
    here = Path(newscrawl.__file__).resolve().parent
    for candidate in (here / "devtools" / "demo_portal", here.parent / "fixtures" / "portal"):
        if (candidate / "index.html").is_file():
            return candidate
    raise FileNotFoundError("the demo portal is missing from this installation")


def _port(value: str) -> int:
    """A TCP port number (0 = any free port), for argparse."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a whole number, got {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, got {port}")
    return port


def _fail(message: str, status: int = 2) -> int:
    print(f"newscrawl demo: {message}", file=sys.stderr)
    return status


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `newscrawl demo`."""
    parser.add_argument("--output", default="output", help="folder for the feeds (./output)")
    parser.add_argument("--port", type=_port, default=0,
                        help="loopback port (default: any free)")
    parser.add_argument("--log-level", default="WARNING", help="Scrapy log level (WARNING)")


def run(args: argparse.Namespace) -> int:
    """Serve, crawl, write the feeds, print where they are and a one-line summary."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from newscrawl.crawl.report import run_failed
    from newscrawl.devtools.portal_server import PortalServer

    if not isinstance(logging.getLevelName(str(args.log_level).upper()), int):
        return _fail(f"unknown log level {args.log_level!r}; choose from DEBUG, INFO, WARNING, "
                     "ERROR, CRITICAL")
    out = Path(args.output).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _fail(f"cannot create the output folder {out}: {exc.strerror or exc}")
    try:
        root = portal_dir()
    except FileNotFoundError as exc:
        return _fail(str(exc), 1)
    feeds = {out / f"articles.{ext}": fmt for ext, fmt in FORMATS.items()}
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    settings.setdict({
        "FEEDS": {str(path): {"format": fmt, "overwrite": True, "encoding": "utf-8"}
                  for path, fmt in feeds.items()},
        "LOG_LEVEL": str(args.log_level).upper(),
        # A loopback portal: no need for politeness delays, nor for a browser.
        "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_BACKOFF_BASE": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "NEWSCRAWL_RENDER_ENABLED": False,
        "NEWSCRAWL_PROGRESS_INTERVAL": 0, "HTTPCACHE_ENABLED": False,
    }, priority="cmdline")
    started = time.monotonic()
    try:
        server = PortalServer(root, port=args.port)
    except OSError as exc:
        return _fail(f"cannot serve on 127.0.0.1 port {args.port}: {exc.strerror or exc}")
    with server:
        print(f"newscrawl demo: serving the miniature portal at {server.url}", flush=True)
        process = CrawlerProcess(settings)
        crawler = process.create_crawler("wp")
        process.crawl(crawler, base_url=server.url, follow_listing="on")
        process.start()
        requests = len(server.paths())
    stats = crawler.stats.get_stats() if crawler.stats else {}
    articles = stats.get("item_scraped_count", 0)
    errors = {k.rsplit("/", 1)[-1]: v for k, v in stats.items()
              if k.startswith("newscrawl/errors/")}
    for path in feeds:
        print(f"  {path}")
    detail = ", ".join(f"{k} {v}" for k, v in sorted(errors.items())) or "none"
    print(f"newscrawl demo: {articles} articles from {requests} requests in "
          f"{time.monotonic() - started:.1f}s; errors handled: {detail} "
          "(the demo portal has a broken link and a redirect loop on purpose)")
    failure = run_failed(stats) or (None if articles else "no article")
    missing = [str(p) for p in feeds if not p.exists()]
    if failure or missing:
        return _fail(f"run failed: {failure or 'feeds not written: ' + ', '.join(missing)}", 1)
    return 0


if __name__ == "__main__":
    sys.exit(run(argparse.Namespace(output="output", port=0, log_level="WARNING")))
