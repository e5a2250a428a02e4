"""A parsed page: decoded text, parsel Selector, URL, and cached JSON-LD / meta lookups.

Decoding follows the rules a browser uses without HTTP headers: BOM, then the document's own
declaration (`<meta charset>`, `http-equiv`), then detection. Valid UTF-8 wins over a declared
single-byte charset, because such a declaration is the most common lie and the reverse mistake
(single-byte text that happens to be valid UTF-8) practically never happens.
"""

from __future__ import annotations

import codecs
import json
import re
from functools import cached_property
from typing import Any

import lxml.html
from lxml import etree
from parsel import Selector
from w3lib.encoding import html_body_declared_encoding, resolve_encoding

from newscrawl.extract.errors import ExtractionError

#: Pages are cut to this many bytes before parsing; news articles are far smaller, and the cap
#: keeps a hostile 100 MB body from costing seconds of parse time.
MAX_HTML_BYTES = 8 * 1024 * 1024

_BINARY_MAGIC = (
    b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BZh",
    b"\x7fELF", b"RIFF", b"OggS", b"ID3", b"\x00\x00\x01\x00", b"wOFF", b"wOF2",
)
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
#: Control bytes other than tab, line feed, vertical tab, form feed and carriage return.
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b)
#: lxml.html's own lookup picks an element class per node in Python (form, input, label...);
#: this one always gives `HtmlElement`, in C, which makes every walk over the tree cheaper.
_CLASS_LOOKUP = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


def _looks_binary(data: bytes) -> bool:
    head = data[:2048]
    if head.lstrip().startswith(_BINARY_MAGIC):
        return True
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return head.count(0) > 0 or controls / len(head) > 0.1


def decode_html(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) for raw page bytes; raise ExtractionError for non-HTML bytes."""
    if not data:
        return "", "utf-8"
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), enc
    if _looks_binary(data):
        raise ExtractionError("not an HTML document: the bytes are binary")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = html_body_declared_encoding(data[:8192])
    enc = resolve_encoding(declared) if declared else None
    if enc and enc.replace("_", "-").lower() in ("iso8859-2", "iso-8859-2", "latin2"):
        # Polish pages labelled ISO-8859-2 are often windows-1250 (C1 bytes give it away).
        if _C1_BYTES.search(data):
            enc = "cp1250"
    if enc and not enc.lower().startswith("utf"):
        return data.decode(enc, errors="replace"), enc
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    enc = best.encoding if best else "cp1252"
    if enc.startswith(("cp125", "iso8859", "latin", "mac")) or enc in ("ascii", "utf_8"):
        enc = _latin_family(data)
    return data.decode(enc, errors="replace"), enc


# Bytes that are Polish letters in one single-byte charset and symbols in the others.
_CP1250_PL = re.compile(rb"[\x8c\x8f\x9c\x9f\xa5\xb9]")
_LATIN2_PL = re.compile(rb"[\xa1\xa6\xac\xb1\xb6\xbc]")


def _latin_family(data: bytes) -> str:
    """Pick windows-1250, ISO-8859-2 or windows-1252 for undeclared single-byte text."""
    has_c1 = _C1_BYTES.search(data) is not None
    if has_c1:
        return "cp1250" if _CP1250_PL.search(data) else "cp1252"
    return "iso8859_2" if _LATIN2_PL.search(data) else "cp1252"


class Document:
    """One page, parsed once; every extraction layer reads from it."""

    def __init__(self, html: bytes | str, url: str) -> None:
        if isinstance(html, bytes):
            text, self.encoding = decode_html(html[:MAX_HTML_BYTES])
        elif isinstance(html, str):
            text, self.encoding = html[:MAX_HTML_BYTES], "unicode"
        else:
            raise ExtractionError(f"expected bytes or str, got {type(html).__name__}")
        if "\x00" in text:
            text = text.replace("\x00", "")
        self.url = url
        self.text = text
        self.selector = Selector(root=parse_html(text, url), type="html", base_url=url)

    @cached_property
    def root(self) -> Any:
        """The lxml root element."""
        return self.selector.root

    @cached_property
    def elements(self) -> list[Any]:
        """Every element of the tree in document order (comments and PIs left out).

        Holding the list keeps lxml's element proxies alive, so later walks reuse them.
        """
        return list(self.root.iter(etree.Element))

    @cached_property
    def stats(self) -> TextStats:
        """Per-element text, link-text and prose lengths, from one bottom-up pass."""
        return TextStats(self.elements)

    @cached_property
    def jsonld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object on the page, flattened out of lists and `@graph`."""
        out: list[dict[str, Any]] = []
        for script in self.selector.xpath("//script[@type]"):
            if "ld+json" not in script.attrib.get("type", "").lower():
                continue
            raw = script.xpath("string()").get() or ""
            data = _loads_lenient(raw)
            _flatten_jsonld(data, out)
        return out

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """`<meta>` contents by lower-cased `name`/`property`/`itemprop`, in page order."""
        out: dict[str, list[str]] = {}
        for m in self.selector.xpath("//meta[@content]"):
            content = (m.attrib.get("content") or "").strip()
            if not content:
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = m.attrib.get(attr)
                if key:
                    out.setdefault(key.strip().lower(), []).append(content)
        return out

    def meta_first(self, *names: str) -> str | None:
        """The first non-empty meta content among `names`, in the order given."""
        for name in names:
            values = self.meta.get(name)
            if values:
                return values[0]
        return None

    @cached_property
    def lang(self) -> str | None:
        """Declared primary language subtag (`<html lang>`, Content-Language, og:locale)."""
        raw = (self.selector.xpath("/html/@lang").get()
               or self.meta_first("content-language", "og:locale", "language") or "")
        m = re.match(r"\s*([A-Za-z]{2,3})\b", raw)
        return m.group(1).lower() if m else None


class TextStats:
    """Per-element counts of visible text, computed once for the whole tree.

    `text`: visible characters (scripts, styles, templates excluded; each text node stripped);
    `links`: the part of it inside `<a>`; `prose`: characters of paragraphs, i.e. elements in
    `paragraphs` (a `p`-like element with at least `PROSE_MIN` characters of non-link text, or
    a `div` with that much text written straight into it); `units`: how many paragraphs;
    `main`: the element whose own paragraphs hold the most text (the main-text anchor);
    `pos`/`end`: the element's subtree as a range of positions in document order;
    `direct`: by position, characters written straight into the element (own text and tails);
    `short_texts`: (element, text) for its own text or a child's tail, non-blank and shorter than
    `SHORT_TEXT` characters.
    """

    PROSE_MIN = 150
    SHORT_TEXT = 160
    _HIDDEN = frozenset(("script", "style", "noscript", "template", "head", "title"))
    _PARAGRAPHS = frozenset(("p", "blockquote", "pre", "li", "dd", "td"))
    _TEXT_DIVS = frozenset(("div", "section", "article", "main", "span", "font", "center"))

    def __init__(self, elements: list[Any]) -> None:
        self.pos: dict[Any, int] = {el: i for i, el in enumerate(elements)}
        self.end: dict[Any, int] = {}
        self.text: dict[Any, int] = {}
        self.links: dict[Any, int] = {}
        self.prose: dict[Any, int] = {}
        self.units: dict[Any, int] = {}
        self.paragraphs: set[Any] = set()
        self.main: Any | None = None
        self.main_prose = 0
        self.direct: list[int] = [0] * len(elements)
        self.short_texts: list[tuple[Any, str]] = []
        self._aggregate(elements)

    def _aggregate(self, elements: list[Any]) -> None:
        text, links, prose, units, end = self.text, self.links, self.prose, self.units, self.end
        hidden, paragraphs, divs, minimum = (self._HIDDEN, self._PARAGRAPHS, self._TEXT_DIVS,
                                             self.PROSE_MIN)
        held: dict[Any, int] = {}
        direct_of, shorts, short = self.direct, self.short_texts, self.SHORT_TEXT
        for i in range(len(elements) - 1, -1, -1):
            el = elements[i]
            last = i + 1
            own = el.text
            direct = len(own.strip()) if own else 0
            if direct and len(own) < short:
                shorts.append((el, own))
            t = lk = pr = un = 0
            for child in el:
                tail = child.tail
                if child in text:
                    if tail:
                        n = len(tail.strip())
                        if n:
                            direct += n
                            if len(tail) < short:
                                shorts.append((el, tail))
                    t += text[child]
                    lk += links[child]
                    pr += prose[child]
                    un += units[child]
                    last = end[child]
                elif tail:
                    direct += len(tail.strip())
            end[el] = last
            direct_of[i] = direct
            tag = el.tag
            if tag in hidden:
                text[el] = links[el] = prose[el] = units[el] = 0
                continue
            t += direct
            unit = 0
            if tag == "a":
                lk, pr, un = t, 0, 0
            elif tag in paragraphs:
                if t - lk >= minimum and lk < t * 0.5 and t - lk > pr:
                    unit = pr = t - lk
                    un = 1
            elif direct >= minimum and tag in divs:
                unit = direct
                pr, un = pr + direct, un + 1
            if unit:
                self.paragraphs.add(el)
                parent = el.getparent()
                if parent is not None:
                    held[parent] = held.get(parent, 0) + unit
            text[el], links[el], prose[el], units[el] = t, lk, pr, un
        if held:
            self.main = max(held, key=held.__getitem__)
            self.main_prose = held[self.main]

    def inside(self, el: Any, block: Any) -> bool:
        """True when `el` is `block` or one of its descendants."""
        return self.pos[block] <= self.pos[el] < self.end[block]


def parse_html(text: str, base_url: str | None = None) -> Any:
    """The lxml root of decoded page text (parsed as parsel would, with a C class lookup)."""
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    parser.set_element_class_lookup(_CLASS_LOOKUP)
    body = text.strip().encode("utf-8", errors="replace") or b"<html/>"
    root = etree.fromstring(body, parser=parser, base_url=base_url)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser, base_url=base_url)
    return root


_SCRIPT_WRAPPERS = re.compile(
    r"^(?:/\*\s*)?(?:<!--|<!\[CDATA\[)(?:\s*\*/)?|(?:/\*\s*)?(?:-->|\]\]>)(?:\s*\*/)?$")


def _loads_lenient(raw: str) -> Any:
    """json.loads that survives comment/CDATA wrappers, control characters, trailing commas."""
    raw = raw.strip()
    if not raw:
        return None
    # Script bodies wrapped for old XHTML parsers: `<!-- ... -->`, `/*<![CDATA[*/ ... /*]]>*/`.
    raw = _SCRIPT_WRAPPERS.sub("", raw).strip()
    try:
        return json.loads(raw)
    except ValueError:
        pass
    # Common breakage: raw control characters inside strings, trailing semicolons/commas.
    cleaned = re.sub(r"[\x00-\x1f]+", " ", raw).rstrip(";")
    cleaned = re.sub(r",\s*([\]}])", r"\1", cleaned)
    try:
        return json.loads(cleaned)
    except ValueError:
        return None


def _flatten_jsonld(data: Any, out: list[dict[str, Any]]) -> None:
    if isinstance(data, list):
        for entry in data:
            _flatten_jsonld(entry, out)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            _flatten_jsonld(graph, out)
        if "@type" in data:
            out.append(data)
