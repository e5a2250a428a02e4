"""`wp`: Wirtualna Polska (wp.pl) through the `newscrawl.portals.wp` module."""

from newscrawl.crawl.spider import NewsSpider


class WpSpider(NewsSpider):
    """Sitemaps, news sitemaps, feeds and sections declared by the wp portal module."""

    name = "wp"
    portal_name = "wp"
