"""The one data model: an Article and its RelatedLinks, as itemadapter-friendly dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class RelatedLink:
    """One entry of a portal's related / "recommended for you" block."""

    title: str
    url: str


@dataclass
class Article:
    """An extracted news article; missing values are None or empty lists, never invented."""

    url: str
    canonical_url: str | None = None
    portal: str | None = None
    language: str | None = None
    headline: str | None = None
    lead: str | None = None
    body: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    published_raw: str | None = None
    modified: str | None = None
    date_source: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    related: list[RelatedLink] = field(default_factory=list)
    paywalled: bool = False
    fetched_at: str | None = None
    fingerprint: str | None = None
    word_count: int = 0
    # Incremental crawls: how many times the article changed, and whether this record is an update.
    version: int = 1
    updated: bool = False


ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Article))
