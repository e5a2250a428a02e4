"""Structured data: JSON-LD (incl. @graph and lists), OpenGraph, article:* meta, microdata.

`read_metadata(doc)` gathers everything the page declares about itself into one `Metadata`;
the parser prefers it over heuristics for every field it covers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newscrawl.extract.document import Document
from newscrawl.extract.text import clean_text

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "liveblogposting",
    "scholarlyarticle", "techarticle", "report", "socialmediaposting", "advertisercontentarticle",
    "satiricalarticle", "askpublicnewsarticle", "medicalscholarlyarticle", "posting",
}


@dataclass
class Metadata:
    """What the page says about itself; each value raw-but-clean, None when absent."""

    headline: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    published_raw: str | None = None
    published_source: str | None = None  # "jsonld" | "meta" | "time"
    modified_raw: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    accessible_for_free: bool | None = None
    article_body: str | None = None
    is_article: bool = False


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    values = t if isinstance(t, list) else [t]
    return {str(v).lower() for v in values if v}


def article_objects(doc: Document) -> list[dict[str, Any]]:
    """JSON-LD objects whose @type is an article type, best candidates first."""
    return [o for o in doc.jsonld if _types(o) & ARTICLE_TYPES]


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, str):
        v = clean_text(value)
        return [v] if v else []
    return []


def _first_str(value: Any) -> str | None:
    if isinstance(value, list):
        for v in value:
            s = _first_str(v)
            if s:
                return s
        return None
    if isinstance(value, dict):
        return _first_str(value.get("url") or value.get("@id") or value.get("name"))
    if isinstance(value, str):
        return clean_text(value) or None
    return None


def read_metadata(doc: Document) -> Metadata:
    """Collect JSON-LD, OpenGraph and meta values for one page."""
    md = Metadata()
    arts = article_objects(doc)
    art = arts[0] if arts else {}
    md.is_article = bool(arts) or (doc.meta_first("og:type") or "").lower() == "article"
    md.headline = _first_str(art.get("headline")) or doc.meta_first("og:title", "twitter:title")
    if not md.headline:
        md.headline = clean_text(doc.selector.xpath("//title/text()").get()) or None
    md.description = (_first_str(art.get("description"))
                      or doc.meta_first("og:description", "description", "twitter:description"))
    md.authors = _names(art.get("author")) or [
        clean_text(a) for a in doc.meta.get("author", []) + doc.meta.get("article:author", [])
        if a and not a.startswith("http")
    ]
    if art.get("datePublished"):
        md.published_raw, md.published_source = _first_str(art.get("datePublished")), "jsonld"
    else:
        raw = doc.meta_first("article:published_time", "og:published_time", "datepublished",
                             "pubdate", "publishdate", "date", "dc.date", "dcterms.created")
        if raw:
            md.published_raw, md.published_source = raw, "meta"
    md.modified_raw = _first_str(art.get("dateModified")) or doc.meta_first(
        "article:modified_time", "og:updated_time", "datemodified")
    md.section = _first_str(art.get("articleSection")) or doc.meta_first("article:section")
    kw = art.get("keywords")
    if isinstance(kw, str):
        md.tags = [clean_text(k) for k in kw.split(",") if clean_text(k)]
    elif isinstance(kw, list):
        md.tags = [clean_text(str(k)) for k in kw if clean_text(str(k))]
    else:
        md.tags = [clean_text(t) for t in doc.meta.get("article:tag", []) if clean_text(t)]
    md.image = _first_str(art.get("image")) or doc.meta_first("og:image", "twitter:image")
    md.canonical_url = (doc.selector.xpath("//link[@rel='canonical']/@href").get()
                        or doc.meta_first("og:url"))
    md.language = doc.lang or (_first_str(art.get("inLanguage")) or "")[:2].lower() or None
    free = art.get("isAccessibleForFree")
    if free is not None:
        md.accessible_for_free = str(free).lower() not in ("false", "0", "no")
    md.article_body = _first_str(art.get("articleBody"))
    return md
