"""Per-element caches of the main-text finder: text, link text, commas, paragraph text, junk.

`Scan` reads the tree once (own and tail text, parents, tag/role/visibility junk) and is shared
by every `BlockPage` built for one page, so the tags-only retry redoes only the class-dependent
step. Counts are kept in lists indexed by document order and handed out as dicts.
"""

from __future__ import annotations

from itertools import compress
from typing import Any

from newscrawl.extract.boilerplate import (
    HEADINGS,
    JUNK_TAGS,
    PARA_TAGS,
    TEXT_DIVS,
    WEAK_TAGS,
    class_junk,
    is_anchor,
    junk_flags,
)
from newscrawl.extract.compiled import BlockCounts, tree_passes
from newscrawl.extract.textstats import TextStats

#: tag sets of the block scan, in the order `scan` reads them
SCAN_TAG_SETS = (JUNK_TAGS, WEAK_TAGS, TEXT_DIVS, PARA_TAGS, frozenset(("a",)))
#: the page's own text containers, and the boilerplate tags that malformed markup wraps them in
_PAGE_TAGS = frozenset(("main", "article"))
_NESTING_TAGS = frozenset(("nav", "footer", "header", "aside"))
#: a paragraph (`<p>`) holding this much text is text whatever its class says ("ticker")
_CLASSLESS_PARAGRAPH = 150
_INLINE_TAGS = frozenset(("span", "em", "strong", "b", "i", "small", "time", "abbr", "font"))


class Scan:
    """Page-wide facts that do not depend on class/id hints, from the document's text stats."""

    def __init__(self, elements: list[Any], stats: TextStats, *, compiled: bool = True) -> None:
        self.elements = elements
        self.order: dict[Any, int] = stats.pos
        self.ends = stats.ends
        #: visible characters written straight into the element (own text and children's tails)
        self.direct = stats.direct
        self.tags = stats.tags
        self._passes = tree_passes(compiled)
        found = self._passes.scan(elements, self.tags, self.ends, SCAN_TAG_SETS, junk_flags)
        self.parent = found.parent
        self._kinds = _custom_links(elements, self.tags, found.kinds)
        #: junk by tag or visibility (`strict`), and also by ARIA role (`with_roles`)
        self.strict = self._unnested(found.strict)
        self.with_roles = (self.strict if found.with_roles == found.strict
                           else self._unnested(found.with_roles))
        #: positions of elements whose class/id words (or weak tag) can make them boilerplate
        self.classed: list[int] = found.classed
        #: elements with an `itemprop`, in document order
        self.itemprops: list[Any] = found.itemprops
        self._counts: dict[bool, tuple[list[bool], BlockCounts]] = {}

    def counts(self, use_roles: bool) -> tuple[list[bool], BlockCounts]:
        """Junk roots and bottom-up (text, links, paragraph text) for one junk rule."""
        roots = self.with_roles if use_roles else self.strict
        key = use_roles and roots != self.strict
        if key not in self._counts:
            self._counts[key] = (roots, self.block_counts(roots))
        return self._counts[key]

    def _unnested(self, roots: list[bool]) -> list[bool]:
        """The junk roots without a navigation or footer block that an unclosed tag made the
        parent of the page's `<main>`/`<article>`: one holding most of the page's paragraph
        text once counted is the page, not boilerplate (its menus are judged on their own)."""
        tags, ends = self.tags, self.ends
        nests = [i for i in compress(range(len(roots)), roots)
                 if tags[i] in _NESTING_TAGS and _holds(tags, i + 1, ends[i], _PAGE_TAGS)]
        if not nests:
            return roots
        freed = roots[:]
        for i in nests:
            freed[i] = False
        paras = self.block_counts(freed).paras
        if not any(paras[i] > 0.5 * paras[0] for i in nests):
            return roots
        return freed

    def block_counts(self, roots: list[bool]) -> BlockCounts:
        """Text, link text and paragraph text per element, junk roots left out of ancestors."""
        return self._passes.block_counts(self._kinds, self.parent, self.direct, roots)


def _holds(tags: list[str], start: int, stop: int, wanted: frozenset[str]) -> bool:
    """True when a tag of `wanted` is among `tags[start:stop]` (searched in C, no loop)."""
    for tag in wanted:
        try:
            tags.index(tag, start, stop)
            return True
        except ValueError:
            pass
    return False


def _custom_links(elements: list[Any], tags: list[str], kinds: bytes) -> bytes:
    """`kinds` with the links the tag alone does not tell: custom elements that carry an
    `href` (`<pp-link href=...>` of a web component menu) are links like `<a>`, while a named
    anchor (`<a name="q3">`, no `href`) is no link, its text the article's own, and neither is
    a link to a place in the page (`href="#q3"`, a table of contents) when a part of the text
    is weighed (its lines still read as links when the text is written out)."""
    marked = None
    at = kinds.find(4)
    while at >= 0:
        if tags[at] == "a" and (is_anchor(elements[at])
                                or (elements[at].get("href") or "").startswith("#")):
            marked = marked or bytearray(kinds)
            marked[at] &= ~4
        at = kinds.find(4, at + 1)
    custom = {tag for tag in set(tags) if "-" in tag}
    for i, tag in enumerate(tags) if custom else ():
        if tag in custom and elements[i].get("href") is not None:
            marked = marked or bytearray(kinds)
            marked[i] |= 4
    return kinds if marked is None else bytes(marked)


def _own_commas(el: Any) -> int:
    own = el.text
    count = own.count(",") if own else 0
    for child in el:
        tail = child.tail
        if tail:
            count += tail.count(",")
    return count


class BlockPage:
    """Per-element caches of one reading of the page (with or without class/role hints)."""

    def __init__(self, scan: Scan, skip: set[int], use_classes: bool = True) -> None:
        """`skip`: positions of excluded blocks (boilerplate unless they hold most of the text)."""
        elements, parent = scan.elements, scan.parent
        self._tags, self._parent = scan.tags, parent
        self.order = scan.order
        self.elements = elements
        self.itemprops = scan.itemprops
        self.classed = scan.classed
        first_roots, counts = scan.counts(use_classes)
        roots = first_roots[:]
        text, links, paras = (c[:] for c in counts)
        ends = scan.ends
        junk = [False] * len(elements)
        for i in compress(range(len(roots)), roots):
            if not junk[i]:
                junk[i:ends[i]] = [True] * (ends[i] - i)
        self._text = text
        # class/id hints, checked top-down; "weak" hints yield to real paragraph text
        total = paras[0] if elements else 0
        marked = set(skip)
        checks = sorted(marked.union(scan.classed)) if use_classes else sorted(marked)
        tags = scan.tags
        for i in checks:
            if junk[i]:
                continue
            held = paras[i]
            if i in marked:
                # an "excluded" block holding most of the article text is the article
                if total and held > 0.5 * total:
                    continue
            else:
                el = elements[i]
                level = 1 if tags[i] in WEAK_TAGS else class_junk(el, tags[i])
                if not level or (level == 1 and (tags[i] == "pre" or self._is_subheading(el, i)
                                                 or self._in_sentence(i, text))):
                    continue  # a subheading is "title"-classed by nature, code by its styler
                if (level == 1 and held >= 400) or (level == 2 and total and held > 0.6 * total) \
                        or (tags[i] == "p" and held >= _CLASSLESS_PARAGRAPH):
                    continue  # a long paragraph is text whatever its class says
            roots[i] = True
            junk[i:ends[i]] = [True] * (ends[i] - i)
            t, lk, pr = text[i], links[i], paras[i]
            a = parent[i]
            while a >= 0:
                text[a] -= t
                links[a] = max(0, links[a] - lk)
                paras[a] = max(0, paras[a] - pr)
                a = parent[a]
        back = elements[::-1]
        self.text: dict[Any, int] = dict(zip(back, text[::-1], strict=True))
        self.links: dict[Any, int] = dict(zip(back, links[::-1], strict=True))
        self.paras: dict[Any, int] = dict(zip(back, paras[::-1], strict=True))
        self.junk: set[Any] = set(compress(elements, junk))
        #: elements that are boilerplate themselves (the roots of junk subtrees)
        self.roots: set[Any] = set(compress(elements, roots))
        self._roots = roots
        self._scan = scan
        self._commas: dict[int, int] = {}

    def first_of(self, tag: str, start: int = 0) -> int | None:
        """Position of the first element named `tag` from position `start`, or None (no walk
        over the tree)."""
        try:
            return self._scan.tags.index(tag, start)
        except ValueError:
            return None

    def end_of(self, i: int) -> int:
        """One past the last position of the subtree of the element at position `i`."""
        return self._scan.ends[i]

    def direct(self, el: Any) -> int:
        """Visible characters written straight into the element, outside its children."""
        return self._scan.direct[self.order[el]]

    def comma_count(self, el: Any) -> int:
        """Commas in the element's text, boilerplate inside it left out.

        Inner elements asked first (bottom-up callers) are reused, so each node is read once.
        """
        i = self.order[el]
        memo = self._commas
        if i in memo:
            return memo[i]
        elements, ends, roots = self._scan.elements, self._scan.ends, self._roots
        total = _own_commas(el)
        j, stop = i + 1, ends[i]
        while j < stop:
            if j in memo:
                total += memo[j]
            elif not roots[j]:
                total += _own_commas(elements[j])
                j += 1
                continue
            j = ends[j]
        memo[i] = total
        return total

    def _is_subheading(self, el: Any, i: int) -> bool:
        """True for a heading, or a wrapper whose text is all in headings."""
        text = self._text
        t = text[i]
        if not 0 < t <= 150:
            return False
        order = self.order
        return el.tag in HEADINGS or sum(text[order[h]] for h in el.iter(*HEADINGS)) >= t * 0.8

    def _in_sentence(self, i: int, text: list[int]) -> bool:
        """True for an inline element inside a paragraph's running text: a dateline
        (`<p><span class="dateline">KOBE – </span>A total of ...`) is part of the sentence."""
        tags = self._tags
        p = self._parent[i]
        return tags[i] in _INLINE_TAGS and p >= 0 and tags[p] == "p" \
            and text[p] - text[i] >= max(80, 2 * text[i])

    def density(self, el: Any) -> float:
        """Share of the element's text that is link text."""
        t = self.text.get(el, 0)
        return self.links.get(el, 0) / t if t else 1.0
