"""Recommendation blocks ("Wybrane dla Ciebie", "Czytaj także", "Related", ...) → [RelatedLink].

A block is found by its heading text or by class/id tokens. It must be a compact list of links:
at least two article-like links (titles of several words), little running text, and never the
element that holds the article itself; navigation, tag clouds and footers do not qualify.
Portals often render each recommendation twice (image `alt` or caption plus the link text): the
links are grouped by canonical URL and by normalised title, and the best rendering is kept.
When the page has no such block, embedded JSON state (`__NEXT_DATA__`, `window.__STATE__`, ...)
is searched for arrays of related items. The block elements are returned too, so the body
extractor can leave them out.

Detection is one pass over the page's elements to find the few whose class/id or short text
could name a block; every size test then reads the document's cached text statistics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from newscrawl.extract.attrscan import attribute_hits
from newscrawl.extract.document import Document
from newscrawl.extract.embedded_state import related_entries
from newscrawl.extract.link_titles import (
    HEADING_TAGS,
    best_title,
    link_title,
    own_text,
    pick,
    renderings,
    same_title,
)
from newscrawl.extract.text import clean_text, norm_key
from newscrawl.extract.textstats import TextStats
from newscrawl.items import RelatedLink
from newscrawl.urls import clean_url

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


#: Substrings of every `_CLASS_RE` match (a cheap case-sensitive pre-filter on lowered text).
_CLASS_NEEDLES = ("related", "recommend", "polec", "read-also", "readalso", "more-stories",
                  "morestories", "see-also", "seealso", "zobacz", "czytaj", "rekomendacj",
                  "mehr-zum", "mehrzum")
_CLASS_HINT = re.compile("|".join(map(re.escape, _CLASS_NEEDLES)))
#: The first word of every heading: short text starting with one may name a block.
_HEADING_WORDS = tuple(sorted({h.split()[0] for h in HEADINGS}))
_LEADING = " \t\n\r\xa0»›>•·-–—|*:#→▶►\"'„“«[("
_SKIP_ANCESTORS = ("nav", "a", "script", "style", "template", "noscript")
_NOT_BLOCKS = ("body", "html", "main", "article")
#: Non-link text that makes an element running text.
_RUNNING_MIN = 150
#: Links under such a class/id inside a block are advertising, not recommendations.
_SPONSORED = re.compile(r"commercial|sponsor|advert|promo|adslot|ad-slot|partner|native-ad|"
                        r"(?:^|\s)ads?(?:\s|$)", re.I)
#: Paragraph text (characters) from which the page's main-text anchor is trusted: a block
#: never contains it.
MAIN_TEXT_MIN = 300


@dataclass
class RelatedResult:
    """The links found, and the block elements they came from (kept out of the body)."""

    links: list[RelatedLink] = field(default_factory=list)
    nodes: list[Any] = field(default_factory=list)


def find_related(doc: Document, *, block_css: str | None = None) -> RelatedResult:
    """Find recommendation blocks; a portal's `block_css` wins over the generic detection."""
    scan = _Scan(doc)
    blocks: list[list[Any]] = []
    if block_css:
        blocks = [[s.root] for s in doc.selector.css(block_css) if not isinstance(s.root, str)]
    if not blocks:
        blocks = scan.blocks()
    nodes = [n for block in blocks for n in block]
    links = _collect(scan, nodes)
    if len(links) < 2:
        # No rendered block (at most a one-link insert): the page's embedded state may hold it.
        known = {clean_url(link.url) for link in links}
        links += [link for link in related_from_json(doc, scan.base)
                  if clean_url(link.url) not in known
                  and not any(same_title(link.title, k.title) for k in links)]
    return RelatedResult(links=links, nodes=nodes)


def related_from_json(doc: Document, base: str | None = None) -> list[RelatedLink]:
    """Related items from embedded JSON state: arrays of {title, url} under related-ish keys."""
    base = base or doc.url
    items: list[RelatedLink] = []
    seen: set[str] = set()
    for raw_title, href in related_entries(doc):
        title = clean_text(raw_title)
        if not title or not href or len(title.split()) < 2:
            continue
        url = clean_url(urljoin(base, href.strip()))
        if url in seen or any(same_title(i.title, title) for i in items):
            continue
        seen.add(url)
        items.append(RelatedLink(title=title, url=url))
    return items


# -- HTML blocks -----------------------------------------------------------------------------
def _base_url(doc: Document) -> str:
    for base in doc.tagged("base"):
        href = base.get("href")
        if href:
            return urljoin(doc.url, href.strip())
    return doc.url


def _inline(a: Any) -> bool:
    """True when text runs on either side of the link within its parent."""
    if (a.tail or "").strip():
        return True
    prev = a.getprevious()
    before = prev.tail if prev is not None else a.getparent().text
    return bool((before or "").strip())


def _class_hit(el: Any) -> bool:
    tokens = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return bool(_CLASS_HINT.search(tokens) and _CLASS_RE.search(tokens))


def _heading_key(text: str) -> str:
    return norm_key(text.rstrip(":»›>→ "))


class _Scan:
    """One page's block detection: candidates, size tests and a per-link title cache."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.base = _base_url(doc)
        self._titles: dict[Any, str] = {}
        self._renderings: dict[Any, list[tuple[str, bool]]] = {}
        self._joined: dict[str, str] = {}

    @property
    def stats(self) -> TextStats:
        return self.doc.stats

    def blocks(self) -> list[list[Any]]:
        """Every recommendation block, in page order; none nested in another."""
        taken: list[list[Any]] = []
        for el, by_class in self._candidates():
            if any(self._inside(el, block) for block in taken):
                continue
            block = None
            if by_class and el.tag not in _NOT_BLOCKS:
                links = self.article_links(el)
                if len(links) >= 2 and not self.holds_body(el, len(links)):
                    block = [el]
            if block is None:
                block = self._named_block(el)
            if block:
                taken = [t for t in taken if not any(self.stats.inside(t[0], n) for n in block)]
                taken.append(block)
        return taken

    def _inside(self, el: Any, block: list[Any]) -> bool:
        return any(self.stats.inside(el, n) for n in block)

    def _candidates(self) -> list[tuple[Any, bool]]:
        """(element, found by class/id) in document order, outside nav, links and scripts."""
        found: dict[Any, bool] = {}
        elements = self.doc.elements
        for i in attribute_hits(elements, ("class", "id"), _CLASS_NEEDLES):
            el = elements[i]
            if _class_hit(el):
                found[el] = True
        # short text starting with the first word of a heading may name a block
        leading, words = _LEADING, _HEADING_WORDS
        for el, text in self.stats.short_texts:
            if text.lstrip(leading)[:14].lower().startswith(words) and el not in found:
                found[el] = False
        pos = self.stats.pos
        out = [(el, by_class) for el, by_class in found.items()
               if el in pos and el.tag not in _SKIP_ANCESTORS
               and next(el.iterancestors(*_SKIP_ANCESTORS), None) is None]
        return sorted(out, key=lambda pair: pos[pair[0]])

    def _named_block(self, el: Any) -> list[Any] | None:
        """The block a heading names, or `el` itself when it is a one-link "Czytaj także:"."""
        own = own_text(el)
        if not own:
            return None
        if len(own) <= 60 and _heading_key(own) in HEADINGS:
            return self.block_from_heading(el)
        if el.tag in ("p", "div", "aside", "li") and self.inline_insert(el, own):
            return [el]
        return None

    # -- size tests, all from the cached statistics ---------------------------------------------
    def holds_body(self, el: Any, n_links: int | None = None) -> bool:
        """True when `el` holds running text rather than a list of links: the page's main
        text, more long paragraphs than links, or far more text outside links than inside."""
        s = self.stats
        if s.main is not None and s.main_prose >= MAIN_TEXT_MIN and s.inside(s.main, el):
            return True
        if s.prose[el] > 600 and s.units[el] > (
                len(self.article_links(el)) if n_links is None else n_links):
            return True
        inside = s.links[el]
        outside = s.text[el] - inside
        return outside > 800 and outside > 4 * max(inside, 1)

    def inline_insert(self, el: Any, own: str) -> bool:
        """A short in-body paragraph like "Czytaj także: <a>Title</a>"."""
        head = own.split(":", 1)[0] if ":" in own else ""
        if not head or _heading_key(head) not in HEADINGS:
            return False
        return self.stats.text[el] <= 300 and len(self.article_links(el)) >= 1

    def block_from_heading(self, heading: Any) -> list[Any] | None:
        """The smallest ancestor of a heading holding two article links and no running text; a
        one-link insert ("Czytaj więcej: ...") when the heading sits inside the article text."""
        own_links = set(heading.iter("a"))
        el, single = heading, None
        for _ in range(6):
            parent = el.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            links = [a for a in self.article_links(parent) if a not in own_links]
            if self.holds_body(parent, len(links)):
                return [single] if single is not None else self.sibling_range(el)
            if len(links) >= 2 and not self._same_target(links):
                return [parent]
            if single is None and self.stats.text[parent] <= 400 and (
                    links or self.article_links(parent)):
                single = parent
            el = parent
        return [single] if single is not None else None

    def sibling_range(self, start: Any) -> list[Any] | None:
        """The heading's branch and its following siblings up to the next heading or prose."""
        if self._running_text(start):
            return None
        nodes = [start]
        s = self.stats
        for sib in start.itersiblings():
            if sib not in s.pos:
                continue
            if sib.tag in HEADING_TAGS or self.holds_body(sib) or self._running_text(sib):
                break
            nodes.append(sib)
        count = sum(len(self.article_links(n)) for n in nodes)
        return nodes if count >= 2 else None

    def _running_text(self, el: Any) -> bool:
        """True when `el` holds article text: more text paragraphs than article links, or an
        article link inside running text (a teaser's summary sits beside its link, not around
        it)."""
        s = self.stats
        if s.text[el] - s.links[el] < _RUNNING_MIN:
            return False
        links = self.article_links(el)
        paragraphs = sum(1 for p in el.iter("p", "blockquote")
                         if p in s.pos and s.text[p] - s.links[p] >= _RUNNING_MIN // 2)
        if not links or paragraphs > len(links):
            return True
        for a in links:
            parent = a.getparent()
            if parent is not None and _inline(a) and s.text[parent] - s.links[parent] >= 75:
                return True
        return False

    def _same_target(self, links: list[Any]) -> bool:
        return len({clean_url(self.join(a.get("href").strip()))
                    for a in links}) == 1

    def article_links(self, el: Any) -> list[Any]:
        """`<a>` elements under `el` that look like links to articles (several-word titles)."""
        titles = self._titles
        out = []
        for a in el.iter("a"):
            title = titles.get(a)
            if title is None:
                title = titles[a] = self._article_title(a)
            if title:
                out.append(a)
        return out

    def _article_title(self, a: Any) -> str:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            return ""
        path = urlsplit(self.join(href)).path
        if len(path.strip("/")) < 2:
            return ""
        title = best_title(self.renderings(a))
        return title if title and len(title.split()) >= 3 else ""

    def join(self, href: str) -> str:
        """`href` resolved against the page, once per page: a link is judged and collected."""
        url = self._joined.get(href)
        if url is None:
            url = self._joined[href] = urljoin(self.base, href)
        return url

    def renderings(self, a: Any) -> list[tuple[str, bool]]:
        """`renderings(a)`, read once per link: judging and collecting a link both need it."""
        found = self._renderings.get(a)
        if found is None:
            found = self._renderings[a] = renderings(a)
        return found


def _collect(scan: _Scan, nodes: list[Any]) -> list[RelatedLink]:
    """Links of every block, grouped by canonical URL then by title, in page order."""
    page = clean_url(scan.doc.url)
    by_url: dict[str, list[tuple[str, bool]]] = {}
    for node in nodes:
        for a in scan.article_links(node):
            if _sponsored(a, node):
                continue
            url = clean_url(scan.join(a.get("href").strip()))
            if url == page:
                continue
            by_url.setdefault(url, []).append(link_title(a, scan.renderings(a)))
    items: list[RelatedLink] = []
    for url, found in by_url.items():
        texts = [t for t, visible in found if visible] or [t for t, _ in found]
        title = pick(max(texts, key=len), [t for t, _ in found])
        for item in items:
            if same_title(item.title, title):
                item.title = pick(item.title, [title])
                break
        else:
            items.append(RelatedLink(title=title, url=url))
    return items


def _sponsored(a: Any, block: Any) -> bool:
    """True when the link sits in an advertising wrapper inside the block."""
    for el in [a, *a.iterancestors()]:
        if el is block:
            return False
        if _SPONSORED.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            return True
    return False


