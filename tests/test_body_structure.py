"""Page structure that misleads a main-text finder: an article that unclosed markup nests in a
navigation block, web-component menus whose links are custom elements; each on a hand-written
page."""

from __future__ import annotations

from newscrawl.extract.body import extract_body
from newscrawl.extract.document import Document

P1 = "The council voted on Tuesday to rebuild the old bridge, ending a debate of ten years."
P2 = "Engineers said the work, which starts in spring, will close the river road for months."
P3 = "Residents, who had petitioned for a new crossing, welcomed the decision at the meeting."
P4 = "The cost, shared by the city and the region, is estimated at forty million euros."
TEXT = f"<p>{P1}</p><p>{P2}</p><p>{P3}</p><p>{P4}</p>"


def body_of(html: str) -> list[str]:
    return extract_body(Document(html, "https://example.com/a")).paragraphs


def lead_and_text(html: str) -> tuple[str | None, list[str]]:
    found = extract_body(Document(html, "https://example.com/a"))
    return found.lead, found.paragraphs


def test_article_nested_in_an_unclosed_navigation_block_is_found():
    # the menu's last item is never closed, so the parser puts the whole page inside <nav>
    html = ("<html><body><header><nav class='menu'><ul><li><a href='/'>Home</a></li>"
            "<li class='menu-item'><a href='/news'>News</a><div class='sub-menu'>"
            f"<main><article class='post'><h1>Bridge</h1>{TEXT}</article></main>"
            "<footer><p>All rights reserved, Example Media 2024.</p></footer></body></html>")
    assert body_of(html) == [P1, P2, P3, P4]


def test_a_real_navigation_block_with_teaser_articles_stays_boilerplate():
    teaser = "<article><p>Teaser text of another story, which links elsewhere on the site.</p>" \
             "</article>"
    html = (f"<html><body><nav>{teaser}</nav><main><div class='story'>{TEXT}</div></main>"
            "</body></html>")
    got = body_of(html)
    assert got == [P1, P2, P3, P4]


def test_custom_element_links_of_a_web_component_menu_are_navigation():
    items = "".join(
        f"<x-nav-item><x-link href='/s/{i}'><div><p class='text'>Overview of the section "
        f"number {i} and its pages</p></div></x-link></x-nav-item>" for i in range(60))
    html = (f"<html><body><div class='navigation'>{items}</div>"
            f"<div class='page'><div class='body-text'>{TEXT}</div></div></body></html>")
    assert body_of(html) == [P1, P2, P3, P4]


def test_heading_anchor_ids_do_not_make_subheadings_boilerplate():
    html = (f"<html><body><article><p>{P1}</p><p>{P2}</p>"
            "<h3 class='subheading' id='nav_what_comes_next__1'>What comes next</h3>"
            f"<p>{P3}</p><p>{P4}</p></article></body></html>")
    assert body_of(html) == [P1, P2, "What comes next", P3, P4]


def test_ruby_readings_over_each_character_are_dropped_but_bracketed_ones_kept():
    furigana = "<p><ruby>子<rt>こ</rt></ruby>どもを<ruby>守<rt>まも</rt></ruby>る" \
               "ための新しい法律ができました。法律は来年の春から始まります。</p>"
    inline = "<p>韓国の<ruby>尹錫悦<rp>（</rp><rt>ユンソンニョル</rt><rp>）</rp></ruby>大統領は" \
             "３日夜、緊急談話を出しました。野党が国政をまひさせていると述べました。</p>"
    html = f"<html><body><article>{furigana}{inline}</article></body></html>"
    assert body_of(html) == [
        "子どもを守るための新しい法律ができました。法律は来年の春から始まります。",
        "韓国の尹錫悦（ユンソンニョル）大統領は３日夜、緊急談話を出しました。野党が国政をまひさせていると述べました。"]


def test_sentences_opening_like_a_byline_are_text_but_bylines_are_not():
    sentence = "Por ende, las ventajas de esta gestión se convierten en una desventaja."
    html = (f"<html><body><article>{TEXT}<p>{sentence}</p><p>By Jane Doe</p>"
            "<p>Von t-online, jse</p></article></body></html>")
    assert body_of(html) == [P1, P2, P3, P4, sentence]


def test_a_dateline_classed_span_opening_a_paragraph_is_part_of_it():
    html = (f"<html><body><article><p><span class='dateline'>KOBE – </span>{P1}</p>"
            f"<p>{P2}</p><p>{P3}</p></article></body></html>")
    assert body_of(html) == [f"KOBE – {P1}", P2, P3]


def test_standfirst_in_a_field_item_wrapper_is_the_lead_and_a_drop_cap_paragraph_is_not():
    lead = "The region agreed to share the cost of a new bridge, after ten years of debate."
    html = ("<html><body><h1>Bridge</h1><div class='share'><a href='/s'>Share</a></div>"
            "<div class='field field--items'><div class='field--item'>"
            f"<div class='paragraph paragraph--type--chapo'><p>{lead}</p></div></div>"
            f"<div class='field--item'><div class='text'>{TEXT}</div></div></div></body></html>")
    assert lead_and_text(html) == (lead, [P1, P2, P3, P4])
    html = ("<html><body><h1>Bridge</h1><div class='grid--item'><div class='body'>"
            f"<p class='has-dropcap has-dropcap__lead-standard-heading'>{P1}</p><p>{P2}</p>"
            f"<p>{P3}</p></div></div></body></html>")
    assert lead_and_text(html) == (None, [P1, P2, P3])


def test_a_named_anchor_is_text_but_a_link_without_href_stays_a_link():
    question = "One question listeners ask most is this: what does the professor think of it?"
    html = (f"<html><body><article><p>{P1}</p><p><a name='q3'>{question}</a></p><p>{P2}</p>"
            f"<p>{P3}</p><p><a class='share'>Embed</a> <a class='share'>Reddit</a> "
            "<a class='share'>Twitter</a></p></article></body></html>")
    assert body_of(html) == [P1, question, P2, P3]


def test_a_part_of_the_text_written_as_a_list_is_gathered_with_the_rest():
    items = ["Practise a few minutes a day, at the same hour, in a quiet place of your home.",
             "Notice your breathing, and when thoughts wander, bring them back without judging.",
             "Write down, each evening, three moments of the day that you noticed with care."]
    html = ("<html><body><div class='story'>"
            f"<section><div><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></section>"
            f"<section><div><p>{P4}</p><ul>{''.join(f'<li>{i}</li>' for i in items)}</ul>"
            "</div></section></div><footer><p>All rights reserved.</p></footer></body></html>")
    assert body_of(html) == [P1, P2, P3, P4, *items]


def test_standfirst_heading_under_a_record_id_wrapper_is_the_lead():
    lead = "Activists across the country call for a rent freeze in the crisis and warn landlords"
    html = ("<html><body><main><div class='Article' id='item-1136087'><article>"
            "<h1>No money left to pay the rent</h1>"
            f"<h2>{lead}</h2><ul class='Infoline'><li class='Author'>By Jane Doe</li></ul>"
            f"<div class='Content'>{TEXT}</div></article></div></main></body></html>")
    assert lead_and_text(html) == (lead, [P1, P2, P3, P4])


def test_an_address_written_out_as_a_link_is_text_but_a_closing_contact_line_is_not():
    petition = "https://petition.example.org/online/against-the-new-tariffs-2013"
    html = (f"<html><body><article>{TEXT}<p>Please all sign this petition:</p>"
            f"<p><a href='{petition}'>{petition}</a></p></article></body></html>")
    assert body_of(html)[-2:] == ["Please all sign this petition:", petition]
    html = (f"<html><body><article>{TEXT}<p>Reach the reporters on Twitter at "
            "<a href='https://social.example/jdoe'>https://social.example/jdoe</a></p>"
            "</article></body></html>")
    assert body_of(html) == [P1, P2, P3, P4]


def test_text_rendered_by_a_script_comes_from_the_pages_article_body():
    import json

    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Bridge",
            "articleBody": "\n".join([P1, P2, P3, P4, P1.replace("Tuesday", "Monday")])}
    head = f"<script type='application/ld+json'>{json.dumps(data)}</script>"
    html = (f"<html><head>{head}</head><body><h1>Bridge</h1><div id='app'>"
            "<p>READ FULL ARTICLE</p></div></body></html>")
    assert body_of(html) == [P1, P2, P3, P4, P1.replace("Tuesday", "Monday")]
    # shown in the markup, the text is read from the markup
    html = (f"<html><head>{head}</head><body><h1>Bridge</h1><article>{TEXT}"
            f"<p>{P1.replace('Tuesday', 'Monday')}</p></article></body></html>")
    assert body_of(html) == [P1, P2, P3, P4, P1.replace("Tuesday", "Monday")]


LINKS = "".join(f"<div><a href='/t/{i}'>Topic number {i} of the week</a></div>" for i in range(40))


def test_a_part_alike_before_the_main_one_and_holding_one_long_paragraph_is_gathered():
    intro = ("We have stood since 2012 for a new country, in which everyone can reach their own "
             "goals by their own strength, and we keep saying so, in parliament, in the towns, "
             "and wherever people meet, because a country moves only when its people can move "
             "it themselves, with schools, courts and offices that serve them.")
    html = (f"<html><body><section><div class='text'><p>{intro}</p></div></section>"
            "<section><div class='promo-box'><p>Join us today!</p></div></section>"
            f"<div class='links'>{LINKS}</div>"
            f"<section><div class='text'>{TEXT}</div></section></body></html>")
    assert body_of(html) == [intro, P1, P2, P3, P4]


def test_parts_alike_may_differ_in_the_class_tokens_that_number_them():
    html = (f"<html><body><div class='text-block block-7'><p>{P1}</p><p>{P2}</p></div>"
            f"<div class='links'>{LINKS}</div>"
            f"<div class='text-block block-8'><p>{P3}</p><p>{P4}</p></div></body></html>")
    assert body_of(html) == [P1, P2, P3, P4]


def test_the_last_item_of_a_closing_list_is_not_taken_for_a_label():
    items = ["A computer, a tablet or a phone", "An internet connection (any speed)",
             "An identity document (for the online check)", "A regular income, no debts"]
    html = (f"<html><body><article>{TEXT}<h2>What you need</h2><ul>"
            f"{''.join(f'<li>{i}</li>' for i in items)}</ul></article></body></html>")
    assert body_of(html) == [P1, P2, P3, P4, "What you need", *items]


MORE_PARAS = [f"{p[:-1]}, as reported on day {i} of the month by the local papers."
              for i, p in enumerate([P1, P2, P3, P4] * 2, 1)]
MORE = "".join(f"<p>{p}</p>" for p in MORE_PARAS)


def test_a_paragraph_written_into_a_div_beside_the_container_is_gathered():
    facts = ("The firm that owns the maker of the weed killer was ordered on Monday to pay two "
             "billion dollars in damages to a couple who fell ill after using it.")
    html = (f"<html><body><div class='links'>{LINKS}</div><div class='article_body'>"
            f"<div class='facts'><!-- page break -->{facts}</div>"
            f"<div class='reserved'>{TEXT}{MORE}</div></div></body></html>")
    assert body_of(html) == [facts, P1, P2, P3, P4, *MORE_PARAS]


def test_a_classed_part_of_the_headline_is_never_the_standfirst():
    lead = "Chairs, lamps and a plaster supper: the church sold the treasures of its attic."
    html = ("<html><body><div class='article-teaser'><h1><span class='teaser-headline-title'>"
            "How the auction of the church's treasures went</span></h1>"
            f"<div class='article-teaser-intro'><p>{lead}</p></div></div>"
            f"<div class='text'>{TEXT}</div></body></html>")
    assert lead_and_text(html) == (lead, [P1, P2, P3, P4])


def test_date_lines_are_stamps_at_the_texts_edges_but_the_storys_own_inside_it():
    html = (f"<html><body><article><p>Video: 02:57 min.</p><p>Updated: 08.07.2026 05:00</p>"
            f"<p>{P1}</p><p>{P2}</p><p>Date: 29.02.2020, 19:00</p><p>{P3}</p><p>{P4}</p>"
            f"<p>{P1.replace('Tuesday', 'Friday')}</p><p>12.03.2021</p></article></body></html>")
    assert body_of(html) == ["Video: 02:57 min.", P1, P2, "Date: 29.02.2020, 19:00", P3, P4,
                             P1.replace("Tuesday", "Friday")]


def test_a_captioned_image_inside_the_bold_standfirst_is_left_out_of_it():
    lead = "The island may have to review its air defences to face a renewed threat in the south."
    html = ("<html><body><div class='post-content'><p><em><strong>"
            "<span class='image-container'><img src='/a.jpg'><span class='source'>Photographer"
            "/AGENCY</span><span class='caption'>A jet drops flares during an exercise</span>"
            f"</span>{lead}</strong></em></p>{TEXT}</div></body></html>")
    assert lead_and_text(html) == (lead, [P1, P2, P3, P4])


def test_a_long_paragraph_is_text_whatever_its_class_says():
    quote = ("Dylan Lewis (Apple): It's far from a sexy pick, but most who have bet against the "
             "company in the past five years have come to regret it, and I don't see that change.")
    html = (f"<html><body><article><p>{P1}</p><p class='ticker'>{quote}</p><p>{P2}</p>"
            f"<p>{P3}</p><p class='ticker'>Short ticker line</p></article></body></html>")
    assert body_of(html) == [P1, quote, P2, P3]


def test_a_code_block_is_text_whatever_its_highlighter_class_says():
    code = '"silex/silex": "~2.0@dev",\n"twig/twig": ">=1.8,<2.0-dev"'
    html = (f"<html><body><article><p>{P1}</p><p>First, define the dependencies:</p>"
            f"<pre class='brush: plain; title: ; notranslate'>{code}</pre><p>{P2}</p>"
            f"<p>{P3}</p></article></body></html>")
    got = body_of(html)
    assert got[0] == P1 and got[-2:] == [P2, P3] and "twig/twig" in got[2]


def test_a_subhead_holding_the_byline_is_no_standfirst():
    lead = "Are you tired all day for no clear reason? It may be more than the season's fault."
    html = ("<html><body><article><header class='entry-header'><h1>Always tired</h1>"
            "<div class='entry-subhead'>von Jane Doe 13.12.2022 - 08:13 Uhr 13.12.2022 - 08:13 "
            "Uhr</div>"
            f"<div class='lead'><p>{lead}</p></div></header>"
            f"<div class='article-body'>{TEXT}</div></article></body></html>")
    assert lead_and_text(html) == (lead, [P1, P2, P3, P4])


def test_the_sites_linked_h1_and_its_tagline_are_not_the_headline_and_standfirst():
    lead = ("A lawyer explains the court's ruling on search engines and how users can have their "
            "private data deleted from the results.")
    html = ("<html><body><hgroup><h1><a href='/' rel='home'>Example News</a></h1>"
            "<h2>Tests of phones, cameras and tablets, and reporting on every trend of the "
            "digital life, by an independent newsroom.</h2></hgroup><nav><a href='/'>Home</a>"
            "</nav><div class='article'><div id='articleHead'><header><h1>How to protect your "
            f"data</h1><p>{lead}</p></header></div><div id='articleContent'>{TEXT}{MORE}</div>"
            "</div></body></html>")
    assert lead_and_text(html) == (lead, [P1, P2, P3, P4, *MORE_PARAS])


def test_a_standfirst_beside_the_text_is_found_when_the_headline_is_set_below_it():
    lead = "What was rumoured for weeks has now been confirmed officially by the federation."
    html = ("<html><body><div class='article'><div class='teaser-text'>"
            f"<p>{lead}</p></div><div class='news-text-wrap'>{TEXT}</div>"
            "<div class='footer-box'><h1>Championship moved to next year</h1></div></div>"
            "</body></html>")
    assert lead_and_text(html) == (lead, [P1, P2, P3, P4])


def test_links_to_places_in_the_page_do_not_hide_the_part_that_holds_them():
    toc = "".join(f"<a href='#q{i}'>Question number {i} of this explainer?</a><br>"
                  for i in range(8))
    html = ("<html><body><article><div class='row'><div class='col'>"
            f"<p>{P1}</p><p>{P2}</p></div></div><div class='links'>{LINKS}</div>"
            f"<div class='row'><div class='col'><div class='toc'>{toc}</div>"
            f"<h3 id='q1'>What are the symptoms?</h3><p>{P3}</p><p>{P4}</p></div></div>"
            "</article></body></html>")
    got = body_of(html)
    assert got[:2] == [P1, P2] and got[-3:] == ["What are the symptoms?", P3, P4]
    assert not any("explainer" in p for p in got)
