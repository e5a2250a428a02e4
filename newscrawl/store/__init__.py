"""Articles into a database: every version of every article, queryable in SQLite or PostgreSQL.

`NEWSCRAWL_DATABASE = "sqlite:///articles.db"` (or `postgresql://user@host/db`) switches on
`newscrawl.store.pipeline.StorePipeline`; `newscrawl db URL export|import|stats` reads and loads
the same database. docs/database.md describes the schema and the guarantees.
"""

from newscrawl.store.backends import DatabaseUnavailable, StoreError, check_url, redact
from newscrawl.store.records import BadRecord, Version
from newscrawl.store.store import ArticleStore, WriteResult, open_store

__all__ = ["ArticleStore", "BadRecord", "DatabaseUnavailable", "StoreError", "Version",
           "WriteResult", "check_url", "open_store", "redact"]
