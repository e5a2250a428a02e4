"""Dates: machine, numeric, human and relative forms, time zones, and implausible values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newscrawl.extract.dates import date_from_url, parse_date, reconcile_with_url, to_iso
from newscrawl.routing import extract_article

FETCHED = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)  # 14:00 in Warsaw (CEST)


def iso(raw: str, language: str | None = None, timezone: str | None = None) -> str | None:
    return to_iso(parse_date(raw, fetched_at=FETCHED, language=language, timezone=timezone))


@pytest.mark.parametrize(("raw", "expected"), [
    ("2024-05-03T10:00:00Z", "2024-05-03T10:00:00+00:00"),
    ("2024-05-03T10:00:00.123+02:00", "2024-05-03T10:00:00+02:00"),
    ("2024-05-03T10:00:00+0200", "2024-05-03T10:00:00+02:00"),
    ("2024-05-03 10:00", "2024-05-03T10:00:00+02:00"),
    ("2024-05-03", "2024-05-03T00:00:00+02:00"),
    ("20240503", "2024-05-03T00:00:00+02:00"),
    ("Fri, 03 May 2024 10:00:00 +0000", "2024-05-03T10:00:00+00:00"),
])
def test_machine_forms_in_polish_page(raw: str, expected: str) -> None:
    assert iso(raw, language="pl") == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("czwartek, 15 listopada 2001 11:27", "2001-11-15T11:27:00+01:00"),
    ("15.11.2001, 11:27", "2001-11-15T11:27:00+01:00"),
    ("15.11.2001 r.", "2001-11-15T00:00:00+01:00"),
    ("Opublikowano: 3 maja 2024, 10:15", "2024-05-03T10:15:00+02:00"),
    ("3 maja 2024 r. o godz. 10:15", "2024-05-03T10:15:00+02:00"),
])
def test_polish_absolute_forms_are_warsaw_time(raw: str, expected: str) -> None:
    assert iso(raw, language="pl") == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("2 godz. temu", "2024-05-10T12:00:00+02:00"),
    ("5 min temu", "2024-05-10T13:55:00+02:00"),
    ("wczoraj 14:05", "2024-05-09T14:05:00+02:00"),
    ("dzisiaj", "2024-05-10T00:00:00+02:00"),
    ("przedwczoraj", "2024-05-08T00:00:00+02:00"),
])
def test_polish_relative_forms_use_fetch_time(raw: str, expected: str) -> None:
    assert iso(raw, language="pl") == expected


@pytest.mark.parametrize(("raw", "language", "expected"), [
    ("2 hours ago", "en", "2024-05-10T10:00:00+00:00"),
    ("yesterday", "en", "2024-05-09T00:00:00+00:00"),
    ("May 3, 2024", "en", "2024-05-03T00:00:00+00:00"),
    ("Published on 3rd May 2024 at 10:15", "en", "2024-05-03T10:15:00+00:00"),
    ("Updated 3:45 PM ET, Fri May 3, 2024", "en", "2024-05-03T00:00:00+00:00"),
    ("vor 2 Stunden", "de", "2024-05-10T10:00:00+00:00"),
    ("gestern", "de", "2024-05-09T00:00:00+00:00"),
    ("3. März 2024", "de", "2024-03-03T00:00:00+00:00"),
])
def test_english_and_german_forms(raw: str, language: str, expected: str) -> None:
    assert iso(raw, language=language) == expected


def test_portal_timezone_wins_over_language() -> None:
    assert iso("2024-01-15 08:00", language="en", timezone="Europe/Warsaw") == \
        "2024-01-15T08:00:00+01:00"


def test_naive_value_on_non_polish_page_is_utc() -> None:
    assert iso("2024-01-15 08:00", language="de") == "2024-01-15T08:00:00+00:00"


@pytest.mark.parametrize("raw", ["2030-01-01", "1985-06-01T10:00:00Z", "31.12.1989",
                                 "not a date", "", "2024-13-45"])
def test_future_pre_1990_and_garbage_are_rejected(raw: str) -> None:
    assert parse_date(raw, fetched_at=FETCHED, language="pl") is None


def test_slightly_ahead_of_fetch_time_is_tolerated() -> None:
    assert iso("2024-05-10T20:00:00+00:00") == "2024-05-10T20:00:00+00:00"


def test_relative_forms_can_be_disabled() -> None:
    assert parse_date("2 hours ago", fetched_at=FETCHED, language="en", relative=False) is None


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.com/2024/05/03/story", "2024-05-03"),
    ("https://example.com/news/2024-05-03-story.html", "2024-05-03"),
    ("https://example.com/a/20240503-story", "2024-05-03"),
    ("https://example.com/story-123456789", None),
])
def test_date_from_url(url: str, expected: str | None) -> None:
    value = date_from_url(url, fetched_at=FETCHED)
    assert (value.date().isoformat() if value else None) == expected


def test_utc_instant_is_moved_to_the_url_day() -> None:
    structured = datetime(2023, 11, 9, 1, 9, tzinfo=UTC)
    url_day = datetime(2023, 11, 8, tzinfo=UTC)
    moved = reconcile_with_url(structured, url_day)
    assert moved.date().isoformat() == "2023-11-08"
    assert moved == structured  # the same instant, another offset


PAGE = """<html lang="{lang}"><head>{head}</head><body><article><h1>Tytuł artykułu</h1>
{byline}<p>Pierwszy akapit tekstu artykułu, wystarczająco długi.</p></article></body></html>"""


def _article(head: str = "", byline: str = "", lang: str = "pl",
             url: str = "https://example.pl/a/1") -> object:
    html = PAGE.format(head=head, byline=byline, lang=lang)
    return extract_article(html, url, fetched_at=FETCHED)


def test_jsonld_date_beats_meta_and_records_source() -> None:
    head = ('<script type="application/ld+json">{"@type":"NewsArticle","headline":"T",'
            '"datePublished":"2024-05-01T08:00:00+02:00",'
            '"dateModified":"2024-05-02T09:00:00+02:00"}</script>'
            '<meta property="article:published_time" content="2024-04-01T08:00:00+02:00">')
    art = _article(head)
    assert art.published == "2024-05-01T08:00:00+02:00"
    assert art.modified == "2024-05-02T09:00:00+02:00"
    assert art.date_source == "jsonld"
    assert art.published_raw == "2024-05-01T08:00:00+02:00"


def test_meta_date_when_no_jsonld() -> None:
    art = _article('<meta property="article:published_time" content="2024-04-01T08:00:00Z">')
    assert art.published == "2024-04-01T08:00:00+00:00" and art.date_source == "meta"


def test_time_element_fallback() -> None:
    art = _article(byline='<time datetime="2024-04-02T10:00:00+02:00">2 kwietnia</time>')
    assert art.published == "2024-04-02T10:00:00+02:00" and art.date_source == "time"


def test_visible_date_text_near_headline() -> None:
    art = _article(byline='<div class="signature--when">czwartek, 15 listopada 2001 11:27</div>')
    assert art.published == "2001-11-15T11:27:00+01:00"
    assert art.date_source == "text"
    assert art.published_raw == "czwartek, 15 listopada 2001 11:27"


def test_url_date_is_the_last_resort() -> None:
    art = _article(url="https://example.pl/2024/05/03/tytul")
    assert art.published == "2024-05-03T00:00:00+02:00" and art.date_source == "url"


def test_future_structured_date_is_not_emitted() -> None:
    art = _article('<meta property="article:published_time" content="2031-01-01T00:00:00Z">')
    assert art.published is None and art.published_raw is None


def test_relative_text_resolved_against_fetch_time() -> None:
    art = _article(byline='<span class="date">2 godz. temu</span>')
    assert art.published == "2024-05-10T12:00:00+02:00"


def _published(html: str, url: str = "https://example.org/news/story") -> str | None:
    art = extract_article(html, url, fetched_at=FETCHED)
    return art.published[:10] if art.published else None


def test_page_text_date_with_a_publication_word_beats_a_copyright_date() -> None:
    html = ("<html><body><div class='top'>Stand: 02.03.2024</div><h1>Headline of the story</h1>"
            "<p>Some text of the article that is long enough to be a paragraph.</p>"
            "<div class='footer'>Erstellt am: 30.01.2024 18:36</div>"
            "<p>© 01.01.2024 Example</p></body></html>")
    assert _published(html) == "2024-01-30"


def test_page_text_date_after_the_headline_beats_one_before_it() -> None:
    html = ("<html><body><p>Heute: 07.05.2024</p><h1>Headline of the story</h1>"
            "<section><h3>21.01.2024</h3><p>Text of the article, long enough to count.</p>"
            "</section></body></html>")
    assert _published(html) == "2024-01-21"


def test_page_text_month_name_date() -> None:
    html = ("<html lang='de'><body><h1>Headline</h1><p>Text.</p><div class='post-footer'>"
            "Dieser Artikel wurde am 14. Dezember 2015 um 14:48 geschrieben.</div></body></html>")
    assert _published(html) == "2015-12-14"


def test_rdfa_property_and_non_article_jsonld_dates() -> None:
    rdfa = ("<html><body><h1>H</h1><span property='schema:dateCreated' "
            "content='2024-01-28T12:45:46+00:00'></span></body></html>")
    assert _published(rdfa) == "2024-01-28"
    page = ('<html><head><script type="application/ld+json">{"@type":"WebPage",'
            '"datePublished":"2014-03-17T01:44:37+00:00"}</script></head><body><h1>H</h1>'
            "</body></html>")
    assert _published(page) == "2014-03-17"


def test_url_dates_day_month_year_and_single_digit_day() -> None:
    assert to_iso(date_from_url("https://example.org/meldungen/29-10-2021",
                                fetched_at=FETCHED)) == "2021-10-29T00:00:00+00:00"
    # "3-fragen" is the start of a slug, not the third day of the month.
    assert date_from_url("https://example.org/2023/10/3-fragen-an-sie/",
                         fetched_at=FETCHED) is None
    assert to_iso(date_from_url("https://example.org/2023/10/3/story",
                                fetched_at=FETCHED)) == "2023-10-03T00:00:00+00:00"


def test_cyrillic_month_name_without_declared_language() -> None:
    assert iso("15 августа 2016, 13:43") == "2016-08-15T13:43:00+00:00"


def _quiet_page(extra: str, head: str = "") -> str:
    """An article whose visible text holds no date; `extra` adds markup around it."""
    return (f"<html><head><title>A walk in the hills</title>{head}</head><body>"
            "<h1>A walk in the hills</h1><p>We went up the hill early and came back late, tired "
            f"and happy after a long day outside.</p>{extra}<p>More text about the hills and the "
            "walk, which was long.</p></body></html>")


@pytest.mark.parametrize(("extra", "day"), [
    ('<img src="/wp-content/uploads/2021/03/hills.jpg">', "2021-03-01"),
    ('<div data-date="2021-03-04"></div>', "2021-03-04"),
    ('<abbr class="published" title="2021-03-04">Thursday</abbr>', "2021-03-04"),
])
def test_htmldate_fills_a_date_our_search_misses(extra: str, day: str) -> None:
    article = extract_article(_quiet_page(extra), "https://blog.example.org/a-walk",
                              fetched_at=FETCHED)
    assert article.published is not None and article.published.startswith(day)
    assert article.date_source == "htmldate"


def test_htmldate_never_overrides_a_date_we_found() -> None:
    head = '<meta property="article:published_time" content="2023-07-08T09:00:00+00:00">'
    article = extract_article(_quiet_page('<img src="/uploads/2021/03/hills.jpg">', head),
                              "https://blog.example.org/a-walk", fetched_at=FETCHED)
    assert article.published == "2023-07-08T09:00:00+00:00"
    assert article.date_source == "meta"


def test_no_date_anywhere_stays_empty() -> None:
    article = extract_article(_quiet_page(""), "https://blog.example.org/a-walk",
                              fetched_at=FETCHED)
    assert article.published is None and article.date_source is None


def test_htmldate_respects_the_fetch_time() -> None:
    later = '<div data-date="2025-01-02"></div>'  # after FETCHED: implausible, so no date
    article = extract_article(_quiet_page(later), "https://blog.example.org/a-walk",
                              fetched_at=FETCHED)
    assert article.published is None


def test_a_page_dated_after_the_fetch_gets_no_substitute_date() -> None:
    head = '<meta property="article:published_time" content="2024-06-01T09:00:00+00:00">'
    article = extract_article(_quiet_page('<div data-date="2024-05-02"></div>', head),
                              "https://blog.example.org/a-walk", fetched_at=FETCHED)
    assert article.published is None  # its own date is in the future; htmldate is not asked
