"""Which elements carry a word in their attribute values (class/id hints, byline markers).

One pass over every element's attributes, compiled (`_treepass.attribute_hits`) when the
extension was built, else in pure Python; both give the same positions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

try:
    from newscrawl.extract._treepass import attribute_hits as _compiled
    from newscrawl.extract._treepass import elements_with as _compiled_with
except ImportError:  # built without a C compiler
    _compiled = _compiled_with = None


def value_hits(value: str, needles: tuple[str, ...], fold: dict[int, Any] | None = None) -> bool:
    """True when the lower-cased value (non-ASCII letters folded by `fold`) holds a needle."""
    low = value.lower()
    if fold and not low.isascii():
        low = low.translate(fold)
    return any(needle in low for needle in needles)


def attribute_hits_python(elements: list[Any], names: Iterable[str], needles: tuple[str, ...],
                          fold: dict[int, Any] | None = None) -> list[int]:
    """`attribute_hits` in pure Python: the reference the compiled pass must equal.

    An element's values are searched joined by spaces: no needle holds a space, so a needle
    found there lies within one value.
    """
    names = tuple(names)
    search = re.compile("|".join(map(re.escape, needles))).search
    out = []
    for i, el in enumerate(elements):
        values = [v for v in map(el.get, names) if v is not None] if names else el.values()
        if not values:
            continue
        low = " ".join(values).lower()
        if fold and not low.isascii():
            low = low.translate(fold)
        if search(low):
            out.append(i)
    return out


def attribute_hits(elements: list[Any], names: Iterable[str], needles: tuple[str, ...],
                   fold: dict[int, Any] | None = None, *, compiled: bool = True) -> list[int]:
    """Positions, in document order, of the elements whose `names` attributes (all of them when
    `names` is empty) contain one of `needles` (lower-case ASCII) once lower-cased."""
    if compiled and _compiled is not None:
        return _compiled(elements, tuple(n.encode() for n in names),
                         tuple(n.encode() for n in needles),
                         lambda value: value_hits(value, needles, fold))
    return attribute_hits_python(elements, names, needles, fold)


def elements_with(elements: list[Any], names: tuple[str, ...], *, compiled: bool = True
                  ) -> list[int]:
    """Positions, in document order, of the elements carrying any of the attributes `names`."""
    if compiled and _compiled_with is not None:
        return _compiled_with(elements, tuple(n.encode() for n in names))
    wanted = frozenset(names)
    return [i for i, el in enumerate(elements) if not wanted.isdisjoint(el.keys())]
