"""robots.txt `Sitemap:` lines (the allow/deny rules are Scrapy's RobotsTxtMiddleware's job)."""

from __future__ import annotations

from urllib.parse import urljoin


def sitemaps_from_robots(text: str | bytes, base_url: str = "") -> list[str]:
    """Absolute sitemap URLs named by `Sitemap:` lines, in order, without duplicates."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    found: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "sitemap" and value.strip():
            url = urljoin(base_url, value.strip()) if base_url else value.strip()
            if url not in found:
                found.append(url)
    return found
