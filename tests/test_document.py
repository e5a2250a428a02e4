"""Decoding and parsing of raw page bytes."""

import pytest
from lxml import etree

from newscrawl.extract import ExtractionError
from newscrawl.extract.document import Document, _stripped_utf8, decode_html
from newscrawl.routing import extract_article

POLISH = "Zażółć gęślą jaźń. Świątynia, Źródło, Łódź, Ąę."


@pytest.mark.parametrize("encoding", ["iso-8859-2", "cp1250", "utf-8"])
def test_undeclared_polish_encodings_decode(encoding):
    html = f"<html><body><p>{POLISH}</p></body></html>".encode(encoding)
    text, _ = decode_html(html)
    assert POLISH in text


@pytest.mark.parametrize("encoding", ["iso-8859-2", "windows-1250"])
def test_declared_polish_encodings_decode(encoding):
    html = (f'<html><head><meta charset="{encoding}"></head>'
            f"<body><p>{POLISH}</p></body></html>").encode(encoding)
    assert POLISH in decode_html(html)[0]


def test_latin2_label_on_cp1250_bytes_is_corrected():
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">'
            f"</head><body><p>{POLISH}</p></body></html>").encode("cp1250")
    assert POLISH in decode_html(html)[0]


def test_meta_charset_that_lies_about_utf8():
    html = (f'<html><head><meta charset="iso-8859-2"></head><body><p>{POLISH}</p></body></html>'
            ).encode()
    assert POLISH in decode_html(html)[0]


def test_binary_input_raises_extraction_error():
    with pytest.raises(ExtractionError):
        extract_article(b"%PDF-1.7\n\x00\x01\x02binary", "https://example.com/a.pdf")


def test_jsonld_graph_and_lists_are_flattened():
    html = ('<script type="application/ld+json">{"@graph": [{"@type": "WebSite"}, '
            '[{"@type": "NewsArticle", "headline": "H"}]]}</script>')
    types = [o["@type"] for o in Document(html, "https://x.pl/").jsonld]
    assert types == ["WebSite", "NewsArticle"]


@pytest.mark.parametrize("wrapped", [
    '/*<![CDATA[*/{"@type": "NewsArticle", "headline": "H"}/*]]>*/',
    '<![CDATA[{"@type": "NewsArticle", "headline": "H"}]]>',
    '<!-- {"@type": "NewsArticle", "headline": "H"} -->',
])
def test_jsonld_in_cdata_or_comment_wrappers_is_read(wrapped):
    html = f'<script type="application/ld+json">{wrapped}</script>'
    assert Document(html, "https://x.pl/").jsonld == [{"@type": "NewsArticle", "headline": "H"}]


@pytest.mark.parametrize("declaration", ['<meta charset="utf-8">', ""])
def test_utf8_with_one_broken_sequence_stays_utf8(declaration):
    # A cut multi-byte letter ("papieros\xc3...") must not turn the whole page into mojibake.
    html = (f"<html><head>{declaration}</head><body><p>{POLISH}</p>".encode()
            + b"<p>przemyt paczek papieros\xc3...</p></body></html>")
    text, encoding = decode_html(html)
    assert encoding == "utf-8"
    assert POLISH in text and "papieros\ufffd..." in text


def test_single_byte_polish_is_not_taken_for_broken_utf8():
    html = f'<html><head><meta charset="utf-8"></head><body><p>{POLISH}</p></body></html>'
    text, encoding = decode_html(html.encode("cp1250"))
    assert POLISH in text and encoding == "cp1250"


@pytest.mark.parametrize("page", [
    f"<html><body><p>{POLISH}</p></body></html>",
    f"  \n\t<html><body><p>{POLISH}</p></body></html>\r\n ",
    f"\x1c<html><body><p>{POLISH}</p></body></html>\x1f",
    f"\u00a0\u2003<html><body><p>{POLISH}</p></body></html>\u3000",
    f"<p>{POLISH}</p>\u00a0",
    " \t\n",
])
def test_page_bytes_parse_like_the_decoded_text(page):
    # UTF-8 bytes are handed to the parser as they are: the tree equals the decoded text's
    data = page.encode("utf-8")
    from_bytes = Document(data, "https://example.com/")
    from_text = Document(page, "https://example.com/")
    assert from_bytes.text == page
    assert etree.tostring(from_bytes.root) == etree.tostring(from_text.root)
    assert _stripped_utf8(page, data) == page.strip().encode("utf-8")
