"""Clean text, comparison keys and control checks: the shortcuts give the plain definition's
result on strings mixing every kind of space, invisible and control character."""

from __future__ import annotations

import html
import random
import re
import unicodedata

from newscrawl.extract.finish import _FOLD_SPLITS, _folded_words, fingerprint, word_count
from newscrawl.extract.text import _INVISIBLE, _clean, has_controls, norm_key, strip_controls

_BREAKING_SPACE = re.compile(r"[^\S\u00a0]+")
PIECES = list("ab Ź\u00a0\u00ad\u200b\t\n\x00\x0b\x1c\x85\x9f\ufeff&;é\u0301ſİß\ud800\ufffe\u2028"
              "\u3000\u202f.-_'\"\u0390\u1fb7Ǆ9") + [
    "e\u0301", "&amp;", "&nbsp;", "&#173;", "&#x200b;", "  ", "\u00a0 "]


def plain_clean(value: str) -> str:
    """The definition, step by step: entities, invisible characters, spaces, NFC."""
    value = _INVISIBLE.sub("", html.unescape(value))
    value = _BREAKING_SPACE.sub(" ", value).strip()
    return unicodedata.normalize("NFC", value)


def plain_key(value: str) -> str:
    value = re.sub(r"[^\w\s]", "", plain_clean(value).casefold())
    return re.sub(r"\s+", " ", value).strip()


def samples(n: int) -> list[str]:
    rng = random.Random(7)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14))) for _ in range(n)]


def test_clean_text_matches_the_definition() -> None:
    for text in samples(40000):
        assert _clean(text) == plain_clean(text), repr(text)


def test_norm_key_matches_the_definition() -> None:
    for text in samples(20000):
        assert norm_key(text) == plain_key(text), repr(text)


def test_has_controls_agrees_with_strip_controls() -> None:
    for text in samples(20000):
        assert has_controls(text) == (strip_controls(text) != text), repr(text)


def test_fold_splits_are_the_characters_whose_folding_moves_word_boundaries() -> None:
    word = re.compile(r"\w")
    derived = set()
    for code in range(0x110000):
        char = chr(code)
        folded = char.casefold()
        if not folded or any(bool(word.match(f)) != bool(word.match(char)) for f in folded):
            derived.add(char)
    assert {c for c in derived if _FOLD_SPLITS.match(c)} == derived
    assert [c for c in map(chr, range(0x110000)) if _FOLD_SPLITS.match(c)] == sorted(derived)


def test_word_count_and_fingerprint_words_match_the_definition() -> None:
    for text in samples(40000):
        assert _folded_words(text) == (len(re.findall(r"\w+", text)),
                                       " ".join(re.findall(r"\w+", text.casefold()))), repr(text)
    assert word_count(["İstanbul ß", "a-b c"]) == 5
    assert fingerprint("İSTANBUL", ["Straße"]) == fingerprint("i̇stanbul", ["strasse"])
