"""The article store on its own: versions, idempotent writes, related links, schema, failures.

Every test runs on SQLite and on a real PostgreSQL (tests/postgres_server.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.items import Article, RelatedLink
from newscrawl.store import (
    BadRecord,
    DatabaseUnavailable,
    StoreError,
    Version,
    check_url,
    open_store,
    redact,
)
from newscrawl.store.schema import LATEST

BASE = "https://wiadomosci.example.pl"


def article(n: int, fingerprint: str = "a", fetched: str = "2024-07-01T10:00:00+00:00",
            **kw: object) -> Article:
    values: dict = {
        "url": f"{BASE}/artykul-{n}?utm_source=x", "canonical_url": f"{BASE}/artykul-{n}",
        "portal": "example", "language": "pl", "headline": f"Nagłówek {n}",
        "lead": f"Lead {n}", "body": [f"Akapit pierwszy {n} {fingerprint}.", "Akapit drugi."],
        "authors": ["Anna Nowak", "Jan Kowalski"], "tags": ["Polska"],
        "published": "2024-07-01T08:00:00+02:00", "published_raw": "1 lipca 2024, 08:00",
        "fetched_at": fetched, "fingerprint": f"{n}-{fingerprint}", "word_count": 7}
    values.update(kw)
    return Article(**values)


def versions(*items: Article) -> list[Version]:
    return [Version.from_item(i) for i in items]


def count(store, sql: str) -> int:
    return store.backend.execute(sql).fetchone()[0]


def test_new_article_then_changed_then_unchanged(database_url: str) -> None:
    store = open_store(database_url)
    assert store.write(versions(article(1))).stored == 1
    changed = article(1, "b", "2024-07-02T10:00:00+00:00", body=["Nowa treść.", "Akapit drugi."])
    assert store.write(versions(changed)).stored == 1
    # fetched again with the same text (e.g. after a crash before the crawl state commit)
    again = article(1, "b", "2024-07-03T10:00:00+00:00", body=["Nowa treść.", "Akapit drugi."])
    assert store.write(versions(again)).unchanged == 1
    assert (count(store, "SELECT count(*) FROM articles"),
            count(store, "SELECT count(*) FROM article_versions")) == (1, 2)
    row = store.backend.execute("SELECT canonical_url, version, body FROM articles").fetchone()
    assert tuple(row) == (f"{BASE}/artykul-1", 2, "Nowa treść.\n\nAkapit drugi.")
    exported = list(store.export())
    assert [(r["version"], r["updated"], r["body"][0]) for r in exported] == [
        (1, False, "Akapit pierwszy 1 a."), (2, True, "Nowa treść.")]
    assert [r["version"] for r in store.export(latest=True)] == [2]
    store.close()


def test_replaying_a_batch_adds_nothing(database_url: str) -> None:
    store = open_store(database_url)
    batch = versions(article(1), article(2), article(1, "b", "2024-07-02T10:00:00+00:00"))
    assert store.write(batch).stored == 3
    assert store.write(batch).unchanged == 3
    assert count(store, "SELECT count(*) FROM article_versions") == 3
    assert count(store, "SELECT count(*) FROM authors") == 2  # names shared, not repeated
    store.close()


def test_text_changed_back_is_a_new_version(database_url: str) -> None:
    store = open_store(database_url)
    store.write(versions(article(1, "a", "2024-07-01T10:00:00+00:00"),
                         article(1, "b", "2024-07-02T10:00:00+00:00"),
                         article(1, "a", "2024-07-03T10:00:00+00:00")))
    assert [r["fingerprint"] for r in store.export()] == ["1-a", "1-b", "1-a"]
    assert [r["version"] for r in store.export()] == [1, 2, 3]
    store.close()


def test_timestamps_in_utc_and_raw_date_kept(database_url: str) -> None:
    store = open_store(database_url)
    store.write(versions(article(1, fetched="2024-07-01T12:30:00.250000+02:00")))
    record = next(store.export())
    assert record["published"] == "2024-07-01T06:00:00+00:00"
    assert record["published_raw"] == "1 lipca 2024, 08:00"
    assert record["fetched_at"] == "2024-07-01T10:30:00.250000+00:00"
    store.close()


def test_related_links_resolve_in_both_directions(database_url: str) -> None:
    store = open_store(database_url)
    # 1 links to 2 (not stored yet) and to an article never stored; 3 links to 1 (stored).
    one = article(1, related=[RelatedLink("Dwa", f"{BASE}/artykul-2?utm_medium=related"),
                              RelatedLink("Obcy", f"{BASE}/inny-99")])
    store.write(versions(one))
    store.write(versions(article(2), article(3, related=[RelatedLink("Jeden", one.url)])))
    links = store.backend.execute(
        "SELECT a.canonical_url, l.title, t.canonical_url FROM related_links l "
        "JOIN articles a ON a.id = l.article_id LEFT JOIN articles t ON t.id = l.target_id "
        "ORDER BY a.canonical_url, l.position").fetchall()
    assert [tuple(r) for r in links] == [
        (f"{BASE}/artykul-1", "Dwa", f"{BASE}/artykul-2"),
        (f"{BASE}/artykul-1", "Obcy", None),
        (f"{BASE}/artykul-3", "Jeden", f"{BASE}/artykul-1")]
    store.close()


def test_new_version_replaces_authors_tags_and_links(database_url: str) -> None:
    store = open_store(database_url)
    store.write(versions(article(1, related=[RelatedLink("A", f"{BASE}/a")])))
    store.write(versions(article(1, "b", "2024-07-02T10:00:00+00:00", authors=["Ewa Lis"],
                                 tags=[], related=[])))
    names = store.backend.execute(
        "SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id"
    ).fetchall()
    assert [r[0] for r in names] == ["Ewa Lis"]
    assert count(store, "SELECT count(*) FROM article_tags") == 0
    assert count(store, "SELECT count(*) FROM related_links") == 0
    first = next(store.export())  # the first version keeps its own lists
    assert (first["authors"], first["tags"], first["related"]) == (
        ["Anna Nowak", "Jan Kowalski"], ["Polska"], [{"title": "A", "url": f"{BASE}/a"}])
    store.close()


def test_an_older_version_arriving_late_does_not_replace_the_latest(
        database_url: str) -> None:
    store = open_store(database_url)
    store.write(versions(article(1, "b", "2024-07-02T10:00:00+00:00")))
    store.write(versions(article(1, "a", "2024-07-01T10:00:00+00:00")))
    row = store.backend.execute("SELECT fingerprint, version FROM articles").fetchone()
    assert tuple(row) == ("1-b", 2)
    store.close()


def test_full_text_search(database_url: str) -> None:
    store = open_store(database_url)
    store.write(versions(article(1, body=["Powódź na Podkarpaciu."]), article(2)))
    if database_url.startswith("sqlite"):
        sql = ("SELECT a.canonical_url FROM articles_fts f JOIN articles a ON a.id = f.rowid "
               "WHERE articles_fts MATCH 'Podkarpaciu'")
    else:
        sql = ("SELECT canonical_url FROM articles "
               "WHERE search @@ plainto_tsquery('simple', 'Podkarpaciu')")
    assert [r[0] for r in store.backend.execute(sql).fetchall()] == [f"{BASE}/artykul-1"]
    store.close()


def test_schema_versioned_and_reopened(database_url: str) -> None:
    open_store(database_url).close()
    store = open_store(database_url)  # no migration runs twice
    rows = store.backend.execute("SELECT version FROM schema_version").fetchall()
    assert [r[0] for r in rows] == list(range(1, LATEST + 1))
    store.backend.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                          (LATEST + 1, store.backend.timestamp(None) or "2099-01-01"))
    store.backend.commit()
    store.close()
    with pytest.raises(StoreError, match="upgrade newscrawl"):
        open_store(database_url)


def test_runs_recorded_with_their_report(database_url: str) -> None:
    store = open_store(database_url)
    run = store.start_run("wp")
    store.write(versions(article(1)), run)
    store.finish_run(run, {"articles": 1, "failed": False}, "finished", False, 1)
    stats = store.stats()
    assert (stats["articles"], stats["versions"], stats["runs"]) == (1, 1, 1)
    assert stats["last_run"]["finish_reason"] == "finished"
    assert stats["last_run"]["failed"] is False
    report = store.backend.load_json(store.backend.execute(
        "SELECT report FROM crawl_runs").fetchone()[0])
    assert report == {"articles": 1, "failed": False}
    assert count(store, "SELECT count(*) FROM article_versions WHERE run_id IS NOT NULL") == 1
    store.close()


# -- engine-independent rules ------------------------------------------------------------------

def test_bad_records_are_named() -> None:
    with pytest.raises(BadRecord, match="no url"):
        Version.from_item({"headline": "x"})
    with pytest.raises(BadRecord, match="published is not an ISO 8601 date"):
        Version.from_item({"url": f"{BASE}/a", "published": "wczoraj"})


def test_urls_checked_and_passwords_hidden() -> None:
    assert check_url("sqlite:///articles.db") == "sqlite:///articles.db"
    assert check_url("postgresql://news@db/news")
    for bad in ("sqlite://articles.db", "mysql://x/y", "articles.db"):
        with pytest.raises(ValueError):
            check_url(bad)
    assert redact("postgresql://news:s3cret@db:5432/news") == "postgresql://news:***@db:5432/news"


def test_unreachable_database_retried_then_unavailable() -> None:
    retries: list[int] = []
    with pytest.raises(DatabaseUnavailable, match="cannot connect"):
        open_store("postgresql://postgres@127.0.0.1:9/none", retries=2, backoff=0.01,
                   on_retry=lambda attempt, exc: retries.append(attempt))
    assert retries == [1, 2]


def test_sqlite_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DatabaseUnavailable, match="cannot create the folder"):
        open_store(f"sqlite:///{blocker / 'sub' / 'a.db'}")


def test_not_a_database_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("just some text, not SQLite" * 100)
    with pytest.raises(StoreError):
        open_store(f"sqlite:///{path}")


def test_a_batch_rolled_back_leaves_nothing_behind(database_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(database_url)
    replace = store._replace_lists

    def failing(*args: object, **kwargs: object) -> None:
        replace(*args, **kwargs)
        raise store.backend.errors[0]("disk trouble")

    monkeypatch.setattr(store, "_replace_lists", failing)
    with pytest.raises(StoreError, match="disk trouble"):
        store.write(versions(article(1, authors=["Nowa Autorka"])))
    monkeypatch.undo()
    assert count(store, "SELECT count(*) FROM articles") == 0
    store.write(versions(article(2, authors=["Nowa Autorka"])))  # the name is created again
    names = store.backend.execute(
        "SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id"
    ).fetchall()
    assert [r[0] for r in names] == ["Nowa Autorka"]
    store.close()
