"""Embedded JSON state (`__NEXT_DATA__`, `window.__STATE__ = {...}`): arrays of related items.

Pages rendered by JavaScript frameworks often ship their recommendations only as data. This
module finds such state objects and the `{title, url}` entries stored under related-ish keys;
`related.py` turns them into links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from newscrawl.extract.document import Document

_JSON_KEYS = re.compile(r"related|recommend|polecane|readalso|read_also|morestories|"
                        r"more_stories|suggest", re.I)
TITLE_KEYS = ("title", "headline", "name", "text")
URL_KEYS = ("url", "href", "link", "canonical", "canonicalUrl", "permalink", "path")
_STATE_RE = re.compile(r"window\.__[A-Z0-9_]*(?:STATE|DATA|PROPS)[A-Z0-9_]*__\s*=\s*", re.I)
_MAX_DEPTH = 12


def related_entries(doc: Document) -> Iterator[tuple[str, str]]:
    """(raw title, raw href) of every related-ish item in the page's embedded state."""
    for data in json_states(doc):
        for entry in _walk_related(data, depth=0):
            yield first_key(entry, TITLE_KEYS), first_key(entry, URL_KEYS)


def json_states(doc: Document) -> list[Any]:
    """Decoded JSON of `<script type=...json>` (not JSON-LD) and `window.__*STATE__` values."""
    states = []
    for script in doc.tagged("script"):
        kind = (script.get("type") or "").lower()
        if "ld+json" in kind:
            continue
        raw = script.text or ""
        if not raw.strip():
            continue
        if "json" in kind or script.get("id") == "__NEXT_DATA__":
            try:
                states.append(json.loads(raw))
            except ValueError:
                continue
            continue
        if "window.__" not in raw:
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
