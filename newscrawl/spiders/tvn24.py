"""`tvn24`: TVN24 (tvn24.pl) through the `newscrawl.portals.tvn24` module."""

from newscrawl.crawl.spider import NewsSpider


class Tvn24Spider(NewsSpider):
    """Sitemaps, news sitemaps, feeds and sections declared by the tvn24 portal module."""

    name = "tvn24"
    portal_name = "tvn24"
