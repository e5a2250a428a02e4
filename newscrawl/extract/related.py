"""Recommendation blocks ("Wybrane dla Ciebie", "Czytaj także", "Related", ...) → [RelatedLink].

A block is found by its heading text or by class/id tokens, and must hold at least two
article-like links (titles of several words); navigation, tag clouds and footers do not qualify.
Portals often render each recommendation twice (image `alt` or caption plus the link text): the
links are grouped by canonical URL and by normalised title, and the best rendering is kept.
When the page has no such block, embedded JSON state (`__NEXT_DATA__`, `window.__STATE__`, ...)
is searched for arrays of related items. The block elements are returned too, so the body
extractor can leave them out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from newscrawl.extract.document import Document
from newscrawl.extract.text import clean_text, node_text, norm_key
from newscrawl.items import RelatedLink

#: Block headings (compared after `norm_key`); "Najnowsze" (latest) is deliberately absent:
#: a latest-news list is not about the article.
HEADINGS: frozenset[str] = frozenset(norm_key(h) for h in (
    "Wybrane dla Ciebie", "Czytaj także", "Czytaj też", "Czytaj również", "Czytaj więcej",
    "Zobacz też", "Zobacz także", "Zobacz również", "Polecane", "Polecamy", "Polecane artykuły",
    "Przeczytaj również", "Przeczytaj także", "Przeczytaj też", "Powiązane",
    "Powiązane artykuły", "Powiązane tematy", "Podobne artykuły", "Może cię zainteresować",
    "Mogą cię zainteresować", "Warto przeczytać", "Dowiedz się więcej",
    "Related", "Related articles", "Related stories", "Related content", "Related news",
    "Read more", "Read also", "Read next", "More stories", "More on this story",
    "You may also like", "You might also like", "Recommended", "Recommended for you",
    "Mehr zum Thema", "Das könnte Sie auch interessieren", "Das könnte Sie interessieren",
    "Lesen Sie auch", "Auch interessant", "Weitere Artikel", "Empfehlungen",
))
_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:related|recommend(?:ed|ations?)?|polecane|polecamy|read-?also|readalso|"
    r"more-?stories|see-?also|zobacz-?(?:tez|takze|rowniez)|czytaj-?(?:tez|takze|rowniez)|"
    r"rekomendacj\w*|mehr-?zum-?thema)(?=$|[\s_-])", re.I)
_SKIP_ANCESTORS = {"nav", "a", "script", "style", "template", "noscript"}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|ref_src|srcref|"
                       r"at_\w+|ocid|cmpid|src|source|from)$", re.I)
_ELLIPSIS = ("…", "...")
#: Links under such a class/id inside a block are advertising, not recommendations.
_SPONSORED = re.compile(r"commercial|sponsor|advert|promo|adslot|ad-slot|partner|native-ad|"
                        r"(?:^|\s)ads?(?:\s|$)", re.I)
_JSON_KEYS = re.compile(r"related|recommend|polecane|readalso|read_also|morestories|"
                        r"more_stories|suggest", re.I)
_TITLE_KEYS = ("title", "headline", "name", "text")
_URL_KEYS = ("url", "href", "link", "canonical", "canonicalUrl", "permalink", "path")
_STATE_RE = re.compile(r"window\.__[A-Z0-9_]*(?:STATE|DATA|PROPS)[A-Z0-9_]*__\s*=\s*", re.I)


@dataclass
class RelatedResult:
    """The links found, and the block elements they came from (kept out of the body)."""

    links: list[RelatedLink] = field(default_factory=list)
    nodes: list[Any] = field(default_factory=list)


def canonical_link(url: str) -> str:
    """A URL without its fragment and tracking parameters (utm_*, fbclid, ...), for dedup."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(k)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       urlencode(query), ""))


def find_related(doc: Document, *, block_css: str | None = None) -> RelatedResult:
    """Find recommendation blocks; a portal's `block_css` wins over the generic detection."""
    base = _base_url(doc)
    blocks: list[list[Any]] = []
    if block_css:
        blocks = [[s.root] for s in doc.selector.css(block_css) if not isinstance(s.root, str)]
    if not blocks:
        blocks = _generic_blocks(doc.root, base)
    nodes = [n for block in blocks for n in block]
    links = _collect(nodes, base, doc.url)
    if len(links) < 2:
        # No rendered block (at most a one-link insert): the page's embedded state may hold it.
        known = {canonical_link(link.url) for link in links}
        links += [link for link in related_from_json(doc, base)
                  if canonical_link(link.url) not in known
                  and not any(_same_title(link.title, k.title) for k in links)]
    return RelatedResult(links=links, nodes=nodes)


# -- HTML blocks -----------------------------------------------------------------------------
def _base_url(doc: Document) -> str:
    href = doc.selector.xpath("//base/@href").get()
    return urljoin(doc.url, href.strip()) if href else doc.url


def _is_skipped(el: Any) -> bool:
    return any(a.tag in _SKIP_ANCESTORS for a in el.iterancestors() if isinstance(a.tag, str))


def _own_text(el: Any) -> str:
    parts = [el.text or ""] + [c.tail or "" for c in el]
    return clean_text(" ".join(parts))


def _heading_key(text: str) -> str:
    return norm_key(text.rstrip(":»›>→ "))


def _generic_blocks(root: Any, base: str) -> list[list[Any]]:
    taken: list[Any] = []
    blocks: list[list[Any]] = []

    def inside_taken(el: Any) -> bool:
        return any(el is t or t in el.iterancestors() or el in t.iterancestors() for t in taken)

    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP_ANCESTORS or _is_skipped(el):
            continue
        if inside_taken(el):
            continue
        block = None
        tokens = f"{el.get('class') or ''} {el.get('id') or ''}"
        if _CLASS_RE.search(tokens) and el.tag not in ("body", "html", "main", "article"):
            links = _article_links(el, base)
            if len(links) >= 2 and not _holds_body(el, len(links)):
                block = [el]
        if block is None:
            own = _own_text(el)
            if own and len(own) <= 60 and _heading_key(own) in HEADINGS:
                block = _block_from_heading(el, base)
            elif own and el.tag in ("p", "div", "aside", "li") and _inline_insert(el, own, base):
                block = [el]
        if block:
            blocks.append(block)
            taken.extend(block)
    return blocks


def _inline_insert(el: Any, own: str, base: str) -> bool:
    """A short in-body paragraph like "Czytaj także: <a>Title</a>"."""
    head = own.split(":", 1)[0] if ":" in own else ""
    if not head or _heading_key(head) not in HEADINGS:
        return False
    links = _article_links(el, base)
    return len(links) >= 1 and len(node_text(el)) <= 300


def _holds_body(el: Any, n_links: int = 0) -> bool:
    """True when `el` also holds running text: long paragraphs outside links (more of them
    than it has article links), or far more text outside links than inside them."""
    prose, count = 0, 0
    for p in el.iter("p"):
        if any(a.tag == "a" for a in p.iterancestors()) or p.find(".//a") is not None:
            continue
        text = node_text(p)
        if len(text) > 150:
            prose += len(text)
            count += 1
    if prose > 600 and count > n_links:
        return True
    inside = sum(len(node_text(a)) for a in el.iter("a"))
    outside = len(node_text(el)) - inside
    return outside > 800 and outside > 4 * max(inside, 1)


def _block_from_heading(heading: Any, base: str) -> list[Any] | None:
    """The smallest ancestor of a heading holding two article links and no running text; a
    one-link insert ("Czytaj więcej: ...") when the heading sits inside the article text."""
    own_links = {id(a) for a in heading.iter("a")}
    el, single = heading, None
    for _ in range(6):
        parent = el.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return [single] if single is not None else None
        links = [a for a in _article_links(parent, base) if id(a) not in own_links]
        if _holds_body(parent, len(links)):
            if single is not None:
                return [single]
            return _sibling_range(el, base)
        if len(links) >= 2 and not _same_target(links, base):
            return [parent]
        if links and single is None and len(node_text(parent)) <= 400:
            single = parent
        el = parent
    return [single] if single is not None else None


def _same_target(links: list[Any], base: str) -> bool:
    return len({canonical_link(urljoin(base, a.get("href").strip())) for a in links}) == 1


def _sibling_range(start: Any, base: str) -> list[Any] | None:
    """The heading's branch and its following siblings up to the next heading or prose."""
    nodes = [start]
    for sib in start.itersiblings():
        if not isinstance(sib.tag, str):
            continue
        if sib.tag in _HEADING_TAGS or _holds_body(sib, len(_article_links(sib, base))):
            break
        if sib.tag == "p" and sib.find(".//a") is None and len(node_text(sib)) > 150:
            break
        nodes.append(sib)
    count = sum(len(_article_links(n, base)) for n in nodes)
    return nodes if count >= 2 else None


def _article_links(el: Any, base: str) -> list[Any]:
    """`<a>` elements under `el` that look like links to articles (several-word titles)."""
    out = []
    for a in el.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        path = urlsplit(urljoin(base, href)).path
        if len(path.strip("/")) < 2:
            continue
        title = _best_title(_renderings(a))
        if title and len(title.split()) >= 3:
            out.append(a)
    return out


def _renderings(a: Any) -> list[tuple[str, bool]]:
    """Every rendering of a link's title: (text, preferred) for text pieces, then title/alt
    attributes (never preferred; an image `alt` may describe the photo, not the story)."""
    found: list[tuple[str, bool]] = []
    for el in a.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript", "template"):
            continue
        text = _own_text(el)
        if text:
            cls = (el.get("class") or "").lower()
            preferred = el.tag in _HEADING_TAGS or "title" in cls or "headline" in cls
            found.append((text, preferred))
    whole = node_text(a)
    if whole and all(whole != t for t, _ in found):
        found.append((whole, False))
    for value in [a.get("title"), a.get("aria-label")] + [i.get("alt") for i in a.iter("img")]:
        value = clean_text(value)
        if value:
            found.append((value, False))
    return found


def _truncated(text: str) -> bool:
    return text.endswith(_ELLIPSIS)


def _stem(text: str) -> str:
    return norm_key(text.rstrip("….").rstrip())


def _same_title(a: str, b: str) -> bool:
    ka, kb = _stem(a), _stem(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    return (_truncated(a) and kb.startswith(ka)) or (_truncated(b) and ka.startswith(kb))


def _best_title(renderings: list[tuple[str, bool]]) -> str:
    """The title a link stands for: a preferred (heading/title-classed) piece, else the longest
    text piece; other renderings replace it only when they are the same title, untruncated."""
    texts = [(t, p) for t, p in renderings if len(t.split()) >= 1]
    if not texts:
        return ""
    preferred = [t for t, p in texts if p and len(t.split()) >= 2]
    primary = max(preferred or [t for t, _ in texts], key=len)
    return _pick(primary, [t for t, _ in texts])


def _pick(primary: str, others: list[str]) -> str:
    best = primary
    for other in others:
        if other is best or not _same_title(best, other):
            continue
        if _truncated(best) and not _truncated(other):
            best = other
        elif _truncated(best) == _truncated(other) and len(other) > len(best):
            best = other
    return best


def _link_title(a: Any) -> tuple[str, bool]:
    """(title, from_text): the link's title and whether it came from visible text."""
    renderings = _renderings(a)
    visible = [(t, p) for t, p in renderings if t in _visible_texts(a)]
    if visible:
        return _pick(_best_title(visible), [t for t, _ in renderings]), True
    return _best_title(renderings), False


def _visible_texts(a: Any) -> set[str]:
    texts = {node_text(a)}
    for el in a.iter():
        if isinstance(el.tag, str):
            texts.add(_own_text(el))
    texts.discard("")
    return texts


def _collect(nodes: list[Any], base: str, page_url: str) -> list[RelatedLink]:
    """Links of every block, grouped by canonical URL then by title, in page order."""
    page = canonical_link(page_url)
    by_url: dict[str, list[tuple[str, bool]]] = {}
    first_url: dict[str, str] = {}
    for node in nodes:
        for a in _article_links(node, base):
            if _sponsored(a, node):
                continue
            url = urljoin(base, a.get("href").strip())
            key = canonical_link(url)
            if key == page:
                continue
            by_url.setdefault(key, []).append(_link_title(a))
            first_url.setdefault(key, _clean_url(url))
    items: list[RelatedLink] = []
    for key, found in by_url.items():
        texts = [t for t, visible in found if visible] or [t for t, _ in found]
        title = _pick(max(texts, key=len), [t for t, _ in found])
        for item in items:
            if _same_title(item.title, title):
                item.title = _pick(item.title, [title])
                break
        else:
            items.append(RelatedLink(title=title, url=first_url[key]))
    return items


def _sponsored(a: Any, block: Any) -> bool:
    """True when the link sits in an advertising wrapper inside the block."""
    for el in [a, *a.iterancestors()]:
        if el is block:
            return False
        if _SPONSORED.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            return True
    return False


def _clean_url(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


# -- embedded JSON state ---------------------------------------------------------------------
def related_from_json(doc: Document, base: str | None = None) -> list[RelatedLink]:
    """Related items from embedded JSON state: arrays of {title, url} under related-ish keys."""
    base = base or doc.url
    items: list[RelatedLink] = []
    seen: set[str] = set()
    for data in _json_states(doc):
        for entry in _walk_related(data, depth=0):
            title = clean_text(_first_key(entry, _TITLE_KEYS))
            href = _first_key(entry, _URL_KEYS)
            if not title or not href or len(title.split()) < 2:
                continue
            url = _clean_url(urljoin(base, href.strip()))
            key = canonical_link(url)
            if key in seen or any(_same_title(i.title, title) for i in items):
                continue
            seen.add(key)
            items.append(RelatedLink(title=title, url=url))
    return items


def _json_states(doc: Document) -> list[Any]:
    states = []
    for script in doc.selector.xpath("//script"):
        kind = (script.attrib.get("type") or "").lower()
        raw = script.xpath("string()").get() or ""
        if "ld+json" in kind or not raw.strip():
            continue
        if "json" in kind or script.attrib.get("id") == "__NEXT_DATA__":
            try:
                states.append(json.loads(raw))
            except ValueError:
                continue
            continue
        for m in _STATE_RE.finditer(raw):
            start = raw.find("{", m.end() - 1)
            if start < 0 or raw[m.end():start].strip():
                continue
            try:
                value, _ = json.JSONDecoder().raw_decode(raw, start)
            except ValueError:
                continue
            states.append(value)
    return states


def _first_key(entry: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, dict):
            value = value.get("url") or value.get("href") or value.get("text")
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _walk_related(data: Any, depth: int) -> list[dict[str, Any]]:
    """Dicts with a title and a URL inside lists stored under related-ish keys."""
    if depth > 12:
        return []
    out: list[dict[str, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if _JSON_KEYS.search(str(key)):
                out.extend(_items_of(value))
            out.extend(_walk_related(value, depth + 1))
    elif isinstance(data, list):
        for value in data:
            out.extend(_walk_related(value, depth + 1))
    return out


def _items_of(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        for inner in ("items", "articles", "entries", "list", "data", "results"):
            if isinstance(value.get(inner), list):
                value = value[inner]
                break
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict) and _first_key(v, _TITLE_KEYS)
            and _first_key(v, _URL_KEYS)]
