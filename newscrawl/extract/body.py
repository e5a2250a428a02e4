"""Generic main-text finder: the article container, its lead and its paragraphs, in order.

One bottom-up pass over the lxml tree caches, per element, its visible text length, link-text
length and comma count, and marks boilerplate (navigation, ads, share bars, captions, comment
sections, hidden elements...). Paragraph-bearing elements then vote for their ancestors
(Readability-style scores damped by link density and class/id hints); structured hints win when
present: JSON-LD `articleBody` or `itemprop="articleBody"` locate the container directly. The
container (plus sibling blocks that look like more of the same text) is walked once to emit
paragraphs; subheadings become their own entries, link lists and boilerplate lines are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from newscrawl.extract.blockscan import BlockPage as _Page
from newscrawl.extract.blockscan import Scan
from newscrawl.extract.boilerplate import (
    BLOCK_TAGS,
    HEADINGS,
    JUNK_TAGS,
    PARA_TAGS,
    POSITIVE_WORDS,
    class_id_words,
    drop_more_label,
    is_anchor,
    keep_block,
    shows_address,
    titles_embed,
)
from newscrawl.extract.document import Document
from newscrawl.extract.fallback import (
    better_retry,
    hint_outgrown,
    hint_paragraphs,
    larger_candidate,
    needs_retry,
    not_shown,
)
from newscrawl.extract.lead import find_lead
from newscrawl.extract.text import clean_text, norm_key
from newscrawl.extract.trim import (
    drop_closing_labels,
    drop_edge_counters,
    drop_repeated_tail,
    trim_closing_boxes,
    trim_closing_run,
)

_MAX_DEPTH = 400
#: a paragraph at least this long found inside the lead shows the lead wraps the text
_HELD_BY_LEAD = 80
_CLIMB_LEVELS = 8
_CLIMB_NOISE = 0.5


@dataclass
class BodyResult:
    """Standfirst found with the text (if any) and the body paragraphs in reading order."""

    lead: str | None = None
    paragraphs: list[str] = field(default_factory=list)


#: block tags whose blocks keep their tag as their kind (other blocks are "p")
_OWN_KINDS = HEADINGS | {"h1", "li"}
#: paragraph tags that vote for their ancestors (list items only when nothing else does)
_VOTERS = PARA_TAGS - {"li"}
#: tags whose own text, without paragraph markup, votes as a paragraph
_TEXT_HOLDERS = frozenset(("div", "section", "article", "span", "font", "center"))


def _class_weight(el: Any) -> float:
    words = set(class_id_words(el))
    weight = 1.0
    if words & POSITIVE_WORDS:
        weight += 0.25
    if el.tag in ("article", "main"):
        weight += 0.25
    if el.attrib.get("itemprop", "").lower() == "articlebody":
        weight += 2.0
    return weight


def _score_candidates(page: _Page, holders: frozenset[str] = _TEXT_HOLDERS
                      ) -> dict[Any, float]:
    """Readability-style votes: every paragraph-like element scores its near ancestors; with
    no paragraph anywhere, list items vote too (a text written as lists)."""
    scores: dict[Any, float] = {}
    for el, t in page.text.items():
        if t < 25 or el in page.junk:
            continue
        if el.tag not in _VOTERS:
            # a div/section holding text directly (no paragraph markup) counts as a paragraph
            if el.tag not in holders or page.direct(el) < 25:
                continue
        if page.density(el) > 0.5:
            continue
        vote = 1 + page.comma_count(el) + min(t / 100, 3.0)
        parent, level = el.getparent(), 1
        while parent is not None and level <= 3:
            if parent in page.junk:
                break
            scores[parent] = scores.get(parent, 0.0) + vote / (1 if level == 1 else level * 1.5)
            parent, level = parent.getparent(), level + 1
    if not scores and holders is _TEXT_HOLDERS:
        return _score_candidates(page, _TEXT_HOLDERS | {"li"})
    return {el: s * (1 - page.density(el)) * _class_weight(el) for el, s in scores.items()}


def _norm_words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _container_from_hint(page: _Page, root: Any, hint: str) -> Any | None:
    """The deepest element holding most of the paragraphs found in JSON-LD `articleBody`."""
    target = _norm_words(hint)
    if len(target) < 200:
        return None
    matched: dict[Any, int] = {}
    total = 0
    for el in root.iter("p", "h2", "h3", "li", "blockquote", "div"):
        if el in page.junk or page.text.get(el, 0) < 40:
            continue
        if el.tag == "div" and len((el.text or "").strip()) < 40:
            continue
        key = _norm_words(el.text_content() if el.tag != "div" else el.text or "")
        if len(key) < 30 or key not in target:
            continue
        n = len(key)
        total += n
        node = el.getparent()
        while node is not None:
            matched[node] = matched.get(node, 0) + n
            node = node.getparent()
    if total < len(target) * 0.4:
        return None
    best = None
    for el, n in matched.items():
        if n >= total * 0.85 and (best is None or page.order[el] > page.order[best]):
            best = el
    return best


def _choose_containers(page: _Page, root: Any, hint: str | None) -> list[Any]:
    marked = [el for el in page.itemprops
              if el.get("itemprop").lower() == "articlebody" and el not in page.junk]
    if any(page.text.get(el, 0) >= 200 for el in marked):
        # the text may be split into several parts marked alike (around ads or embeds)
        return _outermost([el for el in marked if page.text.get(el, 0) >= 25])
    scores = _score_candidates(page)
    top = larger_candidate(page, scores, max(scores, key=scores.__getitem__)) if scores else None
    if hint:
        found = _container_from_hint(page, root, hint)
        if found is not None and (top is None or not hint_outgrown(page, found, hint, top)):
            return [found]
    if top is None:
        return []
    best = scores[top]
    # climb while an ancestor a few levels up holds clearly more paragraph text of the same
    # quality (text split over per-paragraph wrappers needs several levels at once)
    while True:
        found = None
        for level, anc in enumerate(top.iterancestors(), 1):
            if level > _CLIMB_LEVELS or anc in page.junk or anc.tag == "html":
                break
            gain = page.paras[anc] - page.paras[top]
            other = page.text[anc] - page.links[anc] - page.paras[anc]
            added = page.text[anc] - page.text[top] - gain  # links and loose lines gained
            if gain > page.paras[top] * 0.3 and page.density(anc) < 0.3 \
                    and other < page.paras[anc] * 0.5 and added < gain * _CLIMB_NOISE:
                found = anc
                break
        if found is None:
            break
        top, best = found, max(best, scores.get(found, 0))
    parent = top.getparent()
    if parent is None:
        return [top]
    threshold = max(10.0, best * 0.2)
    out = []
    for sib in parent:
        if not isinstance(sib.tag, str) or sib in page.junk:
            continue
        if sib is top:
            out.append(sib)
        elif scores.get(sib, 0) >= threshold and page.density(sib) < 0.3:
            out.append(sib)
        elif sib.tag == "p" and page.text.get(sib, 0) > 80 and page.density(sib) < 0.25:
            out.append(sib)
        elif sib.tag in _TEXT_HOLDERS and page.direct(sib) > 80 and page.density(sib) < 0.25 \
                and not _repeats(sib, top):
            out.append(sib)  # a paragraph written into a div beside the container
    parts = _parts_alike(page, top, out)
    return sorted(out + parts, key=page.order.__getitem__) if parts else out


#: the least paragraph text, and paragraphs, of a further part of the text found by its
#: likeness to the first
_MIN_PART = 100
_MIN_PART_PARAGRAPHS = 2
#: ... unless its one paragraph is this long
_LONG_PARAGRAPH = 250


def _parts_alike(page: _Page, top: Any, chosen: list[Any]) -> list[Any]:
    """Further parts of a text split over separate wrappers (around ads, embeds or page
    sections): elements with the same tag and kind of class as the chosen container, elsewhere on
    the page, holding paragraph text with few links, in page order."""
    cls = _class_kind(top.get("class"))
    if not cls:
        return []
    found = []
    order = page.order
    held = {id(c) for c in chosen}
    for el in top.getroottree().getroot().iter(top.tag):
        if el is top or _class_kind(el.get("class")) != cls or id(el) in held or el in page.junk \
                or page.paras.get(el, 0) < _MIN_PART or page.density(el) >= 0.3:
            continue
        if any(id(a) in held for a in el.iterancestors()) or any(
                c in el.iterancestors() or el in c.iterancestors() for c in chosen):
            continue
        lengths = [page.text.get(p, 0) for p in el.iter("p")]
        if sum(1 for n in lengths if n >= 40) < _MIN_PART_PARAGRAPHS \
                and max(lengths, default=0) < _LONG_PARAGRAPH:
            continue  # a box with one line (a newsletter prompt, an address) is no part
        found.append(el)
    return sorted(found, key=order.__getitem__)


def _repeats(el: Any, container: Any) -> bool:
    """True when the middle of the text of `el` is words the container holds (a teaser or a
    wrapper of it)."""
    words = _norm_words(el.text_content())
    middle = words[max(0, len(words) // 2 - 20):len(words) // 2 + 20]
    return bool(middle) and middle in _norm_words(container.text_content())


def _class_kind(cls: str | None) -> frozenset[str]:
    """The class tokens that say what kind of block an element is, without the ones numbering
    it (`paragraph-wrapper-875917`, `elementor-element-20948f76`)."""
    return frozenset(t for t in (cls or "").split() if not any(c.isdigit() for c in t))


def _outermost(els: list[Any]) -> list[Any]:
    """The elements not inside another of them, in page order."""
    ids = {id(e) for e in els}
    return [e for e in els if not any(id(a) in ids for a in e.iterancestors())]


class _Emitter:
    """Walks the chosen container(s) and turns block boundaries into paragraphs."""

    def __init__(self, page: _Page, skip_nodes: set[Any], ignore_junk: bool = False) -> None:
        self.page = page
        self.skip = skip_nodes
        self.ignore_junk = ignore_junk
        self.parts: list[str] = []
        self.link = 0
        #: how many parts of the current block come before its first link text
        self.before_link: int | None = None
        self.block = "p"
        self.out: list[tuple[str, str, float, str]] = []

    def flush(self) -> None:
        if self.parts:
            text = clean_text("".join(self.parts))
            if text:
                cut = len(self.parts) if self.before_link is None else self.before_link
                self.out.append((self.block, text, min(1.0, self.link / len(text)),
                                 "".join(self.parts[:cut])))
        self.parts, self.link, self.before_link = [], 0, None

    def add(self, s: str | None, in_link: bool) -> None:
        if s:
            if in_link and self.before_link is None and s.strip():
                self.before_link = len(self.parts)
            self.parts.append(s)
            if in_link:
                self.link += len(s.strip())

    def walk(self, el: Any, in_link: bool = False, depth: int = 0) -> None:
        tag = el.tag
        if el in self.skip or (el in self.page.junk and not self.ignore_junk) \
                or (self.ignore_junk and (tag in JUNK_TAGS
                                          or (depth and el in self.page.roots))):
            return  # the lead's own junk marks are ignored, not those of boxes inside it
        if tag in HEADINGS and titles_embed(el):
            return
        is_block = tag in BLOCK_TAGS or depth > _MAX_DEPTH
        in_link = in_link or (tag == "a" and not is_anchor(el) and not shows_address(el))
        if is_block:
            self.flush()
            outer, self.block = self.block, tag if tag in _OWN_KINDS else "p"
        self.add(el.text, in_link)
        for child in el:
            if isinstance(child.tag, str):
                self.walk(child, in_link, depth + 1)
            self.add(child.tail, in_link)
        if is_block:
            self.flush()
            self.block = outer


def extract_body(doc: Document, *, container_css: str | None = None,
                 exclude: list[Any] | None = None) -> BodyResult:
    """Find the main text; `container_css` (a portal's) wins; `exclude` nodes are skipped."""
    root = doc.root
    if root is None or not isinstance(getattr(root, "tag", None), str):
        return BodyResult()
    skip_ids = {id(n) for n in exclude or ()}
    scan = Scan(doc.elements, doc.stats)
    skip_at = {scan.order[n] for n in exclude or () if n in scan.order}
    page = _Page(scan, skip_at)
    from newscrawl.extract.metadata import read_metadata

    md = read_metadata(doc)
    description = md.description
    containers: list[Any] = []
    if container_css:
        containers = [s.root for s in doc.selector.css(container_css)
                      if not isinstance(s.root, str)][:1]
    if containers:
        return _emit(page, containers, skip_ids, description)
    hint = md.article_body
    result = _emit(page, _choose_containers(page, root, hint), skip_ids, description)
    got = sum(len(p) for p in result.paragraphs)
    if needs_retry(got, page.text.get(root, 0)):
        # class/id and role hints can be wrong about a whole page: retry trusting tags only
        page = _Page(scan, skip_at, use_classes=False)
        retry = _emit(page, _choose_containers(page, root, hint), skip_ids, description)
        if better_retry(got, sum(map(len, retry.paragraphs))):
            result = retry
    if hint and not_shown(hint, sum(map(len, result.paragraphs))):
        # the text is rendered by a script: the page's own schema.org copy is the text
        result = BodyResult(lead=result.lead, paragraphs=hint_paragraphs(hint))
    return result


def _emit(page: _Page, containers: list[Any], skip_ids: set[int],
          description: str | None = None) -> BodyResult:
    """Lead and paragraphs of the chosen containers; `description`: the page's summary
    metadata, which a standfirst often repeats."""
    if not containers:
        return BodyResult()
    lead_el = find_lead(page, containers, skip_ids, description)
    lead = None
    skip: set[Any] = set()
    if lead_el is not None:
        lead_page = _Emitter(page, set(), ignore_junk=True)
        lead_page.walk(lead_el)
        lead = " ".join(text for _, text, _, _ in lead_page.out) or None
        skip.add(lead_el)
    emitter = _Emitter(page, skip)
    for c in containers:
        emitter.walk(c)
    lead_key = norm_key(lead) if lead else None
    kept = [(kind, text) for kind, text, dens, before in emitter.out
            if keep_block(kind, text, dens, before)
            and (lead_key is None or norm_key(text) != lead_key)]
    kept = [(kind, drop_more_label(text)) for kind, text in kept]
    kept = drop_repeated_tail(drop_closing_labels(trim_closing_run(trim_closing_boxes(
        drop_edge_counters(kept)))))
    paragraphs = [text for _, text in kept]
    if lead and any(kind == "p" and len(text) >= _HELD_BY_LEAD and text in lead
                    for kind, text in kept):
        lead = None  # a "standfirst" holding the text's own paragraphs is a wrapper of the text
    return BodyResult(lead=lead, paragraphs=paragraphs)

