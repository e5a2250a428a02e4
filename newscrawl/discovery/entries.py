"""The result types every discovery reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Entry:
    """One candidate article URL with what the source said about it (ISO-8601 strings or None)."""

    url: str
    lastmod: str | None = None
    published: str | None = None
    title: str | None = None

    def meta(self, source: str) -> dict:
        """The `meta["discovery"]` dict an article request carries (see the spider contract)."""
        return {"source": source, "lastmod": self.lastmod, "published": self.published,
                "title": self.title}

    @property
    def when(self) -> str | None:
        """The date the time window is checked against: publication, else last modification."""
        return self.published or self.lastmod


@dataclass
class Discovered:
    """What one document yielded: entries, more documents to read, and problems met."""

    kind: str
    entries: list[Entry] = field(default_factory=list)
    #: Further documents of the same family: child sitemaps of an index, next listing pages.
    follow: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
