"""Agora's sites: gazeta.pl (and its verticals), wyborcza.pl, sport.pl, next.gazeta.pl."""

from __future__ import annotations

from datetime import date

from newscrawl.extract.parser import ArticleParser
from newscrawl.portals.base import Portal


class GazetaParser(ArticleParser):
    """`#article_title`, `#gazeta_article_lead`, `section.art_content`, `.related_articles`."""

    HEADLINE = "h1#article_title"
    LEAD = "#gazeta_article_lead"
    BODY = "section.art_content"
    AUTHORS = ".author_and_date .article_author"
    TAGS = ".tags_list a"
    RELATED = "section.related_articles"
    EXCLUDE = (".adviewDFPBanner", ".art_embed", ".related_image_open", ".article_share")


PORTAL = Portal(
    name="gazeta",
    domains=("gazeta.pl", "wyborcza.pl", "sport.pl", "wysokieobcasy.pl", "tokfm.pl"),
    parsers=((date(2018, 1, 1), GazetaParser),),
    home="https://wiadomosci.gazeta.pl/",
    sitemaps=("/sitemap.xml",),
    feeds=("/pub/rss/wiadomosci.htm",),
    sections=("/wiadomosci/0,114871.html",),
    # wiadomosci.gazeta.pl/wiadomosci/7,114883,27025667,slug.html
    article_url=r"/\d+,\d+,\d+,[\w-]+\.html",
    related_heading="Zobacz także",
)
