"""`dorzeczy`: Do Rzeczy (dorzeczy.pl) through the `newscrawl.portals.dorzeczy` module."""

from newscrawl.crawl.spider import NewsSpider


class DoRzeczySpider(NewsSpider):
    """Sitemaps, news sitemaps, feeds and sections declared by the dorzeczy portal module."""

    name = "dorzeczy"
    portal_name = "dorzeczy"
