"""Discovery readers over hand-written bytes: sitemaps, feeds, robots.txt, hostile XML."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from newscrawl.discovery import (
    TimeWindow,
    parse_feed,
    parse_since,
    parse_sitemap,
    sitemaps_from_robots,
)
from newscrawl.discovery.xmlsafe import MAX_XML_BYTES

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://portal.example/sitemap-1.xml</loc><lastmod>2024-05-01</lastmod></sitemap>
  <sitemap><loc> https://portal.example/sitemap-2.xml.gz </loc></sitemap>
</sitemapindex>"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://portal.example/a-1</loc><lastmod>2024-05-01T10:00:00+02:00</lastmod></url>
  <url><loc>https://portal.example/a-2</loc><lastmod>2024-05-02</lastmod></url>
  <url><loc>https://portal.example/a-3</loc><lastmod>yesterday-ish</lastmod></url>
  <url><lastmod>2024-05-02</lastmod></url>
</urlset>"""

NEWS = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://portal.example/swiat/wybory-123456</loc>
    <news:news>
      <news:publication><news:name>Portal</news:name><news:language>pl</news:language>
      </news:publication>
      <news:publication_date>2024-06-20T08:15:00+02:00</news:publication_date>
      <news:title>Wybory: zażółć gęślą jaźń</news:title>
    </news:news>
  </url>
</urlset>""".encode()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://portal.example/&lol9;</loc></url>
</urlset>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://portal.example/&xxe;</loc></url>
</urlset>"""

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Portal</title>
  <item><title>Pierwszy</title><link>https://portal.example/pierwszy-1</link>
    <pubDate>Thu, 20 Jun 2024 08:15:00 +0200</pubDate></item>
  <item><title>Drugi</title>
    <guid isPermaLink="true">https://portal.example/drugi-2</guid></item>
  <item><title>Bez linku</title><guid isPermaLink="false">id-3</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Portal</title>
  <entry><title>Atomowy</title>
    <link rel="self" href="https://portal.example/self"/>
    <link rel="alternate" href="https://portal.example/atomowy-1"/>
    <published>2024-06-19T10:00:00Z</published><updated>2024-06-20T10:00:00Z</updated>
  </entry>
</feed>"""


def test_sitemap_index_lists_children():
    result = parse_sitemap(INDEX)
    assert result.kind == "index"
    assert result.follow == ["https://portal.example/sitemap-1.xml",
                             "https://portal.example/sitemap-2.xml.gz"]
    assert result.entries == []


def test_urlset_keeps_lastmod_and_reports_bad_dates():
    result = parse_sitemap(URLSET)
    assert result.kind == "urlset"
    assert [e.url for e in result.entries] == [f"https://portal.example/a-{i}" for i in (1, 2, 3)]
    assert result.entries[0].lastmod == "2024-05-01T10:00:00+02:00"
    assert result.entries[1].lastmod == "2024-05-02"
    assert result.entries[2].lastmod is None
    assert any("unreadable date" in p for p in result.problems)


def test_news_sitemap_keeps_publication_date_and_title():
    result = parse_sitemap(NEWS)
    assert result.kind == "news-sitemap"
    (entry,) = result.entries
    assert entry.published == "2024-06-20T08:15:00+02:00"
    assert entry.title == "Wybory: zażółć gęślą jaźń"
    assert entry.meta("news-sitemap") == {
        "source": "news-sitemap", "lastmod": None, "published": "2024-06-20T08:15:00+02:00",
        "title": "Wybory: zażółć gęślą jaźń"}


def test_gzip_sitemap_is_read():
    result = parse_sitemap(gzip.compress(NEWS))
    assert [e.url for e in result.entries] == ["https://portal.example/swiat/wybory-123456"]
    assert result.problems == []


def test_gzip_bomb_is_refused_with_reason():
    bomb = gzip.compress(b"<urlset>" + b" " * (MAX_XML_BYTES + 1024) + b"</urlset>")
    assert len(bomb) < 200_000
    result = parse_sitemap(bomb)
    assert result.kind == "invalid" and result.entries == []
    assert any("inflates beyond 50 MB" in p for p in result.problems)


def test_corrupt_gzip_is_reported():
    result = parse_sitemap(b"\x1f\x8b\x08\x00garbage")
    assert result.kind == "invalid"
    assert any("gzip" in p for p in result.problems)


def test_billion_laughs_is_refused():
    result = parse_sitemap(BILLION_LAUGHS)
    assert result.entries == []
    assert any("entities" in p for p in result.problems)


def test_external_entity_is_never_fetched():
    result = parse_sitemap(XXE)
    assert result.entries == []
    assert all("root:" not in e.url for e in result.entries)
    assert any("entities" in p for p in result.problems)
    assert "root:" not in repr(result)


def test_xml_parser_does_not_expand_entities_even_without_the_guard(monkeypatch):
    """Defence in depth: with the declaration check off, lxml still must not read the file."""
    from newscrawl.discovery import xmlsafe

    monkeypatch.setattr(xmlsafe, "_ENTITY_DECL", __import__("re").compile(rb"(?!x)x"))
    result = parse_sitemap(XXE)
    assert "root:" not in repr(result)
    laughs = parse_sitemap(BILLION_LAUGHS)
    assert all(len(e.url) < 1000 for e in laughs.entries)


def test_rss_items_with_link_or_permalink_guid():
    result = parse_feed(RSS)
    assert result.kind == "rss"
    assert [e.url for e in result.entries] == ["https://portal.example/pierwszy-1",
                                               "https://portal.example/drugi-2"]
    assert result.entries[0].published == "2024-06-20T08:15:00+02:00"
    assert result.entries[0].title == "Pierwszy"
    assert any("without a link" in p for p in result.problems)


def test_atom_prefers_alternate_link():
    (entry,) = parse_feed(ATOM).entries
    assert entry.url == "https://portal.example/atomowy-1"
    assert entry.published == "2024-06-19T10:00:00+00:00"
    assert entry.lastmod == "2024-06-20T10:00:00+00:00"


def test_malformed_feed_is_recovered_and_reported():
    truncated = RSS[: RSS.index(b"<item><title>Drugi")] + b"<item><title>Dr"
    result = parse_feed(truncated)
    assert [e.url for e in result.entries] == ["https://portal.example/pierwszy-1"]
    assert any("malformed XML" in p for p in result.problems)


def test_not_xml_at_all():
    assert parse_feed(b"<html><body>nope</body></html>").kind == "invalid"
    assert parse_sitemap(b"").problems == ["empty document"]


def test_robots_sitemap_lines():
    robots = ("User-agent: *\nDisallow: /szukaj\n# Sitemap: https://x/commented.xml\n"
              "Sitemap: https://portal.example/sitemap_index.xml\n"
              "sitemap:/sitemap-news.xml\nSitemap: https://portal.example/sitemap_index.xml\n")
    assert sitemaps_from_robots(robots, "https://portal.example/robots.txt") == [
        "https://portal.example/sitemap_index.xml", "https://portal.example/sitemap-news.xml"]


def test_since_parsing_and_window():
    now = datetime(2024, 6, 20, 12, tzinfo=UTC)
    assert parse_since("2h", now=now) == datetime(2024, 6, 20, 10, tzinfo=UTC)
    assert parse_since("3d", now=now) == datetime(2024, 6, 17, 12, tzinfo=UTC)
    assert parse_since("2024-06-01") == datetime(2024, 6, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a time"):
        parse_since("yesterday")
    window = TimeWindow.from_args("2024-06-01", "2024-06-10")
    assert window.contains("2024-06-05T10:00:00+02:00") is True
    assert window.contains("2024-05-31") is False
    assert window.contains("2024-06-10") is False
    assert window.contains(None) is None
    with pytest.raises(ValueError, match="before"):
        TimeWindow.from_args("2024-06-10", "2024-06-01")
