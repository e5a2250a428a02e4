"""Hostile encodings: charsets that lie (header, `<meta>`, both), pages without a charset, stray
NULs and control characters, UTF-16. One decoding path: the header's charset is one signal."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime

import pytest
from itemadapter import ItemAdapter

from newscrawl.crawl.pipelines import NormalisePipeline, schema_errors
from newscrawl.extract import ExtractionError
from newscrawl.extract.document import Document, decode_html
from newscrawl.extract.parser import ArticleParser, without_controls
from newscrawl.extract.text import clean_text
from newscrawl.items import Article, RelatedLink
from newscrawl.output.exporters import item_to_record
from newscrawl.routing import extract_article

URL = "https://wiadomosci.example.pl/kraj/artykul-123"
HEADLINE = "Gęś żółta i źdźbło"
POLISH = "Zażółć gęślą jaźń, powiedział minister w czwartek w Łodzi. Świątynia, Źródło, Ąę."
FETCHED = datetime(2025, 1, 1, tzinfo=UTC)
#: What no output field may hold (written out here, independently of the code under test).
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                       "\ufffe\uffff\U0001fffe\U0001ffff\U0010fffe\U0010ffff]")


def _page(meta: str = "", headline: str = HEADLINE, text: str = POLISH, extra: str = "") -> str:
    return (f"<html><head>{meta}<title>{headline}</title></head><body><article>"
            f"<h1>{headline}</h1><p>{text} {text}</p><p>{text}</p><p>Drugi akapit: {text}</p>"
            f"{extra}</article></body></html>")


def _extract(data: bytes | str, content_type: str | None = None) -> Article:
    """What `extract_article(data, URL, content_type=...)` does for a page of no known portal."""
    doc = Document(data, URL, content_type=content_type)
    return ArticleParser(doc, fetched_at=FETCHED).parse()


def _strings(article: Article) -> list[str]:
    """Every string an output record holds, however deep."""
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(ItemAdapter(article).asdict())
    return out


def _assert_clean(article: Article) -> None:
    dirty = [s for s in _strings(article) if FORBIDDEN.search(s)]
    assert dirty == []
    text = json.dumps(ItemAdapter(article).asdict(), ensure_ascii=False)
    assert json.loads(text)["headline"] == article.headline
    text.encode("utf-8")  # no lone surrogate: strict UTF-8 encoding succeeds


# -- charsets -------------------------------------------------------------------------------
def test_header_claiming_utf8_over_windows_1250_bytes():
    article = _extract(_page().encode("cp1250"), "text/html; charset=utf-8")
    assert article.headline == HEADLINE
    assert POLISH in " ".join(article.body)


def test_header_naming_windows_1250_over_valid_utf8_bytes():
    text, encoding = decode_html(_page().encode(), "text/html; charset=windows-1250")
    assert encoding == "utf-8" and POLISH in text
    article = _extract(_page().encode(), "text/html; charset=windows-1250")
    assert article.headline == HEADLINE


def test_header_charset_is_used_when_the_page_declares_none():
    # windows-1250 bytes without C1 codes would be guessed ISO-8859-2 by detection alone.
    words = "Łódź i żółw"
    data = _page(headline=words, text=words + " " * 40 + words).encode("cp1250")
    text, encoding = decode_html(data, "text/html; charset=windows-1250")
    assert encoding == "cp1250" and words in text


@pytest.mark.parametrize(("header", "meta", "encoding"), [
    ("iso-8859-2", "windows-1250", "cp1250"),
    ("windows-1250", "iso-8859-2", "cp1250"),
    ("windows-1252", "iso-8859-2", "iso-8859-2"),
    ("utf-8", "windows-1250", "cp1250"),
])
def test_header_and_meta_disagreeing_the_bytes_decide(header, meta, encoding):
    data = _page(meta=f'<meta charset="{meta}">').encode(encoding)
    text, _ = decode_html(data, f"text/html; charset={header}")
    assert POLISH in text and HEADLINE in text
    article = _extract(data, f"text/html; charset={header}")
    assert article.headline == HEADLINE and POLISH in " ".join(article.body)


def test_header_and_meta_agreeing_are_trusted():
    data = _page(meta='<meta charset="iso-8859-2">').encode("iso-8859-2")
    text, encoding = decode_html(data, "text/html; charset=ISO-8859-2")
    assert encoding.replace("_", "-") == "iso8859-2" and POLISH in text


@pytest.mark.parametrize("content_type", [None, "text/html", "text/html; charset="])
def test_iso_8859_2_page_without_any_charset(content_type):
    article = _extract(_page().encode("iso-8859-2"), content_type)
    assert article.headline == HEADLINE and POLISH in " ".join(article.body)


def test_bom_wins_over_header_and_meta():
    data = b"\xef\xbb\xbf" + _page(meta='<meta charset="iso-8859-2">').encode()
    text, encoding = decode_html(data, "text/html; charset=windows-1252")
    assert encoding == "utf-8" and POLISH in text


def test_bytes_header_value_is_accepted():
    text, encoding = decode_html(_page().encode("cp1250"), b"text/html; charset=UTF-8")
    assert POLISH in text and encoding == "cp1250"


# -- NULs and control characters --------------------------------------------------------------
def test_stray_nuls_in_headline_and_body_keep_the_article():
    html = _page(headline="Gęś\x00 żółta i źdźbło", text=POLISH.replace("minister", "mini\x00ster"))
    data = b"\x00" + html.encode()
    article = _extract(data)
    assert article.headline == HEADLINE
    assert POLISH in " ".join(article.body)
    _assert_clean(article)
    assert schema_errors(item_to_record(article)) == []


def test_stray_nuls_through_extract_article():
    html = _page(headline="Gęś\x00 żółta i źdźbło")
    article = extract_article(html.encode(), URL, fetched_at=FETCHED)
    assert article.headline == HEADLINE
    _assert_clean(article)


def test_control_character_laden_page_keeps_text_and_drops_every_control():
    noise = "\x01\x02\x07\x08\x0b\x0c\x0e\x1b\x7f\u0085\u0091\u009f\ufffe\ufdd0\U0001ffff"
    text = "".join(ch + (noise[i % len(noise)] if i % 7 == 0 else "")
                   for i, ch in enumerate(POLISH))
    ld = json.dumps({"@type": "NewsArticle", "headline": "Nagłówek\ud800 z JSON-LD\x01",
                     "author": [{"@type": "Person", "name": "Jan\x02 Kowalski\udfff"}],
                     "keywords": ["polityka\x03", "Łódź\x7f"], "articleSection": "Kraj\x9b",
                     "image": "https://wiadomosci.example.pl/img\x01.jpg"})
    extra = "".join(f'<p><a href="/kraj/inny-{i}\x05">Inny tekst\x06 numer {i}</a></p>'
                    for i in range(3))
    html = _page(meta=f'<script type="application/ld+json">{ld}</script>',
                 headline="Gęś\x01 żółta\x7f i źdźbło", text=text, extra=extra)
    data = html.encode("utf-8", errors="surrogatepass")
    article = _extract(data)
    assert article.body and "Zażółć" in " ".join(article.body)
    assert article.headline
    _assert_clean(article)
    assert schema_errors(item_to_record(article)) == []


def test_control_characters_from_parsed_text_are_dropped():
    # Lone surrogates and noncharacters cannot be encoded as bytes: they arrive as decoded text.
    ld = '{"@type": "NewsArticle", "headline": "Nag\\u0142\\u00f3wek\\ud800", ' \
         '"author": {"@type": "Person", "name": "Anna\\u0000 Nowak"}}'
    html = _page(meta=f'<script type="application/ld+json">{ld}</script>')
    article = _extract(html)
    assert "Anna Nowak" in article.authors or "Anna Nowak" in " ".join(article.authors)
    _assert_clean(article)


@pytest.mark.parametrize(("raw", "clean"), [
    ("Ala\x00 ma\x01 kota\x7f", "Ala ma kota"),
    ("Ala \x00 ma", "Ala ma"),
    ("Zaż\x00ółć\x85gęślą", "Zażółć gęślą"),
    ("x\x0cy\x1fz", "x y z"),
    ("\ud800Łódź\ufffe\U0010ffff\x9b", "Łódź"),
    ("&amp;\x02", "&"),
    ("\x00\x01", ""),
])
def test_clean_text_drops_control_characters(raw, clean):
    assert clean_text(raw) == clean
    long = clean_text((raw + " ") * 40)  # over the cached length: the uncached path
    assert long == (" ".join([clean] * 40) if clean else "")


def test_article_assembly_strips_controls_that_bypass_clean_text():
    article = without_controls(Article(
        url=URL + "\x00", canonical_url=URL + "\x01", image="https://x.pl/a\x7f.jpg",
        headline="\x02", published_raw="2024-01-01\x9f", body=["a\x03b"], tags=["\ud800"],
        related=[RelatedLink(title="T\x04", url="https://x.pl/r\x05")]))
    assert article.url == URL and article.canonical_url == URL
    assert article.image == "https://x.pl/a.jpg" and article.published_raw == "2024-01-01"
    assert article.headline is None and article.body == ["ab"] and article.tags == []
    assert article.related == [RelatedLink(title="T", url="https://x.pl/r")]


def test_normalise_pipeline_drops_control_characters():
    item = Article(url=URL, headline="Tytu\x00ł\x7f", lead="Lead\x01 tekstu",
                   body=["Akapit\x02 pierwszy.", "\x03\x04"], authors=["Jan\x05 Nowak"],
                   tags=["tag\x9f"], section="Kraj\x1b")
    out = NormalisePipeline().process_item(item)
    assert out.headline == "Tytuł" and out.lead == "Lead tekstu" and out.section == "Kraj"
    assert out.body == ["Akapit pierwszy."] and out.authors == ["Jan Nowak"]
    assert out.tags == ["tag"]


# -- binary or not -------------------------------------------------------------------------------
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_with_or_without_bom_is_text(codec):
    article = _extract(_page().encode(codec))
    assert article.headline == HEADLINE and POLISH in " ".join(article.body)


def test_many_nuls_are_still_binary():
    data = _page().encode().replace(b" ", b"\x00\x00\x00")
    with pytest.raises(ExtractionError, match="binary"):
        _extract(data)


def test_random_bytes_are_still_binary():
    with pytest.raises(ExtractionError, match="binary"):
        _extract(random.Random(11).randbytes(20_000))


def test_extract_article_takes_the_content_type():
    data = _page().encode("cp1250")
    article = extract_article(data, URL, fetched_at=FETCHED,
                              content_type="text/html; charset=utf-8")
    assert article.headline == HEADLINE and POLISH in " ".join(article.body)


def test_crawl_decodes_like_extract_despite_a_lying_header(tmp_path):
    """A cp1250 page served as `charset=utf-8`, and a page with NULs in its headline: the crawl's
    feed holds the same correct Polish `extract_article` gives, and no control character."""
    from test_spiders import crawl

    from newscrawl.devtools.portal_server import PortalServer

    root = tmp_path / "portal"
    root.mkdir()
    lying = "wiadomosci/zazolc-gesla-jazn-w-lodzi-123456"
    nul = "wiadomosci/gesia-skorka-i-zdzblo-trawy-654321"
    (root / "wiadomosci").mkdir()
    (root / lying).write_bytes(_page().encode("cp1250"))  # served as text/html; charset=utf-8
    # (Another text too: the duplicates pipeline drops a second copy of one article.)
    (root / nul).write_bytes(_page(headline="Gęś\x00 żółta\x00 i źdźbło",
                                   extra="<p>Inny tekst\x00 drugiej strony portalu.</p>"
                                   ).encode("utf-8"))
    (root / "sitemap.xml").write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{{{{ORIGIN}}}}/{lying}</loc></url><url><loc>{{{{ORIGIN}}}}/{nul}</loc></url>"
        "</urlset>", encoding="utf-8")
    with PortalServer(root) as server:
        items, _ = crawl("news", tmp_path / "out.jsonl", f"url={server.url}")
    assert len(items) == 2
    for item in items:
        assert item["headline"] == HEADLINE, item["url"]
        assert POLISH in " ".join(item["body"])
        assert not FORBIDDEN.search(json.dumps(item, ensure_ascii=False))
    raw = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert "\\u0000" not in raw and "\x00" not in raw
