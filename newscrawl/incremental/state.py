"""Crawl state for incremental runs: what was emitted per canonical URL, behind a small interface.

`CrawlState` is the interface the Scrapy components use; `SQLiteState` is the default backend (one
file per spider, WAL mode). A Redis or SQL-server backend only has to implement `CrawlState` and
register in `newscrawl.incremental.stores`, which opens the store a setting names.
Every lookup is one indexed query; nothing loads the whole set into memory.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    key          TEXT PRIMARY KEY,
    url          TEXT,          -- NULL when equal to the key (saves a third of the file)
    fingerprint  TEXT,
    published    TEXT,
    modified     TEXT,
    lastmod      TEXT,
    first_seen   TEXT NOT NULL,
    last_seen    TEXT NOT NULL,
    last_fetched TEXT,
    emitted      INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS articles_last_seen ON articles (last_seen);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""

_COLUMNS = ("key", "coalesce(url, key)", "fingerprint", "published", "modified", "lastmod",
            "first_seen", "last_seen", "last_fetched", "emitted", "version")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (one place, so tests can reason about it)."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """A datetime as an ISO 8601 UTC string with seconds precision (sortable as text)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_date(value: str | datetime | date | None) -> datetime | None:
    """An ISO 8601 date or datetime (any offset) as an aware UTC datetime; None if unparseable.

    Sitemaps write `lastmod` as a date, a datetime with an offset or with `Z`; dates without a
    time count as midnight UTC and naive datetimes as UTC, so values of mixed shapes compare.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            try:
                from email.utils import parsedate_to_datetime

                moment = parsedate_to_datetime(value)  # RSS pubDate (RFC 822)
            except (TypeError, ValueError, IndexError):
                return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def later(a: str | None, b: str | None) -> str | None:
    """The later of two ISO dates as a normalised UTC string (None when both are missing)."""
    da, db = parse_date(a), parse_date(b)
    if da is None and db is None:
        return None
    if da is None or (db is not None and db > da):
        return iso(db)  # type: ignore[arg-type]
    return iso(da)


@dataclass
class StateRecord:
    """What the state knows about one article URL.

    `emitted` counts how often the article was written to a feed (0: seen but never committed as
    written); `version` is the version last emitted; `lastmod` the newest discovery date seen
    for it in any run (sitemap `lastmod`, feed and news-sitemap publication dates, normalised to
    UTC); `published`/`modified` the dates read from the page when it was last fetched.
    """

    key: str
    url: str
    fingerprint: str | None = None
    published: str | None = None
    modified: str | None = None
    lastmod: str | None = None
    first_seen: str = ""
    last_seen: str = ""
    last_fetched: str | None = None
    emitted: int = 0
    version: int = 0

    @property
    def committed(self) -> bool:
        """True once the article has been written to a feed and that fact was committed."""
        return self.emitted > 0 and self.fingerprint is not None


class CrawlState(ABC):
    """The store incremental crawls need: per-URL lookups and updates, batched commits."""

    @abstractmethod
    def get(self, key: str) -> StateRecord | None:
        """The record for `key`, or None when the URL was never seen."""

    @abstractmethod
    def record_emitted(self, key: str, url: str, fingerprint: str, version: int, *,
                       published: str | None = None, modified: str | None = None,
                       lastmod: str | None = None, now: datetime | None = None) -> None:
        """Note that the article was written to a feed with this fingerprint and version."""

    @abstractmethod
    def touch(self, key: str, url: str, *, lastmod: str | None = None, fetched: bool = False,
              published: str | None = None, modified: str | None = None,
              now: datetime | None = None) -> None:
        """Note that the URL was seen again (and fetched, if `fetched`) without being emitted;
        `published`/`modified` are the page's dates when it was fetched and found unchanged."""

    @abstractmethod
    def commit(self) -> None:
        """Make every change so far durable; a crash loses at most the changes after it."""

    @abstractmethod
    def expire(self, older_than: datetime) -> int:
        """Forget URLs not seen since `older_than`; returns how many were removed."""

    @abstractmethod
    def reset(self) -> None:
        """Forget everything (the next incremental run is a full one)."""

    @abstractmethod
    def stats(self) -> dict[str, object]:
        """Counts and date range of the stored records, for `newscrawl state`."""

    @abstractmethod
    def close(self) -> None:
        """Commit and release the store."""

    @classmethod
    def location_for(cls, template: str, spider_name: str) -> str | Path:
        """Where `spider_name`'s store lives: `template` with `%(name)s` filled in."""
        return template.replace("%(name)s", spider_name)

    def get_many(self, keys: Iterable[str]) -> dict[str, StateRecord]:
        """Records for several keys at once (backends may override with one round trip)."""
        found = {}
        for key in keys:
            record = self.get(key)
            if record is not None:
                found[key] = record
        return found

    def expire_days(self, days: float, now: datetime | None = None) -> int:
        """Forget URLs not seen for `days` days; returns how many were removed."""
        return self.expire((now or utcnow()) - timedelta(days=days))

    def __enter__(self) -> CrawlState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SQLiteState(CrawlState):
    """`CrawlState` in one SQLite file: WAL journal, one write transaction per commit batch.

    WAL lets another process read (e.g. `newscrawl state --stats`) or wait for the write lock
    while a crawl runs; `synchronous=NORMAL` keeps every committed batch across a killed process
    (only a power cut may lose the last batches, never corrupt the file).
    """

    def __init__(self, path: str | Path, *, synchronous: str = "NORMAL",
                 busy_timeout: float = 30.0) -> None:
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"unknown SQLite synchronous mode {synchronous!r}")
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None,
                                   check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._in_tx = False
        exists = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        if not exists:  # only a new file needs the write lock; readers never wait here
            self._db.executescript(_SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                             (str(SCHEMA_VERSION),))

    @classmethod
    def location_for(cls, template: str, spider_name: str) -> Path:
        """The spider's state file: `template` with `%(name)s` filled in."""
        return Path(template % {"name": spider_name})

    def _begin(self) -> None:
        if not self._in_tx:
            self._db.execute("BEGIN IMMEDIATE")
            self._in_tx = True

    def get(self, key: str) -> StateRecord | None:
        """One primary-key lookup."""
        row = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM articles WHERE key = ?", (key,)
        ).fetchone()
        return StateRecord(*row) if row else None

    def get_many(self, keys: Iterable[str]) -> dict[str, StateRecord]:
        """Records for several keys, in chunks of indexed `IN (...)` queries."""
        keys = list(keys)
        found: dict[str, StateRecord] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM articles WHERE key IN ({marks})", chunk
            ):
                found[row[0]] = StateRecord(*row)
        return found

    def record_emitted(self, key: str, url: str, fingerprint: str, version: int, *,
                       published: str | None = None, modified: str | None = None,
                       lastmod: str | None = None, now: datetime | None = None) -> None:
        """Upsert the emitted article; `lastmod` only ever moves forward."""
        stamp = iso(now or utcnow())
        lastmod = later(lastmod, None)
        url = None if url == key else url  # type: ignore[assignment]
        self._begin()
        self._db.execute(
            """INSERT INTO articles (key, url, fingerprint, published, modified, lastmod,
                                     first_seen, last_seen, last_fetched, emitted, version)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
               ON CONFLICT (key) DO UPDATE SET
                 url = excluded.url, fingerprint = excluded.fingerprint,
                 published = coalesce(excluded.published, published),
                 modified = coalesce(excluded.modified, modified),
                 lastmod = CASE WHEN lastmod IS NULL OR excluded.lastmod > lastmod
                                THEN coalesce(excluded.lastmod, lastmod) ELSE lastmod END,
                 last_seen = excluded.last_seen, last_fetched = excluded.last_fetched,
                 emitted = emitted + 1, version = excluded.version""",
            (key, url, fingerprint, published, modified, lastmod, stamp, stamp, stamp, version),
        )

    def touch(self, key: str, url: str, *, lastmod: str | None = None, fetched: bool = False,
              published: str | None = None, modified: str | None = None,
              now: datetime | None = None) -> None:
        """Upsert `last_seen` (and `last_fetched`, `lastmod`, the page's dates) without changing
        the emitted fingerprint or version."""
        stamp = iso(now or utcnow())
        lastmod = later(lastmod, None)
        fetched_at = stamp if fetched else None
        url = None if url == key else url  # type: ignore[assignment]
        self._begin()
        self._db.execute(
            """INSERT INTO articles (key, url, published, modified, lastmod, first_seen,
                                     last_seen, last_fetched)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (key) DO UPDATE SET
                 published = coalesce(excluded.published, published),
                 modified = coalesce(excluded.modified, modified),
                 lastmod = CASE WHEN lastmod IS NULL OR excluded.lastmod > lastmod
                                THEN coalesce(excluded.lastmod, lastmod) ELSE lastmod END,
                 last_seen = excluded.last_seen,
                 last_fetched = coalesce(excluded.last_fetched, last_fetched)""",
            (key, url, published, modified, lastmod, stamp, stamp, fetched_at),
        )

    def commit(self) -> None:
        """End the current write transaction (a no-op when nothing was written)."""
        if self._in_tx:
            self._db.execute("COMMIT")
            self._in_tx = False

    def expire(self, older_than: datetime) -> int:
        """Delete records whose `last_seen` is before `older_than` (an indexed range delete)."""
        self._begin()
        cursor = self._db.execute("DELETE FROM articles WHERE last_seen < ?", (iso(older_than),))
        self.commit()
        return cursor.rowcount

    def reset(self) -> None:
        """Delete every record."""
        self._begin()
        self._db.execute("DELETE FROM articles")
        self.commit()

    def stats(self) -> dict[str, object]:
        """Counts and date range of the stored records."""
        row = self._db.execute(
            """SELECT count(*), coalesce(sum(emitted > 0), 0), coalesce(sum(version > 1), 0),
                      min(first_seen), max(last_seen), max(last_fetched)
               FROM articles"""
        ).fetchone()
        return {"path": str(self.path), "urls": row[0], "emitted": row[1], "updated": row[2],
                "first_seen": row[3], "last_seen": row[4], "last_fetched": row[5]}

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def close(self) -> None:
        """Commit pending changes and close the connection."""
        try:
            self.commit()
        finally:
            self._db.close()
