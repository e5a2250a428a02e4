"""Link titles: every rendering of a recommendation's title, and the one a link stands for.

Portals render a recommendation several times (heading, caption, image `alt`, `title`
attribute, a truncated teaser line); these functions pick the full visible title and tell when two
renderings are the same title.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from newscrawl.extract.text import clean_text, node_text, norm_key

HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_ELLIPSIS = ("…", "...")


def own_text(el: Any) -> str:
    """The element's own text (its text and its children's tails), cleaned."""
    parts = [el.text or ""] + [c.tail or "" for c in el]
    return clean_text(" ".join(parts))


def renderings(a: Any) -> list[tuple[str, bool]]:
    """Every rendering of a link's title: (text, preferred) for text pieces, then title/alt
    attributes (never preferred; an image `alt` may describe the photo, not the story)."""
    found: list[tuple[str, bool]] = []
    for el in a.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript", "template"):
            continue
        text = own_text(el)
        if text:
            cls = (el.get("class") or "").lower()
            preferred = el.tag in HEADING_TAGS or "title" in cls or "headline" in cls
            found.append((text, preferred))
    whole = node_text(a)
    if whole and all(whole != t for t, _ in found):
        found.append((whole, False))
    for value in [a.get("title"), a.get("aria-label")] + [i.get("alt") for i in a.iter("img")]:
        value = clean_text(value)
        if value:
            found.append((value, False))
    return found


def _truncated(text: str) -> bool:
    return text.endswith(_ELLIPSIS)


@lru_cache(maxsize=4096)
def _stem(text: str) -> str:
    return norm_key(text.rstrip("….").rstrip())


def same_title(a: str, b: str) -> bool:
    """True when two renderings are the same title (one may be a truncated form)."""
    ka, kb = _stem(a), _stem(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    return (_truncated(a) and kb.startswith(ka)) or (_truncated(b) and ka.startswith(kb))


def best_title(renderings: list[tuple[str, bool]]) -> str:
    """The title a link stands for: a preferred (heading/title-classed) piece, else the longest
    text piece; other renderings replace it only when they are the same title, untruncated."""
    texts = [(t, p) for t, p in renderings if len(t.split()) >= 1]
    if not texts:
        return ""
    preferred = [t for t, p in texts if p and len(t.split()) >= 2]
    primary = max(preferred or [t for t, _ in texts], key=len)
    return pick(primary, [t for t, _ in texts])


def pick(primary: str, others: list[str]) -> str:
    """`primary`, or an untruncated or longer rendering of the same title among `others`."""
    best = primary
    for other in others:
        if other is best or not same_title(best, other):
            continue
        if _truncated(best) and not _truncated(other):
            best = other
        elif _truncated(best) == _truncated(other) and len(other) > len(best):
            best = other
    return best


def link_title(a: Any, found: list[tuple[str, bool]] | None = None) -> tuple[str, bool]:
    """(title, from_text): the link's title and whether it came from visible text; `found` is
    `renderings(a)` when the caller already has it."""
    if found is None:
        found = renderings(a)
    texts = _visible_texts(a)
    visible = [(t, p) for t, p in found if t in texts]
    if visible:
        return pick(best_title(visible), [t for t, _ in found]), True
    return best_title(found), False


def _visible_texts(a: Any) -> set[str]:
    texts = {node_text(a)}
    for el in a.iter():
        if isinstance(el.tag, str):
            texts.add(own_text(el))
    texts.discard("")
    return texts
