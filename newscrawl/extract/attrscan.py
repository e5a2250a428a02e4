"""Which elements carry a word in their attribute values (class/id hints, byline markers).

One pass over every element's attributes, compiled when the extension was built, else in pure
Python (`newscrawl.extract.compiled` picks one); both give the same positions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from newscrawl.extract.compiled import tree_passes


def value_hits(value: str, needles: tuple[str, ...], fold: dict[int, Any] | None = None) -> bool:
    """True when the lower-cased value (non-ASCII letters folded by `fold`) holds a needle."""
    low = value.lower()
    if fold and not low.isascii() and any(chr(key) in low for key in fold):
        low = low.translate(fold)  # (a slow call: only made when there is anything to fold)
    return any(needle in low for needle in needles)


def attribute_hits(elements: list[Any], names: Iterable[str], needles: tuple[str, ...],
                   fold: dict[int, Any] | None = None, *, compiled: bool = True) -> list[int]:
    """Positions, in document order, of the elements whose `names` attributes (all of them when
    `names` is empty) contain one of `needles` (lower-case ASCII) once lower-cased."""
    return tree_passes(compiled).attribute_hits(
        elements, tuple(n.encode() for n in names), tuple(n.encode() for n in needles),
        lambda value: value_hits(value, needles, fold))


def elements_with(elements: list[Any], names: tuple[str, ...], *, compiled: bool = True
                  ) -> list[int]:
    """Positions, in document order, of the elements carrying any of the attributes `names`."""
    return tree_passes(compiled).elements_with(elements, tuple(n.encode() for n in names))
