"""`wpolityce`: wPolityce (wpolityce.pl) through the `newscrawl.portals.wpolityce` module."""

from newscrawl.crawl.spider import NewsSpider


class WPolityceSpider(NewsSpider):
    """Sitemaps, news sitemaps, feeds and sections declared by the wpolityce portal module."""

    name = "wpolityce"
    portal_name = "wpolityce"
