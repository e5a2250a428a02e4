"""Authors: JSON-LD persons, bylines, meta tags, and signatures such as `(reb)` or `oprac. xyz`.

Order of trust: a portal's selector; JSON-LD persons; byline elements near the headline
(`rel=author`, `itemprop=author`, class/id tokens `author`, `byline`, `signature--author`...);
meta tags; a short "By …" / "von …" / "Autor: …" line after the headline. A signature closing the
body (`(reb)`, `oprac. jk`, `mb/`) is appended; the paragraph itself stays in the body.

Agencies (PAP, dpa, AFP, Reuters...) are credited only when no person is named: they are the
byline of agency copy, but next to a reporter's name they only say where the facts came from.
Generic credits ("Redakcja", "Redaktion", "Staff") are likewise dropped when a person is named.
The site's own name (og:site_name, the JSON-LD publisher or WebSite name, the host's registered
domain: "INTERIA.PL", "Forsal.pl") is never an author, and neither is a wire service's end mark
("(END)"): a source that names only those gives way to the next one (a byline on the page).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from newscrawl.extract.attrscan import attribute_hits
from newscrawl.extract.document import Document
from newscrawl.extract.metadata import Metadata
from newscrawl.extract.text import clean_text, node_text
from newscrawl.urls import registered_domain

AGENCIES = {
    "pap", "iar", "kai", "dpa", "afp", "ap", "reuters", "apa", "sda", "ansa", "efe", "epd",
    "kna", "dts", "ddp", "upi", "bloomberg", "tass", "ria", "anadolu", "ctk", "mti", "belga",
}
GENERIC = re.compile(
    r"^(redakcja|redaktion|redaction|rédaction|redazione|editorial(?: team| staff| board)?|"
    r"staff(?: writer| reporter)?s?|admin(?:istrator)?|newsroom|online|team|the editors|"
    r"editors?|web ?desk|news ?desk|wp\.pl|onet|guest|gast|anonymous|unknown)\b", re.I)
#: Prefixes that introduce a name in a byline.
_PREFIX = re.compile(
    r"^\s*(?:(?:written|posted|published|reported|story|text|words|interview|photos?|"
    r"compiled|edited)\s+)?(?:by|von|par|por|door|di|da|przez|autor(?:ka|zy|[/*:_]?in)?|author(?:s)?|"
    r"verfasser(?:in)?|text|tekst|oprac(?:owanie|owała|ował)?\.?|opracowanie|napisał(?:a)?|"
    r"reporter|redakcja|written by|posted by)\s*[:\-–]?\s+", re.I)
_NOT_AUTHOR = re.compile(r"^(źródło|zrodlo|source|quelle|fot\.?|foto|photo|zdjęcie|"
                         r"ilustracja|grafika|image|bild|more|mehr|über|about|see|view|alle|"
                         r"all|posts?|articles?|follow|folgen|authors?|autoren|kontakt|"
                         r"contact|share|teilen|profil|profile|read|lesen)\b", re.I)
_WEEKDAY = re.compile(r"\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                      r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
                      r"poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela)\b.*$", re.I)
_SPLIT = re.compile(r"\s*(?:,|;|&|\||/|\band\b|\bund\b|\boraz\b|\bi\b|\bet\b|\by\b|\bog\b|"
                    r"\boch\b)\s*", re.I)
_HINT = re.compile(r"(?:^|[\s_-])(?:author|authors|byline|autor|autorzy|signature--author|"
                   r"article-author|writer|verfasser|creator|contributor|reporter|by-line|"
                   r"post-author|entry-author|author-name|autor-name|meta-author)(?:$|[\s_-])",
                   re.I)
_SIGNATURE = re.compile(r"\((?P<sig>[A-Za-zÀ-žĄ-ż][\w.,/ -]{0,40}?)\)\s*$")
_END_LINE = re.compile(r"^(?:oprac(?:owanie|\.)?|opracował[a]?|autor(?:ka)?:?|tekst:?|"
                       r"(?:text|by|von):?)\s*(?P<names>[^\d]{2,80})$", re.I)
_INITIALS_SLASH = re.compile(r"^(?P<sig>[a-ząćęłńóśźż]{1,4})/(?:[a-ząćęłńóśźż]{1,4})?\s*$")


_GLUED_PREFIX = re.compile(r"^(?:By|Von)(?=[A-ZÀ-ŽĄ-Ż][a-zà-ž])")
_AFTER_BAR = re.compile(r"\s*[|•·]\s*.*$")
_AFTER_DATE = re.compile(r"\s+(?:[-–—]\s+)?\d{1,2}[./]\d{1,2}[./]\d{2,4}.*$")
_AFTER_STAMP = re.compile(r"\s*\b(?:updated|published|aktualisiert|veröffentlicht|am|on)\b.*$",
                          re.I)


def clean_name(raw: str) -> str:
    """A name without byline prefixes, roles, trailing dates and decoration."""
    name = clean_text(raw)
    for _ in range(2):
        name = _PREFIX.sub("", name)
    name = _GLUED_PREFIX.sub("", name)
    name = _WEEKDAY.sub("", name)
    name = _AFTER_BAR.sub("", name)
    name = _AFTER_DATE.sub("", name)
    name = _AFTER_STAMP.sub("", name)
    name = _SHORT_SIGN.sub("", name)
    return _trim(name)


#: A short sign after a full name ("Elena Oberholzer (obe)"): the author's initials, not a name.
_SHORT_SIGN = re.compile(r"(?<=\w)\s+\([a-ząćęłńóśźżäöüß]{2,5}\.?\)$")
_TRIM = " \t,;:-–—|·•/[]\"'"


def _trim(name: str) -> str:
    """Strip decoration from both ends; parentheses only when they do not pair up."""
    while True:
        before = name
        name = name.strip(_TRIM)
        if name.startswith("(") and name.endswith(")"):
            name = name[1:-1]
        elif name.startswith("(") and ")" not in name:
            name = name[1:]
        elif name.endswith(")") and "(" not in name:
            name = name[:-1]
        if name == before:
            return name


_DANGLING = re.compile(r"\s(?:by|von|par|por|door|di|da|przez|from)$", re.I)
#: Wire services' end-of-story marks ("(END)", "(Ende)", "-30-"), never a name.
END_MARKS = frozenset({"end", "ende", "ends", "koniec", "fin", "fine", "eom", "slut", "loppu"})


_NOT_A_NAME = re.compile(r"https?:|www\.|@|\d|[{}<>=#]|//|\w\.\w{2,}/")


def looks_like_name(name: str) -> bool:
    """Plausible as a person's or credit's name: short, few words, no URL/e-mail/digits, not
    an end mark."""
    if not name or len(name) > 60 or len(name) < 2:
        return False
    if _NOT_A_NAME.search(name):
        return False
    if name.casefold().strip(" .") in END_MARKS:
        return False
    if _DANGLING.search(name):  # "Powered by": the name that should follow is missing
        return False
    words = name.split()
    if len(words) > 6:
        return False
    if _NOT_AUTHOR.match(name):
        return False
    return any(ch.isalpha() for ch in name)


def split_names(raw: str) -> list[str]:
    """Split `A, B and C` / `A i B` / `A & B` into cleaned names."""
    text = clean_name(raw)
    if not text:
        return []
    parts = _SPLIT.split(text) if len(text.split()) > 1 or "," in text else [text]
    out = []
    for part in parts:
        name = clean_name(part)
        if not out and len(name.split()) > 6:  # opens with a sentence: not a list of names
            return []
        if looks_like_name(name):
            out.append(name)
    if len(out) > 4 and sum(" " not in n for n in out) * 2 > len(out):
        return []  # a run of single words ("CSP / International / Speicher"): a tag list
    return out


def _dedupe(names: list[str]) -> list[str]:
    """Names in order, each once: case, spaces and punctuation aside (a profile slug such as
    "sophie-foster" is the same name as "Sophie Foster")."""
    seen: set[str] = set()
    out = []
    for n in names:
        key = re.sub(r"[\W_]+", "", n.casefold()) or n.casefold()
        if key not in seen:
            seen.add(key)
            out.append(n)
    return out


#: Words one of which any byline element's attributes contain, lower-cased (a superset test,
#: cheap enough to run on every element before the exact one below).
_BYLINE_WORDS = ("author", "autor", "byline", "by-line", "writer", "verfasser", "creator",
                 "contributor", "reporter")
#: Characters that `re.I` matches to an ASCII letter but `str.lower` leaves alone (ſ, ı, İ).
_FOLD = {0x17F: "s", 0x131: "i", 0x307: None}
#: Every attribute `_byline_hit` reads: only their values are searched for `_BYLINE_WORDS`.
_BYLINE_ATTRS = ("rel", "itemprop", "class", "id", "data-testid", "href")


_AUTHOR_PATH = re.compile(r"/(?:author|autor|autorzy|authors)/")
_NOT_BYLINE = re.compile(r"comment|related|recommend|teaser|footer|widget|embed|caption|credit|"
                         r"photo", re.I)


def _byline_hit(el: Any) -> bool:
    rel = (el.get("rel") or "").lower()
    prop = (el.get("itemprop") or "").lower()
    attrs = f"{el.get('class', '')} {el.get('id', '')} {el.get('data-testid', '')}"
    href = el.get("href") or ""
    hit = ("author" in rel.split() or prop in ("author", "creator")
           or _HINT.search(attrs) is not None
           or (el.tag == "a" and _AUTHOR_PATH.search(href)))
    return bool(hit) and not _NOT_BYLINE.search(attrs)


def _byline_nodes(doc: Document) -> list[Any]:
    """Elements that carry a byline, those after the first <h1> first."""
    elements = doc.elements
    h1 = next(iter(doc.tagged("h1")), None)
    start = doc.stats.pos[h1] if h1 is not None else 0
    first: list[Any] = []
    before: list[Any] = []
    for i in attribute_hits(elements, _BYLINE_ATTRS, _BYLINE_WORDS, _FOLD):
        el = elements[i]
        if el.tag not in ("script", "style", "meta", "link", "img") and _byline_hit(el):
            (first if i >= start else before).append(el)
    return first + before


def _node_names(el: Any) -> list[str]:
    named = el.xpath(".//*[@itemprop='name']")
    if named:
        texts = [node_text(n) or (n.get("content") or "") for n in named]
    else:
        texts = [node_text(el)]
    names: list[str] = []
    for text in texts:
        if not text or len(text) > 200:
            continue
        names.extend(split_names(text))
    return names


def byline_names(doc: Document, limit: int = 4) -> list[str]:
    """Names from the first byline elements of the page."""
    out: list[str] = []
    first_key = None
    for el in _byline_nodes(doc):
        key = (el.tag, el.get("class"), el.get("itemprop"), el.get("rel"))
        if first_key is not None and (key != first_key or len(out) >= limit):
            break
        names = _node_names(el)
        if names:
            out.extend(names)
            first_key = key
    return _dedupe(out)


def line_names(doc: Document, window: int = 30) -> list[str]:
    """A short "By …" / "von …" / "Autor: …" line among the first text lines after the <h1>."""
    h1 = next(iter(doc.tagged("h1")), None)
    if h1 is None:
        return []
    count = 0
    for el in h1.itersiblings():
        if not isinstance(el.tag, str):
            continue
        for node in el.iter():
            if not isinstance(node.tag, str) or node.tag in ("script", "style"):
                continue
            text = node_text(node) if node.tag in ("p", "span", "div", "i", "em") else ""
            count += 1
            if count > window:
                return []
            if text and len(text) < 80 and re.match(
                    r"^(?:by|von|autor(?:ka)?:|author:|text:|tekst:)\s+\S", text, re.I):
                names = split_names(text)
                if names:
                    return names
    return []


def signature_names(paragraphs: list[str]) -> list[str]:
    """Signatures closing the body: `… (reb)`, `(PAP)`, `oprac. jk`, `Autor: X`, `mb/`."""
    for para in reversed(paragraphs[-3:]):
        text = clean_text(para)
        if not text:
            continue
        m = _SIGNATURE.search(text)
        if m and not re.search(r"\d", m["sig"]):
            sig = m["sig"].strip()
            parts = [p for p in re.split(r"\s*[,/;]\s*|\s+i\s+", sig) if p]
            if parts and all(len(p) <= 25 and len(p.split()) <= 3 for p in parts):
                return [p for p in parts if looks_like_name(p)]
        m = _END_LINE.match(text)
        if m and len(text) < 90:
            names = split_names(m["names"])
            if names:
                return names
        m = _INITIALS_SLASH.match(text)
        if m:
            return [m["sig"]]
        break
    return []


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ł": "l"})
_DOMAIN = re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.I)


def _key(text: str) -> str:
    """Letters and digits only, lower case, accents dropped: "DoRzeczy.pl" -> "dorzeczypl"."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_UMLAUTS))
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


class SiteNames:
    """The names a site goes by, to tell a site credited as author from a person."""

    def __init__(self, doc: Document, md: Metadata) -> None:
        named = [md.site_name or "", *md.publishers]
        self.named = {k for k in (_key(n.lstrip("@")) for n in named) if len(k) >= 2}
        host = (urlsplit(doc.url or "").hostname or "").removeprefix("www.")
        self.domain = registered_domain(host) if host else ""
        label = self.domain.split(".")[0]
        self.host = {k for k in (_key(host), _key(self.domain), _key(label)) if k}

    def __contains__(self, name: str) -> bool:
        key = _key(name)
        if not key:
            return False
        if key in self.named or any(len(k) >= 5 and k in key for k in self.named):
            return True
        if any(registered_domain(d) == self.domain for d in _DOMAIN.findall(name)):
            return True
        # The host alone names a site; a person's name spelled as a host (a personal blog)
        # stays an author.
        return (key in self.host or any(len(k) >= 5 and k in key for k in self.host)
                ) and not _person_shaped(name)


def _person_shaped(name: str) -> bool:
    """Two to four capitalised words without dots: how a person's name is written."""
    words = name.split()
    return 2 <= len(words) <= 4 and "." not in name and all(
        w[:1].isupper() and not w.isupper() for w in words)


def _is_agency(name: str) -> bool:
    return name.casefold().strip(". ") in AGENCIES


def _finalise(names: list[str]) -> list[str]:
    names = _dedupe([n for n in names if looks_like_name(n)])
    people = [n for n in names if not GENERIC.match(n) and not _is_agency(n)]
    if people:
        return _dedupe(people)
    return names


def find_authors(doc: Document, md: Metadata, paragraphs: list[str], *,
                 css: str | None = None) -> list[str]:
    """Author names in page order, deduplicated case-insensitively; a portal's `css` wins."""
    site = SiteNames(doc, md)

    def people(names: list[str]) -> list[str]:
        return [n for n in names if n not in site]

    def credited(raws: list[str]) -> list[str]:
        """Names in each raw credit; one that names the site ("hessenschau.de, Frankfurt,
        Germany") is a site-wide credit, so only a person's full name in it stays."""
        out = []
        for raw in raws:
            names = split_names(raw)
            if any(n in site for n in names):
                names = [n for n in names if n not in site and " " in n]
            out.extend(names)
        return out

    found: list[str] = []
    if css:
        for sel in doc.selector.css(css):
            text = node_text(sel.root) if not isinstance(sel.root, str) else sel.root
            found.extend(split_names(text))
        found = people(found)
    if not found:
        found = credited(md.authors)
    if not found:
        found = credited(md.meta_authors)
    if not found:
        found = people(byline_names(doc))
    if not found:
        found = people(line_names(doc))
    if not found and md.author_orgs:
        found = credited(md.author_orgs)
    found = found + people(signature_names(paragraphs))
    return _finalise(found)
