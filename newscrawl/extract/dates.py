"""Dates: machine dates (ISO 8601) and human dates, normalised to ISO 8601 with an offset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

#: Dates before this year are rejected as implausible for a news article.
MIN_YEAR = 1990


@dataclass
class DateResult:
    """Published/modified dates as ISO strings, with the raw text and where it came from."""

    published: str | None = None
    published_raw: str | None = None
    modified: str | None = None
    source: str | None = None


def parse_date(raw: str | None, *, fetched_at: datetime, timezone: str | None = None,
               languages: list[str] | None = None) -> datetime | None:
    """Parse one date string into an aware datetime; None when unparseable or implausible."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone or "UTC"))
    if value.year < MIN_YEAR or value > fetched_at:
        return None
    return value


def to_iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset, seconds precision."""
    return value.isoformat(timespec="seconds") if value else None
