"""wPolityce (wpolityce.pl)."""

from __future__ import annotations

import re
from datetime import date

from newscrawl.extract.parser import ArticleParser
from newscrawl.items import RelatedLink
from newscrawl.portals.base import Portal

#: The closing signature of agency-based texts: "aja/PAP", "mly/wPolityce.pl", "kk/PAP/Reuters".
_SIGNATURE = re.compile(r"^[\w.,\s]{1,20}(?:/[\w.\s-]{1,20})+$")


class WPolityceParser(ArticleParser):
    """`article__*` classes, markdown body in `intext-links`, "CZYTAJ TAKŻE:" lists."""

    HEADLINE = "h1.article__title"
    BODY = ".article__markdown"
    AUTHORS = ".article__author-name a"
    # The visible time; the page also prints a "Wydrukowano:" (printed at) date first.
    PUBLISHED = "ul.article__meta time"
    SECTION = "ul.article__meta .article__division-name"
    TAGS = ".related-tags__link"
    RELATED = ("#related-publications, .article__markdown p:has(> strong):contains('CZYTAJ') + ul, "
               ".article__markdown p:has(> strong):contains('Czytaj') + ul")
    EXCLUDE = (".print", ".print-page-link", ".adunit", ".js-tweet", ".twitter-link",
               ".article__social-media", ".article__footer", "figure",
               ".article__markdown p:has(> strong):contains('CZYTAJ')",
               ".article__markdown p:has(> strong):contains('Czytaj')")

    def body(self) -> list[str]:
        """Paragraphs without the closing agency signature (kept out of the text)."""
        paragraphs = super().body()
        if paragraphs and len(paragraphs[-1]) <= 40 and _SIGNATURE.match(paragraphs[-1]):
            paragraphs = paragraphs[:-1]
        return paragraphs

    def related(self) -> list[RelatedLink]:
        """Teasers without the dash the "CZYTAJ TAKŻE:" lists put before each title."""
        return [RelatedLink(title=link.title.lstrip("—–- ").strip() or link.title, url=link.url)
                for link in super().related()]


PORTAL = Portal(
    name="wpolityce",
    domains=("wpolityce.pl",),
    parsers=((date(2018, 1, 1), WPolityceParser),),
    home="https://wpolityce.pl/",
    sitemaps=("/sitemap.xml", "/sitemap-news.xml"),
    feeds=("/rss",),
    sections=("/polityka", "/gospodarka", "/swiat", "/kraj", "/kosciol"),
    # wpolityce.pl/gospodarka/549052-jest-zgoda-pe-na-umowe-handlowa-miedzy-ue-a-londynem
    article_url=r"^/[\w-]+/\d{4,}-[\w-]+$",
    related_heading="Czytaj także",
)
