"""Polityka (polityka.pl, including its blogs at *.blog.polityka.pl)."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newscrawl.extract.parser import ArticleParser
from newscrawl.items import RelatedLink
from newscrawl.portals.base import Portal


def _without_back_to(url: str) -> str:
    """The URL without the `backTo` parameter the portal appends to every teaser link."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "backTo"]
    return urlunsplit(parts._replace(query=urlencode(query)))


class PolitykaParser(ArticleParser):
    """`cg_article_*` classes; "Czytaj też:" paragraphs and the "Więcej na ten temat" list."""

    HEADLINE = "h1.cg_article_internet_title"
    LEAD = ".cg_article_lead"
    BODY = ".cg_article_meat"
    AUTHORS = ".cg_article_header .cg_article_author_name"
    SECTION = ".cg_article_section"
    TAGS = ".cg_article_tags a"
    RELATED = (".cg_article_meat > p:has(> em > a):contains('Czytaj'), "
               ".cg_article_meat > p:has(> strong > a):contains('Czytaj'), .cg_article_related")
    EXCLUDE = (".cg_article_opening_multimedia", ".cg_article_author_note", ".cg_article_toolbox",
               ".cg_article_tags", "figure", ".cg_ad_outer", ".cg_adslot", ".cg_footer")

    def related(self) -> list[RelatedLink]:
        """The teaser links without their `backTo` parameter, deduplicated."""
        out: dict[str, RelatedLink] = {}
        for link in super().related():
            url = _without_back_to(link.url)
            out.setdefault(url, RelatedLink(title=link.title, url=url))
        return list(out.values())


PORTAL = Portal(
    name="polityka",
    domains=("polityka.pl",),
    parsers=((date(2018, 1, 1), PolitykaParser),),
    home="https://www.polityka.pl/",
    sitemaps=("/sitemap.xml", "/sitemap_news.xml"),
    feeds=("/rss",),
    sections=("/tygodnikpolityka/kraj", "/tygodnikpolityka/swiat", "/tygodnikpolityka/rynek",
              "/tygodnikpolityka/nauka", "/tygodnikpolityka/kultura"),
    # /tygodnikpolityka/kraj/2204292,1,karol-wojtyla-wiedzial-o-zlu.read
    article_url=r"/\d{5,},\d+,[\w-]+\.read$",
    related_heading="Więcej na ten temat",
)
