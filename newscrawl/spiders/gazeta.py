"""`gazeta`: Gazeta.pl through the `newscrawl.portals.gazeta` module."""

from newscrawl.crawl.spider import NewsSpider


class GazetaSpider(NewsSpider):
    """Sitemaps, news sitemaps, feeds and sections declared by the gazeta portal module."""

    name = "gazeta"
    portal_name = "gazeta"
