"""Scrapy settings of newscrawl's own project: what a project chooses; every value can be
overridden with `-s NAME=value`. Everything else (components, feed exporters, newscrawl's own
settings) comes from `newscrawl.Addon`, its defaults documented in `newscrawl.defaults`."""

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
# `scrapy crawl` exits non-zero when the run failed (newscrawl.cli.scrapy_commands.crawl).
COMMANDS_MODULE = "newscrawl.cli.scrapy_commands"

# --- Politeness (spiders and discovery; see newscrawl/crawl/spider.py) ----------------------------
# Identify the crawler honestly; set your own: `-s USER_AGENT="mybot/1.0 (+https://...)"`.
USER_AGENT = "newscrawl/0.1 (+https://github.com/newscrawl/newscrawl)"
# Honour robots.txt (Scrapy's RobotsTxtMiddleware); the spiders also read its `Sitemap:` lines.
ROBOTSTXT_OBEY = True
# Requests in flight: in total, and per portal host (news portals are shared infrastructure).
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Seconds between requests to one host before AutoThrottle adapts it (randomised 0.5x-1.5x).
DOWNLOAD_DELAY = 0.25
# AutoThrottle: adapt the delay to the server's latency, aiming at this many parallel requests.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
# Seconds before a request times out (then retried like a 5xx).
DOWNLOAD_TIMEOUT = 30
# Retries for 5xx, 408, 429 and network errors, with exponential backoff between attempts
# (RETRY_BACKOFF_BASE, RETRY_BACKOFF_MAX: see newscrawl.defaults).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Pages larger than this are abandoned (a news page is far smaller); warn above the second size.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
# --- end of politeness ----------------------------------------------------------------------------

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# newscrawl itself: pipelines, middlewares, extensions, feed exporters, retries with backoff, run
# report, progress, incremental state, rendering and distributed mode (switched on by settings),
# and the preflight checks. Every default it sets is in newscrawl/defaults.py.
ADDONS = {"newscrawl.Addon": 0}
