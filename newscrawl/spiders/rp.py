"""`rp`: Rzeczpospolita (rp.pl) through the `newscrawl.portals.rp` module."""

from newscrawl.crawl.spider import NewsSpider


class RpSpider(NewsSpider):
    """Sitemaps, news sitemaps, feeds and sections declared by the rp portal module."""

    name = "rp"
    portal_name = "rp"
