"""Headline choice: the visible heading of the article that the page's own metadata agrees with.

Candidates are JSON-LD `headline`, OpenGraph / Twitter / Dublin Core / parsely titles, microdata,
the `<title>` (site parts removed) and the visible `<h1>`/`<h2>` headings outside navigation,
breadcrumbs, logos and teaser lists. Each visible heading scores by its place on the page plus
the weight of the metadata that agrees with it (equal, or one containing the other once case,
quotes and punctuation are ignored); a metadata title scores by the metadata agreeing with it.
The visible text wins a tie with metadata, since it is what the reader sees. An h1 that only names
the site (the site's name, `<title>` parts naming it, one link to the home page) is the masthead
and does not rank the page's other h1s down. A heading's text skips ruby annotations, and a
kicker in its own element joins the title as "Kicker: Title" (no layout space before the colon).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from newscrawl.extract.attrscan import elements_with
from newscrawl.extract.document import Document
from newscrawl.extract.text import HIDDEN_TAGS, clean_text, node_text, norm_key

#: Elements whose text is not a heading's: hidden ones and ruby annotations (furigana).
_SKIPPED_TAGS = frozenset((*HIDDEN_TAGS, "rt", "rp"))
_SUFFIX_SEP = re.compile(r"\s+(?:[|–—·•»«:]|-{1,2}|::|/{2})\s+|\s+[|•»]|[|•»]\s+")

#: Class/id tokens of a heading or its ancestors that mark it as not the article's headline
#: (Elementor calls every block, the article's title too, an "elementor-widget").
_BAD_CONTEXT = re.compile(
    r"breadcrumb|logo|brand|masthead|site-?title|site-?header|site-?name|sidebar|(?<!elementor-)widget|"
    r"(?<![a-z])nav|menu|footer|teaser|related|recommend|comment|modal|popup|cookie|newsletter|"
    r"promo|scroller|carousel|ticker", re.I)
#: Class/id tokens that mark a heading as the article's title.
_GOOD_CONTEXT = re.compile(r"headline|title|entry-header|article-header|post-header|"
                           r"article__header|story-header|heading", re.I)
_BAD_LOWER = re.compile(_BAD_CONTEXT.pattern)
_GOOD_LOWER = re.compile(_GOOD_CONTEXT.pattern)
#: Weights of the metadata sources when they agree with a candidate.
_META_WEIGHT = {"jsonld": 1.5, "og": 1.0, "twitter": 0.5, "dc": 0.5, "micro": 1.0,
                "title": 1.0}


@dataclass
class _Cand:
    text: str
    source: str
    quality: float
    keys: list[str] = field(default_factory=list)


def _attributed(doc: Document, names: tuple[str, ...]) -> list[Any]:
    """Elements carrying any of the attributes `names`, in document order (every tree)."""
    if len(doc.trees) == 1:
        elements = doc.elements
        return [elements[i] for i in elements_with(elements, names)]
    return [el for tree in doc.trees for el in tree.iter(etree.Element)
            if any(el.get(name) is not None for name in names)]


def _attribute_nodes(doc: Document) -> tuple[dict[str, list[Any]], list[Any]]:
    """Non-meta elements by exact `itemprop`, and those with `property` and `content` (RDFa),
    in page order, from one cached pass over the tree."""
    cached = doc.__dict__.get("_attribute_nodes")
    if cached is not None:
        return cached
    by_prop: dict[str, list[Any]] = {}
    rdfa: list[Any] = []
    for el in _attributed(doc, ("itemprop", "property")):
        prop = el.get("itemprop")
        rdfa_prop = el.get("property")
        if el.tag == "meta":
            continue
        if prop is not None:
            by_prop.setdefault(prop, []).append(el)
        if rdfa_prop is not None and el.get("content") is not None:
            rdfa.append(el)
    doc.__dict__["_attribute_nodes"] = by_prop, rdfa
    return by_prop, rdfa


def itemprop_nodes(doc: Document) -> dict[str, list[Any]]:
    """Non-meta elements by their exact `itemprop` value, in page order."""
    return _attribute_nodes(doc)[0]


def property_nodes(doc: Document) -> list[Any]:
    """Non-meta elements with both `property` and `content` attributes, in page order."""
    return _attribute_nodes(doc)[1]


def strip_site_suffix(title: str, site: str | None = None) -> str:
    """Drop a trailing (or leading) " - Site" / " | Site" part when it names the site."""
    parts = _SUFFIX_SEP.split(title)
    if len(parts) < 2:
        return title
    site_key = norm_key(site) if site else ""
    last, first = norm_key(parts[-1]), norm_key(parts[0])
    if site_key and (last == site_key or last in site_key or site_key in last):
        return clean_text(title[: title.rfind(_SUFFIX_SEP.findall(title)[-1])])
    if site_key and (first == site_key or site_key in first) and len(parts) == 2:
        return clean_text(parts[1])
    return title


def _headline_of(text: str | None) -> str:
    if not text or len(text) >= 400:
        return ""
    return clean_text(text).rstrip("¶#§ ").strip()


def _title_segments(title: str) -> list[str]:
    return [p for p in _SUFFIX_SEP.split(title) if p.strip()]


def _strip_all_site_parts(title: str, site_keys: set[str]) -> str:
    """A `<title>` without its leading/trailing parts that name the site."""
    parts = _SUFFIX_SEP.split(title)
    while len(parts) > 1 and (norm_key(parts[-1]) in site_keys or len(parts[-1].strip()) < 3):
        parts.pop()
    while len(parts) > 1 and norm_key(parts[0]) in site_keys:
        parts.pop(0)
    if len(parts) == len(_SUFFIX_SEP.split(title)):
        return title
    # Re-cut the original text so separators inside the kept part survive.
    first, last = parts[0].strip(), parts[-1].strip()
    start = title.find(first)
    end = title.rfind(last) + len(last)
    return clean_text(title[start:end]) if 0 <= start < end else title


def agrees(a: str, b: str) -> bool:
    """Same headline by comparison key: equal, or the shorter a substantial part of the other."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return len(short) >= max(8, 0.3 * len(long_)) and short in long_


_NAV_TAGS = frozenset(("nav", "footer", "aside", "form", "button", "label"))


def _context(el: Any) -> tuple[bool, bool, bool]:
    """(bad, good, in_article) for a heading element from its own and its ancestors' markup.

    Navigation-like tags count at any depth; class/id tokens only on the nearest ancestors
    (utility classes high up, "lg-nav:px-12", say nothing about the heading). The walk stops at
    the first bad sign: a bad heading is dropped whatever else its markup says.
    """
    good = in_article = False
    depth = 0
    node = el
    while node is not None and isinstance(node.tag, str) and node.tag not in ("body", "html"):
        tag = node.tag
        if tag in _NAV_TAGS:
            return True, good, in_article
        if depth > 3 and in_article:
            node = node.getparent()
            continue  # only a navigation tag can still change the answer
        attrs = f"{node.get('class', '')} {node.get('id', '')} {node.get('role', '')}"
        low = attrs.lower()
        if tag in ("article", "main") or "article" in low:
            in_article = True
        if depth <= 3:
            # On ASCII text, the lower-case patterns on lower-cased text equal the `re.I` ones.
            ascii_ = low.isascii()
            if tag in ("li", "a") or (_BAD_LOWER.search(low) if ascii_
                                      else _BAD_CONTEXT.search(attrs)):
                return True, good, in_article
            if tag == "hgroup" or (_GOOD_LOWER.search(low) if ascii_
                                   else _GOOD_CONTEXT.search(attrs)):
                good = True
        node = node.getparent()
        depth += 1
    return False, good, in_article


def _visible_headings(doc: Document, site_keys: set[str], host: str) -> list[_Cand]:
    out: list[_Cand] = []
    h1s, h2s = doc.tagged("h1"), doc.tagged("h2")
    # Sidebars and teaser lists can put dozens of h2s before the article's.
    h1s, h2s = h1s[:8], h2s[:60]
    for tag, els in (("h1", h1s), ("h2", h2s)):
        rank = usable = 0
        for el in els:
            if usable == 15:
                break
            if tag == "h2" and _in_link_or_item(el):
                continue  # a teaser's heading (`_context` would say so): skip it unread
            context = None
            if tag == "h2":
                # an h2's rank counts for nothing: one in bad company is skipped unread too
                context = _context(el)
                if context[0]:
                    continue
            text = _headline_of(node_text(el))
            if len(el) and (" :" in text or " ;" in text or " ," in text
                            or _GLUE.search(text)
                            or (not text.isascii() and el.find(".//rt") is not None)):
                joined = _headline_of(_joined_text(el))
                if _GLUE.search(text) is None or joined.replace(" ", "") == text.replace(" ", ""):
                    text = joined
            key = norm_key(text)
            if not key or key in site_keys or tag == "h1" and _masthead(el, text, site_keys, host):
                continue  # an empty or site-name h1 is the masthead: it does not outrank the rest
            rank += 1
            if text.endswith(":") or len(key) < 4:
                continue
            bad, good, in_article = context or _context(el)
            if bad:
                continue
            usable += 1
            if tag == "h1":
                quality = 1.5 + 0.5 * (good or in_article) - 0.3 * min(rank - 1, 2)
            else:
                quality = 0.8 if good else 0.3
            out.append(_Cand(text, tag, quality, [key]))
    return out


_MASTHEAD = re.compile(r"header|masthead|logo|brand|kopf|top|site-?title|blog-?title", re.I)


def _in_masthead(el: Any) -> bool:
    """Whether a heading sits in the page header (a blog's name in `div#header h1`)."""
    for node in (el, *islice(el.iterancestors(), 4)):
        attrs = f"{node.get('class', '')} {node.get('id', '')}"
        if node.tag == "header" or _MASTHEAD.search(attrs):
            return True
    return False


def _in_link_or_item(el: Any) -> bool:
    """Whether one of the heading's three nearest ancestors is a link or a list item."""
    return any(node.tag in ("a", "li") for node in islice(el.iterancestors(), 3))


def _masthead(el: Any, text: str, site_keys: set[str], host: str) -> bool:
    """Whether a heading names the site only: by site-name parts ("Salsa-Figuren - Rueda in
    Berlin" on a page titled "Enchufla Figuren - Salsa-Figuren - Rueda in Berlin"), or by its
    whole text being one link to the home page (a logo)."""
    if _SUFFIX_SEP.search(text) and all(norm_key(p) in site_keys for p in _title_segments(text)):
        return True
    for a in el.iter("a") if len(el) else ():
        href = (a.get("href") or "").strip()
        if not href or href[0] == "#":
            continue
        parts = urlsplit(href)
        if parts.path.rstrip("/") or parts.query \
                or (parts.netloc and parts.netloc.lower().removeprefix("www.") != host):
            continue
        return norm_key(node_text(a)) == norm_key(text)
    return False


#: Two words run together (punctuation or a lower-case letter, then a capital): maybe two
#: elements' texts read without the space the page shows between them.
_GLUE = re.compile(r"[!?.,;:…\"'”»)\]\da-zß-öø-ÿ](?=[A-ZÀ-ÖØ-Þ])")
#: Characters ending a piece that an element boundary separates from a capitalised word.
_GLUED_END = frozenset("!?.,;:…\"'”»)]")


def _glued(end: str, start: str) -> bool:
    """Whether text ending in `end` and text opening with `start` read as two words."""
    return start.isupper() and (end in _GLUED_END or end.islower() or end.isdigit())



def _joined_text(el: Any) -> str:
    """The heading's text without ruby annotations, and without layout whitespace (spaces, tabs,
    newlines) at an element boundary before a part opening with ':' ';' ',': kicker, colon and
    title in separate elements read "Kicker: Title", not "Kicker : Title" nor "Kicker:Title";
    a capitalised word opening an element after punctuation or a lower-case letter gets a space
    ("Wow, wow, wow!" + "Manuela …"), as the two blocks show on the page. Spaces inside one
    text ("Gaza : le bilan") and no-break spaces are kept."""
    parts: list[str] = []

    def add(piece: str | None) -> None:
        if not piece:
            return
        if piece[0] in ":;,":
            parts[:] = ["".join(parts).rstrip(" \t\r\n")]
        elif parts and parts[-1] in (":", ";") and piece[0].isalnum():
            piece = " " + piece
        elif parts and parts[-1] and _glued(parts[-1][-1], piece[0]):
            piece = " " + piece  # "<span>Wow!</span>Manuela": two blocks, not one word
        parts.append(piece)

    def walk(node: Any) -> None:
        add(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _SKIPPED_TAGS:
                walk(child)
            add(child.tail)

    walk(el)
    return clean_text("".join(parts))


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _ascii_name(name: str) -> str:
    """A site name as a host spells it: no spaces or punctuation, umlauts as "ae", "oe", "ue"
    and other accents dropped ("Nalas Löwenseiten" → "nalasloewenseiten")."""
    key = norm_key(name).replace(" ", "")
    if key.isascii():
        return key
    key = unicodedata.normalize("NFKD", key.translate(_UMLAUTS))
    return "".join(ch for ch in key if not unicodedata.combining(ch))


def _site_keys(segments: list[str], site: str | None, host: str,
               heading_keys: frozenset[str] = frozenset()) -> set[str]:
    """Keys of the site's name: og:site_name, the host, and the `<title>` parts naming the site.

    A `<title>` part that a visible `<h1>` repeats is the article's ("Mozilla - Wikipedia" above
    `<h1>Mozilla</h1>`): then the other parts name the site, whatever their length."""
    names = {_ascii_name(site)} if site else set()
    names.update({_ascii_name(host.split(".")[0]), _ascii_name(host)})
    names.discard("")

    def site_like(seg: str) -> bool:
        k = _ascii_name(seg)
        return bool(k) and (k in names or any(len(n) >= 4 and n in k for n in names)
                            or (len(k) >= 4 and any(k in n for n in names)))

    keys = {norm_key(site)} if site else set()
    keys.update({norm_key(host.split(".")[0]), norm_key(host)})
    if len(segments) > 1:
        first, last = segments[0], segments[-1]
        if site_like(first) and not site_like(last):
            keys.add(norm_key(first))
        elif site_like(last) or not (len(first) < 30 and len(last) > len(first)) \
                or any(site_like(x) for x in segments[1:-1]):
            keys.update(norm_key(x) for x in segments[1:] if len(x) < 40 and not x[:1].isdigit())
        else:
            keys.add(norm_key(first))
        head, tail = (norm_key(x) for x in segments[:2])
        if len(segments) == 2 and head in heading_keys and head in keys \
                and tail not in keys and not site_like(first):
            # Taken for the site only for being the shorter part, but the <h1> shows it.
            keys.discard(head)
            keys.add(tail)
    keys.discard("")
    return keys


def choose_headline(doc: Document, art: dict[str, Any], first_str: Any = None) -> str | None:
    """The headline: a visible heading backed by the page's metadata, else the best-backed
    metadata title; site names (og:site_name, the host, a `<title>` suffix) are never chosen.
    """
    site = doc.meta_first("og:site_name", "application-name")
    host = urlsplit(doc.url).netloc.lower().removeprefix("www.")
    title_el = next(iter(doc.everywhere("title")), None)
    raw_title = _headline_of(str(title_el.xpath("string()")) if title_el is not None else "")
    if site and norm_key(site) == norm_key(raw_title):
        site = None  # a "site name" that is the whole title names the page, not the site
    segments = _title_segments(raw_title) if raw_title else []
    h1_keys = frozenset(norm_key(node_text(el)) for el in doc.tagged("h1")[:8]
                        if not _in_masthead(el)) if len(segments) == 2 else frozenset()
    site_keys = _site_keys(segments, site, host, h1_keys)

    metas: list[_Cand] = []
    jl = art.get("headline")
    jl = _headline_of(first_str(jl) if first_str else jl if isinstance(jl, str) else None)
    if jl:
        metas.append(_Cand(jl, "jsonld", 3.0))
    for name, source, prior in (("og:title", "og", 2.5), ("twitter:title", "twitter", 1.5),
                                ("dc.title", "dc", 1.5), ("parsely-title", "dc", 1.5),
                                ("sailthru.title", "dc", 1.0)):
        v = _headline_of(doc.meta_first(name))
        if v:
            metas.append(_Cand(v, source, prior))
    micro_els = itemprop_nodes(doc).get("headline")
    micro = _headline_of(str(micro_els[0].xpath("string()")) if micro_els else "")
    if micro:
        metas.append(_Cand(micro, "micro", 2.0))
    if raw_title:
        metas.append(_Cand(_strip_all_site_parts(raw_title, site_keys), "title", 1.0,
                           [norm_key(raw_title)]))
    for c in metas:
        c.text = c.text if c.source in ("title",) else strip_site_suffix(c.text, site or host)
        c.keys.insert(0, norm_key(c.text))
    metas = [c for c in metas if c.keys[0] and c.keys[0] not in site_keys]
    headings = _visible_headings(doc, site_keys, host)

    def support(cand: _Cand, exclude: _Cand | None = None) -> float:
        got: dict[str, float] = {}
        for m in metas:
            if m is exclude or m.source in got:
                continue
            own = cand.keys[:1] if exclude is not None else cand.keys
            if any(agrees(k, mk) for k in own for mk in m.keys):
                got[m.source] = _META_WEIGHT.get(m.source, 0.5)
        return sum(got.values())

    best: _Cand | None = None
    best_score = float("-inf")
    for h in headings:
        s = support(h)
        score = h.quality + s if s else h.quality if h.source == "h1" else float("-inf")
        if score > best_score:
            best, best_score = h, score
    for m in metas:
        # A metadata title stands for itself (its own weight) plus the metadata agreeing with it.
        score = _META_WEIGHT.get(m.source, 0.5) + support(m, exclude=m) - 0.01
        if len(m.keys[0]) < 6:
            score -= 2
        if score > best_score or (score == best_score and best is not None
                                  and best.source not in ("h1", "h2")
                                  and m.quality > best.quality):
            best, best_score = m, score
    if best is None:
        return None
    if best.source in ("h1", "h2"):
        return _visible_or_meta(best, metas)
    return best.text


_TYPO = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"',
                       "«": '"', "»": '"', "–": "-", "—": "-", "‐": "-", "\u2011": "-",
                       "\u00a0": " "})


def _typographic(text: str) -> str:
    return " ".join(text.translate(_TYPO).replace("…", "...").split()).casefold()


def _visible_or_meta(heading: _Cand, metas: list[_Cand]) -> str:
    """The heading's own text, unless a metadata title says the same words with punctuation the
    heading lost (a kicker rendered in its own element: "Kicker Headline" vs "Kicker: Headline").
    """
    typo = _typographic(heading.text)
    for m in metas:
        if m.keys[0] == heading.keys[0] and _typographic(m.text) != typo \
                and len(m.text) > len(heading.text):
            return m.text
    return heading.text
