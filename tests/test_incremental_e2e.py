"""Incremental crawls end to end: real `newscrawl crawl` processes against the miniature portal."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newscrawl.devtools.portal_server import PortalServer

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "fixtures" / "portal"
EXPECTED = json.loads((PORTAL / "_expected.json").read_text(encoding="utf-8"))
ARTICLE_PATHS = {e["path"] for e in EXPECTED}
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
        "-s", "HTTPCACHE_ENABLED=False", "-s", "NEWSCRAWL_RENDER_ENABLED=False"]

pytestmark = pytest.mark.timeout(240)


def _generator():
    spec = importlib.util.spec_from_file_location("portal_generate", PORTAL / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def crawl_cmd(server: PortalServer, out: Path, state: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "newscrawl.cli", "crawl", "wp", "-a", f"base_url={server.url}",
            "--out", str(out), "-s", f"NEWSCRAWL_STATE={state}", "-L", "INFO", *FAST, *extra]


def crawl(server: PortalServer, out: Path, state: Path, *extra: str, code: int = 0) -> list[dict]:
    """Run one crawl to completion; return the records of its JSON Lines feed."""
    proc = subprocess.run(crawl_cmd(server, out, state, *extra), cwd=ROOT, capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode == code, proc.stderr[-3000:]
    return read_feed(out)


def read_feed(out: Path) -> list[dict]:
    """Every complete record of the feeds in `out` (a record cut by a kill is left out)."""
    records = []
    for feed in sorted(out.glob("*.jsonl")):
        for line in feed.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records


def paths(records: list[dict]) -> list[str]:
    from urllib.parse import urlsplit

    return [urlsplit(r["url"]).path for r in records]


def article_requests(server: PortalServer) -> list[str]:
    return [p for p in server.paths() if p.split("?")[0] in ARTICLE_PATHS]


def change_portal(root: Path) -> tuple[list[str], list[str]]:
    """Edit two articles (new text, newer sitemap lastmod) and add three; return both paths."""
    gen = _generator()
    arts = gen.articles()
    sitemap = root / "sitemap-articles-1.xml"
    xml = sitemap.read_text(encoding="utf-8")
    changed = []
    for a in arts[:2]:
        a["paragraphs"][0] += " Aktualizacja: ministerstwo podało nowe dane po południu."
        a["modified"] = "2024-07-15T10:00:00+02:00"
        (root / a["path"].lstrip("/")).write_text(gen.article_page(a, arts), encoding="utf-8")
        old = f"<loc>{{{{ORIGIN}}}}{a['path']}</loc><lastmod>{a['published']}</lastmod>"
        assert old in xml
        xml = xml.replace(old, old.replace(a["published"], a["modified"]))
        changed.append(a["path"])
    added = []
    for i, title in enumerate(("Nowy most na Wiśle otwarty dla ruchu",
                               "Rekordowa frekwencja na targach książki",
                               "Miasto zmienia rozkład jazdy tramwajów")):
        path = f"/{gen.slugify(title)}-{6000000000000200 + i}a"
        a = dict(arts[i], k=len(arts) + i, title=title, path=path,
                 published="2024-07-16T08:00:00+02:00", modified="2024-07-16T08:00:00+02:00",
                 lead=f"{title}. Krótkie wprowadzenie do tekstu.",
                 paragraphs=[f"{title} - akapit {p}. Nowa treść artykułu numer {i}."
                             for p in range(1, 4)])
        (root / a["path"].lstrip("/")).write_text(gen.article_page(a, arts), encoding="utf-8")
        xml = xml.replace("</urlset>", f"  <url><loc>{{{{ORIGIN}}}}{a['path']}</loc>"
                                       f"<lastmod>{a['published']}</lastmod></url>\n</urlset>")
        added.append(a["path"])
    sitemap.write_text(xml, encoding="utf-8")
    return changed, added


def test_incremental_runs(portal: PortalServer, tmp_path: Path) -> None:
    state = tmp_path / "state" / "wp.sqlite"
    first = crawl(portal, tmp_path / "run1", state)
    assert sorted(paths(first)) == sorted(ARTICLE_PATHS)
    assert all(r["version"] == 1 and r["updated"] is False for r in first)

    before = len(portal.paths())
    second = crawl(portal, tmp_path / "run2", state)
    assert second == []
    assert [p for p in portal.paths()[before:] if p in ARTICLE_PATHS] == []
    assert "/usuniety-artykul-6000000000000099a" not in portal.paths()[before:], "404: known gone"
    assert any(p.startswith("/sitemap") for p in portal.paths()[before:]), "discovery still ran"

    changed, added = change_portal(Path(portal.root))
    third = crawl(portal, tmp_path / "run3", state)
    assert sorted(paths(third)) == sorted(changed + added)
    by_path = dict(zip(paths(third), third, strict=True))
    for path in changed:
        assert (by_path[path]["version"], by_path[path]["updated"]) == (2, True)
        assert "Aktualizacja" in by_path[path]["body"][0]
    for path in added:
        assert (by_path[path]["version"], by_path[path]["updated"]) == (1, False)

    fourth = crawl(portal, tmp_path / "run4", state)
    assert fourth == []
    stats = json.loads(subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", "state", "wp", "--path", str(state)],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    assert (stats["emitted"], stats["updated"]) == (len(ARTICLE_PATHS) + 3, 2)

    reset = crawl(portal, tmp_path / "run6", state, "--reset")
    assert len(reset) == len(ARTICLE_PATHS) + len(added)
    assert all(r["version"] == 1 for r in reset)


def test_two_feeds_both_written_before_recorded(portal: PortalServer, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    first = crawl(portal, tmp_path / "run1", state, "--formats", "jsonl,csv")
    assert len(first) == len(ARTICLE_PATHS)
    assert len(list((tmp_path / "run1").glob("*.csv"))) == 1
    assert crawl(portal, tmp_path / "run2", state, "--formats", "jsonl,csv") == []


def _wait_for_records(out: Path, count: int, proc: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while len(read_feed(out)) < count:
        assert proc.poll() is None, "the crawl ended before it could be killed"
        assert time.monotonic() < deadline, "the crawl wrote too few records"
        time.sleep(0.05)


def test_sigkill_then_rerun_reports_every_article(portal: PortalServer, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    out1 = tmp_path / "killed"
    # Slow and sequential, committing every 4 items: killed with some batches committed.
    proc = subprocess.Popen(
        crawl_cmd(portal, out1, state, "-s", "NEWSCRAWL_STATE_COMMIT_ITEMS=4",
                  "-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.2"),
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_records(out1, 10, proc)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    killed = paths(read_feed(out1))
    assert 10 <= len(killed) < len(ARTICLE_PATHS)
    with sqlite3.connect(state) as db:
        committed = {row[0] for row in db.execute(
            "SELECT coalesce(url, key) FROM articles WHERE emitted > 0")}
    assert committed, "some batches were committed before the kill"
    committed_paths = set(paths([{"url": u} for u in committed]))
    assert committed_paths <= set(killed), "only articles already in the feed are committed"

    rerun = paths(crawl(portal, tmp_path / "rerun", state))
    assert set(killed) | set(rerun) == ARTICLE_PATHS, "no article is missing"
    assert not committed_paths & set(rerun), "committed articles are not reported again"
    assert len(rerun) == len(set(rerun))


def test_jobdir_resume_with_state_does_not_double_emit(portal: PortalServer,
                                                        tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    job = ["-s", f"JOBDIR={tmp_path / 'job'}"]
    paused = paths(crawl(portal, tmp_path / "paused", state, *job,
                         "-s", "CLOSESPIDER_ITEMCOUNT=8", "-s", "CONCURRENT_REQUESTS=2",
                         code=1))  # exit status 1: closed before "finished"
    assert 8 <= len(paused) < len(ARTICLE_PATHS)
    resumed = paths(crawl(portal, tmp_path / "resumed", state, *job))
    assert resumed, "the resumed run continues the paused one"
    assert not set(paused) & set(resumed), "nothing emitted twice across pause and resume"
    # Requests in flight when the run paused are not in JOBDIR; the next incremental run
    # (without the job directory) finds exactly those, since the state never recorded them.
    last = paths(crawl(portal, tmp_path / "after", state))
    emitted = paused + resumed + last
    assert sorted(emitted) == sorted(ARTICLE_PATHS)


HOLDER = """
import sys
from newscrawl.incremental.lock import RunLock
lock = RunLock(sys.argv[1]).acquire()
print("locked", flush=True)
sys.stdin.read()
"""


def test_overlapping_run_is_skipped(portal: PortalServer, tmp_path: Path) -> None:
    state = tmp_path / "state-wp.sqlite"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, f"{state}.lock"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        proc = subprocess.run(crawl_cmd(portal, tmp_path / "cli", state), cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 75
        assert "run of 'wp' skipped: another run holds" in proc.stderr
        assert f"pid {holder.pid}" in proc.stderr
        # Plain `scrapy crawl` (cron without the CLI, scrapyd jobs) checks the same lock.
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "wp", "-a", f"base_url={portal.url}",
             "-a", "incremental=1", "-s", f"NEWSCRAWL_STATE={state}", *FAST,
             "-O", str(tmp_path / "plain.jsonl")],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert "'finish_reason': 'skipped_locked'" in proc.stderr, proc.stderr[-2000:]
        assert portal.paths() == []
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert crawl(portal, tmp_path / "after", state), "runs again once the lock is free"
