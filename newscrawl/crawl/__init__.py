"""The crawl: the spider, host guard, retries, error types, item pipelines, progress and the run
report."""
