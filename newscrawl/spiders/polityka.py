"""`polityka`: Polityka (polityka.pl) through the `newscrawl.portals.polityka` module."""

from newscrawl.crawl.spider import NewsSpider


class PolitykaSpider(NewsSpider):
    """Sitemaps, news sitemaps, feeds and sections declared by the polityka portal module."""

    name = "polityka"
    portal_name = "polityka"
