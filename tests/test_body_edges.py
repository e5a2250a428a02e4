"""What surrounds the article text and is not part of it: the lines opening and closing it
(contact and call-to-action lines, wire end marks, counters), embed sign-offs, photo credits,
titles of embedded players, a standfirst styled into the text; each rule on a hand-written
page, and the real pages that showed the defects when the evaluation corpus is present."""

from __future__ import annotations

import gzip
import json

import pytest

from newscrawl.extract.body import extract_body
from newscrawl.extract.document import Document
from newscrawl.routing import extract_article

P1 = "The council voted on Tuesday to rebuild the old bridge, ending a debate of ten years."
P2 = "Engineers said the work, which starts in spring, will close the river road for months."
P3 = "Residents, who had petitioned for a new crossing, welcomed the decision at the meeting."
P4 = "The cost, shared by the city and the region, is estimated at forty million euros."
TEXT = f"<p>{P1}</p><p>{P2}</p><p>{P3}</p><p>{P4}</p>"


def doc_of(article: str, head: str = "") -> Document:
    html = (f"<html><head><title>T</title>{head}</head><body><nav><a href='/'>Home</a></nav>"
            f"<div class='layout'>{article}</div></body></html>")
    return Document(html, "https://example.com/a")


def body_of(article: str) -> list[str]:
    return extract_body(doc_of(article)).paragraphs


@pytest.mark.parametrize("closing", [
    "<p>(END)</p>",
    "<p>jdoe@example.com</p><p>(END)</p>",
    "<p>To contact the reporter on this story: Jane Doe in Atlanta at jdoe@example.net</p>"
    "<p>To contact the editors responsible for this story: John Roe at jroe@example.net</p>",
    "<p><strong>Napisz do autora: jan.nowak@example.pl</strong></p><div><strong>Masz newsa, "
    "zdjęcie lub filmik? Prześlij nam przez <a href='https://news.example.pl/'>news.example.pl"
    "</a></strong></div><p>Oceń jakość naszego artykułu:</p>",
    "<p>Got a story? Send it to us through tips.example.com</p>",
])
def test_closing_contact_and_call_to_action_lines_are_cut(closing):
    assert body_of(f"<article>{TEXT}{closing}</article>") == [P1, P2, P3, P4]


def test_a_contact_address_inside_the_story_or_before_long_text_is_kept():
    mail = "Readers wrote to letters@example.com in their hundreds."
    story = f"{P1} {P2} {P3}"
    got = body_of(f"<article><p>{P1}</p><p>{P2}</p><p>{P3}</p><p>{mail}</p><p>{story}</p>"
                  f"</article>")
    assert mail in got and got[-1] == story
    # early in the text a question with an address is part of the story
    early = "Who registered example.com?"
    got = body_of(f"<article><p>{early}</p>{TEXT}</article>")
    assert got[0] == early


def test_embed_sign_offs_and_photo_credits_are_not_text():
    tweet = ("<blockquote class='twitter-tweet'><p>The bridge vote is today, come and see it."
             "</p>— Radio Example (@RadioExample) <a href='https://t.co/x'>April 29, 2021</a>"
             "</blockquote>")
    caption = "<p>Jan Nowak i jego rodzice Fot. Anna Kowalska / Materiały prasowe</p>"
    got = body_of(f"<article><p>{P1}</p>{tweet}<p>{P2}</p>{caption}<p>{P3}</p><p>{P4}</p>"
                  f"</article>")
    assert "The bridge vote is today, come and see it." in got
    assert not any("@RadioExample" in p or "Fot." in p for p in got)


@pytest.mark.parametrize("line", [
    "The mayor at the opening of the old bridge in 1975. | © City Archive/Getty Images",
    "Warning: Creating default object from empty value in /www/htdocs/wp-includes/classes.php "
    "on line 407",
    "This entry was posted in Local, Transport on Wednesday, 27 November 2019 at 15:21 and "
    "tagged bridge, council. Bookmark the permalink.",
])
def test_credited_captions_and_lines_written_by_software_are_not_text(line):
    got = body_of(f"<article><p>{P1}</p><p>{P2}</p><p>{line}</p><p>{P3}</p><p>{P4}</p>"
                  "</article>")
    assert got == [P1, P2, P3, P4]
    warning = "Warning: the storm will reach the bridge on Tuesday, officials said."
    assert warning in body_of(f"<article>{TEXT}<p>{warning}</p></article>")


def test_caption_opening_the_text_is_not_its_first_paragraph():
    caption = "<p>Premier podczas konferencji prasowej w Warszawie. Fot. PAP/Jan Nowak</p>"
    assert body_of(f"<article>{caption}{TEXT}</article>") == [P1, P2, P3, P4]


def test_counters_at_the_edges_and_player_titles_are_not_text():
    tags = "<div class='tags'><a href='/t/a'>city</a></div><div class='more'>+3</div>"
    player = ("<div class='block'><h2>Watch: the mayor on the bridge</h2>"
              "<div id='video-player-1'></div></div>")
    got = body_of(f"<article>{tags}<p>{P1}</p><p>{P2}</p>{player}<h2>What happens next</h2>"
                  f"<p>{P3}</p><p>{P4}</p><p>1 2 3</p></article>")
    assert got == [P1, P2, "What happens next", P3, P4]


def test_standfirst_styled_apart_in_the_text_container_is_the_lead():
    lead = "Rada miasta zdecydowała: po dziesięciu latach sporu most zostanie odbudowany."
    head = f"<meta property='og:description' content='{lead}'>"
    doc = doc_of(f"<article><h1>Most</h1><div class='entry-content'>"
                 f"<p class='has-medium-font-size'>{lead}</p>{TEXT}</div></article>", head)
    res = extract_body(doc)
    assert res.lead == lead and res.paragraphs == [P1, P2, P3, P4]
    # the same first paragraph without a style of its own stays the text's first paragraph
    doc = doc_of(f"<article><h1>Most</h1><div class='entry-content'><p>{lead}</p>{TEXT}</div>"
                 f"</article>", head)
    res = extract_body(doc)
    assert res.lead is None and res.paragraphs[0] == lead


def test_page_closing_html_before_its_body_is_read_on():
    html = (f"<!DOCTYPE html><html><head><title>Post</title></head></html><body><article>"
            f"<h1>Post</h1>{TEXT}</article></body></html>")
    assert extract_body(Document(html, "https://example.com/p")).paragraphs == [P1, P2, P3, P4]


def _corpus_article(corpus_dir, case_id: str):
    for line in (corpus_dir / "cases.jsonl").open(encoding="utf-8"):
        case = json.loads(line)
        if case["id"] == case_id:
            html = gzip.decompress((corpus_dir / case["html"]).read_bytes())
            return extract_article(html, case.get("url")), case
    pytest.skip(f"{case_id} is not in this corpus")


def test_wp_article_of_the_corpus_comes_out_clean(corpus_dir):
    article, _ = _corpus_article(corpus_dir, "htmldate/wiadomosci.wp.pl-Tusk")
    assert article.portal == "wp"
    text = "\n".join(article.body)
    for line in ("+3", "Dalsza część artykułu", "Nikt się będzie kładł Rejtanem",
                 "Napisz do autora", "Masz newsa", "dziejesie.wp.pl"):
        assert line not in text
    assert article.body[0].startswith("Dzień po wyborach parlamentarnych")
    assert article.body[-1].startswith("Niewykluczone, że na ten temat")


@pytest.mark.parametrize(("case_id", "absent"), [
    ("newspaper4k/yna_co_kr", "(END)"),
    ("newspaper4k/bloomberg.com1", "To contact the"),
    ("trafilatura/Sprzeciw_wobec_atakow_na_Fundacje_Lux_Veritatis_RadioMaryja.pl",
     "(@RadioMaryja)"),
    ("pkleczek/wysokieobcasy1", "Materiały prasowe"),
    ("pkleczek/okopress1", "Absolwent Wydziału Dziennikarstwa"),
])
def test_corpus_pages_lose_their_furniture(corpus_dir, case_id, absent):
    article, _ = _corpus_article(corpus_dir, case_id)
    assert article.body and not any(absent in p for p in article.body)


def test_blog_post_closing_html_early_has_its_text(corpus_dir):
    article, case = _corpus_article(corpus_dir, "htmltotext/blog-leogao-1")
    assert sum(map(len, article.body)) > 0.5 * len(case["truth"]["body_text"])


def test_standfirst_between_headline_and_text_outside_its_container_is_the_lead():
    lead = ("Seit Jahren streitet die Stadt über die Brücke. Nun hat der Rat entschieden, "
            "und die Bauarbeiten sollen im Frühjahr beginnen.")
    hero = (f"<div class='page-hero'><h1>Die neue Brücke</h1><p>12.03.2024</p>"
            f"<div class='hero-text'><p>{lead}</p></div></div>")
    res = extract_body(doc_of(f"{hero}<div class='text'>{TEXT}{TEXT}</div>"))
    assert res.lead == lead and res.paragraphs == [P1, P2, P3, P4] * 2
    # a long block of mixed text there is no standfirst
    mixed = " ".join([lead] * 6)
    res = extract_body(doc_of(f"<h1>Die neue Brücke</h1><div class='x'>{mixed}</div>"
                              f"<div class='text'>{TEXT}{TEXT}</div>"))
    assert res.lead is None


def test_text_split_into_parts_marked_as_article_body_is_read_whole():
    ad = "<div class='ad-slot'><a href='/ad'>Advertisement</a></div>"
    got = body_of(f"<article><section itemprop='articleBody'>{TEXT}</section>{ad}"
                  f"<section itemprop='articleBody'><p>{P2}</p></section></article>")
    assert got == [P1, P2, P3, P4, P2]


def test_text_split_over_page_sections_is_gathered_by_its_wrappers_likeness():
    def part(*paras: str) -> str:
        return ("<section class='row'><div class='col'><div class='story-text'>"
                + "".join(f"<p>{p}</p>" for p in paras) + "</div></div></section>")
    newsletter = ("<section class='row'><div class='col'><div class='story-text'><p>Sign in to "
                  "our daily newsletter and get every story of the day by e-mail.</p></div>"
                  "</div></section>")
    # the second part is far smaller than the first: climbing to a common wrapper would not
    # pay, yet its wrapper is the first one's twin
    got = body_of(part(P1, P2, P3, P4, P1 + " " + P2, P3 + " " + P4, P2, P3, P1 + " " + P4)
                  + "<aside>Ad</aside>"
                  + part(P4, P1) + newsletter)
    assert got[-2:] == [P4, P1]
    assert not any("newsletter" in p for p in got)


def test_text_written_as_lists_without_paragraphs_is_found():
    items = "".join(f"<li>{p}</li>" for p in (P1, P2, P3, P4))
    nav = "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(12))
    got = body_of(f"<ul class='menu-list'>{nav}</ul><div class='entry'><h3>Fixed</h3>"
                  f"<ul>{items}</ul></div>")
    assert got[-4:] == [P1, P2, P3, P4]


def test_article_body_shipped_as_an_html_template_is_read():
    template = "".join(f"<p>{p}</p>" for p in (P1, P2, P3, P4)).replace("<p>", "<p >")
    html = (f"<html><head><title>Blog</title></head><body><div class='post'><h2>Post</h2>"
            f"<div class='post-body' itemprop='articleBody'><script type='text/template'>"
            f"{template}</script><noscript>Enable scripts.</noscript></div></div>"
            f"<div class='sidebar'><p>About this blog and its many authors.</p></div>"
            f"</body></html>")
    got = extract_body(Document(html, "https://example.com/p")).paragraphs
    assert got == [P1, P2, P3, P4]
    # a script template beside real text stays a script
    html = html.replace("<noscript>", f"<p>{P1}</p><noscript>")
    assert "<p" not in " ".join(extract_body(Document(html, "https://example.com/p")).paragraphs)


def test_author_box_rendered_twice_after_the_text_is_dropped_but_repeats_in_it_are_kept():
    bio = ("Absolwent dziennikarstwa Uniwersytetu Warszawskiego, od 2006 roku reporter działu "
           "krajowego, pisze o sądach i prawie.")
    boxes = f"<div class='a'><p>{bio}</p></div><div class='b'><p>{bio}</p></div>"
    got = body_of(f"<article>{TEXT}{TEXT}{boxes}<p>Nasze tematy</p></article>")
    assert got == [P1, P2, P3, P4] * 2
    # a paragraph written earlier in the text too is the text's own
    got = body_of(f"<article><p>{bio}</p>{TEXT}{TEXT}{boxes}</article>")
    assert got[0] == bio and got[-2:] == [bio, bio]


def test_a_lead_holding_the_texts_own_paragraphs_is_no_lead():
    wrapper = f"<div class='intro'>Videos » {P1} {P2}</div>"
    res = extract_body(doc_of(f"<h1>Bridge</h1>{wrapper}<article>{TEXT}{TEXT}</article>"))
    assert res.lead is None and res.paragraphs[:4] == [P1, P2, P3, P4]
    # a standfirst naming the subheadings of the text stays the lead
    lead = "In this roundup: what happens next, and what it costs the city and the region."
    res = extract_body(doc_of(f"<h1>Bridge</h1><div class='intro'>{lead}</div><article>"
                              f"<p>{P1}</p><h2>What happens next</h2>{TEXT}</article>"))
    assert res.lead == lead
