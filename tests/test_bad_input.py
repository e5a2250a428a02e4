"""`extract_article` on hostile or broken input: an Article with what was found, or the one
documented ExtractionError for bytes that are not HTML; never a crash or a hang."""

from __future__ import annotations

import random

import pytest

from newscrawl.extract import ExtractionError
from newscrawl.items import Article
from newscrawl.routing import extract_article

URL = "https://wiadomosci.example.pl/artykul-123"
POLISH = "Zażółć gęślą jaźń, powiedział minister w czwartek w Łodzi."


def _article_or_error(data: bytes | str) -> Article | None:
    try:
        article = extract_article(data, URL)
    except ExtractionError:
        return None
    assert isinstance(article, Article)
    return article


def test_empty_bytes_give_an_empty_article():
    article = extract_article(b"", URL)
    assert article.url == URL and article.body == [] and article.headline is None


def test_whitespace_only_page():
    article = extract_article(b"   \n\t  ", URL)
    assert article.body == [] and article.related == []


def test_random_binary_garbage_raises_the_documented_error():
    data = random.Random(7).randbytes(50_000)
    with pytest.raises(ExtractionError):
        extract_article(data, URL)


@pytest.mark.parametrize(
    "magic", [b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"\x1f\x8b\x08"])
def test_non_html_documents_raise_the_documented_error(magic):
    with pytest.raises(ExtractionError):
        extract_article(magic + bytes(range(256)) * 20, URL)


def test_wrong_input_type_raises_the_documented_error():
    with pytest.raises(ExtractionError):
        extract_article(12345, URL)  # type: ignore[arg-type]


def test_twenty_megabyte_page_returns_an_article():
    paragraph = f"<p>{POLISH} " + "Dalszy ciąg zdania. " * 20 + "</p>\n"
    html = ("<html><head><title>Duża strona</title></head><body><article><h1>Duża strona</h1>"
            + paragraph * (20 * 1024 * 1024 // len(paragraph.encode()))
            + "</article></body></html>")
    article = extract_article(html.encode("utf-8"), URL)
    assert article.headline == "Duża strona"
    assert article.body and POLISH in article.body[0]


def test_page_without_an_article_yields_no_invented_fields():
    html = ("<html><head><title>Strona główna</title></head><body><nav><ul>"
            + "".join(f'<li><a href="/dzial-{i}">Dział {i}</a></li>' for i in range(30))
            + "</ul></nav><footer>© Portal</footer></body></html>")
    article = _article_or_error(html.encode())
    assert article is not None
    assert article.authors == [] and article.published is None and article.related == []
    assert not any("Dział" in p for p in article.body)


def test_broken_markup_keeps_the_text():
    html = (f"<html><body><div><h1>Nagłówek<p>{POLISH}<p>Drugi akapit bez zamknięcia <b>pogrubiony"
            f"<div><p>Trzeci akapit</span></table> i koniec. {POLISH}").encode()
    article = extract_article(html, URL)
    text = " ".join(article.body)
    assert POLISH in text and "Trzeci akapit" in text


def test_meta_charset_claiming_utf8_over_windows_1250_bytes():
    html = (f'<html><head><meta charset="utf-8"><title>T</title></head><body><article>'
            f"<p>{POLISH} {POLISH}</p><p>{POLISH}</p></article></body></html>").encode("cp1250")
    article = extract_article(html, URL)
    assert POLISH in " ".join(article.body)


def test_meta_charset_claiming_latin2_over_utf8_bytes():
    html = (f'<html><head><meta charset="iso-8859-2"><title>T</title></head><body><article>'
            f"<p>{POLISH} {POLISH}</p><p>{POLISH}</p></article></body></html>").encode()
    article = extract_article(html, URL)
    assert POLISH in " ".join(article.body)
