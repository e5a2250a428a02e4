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
from newscrawl.extract.textstats import TextStats

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
    if enc is None or enc.replace("_", "-").lower() in ("utf-8", "utf8"):
        text = _mostly_utf8(data)
        if text is not None:
            return text, "utf-8"
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


_HIGH_BYTES = bytes(range(0x80, 0x100))


def _mostly_utf8(data: bytes) -> str | None:
    """The text, when bytes that are not strict UTF-8 still are UTF-8 but for a few broken
    sequences (a multi-byte letter cut by a truncation, say): decoded with replacement
    characters, as a browser would. In single-byte text nearly every non-ASCII byte is broken."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    return text if broken * 20 <= high else None


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
    def trees(self) -> list[Any]:
        """The root element and any top-level element beside it (broken pages parse to several)."""
        root = self.root
        before = [el for el in root.itersiblings(preceding=True) if isinstance(el.tag, str)]
        after = [el for el in root.itersiblings() if isinstance(el.tag, str)]
        return [*reversed(before), root, *after]

    def tagged(self, *tags: str) -> list[Any]:
        """Elements named `tags` under the root in document order, as `root.iter(*tags)` gives
        them, read from the index the text statistics built (no walk over the tree)."""
        by_tag = self.stats.by_tag
        if len(tags) == 1:
            return by_tag.get(tags[0], [])
        found = [el for tag in tags for el in by_tag.get(tag, ())]
        return sorted(found, key=self.stats.pos.__getitem__)

    def everywhere(self, tag: str) -> list[Any]:
        """Elements named `tag` in document order as `//tag` finds them, top-level trees beside
        the root included."""
        if len(self.trees) == 1:
            return self.tagged(tag)
        return [el for tree in self.trees for el in tree.iter(tag)]

    @cached_property
    def jsonld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object on the page, flattened out of lists and `@graph`."""
        out: list[dict[str, Any]] = []
        for script in self.everywhere("script"):
            if "ld+json" not in script.get("type", "").lower():
                continue
            raw = str(script.xpath("string()"))
            data = _loads_lenient(raw)
            _flatten_jsonld(data, out)
        return out

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """`<meta>` contents by lower-cased `name`/`property`/`itemprop`, in page order."""
        out: dict[str, list[str]] = {}
        for m in self.everywhere("meta"):
            content = (m.get("content") or "").strip()
            if not content:
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = m.get(attr)
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
        raw = (next(iter(self.root.xpath("/html/@lang")), None)
               or self.meta_first("content-language", "og:locale", "language") or "")
        m = re.match(r"\s*([A-Za-z]{2,3})\b", raw)
        return m.group(1).lower() if m else None


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
