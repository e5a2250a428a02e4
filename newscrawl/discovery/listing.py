"""Listing pages (home, sections, their pagination): article links, next pages, feed links."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsel import Selector

from newscrawl.discovery.entries import Discovered, Entry

_ASSET = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|css|js|pdf|mp[34]|zip|ico|xml|gz|rss)$", re.I)
_PAGINATION = re.compile(r"(?:[?&](?:page|strona|p)=\d+)|(?:/(?:strona|page|p)/\d+/?$)", re.I)
_NOT_ARTICLE = re.compile(r"/(?:tag|tagi|temat|autor|author|kategoria|category|szukaj|search|"
                          r"login|konto|kontakt|regulamin|polityka-prywatnosci)(?:/|$)", re.I)
_DATE_PATH = re.compile(r"/20\d\d/\d\d?/(?:\d\d?/)?")
_LONG_ID = re.compile(r"\d{5,}")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


def looks_like_article_url(url: str) -> bool:
    """URL shape of an article in general: a long slug, a numeric id or a dated path."""
    parts = urlsplit(url)
    path = parts.path
    if _ASSET.search(path) or _NOT_ARTICLE.search(path) or _PAGINATION.search(
            path + ("?" + parts.query if parts.query else "")):
        return False
    last = path.rstrip("/").rsplit("/", 1)[-1]
    words = [w for w in re.split(r"[-_]", last) if w]
    if len(words) >= 4 and len(last) >= 25:
        return True
    if _LONG_ID.search(last) and len(words) >= 2:
        return True
    return bool(_DATE_PATH.search(path)) and len(words) >= 2


def is_pagination_url(url: str) -> bool:
    """True for `?page=N`, `?strona=N`, `/strona/N`, `/page/N` style URLs."""
    parts = urlsplit(url)
    return bool(_PAGINATION.search(parts.path + ("?" + parts.query if parts.query else "")))


def _clean(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _join(base: str, href: str) -> str | None:
    """`href` made absolute against `base`; None for a link no URL parser accepts (a bracketed
    host that is no IP address, say), which is skipped rather than failing the whole page."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def _same_site(host: str, other: str) -> bool:
    host, other = host.lower(), other.lower()
    return host == other or host.endswith("." + other) or other.endswith("." + host)


def parse_listing(html: str | Selector, url: str, *, article_url: str | None = None,
                  sections: bool = False) -> Discovered:
    """Article links (by the portal's `article_url` regex, else by URL shape) and pagination
    (`rel=next`, `?page=N`, `/strona/N`); with `sections`, also short same-site paths."""
    sel = html if isinstance(html, Selector) else Selector(text=html)
    host = urlsplit(url).netloc
    pattern = re.compile(article_url) if article_url else None
    result = Discovered(kind="listing")
    seen: set[str] = {_clean(url)}
    for href in sel.css("link[rel~=next]::attr(href), a[rel~=next]::attr(href)").getall():
        joined = _join(url, href.strip())
        if joined is None:
            continue
        target = _clean(joined)
        if target not in seen and urlsplit(target).scheme in ("http", "https"):
            seen.add(target)
            result.follow.append(target)
    for a in sel.css("a[href]"):
        # The one attribute, not `attrib` (a dict of all, which fails on a nameless one).
        href = (a.root.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        joined = _join(url, href)
        if joined is None:
            continue
        target = _clean(joined)
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not _same_site(parts.netloc, host):
            continue
        if target in seen:
            continue
        seen.add(target)
        path_q = parts.path + ("?" + parts.query if parts.query else "")
        if pattern is not None:
            is_article = bool(pattern.search(path_q))
        else:
            is_article = looks_like_article_url(target)
        if is_article:
            title = " ".join(a.xpath("normalize-space(string())").get("").split()) or None
            result.entries.append(Entry(url=target, title=title))
        elif is_pagination_url(target):
            result.follow.append(target)
        elif sections and not _ASSET.search(parts.path) and not _NOT_ARTICLE.search(parts.path) \
                and 1 <= len([s for s in parts.path.split("/") if s]) <= 2 and not parts.query:
            result.follow.append(target)
    return result


def feed_links(html: str | Selector, url: str) -> list[str]:
    """Feeds a page advertises with `<link rel="alternate" type="application/rss+xml">` etc."""
    sel = html if isinstance(html, Selector) else Selector(text=html)
    found: list[str] = []
    for link in sel.css("link[rel~=alternate][href]"):
        if (link.attrib.get("type") or "").lower().strip() in _FEED_TYPES:
            target = _join(url, link.attrib["href"].strip())
            if target is not None and target not in found:
                found.append(target)
    return found
