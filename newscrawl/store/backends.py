"""Database URLs and the two engines behind them: SQLite (standard library) and PostgreSQL
(psycopg 3, the `newscrawl[postgres]` extra).

A backend hides what differs between the engines — connecting, placeholders, column types,
JSON and timestamp values, which errors mean "the database went away" — so that
`newscrawl.store.store.ArticleStore` speaks one SQL dialect.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SQLITE_SCHEMES = ("sqlite",)
POSTGRES_SCHEMES = ("postgresql", "postgres")


class StoreError(Exception):
    """A database URL that cannot be used, or a database that cannot be read or written."""


class DatabaseUnavailable(StoreError):
    """The database cannot be reached or refuses writes (after the retries, for a crawl)."""


def check_url(url: str) -> str:
    """The URL unchanged when newscrawl can store articles there; ValueError saying why not."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in SQLITE_SCHEMES:
        if not url.lower().startswith("sqlite:///") or len(url) <= len("sqlite:///"):
            raise ValueError(f"SQLite URLs look like sqlite:///relative.db or "
                             f"sqlite:////absolute/path.db, got {url!r}")
        return url
    if scheme in POSTGRES_SCHEMES:
        return url
    raise ValueError(f"unsupported database URL {redact(url)!r}: use sqlite:///FILE or "
                     "postgresql://USER@HOST/DB")


def redact(url: str) -> str:
    """The URL without its password, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def utc_iso(value: datetime) -> str:
    """A timestamp as ISO 8601 in UTC (`+00:00`): the one text form both engines give back."""
    return value.astimezone(UTC).isoformat()


class Backend:
    """What one engine needs from newscrawl: a DB-API connection and the dialect's details."""

    name = ""
    #: Column types substituted into the schema's `{id}`, `{ref}`, `{ts}`, `{bool}`, `{json}`.
    types: dict[str, str] = {}
    #: Exceptions after which the connection is reopened and the transaction retried.
    transient: tuple[type[BaseException], ...] = ()
    #: Every error of the driver (the others are reported as StoreError, not retried).
    errors: tuple[type[BaseException], ...] = ()

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn: Any = None

    def connect(self) -> None:
        """Open (or reopen) the connection."""
        raise NotImplementedError

    def close(self) -> None:
        """Close the connection; errors of a connection already gone are ignored."""
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001 - a broken connection may fail to close
                pass
            self.conn = None

    def sql(self, statement: str) -> str:
        """The statement with `?` placeholders in this engine's paramstyle."""
        return statement

    def execute(self, statement: str, params: tuple | list = ()) -> Any:
        """Run one statement; the cursor."""
        cur = self.conn.cursor()
        cur.execute(self.sql(statement), params)
        return cur

    def executemany(self, statement: str, rows: list[tuple]) -> None:
        """Run one statement for each row of parameters."""
        if rows:
            self.conn.cursor().executemany(self.sql(statement), rows)

    def begin(self) -> None:
        """Start a write transaction (psycopg opens one at the first statement)."""

    def commit(self) -> None:
        """Commit the transaction."""
        self.conn.commit()

    def rollback(self) -> None:
        """Roll the transaction back; errors of a connection already gone are ignored."""
        try:
            self.conn.rollback()
        except Exception:  # noqa: BLE001
            pass

    def lock_schema(self) -> None:
        """Keep concurrent openers from migrating at the same time (inside the transaction)."""

    def json(self, value: Any) -> Any:
        """A Python value as a parameter of a JSON column."""
        return json.dumps(value, ensure_ascii=False)

    def load_json(self, value: Any) -> Any:
        """A JSON column's value as Python data."""
        return json.loads(value) if isinstance(value, str) else value

    def timestamp(self, value: datetime | None) -> Any:
        """A timezone-aware datetime as a parameter of a timestamp column."""
        return None if value is None else utc_iso(value)

    def load_timestamp(self, value: Any) -> str | None:
        """A timestamp column's value as ISO 8601 text in UTC."""
        if value is None or isinstance(value, str):
            return value
        return utc_iso(value)

    def boolean(self, value: Any) -> Any:
        """A Python truth value as a parameter of a boolean column."""
        return bool(value)

    def has_table(self, name: str) -> bool:
        """True when the database has a table of that name."""
        raise NotImplementedError


class SqliteBackend(Backend):
    """A SQLite file; WAL journal so readers (`newscrawl db URL export`) never block a crawl."""

    name = "sqlite"
    types = {"id": "INTEGER PRIMARY KEY", "ref": "INTEGER", "ts": "TEXT", "bool": "INTEGER",
             "json": "TEXT"}
    transient = (sqlite3.OperationalError,)
    errors = (sqlite3.Error,)

    def __init__(self, url: str, *, synchronous: str = "NORMAL", timeout: float = 30.0) -> None:
        super().__init__(url)
        self.path = url[len("sqlite:///"):]
        self.synchronous = synchronous
        self.timeout = timeout

    def connect(self) -> None:
        """Open the file (its folder is created), foreign keys on, WAL journal."""
        self.close()
        if self.path != ":memory:":
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailable(f"cannot create the folder of {self.path}: "
                                          f"{exc.strerror or exc}") from exc
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        except sqlite3.Error as exc:
            raise DatabaseUnavailable(f"cannot open {self.path}: {exc}") from exc
        self.conn = conn

    def begin(self) -> None:
        """`BEGIN IMMEDIATE`: take the write lock up front (waits for another writer)."""
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        """Commit (autocommit mode: an explicit COMMIT ends the BEGIN)."""
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def rollback(self) -> None:
        """Roll back if a transaction is open."""
        try:
            if self.conn is not None and self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def boolean(self, value: Any) -> Any:
        """SQLite keeps truth values as 0/1."""
        return 1 if value else 0

    def has_table(self, name: str) -> bool:
        """True when sqlite_master lists the table."""
        return self.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                            (name,)).fetchone() is not None


class PostgresBackend(Backend):
    """A PostgreSQL database through psycopg 3 (`pip install 'newscrawl[postgres]'`)."""

    name = "postgresql"
    types = {"id": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "ref": "BIGINT",
             "ts": "TIMESTAMPTZ", "bool": "BOOLEAN", "json": "JSONB"}

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        super().__init__(url)
        self.timeout = timeout
        try:
            import psycopg
        except ImportError as exc:
            raise StoreError("PostgreSQL needs psycopg: pip install 'newscrawl[postgres]'") \
                from exc
        self.psycopg = psycopg
        self.transient = (psycopg.OperationalError, psycopg.InterfaceError,
                          psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected,
                          psycopg.errors.UniqueViolation)
        self.errors = (psycopg.Error,)

    def connect(self) -> None:
        """Connect (timeout in seconds); the session speaks UTC."""
        self.close()
        try:
            self.conn = self.psycopg.connect(self.url, connect_timeout=max(1, int(self.timeout)),
                                             options="-c TimeZone=UTC")
        except self.psycopg.Error as exc:
            raise DatabaseUnavailable(f"cannot connect to {redact(self.url)}: "
                                      f"{str(exc).strip().splitlines()[0]}") from exc

    def sql(self, statement: str) -> str:
        """psycopg's `%s` placeholders (the schema's statements contain no `%`)."""
        return statement.replace("?", "%s")

    def lock_schema(self) -> None:
        """A transaction-scoped advisory lock: one opener migrates, the others wait."""
        self.execute("SELECT pg_advisory_xact_lock(?)", (7_355_608,))

    def json(self, value: Any) -> Any:
        """psycopg's JSONB wrapper."""
        from psycopg.types.json import Jsonb

        return Jsonb(value)

    def timestamp(self, value: datetime | None) -> Any:
        """psycopg adapts aware datetimes to timestamptz."""
        return value

    def has_table(self, name: str) -> bool:
        """True when the current schema search path finds the table."""
        return self.execute("SELECT to_regclass(?) IS NOT NULL", (name,)).fetchone()[0]


def backend_for(url: str, **options: Any) -> Backend:
    """The backend of a database URL (not yet connected); ValueError for an unusable URL."""
    check_url(url)
    if urlsplit(url).scheme.lower() in SQLITE_SCHEMES:
        return SqliteBackend(url, **options)
    return PostgresBackend(url)
