"""Authors: JSON-LD persons vs organisations, bylines, prefixes, end-of-body signatures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import ROOT

from newscrawl.extract.authors import signature_names, split_names
from newscrawl.routing import extract_article

URL = "https://news.example.com/a/1"
FETCHED = datetime(2024, 5, 10, tzinfo=UTC)
BODY = "<p>Paragraph of the article body that is long enough to count as text.</p>"


def authors(head: str = "", body: str = "", tail: str = "", url: str = URL) -> list[str]:
    html = (f"<html lang='pl'><head>{head}</head><body><article><h1>Headline of it</h1>"
            f"{body}{BODY}{tail}</article></body></html>")
    return extract_article(html, url, fetched_at=FETCHED).authors


def ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


def test_jsonld_persons_not_organisations() -> None:
    head = ld('{"@type":"NewsArticle","headline":"H","author":[{"@type":"Organization",'
              '"name":"Example Media"},{"@type":"Person","name":"Anna Nowak"}]}')
    assert authors(head) == ["Anna Nowak"]


def test_jsonld_organisation_only_when_no_person() -> None:
    head = ld('{"@type":"NewsArticle","headline":"H","author":{"@type":"Organization",'
              '"name":"Example Media"}}')
    assert authors(head) == ["Example Media"]


def test_generic_credit_and_urls_dropped_when_a_person_exists() -> None:
    head = ld('{"@type":"NewsArticle","headline":"H","author":[{"@type":"Person",'
              '"name":"Redakcja"},{"@type":"Person","name":"Jan Kowalski"},'
              '{"@type":"Person","name":"https://example.com/jan"}]}')
    assert authors(head) == ["Jan Kowalski"]


def test_generic_credit_kept_when_alone() -> None:
    assert authors('<meta name="author" content="Redakcja">') == ["Redakcja"]


@pytest.mark.parametrize(("byline", "expected"), [
    ('<a rel="author" href="/a/jan">Jan Kowalski</a>', ["Jan Kowalski"]),
    ('<span itemprop="author" itemscope><span itemprop="name">Ewa Lis</span></span>',
     ["Ewa Lis"]),
    ('<div class="article-byline">By Jane Roe and John Doe</div>', ["Jane Roe", "John Doe"]),
    ('<div class="signature--author">Autor: Piotr Zieliński</div>', ["Piotr Zieliński"]),
    ('<p class="author">oprac. Marta Wójcik</p>', ["Marta Wójcik"]),
    ('<p class="author">Anna Nowak, Jan Kowalski i Ewa Lis</p>',
     ["Anna Nowak", "Jan Kowalski", "Ewa Lis"]),
    ('<p class="author">Anna Nowak &amp; ANNA NOWAK</p>', ["Anna Nowak"]),
])
def test_bylines(byline: str, expected: list[str]) -> None:
    assert authors(body=byline) == expected


def test_source_line_is_not_an_author() -> None:
    assert authors(body='<p class="author">Źródło: PAP</p>') == []


def test_byline_line_after_headline() -> None:
    assert authors(body="<p><i>von Daniela Obers</i></p>") == ["Daniela Obers"]


@pytest.mark.parametrize(("paragraphs", "expected"), [
    (["Tekst.", "Ostatni akapit kończy się podpisem. (reb)"], ["reb"]),
    (["Tekst.", "Ostatni akapit. (PAP)"], ["PAP"]),
    (["Tekst.", "Ostatni akapit. (mb/PAP)"], ["mb", "PAP"]),
    (["Tekst.", "oprac. jk"], ["jk"]),
    (["Tekst.", "mb/"], ["mb"]),
    (["Tekst.", "Zdanie kończy się datą (2024)."], []),
    (["Tekst.", "Bez podpisu."], []),
])
def test_signatures(paragraphs: list[str], expected: list[str]) -> None:
    assert signature_names(paragraphs) == expected


def test_body_signature_added_and_paragraph_unchanged() -> None:
    html = ("<html lang='pl'><body><article><h1>Tytuł artykułu tutaj</h1>"
            "<p>Pierwszy akapit artykułu, wystarczająco długi aby był treścią.</p>"
            "<p>Walka z terroryzmem jest obecnie priorytetem - podkreślał. (reb)</p>"
            "</article></body></html>")
    art = extract_article(html, URL, fetched_at=FETCHED)
    assert art.authors == ["reb"]
    assert art.body[-1].endswith("podkreślał. (reb)")


def test_agency_signature_dropped_next_to_a_person() -> None:
    html = ("<html lang='pl'><head>" + ld('{"@type":"NewsArticle","headline":"H","author":'
            '{"@type":"Person","name":"Anna Nowak"}}') + "</head><body><article><h1>H1 text</h1>"
            "<p>Pierwszy akapit artykułu, wystarczająco długi aby był treścią.</p>"
            "<p>Drugi akapit. (PAP)</p></article></body></html>")
    assert extract_article(html, URL, fetched_at=FETCHED).authors == ["Anna Nowak"]


def test_split_names() -> None:
    assert split_names("By A. Smith, B. Jones & C. Brown") == ["A. Smith", "B. Jones", "C. Brown"]
    assert split_names("Von Roland Brockmann und Sebastian Drescher") == [
        "Roland Brockmann", "Sebastian Drescher"]
    assert split_names("jan@example.com") == []


def test_short_sign_parentheses_and_nordic_and() -> None:
    assert split_names("Elena Oberholzer (obe), Corina Gall (cog.)") == [
        "Elena Oberholzer", "Corina Gall"]
    assert split_names("Anna (Ania) Nowak") == ["Anna (Ania) Nowak"]
    assert split_names("blogger (stevenhgm)") == ["blogger (stevenhgm)"]
    assert split_names("(Jan Kowalski)") == ["Jan Kowalski"]
    assert split_names("Trine Jørgensen og Tôrtia Reimer") == ["Trine Jørgensen", "Tôrtia Reimer"]


def test_jsonld_author_reference_to_a_person_in_the_graph() -> None:
    # Yoast SEO writes the author as a reference to a Person node of the same @graph.
    head = ld('{"@context":"https://schema.org","@graph":[{"@type":"Article","headline":"H",'
              '"author":{"@id":"https://news.example.com/#/schema/person/1"}},'
              '{"@type":"Person","@id":"https://news.example.com/#/schema/person/1",'
              '"name":"Doris Schuppe"}]}')
    assert authors(head) == ["Doris Schuppe"]


def test_profile_slug_is_the_same_author() -> None:
    head = ld('{"@type":"NewsArticle","headline":"H","author":[{"@type":"Person",'
              '"name":"Sophie Foster"},{"@type":"Person","name":"sophie-foster"}]}')
    assert authors(head) == ["Sophie Foster"]


def test_wp_seed_page_signature() -> None:
    page = ROOT / "fixtures" / "pages" / "wp" / "seed-article.html"
    if not page.exists():
        pytest.skip("WP seed fixture not present")
    art = extract_article(page.read_bytes(),
                          "https://wiadomosci.wp.pl/iwanow-nowa-wspolpraca-z-nato-6033771225355905a",
                          fetched_at=datetime(2024, 1, 1, tzinfo=UTC))
    assert "reb" in art.authors
    assert art.body[-1].endswith("(reb)")
    assert art.published and art.published.startswith("2001-11-22")
