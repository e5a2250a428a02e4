"""Authors are people: never the site's own name, an end mark or words from a sentence."""

from __future__ import annotations

from datetime import UTC, datetime

from newscrawl.extract.authors import looks_like_name, split_names
from newscrawl.routing import extract_article

FETCHED = datetime(2024, 5, 10, tzinfo=UTC)
TEXT = ("<p>Paragraph of the article body that is long enough to count as text, with more "
        "words after the comma so that it reads as a real sentence.</p>")


def authors(url: str, head: str = "", body: str = "", tail: str = "") -> list[str]:
    html = (f"<html lang='pl'><head>{head}</head><body><article><h1>Headline of it</h1>"
            f"{body}{TEXT}{tail}</article></body></html>")
    return extract_article(html, url, fetched_at=FETCHED).authors


def ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


def test_site_wide_meta_author_gives_way_to_the_byline() -> None:
    head = '<meta name="author" content="Rp.pl">'
    byline = '<div class="article-author"><a href="/autor/1">Anna Nowak</a>, ' \
             '<a href="/autor/2">Jan Kowalski</a></div>'
    assert authors("https://www.rp.pl/kraj/art1-x", head, byline) == ["Anna Nowak",
                                                                     "Jan Kowalski"]


def test_host_name_is_never_an_author() -> None:
    head = '<meta name="author" content="INTERIA.PL">'
    assert authors("https://menway.interia.pl/historia/news-x", head) == []
    head = ld('{"@type":"NewsArticle","headline":"H","author":{"@type":"Person",'
              '"name":"Forsal.pl"}}')
    assert authors("https://forsal.pl/gospodarka/artykuly/1", head) == []


def test_site_name_from_open_graph_and_publisher_is_never_an_author() -> None:
    head = ('<meta property="og:site_name" content="Tygodnik Przykładowy">'
            '<meta name="author" content="Tygodnik Przykładowy">')
    assert authors("https://tp.example.pl/a/1", head) == []
    head = ld('{"@type":"NewsArticle","headline":"H","author":{"@type":"Person","name":'
              '"Zespół Kurier Wieczorny"},"publisher":{"@type":"NewsMediaOrganization",'
              '"name":"Kurier Wieczorny"}}')
    assert authors("https://kw.example.pl/a/1", head) == []


def test_a_site_wide_credit_with_an_address_is_dropped_whole() -> None:
    head = '<meta name="author" content="gazeta-miejska.de, Frankfurt, Germany">'
    assert authors("https://www.gazeta-miejska.de/a/1", head) == []


def test_a_personal_site_named_after_its_author_keeps_the_author() -> None:
    head = '<meta name="author" content="Anna Nowak">'
    assert authors("https://annanowak.pl/2024/05/wpis", head) == ["Anna Nowak"]


def test_wire_end_mark_is_not_an_author() -> None:
    tail = "<p>The talks will resume next week, the ministry said on Friday. (END)</p>"
    assert authors("https://en.example-agency.kr/a/1", tail=tail) == []
    assert not looks_like_name("END") and not looks_like_name("Ende")


def test_a_sentence_in_an_author_box_yields_no_names() -> None:
    body = '<span class="autor">#Krótko o przepisach prawa w Nowej Zelandii i Polsce</span>'
    assert authors("https://klub.example.pl/2021/04/22/x", body=body) == []
    assert split_names("Georg Quaas, 21. Jan. 2015 Eine realistische Interpretation des "
                       "Keynes-Hicks-Multiplikators") == ["Georg Quaas"]


def test_markup_inside_jsonld_names_is_read_as_text() -> None:
    head = ld('{"@type":"NewsArticle","headline":"H","author":["<a href=\\"/pl/eksperci/m-g\\">'
              'Mateusz Gniazdowski</a>","<a href=\\"/pl/eksperci/m-w\\">Martyna Wasiuta</a>"]}')
    assert authors("https://www.instytut.example.pl/pl/a", head) == ["Mateusz Gniazdowski",
                                                                     "Martyna Wasiuta"]


def test_labels_and_tag_lists_are_not_names() -> None:
    assert split_names("Autor/in: Korinna Hennig") == ["Korinna Hennig"]
    assert not looks_like_name("Powered by")
    assert split_names("CSP / International / Photovoltaik / Solarthermie / Speicher") == []
    assert not looks_like_name("asty//now")
