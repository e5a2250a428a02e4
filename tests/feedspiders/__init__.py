"""Small spiders the feed and crawl tests run through `scrapy crawl` (no internet needed)."""
