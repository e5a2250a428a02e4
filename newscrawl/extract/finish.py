"""The one definition of an article's text, applied last when an Article is assembled.

`finish()` is what `extract_article`, `newscrawl extract`, `newscrawl evaluate` and crawls all
emit: every text field clean (`clean_text`), authors and tags clean and unique, body paragraphs
without page furniture (`BOILERPLATE_PATTERNS` plus any extra patterns), without a "read more"
link glued to their end, without titles of the related block and without the lead repeated as
the first paragraph; then `word_count` and `fingerprint` of that body. It is idempotent.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, TypeVar

from itemadapter import ItemAdapter

from newscrawl.extract.text import clean_text, norm_key

#: Whole paragraphs that are page furniture, not article text (matched case-insensitively
#: against the cleaned paragraph; crawls extend them with NEWSCRAWL_BOILERPLATE_PATTERNS).
BOILERPLATE_PATTERNS: tuple[str, ...] = (
    # "Czytaj więcej", "Czytaj także: <title>", "Zobacz też:", "Przeczytaj również ..."
    r"(czytaj|przeczytaj|zobacz)\s+(więcej|też|także|również)\b.{0,250}",
    r"(reklama|advertisement|anzeige|werbung|sponsored|materiał sponsorowany)",
    r"(udostępnij|podziel się|share|teilen)( (to|ten artykuł|artykuł|this|on \w+|na \w+))?"
    r"[.:!]?",
    r"(dalsza część|dalszy ciąg) (artykułu|tekstu) pod (materiałem wideo|reklamą|filmem)\.?",
    r"(artykuł|tekst) (jest )?kontynuowany pod (reklamą|materiałem wideo)\.?",
    r"(wybrane dla ciebie|polecane|polecamy|najnowsze|zobacz także|czytaj także|"
    r"related articles|read more|mehr zum thema|das könnte sie auch interessieren)[:.]?",
    r"(skomentuj|komentarze|comments)( \(\d+\))?",
    r"(read more|weiterlesen|lesen sie auch)\b.{0,250}",
)
#: A "read more" link glued to the end of a teaser paragraph ("... Czytaj więcej »"): one of
#: these words, then optional spaces and arrows or dots, at the very end.
READ_MORE_WORDS = re.compile(r"(?:czytaj (?:więcej|dalej)|read more|weiterlesen|mehr lesen)$",
                             re.IGNORECASE)
READ_MORE_ARROWS = "»›>…."
_READ_MORE_MAX = 13  # the longest of READ_MORE_WORDS
#: Fields whose value is one line of text.
TEXT_FIELDS = ("headline", "lead", "section", "published_raw", "portal", "language")
#: Fields whose value is a list of short texts, kept unique in page order.
LIST_FIELDS = ("authors", "tags")
#: Paragraphs longer than this are never taken for a related link's title.
MAX_TITLE_LEN = 400

_WORD = re.compile(r"\w+")
ItemT = TypeVar("ItemT")


@lru_cache(maxsize=32)
def boilerplate_matcher(extra_patterns: tuple[str, ...] = ()) -> re.Pattern[str]:
    """One compiled regex for whole-paragraph furniture: the built-in patterns and `extra`."""
    pattern = "|".join(f"(?:{p})" for p in (*BOILERPLATE_PATTERNS, *extra_patterns))
    return re.compile(rf"^(?:{pattern})$", re.IGNORECASE | re.DOTALL)


def is_boilerplate(paragraph: str, extra_patterns: Iterable[str] = ()) -> bool:
    """True for a clean paragraph that is page furniture (share prompts, "Czytaj także: ...")."""
    return bool(boilerplate_matcher(tuple(extra_patterns)).match(paragraph))


def without_lead_repeat(paragraphs: list[str], lead: str | None) -> list[str]:
    """The paragraphs without a first one that repeats the lead (compared by `norm_key`)."""
    if lead and paragraphs and norm_key(paragraphs[0]) == norm_key(lead):
        return paragraphs[1:]
    return paragraphs


def strip_read_more(paragraph: str) -> str:
    """`paragraph` without a "read more" link glued to its end (checked from the end only:
    a regex anchored at `$` would be tried at every space of a long paragraph)."""
    core = paragraph.rstrip(READ_MORE_ARROWS).rstrip()
    found = READ_MORE_WORDS.search(core, max(0, len(core) - _READ_MORE_MAX))
    return core[:found.start()].rstrip() if found else paragraph


def clean_body(body: Iterable[str], *, lead: str | None = None,
               related_titles: Iterable[str] = (),
               extra_patterns: Iterable[str] = ()) -> list[str]:
    """Body paragraphs clean, without furniture, glued "read more" links, empty paragraphs,
    related titles, and the lead repeated first."""
    matcher = boilerplate_matcher(tuple(extra_patterns))
    titles = {norm_key(t) for t in related_titles}
    titles.discard("")
    out: list[str] = []
    for raw in body:
        para = clean_text(raw)
        if para and matcher.match(para):
            continue
        para = strip_read_more(para)
        if not para:
            continue
        if titles and len(para) <= MAX_TITLE_LEN and norm_key(para) in titles:
            continue
        out.append(para)
    return without_lead_repeat(out, lead)


def fingerprint(headline: str | None, body: Iterable[str] | None) -> str:
    """A stable content hash: SHA-1 of the case-folded words (`\\w+` runs) of the clean headline
    and of each paragraph. Case, punctuation, spacing and invisible characters do not change it;
    words and paragraph breaks do."""
    return _fingerprint_clean(clean_text(headline), [clean_text(p) for p in body or ()])


def _fingerprint_clean(headline: str, body: list[str]) -> str:
    return _count_and_fingerprint(headline, body)[1]


def word_count(paragraphs: list[str]) -> int:
    """Words in the given paragraphs, counted as `\\w+` runs."""
    return sum(len(_WORD.findall(p)) for p in paragraphs)


def _count_and_fingerprint(headline: str, body: list[str]) -> tuple[int, str]:
    """`word_count(body)` and the fingerprint of clean `headline` and `body`, from one word
    split of each text."""
    count = 0
    parts = [_folded_words(headline)[1]]
    for text in body:
        words, folded = _folded_words(text)
        count += words
        parts.append(folded)
    return count, hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()


#: The characters whose case folding turns a word character into others that are not, or the
#: reverse ("İ" folds to "i" and a combining dot): only with one of them can the words of the
#: folded text differ from the folded words (tests/test_fingerprint.py derives the set).
_FOLD_SPLITS = re.compile("[\u0130\u01f0\u0345\u0390\u03b0\u1e96-\u1e99\u1f50\u1f52\u1f54"
                          "\u1f56\u1fb6\u1fb7\u1fc6\u1fc7\u1fd2\u1fd3\u1fd6\u1fd7\u1fe2-\u1fe4"
                          "\u1fe6\u1fe7\u1ff6\u1ff7]")


def _folded_words(text: str) -> tuple[int, str]:
    """How many `\\w+` words `text` holds, and the words of its case-folded form joined by
    spaces (its own words, folded, unless a character of `_FOLD_SPLITS` is in it)."""
    words = _WORD.findall(text)
    if text.isascii() or _FOLD_SPLITS.search(text) is None:
        return len(words), " ".join(words).casefold()
    return len(words), " ".join(_WORD.findall(text.casefold()))


def _link_title(link: Any) -> str:
    return (link.get("title") if isinstance(link, dict) else getattr(link, "title", "")) or ""


def finish(item: ItemT, extra_patterns: Iterable[str] = ()) -> ItemT:
    """Apply the article text definition to `item` (an Article, a dict or any item type) in
    place and return it; `extra_patterns` adds whole-paragraph furniture regexes."""
    a = ItemAdapter(item)
    for name in TEXT_FIELDS:
        value = a.get(name)
        if isinstance(value, str):
            a[name] = clean_text(value) or None
    for name in LIST_FIELDS:
        if a.get(name):
            a[name] = list(dict.fromkeys(v for v in map(clean_text, a[name]) if v))
    body = clean_body(a.get("body") or [], lead=a.get("lead"),
                      related_titles=[_link_title(r) for r in a.get("related") or []],
                      extra_patterns=extra_patterns)
    a["body"] = body
    a["word_count"], a["fingerprint"] = _count_and_fingerprint(a.get("headline") or "", body)
    return item
