"""Scrapy commands of the newscrawl project (setting `COMMANDS_MODULE`): `scrapy crawl` that
exits non-zero when the run failed, with the same rule as `newscrawl crawl`."""
