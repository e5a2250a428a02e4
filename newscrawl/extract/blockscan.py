"""Per-element caches of the main-text finder: text, link text, commas, paragraph text, junk.

`Scan` reads the tree once (own and tail text, parents, tag/role/visibility junk) and is shared
by every `BlockPage` built for one page, so the tags-only retry redoes only the class-dependent
step. Counts are kept in lists indexed by document order and handed out as dicts.
"""

from __future__ import annotations

from itertools import compress
from typing import Any

from newscrawl.extract.boilerplate import (
    _TEXT_DIVS,
    _WEAK_TAGS,
    HEADINGS,
    JUNK_TAGS,
    PARA_TAGS,
    _class_junk,
    _junk_flags,
)
from newscrawl.extract.textstats import TextStats

_Counts = tuple[list[int], list[int], list[int]]
#: the attributes `_junk_flags` reads (an element without them is never junk by attribute)
_FLAG_ATTRS = frozenset(("hidden", "aria-hidden", "role", "style"))
#: tag sets of the compiled scan, in the order `_treepass.scan` reads them
_SCAN_TAG_SETS = (JUNK_TAGS, _WEAK_TAGS, _TEXT_DIVS, PARA_TAGS, frozenset(("a",)))

try:
    from newscrawl.extract._treepass import block_counts as _block_counts_compiled
    from newscrawl.extract._treepass import scan as _scan_compiled
except ImportError:  # built without a C compiler: the pure-Python scan is used
    _scan_compiled = _block_counts_compiled = None


class Scan:
    """Page-wide facts that do not depend on class/id hints, from the document's text stats."""

    def __init__(self, elements: list[Any], stats: TextStats, *, compiled: bool = True) -> None:
        self.elements = elements
        self.order: dict[Any, int] = stats.pos
        self.ends = stats.ends
        #: visible characters written straight into the element (own text and children's tails)
        self.direct = stats.direct
        self.tags = stats.tags
        self._compiled = compiled and _scan_compiled is not None
        if self._compiled:
            (self.parent, self.strict, self.with_roles, self.classed, self.itemprops,
             self._kinds) = _scan_compiled(elements, self.ends, _SCAN_TAG_SETS, _junk_flags)
        else:
            self._scan_python(elements)
        self._counts: dict[bool, tuple[list[bool], _Counts]] = {}

    def _scan_python(self, elements: list[Any]) -> None:
        """Parents, tags, junk by tag/visibility/role, classed elements and itemprops."""
        order = self.order
        self.parent = [order.get(el.getparent(), -1) for el in elements]
        #: junk by tag or visibility (`strict`), and also by ARIA role (`with_roles`)
        strict = [tag in JUNK_TAGS for tag in self.tags]
        with_roles = strict[:]
        #: elements whose class/id words (or weak tag) can make them boilerplate
        self.classed: list[int] = []
        #: elements with an `itemprop`, in document order
        self.itemprops: list[Any] = []
        classed, tags, flagged = self.classed, self.tags, _FLAG_ATTRS.isdisjoint
        for i, el in enumerate(elements):
            names = el.keys()
            if not names:
                if tags[i] in _WEAK_TAGS:
                    classed.append(i)
                continue
            if not strict[i] and not flagged(names):
                hidden, role = _junk_flags(el)
                strict[i] = hidden
                with_roles[i] = hidden or role
            if "class" in names or "id" in names or tags[i] in _WEAK_TAGS:
                classed.append(i)
            if "itemprop" in names:
                self.itemprops.append(el)
        self.strict, self.with_roles = strict, with_roles

    def counts(self, use_roles: bool) -> tuple[list[bool], _Counts]:
        """Junk roots and bottom-up (text, links, paragraph text) for one junk rule."""
        roots = self.with_roles if use_roles else self.strict
        key = use_roles and roots != self.strict
        if key not in self._counts:
            self._counts[key] = (roots, self.block_counts(roots))
        return self._counts[key]

    def block_counts(self, roots: list[bool]) -> _Counts:
        """Text, link text and paragraph text per element, junk roots left out of ancestors."""
        if self._compiled:
            return _block_counts_compiled(self._kinds, self.parent, self.direct, roots)
        tags, parent, direct = self.tags, self.parent, self.direct
        n = len(tags)
        text = direct[:]
        links, paras = [0] * n, [0] * n
        for i in range(n - 1, -1, -1):
            t, lk, pr, tag = text[i], links[i], paras[i], tags[i]
            d = direct[i]
            if d >= 25 and tag in _TEXT_DIVS:
                pr += d  # text written straight into a div, without paragraph markup
            if tag == "a":
                lk = t
            if tag in PARA_TAGS and t >= 25 and lk < t * 0.5:
                pr = max(pr, t - lk)  # nested text blocks are counted once
            links[i], paras[i] = lk, pr
            p = parent[i]
            if p >= 0 and not roots[i]:
                text[p] += t
                links[p] += lk
                paras[p] += pr
        return text, links, paras


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
                level = 1 if tags[i] in _WEAK_TAGS else _class_junk(el, tags[i])
                if not level or (level == 1 and self._is_subheading(el, i)):
                    continue  # a subheading is "title"-classed by nature
                if (level == 1 and held >= 400) or (level == 2 and total and held > 0.6 * total):
                    continue
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

    def first_of(self, tag: str) -> int | None:
        """Position of the first element named `tag`, or None (no walk over the tree)."""
        try:
            return self._scan.tags.index(tag)
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

    def density(self, el: Any) -> float:
        """Share of the element's text that is link text."""
        t = self.text.get(el, 0)
        return self.links.get(el, 0) / t if t else 1.0
