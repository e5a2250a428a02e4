"""Only articles become items: page_verdict on non-article fixtures, article fixtures, corpus."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from parsel import Selector

from newscrawl.discovery import PageVerdict, page_verdict
from newscrawl.extract import ExtractionError
from newscrawl.extract.document import decode_html
from newscrawl.routing import extract_article

ROOT = Path(__file__).resolve().parent.parent
NONARTICLES = ROOT / "fixtures" / "nonarticles"
PORTAL = ROOT / "fixtures" / "portal"
CORPUS = ROOT.parent / "shared" / "corpus"
SITE = "https://www.przyklad-wiadomosci.pl"


def _verdict(raw: bytes, url: str, *, selector: bool = False) -> PageVerdict:
    """The verdict on what the extractor would emit, as the spider asks for it."""
    item = extract_article(raw, url)
    text = decode_html(raw)[0]
    return page_verdict(Selector(text=text) if selector else text, url, headline=item.headline,
                        body=item.body, published=item.published)


@pytest.mark.parametrize("name, path, kind, cue", [
    ("soft404.html", "/kraj/posel-zlozyl-wniosek-o-kontrole-w-ministerstwie-8000001",
     "soft404", "Strona nie istnieje"),
    ("section.html", "/kraj/", "section", "teaser leads"),
    ("tag.html", "/tag/wybory/", "tag", "/tag/"),
    ("author.html", "/autor/anna-nowak/", "author", "/autor/"),
    ("search.html", "/szukaj?q=inflacja", "search", "/szukaj"),
    ("home.html", "/", "section", "teaser leads"),
])
@pytest.mark.parametrize("selector", [False, True], ids=["text", "selector"])
def test_nonarticle_fixture_gets_its_kind(name: str, path: str, kind: str, cue: str,
                                          selector: bool) -> None:
    verdict = _verdict((NONARTICLES / name).read_bytes(), SITE + path, selector=selector)
    assert verdict.kind == kind, verdict.reason
    assert not verdict.is_article
    assert cue in verdict.reason


def test_section_page_without_url_hint_is_still_a_listing() -> None:
    """Structure alone (teaser leads under headline links) is enough, whatever the URL says."""
    verdict = _verdict((NONARTICLES / "section.html").read_bytes(),
                       SITE + "/wiadomosci/kraj/najnowsze-wiadomosci-z-regionow")
    assert verdict.kind == "listing", verdict.reason


def test_soft_404_needs_a_tiny_body() -> None:
    """A not-found title over a long prose body is an article about a 404, not a soft 404."""
    sentence = "Błąd 404 to kod odpowiedzi serwera, który mówi, że strona zniknęła. "
    prose = "".join(f"<p>{sentence * 3}</p>" for _ in range(5))
    html = f"<html><head><title>Błąd 404: strona nie istnieje</title></head><body>" \
           f"<h1>Błąd 404: strona nie istnieje</h1>{prose}</body></html>"
    assert page_verdict(html, SITE + "/technologia/czym-jest-blad-404-wyjasniamy-123456"
                        ).kind == "article"
    short = "<html><head><title>Page not found</title></head><body><h1>Oops</h1>" \
            "<p>Sorry, nothing here.</p></body></html>"
    verdict = page_verdict(short, "https://news.example/some-old-story-123456")
    assert verdict.kind == "soft404" and "not found" in verdict.reason


@pytest.mark.parametrize("page", sorted((ROOT / "fixtures" / "pages").glob("*/*.html")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("selector", [False, True], ids=["text", "selector"])
def test_article_fixtures_stay_articles(page: Path, selector: bool) -> None:
    url = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))["url"]
    verdict = _verdict(page.read_bytes(), url, selector=selector)
    assert verdict.kind == "article", verdict.reason


def _portal_pages() -> list[tuple[str, Path]]:
    pages = [("/", PORTAL / "index.html")]
    for section in ("polska", "swiat", "gospodarka"):
        pages.append((f"/{section}", PORTAL / section / "index.html"))
        pages.append((f"/{section}/strona/2", PORTAL / section / "strona" / "2" / "index.html"))
    return pages


@pytest.mark.parametrize("path, page", _portal_pages(), ids=lambda v: str(v))
def test_miniature_portal_listing_pages_are_not_articles(path: str, page: Path) -> None:
    verdict = _verdict(page.read_bytes(), "http://127.0.0.1:8000" + path)
    assert not verdict.is_article, verdict.reason


def test_miniature_portal_articles_stay_articles() -> None:
    articles = sorted(PORTAL.glob("*-6000000000000*a"))
    assert len(articles) >= 30
    for page in articles:
        verdict = _verdict(page.read_bytes(), f"http://127.0.0.1:8000/{page.name}")
        assert verdict.kind == "article", (page.name, verdict.reason)


def _corpus_cases(sources: tuple[str, ...]) -> list[dict]:
    if not (CORPUS / "cases.jsonl").is_file():
        return []
    with open(CORPUS / "cases.jsonl", encoding="utf-8") as fh:
        return [c for c in map(json.loads, fh) if c["source"] in sources]


@pytest.mark.skipif(not (CORPUS / "cases.jsonl").is_file(),
                    reason="evaluation corpus ../shared/corpus is absent")
def test_corpus_news_articles_stay_articles() -> None:
    """Every fundus (news publishers) and pkleczek (Polish portals) page is an article."""
    cases = _corpus_cases(("fundus", "pkleczek"))
    assert len(cases) > 100
    rejected = []
    for case in cases:
        raw = gzip.decompress((CORPUS / case["html"]).read_bytes())
        url = case["url"] or "https://news.example/" + case["id"].split("/")[1]
        try:
            item = extract_article(raw, url)
        except ExtractionError:
            continue
        if not item.body:
            continue
        text = decode_html(raw)[0]
        verdict = page_verdict(text, url, headline=item.headline, body=item.body,
                               published=item.published)
        if not verdict.is_article:
            rejected.append((case["id"], verdict.reason))
    assert rejected == []
