"""The tree passes in pure Python: the twin of `_treepass.pyx`, function by function.

Same names, same order, same arguments and the same results as the compiled extension, which
reads libxml2's nodes behind lxml instead; `tests/test_treepass.py` holds the two equal page by
page. This twin runs where the extension was not built (no C compiler at install). Callers go
through `newscrawl.extract.compiled`, which picks one of the two. The result types live here and
the extension builds the same ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple


class TextStatsResult(NamedTuple):
    """What `text_stats` returns: per-element counts, lists indexed by document position."""

    #: element -> its document position
    pos: dict[Any, int]
    #: one past the last position of each element's subtree
    ends: list[int]
    #: visible characters (hidden tags excluded; each text node stripped)
    text: list[int]
    #: the part of `text` inside links
    links: list[int]
    #: characters of paragraphs inside the element
    prose: list[int]
    #: how many paragraphs inside the element
    units: list[int]
    #: the paragraph elements, in reverse document order
    paragraphs: list[Any]
    #: the element whose own paragraphs hold the most text, or None
    main: Any
    #: the paragraph text `main` holds
    main_prose: int
    #: characters written straight into each element (own text and children's tails)
    direct: list[int]
    #: (element, text) for non-blank own texts and tails shorter than `short_text`
    short_texts: list[tuple[Any, str]]
    #: the tag of each element
    tags: list[str]
    #: tag -> its elements in document order
    by_tag: dict[str, list[Any]]


class ScanResult(NamedTuple):
    """What `scan` returns: page-wide facts of the block scan, by document position."""

    #: position of each element's parent, -1 for the root
    parent: list[int]
    #: junk by tag or visibility
    strict: list[bool]
    #: junk by tag, visibility or ARIA role
    with_roles: list[bool]
    #: positions of elements whose class/id (or weak tag) can make them boilerplate
    classed: list[int]
    #: elements carrying an `itemprop`, in document order
    itemprops: list[Any]
    #: per element, bit k set when its tag is in `tag_sets[k + 2]`
    kinds: bytes


class BlockCounts(NamedTuple):
    """What `block_counts` returns: bottom-up counts by document position."""

    text: list[int]
    links: list[int]
    paras: list[int]


#: the attributes whose presence makes `scan` ask `junk_flags` (visibility and role)
_FLAG_ATTRS = frozenset(("hidden", "aria-hidden", "role", "style"))


def text_stats(elements: list[Any], prose_min: int, short_text: int,
               tag_sets: tuple[frozenset[str], ...]) -> TextStatsResult:
    """Per-element text statistics from one bottom-up pass. `tag_sets`: the hidden, paragraph
    and text-div tag sets."""
    hidden, paragraph_tags, text_divs = tag_sets[0], tag_sets[1], tag_sets[2]
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
        if tag in hidden:
            continue  # counts stay 0
        t += direct
        unit = 0
        if tag == "a":
            lk, pr, un = t, 0, 0
        elif tag in paragraph_tags:
            if t - lk >= prose_min and lk < t * 0.5 and t - lk > pr:
                unit = pr = t - lk
                un = 1
        elif direct >= prose_min and tag in text_divs:
            unit = direct
            pr, un = pr + direct, un + 1
        if unit:
            paragraphs.append(el)
            parent = el.getparent()
            if parent is not None:
                held[parent] = held.get(parent, 0) + unit
        text[i], links[i], prose[i], units[i] = t, lk, pr, un
    main = max(held, key=held.__getitem__) if held else None
    return TextStatsResult(pos, ends, text, links, prose, units, paragraphs, main,
                           held[main] if main is not None else 0, direct_of, shorts, tags,
                           by_tag)


def scan(elements: list[Any], tags: list[str], ends: list[int],
         tag_sets: tuple[frozenset[str], ...],
         junk_flags: Callable[[Any], tuple[bool, bool]]) -> ScanResult:
    """The block scan's page-wide facts. `tag_sets`: junk, weak, text-div, paragraph tags and
    {"a"}; `junk_flags(el)` -> (hidden, by role) for elements with a visibility or role attribute.
    """
    n = len(elements)
    junk, weak = tag_sets[0], tag_sets[1]
    kind_sets = tag_sets[2:]
    parent = [-1] * n
    strict = [False] * n
    with_roles = [False] * n
    classed: list[int] = []
    itemprops: list[Any] = []
    kinds = bytearray(n)
    masks: dict[str, int] = {}
    flagged = _FLAG_ATTRS.isdisjoint
    for i in range(n):
        stop = ends[i]
        j = i + 1
        while j < stop:
            parent[j] = i
            j = ends[j]
        tag = tags[i]
        kind = masks.get(tag)
        if kind is None:
            kind = masks[tag] = sum(1 << k for k, members in enumerate(kind_sets)
                                    if tag in members)
        kinds[i] = kind
        is_junk = tag in junk
        if is_junk:
            strict[i] = with_roles[i] = True
        el = elements[i]
        names = el.keys()
        if not names:
            if tag in weak:
                classed.append(i)
            continue
        if not is_junk and not flagged(names):
            hidden, role = junk_flags(el)
            strict[i] = hidden
            with_roles[i] = hidden or role
        if "class" in names or "id" in names or tag in weak:
            classed.append(i)
        if "itemprop" in names:
            itemprops.append(el)
    return ScanResult(parent, strict, with_roles, classed, itemprops, bytes(kinds))


def block_counts(kinds: bytes, parent: list[int], direct: list[int],
                 roots: list[bool]) -> BlockCounts:
    """Bottom-up text, link text and paragraph text, junk roots left out of their ancestors.
    `kinds` bits: 1 text div, 2 paragraph tag, 4 link."""
    n = len(kinds)
    text = direct[:]
    links, paras = [0] * n, [0] * n
    for i in range(n - 1, -1, -1):
        t, lk, pr, kind = text[i], links[i], paras[i], kinds[i]
        d = direct[i]
        if d >= 25 and kind & 1:
            pr += d  # text written straight into a div, without paragraph markup
        if kind & 4:
            lk = t
        if kind & 2 and t >= 25 and lk < t * 0.5:
            pr = max(pr, t - lk)  # nested text blocks are counted once
        links[i], paras[i] = lk, pr
        p = parent[i]
        if p >= 0 and not roots[i]:
            text[p] += t
            links[p] += lk
            paras[p] += pr
    return BlockCounts(text, links, paras)


def attribute_hits(elements: list[Any], names: tuple[bytes, ...], needles: tuple[bytes, ...],
                   fallback: Callable[[str], bool]) -> list[int]:
    """Positions of the elements whose `names` attributes (every attribute when `names` is
    empty) hold a needle once lower-cased; non-ASCII values are decided by `fallback(value)`.

    An element's ASCII values are searched joined by spaces: no needle holds a space, so a
    needle found there lies within one value.
    """
    keys = tuple(name.decode() for name in names)
    search = re.compile("|".join(re.escape(needle.decode()) for needle in needles)).search
    out = []
    for i, el in enumerate(elements):
        values = [v for v in map(el.get, keys) if v is not None] if keys else el.values()
        if not values:
            continue
        joined = " ".join(values)
        if joined.isascii():
            if search(joined.lower()):
                out.append(i)
        elif any(fallback(value) for value in values):
            out.append(i)
    return out


def elements_with(elements: list[Any], names: tuple[bytes, ...]) -> list[int]:
    """Positions of the elements carrying any of the attributes `names` (bytes)."""
    wanted = frozenset(name.decode() for name in names)
    return [i for i, el in enumerate(elements) if not wanted.isdisjoint(el.keys())]


def last_text_hit(elements: list[Any], needle: bytes, before: int) -> int:
    """The last position before `before` whose element's text (`.text`) or tail (`.tail`)
    contains `needle` (UTF-8, not empty), or -1: a search backwards that stops at the first hit.
    """
    if not needle:
        raise ValueError("empty needle")
    word = needle.decode()
    for i in range(min(before, len(elements)) - 1, -1, -1):
        el = elements[i]
        text = el.text  # lxml builds the string on each read: read it once
        if (text and word in text) or ((tail := el.tail) and word in tail):
            return i
    return -1


def byte_count(data: bytes, byte: int) -> int:
    """How many times `byte` occurs in `data`."""
    return data.count(byte)


def is_utf8(data: bytes) -> bool:
    """Whether `data` is well-formed UTF-8, as `data.decode("utf-8")` accepts it."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
