"""Crawl state store, incremental decisions and the run lock, without a crawl."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newscrawl.incremental.freshness import content_fingerprint, decide, state_key
from newscrawl.incremental.lock import LockBusy, RunLock, lock_path_for
from newscrawl.incremental.state import SQLiteState, StateRecord, later, parse_date
from newscrawl.items import Article

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path):
    with SQLiteState(tmp_path / "state.sqlite") as state:
        yield state


def test_parse_date_shapes_compare() -> None:
    assert parse_date("2026-03-01") == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_date("2026-03-01T14:00:00+02:00") == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert parse_date("2026-03-01T12:00:00Z") == parse_date("2026-03-01T12:00:00")
    assert parse_date("Sun, 01 Mar 2026 12:00:00 GMT") == NOW
    assert parse_date("not a date") is None
    assert later("2026-03-01T10:00:00+00:00", "2026-03-01T11:00:00+02:00") == (
        "2026-03-01T10:00:00+00:00")
    assert later(None, None) is None


def test_upsert_and_lookup(store: SQLiteState) -> None:
    assert store.get("https://example.com/a") is None
    store.record_emitted("https://example.com/a", "https://example.com/a", "fp1", 1,
                         published="2026-02-01T10:00:00+01:00", lastmod="2026-02-01", now=NOW)
    store.commit()
    record = store.get("https://example.com/a")
    assert record is not None and record.committed
    assert (record.fingerprint, record.version, record.emitted) == ("fp1", 1, 1)
    assert record.lastmod == "2026-02-01T00:00:00+00:00"
    stamp = "2026-03-01T12:00:00+00:00"
    assert record.first_seen == record.last_seen == record.last_fetched == stamp

    later_now = NOW + timedelta(days=2)
    store.record_emitted("https://example.com/a", "https://example.com/a", "fp2", 2,
                         lastmod="2026-01-01", now=later_now)
    record = store.get("https://example.com/a")
    assert (record.fingerprint, record.version, record.emitted) == ("fp2", 2, 2)
    assert record.lastmod == "2026-02-01T00:00:00+00:00", "lastmod never moves back"
    assert record.published == "2026-02-01T10:00:00+01:00", "kept when the new value is None"
    assert record.first_seen < record.last_seen


def test_touch_does_not_mark_emitted(store: SQLiteState) -> None:
    store.touch("k", "https://example.com/k", lastmod="2026-02-02", now=NOW)
    record = store.get("k")
    assert record is not None and not record.committed and record.last_fetched is None
    store.touch("k", "https://example.com/k", fetched=True, now=NOW + timedelta(hours=1))
    record = store.get("k")
    assert record.last_fetched == "2026-03-01T13:00:00+00:00"
    assert record.lastmod == "2026-02-02T00:00:00+00:00"
    assert store.get_many(["k", "missing"]).keys() == {"k"}


def test_uncommitted_changes_are_lost_on_crash(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    state = SQLiteState(path)
    state.record_emitted("a", "https://example.com/a", "fp", 1, now=NOW)
    state.commit()
    state.record_emitted("b", "https://example.com/b", "fp", 1, now=NOW)
    # A second connection (another process) sees the committed row only.
    with SQLiteState(path) as other:
        assert other.get("a") is not None
        assert other.get("b") is None
    state._db.close()  # dies without commit, as a killed process would
    with SQLiteState(path) as reopened:
        assert reopened.get("a") is not None and reopened.get("b") is None


def test_expire_and_reset(store: SQLiteState) -> None:
    for day in range(10):
        store.touch(f"k{day}", f"https://example.com/{day}", now=NOW - timedelta(days=day))
    store.commit()
    assert store.expire(NOW - timedelta(days=4, hours=12)) == 5
    assert len(store) == 5
    assert store.expire_days(2.5, now=NOW) == 2
    assert sorted(r for r in ("k0", "k1", "k2") if store.get(r)) == ["k0", "k1", "k2"]
    stats = store.stats()
    assert stats["urls"] == 3 and stats["emitted"] == 0
    store.reset()
    assert len(store) == 0


def test_wal_mode_and_index_used(store: SQLiteState) -> None:
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    plan = " ".join(str(r) for r in store._db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM articles WHERE key = ?", ("x",)))
    assert "PRIMARY KEY" in plan or "USING" in plan
    plan = " ".join(str(r) for r in store._db.execute(
        "EXPLAIN QUERY PLAN DELETE FROM articles WHERE last_seen < ?", ("x",)))
    assert "articles_last_seen" in plan


WRITER = textwrap.dedent("""
    import sys
    from newscrawl.incremental.state import SQLiteState
    state = SQLiteState(sys.argv[1])
    prefix = sys.argv[2]
    for i in range(2000):
        state.record_emitted(f"{prefix}{i}", f"https://example.com/{prefix}{i}", "fp", 1)
        if i % 50 == 49:
            state.commit()
    state.close()
""")


def test_two_processes_write_concurrently(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    SQLiteState(path).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), prefix])
             for prefix in ("a", "b")]
    # Meanwhile this process reads without blocking the writers.
    with SQLiteState(path) as reader:
        reader.stats()
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with SQLiteState(path) as state:
        assert len(state) == 4000
        assert state.get("a1999") is not None and state.get("b0") is not None
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_decide() -> None:
    recheck = timedelta(days=1)
    emitted = StateRecord("k", "u", fingerprint="fp", lastmod="2026-02-01T00:00:00+00:00",
                          last_fetched="2026-03-01T06:00:00+00:00", emitted=1, version=1)
    assert decide(None, {"source": "sitemap"}, NOW, recheck) == "new"
    assert decide(StateRecord("k", "u"), {"source": "sitemap"}, NOW, recheck) == "pending"
    gone = StateRecord("k", "u", lastmod="2026-02-01T00:00:00+00:00",
                       last_fetched="2026-03-01T06:00:00+00:00")  # answered 404 at 06:00
    assert decide(gone, {"source": "listing"}, NOW, recheck) == "skip"
    assert decide(gone, {"source": "sitemap", "lastmod": "2026-02-01"}, NOW, recheck) == "skip"
    assert decide(gone, {"source": "sitemap", "lastmod": "2026-03-01"}, NOW, recheck) == "moved"
    assert decide(gone, {"source": "listing"}, NOW + recheck, recheck) == "recheck"
    same = {"source": "sitemap", "lastmod": "2026-02-01T01:00:00+01:00"}
    assert decide(emitted, same, NOW, recheck) == "skip"
    assert decide(emitted, {"source": "news-sitemap", "published": "2026-01-30"},
                  NOW, recheck) == "skip"
    assert decide(emitted, {"source": "rss", "published": "2026-02-03"}, NOW, recheck) == "moved"
    assert decide(emitted, {"source": "sitemap", "lastmod": "2026-02-02"},
                  NOW, recheck) == "moved"
    assert decide(emitted, {"source": "listing"}, NOW, recheck) == "skip"
    assert decide(emitted, {"source": "listing"}, NOW + timedelta(days=1), recheck) == "recheck"
    assert decide(emitted, {"source": "listing"}, NOW + timedelta(days=9), None) == "skip"
    assert decide(emitted, {"source": "sitemap"}, NOW, recheck) == "skip", "undated: like listing"
    assert decide(emitted, {"source": "start"}, NOW, recheck) == "start"


def test_fingerprint_and_key() -> None:
    a = Article(url="https://example.com/a", headline="H", lead="L", body=["p1"])
    b = Article(url="https://example.com/a", headline="H", lead="L", body=["p1", "p2"])
    assert content_fingerprint(a) != content_fingerprint(b)
    assert content_fingerprint(a) == content_fingerprint(
        Article(url="https://example.com/a", headline="H", lead="L", body=["p1"],
                fetched_at="2026-01-01T00:00:00+00:00"))
    assert content_fingerprint(Article(url="x", fingerprint="given")) == "given"
    assert state_key("https://example.com/a?utm_source=x") == state_key("https://example.com/a")


HOLDER = textwrap.dedent("""
    import sys, time
    from newscrawl.incremental.lock import RunLock
    lock = RunLock(sys.argv[1]).acquire()
    print("locked", flush=True)
    sys.stdin.read()
""")


def test_run_lock_excludes_second_run_and_survives_sigkill(tmp_path: Path) -> None:
    path = lock_path_for(tmp_path / "state-wp.sqlite")
    assert path.name == "state-wp.sqlite.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockBusy, match=f"pid {holder.pid}"):
            RunLock(path).acquire()
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    with RunLock(path) as lock:  # the kernel released the dead holder's lock
        assert lock.held
        other = subprocess.run([sys.executable, "-c", TRY, str(path)], capture_output=True,
                               text=True, timeout=60)
        assert other.stdout.strip() == f"busy: another run holds {path} (held by pid {os.getpid()}"
    assert not lock.held
    other = subprocess.run([sys.executable, "-c", TRY, str(path)], capture_output=True,
                           text=True, timeout=60)
    assert other.stdout.strip() == "acquired"


TRY = textwrap.dedent("""
    import sys
    from newscrawl.incremental.lock import LockBusy, RunLock
    try:
        RunLock(sys.argv[1]).acquire()
        print("acquired")
    except LockBusy as exc:
        print("busy:", str(exc).split(" since")[0])
""")


def test_feeds_that_announce_writes_are_counted() -> None:
    from scrapy.settings import Settings

    import newscrawl.settings as project
    from newscrawl.addon import apply_defaults
    from newscrawl.incremental.tracker import IncrementalTracker

    settings = Settings()
    settings.setmodule(project)
    apply_defaults(settings)  # the add-on registers newscrawl's feed exporters
    settings.set("FEEDS", {"a.jsonl": {"format": "jsonlines"}, "b.csv": {"format": "csv"},
                           "c.xml": {"format": "xml"}})
    assert IncrementalTracker.announcing_feeds(settings) == 2
    settings.set("FEEDS", {})
    assert IncrementalTracker.announcing_feeds(settings) == 0


def test_run_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    outer = RunLock(tmp_path / "x.lock").acquire()
    inner = RunLock(tmp_path / "x.lock").acquire()  # e.g. the crawl's own check
    assert inner.held
    inner.release()
    assert outer.held
    outer.release()
    assert not outer.held


def test_state_command_stats_expire_reset(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import json

    from newscrawl.cli import main

    path = tmp_path / "state.sqlite"
    with SQLiteState(path) as state:
        state.record_emitted("https://example.com/old", "https://example.com/old", "fp", 1,
                             now=NOW - timedelta(days=30))
        state.record_emitted("https://example.com/new", "https://example.com/new", "fp", 2)
    assert main(["state", "wp", "--path", str(path), "--url", "https://example.com/new"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["urls"], report["updated"]) == (2, 1)
    assert report["records"][0]["version"] == 2
    assert main(["state", "wp", "--path", str(path), "--expire", "7"]) == 0
    assert json.loads(capsys.readouterr().out)["expired"] == 1
    assert main(["state", "wp", "--path", str(path), "--reset"]) == 0
    assert json.loads(capsys.readouterr().out)["urls"] == 0
    assert main(["state", "wp", "--path", str(tmp_path / "missing.sqlite")]) == 1


# -- store registry and the shared tracker -------------------------------------------------------

def test_store_backend_chosen_by_scheme_from_the_registry(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from newscrawl.incremental import stores
    from newscrawl.incremental.redis_state import RedisCrawlState

    assert stores.scheme_of(tmp_path / "x.sqlite") == ""
    assert stores.scheme_of(".newscrawl/state-%(name)s.sqlite") == ""
    assert stores.scheme_of(r"C:\state\x.sqlite") == ""
    assert stores.scheme_of("rediss://h:6380/0") == "rediss"
    assert stores.backend_for("redis://127.0.0.1:1/0") is RedisCrawlState
    assert stores.backend_for(tmp_path / "x.sqlite") is SQLiteState
    assert stores.backend_for("anything", "redis") is RedisCrawlState  # a registered scheme
    assert stores.state_path(str(tmp_path / "s-%(name)s.db"), "wp") == tmp_path / "s-wp.db"
    with pytest.raises(ValueError, match="no crawl state backend for nosuch://"):
        stores.open_state("nosuch://host/db")

    class MemoryState(SQLiteState):
        def __init__(self, location: str, **options: object) -> None:
            super().__init__(":memory:")
            self.location = location

        @classmethod
        def location_for(cls, template: str, spider_name: str) -> str:
            return template.replace("%(name)s", spider_name)

    monkeypatch.setitem(stores.BACKENDS, "mem", MemoryState)
    assert stores.state_path("mem://%(name)s", "wp") == "mem://wp"
    with stores.open_state("mem://wp") as state:
        assert isinstance(state, MemoryState) and state.location == "mem://wp"
    with stores.open_state(tmp_path / "x.sqlite", synchronous="FULL") as state:
        assert isinstance(state, SQLiteState)


def test_tracker_is_one_extension_shared_by_middleware_and_pipeline() -> None:
    from scrapy.utils.test import get_crawler

    from newscrawl.incremental.components import IncrementalPipeline, IncrementalSpiderMiddleware
    from newscrawl.incremental.tracker import (
        IncrementalTracker,
        tracker_for,
    )

    crawler = get_crawler(settings_dict={
        "EXTENSIONS": {"newscrawl.incremental.tracker.IncrementalTracker": 0}})
    assert tracker_for(crawler) is tracker_for(crawler)  # before the extension manager exists
    from scrapy.extension import ExtensionManager

    crawler.extensions = ExtensionManager.from_crawler(crawler)
    tracker = crawler.get_extension(IncrementalTracker)
    assert isinstance(tracker, IncrementalTracker) and tracker is tracker_for(crawler)
    assert IncrementalSpiderMiddleware.from_crawler(crawler).tracker is tracker
    assert IncrementalPipeline.from_crawler(crawler).tracker is tracker
    other = get_crawler()
    assert tracker_for(other) is not tracker  # one per crawler
