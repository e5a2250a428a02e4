"""`RedisCrawlState` against a real redis-server: the `CrawlState` contract, counters, expiry."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis_server import redis_server

from newscrawl.incremental.state import SQLiteState
from newscrawl.incremental.stores import open_state, state_path

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
A = "https://example.com/a"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def store(server: str, request: pytest.FixtureRequest):
    state = open_state(f"{server}?prefix=test:{request.node.name}")
    state.reset()
    yield state
    state.close()


def test_redis_url_selects_the_redis_backend(server: str, tmp_path: Path) -> None:
    from newscrawl.incremental.redis_state import RedisCrawlState

    path = state_path(server, "wp")
    assert isinstance(path, str) and path.endswith("prefix=newscrawl%3Astate%3Awp")
    assert state_path(server + "?prefix=x:%(name)s", "wp").endswith("prefix=x:wp")
    with open_state(path, synchronous="NORMAL") as state:
        assert isinstance(state, RedisCrawlState) and state.prefix == "newscrawl:state:wp"
    with open_state(tmp_path / "s.sqlite") as state:
        assert isinstance(state, SQLiteState)


def test_upsert_and_lookup(store) -> None:
    assert store.get(A) is None
    store.record_emitted(A, A, "fp1", 1, published="2026-02-01T10:00:00+01:00",
                         lastmod="2026-02-01", now=NOW)
    store.commit()
    record = store.get(A)
    assert record is not None and record.committed and record.url == A
    assert (record.fingerprint, record.version, record.emitted) == ("fp1", 1, 1)
    assert record.lastmod == "2026-02-01T00:00:00+00:00"
    stamp = "2026-03-01T12:00:00+00:00"
    assert record.first_seen == record.last_seen == record.last_fetched == stamp

    store.record_emitted(A, A, "fp2", 2, lastmod="2026-01-01", now=NOW + timedelta(days=2))
    record = store.get(A)  # an uncommitted write to this key is sent before the read
    assert (record.fingerprint, record.version, record.emitted) == ("fp2", 2, 2)
    assert record.lastmod == "2026-02-01T00:00:00+00:00", "lastmod never moves back"
    assert record.published == "2026-02-01T10:00:00+01:00", "kept when the new value is None"
    assert record.first_seen == stamp < record.last_seen
    assert store.stats()["emitted"] == 1 and store.stats()["updated"] == 1


def test_touch_does_not_mark_emitted(store) -> None:
    store.touch("k", "https://example.com/k", lastmod="2026-02-02", now=NOW)
    record = store.get("k")
    assert record is not None and not record.committed and record.last_fetched is None
    assert record.url == "https://example.com/k"
    store.touch("k", "https://example.com/k", fetched=True, now=NOW + timedelta(hours=1))
    record = store.get("k")
    assert record.last_fetched == "2026-03-01T13:00:00+00:00"
    assert record.lastmod == "2026-02-02T00:00:00+00:00"
    assert store.get_many(["k", "missing"]).keys() == {"k"}
    assert store.stats()["emitted"] == 0


def test_touch_keeps_page_dates_like_sqlite(store, tmp_path: Path) -> None:
    """An unchanged re-fetch stores the page's dates in both backends, leaving the emitted
    fingerprint and version alone (the incremental fetch decision reads them)."""
    sqlite = SQLiteState(tmp_path / "s.sqlite")
    for backend in (store, sqlite):
        backend.record_emitted(A, A, "fp", 1, published="2026-02-01T10:00:00+01:00",
                               lastmod="2026-02-01", now=NOW)
        backend.touch(A, A, fetched=True, modified="2026-02-03T08:00:00+01:00",
                      lastmod="2026-01-15", now=NOW + timedelta(hours=1))
        backend.touch(A, A, lastmod="2026-02-02")  # a discovery without page dates
        backend.commit()
    got, want = store.get(A), sqlite.get(A)
    sqlite.close()
    assert got is not None and want is not None
    fields = ("published", "modified", "lastmod", "last_fetched", "fingerprint", "version")
    assert [getattr(got, f) for f in fields] == [getattr(want, f) for f in fields]
    assert (got.modified, got.lastmod) == ("2026-02-03T08:00:00+01:00",
                                           "2026-02-02T00:00:00+00:00")


def test_writes_wait_for_commit(server: str, store) -> None:
    store.record_emitted("b", "https://example.com/b", "fp", 1, now=NOW)
    with open_state(f"{server}?prefix={store.prefix}") as other:
        assert other.get("b") is None
        store.commit()
        assert other.get("b") is not None


def test_expire_reset_and_stats(store) -> None:
    for day in range(10):
        store.touch(f"k{day}", f"https://example.com/{day}", now=NOW - timedelta(days=day))
    store.record_emitted("k0", "https://example.com/0", "fp", 3, now=NOW)
    store.commit()
    assert store.expire(NOW - timedelta(days=4, hours=12)) == 5
    assert len(store) == 5
    assert store.expire_days(2.5, now=NOW) == 2
    assert sorted(k for k in ("k0", "k1", "k2", "k3") if store.get(k)) == ["k0", "k1", "k2"]
    stats = store.stats()
    assert (stats["urls"], stats["emitted"], stats["updated"]) == (3, 1, 1)
    assert stats["last_seen"] == "2026-03-01T12:00:00+00:00"
    assert stats["first_seen"] == "2026-02-20T12:00:00+00:00"
    assert store.expire(NOW + timedelta(days=1)) == 3
    assert (store.stats()["emitted"], store.stats()["updated"]) == (0, 0)
    store.touch("x", "https://example.com/x", now=NOW)
    store.reset()
    assert len(store) == 0 and store.get("x") is None
    assert store._redis.keys(store.prefix + ":*") == []


WRITER = textwrap.dedent("""
    import sys
    from newscrawl.incremental.stores import open_state
    state = open_state(sys.argv[1])
    for i in range(500):
        state.record_emitted(f"k{i}", f"https://example.com/{i}", sys.argv[2], 1)
        if i % 50 == 49:
            state.commit()
    state.close()
""")


def test_two_processes_record_the_same_articles(server: str, store) -> None:
    url = f"{server}?prefix={store.prefix}"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, fp]) for fp in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert len(store) == 500
    record = store.get("k499")
    assert record.emitted == 2 and record.fingerprint in ("a", "b")
    assert store.stats()["emitted"] == 500, "each URL counted once, whoever wrote it first"
