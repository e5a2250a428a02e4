"""A parsed page: decoded text, parsel Selector, URL, and cached JSON-LD / meta lookups.

One decoding path serves crawls and `newscrawl extract`: the spider passes the raw body and the
HTTP `Content-Type` header, and the bytes are decoded here. Precedence, first match wins:

1. A byte-order mark (UTF-8, UTF-16 LE/BE), whatever the header or the page declare.
2. Binary content (magic numbers, or a high share of control bytes) is rejected with
   ExtractionError; UTF-16 without a BOM (every other byte NUL) is recognised and decoded.
   A few stray NULs or control bytes do not make a page binary: they are dropped from the text.
3. Bytes that are valid UTF-8 are UTF-8, even when the header or `<meta>` name a single-byte
   charset: such a label is the most common lie, and the reverse mistake (single-byte text that
   happens to be valid UTF-8) practically never happens.
4. The declared charset: the header's and the document's own (`<meta charset>`, `http-equiv`).
   When only one is given, or both agree, it is used; when they disagree, neither is trusted
   and the bytes decide (detection, as for an undeclared page). A declaration of UTF-8 over
   bytes that are not UTF-8 is caught: a few broken sequences (a cut letter) stay UTF-8 with
   replacement characters, otherwise the bytes decide. ISO-8859-2 over bytes with C1 codes is
   read as windows-1250 (Polish pages mislabelled that way are common).
5. Detection (charset_normalizer on a sample, then windows-1250 / ISO-8859-2 / windows-1252 by
   the bytes that are Polish letters in one of them only).

Memory is bounded before decoding: the bytes are cut to MAX_HTML_BYTES, inline `<script>` /
`<style>` contents and `data:` URIs longer than MAX_INLINE_BYTES are emptied, what is left is
cut to MAX_MARKUP_BYTES and to MAX_HTML_TAGS tags. Every limit is several times what any page
of the evaluation corpus needs (largest page 2.9 MB, of which 1.7 MB is one script; largest
markup without scripts 1.0 MB; most tags 19,437), so ordinary pages are parsed whole.
"""

from __future__ import annotations

import codecs
import json
import re
from functools import cached_property
from typing import Any, AnyStr

import lxml.html
from lxml import etree
from parsel import Selector
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    resolve_encoding,
)

from newscrawl.extract.compiled import tree_passes
from newscrawl.extract.errors import ExtractionError
from newscrawl.extract.repair import (
    closes_early,
    drop_ruby_readings,
    open_article_templates,
    without_html_end,
)
from newscrawl.extract.textstats import TextStats

#: Pages are cut to this many bytes before anything else: a hostile 100 MB body costs no more
#: than an 8 MB one.
MAX_HTML_BYTES = 8 * 1024 * 1024
#: Inline script/style contents and `data:` URIs longer than this are emptied before parsing
#: (the element stays). The corpus's largest script is 1.7 MB, its largest data URI 190 KB.
MAX_INLINE_BYTES = 2 * 1024 * 1024
#: What is left after emptying oversized inline data is cut to this size (corpus maximum 1 MB).
MAX_MARKUP_BYTES = 4 * 1024 * 1024
#: ... and to this many tags (`<` characters; corpus maximum 19,437). The parsed tree, its
#: element proxies and text statistics cost about 1 KB per element.
MAX_HTML_TAGS = 60_000

_BINARY_MAGIC = (
    b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BZh",
    b"\x7fELF", b"RIFF", b"OggS", b"ID3", b"\x00\x00\x01\x00", b"wOFF", b"wOF2",
)
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
#: Control bytes other than tab, line feed, vertical tab, form feed and carriage return.
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b)
#: Share of control bytes in the sniffed head above which the bytes are binary. Text has none
#: but a stray few; random or compressed bytes have about 10%.
_BINARY_CONTROL_SHARE = 0.05
_SNIFF_BYTES = 8192
#: lxml.html's own lookup picks an element class per node in Python (form, input, label...);
#: this one always gives `HtmlElement`, in C, which makes every walk over the tree cheaper.
_CLASS_LOOKUP = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


_BOM_ENCODINGS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                  (codecs.BOM_UTF16_BE, "utf-16-be"))
_BOMS = tuple(bom for bom, _ in _BOM_ENCODINGS)


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the head looks like UTF-16 markup without a BOM (ASCII
    characters with a NUL beside each), else None."""
    head = head[:len(head) & ~1]
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    if head.lstrip().startswith(_BINARY_MAGIC):
        return True
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head) > _BINARY_CONTROL_SHARE


def _is_utf8(enc: str | None) -> bool:
    return enc is not None and enc.replace("_", "-").lower() in ("utf-8", "utf8")


def _is_latin2(enc: str | None) -> bool:
    return enc is not None and enc.replace("_", "-").lower() in (
        "iso8859-2", "iso-8859-2", "latin2")


def header_charset(content_type: str | bytes | None) -> str | None:
    """The charset a `Content-Type` header value names (Python codec name), or None."""
    if not content_type:
        return None
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    return http_content_type_encoding(content_type)


def decode_html(data: bytes, content_type: str | bytes | None = None) -> tuple[str, str]:
    """Return (text, encoding) for raw page bytes, the `Content-Type` header value being one
    signal (see the module docstring); raise ExtractionError for non-HTML bytes."""
    text, enc, _ = _decode(data, content_type)
    return text, enc


def _decode(data: bytes, content_type: str | bytes | None) -> tuple[str, str, bool]:
    """`decode_html`, also telling whether the text is `data` decoded as strict UTF-8 (its UTF-8
    encoding is `data` itself, so the parser can be given the bytes without encoding them)."""
    if not data:
        return "", "utf-8", False
    for bom, enc in _BOM_ENCODINGS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), enc, False
    utf16 = _utf16_without_bom(data[:_SNIFF_BYTES])
    if utf16:
        return data[:len(data) & ~1].decode(utf16, errors="replace"), utf16, False
    if _looks_binary(data):
        raise ExtractionError("not an HTML document: the bytes are binary")
    try:
        return data.decode("utf-8"), "utf-8", True
    except UnicodeDecodeError:
        pass
    enc = _declared(data, header_charset(content_type))
    if enc is None or _is_utf8(enc):
        text = _mostly_utf8(data)
        if text is not None:
            return text, "utf-8", False
    if _is_latin2(enc) and _C1_BYTES.search(data):
        # Polish pages labelled ISO-8859-2 are often windows-1250 (C1 bytes give it away).
        enc = "cp1250"
    if enc and not enc.lower().startswith("utf"):
        return data.decode(enc, errors="replace"), enc, False
    enc = _detect(data)
    return data.decode(enc, errors="replace"), enc, False


def _plain_utf8(data: bytes) -> bool:
    """Whether `decode_html` reads `data` as strict UTF-8 (no byte-order mark, not UTF-16,
    not binary) and its text holds no NUL to drop: the text is then `data.decode("utf-8")`."""
    return (bool(data) and not data.startswith(_BOMS)
            and _utf16_without_bom(data[:_SNIFF_BYTES]) is None and b"\x00" not in data
            and not _looks_binary(data) and tree_passes().is_utf8(data))


def _declared(data: bytes, header: str | None) -> str | None:
    """The one declared charset to trust: the header's or the document's when only one is
    given or both agree; None (the bytes decide) when they disagree."""
    declared = html_body_declared_encoding(data[:8192])
    body = resolve_encoding(declared) if declared else None
    if header is None or body is None:
        return header or body
    if codecs.lookup(header).name == codecs.lookup(body).name:
        return body
    return None


def _detect(data: bytes) -> str:
    """The charset of undeclared (or contradictorily declared) non-UTF-8 bytes."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    enc = best.encoding if best else "cp1252"
    if enc.startswith(("cp125", "iso8859", "latin", "mac")) or enc in ("ascii", "utf_8"):
        enc = _latin_family(data)
    return enc


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


_INLINE_OPEN = {bytes: re.compile(rb"<(script|style)\b[^>]*>", re.I),
                str: re.compile(r"<(script|style)\b[^>]*>", re.I)}
_INLINE_CLOSE = {bytes: {b"script": re.compile(rb"</script", re.I),
                         b"style": re.compile(rb"</style", re.I)},
                 str: {"script": re.compile(r"</script", re.I),
                       "style": re.compile(r"</style", re.I)}}
_DATA_URI_RE = rf"data:[^\"'\s<>]{{{MAX_INLINE_BYTES},}}"
_DATA_URI = {bytes: re.compile(_DATA_URI_RE.encode()), str: re.compile(_DATA_URI_RE)}


def bound_page(data: AnyStr) -> AnyStr:
    """The page (bytes or text) cut to the limits that bound parse memory: MAX_HTML_BYTES,
    oversized inline data emptied, then MAX_MARKUP_BYTES and MAX_HTML_TAGS. Pages within every
    limit come back unchanged (the same object)."""
    data = data[:MAX_HTML_BYTES]
    if len(data) > MAX_INLINE_BYTES:
        data = _drop_inline_data(data)
    data = data[:MAX_MARKUP_BYTES]
    text = isinstance(data, str)
    if (data.count("<") if text else tree_passes().byte_count(data, ord("<"))) > MAX_HTML_TAGS:
        lt = "<" if text else b"<"
        pos = -1
        for _ in range(MAX_HTML_TAGS):
            pos = data.find(lt, pos + 1)
        data = data[:pos]
    return data


def _drop_inline_data(data: AnyStr) -> AnyStr:
    """`data` with script/style contents and data: URIs over MAX_INLINE_BYTES emptied."""
    kind = type(data)
    keep: list[AnyStr] = []
    start = 0
    for m in _INLINE_OPEN[kind].finditer(data):
        if m.start() < start:
            continue
        close = _INLINE_CLOSE[kind][m.group(1).lower()].search(data, m.end())
        end = close.start() if close else len(data)
        if end - m.end() > MAX_INLINE_BYTES:
            keep.append(data[start:m.end()])
            start = end
    if keep:
        keep.append(data[start:])
        data = data[:0].join(keep)
    if len(data) > MAX_INLINE_BYTES:
        data = _DATA_URI[kind].sub("data:," if kind is str else b"data:,", data)
    return data


class Document:
    """One page, parsed once; every extraction layer reads from it."""

    def __init__(self, html: bytes | str, url: str, *,
                 content_type: str | bytes | None = None) -> None:
        """Decode (bytes; `content_type` is the HTTP header value, one charset signal) or take
        (text) the page, bounded in size, and parse it."""
        utf8: bytes | None = None  # the text's UTF-8 encoding, when the page came as that
        text: str | None = None
        if isinstance(html, bytes):
            data = bound_page(html)
            if _plain_utf8(data):
                # decoded only when `text` is read: the parser takes the bytes
                self.encoding, utf8 = "utf-8", data
            else:
                text, self.encoding, verbatim = _decode(data, content_type)
                utf8 = data if verbatim else None
        elif isinstance(html, str):
            text, self.encoding = bound_page(html), "unicode"
        else:
            raise ExtractionError(f"expected bytes or str, got {type(html).__name__}")
        if text is not None:
            if "\x00" in text:
                text, utf8 = text.replace("\x00", ""), None
            self.text = text
        self._utf8 = utf8
        self.url = url
        self.selector = Selector(root=parse_html(text, url, utf8=utf8), type="html",
                                 base_url=url)

    @cached_property
    def text(self) -> str:
        """The decoded page text (read from the page's UTF-8 bytes when first asked for)."""
        return self._utf8.decode("utf-8")

    def own_url(self) -> str | None:
        """The absolute http(s) URL the page names for itself (`<link rel=canonical>`, else
        `og:url`), resolved against `url`; None when it names none."""
        from urllib.parse import urljoin

        for el in self.everywhere("link"):
            if el.get("rel") == "canonical" and el.get("href"):
                found = urljoin(self.url, str(el.get("href")).strip())
                if found.startswith(("http://", "https://")):
                    return found
                break
        og = self.meta_first("og:url")
        if og:
            found = urljoin(self.url, og.strip())
            if found.startswith(("http://", "https://")):
                return found
        return None

    def rebase(self, url: str) -> None:
        """Read the page as published at `url`: relative links resolve against it."""
        self.url = url
        self.root.getroottree().docinfo.URL = url
        self.selector = Selector(root=self.root, type="html", base_url=url)

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


def parse_html(text: str | None, base_url: str | None = None, *, utf8: bytes | None = None
               ) -> Any:
    """The lxml root of decoded page text (parsed as parsel would, with a C class lookup).

    `utf8`, when given, is `text` encoded as UTF-8 (the page's own bytes): it is parsed as it
    is instead of encoding the text again (`text` may then be None)."""
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True, collect_ids=False)
    parser.set_element_class_lookup(_CLASS_LOOKUP)
    body = _stripped_utf8(text, utf8) or b"<html/>"
    root = etree.fromstring(body, parser=parser, base_url=base_url)
    if root is not None and root.find("body") is None and closes_early(body):
        # `</html>` written before the `<body>` ends libxml2's parse; browsers read on
        root = etree.fromstring(without_html_end(body), parser=parser, base_url=base_url)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser, base_url=base_url)
    else:
        if b"text/template" in body:
            open_article_templates(root, parser)
        if b"<rt" in body or b"<RT" in body:
            drop_ruby_readings(root)
    return root


def _stripped_utf8(text: str | None, utf8: bytes | None) -> bytes:
    """`text.strip()` encoded as UTF-8, taken from `utf8` (text's encoding) when it can be:
    `bytes.strip` removes the same ASCII whitespace, and when what is left starts and ends
    with an ASCII character that is no whitespace to `str.strip` either (not \\x1c-\\x1f), the
    two strip alike."""
    if utf8 is not None:
        body = utf8.strip()
        if not body or (body[0] < 0x80 and body[-1] < 0x80 and not 0x1c <= body[0] <= 0x1f
                        and not 0x1c <= body[-1] <= 0x1f):
            return body
        if text is None:
            text = utf8.decode("utf-8")
    return (text or "").strip().encode("utf-8", errors="replace")


_SCRIPT_WRAPPERS = re.compile(
    r"^(?:/\*\s*)?(?:<!--|<!\[CDATA\[)(?:\s*\*/)?|(?:/\*\s*)?(?:-->|\]\]>)(?:\s*\*/)?$")


def _loads_lenient(raw: str) -> Any:
    """json.loads that survives comment/CDATA wrappers, control characters, trailing commas."""
    raw = raw.strip()
    if not raw:
        return None
    # Script bodies wrapped for old XHTML parsers: `<!-- ... -->`, `/*<![CDATA[*/ ... /*]]>*/`
    # (a wrapper starts with "/" or "<", or ends with ">" or "/": the regex, which would be
    # tried at every position of the text, runs only then).
    if raw[0] in "/<" or raw[-1] in ">/":
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
