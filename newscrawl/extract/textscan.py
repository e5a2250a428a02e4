"""Which elements hold a word in their text or tail, found by one pass over every element.

The pass runs compiled when the extension was built (it reads libxml2's text nodes without
building a string per element), else in pure Python (`newscrawl.extract.compiled` picks one);
both give the same positions.
"""

from __future__ import annotations

from typing import Any

from newscrawl.extract.compiled import tree_passes


def text_hits(elements: list[Any], word: str, *, compiled: bool = True) -> list[int]:
    """Positions, in document order, of the elements whose `.text` or `.tail` contains `word`
    (a non-empty string)."""
    try:
        needle = word.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which no parsed text holds
        return []
    return tree_passes(compiled).text_hits(elements, needle)
