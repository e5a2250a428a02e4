"""Incremental runs on a portal that lists every article in an RSS feed and in a news sitemap with
different dates: from the second run on, an unchanged portal costs no article fetch."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.devtools.portal_server import PortalServer
from newscrawl.incremental.freshness import known_date, state_key
from newscrawl.incremental.state import SQLiteState, StateRecord, parse_date

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "fixtures" / "portal" / "generate.py"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
        "-s", "HTTPCACHE_ENABLED=False", "-s", "NEWSCRAWL_RENDER_ENABLED=False",
        "-s", "ROBOTSTXT_OBEY=False"]
COUNT = 10
QUIET = range(6, COUNT)  # pages that declare no modification; only the sitemap's lastmod does

pytestmark = pytest.mark.timeout(240)


def _generator():
    spec = importlib.util.spec_from_file_location("portal_generate_faults", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def build_portal(root: Path) -> list[dict]:
    """Articles in the RSS feed (publication date) and the news sitemap (publication date and a
    later `lastmod`); most pages carry that `lastmod` as their dateModified, some do not."""
    gen = _generator()
    arts = gen.articles()[:COUNT]
    for a in arts:
        published = datetime.fromisoformat(a["published"])
        a["lastmod"] = (published + timedelta(hours=3)).isoformat()
        a["modified"] = a["published"] if a["k"] in QUIET else a["lastmod"]
    root.mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    (root / "index.html").write_text(gen.page("Start", "", "<h1>Start</h1>"), encoding="utf-8")
    write_pages(root, arts)
    return arts


def write_pages(root: Path, arts: list[dict]) -> None:
    """Every article page, the news sitemap and the RSS feed for `arts`."""
    gen = _generator()
    for a in arts:
        (root / a["path"].lstrip("/")).write_text(gen.article_page(a, arts), encoding="utf-8")
    rows = "".join(
        f"  <url><loc>{{{{ORIGIN}}}}{a['path']}</loc><lastmod>{a['lastmod']}</lastmod>"
        "<news:news><news:publication><news:name>Miniatura</news:name>"
        "<news:language>pl</news:language></news:publication>"
        f"<news:publication_date>{a['published']}</news:publication_date>"
        f"<news:title>{gen.esc(a['title'])}</news:title></news:news></url>\n" for a in arts)
    # The news sitemap sits behind a sitemap index: the feed's entries usually come first.
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
        '"http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{{ORIGIN}}/news-1.xml'
        "</loc></sitemap></sitemapindex>\n", encoding="utf-8")
    (root / "news-1.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
        '"http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{rows}</urlset>\n',
        encoding="utf-8")
    items = "".join(
        f"<item><title>{gen.esc(a['title'])}</title><link>{{{{ORIGIN}}}}{a['path']}</link>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(a['published']))}</pubDate>"
        "</item>\n" for a in arts)
    (root / "rss.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Miniatura</title><link>{{{{ORIGIN}}}}/</link>\n{items}</channel></rss>\n",
        encoding="utf-8")


def run(server: PortalServer, out: Path, state: Path) -> tuple[list[dict], dict]:
    """One incremental `scrapy crawl wp`; its feed records and its run report."""
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "wp", "-a", f"base_url={server.url}",
         "-a", "incremental=1", "-s", f"NEWSCRAWL_STATE={state}", *FAST, "-O", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    report = json.loads(out.with_name(out.name + ".stats.json").read_text(encoding="utf-8"))
    return records, report


def test_unchanged_portal_costs_no_fetch_from_the_second_run(tmp_path: Path) -> None:
    root = tmp_path / "portal"
    arts = build_portal(root)
    article_paths = {a["path"] for a in arts}
    state = tmp_path / "state" / "wp.sqlite"
    with PortalServer(root) as server:
        def fetched(since: int) -> list[str]:
            return [p for p in server.paths()[since:] if p in article_paths]

        first, report = run(server, tmp_path / "run1.jsonl", state)
        assert sorted(urlsplit(r["url"]).path for r in first) == sorted(article_paths)
        assert sorted(fetched(0)) == sorted(article_paths), "each article fetched once"
        with SQLiteState(state) as store:  # every source's date is known after run 1
            for a in arts:
                record = store.get(state_key(server.url.rstrip("/") + a["path"]))
                assert record is not None and record.committed
                assert parse_date(record.lastmod) == parse_date(a["lastmod"]), a["k"]

        before = len(server.paths())
        second, report = run(server, tmp_path / "run2.jsonl", state)
        assert second == []
        assert fetched(before) == [], "no article page requested"
        assert "/news-1.xml" in server.paths()[before:], "discovery still ran"
        assert not [k for k in report["incremental"] if k.startswith("fetched/")], report
        assert report["incremental"]["skipped"] == COUNT

        # One article changes: newer lastmod in the sitemap, newer dateModified, new text.
        changed = arts[2]
        changed["lastmod"] = changed["modified"] = (
            datetime.fromisoformat(changed["published"]) + timedelta(days=2)).isoformat()
        changed["paragraphs"][0] += " Aktualizacja: nowe dane po południu."
        write_pages(root, arts)
        before = len(server.paths())
        third, report = run(server, tmp_path / "run3.jsonl", state)
        assert fetched(before) == [changed["path"]], "exactly the changed one"
        assert [(urlsplit(r["url"]).path, r["version"]) for r in third] == [
            (changed["path"], 2)]
        assert report["incremental"]["fetched/moved"] == 1

        before = len(server.paths())
        fourth, _ = run(server, tmp_path / "run4.jsonl", state)
        assert (fourth, fetched(before)) == ([], [])


def test_known_date_counts_page_dates_up_to_the_fetch() -> None:
    record = StateRecord("k", "u", fingerprint="f", emitted=1, version=1,
                         lastmod="2026-02-01T00:00:00+00:00",
                         published="2026-02-01T01:00:00+01:00",
                         modified="2026-02-02T12:00:00+01:00",
                         last_fetched="2026-02-03T00:00:00+00:00")
    assert known_date(record) == parse_date("2026-02-02T11:00:00+00:00")
    future = StateRecord("k", "u", modified="2026-03-01T00:00:00+00:00",
                         last_fetched="2026-02-03T00:00:00+00:00")
    assert known_date(future) == parse_date("2026-02-03T00:00:00+00:00"), "capped at the fetch"
    assert known_date(StateRecord("k", "u")) is None


def test_sqlite_touch_keeps_page_dates_and_old_files_still_open(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with SQLiteState(path) as store:
        store.record_emitted("k", "u", "fp", 1, published="2026-01-01T00:00:00+00:00",
                             lastmod="2026-01-01")
        store.touch("k", "u", fetched=True, modified="2026-01-05T00:00:00+00:00",
                    lastmod="2025-12-01")
        store.commit()
        record = store.get("k")
        assert record is not None
        assert (record.published, record.modified) == ("2026-01-01T00:00:00+00:00",
                                                       "2026-01-05T00:00:00+00:00")
        assert parse_date(record.lastmod) == parse_date("2026-01-01"), "lastmod never goes back"
        assert record.fingerprint == "fp" and record.version == 1
    with sqlite3.connect(path) as db:  # the file's layout is unchanged: old state files work
        assert db.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone() == (
            "1",)
