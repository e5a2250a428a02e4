"""Distributed crawls: several workers share one crawl through Redis (scrapy-redis)."""
