"""The generic main-text finder, rule by rule, on small hand-written pages."""

from __future__ import annotations

import pytest

from newscrawl.extract.body import extract_body
from newscrawl.extract.document import Document

P1 = "The council voted on Tuesday to rebuild the old bridge, ending a debate of ten years."
P2 = "Engineers said the work, which starts in spring, will close the river road for months."
P3 = "Residents, who had petitioned for a new crossing, welcomed the decision at the meeting."
P4 = "The cost, shared by the city and the region, is estimated at forty million euros."
LEAD = "A ten-year debate ends: the town will finally get its new bridge over the river."


def page(article: str, extra: str = "") -> Document:
    html = (f"<html><head><title>T</title></head><body><nav><a href='/'>Home</a> "
            f"<a href='/news'>News</a></nav><div class='layout'>{article}{extra}</div>"
            f"<footer><p>Copyright 2024 Example Media. All rights reserved worldwide.</p></footer>"
            f"</body></html>")
    return Document(html, "https://example.com/a")


def body_of(article: str, extra: str = "", **kw) -> list[str]:
    return extract_body(page(article, extra), **kw).paragraphs


def test_paragraphs_in_order_without_navigation_or_footer():
    got = body_of(f"<article><h1>Bridge</h1><p>{P1}</p><p>{P2}</p><p>{P3}</p></article>")
    assert got == [P1, P2, P3]


def test_subheadings_are_own_entries_in_order():
    got = body_of(f"<article><p>{P1}</p><h2>What happens next</h2><p>{P2}</p>"
                  f"<h3>Costs</h3><p>{P3}</p></article>")
    assert got == [P1, "What happens next", P2, "Costs", P3]


@pytest.mark.parametrize("junk", [
    "<div class='share-bar'><a href='#'>Share on Facebook</a> Share this story with friends</div>",
    "<div class='newsletter-box'><p>Sign up for our daily newsletter, never miss a story.</p>"
    "</div>",
    "<figure><img src='x.jpg'><figcaption>The old bridge seen from the river bank.</figcaption>"
    "</figure>",
    "<div class='ad-slot'>Advertisement: buy the best shoes in town today</div>",
    "<p>Read also: <a href='/b'>Ten bridges you should see before you die this year</a></p>",
    "<div class='related-articles'><ul><li><a href='/c'>Another story about the town hall</a>"
    "</li></ul></div>",
])
def test_boilerplate_inside_the_article_is_left_out(junk):
    got = body_of(f"<article><p>{P1}</p>{junk}<p>{P2}</p><p>{P3}</p></article>")
    assert got == [P1, P2, P3]


def test_comment_section_is_not_body():
    comments = "".join(f"<div class='comment'><p>I think, honestly, that {i} is a fine idea, "
                       f"and everyone should agree with me on it.</p></div>" for i in range(8))
    got = body_of(f"<article><p>{P1}</p><p>{P2}</p><p>{P3}</p></article>",
                  f"<section id='comments'>{comments}</section>")
    assert got == [P1, P2, P3]


def test_lead_by_class_is_returned_apart_and_not_duplicated():
    res = extract_body(page(f"<article><h1>Bridge</h1><p class='article-lead'>{LEAD}</p>"
                            f"<p>{P1}</p><p>{P2}</p><p>{P3}</p></article>"))
    assert res.lead == LEAD
    assert res.paragraphs == [P1, P2, P3]


def test_excluded_nodes_never_leak():
    doc = page(f"<article><p>{P1}</p><div class='box'><p>{P4}</p></div><p>{P2}</p>"
               f"<p>{P3}</p></article>")
    box = doc.selector.css("div.box")[0].root
    assert P4 in extract_body(doc).paragraphs
    assert P4 not in extract_body(doc, exclude=[box]).paragraphs


def test_portal_container_wins():
    doc = page(f"<div class='story'><p>{P1}</p></div><article><p>{P2}</p><p>{P3}</p>"
               f"<p>{P4}</p></article>")
    assert extract_body(doc, container_css="div.story").paragraphs == [P1]


def test_jsonld_article_body_picks_the_container():
    text = " ".join([P1, P2, P3])
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "B", '
          f'"articleBody": "{text}"}}</script>')
    other = "".join(f"<p>Unrelated long story number {i}, with commas, and more words to weigh "
                    f"it, so it looks like a body.</p>" for i in range(6))
    got = body_of(f"{ld}<div class='x'>{other}</div><div class='y'><p>{P1}</p><p>{P2}</p>"
                  f"<p>{P3}</p></div>")
    assert got == [P1, P2, P3]


def test_text_in_divs_with_line_breaks():
    got = body_of(f"<div class='post'><div>{P1}<br>{P2}<br><br>{P3}</div></div>")
    assert got == [P1, P2, P3]


def test_broken_markup_still_yields_text():
    got = body_of(f"<article><p>{P1}<p>{P2}<div><b>{P3}</article></span></td>")
    assert P1 in got and P2 in got and any(P3 in p for p in got)


@pytest.mark.parametrize("html", ["", "<html></html>", "<html><body></body></html>",
                                  "<p>tiny</p>", "<!-- only a comment -->"])
def test_empty_pages(html):
    res = extract_body(Document(html, "https://example.com/"))
    assert res.lead is None
    assert all(isinstance(p, str) for p in res.paragraphs)


@pytest.mark.timeout(60)
def test_twenty_megabyte_page_returns():
    para = f"<p>{P1}</p>"
    junk = "<div class='menu'><a href='/x'>link</a></div>"
    html = "<html><body><article>" + (para + junk) * (20_000_000 // (len(para) + len(junk)))
    html += "<div>" * 5000 + "deep" + "</div>" * 5000 + "</article></body></html>"
    assert len(html) >= 19_000_000
    res = extract_body(Document(html, "https://example.com/big"))
    assert res.paragraphs and res.paragraphs[0] == P1


def test_state_modifiers_and_taxonomy_classes_do_not_hide_text():
    first = f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>"
    bem = body_of(f"<article><section class='report__section'>{first}</section>"
                  f"<section class='report__section report__section--ads'><p>{P4}</p>"
                  f"</section></article>")
    assert bem == [P1, P2, P3, P4]
    wp = body_of(f"<article><div class='entry'>{first}</div>"
                 f"<div class='entry category-no-newsletter tag-share'><p>{P4}</p>"
                 f"</div></article>")
    assert wp == [P1, P2, P3, P4]


def test_paragraphs_in_separate_wrappers_are_gathered():
    wrapped = "".join(f"<div class='row'><div><div><p>{p}</p></div></div></div>"
                      for p in (P1, P2, P3, P4))
    teaser = "<div class='aside'><a href='/x'>Other story</a></div>"
    got = body_of(f"<div id='main'>{wrapped}</div>{teaser}")
    assert got == [P1, P2, P3, P4]


def test_subheading_in_title_classed_wrapper_is_kept():
    got = body_of(f"<article><p>{P1}</p><div class='embed-subheader'><h2 class='sub-title'>"
                  f"What happens next</h2></div><p>{P2}</p><p>{P3}</p></article>")
    assert got == [P1, "What happens next", P2, P3]


def test_trailing_heading_and_closing_label_are_dropped():
    got = body_of(f"<article><p>{P1}</p><p>{P2}</p><p>{P3}</p><p>{P4}</p><p>Contact:</p>"
                  f"</article>")
    assert got == [P1, P2, P3, P4]
    got = body_of(f"<article><p>{P1}</p><p>{P2}</p><h3>More on this topic</h3></article>")
    assert got == [P1, P2]


@pytest.mark.parametrize("box", [
    "<p>Kontakt:</p><p>Jan Nowak</p><p>Telefon +49 40 123 456</p>",
    "<h3>Related posts</h3><p>Another story about bridges and their long history in town.</p>",
    "<p>Follow us on Twitter and Facebook for the latest news from the region.</p>",
    "<p>War der Artikel nützlich?</p><p>(12 Stimmen)</p>",
    "<p>Jane Doe is a reporter covering city hall and regional transport projects.</p>",
    "<p>Jan Kowalski</p><p>ist Gründungspartner der Kanzlei Kowalski und Partner in Berlin.</p>",
])
def test_closing_boxes_inside_the_article_are_cut(box):
    got = body_of(f"<article><p>{P1}</p><p>{P2}</p><p>{P3}</p><p>{P4}</p>{box}</article>")
    assert got == [P1, P2, P3, P4]


def test_box_words_early_in_the_text_do_not_cut_it():
    early = "<p>Kontakt:</p><p>Follow us on Twitter for the latest news from the region.</p>"
    got = body_of(f"<article><p>{P1}</p>{early}<p>{P2}</p><p>{P3}</p><p>{P4}</p></article>")
    assert got[-3:] == [P2, P3, P4]
    story = "Jane Doe is the director of the museum, which will reopen next spring after the works."
    got = body_of(f"<article><p>{P1}</p><p>{P2}</p><p>{story}</p><p>{P3}</p></article>")
    assert got == [P1, P2, story, P3]


def test_article_inside_a_role_marked_wrapper_is_found_again():
    menu = "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(30))
    got = body_of(f"<ul class='sections'>{menu}</ul><div role='tablist' class='tab-content'>"
                  f"<div><p>{P1}</p><p>{P2}</p><p>{P3}</p><p>{P4}</p></div></div>")
    assert got == [P1, P2, P3, P4]


def test_short_box_scoring_a_little_higher_loses_to_much_more_text():
    box = ("<section><div class='consent-inner'><p>We use cookies, pixels, tags, and similar "
           "tools, with partners, vendors, and advertisers, to measure, improve, and personalise."
           "</p></div></section>")
    long = [f"{p} {q}" for p, q in ((P1, P2), (P2, P3), (P3, P4), (P4, P1))]
    article = "<div class='c-entry'>" + "".join(f"<div><p>{p}</p></div>" for p in long) + "</div>"
    got = body_of(box + article)
    assert got == long


def test_consent_placeholder_of_embedded_content_is_dropped_anywhere():
    consent = ("<p>Empfohlener redaktioneller Inhalt</p><p>Ich bin damit einverstanden, dass mir "
               "externe Inhalte angezeigt werden.</p>")
    got = body_of(f"<article><p>{P1}</p>{consent}<p>{P2}</p><p>{P3}</p><h3>Most popular</h3>"
                  f"<p>{P4}</p></article>")
    assert got == [P1, P2, P3]


def test_sentence_ending_in_a_link_is_kept_but_linked_labels_are_not():
    linked = ("Kowalski replaced Nowak, <a href='/a/nowak'>who for the last eight months combined "
              "the role with his duties in the marketing department.</a>")
    label = "Read also: <a href='/a/other'>Another bridge story with a long and detailed title</a>"
    got = body_of(f"<article><p>{P1}</p><p>{linked}</p><p>{label}</p><p>{P2}</p>"
                  f"<p><a href='/x'>A link that is the whole paragraph and nothing else.</a></p>"
                  f"<p>{P3}</p></article>")
    assert got[0] == P1 and got[-1] == P3
    assert any(p.startswith("Kowalski replaced Nowak, who for the last") for p in got)
    assert not any("Another bridge story" in p or "whole paragraph" in p for p in got)


def _with_description(article: str, description: str) -> Document:
    html = (f"<html><head><title>T</title><meta property='og:description' "
            f"content='{description}'></head><body><div class='layout'>{article}</div>"
            f"</body></html>")
    return Document(html, "https://example.com/a")


def test_lead_without_class_found_by_the_description_it_repeats():
    doc = _with_description(f"<article><header><h1>Bridge</h1><div><p>{LEAD}</p></div></header>"
                            f"<div class='text'><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>"
                            f"</article>", LEAD)
    res = extract_body(doc)
    assert res.lead == LEAD
    assert res.paragraphs == [P1, P2, P3]


def test_description_repeated_further_down_is_not_a_lead():
    # the description repeats a body paragraph after the text started: not a standfirst
    doc = _with_description(f"<article><h1>Bridge</h1><p>{P1}</p><p>{P2}</p><p>{P3}</p>"
                            f"</article>", P3)
    res = extract_body(doc)
    assert res.lead is None
    assert res.paragraphs == [P1, P2, P3]


def test_bold_opening_paragraph_is_the_lead_and_vorspann_class_names_one():
    res = extract_body(page(f"<article><h1>Bridge</h1><p><strong>{LEAD}</strong></p>"
                            f"<p>{P1}</p><p>{P2}</p><p>{P3}</p></article>"))
    assert res.lead == LEAD and res.paragraphs == [P1, P2, P3]
    res = extract_body(page(f"<article><h1>Bridge</h1><p class='vorspann'>{LEAD}</p>"
                            f"<p>{P1}</p><p>{P2}</p></article>"))
    assert res.lead == LEAD and res.paragraphs == [P1, P2]


def test_bold_words_inside_the_first_paragraph_do_not_make_it_a_lead():
    first = f"<strong>Kowalski</strong> {P1}"
    res = extract_body(page(f"<article><h1>Bridge</h1><p>{first}</p><p>{P2}</p>"
                            f"<p>{P3}</p></article>"))
    assert res.lead is None and res.paragraphs[0].startswith("Kowalski The council")


def test_lead_found_under_outer_wrappers_with_menu_words_but_not_in_a_teaser_card():
    html = (f"<html class='header-menu-nav--closed'><body><article class='post tag-social'>"
            f"<header><h1>Bridge</h1><p class='article-subtitle'>{LEAD}</p></header>"
            f"<div class='story'><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></article></body></html>")
    res = extract_body(Document(html, "https://example.com/a"))
    assert res.lead == LEAD and res.paragraphs == [P1, P2, P3]
    meta = "<div class='meta'>" + "<span>x</span>" * 6 + "</div>"  # a card away from the h1
    card = (f"<html><body><article><h1>Bridge</h1>{meta}<div class='card'><p class='subtitle'>"
            f"{LEAD}</p></div><div class='story'><p>{P1}</p><p>{P2}</p></div></article></body>"
            f"</html>")
    assert extract_body(Document(card, "https://example.com/a")).lead is None


def test_subtitle_in_the_headline_hgroup_is_the_lead():
    res = extract_body(page(f"<article><hgroup><div><h1>Bridge</h1></div><p>{LEAD}</p></hgroup>"
                            f"<div class='story'><p>{P1}</p><p>{P2}</p></div></article>"))
    assert res.lead == LEAD and res.paragraphs == [P1, P2]


def test_lead_named_right_after_the_headline_despite_layout_wrapper_words():
    res = extract_body(page(f"<article><header class='sidebar-grid__header'><h1>Bridge</h1>"
                            f"<p class='hero__excerpt'>{LEAD}</p></header>"
                            f"<div class='story'><p>{P1}</p><p>{P2}</p></div></article>"))
    assert res.lead == LEAD and res.paragraphs == [P1, P2]
    res = extract_body(page(f"<article><h1>Bridge</h1><div class='article__preamble'>"
                            f"<p>{LEAD}</p></div><div class='story'><p>{P1}</p><p>{P2}</p></div>"
                            f"</article>"))
    assert res.lead == LEAD


def test_read_more_labels_and_blog_buttons_are_not_text():
    more = f"{P2[:-1]} <a href='/x'>[czytaj więcej]</a>"
    insert = "À lire aussi » <a href='/y'>Ballonnements, lourdeurs et autres soucis du ventre</a>"
    got = body_of(f"<article><h1>Bridge</h1><p>{P1}</p><p>{more}</p><p>{insert}</p>"
                  f"<p>Teilen mit:</p><p>Gefällt mir Wird geladen...</p>"
                  f"<p>Kommentar verfassen</p><p>(Credit: Jane Doe / Agency)</p><p>{P3}</p>"
                  f"</article>")
    assert got == [P1, P2[:-1], P3]
