"""`okopress`: OKO.press (oko.press) through the `newscrawl.portals.okopress` module."""

from newscrawl.crawl.spider import NewsSpider


class OkoPressSpider(NewsSpider):
    """Sitemaps, news sitemaps, feeds and sections declared by the okopress portal module."""

    name = "okopress"
    portal_name = "okopress"
