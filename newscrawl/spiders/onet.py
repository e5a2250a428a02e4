"""`onet`: Onet (onet.pl) through the `newscrawl.portals.onet` module."""

from newscrawl.crawl.spider import NewsSpider


class OnetSpider(NewsSpider):
    """Sitemaps, news sitemaps, feeds and sections declared by the onet portal module."""

    name = "onet"
    portal_name = "onet"
