"""`news`: any portal from its home URL (`scrapy crawl news -a url=https://portal.example/`)."""

from newscrawl.crawl.spider import NewsSpider


class GenericNewsSpider(NewsSpider):
    """Finds sitemaps (robots.txt, common paths), feeds (`<link rel=alternate>`, common paths)
    and, failing those, section pages; tells articles from listings by structured data."""

    name = "news"
