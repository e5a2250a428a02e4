"""Onet (onet.pl and its vertical sites: wiadomosci, biznes, sport, kultura, ...)."""

from __future__ import annotations

from datetime import date

from newscrawl.extract.parser import ArticleParser
from newscrawl.portals.base import Portal


class OnetParser(ArticleParser):
    """`h1.mainTitle`, `#lead`, `.articleBody` paragraphs; recommendations often only in the
    page's embedded state, which the related layer reads when no block is rendered."""

    HEADLINE = "h1.mainTitle"
    LEAD = "#lead, .lead"
    BODY = ".articleBody"
    AUTHORS = ".authorItem .name"
    TAGS = ".tags a"
    EXCLUDE = ("#lead", ".lead", ".adsContainer", ".shareBar", ".relatedBox", "figure")


PORTAL = Portal(
    name="onet",
    domains=("onet.pl",),
    parsers=((date(2019, 1, 1), OnetParser),),
    home="https://wiadomosci.onet.pl/",
    sitemaps=("/sitemap.xml", "/sitemap-news.xml"),
    feeds=("/.feed",),
    sections=("/kraj", "/swiat", "/tylko-w-onecie"),
    # wiadomosci.onet.pl/kraj/slug/ab12cde
    article_url=r"^/[\w-]+/[\w-]+/[0-9a-z]{7}$",
    related_heading="Zobacz także",
)
