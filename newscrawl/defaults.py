"""Every newscrawl setting default, each written once and documented beside its value.

`newscrawl.Addon` puts these in at `addon` priority (so a project's `settings.py`, a spider's
`custom_settings` and `-s NAME=value` still win) and merges the component dicts entry by entry.
Code reads them without fallbacks: `settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL")`. Like
Scrapy's `default_settings`, the module can be loaded with `Settings.setmodule` (tests do).
Politeness (user agent, robots.txt, concurrency, delays, AutoThrottle, timeouts, retries, sizes)
is a project's choice and lives in the project's settings (newscrawl's own: `newscrawl.settings`).
"""

from __future__ import annotations

from typing import Any

# --- Crawl robustness (newscrawl/crawl/spider.py, hosts.py, retry.py) ----------------------------
# Backoff between retries: RETRY_BACKOFF_BASE * 2**(attempt-1) seconds, at most RETRY_BACKOFF_MAX
# (also the cap on a server's Retry-After); base 0 retries at once (newscrawl.crawl.retry).
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
# Redirect chains longer than this are dropped and counted as `newscrawl/errors/redirect_loop`.
REDIRECT_MAX_TIMES = 5
# Every request, redirect hops included, must stay on the spider's allowed_domains (the portal's
# domains or the `base_url` host, and their subdomains) or these hosts; others are counted as
# `newscrawl/skipped/offsite` and `newscrawl/skipped/offsite_redirect` (newscrawl.crawl.hosts).
NEWSCRAWL_ALLOWED_HOSTS: list[str] = []
# Allow private/loopback/link-local (non-global) targets even when the portal is on a public
# address (a portal given on such an address may always use them); `skipped/private_address`.
NEWSCRAWL_ALLOW_PRIVATE_ADDRESSES = False
# Refuse host names resolving to non-global addresses (DNS rebinding), except the portal's own.
# A process-wide setting: the add-on sets it in `update_pre_crawler_settings`.
TWISTED_DNS_RESOLVER = "newscrawl.crawl.hosts.PublicAddressResolver"
# Development cache (`-s HTTPCACHE_ENABLED=1` replays responses from .scrapy/httpcache): error
# and throttling responses are never cached.
HTTPCACHE_IGNORE_HTTP_CODES = [500, 502, 503, 504, 408, 429]
# --- Logging (newscrawl/crawl/logformatter.py, progress.py) --------------------------------------
# INFO, not Scrapy's DEBUG: one line per article and the run report, not every request. A process
# setting: the add-on also sets it in `update_pre_crawler_settings`, before logging starts.
LOG_LEVEL = "INFO"
# Articles logged as `Article: URL | headline`, drops as `Dropped (reason): URL`; never the text.
LOG_FORMATTER = "newscrawl.crawl.logformatter.ArticleLogFormatter"
# Progress line every NEWSCRAWL_PROGRESS_INTERVAL seconds (articles/min, queue, errors); 0: off.
NEWSCRAWL_PROGRESS_INTERVAL = 30.0
# On a terminal, a live status line on stderr (articles, rate, queue, errors), redrawn every second;
# never written to a LOG_FILE or a pipe.
NEWSCRAWL_PROGRESS_TERMINAL = True
# Listing pages (home, sections, pagination) followed at most per run; reaching the cap is
# logged once as a warning and counted as `newscrawl/listing/over_cap`.
NEWSCRAWL_MAX_LISTING_PAGES = 500
# A chain of listing pages (pagination) stops after this many pages in a row that add no new
# article link (`newscrawl/listing/chain_stopped`): an endless `?page=N` archive costs a few
# fetches, not the whole cap.
NEWSCRAWL_LISTING_BARREN_PAGES = 2

# Items (and requests) of one response handled at once. newscrawl's pipelines do not wait on
# I/O, so more buys nothing; Scrapy's asyncio path starts this many tasks per response (100 by
# default: about a tenth of a crawl's CPU time on plain article pages).
CONCURRENT_ITEMS = 1

# Extraction in this many worker processes (newscrawl/crawl/workers.py); 0: in the crawl process.
# A crawl runs in one process and extraction is most of its CPU time: with N >= 1 the spider
# hands article pages to N processes (spawned) and awaits them, so the crawl uses N more
# cores; items are the same. A page whose worker dies is read again once, then counted as
# `newscrawl/errors/extract_worker_died`.
NEWSCRAWL_EXTRACT_WORKERS = 0

# --- Incremental state (scheduled and incremental crawls; newscrawl/incremental/tracker.py) ------
# Off unless the spider runs with `-a incremental=1` (`newscrawl crawl` turns it on by default).
NEWSCRAWL_INCREMENTAL = False
# State store per spider; `%(name)s` is the spider name. Relative paths are from the working dir.
NEWSCRAWL_STATE = ".newscrawl/state-%(name)s.sqlite"
# A CrawlState class (import path) or a scheme registered in newscrawl.incremental.stores; empty:
# chosen by NEWSCRAWL_STATE (a file path: SQLite; redis://, rediss://, unix://: Redis).
NEWSCRAWL_STATE_BACKEND = ""
# Forget everything before the run (`newscrawl crawl --reset`).
NEWSCRAWL_STATE_RESET = False
# Forget URLs not seen for this many days before the run (`--expire DAYS`); empty: keep all.
NEWSCRAWL_STATE_EXPIRE_DAYS = None
# Commit the state every N recorded items or S seconds, and when the spider closes.
NEWSCRAWL_STATE_COMMIT_ITEMS = 100
NEWSCRAWL_STATE_COMMIT_SECONDS = 5.0
# SQLite `synchronous`: NORMAL survives killed processes; FULL (with NEWSCRAWL_FEED_FSYNC) also
# power loss, at the cost of an fsync per commit.
NEWSCRAWL_STATE_SYNCHRONOUS = "NORMAL"
# Take the spider's run lock (`<state file>.lock`); a run that finds it held closes at once
# with reason `skipped_locked` (`newscrawl crawl` exits with status 75).
NEWSCRAWL_STATE_LOCK = True
# Which signal marks an item emitted: "auto" (item_written when FEEDS are set), "item_written",
# or "item_scraped" (not crash-safe: the feed may not have the item yet).
NEWSCRAWL_STATE_COMMIT_SIGNAL = "auto"
# A known article linked only from listing pages (no date to compare) is re-fetched after this
# many days; a negative value never re-fetches it.
NEWSCRAWL_INCREMENTAL_RECHECK_DAYS = 1.0

# --- Rendering with JavaScript (portals with `render=True`; newscrawl/render/browser.py) ---------
# Global switch. Off: portals that ask for rendering get their server HTML, said once in the log.
# The add-on installs the scrapy-playwright download handlers only when this is on (and the
# spider's portal renders), so plain crawls never start a browser. Needs `newscrawl[render]`.
NEWSCRAWL_RENDER_ENABLED = True
# Browser executable (Debian/Ubuntu package `chromium`); written into PLAYWRIGHT_LAUNCH_OPTIONS.
NEWSCRAWL_CHROMIUM_PATH = "/usr/bin/chromium"
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS: dict[str, Any] = {
    "executable_path": NEWSCRAWL_CHROMIUM_PATH,
    "headless": True,
    # No sandbox (containers, root); no GPU; no background traffic to Google's services.
    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"],
}
# One browser, one context, at most this many pages open (and renders running) at once.
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
# A page (tab) renders this many articles before it is closed and replaced; 1 = a new tab each.
NEWSCRAWL_RENDER_PAGE_REUSE = 50
# Seconds: page navigation, then the wait for the portal's `render_wait` block. A render that
# fails (navigation timeout, crash, no browser) is counted and the page fetched again without a
# browser; a block still missing at the wait timeout is counted and the page kept as rendered.
NEWSCRAWL_RENDER_TIMEOUT = 20.0
NEWSCRAWL_RENDER_WAIT_TIMEOUT = 8.0
# A page that goes quiet (network idle) without the block gets this many more seconds, then is
# taken as rendered (counted as `newscrawl/render/no_block`), instead of waiting out the timeout.
NEWSCRAWL_RENDER_SETTLE = 0.5
# Scroll to the bottom before waiting, for blocks that load when they come into view.
NEWSCRAWL_RENDER_SCROLL = True
# Resource types aborted inside a render (the DOM is read, not pixels); requests to hosts outside
# the page's host and its portal's domains (ads, analytics) are always aborted.
NEWSCRAWL_RENDER_BLOCK_RESOURCES = ["image", "media", "font", "stylesheet", "manifest", "ping"]

# --- Item pipelines, feeds and the run report (crawl/pipelines.py, output/, crawl/report.py) -----
# Each pipeline of ITEM_PIPELINES below is switched by its own setting.
NEWSCRAWL_NORMALISE_ENABLED = True
NEWSCRAWL_DATES_ENABLED = True
NEWSCRAWL_RELATED_ENABLED = True
NEWSCRAWL_VALIDATE_ENABLED = True
NEWSCRAWL_DUPLICATES_ENABLED = True
# Extra regular expressions for whole body paragraphs that are page furniture (case-insensitive).
NEWSCRAWL_BOILERPLATE_PATTERNS: list[str] = []
# fsync the feed file after every record (survives power loss, not only a killed process).
NEWSCRAWL_FEED_FSYNC = False
# Start CSV feeds with a UTF-8 byte order mark (Excel needs it to read UTF-8).
NEWSCRAWL_CSV_BOM = False
# Prefix CSV cells starting with = + - @ tab or CR with ' so spreadsheets show, not run, them.
NEWSCRAWL_CSV_ESCAPE_FORMULAS = True
# Run report: `<feed>.stats.json` beside every local feed, and a summary in the log.
NEWSCRAWL_REPORT_ENABLED = True
# The run report's summary in the log. `newscrawl crawl` prints it on stdout instead, so it
# switches this off unless the log goes to a LOG_FILE: one copy on the terminal, one in the file.
NEWSCRAWL_REPORT_LOG = True
# Share of articles that must have a field filled; below it a warning names the field. A nested
# dict keyed by spider name overrides fields for that portal, e.g. {"wp": {"authors": 0.9}}.
NEWSCRAWL_COVERAGE_FLOORS: dict[str, Any] = {
    "headline": 1.0, "body": 1.0, "published": 0.8, "authors": 0.5}
# Coverage is judged only when the crawl produced at least this many articles.
NEWSCRAWL_COVERAGE_MIN_ITEMS = 10

# --- Database store (every version of every article; newscrawl/store, docs/database.md) ----------
# Off while empty. `sqlite:///articles.db` (relative), `sqlite:////var/lib/news.db` (absolute) or
# `postgresql://user:password@host/db` (needs `newscrawl[postgres]`); `newscrawl crawl --db URL`.
NEWSCRAWL_DATABASE = ""
# Write a batch (one transaction) every N articles or S seconds, and when the spider closes.
NEWSCRAWL_DATABASE_BATCH_ITEMS = 100
NEWSCRAWL_DATABASE_BATCH_SECONDS = 5.0
# A database that goes away: reconnect and retry the batch this many times, waiting
# BACKOFF * 2**(attempt-1) seconds; then the run closes with reason `database_unavailable`.
NEWSCRAWL_DATABASE_RETRIES = 4
NEWSCRAWL_DATABASE_RETRY_BACKOFF = 1.0
# SQLite `synchronous` (as NEWSCRAWL_STATE_SYNCHRONOUS): NORMAL survives killed processes.
NEWSCRAWL_DATABASE_SYNCHRONOUS = "NORMAL"

# --- Distributed crawls (workers share one crawl through Redis; newscrawl/distributed) -----------
# Off while empty. A Redis URL (`-s NEWSCRAWL_REDIS_URL=redis://host:6379/0`) puts the scheduler
# queue and the duplicate filter in Redis (scrapy-redis), so every worker started with the same
# URL and spider shares one crawl. Needs `newscrawl[distributed]`.
NEWSCRAWL_REDIS_URL = ""
# Prefix of the crawl's Redis keys; `%(spider)s` is the spider name. Give concurrent crawls of
# one spider different prefixes.
NEWSCRAWL_REDIS_KEY = "newscrawl:%(spider)s"
# Keep queue and duplicate filter after the crawl. Off: the last worker to finish clears them,
# so the next (scheduled) crawl reads the sitemaps again. On: a stopped crawl can be resumed,
# but URLs seen once are never fetched again under this key.
NEWSCRAWL_REDIS_PERSIST = False
# Seconds a worker's busy mark lasts without activity (a crashed worker stops counting after it).
NEWSCRAWL_REDIS_BUSY_TTL = 60.0
# A worker closes after the shared queue has been empty and no worker busy for this long.
NEWSCRAWL_REDIS_IDLE_CLOSE = 3.0
# Seconds between looks at the shared queue while a worker waits for work.
NEWSCRAWL_REDIS_POLL = 0.5

# One notion of "the same page" for Scrapy's duplicate filter and HTTP cache: the fingerprint of
# a request is built on newscrawl.urls.canonical_url (tracking, AMP, www and http variants of one
# article are requested once; dropped repeats counted as `newscrawl/duplicates/discovered`).
REQUEST_FINGERPRINTER_CLASS = "newscrawl.crawl.fingerprint.CanonicalFingerprinter"

# --- Components, in the order they run (merged entry by entry: a project's entry wins) -----------
# Feed formats (`-o out.jsonl`, `FEEDS`, `newscrawl crawl --formats`): every exporter writes one
# record per write call and flushes it, then sends newscrawl.output.signals.item_written.
FEED_EXPORTERS = {
    "json": "newscrawl.output.exporters.JsonExporter",
    "jsonlines": "newscrawl.output.exporters.JsonLinesExporter",
    "jsonl": "newscrawl.output.exporters.JsonLinesExporter",
    "jl": "newscrawl.output.exporters.JsonLinesExporter",
    "csv": "newscrawl.output.exporters.CsvExporter",
    "txt": "newscrawl.output.exporters.TxtExporter",
}
# Retries with exponential backoff and Retry-After replace Scrapy's RetryMiddleware.
DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {
    "newscrawl.crawl.hosts.HostGuardMiddleware": 40,  # portal's hosts only, no private addresses
    # The host guard replaces Scrapy's offsite check: same subdomain rule, applied to every hop
    # (redirects included) and counted, where Scrapy's would drop redirects silently.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.crawl.retry.BackoffRetryMiddleware": 550,
    # A cut or corrupt gzip/deflate/br/zstd body is a download error (`truncated`), not a page;
    # the body is inflated here once, so Scrapy's HttpCompressionMiddleware (590) has no work.
    "newscrawl.crawl.download_checks.CompleteBodyMiddleware": 595,
    # Browser rendering (newscrawl.render.browser.RenderMiddleware, 950) is added by RenderAddon.
}
# Skips known-unchanged article requests before they are scheduled (incremental crawls).
SPIDER_MIDDLEWARES: dict[str, int | None] = {
    "newscrawl.incremental.components.IncrementalSpiderMiddleware": 950,
}
# 600-980 are free for later stages. The incremental pipeline comes after them, so only articles
# every other pipeline accepted are versioned and recorded; the database store is last of all.
ITEM_PIPELINES: dict[str, int | None] = {
    "newscrawl.crawl.pipelines.NormalisePipeline": 100,  # extra boilerplate patterns; own items
    "newscrawl.crawl.pipelines.DatesPipeline": 200,         # ISO 8601 with offset, date_source
    "newscrawl.crawl.pipelines.RelatedLinksPipeline": 300,  # absolute, deduplicated related links
    "newscrawl.crawl.pipelines.ValidatePipeline": 400,      # headline + body, JSON Schema
    "newscrawl.crawl.pipelines.DuplicatesPipeline": 500,    # one per canonical URL / fingerprint
    "newscrawl.incremental.components.IncrementalPipeline": 990,  # versioning and crawl state
    "newscrawl.store.pipeline.StorePipeline": 1000,  # NEWSCRAWL_DATABASE: articles into a database
}
EXTENSIONS: dict[str, int | None] = {
    # The incremental state holder shared by its middleware and pipeline (found with
    # crawler.get_extension); inert unless the spider runs incrementally.
    "newscrawl.incremental.tracker.IncrementalTracker": 0,
    "newscrawl.crawl.report.RunReport": 500,  # `<feed>.stats.json` and the summary in the log
    "newscrawl.crawl.progress.Progress": 600,  # progress line every NEWSCRAWL_PROGRESS_INTERVAL s
    # The extraction worker pool; not loaded while NEWSCRAWL_EXTRACT_WORKERS is 0.
    "newscrawl.crawl.workers.ExtractionPool": 700,
}



def names() -> list[str]:
    """Every setting name this module gives a default for (its upper-case names)."""
    return [name for name in globals() if name.isupper()]


def setting_problems(settings: Any) -> dict[str, str]:
    """Why a newscrawl setting with a boolean or numeric default holds a value that is not one,
    by name: a component would otherwise fail with a traceback deep inside the crawl."""
    problems = {}
    for name in names():
        default = globals()[name]
        if not name.startswith("NEWSCRAWL_") or settings.get(name) is None:
            continue
        kind, getter = (("true or false (1/0)", settings.getbool) if isinstance(default, bool)
                        else ("an integer", settings.getint) if isinstance(default, int)
                        else ("a number", settings.getfloat) if isinstance(default, float)
                        else (None, None))
        if getter is None:
            continue
        try:
            getter(name)
        except (TypeError, ValueError):
            problems[name] = f"setting {name} expects {kind}, got {settings.get(name)!r}"
    return problems
