"""What a portal module declares: domains, discovery sources, article URLs, its parser(s)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from newscrawl.extract.parser import ArticleParser


@dataclass(frozen=True)
class Portal:
    """One news portal (or network of sites sharing markup), Fundus-style.

    `parsers` lists (valid_from, parser class) pairs, oldest first: a portal whose markup changes
    gets a new parser version instead of an `if` in the old one.
    """

    name: str
    domains: tuple[str, ...]
    parsers: tuple[tuple[date, type[ArticleParser]], ...]
    home: str = ""
    language: str = "pl"
    timezone: str | None = "Europe/Warsaw"
    #: Paths (relative to the home URL) of sitemaps, news sitemaps and feeds.
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    #: Listing pages to start from when following sections.
    sections: tuple[str, ...] = ()
    #: Regular expression an article URL's path (with query) matches.
    article_url: str = r".*"
    #: Heading of the recommendation block in the TXT layout.
    related_heading: str = "Czytaj także"
    #: Browser rendering of article pages (see newscrawl.render); off unless a portal asks. Ask
    #: only when the related block is inserted by a script and absent from the page's embedded
    #: JSON state (which the related layer reads without a browser).
    render: bool = False
    #: CSS selector of the related block a render waits for (e.g. its first link).
    render_wait: str | None = None
    extra: dict = field(default_factory=dict)

    def parser_for(self, when: datetime | None = None) -> type[ArticleParser]:
        """The parser version valid at `when` (default: the newest)."""
        if when is None:
            return self.parsers[-1][1]
        day = when.date()
        chosen = self.parsers[0][1]
        for valid_from, cls in self.parsers:
            if valid_from <= day:
                chosen = cls
        return chosen

    def owns(self, host: str) -> bool:
        """True when `host` is one of the portal's domains or a subdomain of one."""
        host = host.lower().split(":")[0]
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def is_article_url(self, url: str) -> bool:
        """True when the URL's path looks like one of the portal's article pages."""
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        path = parts.path + ("?" + parts.query if parts.query else "")
        return re.search(self.article_url, path) is not None
