"""The database schema, as numbered migrations applied in order when a store opens.

`schema_version` holds one row per applied migration. A migration is a list of statements with
column-type slots (`{id}`, `{ref}`, `{ts}`, `{bool}`, `{json}`) that each backend fills in, plus
engine-only statements (`SQLITE_EXTRA`, `POSTGRES_EXTRA`: full text search). Never edit a
released migration: append the next one. docs/database.md describes the tables.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from newscrawl.store.backends import StoreError

_ARTICLE_COLUMNS = """
    url TEXT NOT NULL,
    portal TEXT,
    language TEXT,
    headline TEXT,
    lead TEXT,
    body TEXT,
    section TEXT,
    image TEXT,
    published {ts},
    published_raw TEXT,
    modified {ts},
    date_source TEXT,
    paywalled {bool} NOT NULL,
    word_count INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    version INTEGER NOT NULL,
    fetched_at {ts} NOT NULL,
    run_id {ref} REFERENCES crawl_runs (id)"""



def _named_list(table: str, ref: str) -> list[str]:
    """A table of names (authors, tags) and the ordered list of them per article."""
    return [
        f"CREATE TABLE {table} (id {{id}}, name TEXT NOT NULL UNIQUE)",
        f"""CREATE TABLE article_{table} (
            article_id {{ref}} NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            {ref} {{ref}} NOT NULL REFERENCES {table} (id),
            PRIMARY KEY (article_id, position)
        )""",
        f"CREATE INDEX article_{table}_{ref.removesuffix('_id')} ON article_{table} ({ref})",
    ]


MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE crawl_runs (
            id {id},
            spider TEXT,
            started_at {ts} NOT NULL,
            finished_at {ts},
            finish_reason TEXT,
            failed {bool},
            stored INTEGER NOT NULL DEFAULT 0,
            report {json}
        )""",
        """CREATE TABLE articles (
            id {id},
            canonical_url TEXT NOT NULL UNIQUE,""" + _ARTICLE_COLUMNS + """,
            first_fetched_at {ts} NOT NULL
        )""",
        "CREATE INDEX articles_portal_published ON articles (portal, published)",
        "CREATE INDEX articles_url ON articles (url)",
        "CREATE INDEX articles_fetched_at ON articles (fetched_at)",
        """CREATE TABLE article_versions (
            id {id},
            article_id {ref} NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            canonical_url TEXT,""" + _ARTICLE_COLUMNS + """,
            authors {json} NOT NULL,
            tags {json} NOT NULL,
            related {json} NOT NULL,
            UNIQUE (article_id, version),
            UNIQUE (article_id, fingerprint, fetched_at)
        )""",
        "CREATE INDEX article_versions_fetched_at ON article_versions (fetched_at)",
        *_named_list("authors", "author_id"),
        *_named_list("tags", "tag_id"),
        """CREATE TABLE related_links (
            article_id {ref} NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            title TEXT,
            url TEXT NOT NULL,
            canonical_url TEXT NOT NULL,
            target_id {ref} REFERENCES articles (id) ON DELETE SET NULL,
            PRIMARY KEY (article_id, position)
        )""",
        "CREATE INDEX related_links_canonical_url ON related_links (canonical_url)",
        "CREATE INDEX related_links_target ON related_links (target_id)",
    ],
}

SQLITE_EXTRA: dict[int, list[str]] = {
    1: [
        """CREATE VIRTUAL TABLE articles_fts USING fts5(
            headline, lead, body, content='articles', content_rowid='id')""",
        """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, headline, lead, body)
            VALUES (new.id, new.headline, new.lead, new.body);
        END""",
        """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, headline, lead, body)
            VALUES ('delete', old.id, old.headline, old.lead, old.body);
        END""",
        """CREATE TRIGGER articles_fts_update AFTER UPDATE OF headline, lead, body ON articles
        BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, headline, lead, body)
            VALUES ('delete', old.id, old.headline, old.lead, old.body);
            INSERT INTO articles_fts (rowid, headline, lead, body)
            VALUES (new.id, new.headline, new.lead, new.body);
        END""",
    ],
}

POSTGRES_EXTRA: dict[int, list[str]] = {
    1: [
        # 'simple': no stemming, so every portal's language is indexed alike.
        """ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
            to_tsvector('simple', coalesce(headline, '') || ' ' || coalesce(lead, '') || ' ' ||
                        coalesce(body, ''))) STORED""",
        "CREATE INDEX articles_search ON articles USING GIN (search)",
    ],
}

LATEST = max(MIGRATIONS)


#: Engine-only statements by backend name.
EXTRA = {"sqlite": SQLITE_EXTRA, "postgresql": POSTGRES_EXTRA}


def statements(backend: Any, version: int) -> list[str]:
    """The statements of one migration for this backend."""
    return ([s.format(**backend.types) for s in MIGRATIONS[version]]
            + EXTRA[backend.name].get(version, []))


def current_version(backend: Any) -> int:
    """The highest applied migration (0 for an empty database)."""
    if not backend.has_table("schema_version"):
        return 0
    row = backend.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(backend: Any) -> int:
    """Apply the missing migrations in one transaction; the schema version reached.

    A database written by a newer newscrawl (a higher version) is refused rather than guessed at.
    """
    backend.begin()
    try:
        backend.lock_schema()
        backend.execute(
            f"CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
            f"applied_at {backend.types['ts']} NOT NULL)")
        found = current_version(backend)
        if found > LATEST:
            raise StoreError(f"the database has schema version {found}; this newscrawl knows "
                             f"up to {LATEST} (upgrade newscrawl)")
        for version in range(found + 1, LATEST + 1):
            for statement in statements(backend, version):
                backend.execute(statement)
            backend.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                            (version, backend.timestamp(datetime.now(UTC))))
        backend.commit()
    except BaseException:
        backend.rollback()
        raise
    return LATEST
