"""Where a word occurs in the text of a page: a search backwards over the elements' texts.

The search runs compiled when the extension was built (it reads libxml2's text nodes without
building a string per element), else in pure Python (`newscrawl.extract.compiled` picks one);
both give the same positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newscrawl.extract.compiled import tree_passes


def text_hits_backwards(elements: list[Any], word: str, *, compiled: bool = True
                        ) -> Iterator[int]:
    """Positions, last first, of the elements whose `.text` or `.tail` contains `word` (a
    non-empty string); each is found when asked for, so a caller that stops early reads only
    the end of the page."""
    try:
        needle = word.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which no parsed text holds
        return
    search = tree_passes(compiled).last_text_hit
    i = search(elements, needle, len(elements))
    while i >= 0:
        yield i
        i = search(elements, needle, i)
