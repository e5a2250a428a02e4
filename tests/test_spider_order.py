"""The order a crawl works in: a sitemap index's children wait for the articles already found,
so the scheduler holds one child sitemap's requests at a time, not a whole archive's."""

from __future__ import annotations

from scrapy.http import Request, XmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.spiders.news import GenericNewsSpider

INDEX = ('<?xml version="1.0" encoding="UTF-8"?>'
         '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
         + "".join(f"<sitemap><loc>https://portal.example/sitemap-{i}.xml</loc></sitemap>"
                   for i in range(3)) + "</sitemapindex>")
URLSET = ('<?xml version="1.0" encoding="UTF-8"?>'
          '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
          + "".join(f"<url><loc>https://portal.example/kraj/artykul-numer-{i}-12345{i}</loc>"
                    "</url>" for i in range(3)) + "</urlset>")


def _response(url: str, body: str) -> XmlResponse:
    return XmlResponse(url, body=body.encode(), request=Request(url))


def test_child_sitemaps_come_after_the_articles_already_found() -> None:
    spider = GenericNewsSpider.from_crawler(get_crawler(GenericNewsSpider),
                                            url="https://portal.example/")
    children = list(spider.parse_sitemap(_response("https://portal.example/sitemap.xml", INDEX)))
    articles = list(spider.parse_sitemap(_response(children[0].url, URLSET)))
    assert [r.url for r in children] == [f"https://portal.example/sitemap-{i}.xml"
                                         for i in range(3)]
    assert len(articles) == 3
    assert max(r.priority for r in children) < min(r.priority for r in articles)
    # robots.txt and the sitemaps it names still come first of all.
    robots = XmlResponse("https://portal.example/robots.txt", request=Request(
        "https://portal.example/robots.txt"), body=b"Sitemap: https://portal.example/s.xml\n")
    (declared,) = list(spider.parse_robots(robots))
    assert declared.priority > max(r.priority for r in articles)
