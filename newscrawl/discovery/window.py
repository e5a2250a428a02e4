"""The `since` / `until` time window: parsing the argument and testing a date against it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_RELATIVE = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$", re.I)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """`2h`, `3d`, `1w`, `30m` (before now) or an ISO date/datetime → aware datetime.

    Raises ValueError with a readable message for anything else.
    """
    if value is None or not str(value).strip():
        return None
    value = str(value).strip()
    now = now or datetime.now(UTC)
    m = _RELATIVE.match(value)
    if m:
        return now - timedelta(**{_UNITS[m.group(2).lower()]: int(m.group(1))})
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a time: {value!r} (use e.g. 2h, 3d, 1w, 2024-05-01 or "
                         "2024-05-01T12:00+02:00)") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def to_datetime(iso: str | None) -> datetime | None:
    """An ISO-8601 string (date-only allowed) → aware datetime (UTC if no offset), or None."""
    if not iso:
        return None
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class TimeWindow:
    """Half-open window [since, until); either end may be open (None)."""

    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def from_args(cls, since: str | None, until: str | None) -> TimeWindow:
        """Build from spider arguments; ValueError when unreadable or since >= until."""
        window = cls(parse_since(since), parse_since(until))
        if window.since and window.until and window.since >= window.until:
            raise ValueError(f"since ({since}) must be before until ({until})")
        return window

    @property
    def open(self) -> bool:
        """True when the window does not restrict anything."""
        return self.since is None and self.until is None

    def contains(self, iso: str | None) -> bool | None:
        """True/False for a readable date, None when there is no date to judge by."""
        when = to_datetime(iso)
        if when is None:
            return None
        if self.since and when < self.since:
            return False
        return not (self.until and when >= self.until)
