"""Scrapy settings for newscrawl; every value can be overridden with `-s NAME=value`."""

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Identify the crawler; set your own contact URL in production.
USER_AGENT = "newscrawl/0.1 (+https://github.com/newscrawl/newscrawl)"
ROBOTSTXT_OBEY = True

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# --- Incremental state (scheduled and incremental crawls; see newscrawl/incremental.py) --------
# Off unless the spider runs with `-a incremental=1` (`newscrawl crawl` turns it on by default).
NEWSCRAWL_INCREMENTAL = False
# State store per spider; `%(name)s` is the spider name. Relative paths are from the working dir.
NEWSCRAWL_STATE = ".newscrawl/state-%(name)s.sqlite"
# A `newscrawl.state.CrawlState` class (import path); empty means SQLite.
NEWSCRAWL_STATE_BACKEND = ""
# Forget everything before the run (`newscrawl crawl --reset`).
NEWSCRAWL_STATE_RESET = False
# Forget URLs not seen for this many days before the run (`--expire DAYS`); empty: keep all.
NEWSCRAWL_STATE_EXPIRE_DAYS = None
# Commit the state every N recorded items or S seconds, and when the spider closes.
NEWSCRAWL_STATE_COMMIT_ITEMS = 100
NEWSCRAWL_STATE_COMMIT_SECONDS = 5.0
# Which signal marks an item emitted: "auto" (item_written when FEEDS are set), "item_written",
# or "item_scraped" (not crash-safe: the feed may not have the item yet).
NEWSCRAWL_STATE_COMMIT_SIGNAL = "auto"
# A known article linked only from listing pages (no date to compare) is re-fetched after this
# many days; a negative value never re-fetches it.
NEWSCRAWL_INCREMENTAL_RECHECK_DAYS = 1.0
SPIDER_MIDDLEWARES = {
    **globals().get("SPIDER_MIDDLEWARES", {}),
    "newscrawl.incremental.IncrementalSpiderMiddleware": 950,
}
# Last pipeline, so that only articles every other pipeline accepted are versioned and recorded.
ITEM_PIPELINES = {
    **globals().get("ITEM_PIPELINES", {}),
    "newscrawl.incremental.IncrementalPipeline": 990,
}
# --- end of incremental state ------------------------------------------------------------------

# --- Item pipelines, feeds and the run report (newscrawl/pipelines.py, exporters.py, report.py) --
# Pipelines in the order they run; 600-980 are free for later stages (the incremental pipeline
# sits at 990, last). Each one is switched by its own setting below, no code edit needed.
ITEM_PIPELINES = {
    **globals().get("ITEM_PIPELINES", {}),
    "newscrawl.pipelines.NormalisePipeline": 100,     # clean text, boilerplate, fingerprint
    "newscrawl.pipelines.DatesPipeline": 200,         # ISO 8601 with offset, date_source
    "newscrawl.pipelines.RelatedLinksPipeline": 300,  # absolute, deduplicated related links
    "newscrawl.pipelines.ValidatePipeline": 400,      # headline + body, JSON Schema
    "newscrawl.pipelines.DuplicatesPipeline": 500,    # one per canonical URL / fingerprint
}
NEWSCRAWL_NORMALISE_ENABLED = True
NEWSCRAWL_DATES_ENABLED = True
NEWSCRAWL_RELATED_ENABLED = True
NEWSCRAWL_VALIDATE_ENABLED = True
NEWSCRAWL_DUPLICATES_ENABLED = True
# Extra regular expressions for whole body paragraphs that are page furniture (case-insensitive).
NEWSCRAWL_BOILERPLATE_PATTERNS: list[str] = []

# Feed formats (`-o out.jsonl`, `FEEDS`, `newscrawl crawl --formats`): every exporter writes one
# record per write call and flushes it, then sends newscrawl.signals.item_written.
FEED_EXPORTERS = {
    "json": "newscrawl.exporters.JsonExporter",
    "jsonlines": "newscrawl.exporters.JsonLinesExporter",
    "jsonl": "newscrawl.exporters.JsonLinesExporter",
    "jl": "newscrawl.exporters.JsonLinesExporter",
    "csv": "newscrawl.exporters.CsvExporter",
    "txt": "newscrawl.exporters.TxtExporter",
}
# fsync the feed file after every record (survives power loss, not only a killed process).
NEWSCRAWL_FEED_FSYNC = False
# Start CSV feeds with a UTF-8 byte order mark (Excel needs it to read UTF-8).
NEWSCRAWL_CSV_BOM = False
# Prefix CSV cells starting with = + - @ tab or CR with ' so spreadsheets show, not run, them.
NEWSCRAWL_CSV_ESCAPE_FORMULAS = True

# Run report: `<feed>.stats.json` beside every local feed, and a summary in the log.
EXTENSIONS = {
    **globals().get("EXTENSIONS", {}),
    "newscrawl.report.RunReport": 500,
}
NEWSCRAWL_REPORT_ENABLED = True
# Share of articles that must have a field filled; below it a warning names the field. A nested
# dict keyed by spider name overrides fields for that portal, e.g. {"wp": {"authors": 0.9}}.
NEWSCRAWL_COVERAGE_FLOORS = {"headline": 1.0, "body": 1.0, "published": 0.8, "authors": 0.5}
# Coverage is judged only when the crawl produced at least this many articles.
NEWSCRAWL_COVERAGE_MIN_ITEMS = 10
# --- end of pipelines, feeds and the run report --------------------------------------------------
