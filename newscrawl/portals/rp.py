"""Rzeczpospolita (rp.pl and its subdomains)."""

from __future__ import annotations

from datetime import date

from newscrawl.extract.parser import ArticleParser
from newscrawl.portals.base import Portal


class RpParser(ArticleParser):
    """`blog--*` header, `articleBody` paragraphs, "Czytaj więcej" inserts, "Polecane" tabs.

    The text is split over several `articleBody` blocks, one per row of `contentBodySections`.
    """

    HEADLINE = "h1.blog--title"
    LEAD = ".blog--subtitle"
    # The common parent of every `articleBody` row; older pages have a single `articleBody`.
    BODY = ".contentBodySections, .articleBody"
    TAGS = "[data-mrf-section='Article / Tags'] a"
    RELATED = ".content--excerpt, .latest--articles"
    EXCLUDE = (".advertPlaceholder", ".commercialComponent", ".article--footer",
               ".blog--image", ".image--author", ".commercial--margin--article", ".normalAdvert",
               ".marketingComponent", ".paywallInfoElem", "[data-mrf-section='Article / Tags']",
               ".article--content > .author")


PORTAL = Portal(
    name="rp",
    domains=("rp.pl",),
    parsers=((date(2020, 1, 1), RpParser),),
    home="https://www.rp.pl/",
    sitemaps=("/sitemaps/sitemap.xml", "/sitemaps/news-sitemap.xml"),
    feeds=("/rss_main",),
    sections=("/kraj", "/swiat", "/ekonomia", "/polityka"),
    article_url=r"/art\d+-[\w-]+$",
    related_heading="Polecane",
)
