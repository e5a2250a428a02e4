"""Structured data: JSON-LD (incl. @graph, lists, nested mainEntity), OpenGraph, article:* meta,
Dublin Core / parsely / sailthru meta, microdata and `<time>`.

`read_metadata(doc)` gathers everything the page declares about itself into one `Metadata`;
the parser prefers it over heuristics for every field it covers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from newscrawl.extract.document import Document
from newscrawl.extract.headline import choose_headline, itemprop_nodes, property_nodes
from newscrawl.extract.text import clean_text, node_text, norm_key

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "liveblogposting",
    "scholarlyarticle", "techarticle", "report", "socialmediaposting", "advertisercontentarticle",
    "satiricalarticle", "askpublicnewsarticle", "medicalscholarlyarticle", "posting",
    "discussionforumposting", "blog", "review",
}
PERSON_TYPES = {"person"}

#: Meta names that carry the publication date, best first (lower-cased name/property/itemprop).
PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "article:published", "datepublished", "date_published", "published_time", "publishdate",
    "publish-date", "publish_date", "publication_date", "pubdate", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created",
    "dc.date", "dcterms.date", "dc:date", "dc.created", "citation_publication_date",
    "citation_date", "cxenseparse:recs:publishtime", "article.published", "article.created",
    "originalpublicationdate", "rnews:datepublished", "bt:pubdate", "datecreated",
    "date_created", "created", "date", "timestamp", "article_date_original", "pub_date",
)
MODIFIED_META = (
    "article:modified_time", "og:updated_time", "article:modified", "og:modified_time",
    "datemodified", "date_modified", "modified_time", "last-modified", "lastmod",
    "dcterms.modified", "dc.date.modified", "article.updated", "sailthru.lastmodified",
)
AUTHOR_META = (
    "author", "article:author", "dc.creator", "dcterms.creator", "dc:creator",
    "parsely-author", "sailthru.author", "byl", "citation_author", "twitter:creator:name",
)
TITLE_META = ("og:title", "twitter:title", "dc.title", "dcterms.title", "parsely-title",
              "sailthru.title", "title", "headline")


@dataclass
class Metadata:
    """What the page says about itself; each value raw-but-clean, None when absent."""

    headline: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    #: Author names from meta tags (author, article:author, DC, parsely, sailthru...).
    meta_authors: list[str] = field(default_factory=list)
    #: Organisation names from JSON-LD `author` (used only when no person is named).
    author_orgs: list[str] = field(default_factory=list)
    published_raw: str | None = None
    published_source: str | None = None  # "jsonld" | "meta" | "time"
    modified_raw: str | None = None
    #: Every (raw, source) publication-date candidate, best first.
    published_candidates: list[tuple[str, str]] = field(default_factory=list)
    modified_candidates: list[tuple[str, str]] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    site_name: str | None = None
    #: Names the site goes by in JSON-LD: the article's publisher (an organisation), WebSite names.
    publishers: list[str] = field(default_factory=list)
    accessible_for_free: bool | None = None
    article_body: str | None = None
    is_article: bool = False


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    values = t if isinstance(t, list) else [t]
    return {str(v).lower().rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values if v}


def _all_objects(doc: Document) -> list[dict[str, Any]]:
    """Flattened JSON-LD objects plus article objects nested as `mainEntity`/`hasPart`/`about`
    (cached on the document: the article, date and author lookups all read them)."""
    cached = doc.__dict__.get("_jsonld_objects")
    if cached is not None:
        return cached
    out: list[dict[str, Any]] = []
    seen: set[int] = set()

    def add(obj: Any, depth: int) -> None:
        if isinstance(obj, list):
            for o in obj:
                add(o, depth)
            return
        if not isinstance(obj, dict) or id(obj) in seen or depth > 4:
            return
        seen.add(id(obj))
        if "@type" in obj:
            out.append(obj)
        for key in ("mainEntity", "@graph", "hasPart", "itemListElement", "item"):
            if key in obj:
                add(obj[key], depth + 1)

    add(doc.jsonld, 0)
    doc.__dict__["_jsonld_objects"] = out
    return out


def _same_url(a: Any, b: str | None) -> bool:
    if not isinstance(a, str) or not b:
        return False
    pa, pb = urlsplit(a.strip()), urlsplit(b.strip())
    return (pa.netloc.lower().removeprefix("www."), pa.path.rstrip("/")) == (
        pb.netloc.lower().removeprefix("www."), pb.path.rstrip("/"))


def _obj_url(obj: dict[str, Any]) -> list[str]:
    urls = []
    for key in ("url", "@id", "mainEntityOfPage"):
        v = obj.get(key)
        if isinstance(v, dict):
            v = v.get("@id") or v.get("url")
        if isinstance(v, str):
            urls.append(v)
    return urls


def article_objects(doc: Document) -> list[dict[str, Any]]:
    """JSON-LD objects whose @type is an article type, the one matching the page first."""
    arts = [o for o in _all_objects(doc) if _types(o) & ARTICLE_TYPES]
    if len(arts) < 2:
        return arts
    canonical = _canonical_href(doc)
    first_h1 = next(iter(doc.everywhere("h1")), None)
    h1 = norm_key(first_h1.xpath("string()") if first_h1 is not None else "")
    og = norm_key(doc.meta_first("og:title"))

    def score(item: tuple[int, dict[str, Any]]) -> tuple[int, int]:
        pos, obj = item
        s = 0
        if any(_same_url(u, doc.url) or _same_url(u, canonical) for u in _obj_url(obj)):
            s += 4
        head = norm_key(_first_str(obj.get("headline")))
        if head and head in (h1, og):
            s += 3
        if obj.get("datePublished"):
            s += 1
        if obj.get("articleBody"):
            s += 1
        return s, -pos

    ranked = sorted(enumerate(arts), key=score, reverse=True)
    return [o for _, o in ranked]


def _nodes_by_id(doc: Document) -> dict[str, dict[str, Any]]:
    """JSON-LD objects by their `@id`, for references such as Yoast's
    `"author": {"@id": ".../#/schema/person/..."}` to a Person elsewhere in the `@graph`."""
    return {o["@id"]: o for o in _all_objects(doc) if isinstance(o.get("@id"), str)}


def _resolve(value: Any, nodes: dict[str, dict[str, Any]]) -> Any:
    """`value` with bare `{"@id": ...}` references replaced by the objects they name."""
    if isinstance(value, list):
        return [_resolve(v, nodes) for v in value]
    if isinstance(value, dict) and not any(k in value for k in ("name", "givenName",
                                                                 "familyName")):
        ref = value.get("@id")
        if isinstance(ref, str) and ref in nodes:
            return nodes[ref]
    return value


def _names(value: Any, want_person: bool | None = None) -> list[str]:
    """Names in an author value; want_person True/False keeps persons/organisations only."""
    if isinstance(value, list):
        return [n for v in value for n in _names(v, want_person)]
    if isinstance(value, dict):
        types = _types(value)
        is_person = not types or bool(types & PERSON_TYPES)
        if want_person is not None and is_person != want_person:
            return []
        name = value.get("name")
        if not name and (value.get("givenName") or value.get("familyName")):
            name = f"{value.get('givenName') or ''} {value.get('familyName') or ''}"
        return _names(name, None)
    if isinstance(value, str):
        if want_person is False:
            return []
        v = clean_text(_TAG.sub(" ", value) if "<" in value else value)
        return [v] if v else []
    return []


#: Markup some sites leave in JSON-LD names (`<a href="/authors/x">Name</a>`).
_TAG = re.compile(r"<[^>]*>")


def _publishers(doc: Document, art: dict[str, Any], nodes: dict[str, Any]) -> list[str]:
    """The site's own names in JSON-LD: the article's publisher when it is an organisation, and
    the name of every WebSite object."""
    found = _resolve(art.get("publisher"), nodes)
    found = found if isinstance(found, list) else [found]
    names = [n for pub in found if not (isinstance(pub, dict) and _types(pub) & PERSON_TYPES)
             for n in _names(pub, None)]
    names += [n for obj in _all_objects(doc) if "website" in _types(obj)
              for n in _names(obj.get("name"), None)]
    return list(dict.fromkeys(names))


def _first_str(value: Any) -> str | None:
    if isinstance(value, list):
        for v in value:
            s = _first_str(v)
            if s:
                return s
        return None
    if isinstance(value, dict):
        return _first_str(value.get("url") or value.get("@id") or value.get("name")
                          or value.get("@value"))
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return clean_text(str(value)) or None
    return None


def _is_false(value: Any) -> bool:
    return value is False or str(value).strip().lower() in ("false", "0", "no")


def _parsely(doc: Document) -> dict[str, Any]:
    raw = doc.meta_first("parsely-page")
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _canonical_href(doc: Document) -> str | None:
    """The `href` of the first `<link rel="canonical">` that has one."""
    for el in doc.everywhere("link"):
        if el.get("rel") == "canonical":
            href = el.get("href")
            if href is not None:
                return str(href)
    return None


def _microdata(doc: Document, prop: str) -> list[str]:
    """Values of non-meta elements with itemprop=`prop`: datetime/content attribute or text."""
    out = []
    for el in itemprop_nodes(doc).get(prop, ()):
        val = (el.get("datetime") or el.get("content")
               or (node_text(el) if prop != "author" or len(el) == 0 else ""))
        if prop == "author" and not val:
            val = str(el.xpath("string(.//*[@itemprop='name'])")) or node_text(el)
        val = clean_text(val)
        if val:
            out.append(val)
    return out


_MARKED_TIME = re.compile(r"publi|posted|created|date-?time")
_OTHER_TIME = re.compile(r"modif|updat|comment")


def _time_elements(doc: Document) -> list[str]:
    """`<time datetime>` values, those marked as publication time (pubdate, class) first."""
    marked, plain = [], []
    for el in doc.everywhere("time"):
        value = clean_text(el.get("datetime"))
        if not value:
            continue
        parent = el.getparent()
        hint = " ".join((el.get("class", ""), el.get("itemprop", ""),
                         parent.get("class", "") if parent is not None else "")).lower()
        if "pubdate" in el.attrib or _MARKED_TIME.search(hint):
            marked.append(value)
        elif not _OTHER_TIME.search(hint):
            plain.append(value)
    return marked + plain


_PUBLISHED_NAME = re.compile(r"publish|created|issued|pubdate|posted", re.I)
_NOT_PUBLISHED_NAME = re.compile(r"modif|updat|expir|revis|print", re.I)


def _other_published_meta(doc: Document) -> list[str]:
    """Publication dates under names not in PUBLISHED_META (`shareaholic:article_published_time`)
    and RDFa `property`/`content` pairs on any element (`<span property="schema:dateCreated">`).
    """
    known = set(PUBLISHED_META)
    out = [v for name, values in doc.meta.items()
           if name not in known and _PUBLISHED_NAME.search(name)
           and not _NOT_PUBLISHED_NAME.search(name) for v in values]
    for el in property_nodes(doc):
        name = el.get("property", "").lower().rsplit(":", 1)[-1]
        if name in known or (_PUBLISHED_NAME.search(name)
                             and not _NOT_PUBLISHED_NAME.search(name)):
            out.append(clean_text(el.get("content")))
    return [v for v in out if v and any(c.isdigit() for c in v)]


def _any_jsonld_published(doc: Document, arts: list[dict[str, Any]]) -> list[str]:
    """`datePublished` of JSON-LD objects that are not articles (WebPage, BlogPosting's page)."""
    out = []
    for obj in _all_objects(doc):
        if obj in arts:
            continue
        v = _first_str(obj.get("datePublished")) or _first_str(obj.get("uploadDate"))
        if v:
            out.append(v)
    return out


def read_metadata(doc: Document) -> Metadata:
    """Collect JSON-LD, OpenGraph, meta, microdata and `<time>` values for one page.

    Computed once per Document (cached on it): several extraction layers ask for it.
    """
    cached = doc.__dict__.get("_metadata")
    if isinstance(cached, Metadata):
        return cached
    md = _read_metadata(doc)
    doc.__dict__["_metadata"] = md
    return md


def _read_metadata(doc: Document) -> Metadata:
    md = Metadata()
    arts = article_objects(doc)
    art = arts[0] if arts else {}
    parsely = _parsely(doc)
    md.is_article = bool(arts) or (doc.meta_first("og:type") or "").lower() == "article"
    md.site_name = doc.meta_first("og:site_name", "application-name", "twitter:site")
    md.headline = choose_headline(doc, art, _first_str)
    md.description = (_first_str(art.get("description"))
                      or doc.meta_first("og:description", "description", "twitter:description"))

    nodes = _nodes_by_id(doc)
    author = _resolve(art.get("author") or art.get("creator"), nodes)
    md.authors = _names(author, True)
    md.author_orgs = _names(author, False)
    md.publishers = _publishers(doc, art, nodes)
    if not md.authors:
        for other in arts[1:]:
            md.authors = _names(_resolve(other.get("author"), nodes), True)
            if md.authors:
                break
    meta_names = [clean_text(a) for name in AUTHOR_META for a in doc.meta.get(name, [])]
    md.meta_authors = [a for a in meta_names if a and not a.startswith(("http", "@"))]
    if isinstance(parsely.get("author"), str):
        md.meta_authors.append(clean_text(parsely["author"]))
    label = (doc.meta_first("twitter:label1") or "").lower()
    if label in ("written by", "autor", "verfasst von", "author", "geschrieben von"):
        md.meta_authors.append(clean_text(doc.meta_first("twitter:data1")))

    pub: list[tuple[str, str]] = []
    mod: list[tuple[str, str]] = []
    for obj in [art] + [o for o in arts[1:]]:
        for key, target in (("datePublished", pub), ("dateCreated", pub),
                            ("dateModified", mod)):
            v = _first_str(obj.get(key))
            if v:
                target.append((v, "jsonld"))
    pub += [(v, "meta") for name in PUBLISHED_META for v in doc.meta.get(name, [])]
    if isinstance(parsely.get("pub_date"), str):
        pub.append((parsely["pub_date"], "meta"))
    pub += [(v, "meta") for v in _microdata(doc, "datePublished")]
    pub += [(v, "meta") for v in _other_published_meta(doc)]
    pub += [(v, "time") for v in _time_elements(doc)]
    pub += [(v, "jsonld") for v in _any_jsonld_published(doc, arts)]
    mod += [(v, "meta") for name in MODIFIED_META for v in doc.meta.get(name, [])]
    mod += [(v, "meta") for v in _microdata(doc, "dateModified")]
    md.published_candidates, md.modified_candidates = pub, mod
    if pub:
        md.published_raw, md.published_source = pub[0]
    if mod:
        md.modified_raw = mod[0][0]

    md.section = (_first_str(art.get("articleSection"))
                  or doc.meta_first("article:section", "parsely-section", "section"))
    kw = art.get("keywords")
    if isinstance(kw, str):
        md.tags = [clean_text(k) for k in kw.split(",") if clean_text(k)]
    elif isinstance(kw, list):
        md.tags = [clean_text(str(k)) for k in kw if clean_text(str(k))]
    if not md.tags:
        md.tags = [clean_text(t) for t in doc.meta.get("article:tag", []) if clean_text(t)]
    if not md.tags:
        for name in ("news_keywords", "parsely-tags", "sailthru.tags"):
            raw = doc.meta_first(name)
            if raw:
                md.tags = [clean_text(t) for t in raw.split(",") if clean_text(t)]
                break
    md.image = _first_str(art.get("image")) or doc.meta_first("og:image", "twitter:image")
    md.canonical_url = _canonical_href(doc) or doc.meta_first("og:url")
    md.language = doc.lang or (_first_str(art.get("inLanguage")) or "")[:2].lower() or None
    md.accessible_for_free = _accessible(doc, art)
    body = art.get("articleBody")  # kept with its line breaks, which part its paragraphs
    md.article_body = (body.strip() or None) if isinstance(body, str) else _first_str(body)
    return md


def _accessible(doc: Document, art: dict[str, Any]) -> bool | None:
    """False when the article (or one of its parts) is declared not free, or the tier is locked."""
    free = art.get("isAccessibleForFree")
    parts = art.get("hasPart")
    parts = parts if isinstance(parts, list) else [parts] if isinstance(parts, dict) else []
    if any(isinstance(p, dict) and _is_false(p.get("isAccessibleForFree")) for p in parts):
        return False
    if free is not None:
        return not _is_false(free)
    tier = (doc.meta_first("article:content_tier") or "").lower()
    if tier in ("locked", "metered"):
        return False
    if tier == "free":
        return True
    return None
