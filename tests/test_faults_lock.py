"""The run lock is taken before any feed is opened, and an unwritable feed is refused before the
first request (newscrawl.crawl.preflight)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl import settings as project_settings
from newscrawl.crawl.preflight import check_feed_targets, local_feed_path
from newscrawl.devtools.portal_server import PortalServer
from newscrawl.incremental.lock import RunLock

ROOT = Path(__file__).resolve().parent.parent
ADDONS = json.dumps(project_settings.ADDONS)  # newscrawl.Addon runs the preflight last
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
        "-s", "HTTPCACHE_ENABLED=False", "-s", "NEWSCRAWL_RENDER_ENABLED=False",
        "-s", f"ADDONS={ADDONS}"]

pytestmark = pytest.mark.timeout(240)


def scrapy_crawl(server: PortalServer, state: Path, out: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "wp", "-a", f"base_url={server.url}",
            "-a", "incremental=1", "-s", f"NEWSCRAWL_STATE={state}", *FAST, *extra, "-O", out]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "] ERROR:" in line or "CRITICAL" in line]


@pytest.fixture
def server(portal: PortalServer) -> Iterator[PortalServer]:
    """The miniature portal (36 articles) from tests/conftest.py."""
    yield portal


def test_overlapping_run_leaves_the_running_feed_whole(server: PortalServer,
                                                       tmp_path: Path) -> None:
    state = tmp_path / "state" / "wp.sqlite"
    feed = tmp_path / "same.jsonl"
    # Sequential and slowed down: the first run is still writing when the second starts.
    first = subprocess.Popen(
        scrapy_crawl(server, state, str(feed), "-s", "CONCURRENT_REQUESTS=1",
                     "-s", "DOWNLOAD_DELAY=0.15", "-s", "NEWSCRAWL_STATE_COMMIT_ITEMS=1"),
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (feed.exists() and feed.read_bytes().count(b"\n") >= 3):
            assert first.poll() is None, "the first run ended too early"
            assert time.monotonic() < deadline, "the first run wrote nothing"
            time.sleep(0.05)
        written = feed.stat().st_size
        second = subprocess.run(scrapy_crawl(server, state, str(feed)), cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        assert first.poll() is None, "the runs overlapped"
        assert feed.stat().st_size >= written, "the skipped run truncated the feed"
    finally:
        _, first_err = first.communicate(timeout=180)
    assert "'finish_reason': 'skipped_locked'" in second.stderr, second.stderr[-2000:]
    assert second.returncode == 75
    assert "Traceback" not in second.stderr
    assert len(error_lines(second.stderr)) == 1, error_lines(second.stderr)
    assert "skipped: another run holds" in error_lines(second.stderr)[0]
    assert first.returncode == 0, first_err[-2000:]

    raw = feed.read_bytes()
    assert b"\0" not in raw
    records = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)) == 36, "one record per article"
    with sqlite3.connect(state) as db:
        emitted = {row[0] for row in db.execute(
            "SELECT coalesce(url, key) FROM articles WHERE emitted > 0")}
    assert emitted == set(urls), "the state marks exactly the articles in the feed"
    report = json.loads(Path(f"{feed}.stats.json").read_text(encoding="utf-8"))
    assert report["finish_reason"] == "finished", "the run report is the first run's"
    with RunLock(f"{state}.lock"):  # both runs gave the lock up
        pass


@pytest.mark.parametrize("where", ["proc", "under_file", "folder"])
def test_unwritable_feed_is_refused_before_any_request(server: PortalServer, tmp_path: Path,
                                                       where: str) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("x", encoding="utf-8")
    (tmp_path / "a-folder.jsonl").mkdir()
    out = {"proc": "/proc/nope/x.jsonl", "under_file": str(blocker / "sub" / "x.jsonl"),
           "folder": str(tmp_path / "a-folder.jsonl")}[where]
    state = tmp_path / "state.sqlite"
    proc = subprocess.run(scrapy_crawl(server, state, out), cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = error_lines(proc.stderr)
    assert len(errors) == 1 and f"cannot write feed {out}" in errors[0], errors
    assert "'finish_reason': 'feed_unwritable'" in proc.stderr
    assert "'newscrawl/preflight/feed_unwritable': 1" in proc.stderr
    assert proc.returncode == 1
    assert server.paths() == [], "no request made"
    assert blocker.read_text(encoding="utf-8") == "x"
    with RunLock(f"{state}.lock"):  # the refused run did not keep the lock
        pass


def test_check_feed_targets(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("keep", encoding="utf-8")
    existing = tmp_path / "old.jsonl"
    existing.write_text("old\n", encoding="utf-8")
    ok = {str(tmp_path / "new" / "deeper" / "%(name)s.jsonl"): {}, str(existing): {},
          (tmp_path / "x.csv").as_uri(): {}, "s3://bucket/x.jsonl": {}, "stdout:": {}, "-": {}}
    assert check_feed_targets(ok, {"name": "wp"}) == []
    assert not (tmp_path / "new").exists(), "the check creates nothing"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "old.jsonl"]
    assert existing.read_text(encoding="utf-8") == "old\n", "nor truncates"
    bad = {str(blocker / "x.jsonl"): {}, (blocker / "y.jsonl").as_uri(): {},
           "/proc/nope/%(name)s-%(batch_id)05d.jsonl": {}, str(tmp_path): {}}
    problems = check_feed_targets(bad, {"name": "wp"})
    assert len(problems) == 4, problems
    assert all("\n" not in p and p.startswith("cannot write feed ") for p in problems)
    assert f"{blocker} is not a folder" in problems[0]
    assert "cannot create folder /proc/nope" in problems[2]
    assert "it is a folder" in problems[3]
    assert local_feed_path("out/%(name)s-%(time)s.jsonl", {"name": "wp"}).name.startswith("wp-")
    assert local_feed_path("ftp://host/x.jsonl") is None


def test_existing_folder_that_refuses_new_files() -> None:
    # /proc/self exists and is a folder, yet no one (root included) can create a file in it:
    # the check must try the write, not trust the folder's existence or its mode bits.
    problems = check_feed_targets({"/proc/self/feed.jsonl": {}})
    assert len(problems) == 1 and problems[0].startswith("cannot write feed "), problems
