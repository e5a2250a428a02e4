"""The last resort for a publication date: every date written in the page's visible text, ranked.

A date scores by the words just before it ("veröffentlicht am", "published", "Erstellt am:" up;
"©", "Stand:", "updated", "Retrieved" down), by a date-like class on its element, by lying after
the headline and by its distance from it; dates in navigation, footers and sidebars score less.
Only numeric forms (`30.01.2022`, `2022-01-30`, `1/30/2022`) and month names next to a year are
considered, so the scan stays a regex pass over short text pieces. When the page yields no date
at all, htmldate (the date finder trafilatura uses) gets the last word: `htmldate_day`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from newscrawl.extract.dates import HUMAN_SPAN

_NUMERIC = re.compile(
    r"(?<![\d.:/-])(?:(?:19|20)\d\d[-/.][01]?\d[-/.][0-3]?\d"
    r"|[0-3]?\d\.\s?[01]?\d\.\s?(?:19|20)\d\d|[0-3]?\d[/-][01]?\d[/-](?:19|20)\d\d)(?![\d])"
    r"(?:[,\s]+(?:um\s+|at\s+|-\s+)?[0-2]?\d:[0-5]\d)?")
_GOOD_BEFORE = re.compile(
    r"(?:publi\w*|veröffentlicht|erschienen|erstellt|posted|geschrieben|written|datum|date|"
    r"fecha|data|dodano|opublikowano|am|on|le|el|vom|du|from)\W*$", re.I)
_BAD_BEFORE = re.compile(
    r"(?:©|copyright|stand|updated?|aktualisiert|geändert|modified|edited|revision|retrieved|"
    r"abgerufen|zugriff|accessed|bis|until|to|ab|seit|since)\W*$", re.I)
_HINT = re.compile(r"date|time|datum|publi|posted|byline|meta|info|stamp|calendar", re.I)
_BOILER = re.compile(r"footer|sidebar|widget|comment|related|teaser|nav|menu|cookie", re.I)
_DIGIT = re.compile(r"\d")
_SKIP = {"script", "style", "noscript", "template", "select", "option", "head", "title",
         "textarea", "svg"}


def _ancestry(el: Any, levels: int = 6) -> str:
    parts = []
    node = el
    for _ in range(levels):
        if node is None or not isinstance(node.tag, str):
            break
        parts.append(f"{node.tag} {node.get('class', '')} {node.get('id', '')}")
        node = node.getparent()
    return " ".join(parts)


def page_dates(doc: Any, limit: int = 400) -> list[str]:
    """Date strings from the visible text, best first (at most a few)."""
    root = doc.root
    h1 = next(iter(doc.tagged("h1")), None)
    seen_h1 = h1 is None
    found: list[tuple[float, int, str]] = []
    pieces = 0
    offset_since_h1 = 0
    stack = [(root, False)]
    order = 0
    while stack and pieces < limit * 20:
        el, done = stack.pop()
        if done:
            _scan(el.tail, el.getparent(), seen_h1, offset_since_h1, found, order)
            offset_since_h1 += len(el.tail or "") if seen_h1 else 0
            order += 1
            continue
        if not isinstance(el.tag, str) or el.tag in _SKIP:
            if el.tail:
                stack.append((el, True))
            continue
        if el is h1:
            seen_h1 = True
        pieces += 1
        if el.tail:
            stack.append((el, True))
        for child in reversed(el):
            stack.append((child, False))
        if el.text:
            _scan(el.text, el, seen_h1, offset_since_h1, found, order)
            offset_since_h1 += len(el.text) if seen_h1 else 0
            order += 1
    found.sort(key=lambda x: (-x[0], x[1]))
    return list(dict.fromkeys(raw for _, _, raw in found))[:5]


def _scan(text: str | None, el: Any, after_h1: bool, distance: int,
          found: list[tuple[float, int, str]], order: int) -> None:
    # Every pattern below needs a decimal digit, which `_DIGIT` finds in C.
    if not text or el is None or not _DIGIT.search(text):
        return
    head = text[:240]
    matches = list(_NUMERIC.finditer(head))
    if re.search(r"[^\W\d_]{3}", head):
        matches += list(HUMAN_SPAN.finditer(head))
    if not matches:
        return
    context = _ancestry(el)
    for m in matches:
        before = head[max(0, m.start() - 30):m.start()]
        score = 1.0
        if _GOOD_BEFORE.search(before):
            score += 2.0
        if _BAD_BEFORE.search(before):
            score -= 1.5
        if _HINT.search(context):
            score += 1.0
        if _BOILER.search(context):
            score -= 1.0
        if after_h1:
            score += 1.0 + max(0.0, 1.0 - distance / 3000)
        found.append((score, order, m.group(0)))


def htmldate_day(doc: Any, fetched_at: datetime, url: str | None = None) -> str | None:
    """The publication day htmldate finds in the page (`YYYY-MM-DD`), or None.

    Slower than our own search (it parses and cleans the page again), so it runs only when that
    search found nothing; measured on the corpus it recovers most of those pages.
    """
    text = doc.text
    # htmldate fetches a string that looks like a bare URL; a page is never one.
    if not text or (text.startswith("http") and " " not in text):
        return None
    try:
        from htmldate import find_date

        return find_date(text, url=url or doc.url, original_date=True, extensive_search=True,
                         outputformat="%Y-%m-%d", max_date=fetched_at.strftime("%Y-%m-%d"))
    except Exception:  # noqa: BLE001 - a fallback's own failure leaves the date empty
        return None
