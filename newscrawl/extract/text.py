"""Text clean-up shared by every extraction layer: one definition of "clean text"."""

from __future__ import annotations

import html
import re
import unicodedata

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff]")
_SPACE = re.compile(r"\s+")
# No-break spaces are kept: Polish typography binds one-letter words ("z\u00a0NATO") with them.
_BREAKING_SPACE = re.compile(r"[^\S\u00a0]+")


def clean_text(value: str | None) -> str:
    """NFC, entities decoded, invisible characters dropped, breaking whitespace collapsed."""
    if not value:
        return ""
    if "&" in value:
        value = html.unescape(value)
    value = _INVISIBLE.sub("", value)
    value = _BREAKING_SPACE.sub(" ", value).strip()
    return unicodedata.normalize("NFC", value)


def norm_key(value: str | None) -> str:
    """A comparison key: clean, case-folded, punctuation and quotes dropped."""
    value = clean_text(value).casefold()
    value = re.sub(r"[^\w\s]", "", value)
    return _SPACE.sub(" ", value).strip()


def node_text(node) -> str:
    """Clean visible text of an lxml element (scripts and styles excluded)."""
    parts = node.xpath(".//text()[not(ancestor::script or ancestor::style "
                       "or ancestor::noscript or ancestor::template)]")
    return clean_text("".join(parts)) if parts else ""


def word_count(paragraphs: list[str]) -> int:
    """Words in the given paragraphs, counted as `\\w+` runs."""
    return sum(len(re.findall(r"\w+", p)) for p in paragraphs)
