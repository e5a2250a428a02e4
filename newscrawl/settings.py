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
