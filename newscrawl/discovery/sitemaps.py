"""Sitemaps: sitemap indexes, urlsets with `lastmod`, and Google News sitemaps.

Scrapy's own sitemap reader drops the `news:` extension; this one keeps
`news:publication_date` and `news:title`, which let a crawl skip old articles before fetching.
"""

from __future__ import annotations

from newscrawl.discovery.entries import Discovered, Entry
from newscrawl.discovery.xmlsafe import child_text, iso_date, local, parse_xml


def _news(url_el) -> tuple[str | None, str | None]:
    for child in url_el:
        if local(child.tag) == "news":
            return child_text(child, "publication_date"), child_text(child, "title")
    return None, None


def parse_sitemap(data: bytes) -> Discovered:
    """Read a sitemap (plain or gzip): kind "index" lists child sitemaps in `follow`,
    kind "urlset" / "news-sitemap" lists entries; problems explain anything skipped."""
    problems: list[str] = []
    root = parse_xml(data, problems)
    if root is None:
        return Discovered(kind="invalid", problems=problems)
    kind = local(root.tag)
    if kind == "sitemapindex":
        result = Discovered(kind="index", problems=problems)
        for sm in root:
            if local(sm.tag) == "sitemap":
                loc = child_text(sm, "loc")
                if loc:
                    result.follow.append(loc)
        return result
    if kind != "urlset":
        problems.append(f"not a sitemap: root element <{kind or '?'}>")
        return Discovered(kind="invalid", problems=problems)
    result = Discovered(kind="urlset", problems=problems)
    bad_dates = 0
    for url_el in root:
        if local(url_el.tag) != "url":
            continue
        loc = child_text(url_el, "loc")
        if not loc:
            continue
        raw_lastmod = child_text(url_el, "lastmod")
        raw_pub, title = _news(url_el)
        lastmod, published = iso_date(raw_lastmod), iso_date(raw_pub)
        bad_dates += (raw_lastmod is not None and lastmod is None) + (
            raw_pub is not None and published is None)
        if raw_pub is not None or title is not None:
            result.kind = "news-sitemap"
        result.entries.append(Entry(url=loc, lastmod=lastmod, published=published, title=title))
    if bad_dates:
        problems.append(f"{bad_dates} unreadable date(s) ignored")
    return result
