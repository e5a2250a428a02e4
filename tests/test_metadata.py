"""Structured data: JSON-LD shapes, OpenGraph and meta, microdata, headline choice, paywall."""

from __future__ import annotations

from datetime import UTC, datetime

from newscrawl.extract.document import Document
from newscrawl.extract.headline import strip_site_suffix
from newscrawl.extract.metadata import read_metadata
from newscrawl.routing import extract_article

URL = "https://news.example.com/world/story-1"
FETCHED = datetime(2024, 5, 10, tzinfo=UTC)


def page(head: str = "", body: str = "", lang: str = "en") -> str:
    return (f'<html lang="{lang}"><head>{head}</head><body>{body}'
            "<p>Some body text that is long enough to be a paragraph of the article.</p>"
            "</body></html>")


def ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


def md_of(html: str, url: str = URL):
    return read_metadata(Document(html, url))


def test_jsonld_graph_is_searched() -> None:
    html = page(ld('{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"S"},'
                   '{"@type":"NewsArticle","headline":"Graph headline",'
                   '"datePublished":"2024-05-01T10:00:00Z","articleSection":"World",'
                   '"keywords":"a, b","author":{"@type":"Person","name":"Jane Roe"}}]}'))
    md = md_of(html)
    assert md.headline == "Graph headline"
    assert md.published_raw == "2024-05-01T10:00:00Z" and md.published_source == "jsonld"
    assert md.section == "World" and md.tags == ["a", "b"]
    assert md.authors == ["Jane Roe"]


def test_jsonld_list_and_nested_main_entity() -> None:
    html = page(ld('[{"@type":"Organization","name":"Org"},{"@type":"WebPage",'
                   '"mainEntity":{"@type":"Article","headline":"Nested one",'
                   '"datePublished":"2024-05-02"}}]'))
    md = md_of(html)
    assert md.headline == "Nested one" and md.published_raw == "2024-05-02"


def test_article_matching_the_page_is_chosen() -> None:
    html = page(ld('[{"@type":"NewsArticle","headline":"Other story","url":'
                   '"https://news.example.com/other","datePublished":"2024-01-01"},'
                   '{"@type":"NewsArticle","headline":"This story","url":"' + URL + '",'
                   '"datePublished":"2024-05-03"}]'), body="<h1>This story</h1>")
    md = md_of(html)
    assert md.headline == "This story" and md.published_raw == "2024-05-03"


def test_opengraph_and_article_meta() -> None:
    html = page('<meta property="og:title" content="OG title">'
                '<meta property="article:published_time" content="2024-05-01T10:00:00Z">'
                '<meta property="article:modified_time" content="2024-05-02T10:00:00Z">'
                '<meta property="article:section" content="Tech">'
                '<meta property="article:tag" content="x"><meta property="article:tag" content="y">'
                '<meta property="og:image" content="/img.jpg">'
                '<link rel="canonical" href="/world/story-1">')
    art = extract_article(html, URL, fetched_at=FETCHED)
    assert art.headline == "OG title"
    assert art.published == "2024-05-01T10:00:00+00:00" and art.date_source == "meta"
    assert art.modified == "2024-05-02T10:00:00+00:00"
    assert art.section == "Tech" and art.tags == ["x", "y"]
    assert art.image == "https://news.example.com/img.jpg"
    assert art.canonical_url == URL


def test_dublin_core_parsely_and_sailthru() -> None:
    md = md_of(page('<meta name="DC.date.issued" content="2024-03-01">'
                    '<meta name="parsely-author" content="Ann Writer">'
                    '<meta name="sailthru.tags" content="one, two">'))
    assert md.published_raw == "2024-03-01" and md.published_source == "meta"
    assert md.meta_authors == ["Ann Writer"]
    assert md.tags == ["one", "two"]


def test_microdata_headline_and_date() -> None:
    html = page(body='<div itemscope itemtype="https://schema.org/NewsArticle">'
                     '<h2 itemprop="headline">Micro headline</h2>'
                     '<span itemprop="datePublished" content="2024-02-02T08:00:00Z">2 Feb</span>'
                     '</div>')
    md = md_of(html)
    assert md.headline == "Micro headline"
    assert ("2024-02-02T08:00:00Z", "meta") in md.published_candidates


def test_h1_when_no_structured_data() -> None:
    html = page(body="<header><h1>Site</h1></header><article><h1>Real headline here</h1>"
                     "</article>", head="<title>Real headline here | Site</title>")
    art = extract_article(html, URL, fetched_at=FETCHED)
    assert art.headline == "Real headline here"


def test_h1_agreeing_with_og_title_beats_suffixed_title() -> None:
    html = page('<meta property="og:title" content="Big news today - Example News">'
                '<meta property="og:site_name" content="Example News">'
                "<title>Big news today - Example News</title>",
                body="<h1>Big news today</h1>")
    assert md_of(html).headline == "Big news today"


def test_site_suffix_stripped_when_only_title_exists() -> None:
    html = page("<title>Another story | Example News</title>"
                '<meta property="og:site_name" content="Example News">')
    assert md_of(html).headline == "Another story"


def test_strip_site_suffix_keeps_headlines_with_dashes() -> None:
    assert strip_site_suffix("Rain - and more rain - expected", "Example") == \
        "Rain - and more rain - expected"
    assert strip_site_suffix("Rain expected | Example", "Example") == "Rain expected"


def test_paywall_flags() -> None:
    free = page(ld('{"@type":"NewsArticle","headline":"H","isAccessibleForFree":true}'))
    paid = page(ld('{"@type":"NewsArticle","headline":"H","isAccessibleForFree":"False"}'))
    part = page(ld('{"@type":"NewsArticle","headline":"H","hasPart":{"@type":"WebPageElement",'
                   '"isAccessibleForFree":false,"cssSelector":".paywall"}}'))
    tier = page('<meta property="article:content_tier" content="locked">')
    assert extract_article(free, URL, fetched_at=FETCHED).paywalled is False
    assert extract_article(paid, URL, fetched_at=FETCHED).paywalled is True
    assert extract_article(part, URL, fetched_at=FETCHED).paywalled is True
    assert extract_article(tier, URL, fetched_at=FETCHED).paywalled is True
    assert extract_article(page(), URL, fetched_at=FETCHED).paywalled is False


def test_language_from_html_then_jsonld() -> None:
    assert md_of(page(lang="pl-PL")).language == "pl"
    html = ('<html><head>' + ld('{"@type":"Article","headline":"H","inLanguage":"de-DE"}')
            + "</head><body></body></html>")
    assert md_of(html).language == "de"


def test_visible_heading_backed_by_og_title_beats_jsonld() -> None:
    html = page(ld('{"@type":"NewsArticle","headline":"SEO headline for search engines"}')
                + '<meta property="og:title" content="The headline readers see on the page">',
                body="<article><header><h1>The headline readers see on the page</h1></header>"
                     "</article>")
    assert md_of(html).headline == "The headline readers see on the page"


def test_breadcrumb_and_teaser_list_headings_are_skipped() -> None:
    html = page(ld('{"@type":"NewsArticle","headline":"Kicker: the real headline of it"}')
                + '<meta property="og:title" content="Another social title of the story">',
                body="<nav class='breadcrumb'><h1>Another social title of the story</h1></nav>"
                     "<ul><li><h1>Another social title of the story</h1></li></ul>"
                     "<article><hgroup><h2>Kicker: the real headline of it</h2></hgroup>"
                     "</article>")
    assert md_of(html).headline == "Kicker: the real headline of it"


def test_visible_typography_kept_but_lost_kicker_colon_restored() -> None:
    curly = page('<meta property="og:title" content="Rain - and \'more\' rain expected">',
                 body="<article><h1>Rain – and ‘more’ rain expected</h1></article>")
    assert md_of(curly).headline == "Rain – and ‘more’ rain expected"
    kicker = page('<meta property="og:title" content="Weather: Rain and more rain expected">',
                  body="<article><h1><span>Weather</span> Rain and more rain expected</h1>"
                       "</article>")
    assert md_of(kicker).headline == "Weather: Rain and more rain expected"


def test_title_prefix_naming_the_site_is_not_the_headline() -> None:
    html = page("<title>Diario HOY | Darán bendición a vehículos este sábado</title>",
                body="<article><header><h1>Darán bendición a vehículos este sábado</h1></header>"
                     "<h1>Otra noticia distinta del mismo diario</h1></article>")
    assert md_of(html, "https://www.hoy.com.py/nacionales/daran").headline == \
        "Darán bendición a vehículos este sábado"


def test_lone_article_h1_beats_a_title_nobody_backs() -> None:
    html = page("<title>Betriebliche Altersvorsorge im Überblick</title>",
                body="<article><header class='entry-header'><h1>Mit Hilfe des Chefs für die "
                     "Rente sparen</h1></header></article>")
    assert md_of(html).headline == "Mit Hilfe des Chefs für die Rente sparen"


def test_markup_after_a_second_html_element_is_read() -> None:
    # Broken pages can parse to two top-level <html> elements; structured data in the second
    # one still counts.
    html = ("<html><head><title>Story</title></head><body><p>x</p></body></html>"
            '<html><body><article><time datetime="2024-05-03T06:00:00Z" '
            'itemprop="datePublished">May 3</time>'
            '<link rel="canonical" href="https://news.example.com/c"></article></body></html>')
    md = read_metadata(Document(html, URL))
    assert ("2024-05-03T06:00:00Z", "meta") in md.published_candidates
    assert ("2024-05-03T06:00:00Z", "time") in md.published_candidates
