"""Extraction in worker processes (`NEWSCRAWL_EXTRACT_WORKERS`): the same items as in the crawl
process, a clean stop on SIGINT / SIGTERM (no worker left, a parsable feed, nothing reported
lost), and a killed worker counted, its page read again, and the crawl closed when they keep
dying."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.exceptions import CloseSpider
from scrapy.utils.test import get_crawler
from test_feeds_e2e import FAST, PORTAL, _env  # the miniature portal's crawl settings

from newscrawl.crawl import worker_process
from newscrawl.crawl.reading import read_page
from newscrawl.crawl.workers import ExtractionPool, WorkerDied

PAGE = (PORTAL / "komisja-europejska-podsumowuje-pierwsze-polrocze-6000000000000101a").read_bytes()
FETCHED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


# -- the pool on its own ------------------------------------------------------------------------

def dying_worker(sock: socket.socket) -> None:
    """A real worker, except that a page whose URL contains `kill-me` gets it SIGKILLed."""
    real = worker_process._answer

    def answer(page: tuple) -> tuple:
        if "kill-me" in page[1]:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(page)

    worker_process._answer = answer
    worker_process.serve(sock)


class DyingPool(ExtractionPool):
    worker_main = staticmethod(dying_worker)


def _read(pool: ExtractionPool, url: str):
    return pool.read(PAGE, url, b"text/html; charset=utf-8", FETCHED, None)


def test_a_killed_worker_is_counted_its_page_read_again_then_reported_lost() -> None:
    crawler = get_crawler(Spider)
    pool = DyingPool(crawler, 2)
    url = "http://127.0.0.1:1/komisja-europejska-podsumowuje-pierwsze-polrocze-6000000000000101a"

    async def run() -> tuple:
        try:
            first, lost, after = await asyncio.gather(
                _read(pool, url), _read(pool, "http://127.0.0.1:1/kill-me-123"),
                _read(pool, url + "?b=2"), return_exceptions=True)
            again = await _read(pool, url)
        finally:
            pool.close()
        return first, lost, after, again

    first, lost, after, again = asyncio.run(run())
    expected = read_page(PAGE, url, b"text/html; charset=utf-8", FETCHED, None)
    assert first == again == expected
    assert after.article.headline == expected.article.headline  # read again if its worker died
    assert isinstance(lost, WorkerDied) and "kill-me-123" in str(lost)
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/extract_workers/died"] == 2  # the page's first and second worker
    assert stats["newscrawl/extract_workers/retried"] >= 1
    assert stats["newscrawl/errors/extract_worker_died"] == 1
    assert multiprocessing.active_children() == []


def test_workers_dying_again_and_again_close_the_crawl_loudly() -> None:
    crawler = get_crawler(Spider)
    pool = DyingPool(crawler, 1)

    async def run() -> None:
        try:
            with pytest.raises(WorkerDied):
                await _read(pool, "http://127.0.0.1:1/kill-me-1")
            with pytest.raises(CloseSpider) as closed:
                await _read(pool, "http://127.0.0.1:1/kill-me-2")
            assert closed.value.reason == "extract_workers_failed"
        finally:
            pool.close()

    asyncio.run(run())
    assert crawler.stats.get_value("newscrawl/extract_workers/died") == 3
    assert multiprocessing.active_children() == []


def test_a_reading_error_in_a_worker_is_raised_like_in_process() -> None:
    pool = ExtractionPool(get_crawler(Spider), 1)

    async def run() -> None:
        try:
            with pytest.raises(TypeError):
                await pool.read(PAGE, 42, None, FETCHED, None)  # type: ignore[arg-type]
        finally:
            pool.close()

    with pytest.raises(TypeError):
        read_page(PAGE, 42, None, FETCHED, None)  # type: ignore[arg-type]
    asyncio.run(run())
    assert multiprocessing.active_children() == []


# -- real crawls of the miniature portal ----------------------------------------------------------

def _crawl_cmd(base_url: str, out: Path, *extra: str, spider: str = "wp") -> list[str]:
    where = f"base_url={base_url}" if spider == "wp" else f"url={base_url}/"
    return [sys.executable, "-m", "newscrawl.cli", "crawl", spider, "-a", where,
            "-a", "follow_listing=on", "-a", "incremental=0", "--out", str(out),
            "--formats", "jsonl", *FAST, *extra]


def _records(out: Path) -> list[dict]:
    (feed,) = [p for p in out.iterdir() if p.suffix == ".jsonl"]
    return [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("spider", ["wp", "news"])
def test_items_with_workers_equal_items_in_process(tmp_path: Path, spider: str) -> None:
    """The portal's spider, and the generic one (pages that are no article are read for
    listing links in the worker too)."""
    from newscrawl.devtools.portal_server import PortalServer

    root = tmp_path / "portal"
    shutil.copytree(PORTAL, root)
    runs = {}
    with PortalServer(root) as server:
        for workers in (0, 2):
            out = tmp_path / f"out-{workers}"
            proc = subprocess.run(
                _crawl_cmd(server.url, out, "-s", f"NEWSCRAWL_EXTRACT_WORKERS={workers}",
                           spider=spider),
                cwd=tmp_path, capture_output=True, text=True, timeout=240, env=_env())
            assert proc.returncode == 0, proc.stderr[-3000:]
            runs[workers] = sorted(({k: v for k, v in r.items() if k != "fetched_at"}
                                    for r in _records(out)), key=lambda r: r["url"])
    assert len(runs[0]) >= 30
    assert runs[2] == runs[0]


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {p for p, pp in parents.items() if pp == parent}
        todo.extend(children - found)
        found |= children
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_crawl_leaves_no_worker_and_a_whole_feed(tmp_path: Path, signum: int) -> None:
    from newscrawl.devtools.portal_server import PortalServer

    root = tmp_path / "portal"
    shutil.copytree(PORTAL, root)
    out = tmp_path / "out"
    with PortalServer(root) as server:
        # Slow enough to be stopped mid-crawl: one request at a time, 0.2 s apart.
        cmd = _crawl_cmd(server.url, out, "-s", "NEWSCRAWL_EXTRACT_WORKERS=2",
                         "-s", "DOWNLOAD_DELAY=0.2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline and not (
                    out.is_dir() and any(p.suffix == ".jsonl" and p.stat().st_size
                                         for p in out.iterdir())):
                time.sleep(0.05)
            assert proc.poll() is None, proc.communicate()[1].decode()[-3000:]
            workers = _descendants(proc.pid)
            assert len(workers) >= 1  # the first item came out of a worker
            # The whole process group, as a terminal's Ctrl-C or a service manager does.
            os.killpg(proc.pid, signum)
            _, stderr = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    log = stderr.decode("utf-8", "replace")
    assert "Traceback" not in log, log[-3000:]
    assert not [pid for pid in workers if _alive(pid)]
    (feed,) = [p for p in out.iterdir() if p.suffix == ".jsonl"]
    records = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    report = json.loads(feed.with_name(feed.name + ".stats.json").read_text("utf-8"))
    assert report["finish_reason"] == "shutdown"
    assert 1 <= len(records) < 36
    assert len(records) == report["feed"]["items"] == report["articles"]
