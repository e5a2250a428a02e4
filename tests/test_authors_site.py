"""Authors are people: never the site's own name, an end mark or words from a sentence."""

from __future__ import annotations

from test_authors import authors, ld

from newscrawl.extract.authors import looks_like_name, split_names


def test_site_wide_meta_author_gives_way_to_the_byline() -> None:
    head = '<meta name="author" content="Rp.pl">'
    byline = '<div class="article-author"><a href="/autor/1">Anna Nowak</a>, ' \
             '<a href="/autor/2">Jan Kowalski</a></div>'
    assert authors(head, byline, url="https://www.rp.pl/kraj/art1-x") == ["Anna Nowak",
                                                                     "Jan Kowalski"]


def test_host_name_is_never_an_author() -> None:
    head = '<meta name="author" content="INTERIA.PL">'
    assert authors(head, url="https://menway.interia.pl/historia/news-x") == []
    head = ld('{"@type":"NewsArticle","headline":"H","author":{"@type":"Person",'
              '"name":"Forsal.pl"}}')
    assert authors(head, url="https://forsal.pl/gospodarka/artykuly/1") == []


def test_site_name_from_open_graph_and_publisher_is_never_an_author() -> None:
    head = ('<meta property="og:site_name" content="Tygodnik Przykładowy">'
            '<meta name="author" content="Tygodnik Przykładowy">')
    assert authors(head, url="https://tp.example.pl/a/1") == []
    head = ld('{"@type":"NewsArticle","headline":"H","author":{"@type":"Person","name":'
              '"Zespół Kurier Wieczorny"},"publisher":{"@type":"NewsMediaOrganization",'
              '"name":"Kurier Wieczorny"}}')
    assert authors(head, url="https://kw.example.pl/a/1") == []


def test_a_site_wide_credit_with_an_address_is_dropped_whole() -> None:
    head = '<meta name="author" content="gazeta-miejska.de, Frankfurt, Germany">'
    assert authors(head, url="https://www.gazeta-miejska.de/a/1") == []


def test_a_personal_site_named_after_its_author_keeps_the_author() -> None:
    head = '<meta name="author" content="Anna Nowak">'
    assert authors(head, url="https://annanowak.pl/2024/05/wpis") == ["Anna Nowak"]


def test_wire_end_mark_is_not_an_author() -> None:
    tail = "<p>The talks will resume next week, the ministry said on Friday. (END)</p>"
    assert authors(tail=tail, url="https://en.example-agency.kr/a/1") == []
    assert not looks_like_name("END") and not looks_like_name("Ende")


def test_a_sentence_in_an_author_box_yields_no_names() -> None:
    body = '<span class="autor">#Krótko o przepisach prawa w Nowej Zelandii i Polsce</span>'
    assert authors(body=body, url="https://klub.example.pl/2021/04/22/x") == []
    assert split_names("Georg Quaas, 21. Jan. 2015 Eine realistische Interpretation des "
                       "Keynes-Hicks-Multiplikators") == ["Georg Quaas"]


def test_markup_inside_jsonld_names_is_read_as_text() -> None:
    head = ld('{"@type":"NewsArticle","headline":"H","author":["<a href=\\"/pl/eksperci/m-g\\">'
              'Mateusz Gniazdowski</a>","<a href=\\"/pl/eksperci/m-w\\">Martyna Wasiuta</a>"]}')
    assert authors(head, url="https://www.instytut.example.pl/pl/a") == ["Mateusz Gniazdowski",
                                                                     "Martyna Wasiuta"]


def test_labels_and_tag_lists_are_not_names() -> None:
    assert split_names("Autor/in: Korinna Hennig") == ["Korinna Hennig"]
    assert not looks_like_name("Powered by")
    assert split_names("CSP / International / Photovoltaik / Solarthermie / Speicher") == []
    assert not looks_like_name("asty//now")
