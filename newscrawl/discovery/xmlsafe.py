"""A hardened XML reader for sitemaps and feeds fetched from the open web.

Entities are never expanded, DTDs and external resources never loaded, and a document that
declares entities is refused outright (billion laughs, external entities): sitemaps and feeds
never need them. Gzip bodies are inflated with a hard cap on the decompressed size.
"""

from __future__ import annotations

import re
import zlib
from datetime import datetime
from email.utils import parsedate_to_datetime

from lxml import etree

#: Decompressed sitemaps larger than this are refused (the sitemap protocol caps them at 50 MB).
MAX_XML_BYTES = 50 * 1024 * 1024

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, dtd_validation=False, remove_comments=True,
                           remove_pis=True, recover=recover)


def gunzip(data: bytes, limit: int = MAX_XML_BYTES) -> tuple[bytes | None, str | None]:
    """Inflate gzip bytes; (None, reason) when they are corrupt or inflate beyond `limit`."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        return None, f"corrupt gzip data: {exc}"
    if len(out) > limit or inflater.unconsumed_tail:
        return None, f"gzip data inflates beyond {limit // (1024 * 1024)} MB; refused"
    if not inflater.eof:
        return None, "truncated gzip data"
    return out, None


def parse_xml(data: bytes, problems: list[str], limit: int = MAX_XML_BYTES):
    """Parse untrusted XML (gzip allowed) to an lxml root, or None; reasons go to `problems`."""
    if data[:2] == b"\x1f\x8b":
        data, reason = gunzip(data, limit)
        if data is None:
            problems.append(reason or "gzip error")
            return None
    if len(data) > limit:
        problems.append(f"document larger than {limit // (1024 * 1024)} MB; refused")
        return None
    data = data.lstrip()
    if not data:
        problems.append("empty document")
        return None
    if _ENTITY_DECL.search(data[:65536]):
        problems.append("document declares XML entities (possible entity-expansion or "
                        "external-entity attack); refused")
        return None
    try:
        return etree.fromstring(data, parser=_parser(recover=False))
    except etree.XMLSyntaxError as exc:
        problems.append(f"malformed XML: {exc}")
    try:
        root = etree.fromstring(data, parser=_parser(recover=True))
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        problems.append("unreadable even in recovery mode")
    else:
        problems.append("read in recovery mode; entries may be incomplete")
    return root


def local(tag: object) -> str:
    """An element's tag without its namespace ('' for comments and other non-elements)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def child_text(el, *names: str) -> str | None:
    """Stripped text of the first direct child whose local name is one of `names`."""
    for child in el:
        if local(child.tag) in names:
            text = "".join(child.itertext()).strip()
            if text:
                return text
    return None


def iso_date(raw: str | None) -> str | None:
    """W3C / RFC 3339 / RFC 822 date → ISO 8601 (a date-only value stays a date), or None."""
    if not raw:
        return None
    raw = raw.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return raw
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(raw).isoformat()
    except (TypeError, ValueError, IndexError):
        return None
