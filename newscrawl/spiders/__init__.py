"""Scrapy spiders: `news` (any portal) and one thin spider per portal module."""
