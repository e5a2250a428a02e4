"""The standfirst (lead): the element between the headline and the first body paragraph that
introduces the article.

It is the subtitle in the headline's `<hgroup>`; or it is named by its class/id (`lead`,
`standfirst`, `intro`, `summary`, `dek`, `teaser`, `vorspann`, ...); or, when no element says
so, it is the visible element there whose text is the page's own summary (`og:description`,
`description`, JSON-LD `description`): publishers write the standfirst into that metadata, and
finding it on the page between the headline and the text shows it is displayed as one; or it
is the text's first paragraph set in bold as a whole, the typographic standfirst; or it is
the text's first paragraph styled apart from the rest (a class of its own) whose text is the
page's summary.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any

from newscrawl.extract.blockscan import BlockPage
from newscrawl.extract.boilerplate import (
    JUNK_TAGS,
    LEAD_WORDS,
    SENTENCE_END,
    byline_or_date,
    class_id_words,
    hard_junk,
)
from newscrawl.extract.text import node_text, norm_key

#: Tags that never hold a standfirst of their own.
_NOT_LEAD = frozenset((*JUNK_TAGS, "html", "body", "main", "article", "a", "li", "ul", "ol",
                       "h1", "table", "tr", "td"))
#: How close in length the element's text and the description must be.
_LENGTH_RATIO = 0.8


def find_lead(page: BlockPage, containers: list[Any], skip: set[int],
              description: str | None = None) -> Any | None:
    """The standfirst element, or None; `skip` holds ids of excluded (related) blocks."""
    if not containers:
        return None
    first = min(page.order[c] for c in containers)
    last = max(page.order[c] for c in containers)
    h1 = _headline_h1(page)
    start = min(0 if h1 is None else h1, first)
    if h1 is not None and h1 > first:
        # the headline is set below the text's start: a standfirst stands beside the text
        # in the wrapper they share
        wrapper = page.elements[first].getparent()
        start = page.order.get(wrapper, first) if wrapper is not None else first
    body_first_p = None
    for c in containers:
        for p in c.iter("p"):
            if p not in page.junk and page.text.get(p, 0) >= 40:
                body_first_p = page.order[p]
                break
        if body_first_p is not None:
            break
    limit = body_first_p if body_first_p is not None else last
    # A paragraph picked up beside the main container may be the standfirst itself.
    main = [c for c in containers if c.tag != "p"] or containers
    found = _in_hgroup(page, h1)
    if found is None:
        found = _by_class(page, main, skip, start, limit, h1)
    if found is None and description:
        found = _by_description(page, main, skip, start, limit, description)
    if found is None and body_first_p is not None:
        found = _bold_opening(page, body_first_p)
    if found is None and body_first_p is not None and description:
        found = _styled_opening(page, body_first_p, description)
    if found is None and h1 is not None and body_first_p is not None:
        found = _between_headline_and_text(page, containers, skip, h1, body_first_p)
    return found


def _headline_h1(page: BlockPage) -> int | None:
    """Position of the headline's `<h1>`: the first one not written as a link (a theme's
    `<h1><a rel="home">Site</a></h1>` names the site), else the first one."""
    first = at = page.first_of("h1")
    while at is not None:
        if page.density(page.elements[at]) < 0.5:
            return at
        at = page.first_of("h1", at + 1)
    return first


#: the shortest standfirst standing between the headline and the text
_MIN_STANDFIRST = 80
#: ... and the longest
_MAX_STANDFIRST = 600
#: lines between the headline and a standfirst (date, byline, kicker) are shorter than this
_MAX_LINE = 60
_STANDFIRST_TAGS = frozenset(("p", "div", "h2", "h3", "section"))


def _between_headline_and_text(page: BlockPage, containers: list[Any], skip: set[int],
                               h1: int, first: int) -> Any | None:
    """A paragraph of text standing alone between the headline (position `h1`) and the
    text's first paragraph (position `first`), outside the text's container, with only short
    lines (dates, bylines) before it: the standfirst of a page whose text container does not
    hold it."""
    i = page.end_of(h1)
    while i < min(first, len(page.elements)):
        el = page.elements[i]
        if el in page.junk or not page.text.get(el, 0):
            i = page.end_of(i)
            continue
        own = page.direct(el)
        if any(c is el or c in el.iterancestors() for c in containers):
            return None  # the text's container starts here
        t = page.text.get(el, 0)
        if el.tag in _STANDFIRST_TAGS and t >= _MIN_STANDFIRST and (own >= _MIN_STANDFIRST
                                                                    or el.tag != "div"):
            if t > _MAX_STANDFIRST or page.density(el) >= 0.2 or hard_junk(el, skip):
                return None
            return el
        if own >= _MAX_LINE:
            return None
        i += 1
    return None


def _styled_opening(page: BlockPage, first: int, description: str) -> Any | None:
    """The text's first paragraph when it is the page's own summary and set apart from the
    paragraph after it by a class of its own (a theme's "larger text" style): a standfirst
    written into the text's container, as blog and magazine themes do."""
    el = page.elements[first]
    cls = el.get("class")
    nxt = el.getnext()
    while nxt is not None and not isinstance(nxt.tag, str):
        nxt = nxt.getnext()
    if el.tag != "p" or not cls or nxt is None or nxt.tag != "p" or nxt.get("class") == cls:
        return None
    text, key = norm_key(node_text(el)), norm_key(description)
    short, long_ = sorted((text, key), key=len)
    if len(short) < 40 or short not in long_ or len(short) < _LENGTH_RATIO * len(long_):
        return None
    return el


def _in_hgroup(page: BlockPage, h1_at: int | None) -> Any | None:
    """The subtitle grouped with the headline (at position `h1_at`): in HTML an `<hgroup>`
    holds the heading and its subtitle paragraph."""
    if h1_at is None:
        return None
    branch = page.elements[h1_at]  # the hgroup's child holding the heading (or its wrapper)
    for _ in range(2):
        parent = branch.getparent() if branch is not None else None
        if parent is None or parent.tag == "hgroup":
            break
        branch = parent
    if branch is None or branch.getparent() is None or branch.getparent().tag != "hgroup":
        return None
    for sib in branch.itersiblings():
        if isinstance(sib.tag, str) and page.text.get(sib, 0) >= 40 and page.density(sib) < 0.3:
            return sib
    return None


def _by_class(page: BlockPage, containers: list[Any], skip: set[int], start: int,
              limit: int, h1: int | None = None) -> Any | None:
    """The first element whose class/id says standfirst. Right after the headline (`h1`, a
    position) a layout wrapper's words ("sidebar-grid", "list__header") do not veto it."""
    classed = page.classed  # only elements with class/id words can say "lead"
    in_h1 = range(h1, page.end_of(h1)) if h1 is not None else range(0)
    for i in classed[bisect_left(classed, start):bisect_right(classed, limit)]:
        if i in in_h1:
            continue  # a part of the headline ("...-teaser-headline-title") is no standfirst
        el = page.elements[i]
        if el.tag in ("html", "body", "main", "article", "a") or any(el is c for c in containers):
            continue
        words = set(class_id_words(el))
        if not words & LEAD_WORDS or "dropcap" in words or {"drop", "cap"} <= words:
            continue  # a drop cap opens the text itself ("has-dropcap__lead-heading")
        t = page.text.get(el, 0)
        if t < 120 and byline_or_date(node_text(el)):
            continue  # a subhead holding the byline and dates ("von Jane Doe 13.12.2022")
        near_h1 = h1 is not None and 0 < i - h1 <= _NEAR_HEADLINE
        if 40 <= t <= 1500 and page.density(el) < 0.3 and page.paras.get(el, 0) <= 1500 \
                and not hard_junk(el, skip, class_words=not near_h1):
            return el
    return None


#: Positions after the headline within which a lead-named element is trusted.
_NEAR_HEADLINE = 5


def _by_description(page: BlockPage, containers: list[Any], skip: set[int], start: int,
                    limit: int, description: str) -> Any | None:
    """The innermost element between `start` and `limit` whose text is the description."""
    key = norm_key(description)
    if len(key) < 40:
        return None
    low, high = len(description) * _LENGTH_RATIO, len(description) / _LENGTH_RATIO + 10
    best = None
    best_end = -1
    for i in range(start, min(limit, len(page.elements))):
        if best is not None and i >= best_end:
            break  # past the matching element: its innermost match was taken
        el = page.elements[i]
        if not low <= page.text.get(el, 0) <= high or el.tag in _NOT_LEAD \
                or any(el is c for c in containers):
            continue
        text = norm_key(node_text(el))
        short, long_ = sorted((text, key), key=len)
        if short and short in long_ and len(short) >= _LENGTH_RATIO * len(long_) \
                and page.density(el) < 0.3 and not hard_junk(el, skip):
            best = el
            best_end = page.end_of(i)
    return best


def _bold_opening(page: BlockPage, first: int) -> Any | None:
    """The text's first paragraph when it is set in bold as a whole and reads as a sentence:
    the typographic standfirst of many newsrooms (the German "Vorspann")."""
    el = page.elements[first]
    if el.tag != "p":
        return None
    text = node_text(el)
    if len(text) < 60 or not SENTENCE_END.search(text):
        return None
    bold = [b for b in el.iter("strong", "b")
            if next(b.iterancestors("strong", "b"), el) is el]  # outermost bold runs only
    bold_len = sum(len(node_text(b)) for b in bold)
    return el if bold_len >= 0.9 * len(text) else None
