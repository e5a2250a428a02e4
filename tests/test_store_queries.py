"""Every example query of docs/database.md, run against SQLite and PostgreSQL on a small set."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newscrawl.items import Article, RelatedLink
from newscrawl.store import Version, open_store

DOC = Path(__file__).resolve().parent.parent / "docs" / "database.md"
BASE = "https://example.pl"
NOW = datetime.now(UTC).replace(microsecond=0)


def doc_queries() -> list[tuple[str, str]]:
    """(engines comment, SQL) of every ```sql block of the page, in order."""
    blocks = re.findall(r"```sql\n(-- [^\n]+)\n(.*?)```", DOC.read_text(encoding="utf-8"),
                        re.DOTALL)
    return [(engines.removeprefix("-- "), sql.strip().rstrip(";")) for engines, sql in blocks]


QUERIES = doc_queries()


def test_the_page_has_its_queries() -> None:
    assert [e for e, _ in QUERIES] == ["SQLite", "PostgreSQL", "SQLite and PostgreSQL",
                                       "SQLite and PostgreSQL", "SQLite", "PostgreSQL"]


@pytest.fixture
def filled(database_url: str) -> Iterator[tuple[str, object]]:
    """A database with: today's article (a), an older one (b) changed once, one (c) that a and
    b recommend and that recommends a; c's body mentions the flood."""
    engine = "SQLite" if database_url.startswith("sqlite") else "PostgreSQL"

    def art(name: str, published: datetime, fetched: datetime, fingerprint: str, related: list,
            headline: str | None = None, body: str = "Zwykły tekst.") -> Version:
        return Version.from_item(Article(
            url=f"{BASE}/{name}", portal="wp", headline=headline or f"Tytuł {name}",
            body=[body], published=published.isoformat(), fetched_at=fetched.isoformat(),
            fingerprint=fingerprint, related=[RelatedLink(f"Tytuł {r}", f"{BASE}/{r}")
                                              for r in related]))

    old = NOW - timedelta(days=3)
    store = open_store(database_url)
    store.write([art("b", old, old, "b1", ["c"], headline="Stary tytuł b"),
                 art("c", old, old, "c1", ["a"], body="Powódź na południu kraju."),
                 art("a", NOW, NOW, "a1", ["c"]),
                 art("b", old, NOW, "b2", ["c"], headline="Nowy tytuł b")])
    yield engine, store
    store.close()


def run(store, sql: str) -> list[tuple]:
    return [tuple(r) for r in store.backend.execute(sql).fetchall()]


def queries_for(engine: str) -> list[str]:
    return [sql for engines, sql in QUERIES if engine in engines]


def test_doc_queries(filled: tuple[str, object]) -> None:
    engine, store = filled
    today, changed, recommended, fulltext = queries_for(engine)
    assert [r[1] for r in run(store, today)] == ["Tytuł a"]
    rows = run(store, changed)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (f"{BASE}/b", 2, "Stary tytuł b", "Nowy tytuł b")]
    assert [(r[0], r[2]) for r in run(store, recommended)] == [("Tytuł c", 2), ("Tytuł a", 1)]
    assert [r[1] for r in run(store, fulltext)] == [f"{BASE}/c"]
