"""Routing by URL sits above `extract` and `portals`: the generic parser for unknown hosts, the
portal's parser for its own, and an `extract` package that never imports a portal module."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import newscrawl.routing as routing
from newscrawl.extract import Document, parse_document, read_document
from newscrawl.extract.parser import ArticleParser
from newscrawl.portals import get_portal

ROOT = Path(__file__).resolve().parent.parent
FETCHED = datetime(2024, 6, 20, 12, 0, tzinfo=UTC)
PARAGRAPH = "Radni miasta przyjęli w czwartek uchwałę w sprawie nowego planu komunikacji. " * 4
HTML = ("<!doctype html><html lang=\"pl\"><head><meta charset=\"utf-8\"><title>Tytuł</title>"
        "<meta property=\"og:type\" content=\"article\"></head><body><article>"
        "<h1>Nowy plan komunikacji miasta</h1>"
        + "".join(f"<p>{i}. {PARAGRAPH}</p>" for i in range(4)) + "</article></body></html>")


@pytest.fixture
def chosen(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The parser class and options each `extract_article` call ran (the real parse still runs)."""
    calls: list[dict] = []

    def spy(html, url, parser=None, **options):
        calls.append({"parser": parser, **options})
        return read_document(html, url, parser, **options)

    monkeypatch.setattr(routing, "read_document", spy)
    return calls


def test_page_of_no_known_portal_is_read_by_the_generic_parser(chosen: list[dict]) -> None:
    url = "https://lokalne-wiesci.example/kraj/plan-komunikacji"
    assert routing.portal_for(url) is None
    article = routing.extract_article(HTML.encode(), url, fetched_at=FETCHED)
    assert chosen[0]["parser"] is None and chosen[0].get("portal") is None
    assert article.portal is None
    assert article.headline == "Nowy plan komunikacji miasta"
    assert article == parse_document(HTML.encode(), url, ArticleParser, fetched_at=FETCHED)


def test_portal_url_picks_the_portals_parser(chosen: list[dict]) -> None:
    url = "https://wiadomosci.wp.pl/plan-komunikacji-6000000000000100a"
    spec = get_portal("wp")
    assert routing.portal_for(url) is spec
    article = routing.extract_article(HTML.encode(), url, fetched_at=FETCHED)
    assert chosen[0]["parser"] is spec.parser_for(FETCHED)
    assert chosen[0]["portal"] == "wp" and chosen[0]["timezone"] == spec.timezone
    assert article.portal == "wp"


def test_portal_argument_overrides_the_url(chosen: list[dict]) -> None:
    url = "https://lokalne-wiesci.example/kraj/plan-komunikacji"
    article = routing.extract_article(HTML, url, fetched_at=FETCHED, portal="wp")
    assert chosen[0]["parser"] is get_portal("wp").parser_for(FETCHED)
    assert article.portal == "wp"
    with pytest.raises(KeyError, match="unknown portal"):
        routing.extract_article(HTML, url, portal="no-such-portal")


def test_extract_package_imports_no_portal_module() -> None:
    code = ("import json, sys; import newscrawl.extract, newscrawl.extract.parser; "
            "print(json.dumps(sorted(m for m in sys.modules "
            "if m.startswith(('newscrawl.portals', 'newscrawl.routing')))))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_extract_sources_never_name_portals_or_routing() -> None:
    """A lazy import inside a function would escape the sys.modules check above."""
    pattern = re.compile(r"^\s*(from newscrawl(\.portals|\.routing)\b|import newscrawl\."
                         r"(portals|routing)\b|from newscrawl import .*\b(portals|routing)\b)",
                         re.MULTILINE)
    for path in sorted((ROOT / "newscrawl" / "extract").glob("*.py")):
        assert not pattern.search(path.read_text(encoding="utf-8")), path.name


def test_extract_page_gives_the_article_and_the_document_it_parsed() -> None:
    url = "https://lokalne-wiesci.example/kraj/plan-komunikacji"
    body = HTML.encode("iso-8859-2").replace(b"utf-8", b"iso-8859-2")
    article, doc = routing.extract_page(body, url, fetched_at=FETCHED,
                                        content_type=b"text/html; charset=iso-8859-2")
    assert isinstance(doc, Document) and doc.url == url and doc.encoding == "iso8859-2"
    assert doc.text == body.decode("iso-8859-2")
    assert article == routing.extract_article(body, url, fetched_at=FETCHED,
                                              content_type=b"text/html; charset=iso-8859-2")
    assert article.headline == "Nowy plan komunikacji miasta"


def test_portal_by_host_is_looked_up_once_and_keeps_each_hosts_answer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = routing.portal_for_url

    def spy(url: str):
        asked.append(url)
        return real(url)

    monkeypatch.setattr(routing, "_by_netloc", {})
    monkeypatch.setattr(routing, "portal_for_url", spy)
    wp = get_portal("wp")
    urls = ["https://wiadomosci.wp.pl/a-1a", "https://wiadomosci.wp.pl/b-2a",
            "https://lokalne-wiesci.example/x", "https://lokalne-wiesci.example/y"]
    assert [routing.portal_for(u) for u in urls] == [wp, wp, None, None]
    assert asked == [urls[0], urls[2]]
    assert routing.portal_for(urls[2], "wp") is wp


def test_host_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routing, "_by_netloc", {})
    monkeypatch.setattr(routing, "_HOST_CACHE_SIZE", 3)
    for i in range(7):
        assert routing.portal_for(f"https://host{i}.example/") is None
        assert len(routing._by_netloc) <= 3


def _with_canonical(href: str, link: str = "/dalej/art1") -> str:
    head = f'<link rel="canonical" href="{href}">'
    return HTML.replace("<title>", head + "<title>").replace(
        "</article>", f'</article><a href="{link}">Dalej</a>')


def test_without_url_the_page_canonical_picks_the_portal_and_the_base() -> None:
    article, doc = routing.extract_page(_with_canonical("https://www.rp.pl/kraj/art1-plan"))
    assert article.portal == "rp"
    assert article.url == "https://www.rp.pl/kraj/art1-plan"
    assert doc.url == "https://www.rp.pl/kraj/art1-plan"
    assert doc.selector.css("a::attr(href)").get() == "/dalej/art1"
    assert doc.root.base_url == "https://www.rp.pl/kraj/art1-plan"


def test_a_file_url_gives_way_to_the_page_canonical() -> None:
    article = routing.extract_article(_with_canonical("https://www.rp.pl/kraj/art1-plan"),
                                      "file:///tmp/saved.html")
    assert article.portal == "rp"


def test_og_url_stands_in_when_there_is_no_canonical() -> None:
    html = HTML.replace("<title>", '<meta property="og:url" content="https://www.rp.pl/a/art2">'
                                   "<title>")
    assert routing.extract_article(html).portal == "rp"


def test_a_given_http_url_wins_over_the_canonical() -> None:
    html = _with_canonical("https://www.rp.pl/kraj/art1-plan")
    article = routing.extract_article(html, "https://example.org/news/plan")
    assert article.portal is None


def test_no_url_and_no_canonical_reads_the_page_generically() -> None:
    article = routing.extract_article(HTML)
    assert article.portal is None
    assert article.headline == "Nowy plan komunikacji miasta"


def test_a_url_of_the_wrong_type_is_a_type_error_at_the_door() -> None:
    with pytest.raises(TypeError, match="url must be a str or None"):
        routing.extract_article(HTML, 42)  # type: ignore[arg-type]
