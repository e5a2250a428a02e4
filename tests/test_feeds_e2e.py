"""Feeds end to end: a real crawl of the miniature portal into all four formats, read back; a
crawl killed with SIGKILL leaves a JSON Lines feed of whole lines; the run report's pieces."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.settings import Settings

from newscrawl.crawl.pipelines import schema_errors
from newscrawl.crawl.report import _errors, format_report, is_empty, local_path, resolve_floors
from newscrawl.items import ARTICLE_FIELDS
from newscrawl.output.exporters import record_to_article, split_txt_feed
from newscrawl.output.textlayout import article_to_text

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "fixtures" / "portal"
TESTS = Path(__file__).resolve().parent
#: Loopback portal: no politeness delays, no browser rendering (feeds are what is tested here).
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_BACKOFF_BASE=0",
        "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        "-s", "NEWSCRAWL_RENDER_ENABLED=0", "-s", "TELNETCONSOLE_ENABLED=0"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), str(ROOT),
                                                    env.get("PYTHONPATH", "")) if p)
    return env


# -- end to end on the miniature portal --------------------------------------------------------

@pytest.fixture(scope="module")
def portal_crawl(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One `newscrawl crawl wp` run of the miniature portal writing jsonl, csv, txt and json."""
    from newscrawl.devtools.portal_server import PortalServer

    tmp = tmp_path_factory.mktemp("portal-crawl")
    root = tmp / "portal"
    shutil.copytree(PORTAL, root)
    out = tmp / "feeds"
    with PortalServer(root) as server:
        cmd = [sys.executable, "-m", "newscrawl.cli", "crawl", "wp", "-a",
               f"base_url={server.url}", "-a", "follow_listing=on", "-a", "incremental=0",
               "--out", str(out), "--formats", "jsonl,csv,txt,json", *FAST]
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=240,
                              env=_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    files = {p.suffix.lstrip("."): p for p in out.iterdir() if not p.name.endswith(".stats.json")}
    expected = json.loads((PORTAL / "_expected.json").read_text(encoding="utf-8"))
    return {"files": files, "stdout": proc.stdout, "out": out,
            "expected": {e["path"]: e for e in expected}}


def test_all_four_formats_written(portal_crawl: dict) -> None:
    assert sorted(portal_crawl["files"]) == ["csv", "json", "jsonl", "txt"]
    for path in portal_crawl["files"].values():
        assert path.name.startswith("wp-")


def test_json_records_match_the_portal_and_validate(portal_crawl: dict) -> None:
    records = json.loads(portal_crawl["files"]["json"].read_text(encoding="utf-8"))
    expected = portal_crawl["expected"]
    assert len(records) == len(expected) == 36
    assert {urlsplit(r["url"]).path for r in records} == set(expected)
    for record in records:
        assert list(record) == list(ARTICLE_FIELDS)
        assert schema_errors(record) == [], record["url"]
        want = expected[urlsplit(record["url"]).path]
        for name in ("headline", "lead", "body", "authors", "published", "section"):
            assert record[name] == want[name], (record["url"], name)
        assert [r["title"] for r in record["related"]] == want["related"]
        assert record["word_count"] > 0 and len(record["fingerprint"]) == 40


def test_jsonl_equals_json(portal_crawl: dict) -> None:
    lines = portal_crawl["files"]["jsonl"].read_text(encoding="utf-8").splitlines()
    records = json.loads(portal_crawl["files"]["json"].read_text(encoding="utf-8"))
    assert [json.loads(line) for line in lines] == records


def test_csv_rows_match_json(portal_crawl: dict) -> None:
    text = portal_crawl["files"]["csv"].read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    records = json.loads(portal_crawl["files"]["json"].read_text(encoding="utf-8"))
    assert len(rows) == len(records)
    assert list(rows[0]) == list(ARTICLE_FIELDS)
    for row, record in zip(rows, records, strict=True):
        assert row["url"] == record["url"]
        assert row["headline"] == record["headline"]
        assert row["body"].split("\n\n") == record["body"]
        assert row["authors"].split("; ") == record["authors"]
        assert row["published"] == record["published"]
        assert row["related"].splitlines() == [f"{r['title']} <{r['url']}>"
                                               for r in record["related"]]
        assert int(row["word_count"]) == record["word_count"]


def test_txt_articles_in_the_seed_layout(portal_crawl: dict) -> None:
    articles = split_txt_feed(portal_crawl["files"]["txt"].read_text(encoding="utf-8"))
    records = json.loads(portal_crawl["files"]["json"].read_text(encoding="utf-8"))
    assert len(articles) == len(records)
    for text, record in zip(articles, records, strict=True):
        assert text == article_to_text(record_to_article(record))
        blocks = text.split("\n\n")
        assert blocks[0] == record["headline"] and blocks[1] == record["lead"]
        assert blocks[2:2 + len(record["body"])] == record["body"]
        related = blocks[-1].splitlines()
        assert related[1:] == [r["title"] for r in record["related"]]


def test_run_report_beside_every_feed(portal_crawl: dict) -> None:
    for path in portal_crawl["files"].values():
        report = json.loads(path.with_name(path.name + ".stats.json").read_text("utf-8"))
        assert report["spider"] == "wp" and report["finish_reason"] == "finished"
        assert report["articles"] == 36 and report["feed"]["items"] == 36
        assert report["coverage"]["headline"] == 1.0 and report["coverage"]["body"] == 1.0
        assert report["below_floor"] == {}
        # the miniature portal has one deleted article (404) and one redirect loop
        assert report["errors"]["crawl"] == {"http_404": 1, "redirect_loop": 1}
    assert "articles 36" in portal_crawl["stdout"]
    assert portal_crawl["stdout"].count(".stats.json") == 4


# -- a crawl killed with SIGKILL ---------------------------------------------------------------

def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_sigkill_leaves_only_whole_json_lines(tmp_path: Path) -> None:
    """Killed mid-run: every line parses, and every item announced by `item_written` (logged
    unbuffered by the test spider) is in the feed, i.e. the signal comes after the flush."""
    out, written = tmp_path / "out.jsonl", tmp_path / "written.log"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "stream", "-s", "SPIDER_MODULES=feedspiders",
           "-a", "count=100000", "-a", "delay=0.001", "-a", "paragraphs=15", "-o", str(out),
           "-a", f"written_log={written}",
           "-s", "LOG_LEVEL=WARNING", "-s", "TELNETCONSOLE_ENABLED=0"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while _lines(out) < 40 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    data = out.read_bytes()
    lines = data.split(b"\n")
    assert lines[-1] == b"", "the feed ends in the middle of a record"
    records = [json.loads(line) for line in lines[:-1]]
    assert len(records) >= 40
    assert all(r["word_count"] > 0 and len(r["body"]) == 15 for r in records)
    announced = written.read_text(encoding="utf-8").splitlines()
    assert len(announced) >= 40
    assert set(announced) <= {r["url"] for r in records}


# -- run report pieces -------------------------------------------------------------------------

def test_is_empty() -> None:
    assert all(is_empty(v) for v in (None, "", "  ", [], {}, 0))
    assert not any(is_empty(v) for v in ("x", ["a"], 3, False))


def test_floors_default_setting_and_per_portal() -> None:
    class Spider:
        name = "wp"
        coverage_floors = {"image": 0.2}

    assert resolve_floors(Settings())["headline"] == 1.0
    settings = Settings({"NEWSCRAWL_COVERAGE_FLOORS": {"published": 0.9, "authors": 0.5,
                                                       "wp": {"authors": 0.95}}})
    floors = resolve_floors(settings, Spider())
    assert floors == {"published": 0.9, "authors": 0.95, "image": 0.2}
    json_setting = Settings({"NEWSCRAWL_COVERAGE_FLOORS": '{"lead": 0.7}'})
    assert resolve_floors(json_setting) == {"lead": 0.7}


def test_errors_grouped_by_source() -> None:
    stats = {"newscrawl/errors/timeout": 2, "log_count/ERROR": 3,
             "downloader/exception_type_count/twisted.internet.error.TimeoutError": 2,
             "spider_exceptions/ValueError": 1, "spider_exceptions/count": 1}
    assert _errors(stats) == {"crawl": {"timeout": 2}, "downloader": {"TimeoutError": 2},
                              "spider_exceptions": {"ValueError": 1, "count": 1}, "logged": 3}


def test_local_path_only_for_files() -> None:
    assert local_path("out/x.jsonl") == Path("out/x.jsonl")
    assert local_path("file:///tmp/x.csv") == Path("/tmp/x.csv")
    assert local_path("s3://bucket/x.csv") is None and local_path("stdout:") is None


def test_format_report_names_fields_below_floor() -> None:
    report = {"spider": "wp", "finish_reason": "finished", "elapsed_seconds": 1.5, "pages": 3,
              "articles": 2, "dropped": {"no_body": 1}, "dropped_total": 1, "duplicates": {},
              "duplicates_total": 0, "errors": {"crawl": {}, "logged": 0},
              "coverage": {"headline": 1.0, "authors": 0.25},
              "coverage_floors": {"authors": 0.5}, "below_floor": {"authors": 0.25}}
    text = format_report(report)
    assert "articles 2; dropped 1 (no_body 1)" in text
    assert "BELOW FLOOR: authors 25% < 50%" in text


def test_report_coverage_and_min_items() -> None:
    from scrapy.utils.test import get_crawler

    from newscrawl.crawl.report import RunReport
    from newscrawl.items import Article

    def run(min_items: int) -> dict:
        crawler = get_crawler(settings_dict={"NEWSCRAWL_COVERAGE_MIN_ITEMS": min_items})
        crawler.stats.open_spider()
        crawler.stats.inc_value("newscrawl/dropped/no_body", 2)
        crawler.stats.inc_value("newscrawl/duplicates/discovered", 5)
        report = RunReport(crawler)
        for i in range(4):
            report.item_scraped(Article(url=f"https://x.pl/{i}", headline="H", body=["B"],
                                        authors=["A"] if i == 0 else [],
                                        published="2024-01-01T00:00:00+00:00" if i else None))
        return report.build()

    report = run(min_items=4)
    assert report["articles"] == 4
    assert report["coverage"]["authors"] == 0.25 and report["coverage"]["published"] == 0.75
    assert "paywalled" not in report["coverage"]
    assert report["below_floor"] == {"published": 0.75, "authors": 0.25}
    assert report["dropped"] == {"no_body": 2} and report["duplicates"] == {}
    assert report["duplicate_requests"] == {"discovered": 5}
    assert run(min_items=5)["below_floor"] == {}  # too few articles to judge


def test_report_counts_rendering() -> None:
    from scrapy.utils.test import get_crawler

    from newscrawl.crawl.report import RunReport

    crawler = get_crawler()
    crawler.stats.open_spider()
    crawler.stats.inc_value("newscrawl/render/pages", 4)
    crawler.stats.inc_value("newscrawl/render/seconds", 2.0)
    crawler.stats.inc_value("newscrawl/render/errors/timeout", 1)
    crawler.stats.inc_value("newscrawl/render/fallback", 1)
    report = RunReport(crawler).build()
    assert report["rendering"] == {"pages": 4, "seconds": 2.0, "seconds_per_page": 0.5,
                                   "errors": {"timeout": 1}, "fallback": 1}
    assert "rendered 4 pages in 2.0 browser-seconds" in format_report(report)
    assert "timeout 1" in format_report(report)
