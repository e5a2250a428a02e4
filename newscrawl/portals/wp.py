"""Wirtualna Polska network: wiadomosci.wp.pl and the sites sharing its article markup."""

from __future__ import annotations

from datetime import date

from newscrawl.extract.parser import ArticleParser
from newscrawl.portals.base import Portal


class WpParser(ArticleParser):
    """Article pages with `article--*` classes, JSON-LD Article, "Wybrane dla Ciebie" block."""

    HEADLINE = "h1.article--title"
    LEAD = ".article--lead"
    BODY = "article"
    TAGS = ".subjectsList--link"
    EXCLUDE = (
        "h1", ".article--lead", ".signature", ".article--mainPhotoSource", "figure",
        "small", ".subjectsList--overlay", "[class*=adSlot]", "[data-ad-slot]", "[id^=video]",
        ".video", ".share", ".article--rating", "aside",
    )


PORTAL = Portal(
    name="wp",
    domains=("wp.pl", "money.pl", "o2.pl", "pudelek.pl", "abczdrowie.pl", "kobieta.wp.pl",
             "gadzetomania.pl", "komorkomania.pl", "autokult.pl", "fotoblogia.pl",
             "dobreprogramy.pl", "parenting.pl", "wp.tv"),
    parsers=((date(2015, 1, 1), WpParser),),
    home="https://wiadomosci.wp.pl/",
    sitemaps=("/sitemap.xml", "/sitemap-news.xml"),
    feeds=("/rss.xml",),
    sections=("/polska", "/swiat", "/wybory", "/gospodarka"),
    # wiadomosci.wp.pl/slug-6958809779915264a, money.pl/...-6958809779915264a.html,
    # sportowefakty.wp.pl/pilka-nozna/1123456/slug
    article_url=r"(?:-\d{12,}a(?:\.html)?$)|(?:^/[\w-]+(?:/[\w-]+)?/\d{5,}/[\w-]+$)",
    related_heading="Wybrane dla Ciebie",
    # The server HTML of a WP article has no "Wybrane dla Ciebie" block: the portal's own script
    # (served from the article's host) inserts it. Render article pages and wait for the block.
    render=True,
    render_wait='[data-st-area="Wybrane-dla-Ciebie"] a[href]',
    language="pl",
    timezone="Europe/Warsaw",
)
