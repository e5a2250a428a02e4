"""Interia (interia.pl and its vertical sites: wydarzenia, biznes, sport, menway, ...)."""

from __future__ import annotations

from datetime import date

from newscrawl.extract.parser import ArticleParser
from newscrawl.portals.base import Portal


class InteriaParser(ArticleParser):
    """`article-*` markup: `.article-lead` inside `.article-body`, embeds as `aside.embed`."""

    HEADLINE = "h1.article-title"
    LEAD = ".article-lead"
    BODY = ".article-body"
    AUTHORS = ".article-author-name"
    SECTION = ".article-category"
    TAGS = ".tags-list a.tags-list-a"
    RELATED = ".article-related, .embed-related"
    EXCLUDE = (".article-lead", ".box.ad", ".ad", "aside.embed-photo", "aside.embed-video",
               ".embed-work-detail", ".article-social", ".article-pagination")


PORTAL = Portal(
    name="interia",
    domains=("interia.pl", "interia.tv"),
    parsers=((date(2019, 1, 1), InteriaParser),),
    home="https://wydarzenia.interia.pl/",
    sitemaps=("/sitemap.xml",),
    feeds=("/feed",),
    sections=("/kraj", "/zagranica", "/raporty"),
    # wydarzenia.interia.pl/kraj/news-slug,nId,7123456
    article_url=r"/news-[\w-]+,nId,\d+",
    related_heading="Zobacz również",
)
