"""OKO.press (oko.press): Next.js pages, each body block in its own `div.column`."""

from __future__ import annotations

from datetime import date

from newscrawl.extract.parser import ArticleParser
from newscrawl.portals.base import Portal


class OkoPressParser(ArticleParser):
    """`typography__*` blocks in `div.column` rows; "Przeczytaj także:" teaser inserts."""

    HEADLINE = "section:has(> h1) > h1"
    LEAD = "section:has(> h1) > p.font-serif"
    # The parent of every `div.column` row holding a body paragraph.
    BODY = "div:has(> div.column > p.typography__paragraph)"
    AUTHORS = "section:has(> h1) a[href^='/autor/']"
    TAGS = "div.column:has(.react-share__ShareButton) a[href^='/temat/']"
    RELATED = "div:has(> h3 + div > a.aspect-related-content)"
    EXCLUDE = (
        "section:has(> h1)", "figure", "footer", "nav",
        "div.column:has(.react-share__ShareButton)",  # share bar, tags, author's note
        "div:has(> div.flex-col > h3)",               # comments, "Nasze tematy" menu
    )


PORTAL = Portal(
    name="okopress",
    domains=("oko.press",),
    parsers=((date(2022, 1, 1), OkoPressParser),),
    home="https://oko.press/",
    sitemaps=("/sitemap.xml", "/news-sitemap.xml"),
    feeds=("/feed",),
    sections=("/kategoria/wydarzenia", "/kategoria/prawa-czlowieka", "/kategoria/polityka",
              "/kategoria/gospodarka"),
    # oko.press/iustitia-nie-dalismy-sie-zlamac-przez-8-lat-wygramy (one slug, no id)
    article_url=r"^/(?!kategoria/|autor/|tag/|temat/|szukaj|feed|wp-)[a-z0-9]+(?:-[a-z0-9]+){2,}/?$",
    related_heading="Przeczytaj także",
)
