"""RSS 2.0 and Atom feeds → entries with publication / update dates and titles."""

from __future__ import annotations

from newscrawl.discovery.entries import Discovered, Entry
from newscrawl.discovery.xmlsafe import child_text, iso_date, local, parse_xml


def _atom_link(entry) -> str | None:
    fallback = None
    for child in entry:
        if local(child.tag) != "link":
            continue
        href = (child.get("href") or "").strip()
        rel = child.get("rel", "alternate")
        if href and rel == "alternate":
            return href
        fallback = fallback or href or None
    return fallback


def _rss_link(item) -> str | None:
    link = child_text(item, "link")
    if link:
        return link
    for child in item:
        if local(child.tag) == "guid" and child.get("isPermaLink", "true").lower() != "false":
            text = (child.text or "").strip()
            if text.startswith(("http://", "https://")):
                return text
    return None


def parse_feed(data: bytes) -> Discovered:
    """Read an RSS 2.0 / RSS 1.0 or Atom feed; kind is "rss" or "atom" ("invalid" otherwise)."""
    problems: list[str] = []
    root = parse_xml(data, problems)
    if root is None:
        return Discovered(kind="invalid", problems=problems)
    kind = local(root.tag)
    if kind == "feed":
        result = Discovered(kind="atom", problems=problems)
        for entry in root:
            if local(entry.tag) != "entry":
                continue
            url = _atom_link(entry)
            if not url:
                problems.append("atom entry without a link skipped")
                continue
            result.entries.append(Entry(
                url=url, title=child_text(entry, "title"),
                published=iso_date(child_text(entry, "published", "issued")),
                lastmod=iso_date(child_text(entry, "updated", "modified"))))
        return result
    if kind not in ("rss", "rdf"):
        problems.append(f"not a feed: root element <{kind or '?'}>")
        return Discovered(kind="invalid", problems=problems)
    result = Discovered(kind="rss", problems=problems)
    for item in root.iter():
        if local(item.tag) != "item":
            continue
        url = _rss_link(item) or item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
        if not url:
            problems.append("rss item without a link skipped")
            continue
        result.entries.append(Entry(
            url=url.strip(), title=child_text(item, "title"),
            published=iso_date(child_text(item, "pubdate", "date")),
            lastmod=iso_date(child_text(item, "updated", "modified"))))
    return result
