"""Recommendation blocks: detection, duplicate renderings, URL clean-up, JSON state, no leaks."""

from __future__ import annotations

from pathlib import Path

from newscrawl.devtools.evaluate import case_url, load_cases, read_page, shingle_counts
from newscrawl.extract.document import Document
from newscrawl.extract.embedded_state import json_states, related_entries
from newscrawl.extract.related import find_related
from newscrawl.extract.text import node_text
from newscrawl.routing import extract_article
from newscrawl.urls import clean_url

URL = "https://news.example.pl/kraj/artykul-123"
#: Share of a page's true article text (4-gram shingles) that related nodes may hold.
MAX_ARTICLE_SHARE = 0.15
BODY = "".join(
    f"<p>Akapit {i} artykułu, który opisuje wydarzenia dnia w kilku dłuższych zdaniach. "
    "Zdanie drugie dopełnia opis i sprawia, że akapit jest wyraźnie tekstem ciągłym, "
    "a nie podpisem ani listą odnośników.</p>" for i in range(6))


def _page(extra: str, body: str = BODY) -> Document:
    html = (f"<html lang='pl'><head><title>T</title></head><body><article><h1>Tytuł</h1>"
            f"{body}</article>{extra}</body></html>")
    return Document(html, URL)


def _titles(doc: Document, **kw: str) -> list[str]:
    return [link.title for link in find_related(doc, **kw).links]


def test_heading_block_in_page_order_with_absolute_urls() -> None:
    doc = _page("<section><h2>Czytaj także</h2><ul>"
                "<li><a href='/a/pierwszy-tekst-1'>Pierwszy tekst o ważnej sprawie</a></li>"
                "<li><a href='/a/drugi-tekst-2'>Drugi tekst o innej sprawie</a></li>"
                "</ul></section>")
    result = find_related(doc)
    assert [link.title for link in result.links] == [
        "Pierwszy tekst o ważnej sprawie", "Drugi tekst o innej sprawie"]
    assert result.links[0].url == "https://news.example.pl/a/pierwszy-tekst-1"
    assert [n.tag for n in result.nodes] == ["section"]


def test_class_tokens_find_unheaded_block() -> None:
    doc = _page("<div class='box related-articles'>"
                "<a href='/x/1'>Jeden tytuł z kilku słów</a>"
                "<a href='/x/2'>Drugi tytuł z kilku słów</a></div>")
    assert _titles(doc) == ["Jeden tytuł z kilku słów", "Drugi tytuł z kilku słów"]


def test_double_rendering_kept_once_with_best_title() -> None:
    doc = _page(
        "<div class='recommended'><h3>Polecane</h3>"
        "<a href='/r/1?utm_source=box#top'><img alt='Polityk na mównicy'>"
        "<span>Posłowie przyjęli ustawę o…</span></a>"
        "<a href='/r/1'><h4>Posłowie przyjęli ustawę o mediach publicznych</h4></a>"
        "<a href='/r/2' title='Nowy most w Krakowie otwarty dla ruchu'>"
        "<figure><img alt='Nowy most w Krakowie otwarty dla ruchu'>"
        "<figcaption>Nowy most w Krakowie otwarty dla ruchu</figcaption></figure>"
        "<h4>Nowy most w Krakowie otwarty dla ruchu</h4></a>"
        "<a href='/r/3-kopia'>Nowy most w Krakowie otwarty dla ruchu</a>"
        "</div>")
    result = find_related(doc)
    assert [(link.title, link.url) for link in result.links] == [
        ("Posłowie przyjęli ustawę o mediach publicznych", "https://news.example.pl/r/1"),
        ("Nowy most w Krakowie otwarty dla ruchu", "https://news.example.pl/r/2"),
    ]


def test_image_alt_describing_photo_does_not_replace_title() -> None:
    doc = _page("<aside><h2>Zobacz też</h2>"
                "<a href='/z/1'><img alt='Prezydent podczas konferencji prasowej w Warszawie'></a>"
                "<a href='/z/1'>Prezydent zawetował ustawę</a>"
                "<a href='/z/2'>Rząd przyjął projekt budżetu na kolejny rok</a></aside>")
    assert _titles(doc) == ["Prezydent zawetował ustawę",
                            "Rząd przyjął projekt budżetu na kolejny rok"]


def test_base_href_resolves_links() -> None:
    html = ("<html><head><base href='https://cdn.example.pl/serwis/'></head><body>"
            "<div class='polecane'><a href='t/1'>Tekst numer jeden o czymś</a>"
            "<a href='t/2'>Tekst numer dwa o czymś</a></div></body></html>")
    links = find_related(Document(html, URL)).links
    assert links[0].url == "https://cdn.example.pl/serwis/t/1"


def test_navigation_tags_footer_and_body_links_are_not_blocks() -> None:
    body = BODY + ("<p>W tekście są <a href='/l/1'>odnośnik do innego długiego tekstu</a> "
                   "oraz <a href='/l/2'>drugi odnośnik do kolejnego tekstu</a>.</p>")
    extra = ("<nav><h3>Polecane</h3><a href='/s/kraj-i-swiat'>Kraj i świat dziś</a>"
             "<a href='/s/sport-i-zdrowie'>Sport i zdrowie dziś</a></nav>"
             "<div class='tags'><h3>Tagi</h3><a href='/tag/sejm'>sejm</a>"
             "<a href='/tag/rzad'>rząd</a></div>"
             "<footer><ul><li><a href='/regulamin'>Regulamin serwisu internetowego</a></li>"
             "<li><a href='/prywatnosc'>Polityka prywatności serwisu</a></li></ul></footer>")
    assert find_related(_page(extra, body)).links == []


def test_tag_cloud_with_related_class_needs_article_like_links() -> None:
    doc = _page("<div class='related-tags'><a href='/tag/a'>sejm</a>"
                "<a href='/tag/b'>wybory</a><a href='/tag/c'>rząd</a></div>")
    assert find_related(doc).links == []


def test_inline_read_also_insert_is_found_and_kept_out_of_body() -> None:
    body = (BODY[:400] + "<p><strong>Czytaj także:</strong> "
            "<a href='/w/9'>Wielka powódź sprzed lat w liczbach</a></p>" + BODY[400:])
    html = (f"<html lang='pl'><body><article><h1>Tytuł</h1>{body}</article></body></html>")
    article = extract_article(html, URL)
    assert [link.title for link in article.related] == ["Wielka powódź sprzed lat w liczbach"]
    assert not any("Wielka powódź" in p for p in article.body)


def test_portal_block_css_wins() -> None:
    doc = _page("<div class='box-a'><a href='/p/1'>Pierwszy z bloku portalu</a>"
                "<a href='/p/2'>Drugi z bloku portalu</a></div>"
                "<section><h2>Related</h2><a href='/g/1'>Generic block title one</a>"
                "<a href='/g/2'>Generic block title two</a></section>")
    assert _titles(doc, block_css=".box-a") == ["Pierwszy z bloku portalu",
                                                "Drugi z bloku portalu"]


def test_json_state_when_no_html_block() -> None:
    state = ('{"props":{"pageProps":{"article":{"id":1,"recommendations":{"items":['
             '{"title":"Pierwsza polecana historia dnia","url":"/j/1"},'
             '{"headline":"Druga polecana historia dnia","link":{"href":"https://j.example.pl/2"}},'
             '{"title":"Pierwsza polecana historia dnia","url":"/j/1?utm_medium=x"}]}}}}}')
    html = (f"<html><body><article>{BODY}</article>"
            f"<script id='__NEXT_DATA__' type='application/json'>{state}</script></body></html>")
    links = find_related(Document(html, URL)).links
    assert [(link.title, link.url) for link in links] == [
        ("Pierwsza polecana historia dnia", "https://news.example.pl/j/1"),
        ("Druga polecana historia dnia", "https://j.example.pl/2")]


def test_json_state_keys_spelled_with_escapes_or_odd_case_are_read() -> None:
    # a key that matches only once decoded ("\\u0072elated") or case-folded ("RELATED")
    for key in ("\\u0072elated", "RELATED_items"):
        items = ('[{"title":"Tekst A o sprawie","url":"/s/a"},'
                 '{"title":"Tekst B o sprawie","url":"/s/b"}]')
        state = '{"page":{"' + key + '":' + items + "}}"
        html = (f"<html><body>{BODY}"
                f"<script type='application/json'>{state}</script></body></html>")
        assert _titles(Document(html, URL)) == ["Tekst A o sprawie", "Tekst B o sprawie"]


def test_json_state_without_related_words_is_not_decoded() -> None:
    html = (f"<html><body>{BODY}<script type='application/json'>{{\"a\": [1, 2]}}</script>"
            "<script>window.__STATE__ = {\"b\": 1};</script></body></html>")
    doc = Document(html, URL)
    assert json_states(doc) == [{"a": [1, 2]}, {"b": 1}]
    assert json_states(doc, lambda raw: "related" in raw) == []
    assert list(related_entries(doc)) == []


def test_window_state_assignment() -> None:
    script = ('window.__INITIAL_STATE__ = {"page":{"related":[{"title":"Tekst A o sprawie",'
              '"url":"/s/a"},{"title":"Tekst B o sprawie","url":"/s/b"}]}};'
              'window.other = 1;')
    html = f"<html><body>{BODY}<script>{script}</script></body></html>"
    assert _titles(Document(html, URL)) == ["Tekst A o sprawie", "Tekst B o sprawie"]


def test_canonical_link_drops_fragment_and_tracking() -> None:
    assert clean_url("https://A.pl/x?id=3&utm_source=n&fbclid=z#c") == "https://a.pl/x?id=3"


def test_german_heading() -> None:
    doc = _page("<div><h3>Mehr zum Thema</h3><a href='/d/1'>Bundestag beschließt neues Gesetz</a>"
                "<a href='/d/2'>Regierung plant weitere Reformen</a></div>")
    assert len(find_related(doc).links) == 2


# -- a block is a compact list of links, never the article ------------------------------------
LONG = ("Akapit artykułu opisuje wydarzenia dnia w kilku dłuższych zdaniach, a zdanie drugie "
        "dopełnia opis, aby akapit był wyraźnie tekstem ciągłym, nie listą odnośników. ")


def _nodes_text(doc: Document) -> str:
    return " ".join(node_text(n) for n in find_related(doc).nodes)


def test_heading_in_page_wrapper_takes_its_list_not_the_wrapper() -> None:
    # A heading placed straight in the page wrapper: the wrapper holds menus and the article.
    menu = "".join(f"<a href='/dzial/{i}/strona-dzialu'>Dział numer {i} serwisu</a>"
                   for i in range(12))
    html = (f"<html><body><div class='c-page-wrapper'><div class='menu'>{menu}</div>"
            "<div class='c-article-text'>" + "".join(f"<p>{LONG}</p>" for _ in range(6))
            + "</div>"
            "<h3>Mehr zum Thema</h3><ul>"
            "<li><a href='/t/1-erster'>Erster Artikel zum gleichen Thema</a></li>"
            "<li><a href='/t/2-zweiter'>Zweiter Artikel zum gleichen Thema</a></li></ul>"
            "</div></body></html>")
    doc = Document(html, URL)
    assert _titles(doc) == ["Erster Artikel zum gleichen Thema",
                            "Zweiter Artikel zum gleichen Thema"]
    assert "Akapit artykułu" not in _nodes_text(doc)


def test_heading_inside_article_container_keeps_the_article_out() -> None:
    # The "Related" heading sits in the container that also holds the article's paragraphs,
    # whose inline links look like article links.
    paragraphs = "".join(
        f"<p>{LONG}Więcej w <a href='/x/{i}-tekst'>tekście o sprawie numer {i}</a> dziś.</p>"
        for i in range(5))
    html = (f"<html><body><div class='content post'><h1>Tytuł</h1>{paragraphs}"
            "<div class='more'><h4>Related</h4>"
            "<a href='/r/1-pierwszy'>Pierwszy powiązany tekst dnia</a>"
            "<a href='/r/2-drugi'>Drugi powiązany tekst dnia</a></div></div></body></html>")
    doc = Document(html, URL)
    assert _titles(doc) == ["Pierwszy powiązany tekst dnia", "Drugi powiązany tekst dnia"]
    assert "Akapit artykułu" not in _nodes_text(doc)


def test_boxes_between_text_sections_leave_the_sections_out() -> None:
    # Related boxes interleaved with the article's text sections (one carries a "READ MORE" link).
    def box(n: int) -> str:
        return (f"<div class='box'><h3>Related articles</h3>"
                f"<a href='/b/{n}-a'>Box {n} first story about the plague</a>"
                f"<a href='/b/{n}-b'>Box {n} second story about the plague</a></div>")

    section = "".join(f"<p>{LONG}</p>" for _ in range(3))
    html = ("<html><body><article><div class='clearfix'>" + box(1)
            + f"<div class='text-description'>{section}<p><strong>READ MORE: "
            "<a href='/m/1-more'>China plague outbreak confirmed in Beijing</a></strong></p></div>"
            "<div class='photo'>A photo caption (Image: AGENCY)</div>" + box(2)
            + f"<div class='text-description'>{section}</div></div></article></body></html>")
    doc = Document(html, URL)
    titles = _titles(doc)
    assert "Box 1 first story about the plague" in titles
    assert "Box 2 second story about the plague" in titles
    assert "Akapit artykułu" not in _nodes_text(doc)


def test_teasers_with_summaries_after_a_heading_are_one_block() -> None:
    summary = "Krótki opis polecanego tekstu, który zachęca do lektury i streszcza jego treść. " * 2
    items = "".join(f"<li><a href='/p/{i}-tekst'>Polecany tekst numer {i} dnia</a>"
                    f"<p>{summary}</p></li>" for i in range(4))
    doc = _page(f"<div><h2>Polecane</h2><ul>{items}</ul></div>")
    assert len(find_related(doc).links) == 4


def test_related_nodes_hold_little_of_the_article_text_on_the_corpus(corpus_dir: Path) -> None:
    """On real pages, related blocks hold at most a small share of the true article text."""
    worst: list[tuple[float, str]] = []
    checked = 0
    for case in load_cases(corpus_dir):
        truth = case["truth"]
        text = "\n".join(truth["body"]) if "body" in truth else truth.get("body_text")
        if not text:
            continue
        doc = Document(read_page(corpus_dir, case), case_url(case))
        nodes = [n for n in find_related(doc).nodes if isinstance(n.tag, str)]
        if not nodes:
            continue
        checked += 1
        want = shingle_counts(text)
        held = want & shingle_counts("\n".join(node_text(n) for n in nodes))
        share = sum(held.values()) / max(1, sum(want.values()))
        if share > MAX_ARTICLE_SHARE:
            worst.append((round(share, 2), case["id"]))
    assert checked >= 50, "expected related blocks on many corpus pages"
    assert not worst, f"related nodes swallow article text: {sorted(worst, reverse=True)[:10]}"
