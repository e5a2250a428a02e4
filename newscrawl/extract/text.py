"""Text clean-up shared by every extraction layer: one definition of "clean text"."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import Any

#: Characters no text field may hold: C0 controls but tab, line feed and carriage return,
#: DEL, C1 controls, lone surrogates (JSON-LD's `"\\ud800"` decodes to one) and noncharacters.
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS
_CONTROL = re.compile(f"[{_CONTROLS}]")
# Control characters that are whitespace (\v \f \x1c-\x1f \x85) become spaces with the rest
# of the whitespace; the others are dropped with the invisible characters, in the same pass.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
                        "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff"
                        f"{_NONCHARACTERS}]")
#: Elements whose text is never visible.
HIDDEN_TAGS = ("script", "style", "noscript", "template")


def clean_text(value: str | None) -> str:
    """NFC, entities decoded, invisible and control characters dropped, breaking whitespace
    collapsed: the one definition of clean text."""
    if not value:
        return ""
    if len(value) <= _CACHED_LEN:
        return _clean_cached(value)
    return _clean(value)


#: Short strings (names, labels, link titles) repeat within and across pages: they are cached.
_CACHED_LEN = 300


def _clean(value: str) -> str:
    if "&" not in value and value.isprintable() and "  " not in value \
            and value[:1] != " " and value[-1:] != " ":
        # Already clean but maybe for NFC (text cleaned before, say): every whitespace
        # character but the space, and every invisible or control one, is unprintable, so
        # there is nothing to decode, drop or collapse (the same result as below).
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if value.isascii() and "&" not in value:
        # the same result as below: ASCII text is NFC and holds no invisible characters; once
        # whitespace is collapsed, only control characters make it unprintable
        value = " ".join(value.split())
        return value if value.isprintable() else " ".join(_INVISIBLE.sub("", value).split())
    if "&" in value:
        value = html.unescape(value)
    joined = " ".join(value.split())
    if not joined.isprintable():
        # invisible characters are neither whitespace nor printable: only then is there any
        value = _INVISIBLE.sub("", value)
        joined = " ".join(value.split())
    if "\u00a0" in value:
        # No-break spaces are kept: Polish typography binds one-letter words ("z\u00a0NATO")
        # with them. They stand aside as NUL (no longer in the text) while the other
        # whitespace collapses to single spaces; the ends are stripped of both.
        value = " ".join(value.replace("\u00a0", "\x00").split()).replace("\x00", "\u00a0")
        value = value.strip()
    else:  # the same result: str.split() and `\s` both split on str.isspace() characters
        value = joined
    return unicodedata.normalize("NFC", value)


_clean_cached = lru_cache(maxsize=16384)(_clean)


def strip_controls(value: str) -> str:
    """`value` without control characters, lone surrogates and noncharacters (tab, line feed
    and carriage return kept): for fields that are not clean text, such as URLs."""
    return _CONTROL.sub("", value)


def has_controls(value: str) -> bool:
    """True when `value` holds a character `strip_controls` removes."""
    # every character the pattern matches is unprintable: printable text needs no scan
    return not value.isprintable() and _CONTROL.search(value) is not None


def norm_key(value: str | None) -> str:
    """A comparison key: clean, case-folded, punctuation and quotes dropped."""
    if not value:
        return ""
    if len(value) <= _CACHED_LEN:
        return _norm_key_cached(value)
    return _norm_key(value)


_PUNCT = re.compile(r"[^\w\s]+")
#: The ASCII characters `_PUNCT` removes, for `bytes.translate` (far faster than the regex).
_ASCII_PUNCT = bytes(c for c in range(128) if _PUNCT.match(chr(c)))


def _norm_key(value: str) -> str:
    value = clean_text(value).casefold()
    if value.isascii():
        value = value.encode("ascii").translate(None, _ASCII_PUNCT).decode("ascii")
    else:
        value = _PUNCT.sub("", value)
    return " ".join(value.split())  # as `\s+` runs collapsed and stripped


#: Titles, names and site labels are compared many times per page: their keys are cached.
_norm_key_cached = lru_cache(maxsize=4096)(_norm_key)


def node_text(node: Any) -> str:
    """Clean visible text of an lxml element (scripts and styles excluded)."""
    if not isinstance(node.tag, str) or node.tag in HIDDEN_TAGS \
            or next(node.iterancestors(*HIDDEN_TAGS), None) is not None:
        return ""
    if next(node.iterdescendants(*HIDDEN_TAGS), None) is None:
        text = "".join(node.itertext())
    else:
        text = "".join(_visible_parts(node))
    return clean_text(text) if text else ""


def _visible_parts(node: Any) -> list[str]:
    """Text pieces of `node` in document order, skipping hidden subtrees (keeping their tails)."""
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(node, False)]
    while stack:
        el, tail = stack.pop()
        if tail:
            if el.tail:
                parts.append(el.tail)
            continue
        if el is not node:
            stack.append((el, True))
        if not isinstance(el.tag, str) or el.tag in HIDDEN_TAGS:
            continue
        if el.text:
            parts.append(el.text)
        stack.extend((child, False) for child in reversed(el))
    return parts

