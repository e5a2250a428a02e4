"""Listing pages, feed links and article-vs-listing classification, on hand-written HTML."""

from __future__ import annotations

import json

from newscrawl.discovery import classify_page, feed_links, parse_listing
from newscrawl.discovery.listing import is_pagination_url, looks_like_article_url

HOME = """<html><head>
<link rel="alternate" type="application/rss+xml" href="/rss.xml">
<link rel="alternate" type="application/atom+xml" href="https://portal.example/atom.xml">
<link rel="alternate" hreflang="en" href="/en/">
<link rel="next" href="/strona/2">
</head><body>
<nav><a href="/polska">Polska</a><a href="/swiat/">Świat</a><a href="/tag/wybory">wybory</a></nav>
<a href="/polska/wybory-samorzadowe-wyniki-w-calym-kraju-123456">Wybory: wyniki</a>
<a href="https://portal.example/swiat/2024/06/20/szczyt-nato">Szczyt NATO</a>
<a href="https://other.example/obcy-artykul-z-innego-serwisu-123456">obcy</a>
<a href="/polska?page=3">3</a>
<a href="/logo.png">logo</a><a href="mailto:x@example.com">mail</a>
<a href="/polska/wybory-samorzadowe-wyniki-w-calym-kraju-123456#komentarze">again</a>
</body></html>"""


def test_listing_finds_articles_pagination_and_sections():
    result = parse_listing(HOME, "https://portal.example/", sections=True)
    assert [e.url for e in result.entries] == [
        "https://portal.example/polska/wybory-samorzadowe-wyniki-w-calym-kraju-123456",
        "https://portal.example/swiat/2024/06/20/szczyt-nato"]
    assert result.entries[0].title == "Wybory: wyniki"
    assert result.follow[0] == "https://portal.example/strona/2"
    assert "https://portal.example/polska?page=3" in result.follow
    assert "https://portal.example/polska" in result.follow
    assert not any("tag/" in u or "other.example" in u or "logo" in u for u in result.follow)


def test_listing_without_sections_follows_only_pagination():
    result = parse_listing(HOME, "https://portal.example/")
    assert result.follow == ["https://portal.example/strona/2",
                             "https://portal.example/polska?page=3"]


def test_portal_pattern_overrides_url_shape():
    html = ('<a href="/x-6000000000000100a">krótki</a>'
            '<a href="/dlugi-tytul-bez-numeru-w-ogole">x</a>')
    result = parse_listing(html, "https://wiadomosci.wp.pl/", article_url=r"-\d{12,}a$")
    assert [e.url for e in result.entries] == ["https://wiadomosci.wp.pl/x-6000000000000100a"]


def test_feed_links():
    assert feed_links(HOME, "https://portal.example/") == [
        "https://portal.example/rss.xml", "https://portal.example/atom.xml"]


def test_url_shapes():
    assert looks_like_article_url("https://a.pl/kraj/art41800100-sejm-zapowiada-zmiany")
    assert looks_like_article_url("https://a.pl/sejm-zapowiada-zmiany-w-przepisach-6000000000000100a")
    assert not looks_like_article_url("https://a.pl/polska")
    assert not looks_like_article_url("https://a.pl/tag/bardzo-dlugi-tag-o-wyborach-2024")
    assert is_pagination_url("https://a.pl/polska/strona/2")
    assert is_pagination_url("https://a.pl/polska?page=2")
    assert not is_pagination_url("https://a.pl/polska")


def _page(ld: dict | None = None, og: str | None = None, paragraphs: int = 0,
          links: int = 0) -> str:
    head = ""
    if ld:
        head += f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    if og:
        head += f'<meta property="og:type" content="{og}">'
    body = "".join(f"<p>{'Zdanie o czymś ważnym w kraju i na świecie. ' * 4}</p>"
                   for _ in range(paragraphs))
    body += "".join(f'<a href="/l{i}">link numer {i}</a>' for i in range(links))
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_classify_by_structured_data_then_density():
    url = "https://a.pl/x"
    assert classify_page(_page({"@graph": [{"@type": "WebSite"}, {"@type": "NewsArticle"}]}),
                         url) == "article"
    assert classify_page(_page(og="article"), url) == "article"
    assert classify_page(_page({"@type": "CollectionPage"}, links=50), url) == "listing"
    assert classify_page(_page(og="website", paragraphs=5), url) == "listing"
    assert classify_page(_page(paragraphs=6, links=5), url) == "article"
    assert classify_page(_page(links=60), url) == "listing"
    assert classify_page(_page(paragraphs=6), "https://a.pl/kraj/strona/3") == "listing"
    assert classify_page(_page(), url) == "unknown"
