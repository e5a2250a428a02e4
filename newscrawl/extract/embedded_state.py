"""Embedded JSON state (`__NEXT_DATA__`, `window.__STATE__ = {...}`): arrays of related items.

Pages rendered by JavaScript frameworks often ship their recommendations only as data. This
module finds such state objects and the `{title, url}` entries stored under related-ish keys;
`related.py` turns them into links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from newscrawl.extract.document import Document
from newscrawl.extract.prefilter import Prefiltered

_KEY_WORDS = ("related", "recommend", "polecane", "readalso", "read_also", "morestories",
              "more_stories", "suggest")
_JSON_KEYS = re.compile("|".join(_KEY_WORDS), re.I)
#: `_JSON_KEYS` on a state's whole JSON text: without a match there (and without `\u`
#: escapes, which could spell a key's letters), none of its keys matches either, and the
#: state is not decoded at all.
_ANY_KEY = Prefiltered(_JSON_KEYS, _KEY_WORDS)
TITLE_KEYS = ("title", "headline", "name", "text")
URL_KEYS = ("url", "href", "link", "canonical", "canonicalUrl", "permalink", "path")
_STATE_RE = re.compile(r"window\.__[A-Z0-9_]*(?:STATE|DATA|PROPS)[A-Z0-9_]*__\s*=\s*", re.I)
_MAX_DEPTH = 12


def related_entries(doc: Document) -> Iterator[tuple[str, str]]:
    """(raw title, raw href) of every related-ish item in the page's embedded state."""
    for data in json_states(doc, _may_hold_key):
        for entry in _walk_related(data, depth=0):
            yield first_key(entry, TITLE_KEYS), first_key(entry, URL_KEYS)


def _may_hold_key(raw: str) -> bool:
    """Whether a JSON text can hold a key that `_JSON_KEYS` matches (see `_ANY_KEY`)."""
    return "\\u" in raw or _ANY_KEY.search(raw) is not None


def json_states(doc: Document, wanted: Callable[[str], bool] | None = None) -> list[Any]:
    """Decoded JSON of `<script type=...json>` (not JSON-LD) and `window.__*STATE__` values;
    `wanted(text)` false skips a script's text without decoding it."""
    states = []
    for script in doc.tagged("script"):
        kind = (script.get("type") or "").lower()
        if "ld+json" in kind:
            continue
        raw = script.text or ""
        if not raw or raw.isspace():  # as `not raw.strip()`, without a copy of the text
            continue
        if "json" in kind or script.get("id") == "__NEXT_DATA__":
            if wanted is not None and not wanted(raw):
                continue
            try:
                states.append(json.loads(raw))
            except ValueError:
                continue
            continue
        if "window.__" not in raw or (wanted is not None and not wanted(raw)):
            continue
        for m in _STATE_RE.finditer(raw):
            start = raw.find("{", m.end() - 1)
            if start < 0 or raw[m.end():start].strip():
                continue
            try:
                value, _ = json.JSONDecoder().raw_decode(raw, start)
            except ValueError:
                continue
            states.append(value)
    return states


def first_key(entry: dict[str, Any], keys: tuple[str, ...]) -> str:
    """The first non-empty string under `keys` (a nested `{url|href|text}` object counts)."""
    for key in keys:
        value = entry.get(key)
        if isinstance(value, dict):
            value = value.get("url") or value.get("href") or value.get("text")
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _walk_related(data: Any, depth: int) -> list[dict[str, Any]]:
    """Dicts with a title and a URL inside lists stored under related-ish keys."""
    if depth > _MAX_DEPTH:
        return []
    out: list[dict[str, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if _JSON_KEYS.search(str(key)):
                out.extend(_items_of(value))
            out.extend(_walk_related(value, depth + 1))
    elif isinstance(data, list):
        for value in data:
            out.extend(_walk_related(value, depth + 1))
    return out


def _items_of(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        for inner in ("items", "articles", "entries", "list", "data", "results"):
            if isinstance(value.get(inner), list):
                value = value[inner]
                break
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict) and first_key(v, TITLE_KEYS)
            and first_key(v, URL_KEYS)]
