"""Per-element text statistics of a page, from one bottom-up pass over the whole tree.

The pass runs compiled when the extension was built at install time, and in pure Python
otherwise (`newscrawl.extract.compiled` picks one); both give the same numbers, which
`tests/test_treepass.py` checks page by page. Results are lists indexed by document position;
`ByElement` views look them up by element.
"""

from __future__ import annotations

from typing import Any

from newscrawl.extract.compiled import tree_passes

_HIDDEN = frozenset(("script", "style", "noscript", "template", "head", "title"))
_PARAGRAPHS = frozenset(("p", "blockquote", "pre", "li", "dd", "td"))
_TEXT_DIVS = frozenset(("div", "section", "article", "main", "span", "font", "center"))
#: the tag sets of the pass (hidden, paragraph, text-div), in the order `text_stats` reads them
TAG_SETS = (_HIDDEN, _PARAGRAPHS, _TEXT_DIVS)


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
        """`compiled=False`: the pure-Python pass even where the extension is built."""
        run = tree_passes(compiled).text_stats(elements, self.PROSE_MIN, self.SHORT_TEXT,
                                               TAG_SETS)
        self.pos, self.ends, self.direct, self.tags = run.pos, run.ends, run.direct, run.tags
        self.main, self.main_prose = run.main, run.main_prose
        self.short_texts, self.by_tag = run.short_texts, run.by_tag
        self.end = ByElement(self.pos, self.ends)
        self.text = ByElement(self.pos, run.text)
        self.links = ByElement(self.pos, run.links)
        self.prose = ByElement(self.pos, run.prose)
        self.units = ByElement(self.pos, run.units)
        self.paragraphs: set[Any] = set(run.paragraphs)

    def inside(self, el: Any, block: Any) -> bool:
        """True when `el` is `block` or one of its descendants."""
        pos = self.pos
        start = pos[block]
        return start <= pos[el] < self.ends[start]
