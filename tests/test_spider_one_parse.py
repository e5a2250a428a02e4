"""An article page is decoded and parsed once: classification reads what extraction parsed; and
listing-link discovery skips links no URL parser accepts instead of failing the page."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

import newscrawl.crawl.reading as reading_module
from newscrawl.discovery import feed_links, parse_listing
from newscrawl.extract import Document
from newscrawl.spiders.news import GenericNewsSpider

PARAGRAPH = "Radni miasta przyjęli w czwartek uchwałę w sprawie nowego planu komunikacji. " * 3
HTML = ('<html><head><meta charset="iso-8859-2"><meta property="og:type" content="article">'
        "<title>Plan komunikacji</title></head><body><h1>Nowy plan komunikacji miasta</h1>"
        + "".join(f"<p>{i}. {PARAGRAPH}</p>" for i in range(4)) + "</body></html>")


class CountingResponse(HtmlResponse):
    """A response that counts how often Scrapy's own decoding (`text`) is asked for."""

    text_reads = 0

    @property
    def text(self) -> str:
        """Scrapy's decoded body, counted."""
        type(self).text_reads += 1
        return super().text


def test_article_page_is_classified_from_the_document_extraction_parsed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    real_verdict = reading_module.page_verdict
    real_extract = reading_module.extract_page
    docs: list[Document] = []

    def verdict(html: Any, url: str, **kwargs: Any) -> Any:
        seen.append(html)
        return real_verdict(html, url, **kwargs)

    def extract(*args: Any, **kwargs: Any) -> Any:
        item, doc = real_extract(*args, **kwargs)
        docs.append(doc)
        return item, doc

    monkeypatch.setattr(reading_module, "page_verdict", verdict)
    monkeypatch.setattr(reading_module, "extract_page", extract)
    spider = GenericNewsSpider.from_crawler(get_crawler(GenericNewsSpider),
                                            url="https://portal.example/")
    url = "https://portal.example/nowy-plan-komunikacji-miasta-123456"
    response = CountingResponse(url, body=HTML.encode("iso-8859-2"),
                                headers={"Content-Type": "text/html"},
                                request=Request(url, meta={"discovery": {}}))
    (item,) = list(spider.parse_article(response))
    assert item.headline == "Nowy plan komunikacji miasta"
    assert len(docs) == 1 and seen == [docs[0].text]
    assert "przyjęli" in docs[0].text
    assert CountingResponse.text_reads == 0


@pytest.mark.parametrize("href", ["http://[ccpa-preferences]/x", "https://[::1/", "//[bad]:80/"])
def test_listing_skips_links_no_url_parser_accepts(href: str) -> None:
    html = (f'<html><head><link rel="next" href="{href}">'
            f'<link rel="alternate" type="application/rss+xml" href="{href}"></head><body>'
            f'<a href="{href}">zepsuty</a>'
            '<a href="/kraj/nowy-plan-komunikacji-miasta-123456">Nowy plan komunikacji</a>'
            '<a href="/kraj/strona/2">2</a></body></html>')
    result = parse_listing(html, "https://portal.example/kraj")
    assert [e.url for e in result.entries] == [
        "https://portal.example/kraj/nowy-plan-komunikacji-miasta-123456"]
    assert result.follow == ["https://portal.example/kraj/strona/2"]
    assert feed_links(html, "https://portal.example/kraj") == []


def test_listing_reads_href_of_an_anchor_with_an_attribute_lxml_cannot_name() -> None:
    # `{count}` reads to lxml as a namespace with an empty local name: asking for all the
    # anchor's attributes fails, asking for its href does not (a forum page of the corpus).
    html = ('<p><a data-via="x" {count} class="share" '
            'href="/kraj/nowy-plan-komunikacji-miasta-123456">Plan</a></p>')
    result = parse_listing(html, "https://portal.example/kraj")
    assert [(e.url, e.title) for e in result.entries] == [
        ("https://portal.example/kraj/nowy-plan-komunikacji-miasta-123456", "Plan")]
