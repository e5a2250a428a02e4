"""TVN24 (tvn24.pl and its section subdomains)."""

from __future__ import annotations

from datetime import date

from newscrawl.extract.parser import ArticleParser
from newscrawl.portals.base import Portal


class Tvn24Parser(ArticleParser):
    """`article-story-*` markup: lead in `.lead-text`, paragraphs in `.article-element--*`."""

    HEADLINE = "h1.article-top-bar__title, h1.heading"
    LEAD = ".article-element--lead_text"
    BODY = ".article-story-content__elements"
    AUTHORS = ".article-top-bar__meta-author .article-top-bar__meta-item"
    TAGS = ".article-tags a.article-tag"
    RELATED = ".narrow-column-related, .related-articles"
    EXCLUDE = (".article-element--lead_text", ".article-element--image",
               ".article-element--html", ".article-element--inline_author",
               ".article-element--custom_source", ".article-element--main_photo_source",
               ".article-share-socials", ".ado-under-article-container", ".article-tags")


PORTAL = Portal(
    name="tvn24",
    domains=("tvn24.pl",),
    parsers=((date(2020, 1, 1), Tvn24Parser),),
    home="https://tvn24.pl/",
    sitemaps=("/sitemap.xml", "/sitemap-news.xml"),
    feeds=("/najnowsze.xml", "/najwazniejsze.xml"),
    sections=("/polska", "/swiat", "/biznes", "/najnowsze"),
    article_url=r"^/[\w-]+(?:/[\w-]+)?/[\w-]+-(?:st)?\d{5,}$",
    related_heading="Powiązane tematy",
)
