"""Headline choice (newscrawl.extract.headline) on small hand-written pages."""

from __future__ import annotations

from newscrawl.routing import extract_article

URL = "https://news.example.com/2024/05/story-1"
BODY = ("<p>Some body text that is long enough to be a paragraph of the article, with a second "
        "sentence so that the page reads like a real story.</p>")


def page(head: str = "", body: str = "") -> str:
    return f'<html lang="en"><head>{head}</head><body>{body}{BODY}</body></html>'


def og(title: str) -> str:
    return f'<meta property="og:title" content="{title}">'


def headline(html: str, url: str = URL) -> str | None:
    return extract_article(html, url).headline


# -- headings in page-builder widgets ----------------------------------------------------------

def test_elementor_title_widget_is_a_visible_heading() -> None:
    html = page(
        "<title>Mayor opens the bridge - traffic flows again - Town News</title>"
        + og("Mayor opens the bridge - traffic flows again - Town News"),
        '<div class="elementor-element elementor-widget elementor-widget-theme-post-title">'
        '<div class="elementor-widget-container">'
        '<h1 class="elementor-heading-title">Mayor opens the bridge – traffic flows again</h1>'
        "</div></div>")
    # The visible heading's typography (en dash), not the metadata's hyphen.
    assert headline(html) == "Mayor opens the bridge – traffic flows again"


def test_sidebar_widget_heading_is_still_ignored() -> None:
    html = page("<title>Council approves budget | Town News</title>",
                '<div class="widget widget_recent"><h1>Most read this week</h1></div>'
                "<article><h2>Council approves budget</h2></article>")
    assert headline(html) == "Council approves budget"


# -- many h2s before the article's --------------------------------------------------------------

def test_article_h2_after_many_teaser_h2s_is_found() -> None:
    teasers = "".join(f'<div class="side-list"><a href="/t{i}"><h2>Teaser number {i}</h2></a></div>'
                      for i in range(20))
    sidebar = "".join(f'<div class="sidebar"><h2>Sidebar box {i}</h2></div>' for i in range(20))
    html = page("<title>Corsets - shops, designers, buying online</title>"
                + og("Corsets - shops, designers, buying online"),
                teasers + sidebar + '<div class="post"><h2>Corsets – shops, designers, buying '
                "online</h2></div>")
    assert headline(html) == "Corsets – shops, designers, buying online"


# -- kicker, separator and title in separate elements -------------------------------------------

def test_kicker_and_title_join_without_space_before_colon() -> None:
    html = page(
        og("Usage billing: Music stars call for a new streaming model"),
        '<h2 class="atc-Headline">\n  <span class="kicker">\n    <span>Usage billing</span>\n'
        '    <span class="visually-hidden">: </span>\n  </span>\n'
        "  <span>Music stars call for a new streaming model</span>\n</h2>")
    assert headline(html) == "Usage billing: Music stars call for a new streaming model"


def test_kicker_text_with_trailing_layout_space_before_hidden_colon() -> None:
    html = page(
        og("Culture and media: What do the Philippines read?"),
        '<h1 class="article-title">\n  <span class="topic">\n    Culture and media\n'
        '    <span class="sr-only">:</span>\n  </span>\n'
        "  <span>What do the Philippines read?</span>\n</h1>")
    assert headline(html) == "Culture and media: What do the Philippines read?"


def test_colon_element_directly_followed_by_title_gets_a_space() -> None:
    html = page(
        "<title>Vaccination stays possible everywhere until February</title>",
        '<h1><span class="kicker">Press release of the health department <span class="sr-only">'
        ":</span></span>Vaccination stays possible everywhere until February</h1>")
    assert headline(html) == ("Press release of the health department: "
                              "Vaccination stays possible everywhere until February")


def test_authored_space_before_colon_is_kept() -> None:
    html = page(og("Gaza : le bilan des frappes s'alourdit"),
                "<h1><span>Gaza</span> : le bilan des frappes s'alourdit</h1>")
    assert headline(html) == "Gaza : le bilan des frappes s'alourdit"


# -- ruby annotations ---------------------------------------------------------------------------

def test_ruby_annotations_are_not_part_of_the_heading() -> None:
    html = page("<title>NEWS EASY|子どもへの体罰を禁止する法律ができる</title>",
                "<article><h1><ruby>子<rt>こ</rt></ruby>どもへの<ruby>体罰<rp>(</rp><rt>たいばつ</rt>"
                "<rp>)</rp></ruby>を<ruby>禁止<rt>きんし</rt></ruby>する<ruby>法律<rt>ほうりつ</rt>"
                "</ruby>ができる</h1></article>")
    assert headline(html) == "子どもへの体罰を禁止する法律ができる"


# -- the masthead h1 ----------------------------------------------------------------------------

def test_site_name_h1_does_not_rank_the_article_h1_down() -> None:
    # The metadata words it differently, so only the h1's rank decides against og + <title>.
    title = "Painting minions with stencils, a roller and bright colour"
    html = page(f'<meta property="og:site_name" content="Craft Corner"><title>{title}</title>'
                + og(title),
                '<div class="top"><h1>Craft Corner</h1></div>'
                "<article><h1>Painting minions with stencils, a roller and many bright "
                "colours</h1></article>")
    assert headline(html) == "Painting minions with stencils, a roller and many bright colours"


def test_h1_that_is_one_link_to_the_home_page_is_a_logo() -> None:
    html = page("<title>A quiet walk in the rain - Storyhub</title>",
                '<div id="header"><h1 class="heading"><a href="/"><span>Archive of Things</span>'
                " <sup>beta</sup></a></h1></div>"
                '<div class="work"><h2 class="title heading">A quiet walk in the rain</h2></div>')
    assert headline(html, "https://stories.example.org/works/1") == "A quiet walk in the rain"


def test_h1_linking_to_its_own_article_is_still_the_headline() -> None:
    html = page("<title>Bakery on Main Street closes after 80 years</title>",
                '<h1 class="entry-title"><a href="/2024/05/story-1">Bakery on Main Street closes '
                "after 80 years</a></h1>")
    assert headline(html) == "Bakery on Main Street closes after 80 years"


def test_h1_made_of_title_parts_naming_the_site_is_the_masthead() -> None:
    html = page("<title>Enchufla figures - Salsa figures - Rueda in Berlin</title>",
                "<h1>Salsa figures - Rueda in Berlin</h1>")
    assert headline(html, "https://rueda.example.com/enchufla") == "Enchufla figures"


# -- the site's part of the <title> -------------------------------------------------------------

def test_site_named_in_a_middle_title_part_puts_the_site_on_the_right() -> None:
    html = page("<title>Ben Wilson Surf - Point of Sail - Sailmaker, surf and kite shop and "
                "repairs in Kiel</title>",
                '<div class="content"><h1>Ben Wilson Surf</h1></div>')
    url = "https://www.pointofsail-kiel.example/artikel/ben-wilson-surf.html"
    assert headline(html, url) == "Ben Wilson Surf"


def test_site_name_with_umlauts_matches_its_transliterated_host() -> None:
    html = page("<title>Lexikon « Nalas Löwenseiten</title>")
    assert headline(html, "http://www.nalas-loewenseiten.example/lexikon/") == "Lexikon"


# -- the title part an <h1> repeats is the article's; kickers in their own element ------------

def test_title_part_repeated_by_the_h1_is_not_the_site_name() -> None:
    html = page("<title>Mozilla - Encyclopaedia</title>",
                '<h1 id="firstHeading">Mozilla</h1>')
    assert headline(html, "https://example.invalid/page") == "Mozilla"
    assert headline(html, None) == "Mozilla"


def test_a_logo_h1_still_names_the_site() -> None:
    html = page("<title>Great Article - The Daily Planet</title>",
                '<h1><a href="/">The Daily Planet</a></h1><h2>Great Article</h2>')
    assert headline(html, "https://planet.example.org/a") == "Great Article"


def test_kicker_in_its_own_element_is_not_glued_to_the_title() -> None:
    html = page("<title>Manuela Reimann: Surprise in Bavaria! | Weekly</title>"
                + og("Manuela Reimann: Surprise in Bavaria! | Weekly"),
                '<h1 class="article-header__headline"><span class="roofline">Wow, wow, wow!'
                "</span>Manuela Reimann: Surprise in Bavaria!</h1>")
    assert headline(html) == "Wow, wow, wow! Manuela Reimann: Surprise in Bavaria!"


def test_a_drop_capital_stays_part_of_its_word() -> None:
    html = page("<title>The harbour reopens</title>",
                '<h1><span class="initial">T</span>he harbour reopens</h1>')
    assert headline(html) == "The harbour reopens"
