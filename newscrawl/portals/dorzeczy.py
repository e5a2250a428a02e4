"""Do Rzeczy (dorzeczy.pl)."""

from __future__ import annotations

from datetime import date

from newscrawl.extract.parser import ArticleParser
from newscrawl.portals.base import Portal


class DoRzeczyParser(ArticleParser):
    """`art-*` classes; in-text "Czytaj też:" inserts (`relation-ph`); a latest-news sidebar."""

    HEADLINE = "h1.art-title"
    LEAD = ".art-lead"
    BODY = "#art-text-inner, .art-text-inner"
    PUBLISHED = ".art-details-datetime time"
    SECTION = ".art-containers a"
    RELATED = ".art-text-inner .relation-ph"
    EXCLUDE = (".ad-aside", ".art-billboard", ".art-sources", ".share-buttons-wrapper", "figure",
               ".art-text-relations")


PORTAL = Portal(
    name="dorzeczy",
    domains=("dorzeczy.pl",),
    parsers=((date(2018, 1, 1), DoRzeczyParser),),
    home="https://dorzeczy.pl/",
    sitemaps=("/sitemap.xml", "/sitemap-news.xml"),
    feeds=("/feed/",),
    sections=("/kraj", "/swiat", "/ekonomia", "/opinie", "/historia"),
    # dorzeczy.pl/ekonomia/183131/eurostat-polska-z-najnizszym-bezrobociem-w-calej-ue.html
    article_url=r"^/[\w-]+/\d{4,}/[\w-]+\.html$",
    related_heading="Czytaj też",
)
