"""`ArticleStore`: every version of every article in one database, written in transactions.

Writing is idempotent. A version is new unless the article already has a version with the same
fingerprint and `fetched_at` (a replayed feed) or its latest version has the same fingerprint
(an unchanged article fetched again, e.g. after a crash before the crawl state was committed).
A new version gets the next number, becomes the article's row in `articles` (when it is not
older than the one there) and replaces the article's authors, tags and related links. Related
links resolve to the article they point to in both directions: a link to a stored article when
it is written, an article to the links waiting for it when it arrives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from newscrawl.store.backends import (
    Backend,
    DatabaseUnavailable,
    StoreError,
    backend_for,
    redact,
)
from newscrawl.store.records import Version, feed_record
from newscrawl.store.schema import migrate
from newscrawl.urls import canonical_url

T = TypeVar("T")

#: Columns of a version row and of `articles` (besides ids), in insert order.
COLUMNS = ("url", "portal", "language", "headline", "lead", "body", "section", "image",
           "published", "published_raw", "modified", "date_source", "paywalled", "word_count",
           "fingerprint", "version", "fetched_at", "run_id")
_PLACEHOLDERS = ", ".join("?" for _ in COLUMNS)
_ASSIGN = ", ".join(f"{c} = ?" for c in COLUMNS)
#: Timestamp columns (text in UTC on the way out).
TIME_COLUMNS = ("published", "modified", "fetched_at")
#: Version columns read back by export.
EXPORT_COLUMNS = ("canonical_url", *COLUMNS, "authors", "tags", "related")


@dataclass
class WriteResult:
    """What one batch did: versions added, records already stored."""

    stored: int = 0
    unchanged: int = 0


class ArticleStore:
    """One database connection with the schema migrated; methods are synchronous."""

    def __init__(self, url: str, *, retries: int = 0, backoff: float = 1.0,
                 on_retry: Callable[[int, Exception], None] | None = None,
                 **options: Any) -> None:
        self.backend: Backend = backend_for(url, **options)
        self.url = url
        self.retries = retries
        self.backoff = backoff
        self.on_retry = on_retry
        self._names: dict[tuple[str, str], int] = {}  # (table, name) -> id of authors/tags
        self.run(self._open)

    def _open(self) -> None:
        if self.backend.conn is None:
            self.backend.connect()
        migrate(self.backend)

    def close(self) -> None:
        """Close the connection."""
        self.backend.close()

    def run(self, work: Callable[[], T]) -> T:
        """Run `work` (which opens and commits its own transaction), reconnecting and retrying
        with exponential backoff when the database goes away; DatabaseUnavailable at the end."""
        attempt = 0
        while True:
            try:
                if self.backend.conn is None:
                    self.backend.connect()
                return work()
            except (DatabaseUnavailable, *self.backend.transient) as exc:
                self.backend.rollback()
                self.backend.close()
                if attempt >= self.retries:
                    raise DatabaseUnavailable(_one_line(exc)) from exc
                attempt += 1
                if self.on_retry is not None:
                    self.on_retry(attempt, exc)
                time.sleep(self.backoff * 2 ** (attempt - 1))
            except self.backend.errors as exc:
                self.backend.rollback()
                raise StoreError(f"{redact(self.url)}: {_one_line(exc)}") from exc

    def transaction(self, work: Callable[[], T]) -> T:
        """`work` inside one transaction (committed, or rolled back on any error), retried."""
        def attempt() -> T:
            self.backend.begin()
            try:
                result = work()
                self.backend.commit()
            except BaseException:
                self.backend.rollback()
                self._names.clear()  # ids of names created by the rolled-back transaction
                raise
            return result

        return self.run(attempt)

    # -- crawl runs -----------------------------------------------------------------------------

    def start_run(self, spider: str | None) -> int:
        """A `crawl_runs` row for a starting crawl; its id."""
        b = self.backend
        return self.transaction(lambda: self._insert_id(
            "INSERT INTO crawl_runs (spider, started_at) VALUES (?, ?)",
            (spider, b.timestamp(datetime.now(UTC)))))

    def finish_run(self, run_id: int, report: dict[str, Any] | None, reason: str | None,
                   failed: bool, stored: int) -> None:
        """Close a run's row with its finish reason and run report."""
        b = self.backend
        self.transaction(lambda: b.execute(
            "UPDATE crawl_runs SET finished_at = ?, finish_reason = ?, failed = ?, stored = ?, "
            "report = ? WHERE id = ?",
            (b.timestamp(datetime.now(UTC)), reason, b.boolean(failed), stored,
             None if report is None else b.json(report), run_id)))

    # -- writes ---------------------------------------------------------------------------------

    def write(self, versions: Iterable[Version], run_id: int | None = None) -> WriteResult:
        """Store a batch of versions in one transaction (retried as a whole)."""
        batch = list(versions)

        def work() -> WriteResult:
            result = WriteResult()
            for version in batch:
                if self._write_one(version, run_id):
                    result.stored += 1
                else:
                    result.unchanged += 1
            return result

        return self.transaction(work)

    def _insert_id(self, statement: str, params: tuple) -> int:
        if self.backend.name == "sqlite":
            return int(self.backend.execute(statement, params).lastrowid)
        return int(self.backend.execute(statement + " RETURNING id", params).fetchone()[0])

    def _values(self, v: Version, number: int, run_id: int | None) -> tuple:
        b = self.backend
        f = v.fields
        return (f["url"], f["portal"], f["language"], f["headline"], f["lead"], f["body"],
                f["section"], f["image"], b.timestamp(v.published), f["published_raw"],
                b.timestamp(v.modified), f["date_source"], b.boolean(f["paywalled"]),
                f["word_count"], v.fingerprint, number, b.timestamp(v.fetched_at), run_id)

    def _write_one(self, v: Version, run_id: int | None) -> bool:
        b = self.backend
        row = b.execute("SELECT id, fingerprint, version, fetched_at FROM articles "
                        "WHERE canonical_url = ?", (v.key,)).fetchone()
        if row is None:
            number = 1
            article_id = self._insert_id(
                f"INSERT INTO articles (canonical_url, {', '.join(COLUMNS)}, first_fetched_at) "
                f"VALUES (?, {_PLACEHOLDERS}, ?)",
                (v.key, *self._values(v, 1, run_id), b.timestamp(v.fetched_at)))
            b.execute("UPDATE related_links SET target_id = ? WHERE canonical_url = ? "
                      "AND target_id IS NULL", (article_id, v.key))
            latest = True
        else:
            article_id, fingerprint, number, fetched_at = row
            if fingerprint == v.fingerprint or b.execute(
                    "SELECT 1 FROM article_versions WHERE article_id = ? AND fingerprint = ? "
                    "AND fetched_at = ?",
                    (article_id, v.fingerprint, b.timestamp(v.fetched_at))).fetchone():
                return False
            number += 1
            latest = b.load_timestamp(fetched_at) <= b.load_timestamp(
                b.timestamp(v.fetched_at))
            # `articles.version` is the highest number even when an older record arrives late.
            if latest:
                b.execute(f"UPDATE articles SET {_ASSIGN} WHERE id = ?",
                          (*self._values(v, number, run_id), article_id))
            else:
                b.execute("UPDATE articles SET version = ? WHERE id = ?", (number, article_id))
        b.execute(
            f"INSERT INTO article_versions (article_id, canonical_url, {', '.join(COLUMNS)}, "
            f"authors, tags, related) VALUES (?, ?, {_PLACEHOLDERS}, ?, ?, ?)",
            (article_id, v.canonical_url, *self._values(v, number, run_id), b.json(v.authors),
             b.json(v.tags), b.json(v.related)))
        if latest:
            self._replace_lists(article_id, v, new=row is None)
        return True

    def _replace_lists(self, article_id: int, v: Version, *, new: bool) -> None:
        """The article's authors, tags and related links become the new version's."""
        b = self.backend
        if not new:
            b.execute("DELETE FROM article_authors WHERE article_id = ?", (article_id,))
            b.execute("DELETE FROM article_tags WHERE article_id = ?", (article_id,))
            b.execute("DELETE FROM related_links WHERE article_id = ?", (article_id,))
        b.executemany("INSERT INTO article_authors (article_id, position, author_id) "
                      "VALUES (?, ?, ?)",
                      [(article_id, i, self._name_id("authors", name))
                       for i, name in enumerate(v.authors)])
        b.executemany("INSERT INTO article_tags (article_id, position, tag_id) VALUES (?, ?, ?)",
                      [(article_id, i, self._name_id("tags", name))
                       for i, name in enumerate(v.tags)])
        keys = [canonical_url(link["url"]) for link in v.related]
        targets: dict[str, int] = {}
        if keys:
            targets = dict(b.execute(
                f"SELECT canonical_url, id FROM articles WHERE canonical_url IN "
                f"({', '.join('?' for _ in keys)})", keys).fetchall())
        links = [(article_id, i, link["title"], link["url"], key, targets.get(key))
                 for i, (link, key) in enumerate(zip(v.related, keys, strict=True))]
        b.executemany("INSERT INTO related_links (article_id, position, title, url, "
                      "canonical_url, target_id) VALUES (?, ?, ?, ?, ?, ?)", links)

    def _name_id(self, table: str, name: str) -> int:
        """The id of an author or tag, created on first use (ids are cached: never deleted)."""
        key = (table, name)
        found = self._names.get(key)
        if found is None:
            b = self.backend
            b.execute(f"INSERT INTO {table} (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
                      (name,))
            found = int(b.execute(f"SELECT id FROM {table} WHERE name = ?",
                                  (name,)).fetchone()[0])
            if len(self._names) < 100_000:
                self._names[key] = found
        return found

    # -- reads ----------------------------------------------------------------------------------

    def export(self, *, since: datetime | None = None, portal: str | None = None,
               latest: bool = False) -> Iterator[dict[str, Any]]:
        """Stored versions as feed records, oldest fetch first (`latest`: one per article)."""
        b = self.backend
        cols = ", ".join(f"v.{c}" for c in EXPORT_COLUMNS)
        where, params = [], []
        if latest:
            where.append("v.version = a.version")
        if since is not None:
            where.append("v.fetched_at >= ?")
            params.append(b.timestamp(since))
        if portal:
            where.append("v.portal = ?")
            params.append(portal)
        sql = (f"SELECT {cols} FROM article_versions v "
               f"JOIN articles a ON a.id = v.article_id"
               f"{' WHERE ' + ' AND '.join(where) if where else ''} "
               f"ORDER BY v.fetched_at, v.id")
        cur = b.execute(sql, params)
        names = EXPORT_COLUMNS
        while rows := cur.fetchmany(500):
            for values in rows:
                row = dict(zip(names, values, strict=True))
                for name in TIME_COLUMNS:
                    row[name] = b.load_timestamp(row[name])
                for name in ("authors", "tags", "related"):
                    row[name] = b.load_json(row[name])
                yield feed_record(row)

    def stats(self) -> dict[str, Any]:
        """Counts a data team checks first: articles, versions, links, runs, per portal."""
        b = self.backend

        def one(sql: str) -> Any:
            return b.execute(sql).fetchone()[0]

        portals = {p or "": n for p, n in b.execute(
            "SELECT portal, count(*) FROM articles GROUP BY portal ORDER BY portal").fetchall()}
        last = b.execute("SELECT id, spider, started_at, finished_at, finish_reason, failed, "
                         "stored FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
        last_run = None
        if last is not None:
            last_run = dict(zip(("id", "spider", "started_at", "finished_at", "finish_reason",
                                 "failed", "stored"), last, strict=True))
            for name in ("started_at", "finished_at"):
                last_run[name] = b.load_timestamp(last_run[name])
            last_run["failed"] = None if last_run["failed"] is None else bool(last_run["failed"])
        return {
            "database": b.name,
            "schema_version": one("SELECT max(version) FROM schema_version"),
            "articles": one("SELECT count(*) FROM articles"),
            "versions": one("SELECT count(*) FROM article_versions"),
            "changed_articles": one("SELECT count(*) FROM articles WHERE version > 1"),
            "authors": one("SELECT count(*) FROM authors"),
            "tags": one("SELECT count(*) FROM tags"),
            "related_links": one("SELECT count(*) FROM related_links"),
            "resolved_links": one("SELECT count(*) FROM related_links "
                                  "WHERE target_id IS NOT NULL"),
            "first_fetched": b.load_timestamp(one("SELECT min(first_fetched_at) FROM articles")),
            "last_fetched": b.load_timestamp(one("SELECT max(fetched_at) FROM articles")),
            "runs": one("SELECT count(*) FROM crawl_runs"),
            "last_run": last_run,
            "portals": portals,
        }


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def open_store(url: str, **options: Any) -> ArticleStore:
    """An `ArticleStore` on `url` with the schema migrated; StoreError when it cannot be used."""
    try:
        return ArticleStore(url, **options)
    except ValueError as exc:
        raise StoreError(str(exc)) from exc


__all__ = ["ArticleStore", "DatabaseUnavailable", "StoreError", "WriteResult", "open_store"]
