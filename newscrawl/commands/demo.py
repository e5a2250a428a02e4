"""Crawl the bundled miniature portal on 127.0.0.1 and write its articles to ./output/.

No internet needed: the demo serves a WP-like portal (sitemaps, a news sitemap, RSS, sections
with pagination, a broken link and a redirect loop) on a loopback port, crawls it with the `wp`
spider pointed at it (`base_url`), and writes JSON Lines, CSV and TXT feeds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import newscrawl

FORMATS = {"jsonl": "jsonlines", "csv": "csv", "txt": "txt"}


def portal_dir() -> Path:
    """The miniature portal: package data when installed, `fixtures/portal` in a checkout."""
    here = Path(newscrawl.__file__).resolve().parent
    for candidate in (here / "demo_portal", here.parent / "fixtures" / "portal"):
        if (candidate / "index.html").is_file():
            return candidate
    raise FileNotFoundError("the demo portal is missing from this installation")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `newscrawl demo`."""
    parser.add_argument("--output", default="output", help="folder for the feeds (./output)")
    parser.add_argument("--port", type=int, default=0, help="loopback port (default: any free)")
    parser.add_argument("--log-level", default="WARNING", help="Scrapy log level (WARNING)")


def run(args: argparse.Namespace) -> int:
    """Serve, crawl, write the feeds, print where they are and a one-line summary."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from newscrawl.portal_server import PortalServer

    out = Path(args.output).resolve()
    out.mkdir(parents=True, exist_ok=True)
    feeds = {out / f"articles.{ext}": fmt for ext, fmt in FORMATS.items()}
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    settings.setdict({
        "FEEDS": {str(path): {"format": fmt, "overwrite": True, "encoding": "utf-8"}
                  for path, fmt in feeds.items()},
        "LOG_LEVEL": args.log_level,
        # A loopback portal: no need for politeness delays, nor for a browser.
        "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_BACKOFF_BASE": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "NEWSCRAWL_RENDER_ENABLED": False,
        "NEWSCRAWL_PROGRESS_INTERVAL": 0, "HTTPCACHE_ENABLED": False,
    }, priority="cmdline")
    started = time.monotonic()
    with PortalServer(portal_dir(), port=args.port) as server:
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
    return 0 if articles and all(p.exists() for p in feeds) else 1


if __name__ == "__main__":
    sys.exit(run(argparse.Namespace(output="output", port=0, log_level="WARNING")))
