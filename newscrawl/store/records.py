"""Articles as database rows and back: one `Version` per (article, text) the store keeps.

Timestamps are stored in UTC (the page's own wording stays in `published_raw`); the body is kept
as its paragraphs joined by a blank line, so it reads, indexes and searches as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from newscrawl.incremental.freshness import content_fingerprint
from newscrawl.items import ARTICLE_FIELDS
from newscrawl.output.exporters import item_to_record
from newscrawl.urls import canonical_url

#: Paragraph separator of the `body` column.
PARAGRAPH_JOIN = "\n\n"


class BadRecord(ValueError):
    """A record that cannot be stored (no URL, a date that is not ISO 8601, ...)."""


def parse_time(value: Any, name: str) -> datetime | None:
    """An ISO 8601 value as an aware datetime (a value without offset is taken as UTC)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise BadRecord(f"{name} is not an ISO 8601 date: {value!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@dataclass
class Version:
    """One article version ready to store: the record's fields, normalised. `key` is the
    article's identity, the project's canonical form of its URL (newscrawl.urls), which the
    crawl state and related links use too; `canonical_url` is the record's own field."""

    key: str
    canonical_url: str | None
    fingerprint: str
    fetched_at: datetime
    fields: dict[str, Any]
    published: datetime | None
    modified: datetime | None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    related: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_item(cls, item: Any, now: datetime | None = None) -> Version:
        """From a scraped item or a feed record; BadRecord when it cannot be stored."""
        record = item if isinstance(item, dict) else item_to_record(item)
        url = record.get("url") or record.get("canonical_url")
        if not url or not isinstance(url, str):
            raise BadRecord("the record has no url")
        given = record.get("canonical_url")
        body = record.get("body") or []
        if isinstance(body, str):
            body = [body]
        related = []
        for link in record.get("related") or []:
            if isinstance(link, dict) and link.get("url"):
                related.append({"title": link.get("title"), "url": str(link["url"])})
        fields = {name: record.get(name) for name in
                  ("url", "portal", "language", "headline", "lead", "section", "image",
                   "published_raw", "date_source")}
        fields["url"] = url
        fields["body"] = PARAGRAPH_JOIN.join(str(p) for p in body)
        fields["paywalled"] = bool(record.get("paywalled"))
        fields["word_count"] = int(record.get("word_count") or 0)
        return cls(
            key=canonical_url(given or url),
            canonical_url=given,
            fingerprint=content_fingerprint(record),
            fetched_at=parse_time(record.get("fetched_at"), "fetched_at")
            or now or datetime.now(UTC),
            fields=fields,
            published=parse_time(record.get("published"), "published"),
            modified=parse_time(record.get("modified"), "modified"),
            authors=[str(a) for a in record.get("authors") or [] if a],
            tags=[str(t) for t in record.get("tags") or [] if t],
            related=related,
        )


def body_paragraphs(body: str | None) -> list[str]:
    """The `body` column back as the list of paragraphs."""
    return body.split(PARAGRAPH_JOIN) if body else []


def feed_record(row: dict[str, Any]) -> dict[str, Any]:
    """A stored version as a feed record (every Article field, schema order)."""
    record = {name: row.get(name) for name in ARTICLE_FIELDS}
    record["body"] = body_paragraphs(row.get("body"))
    record["paywalled"] = bool(row.get("paywalled"))
    record["updated"] = int(row.get("version") or 1) > 1
    return record
