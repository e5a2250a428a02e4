"""`interia`: Interia (interia.pl) through the `newscrawl.portals.interia` module."""

from newscrawl.crawl.spider import NewsSpider


class InteriaSpider(NewsSpider):
    """Sitemaps, news sitemaps, feeds and sections declared by the interia portal module."""

    name = "interia"
    portal_name = "interia"
