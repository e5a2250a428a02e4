"""Is a fetched page an article or a listing? JSON-LD type, og:type, URL shape, text density."""

from __future__ import annotations

import json

from parsel import Selector

from newscrawl.discovery.listing import is_pagination_url, looks_like_article_url

ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
                 "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
                 "blogposting", "liveblogposting", "report", "scholarlyarticle"}
LISTING_TYPES = {"collectionpage", "website", "itemlist", "searchresultspage", "webpage"}


def _jsonld_types(sel: Selector) -> set[str]:
    types: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            t = node.get("@type")
            for name in t if isinstance(t, list) else [t]:
                if isinstance(name, str):
                    types.add(name.lower())
            walk(node.get("@graph"))

    for raw in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            walk(json.loads(raw))
        except ValueError:
            continue
    return types


def classify_page(html: str | Selector, url: str) -> str:
    """"article", "listing" or "unknown", from the strongest signal the page offers."""
    sel = html if isinstance(html, Selector) else Selector(text=html)
    types = _jsonld_types(sel)
    if types & ARTICLE_TYPES:
        return "article"
    og = (sel.css('meta[property="og:type"]::attr(content)').get() or "").strip().lower()
    if og == "article":
        return "article"
    if og in ("website", "object") or (types & LISTING_TYPES and "webpage" not in types):
        return "listing"
    if is_pagination_url(url):
        return "listing"
    paragraphs = [p for p in sel.css("p").xpath("normalize-space(string())").getall()
                  if len(p) > 80]
    text_len = sum(len(p) for p in paragraphs)
    link_count = len(sel.css("a[href]"))
    if len(paragraphs) >= 3 and text_len >= 600 and text_len / max(link_count, 1) > 15:
        return "article"
    if looks_like_article_url(url) and len(paragraphs) >= 2:
        return "article"
    if link_count >= 20 and text_len / max(link_count, 1) < 15:
        return "listing"
    return "unknown"
