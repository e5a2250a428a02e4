"""The database store end to end: real `newscrawl crawl --db` processes against the miniature
portal, on SQLite and on a real PostgreSQL (tests/postgres_server.py)."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from postgres_server import postgres_server
from test_incremental_e2e import (
    ARTICLE_PATHS,
    EXPECTED,
    ROOT,
    change_portal,
    crawl,
    crawl_cmd,
    paths,
)

from newscrawl.devtools.portal_server import PortalServer
from newscrawl.store import open_store

pytestmark = pytest.mark.timeout(300)
#: Slow and sequential, small batches: a run that is stopped midway has some batches committed.
SLOW = ["-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.15",
        "-s", "NEWSCRAWL_DATABASE_BATCH_ITEMS=3", "-s", "NEWSCRAWL_STATE_COMMIT_ITEMS=2"]


def query(url: str, sql: str) -> list[tuple]:
    store = open_store(url)
    try:
        return [tuple(r) for r in store.backend.execute(sql).fetchall()]
    finally:
        store.close()


def path_of(url: str) -> str:
    return paths([{"url": url}])[0]


def stored_versions(url: str) -> dict[str, list[int]]:
    """Article path -> its version numbers in the database."""
    found: dict[str, list[int]] = {}
    for canonical, version in query(url, "SELECT a.canonical_url, v.version FROM articles a "
                                         "JOIN article_versions v ON v.article_id = a.id "
                                         "ORDER BY a.canonical_url, v.version"):
        found.setdefault(path_of(canonical), []).append(version)
    return found


def emitted_in_state(state: Path) -> set[str]:
    with sqlite3.connect(state) as db:
        return {path_of(row[0]) for row in db.execute(
            "SELECT coalesce(url, key) FROM articles WHERE emitted > 0")}


def test_two_incremental_runs_keep_every_version(portal: PortalServer, tmp_path: Path,
                                                 database_url: str) -> None:
    state = tmp_path / "state.sqlite"
    first = crawl(portal, tmp_path / "run1", state, "--db", database_url)
    assert sorted(paths(first)) == sorted(ARTICLE_PATHS)
    changed, added = change_portal(Path(portal.root))
    second = crawl(portal, tmp_path / "run2", state, "--db", database_url)
    assert sorted(paths(second)) == sorted(changed + added)

    versions = stored_versions(database_url)
    assert set(versions) == ARTICLE_PATHS | set(added), "one row per article"
    assert {p: v for p, v in versions.items() if v != [1]} == {p: [1, 2] for p in changed}
    bodies = dict(query(database_url, "SELECT canonical_url, body FROM articles"))
    for canonical, body in bodies.items():
        assert ("Aktualizacja" in body) == (path_of(canonical) in changed)
    first_bodies = query(database_url, "SELECT body FROM article_versions WHERE version = 1")
    assert not any("Aktualizacja" in b for (b,) in first_bodies)

    # every related link of the portal points at a stored article, the one with its title
    links = query(database_url, "SELECT a.canonical_url, l.title, t.headline FROM related_links l "
                          "JOIN articles a ON a.id = l.article_id "
                          "LEFT JOIN articles t ON t.id = l.target_id "
                          "ORDER BY a.canonical_url, l.position")
    expected = {e["path"]: e["related"] for e in EXPECTED}
    assert len(links) >= sum(len(v) for v in expected.values())
    assert all(target == title for _, title, target in links), "links resolve to article rows"
    for path, titles in expected.items():
        assert [t for c, t, _ in links if path_of(c) == path] == titles

    runs = query(database_url, "SELECT spider, finish_reason, failed, stored FROM crawl_runs "
                         "ORDER BY id")
    assert [(s, r, bool(f), n) for s, r, f, n in runs] == [
        ("wp", "finished", False, len(ARTICLE_PATHS)), ("wp", "finished", False, 5)]
    stats = json.loads(subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", "db", database_url, "stats"], cwd=ROOT,
        capture_output=True, text=True, check=True).stdout)
    assert (stats["articles"], stats["versions"], stats["changed_articles"]) == (
        len(ARTICLE_PATHS) + 3, len(ARTICLE_PATHS) + 5, 2)
    assert stats["resolved_links"] == stats["related_links"] > 0


def _wait_for_versions(url: str, count: int, proc: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while True:
        try:
            if len(query(url, "SELECT id FROM article_versions")) >= count:
                return
        except Exception:  # noqa: BLE001 - the crawl may not have created the schema yet
            pass
        assert proc.poll() is None, "the crawl ended before it could be stopped"
        assert time.monotonic() < deadline, "the crawl stored too few articles"
        time.sleep(0.1)


def test_sigkill_then_rerun_stores_every_article_once(portal: PortalServer, tmp_path: Path,
                                                      database_url: str) -> None:
    state = tmp_path / "state.sqlite"
    command = crawl_cmd(portal, tmp_path / "killed", state, "--db", database_url, *SLOW)
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL) as proc:
        try:
            _wait_for_versions(database_url, 9, proc)
        finally:
            proc.send_signal(signal.SIGKILL)  # waited for when the block ends
    stored = set(stored_versions(database_url))
    assert 9 <= len(stored) < len(ARTICLE_PATHS)
    emitted = emitted_in_state(state)
    assert emitted <= stored, "the crawl state records only articles committed to the database"

    crawl(portal, tmp_path / "rerun", state, "--db", database_url)
    assert stored_versions(database_url) == {p: [1] for p in ARTICLE_PATHS}, \
        "every article exactly once, one version each"
    assert len(query(database_url, "SELECT id FROM article_versions")) == len(ARTICLE_PATHS)


def test_database_gone_mid_run_fails_loudly_and_loses_nothing(portal: PortalServer,
                                                              tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with postgres_server() as server:
        url = server.create_database("gone")
        proc = subprocess.Popen(
            crawl_cmd(portal, tmp_path / "run1", state, "--db", url, *SLOW,
                      "-s", "NEWSCRAWL_DATABASE_RETRIES=2",
                      "-s", "NEWSCRAWL_DATABASE_RETRY_BACKOFF=0.2"),
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            _wait_for_versions(url, 6, proc)
            server.stop(immediate=True)
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 1, err[-3000:]
        assert "run failed: finish reason 'database_unavailable'" in err
        assert "retry 2 of 2" in err
        server.start()
        before = stored_versions(url)
        assert len(before) >= 6, "what was committed before the outage is still there"
        assert emitted_in_state(state) <= set(before)

        crawl(portal, tmp_path / "run2", state, "--db", url)
        assert stored_versions(url) == {p: [1] for p in ARTICLE_PATHS}
        failed = query(url, "SELECT count(*) FROM crawl_runs WHERE finished_at IS NULL")
        assert failed == [(1,)], "the failed run's row stays open"


def test_database_unreachable_at_start_fails_the_run_and_records_nothing(
        portal: PortalServer, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    proc = subprocess.run(
        crawl_cmd(portal, tmp_path / "run1", state, "--db", "postgresql://postgres@127.0.0.1:9/x",
                  "-s", "NEWSCRAWL_DATABASE_RETRIES=1",
                  "-s", "NEWSCRAWL_DATABASE_RETRY_BACKOFF=0.1"),
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        "newscrawl crawl: run failed: finish reason 'database_unavailable'")
    assert "cannot connect to postgresql://postgres@127.0.0.1:9/x" in proc.stderr
    assert not state.exists() or emitted_in_state(state) == set(), "nothing recorded as emitted"
    database = f"sqlite:///{tmp_path / 'articles.db'}"
    assert sorted(paths(crawl(portal, tmp_path / "run2", state, "--db", database))) == \
        sorted(ARTICLE_PATHS)
    assert stored_versions(database) == {p: [1] for p in ARTICLE_PATHS}
