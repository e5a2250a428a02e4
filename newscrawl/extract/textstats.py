"""Per-element text statistics of a page, from one bottom-up pass over the whole tree.

The pass runs compiled (`_treepass.pyx`, reading libxml2's nodes behind lxml) when the
extension was built at install time, and in pure Python otherwise; both give the same numbers,
which `tests/test_treepass.py` checks page by page. Results are lists indexed by document
position; `ByElement` views look them up by element.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_Result = tuple[dict[Any, int], list[int], list[int], list[int], list[int], list[int],
                list[Any], Any, int, list[int], list[tuple[Any, str]], list[str],
                dict[str, list[Any]]]

_HIDDEN = frozenset(("script", "style", "noscript", "template", "head", "title"))
_PARAGRAPHS = frozenset(("p", "blockquote", "pre", "li", "dd", "td"))
_TEXT_DIVS = frozenset(("div", "section", "article", "main", "span", "font", "center"))


def aggregate_python(elements: list[Any], prose_min: int, short_text: int) -> _Result:
    """The statistics in pure Python: the reference the compiled pass must equal.

    Returns (pos, ends, text, links, prose, units, paragraphs, main, main_prose, direct,
    short_texts, tags, by_tag); see `TextStats` for their meaning.
    """
    n = len(elements)
    pos = {el: i for i, el in enumerate(elements)}
    tags = [el.tag for el in elements]
    by_tag: dict[str, list[Any]] = {}
    for el, tag in zip(elements, tags, strict=True):
        by_tag.setdefault(tag, []).append(el)
    ends, text, links, prose, units, direct_of = ([0] * n for _ in range(6))
    paragraphs: list[Any] = []
    held: dict[Any, int] = {}
    shorts: list[tuple[Any, str]] = []
    for i in range(n - 1, -1, -1):
        el = elements[i]
        last = i + 1
        own = el.text
        direct = len(own.strip()) if own else 0
        if direct and len(own) < short_text:
            shorts.append((el, own))
        t = lk = pr = un = 0
        for child in el:
            tail = child.tail
            j = pos.get(child)
            if j is not None:
                if tail:
                    k = len(tail.strip())
                    if k:
                        direct += k
                        if len(tail) < short_text:
                            shorts.append((el, tail))
                t += text[j]
                lk += links[j]
                pr += prose[j]
                un += units[j]
                last = ends[j]
            elif tail:  # a comment's or processing instruction's tail
                direct += len(tail.strip())
        ends[i] = last
        direct_of[i] = direct
        tag = tags[i]
        if tag in _HIDDEN:
            continue  # counts stay 0
        t += direct
        unit = 0
        if tag == "a":
            lk, pr, un = t, 0, 0
        elif tag in _PARAGRAPHS:
            if t - lk >= prose_min and lk < t * 0.5 and t - lk > pr:
                unit = pr = t - lk
                un = 1
        elif direct >= prose_min and tag in _TEXT_DIVS:
            unit = direct
            pr, un = pr + direct, un + 1
        if unit:
            paragraphs.append(el)
            parent = el.getparent()
            if parent is not None:
                held[parent] = held.get(parent, 0) + unit
        text[i], links[i], prose[i], units[i] = t, lk, pr, un
    main = max(held, key=held.__getitem__) if held else None
    return (pos, ends, text, links, prose, units, paragraphs, main,
            held[main] if main is not None else 0, direct_of, shorts, tags, by_tag)


def _compiled() -> Callable[[list[Any], int, int], _Result] | None:
    try:
        from newscrawl.extract._treepass import text_stats
    except ImportError:  # built without a C compiler: the pure-Python pass is used
        return None
    tag_sets = (_HIDDEN, _PARAGRAPHS, _TEXT_DIVS)

    def aggregate(elements: list[Any], prose_min: int, short_text: int) -> _Result:
        return text_stats(elements, prose_min, short_text, tag_sets)

    return aggregate


aggregate_compiled = _compiled()


class ByElement:
    """A read-only mapping element → number over a list indexed by document position."""

    __slots__ = ("_pos", "_values")

    def __init__(self, pos: dict[Any, int], values: list[int]) -> None:
        self._pos, self._values = pos, values

    def __getitem__(self, el: Any) -> int:
        return self._values[self._pos[el]]

    def __contains__(self, el: Any) -> bool:
        return el in self._pos

    def get(self, el: Any, default: int | None = None) -> int | None:
        """The element's number, or `default` for an element outside the tree."""
        i = self._pos.get(el)
        return default if i is None else self._values[i]


class TextStats:
    """Per-element counts of visible text, computed once for the whole tree.

    `text`: visible characters (scripts, styles, templates excluded; each text node stripped);
    `links`: the part of it inside `<a>`; `prose`: characters of paragraphs, i.e. elements in
    `paragraphs` (a `p`-like element with at least `PROSE_MIN` characters of non-link text, or
    a `div` with that much text written straight into it); `units`: how many paragraphs;
    `main`: the element whose own paragraphs hold the most text (the main-text anchor);
    `pos`/`end`: the element's subtree as a range of positions in document order (`ends`: the
    same ends by position); `direct`: by position, characters written straight into the element
    (own text and tails); `short_texts`: (element, text) for its own text or a child's tail,
    non-blank and shorter than `SHORT_TEXT` characters; `tags`: the tag by position;
    `by_tag`: the elements of each tag in document order (a walk over the tree costs more).
    """

    PROSE_MIN = 150
    SHORT_TEXT = 160

    def __init__(self, elements: list[Any], *, compiled: bool = True) -> None:
        run = aggregate_compiled if compiled and aggregate_compiled else aggregate_python
        (self.pos, self.ends, text, links, prose, units, paragraphs, self.main, self.main_prose,
         self.direct, self.short_texts, self.tags, self.by_tag) = run(
            elements, self.PROSE_MIN, self.SHORT_TEXT)
        self.end = ByElement(self.pos, self.ends)
        self.text = ByElement(self.pos, text)
        self.links = ByElement(self.pos, links)
        self.prose = ByElement(self.pos, prose)
        self.units = ByElement(self.pos, units)
        self.paragraphs: set[Any] = set(paragraphs)

    def inside(self, el: Any, block: Any) -> bool:
        """True when `el` is `block` or one of its descendants."""
        pos = self.pos
        start = pos[block]
        return start <= pos[el] < self.ends[start]
