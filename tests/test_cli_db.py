"""`newscrawl db URL export|import|stats`, and the store's wiring into a crawl's components."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.cli import main
from newscrawl.crawl.report import run_failed
from newscrawl.incremental.tracker import IncrementalTracker
from newscrawl.items import Article, RelatedLink
from newscrawl.output.exporters import item_to_record
from newscrawl.output.signals import item_written
from newscrawl.store.pipeline import StorePipeline

BASE = "https://www.example.pl"


def record(n: int, *, fingerprint: str = "a", fetched: str = "2024-07-01T10:00:00+00:00",
           portal: str = "example", **kw: object) -> dict:
    article = Article(
        url=f"{BASE}/tekst-{n}", canonical_url=f"{BASE}/tekst-{n}", portal=portal,
        language="pl", headline=f"Tytuł {n}", lead="Lead.", body=[f"Treść {fingerprint}.", "Dwa."],
        authors=["Anna Nowak"], tags=["Kraj"], published="2024-07-01T06:00:00+00:00",
        published_raw="1.07.2024", date_source="json-ld", section="Kraj",
        related=[RelatedLink(f"Tytuł {n + 1}", f"{BASE}/tekst-{n + 1}")],
        fetched_at=fetched, fingerprint=f"{n}{fingerprint}", word_count=3, **kw)
    return item_to_record(article)


def write_feed(path: Path, records: list[dict], extra_lines: tuple[str, ...] = ()) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def db(url: str, *args: str) -> int:
    return main(["db", url, *args])


def test_import_export_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture,
                                  database_url: str) -> None:
    url = database_url
    records = [record(1), record(2), record(1, fingerprint="b", version=2, updated=True,
                                           fetched="2024-07-02T10:00:00+00:00")]
    feed = write_feed(tmp_path / "feed.jsonl", records)
    assert db(url, "import", str(feed)) == 0
    assert capsys.readouterr().out.strip() == f"{feed}: 3 new versions, 0 already stored"
    assert db(url, "import", str(feed)) == 0  # a feed replayed adds nothing
    assert capsys.readouterr().out.strip() == f"{feed}: 0 new versions, 3 already stored"

    assert db(url, "export", "--format", "jsonl") == 0
    exported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert exported == records

    # the export loads into another database and exports the same again
    again = tmp_path / "export.jsonl"
    assert db(url, "export", "-o", str(again)) == 0
    other = f"sqlite:///{tmp_path / 'b.db'}"  # and into SQLite
    assert db(other, "import", str(again)) == 0
    capsys.readouterr()
    assert db(other, "export") == 0
    assert [json.loads(x) for x in capsys.readouterr().out.splitlines()] == records


def test_export_filters_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture,
                                database_url: str) -> None:
    url = database_url
    feed = write_feed(tmp_path / "feed.jsonl", [
        record(1), record(2, portal="other", fetched="2024-07-03T10:00:00+00:00"),
        record(1, fingerprint="b", fetched="2024-07-02T10:00:00+00:00")])
    assert db(url, "import", str(feed)) == 0
    capsys.readouterr()

    def exported(*args: str) -> list[tuple[str, int]]:
        assert db(url, "export", *args) == 0
        return [(json.loads(x)["url"].rsplit("/", 1)[1], json.loads(x)["version"])
                for x in capsys.readouterr().out.splitlines()]

    assert exported() == [("tekst-1", 1), ("tekst-1", 2), ("tekst-2", 1)]
    assert exported("--latest") == [("tekst-1", 2), ("tekst-2", 1)]
    assert exported("--portal", "other") == [("tekst-2", 1)]
    assert exported("--since", "2024-07-02") == [("tekst-1", 2), ("tekst-2", 1)]
    assert exported("--since", "2024-07-02T12:00:00+02:00") == [("tekst-1", 2), ("tekst-2", 1)]
    assert exported("--since", "1d") == []

    assert db(url, "export", "--format", "csv", "--latest") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["url"] for r in rows] == [f"{BASE}/tekst-1", f"{BASE}/tekst-2"]
    assert rows[0]["body"] == "Treść b.\n\nDwa." and rows[0]["version"] == "2"


def test_stats(tmp_path: Path, capsys: pytest.CaptureFixture, database_url: str) -> None:
    url = database_url
    feed = write_feed(tmp_path / "feed.jsonl", [
        record(1), record(2), record(1, fingerprint="b", fetched="2024-07-02T10:00:00+00:00")])
    db(url, "import", str(feed))
    capsys.readouterr()
    assert db(url, "stats") == 0
    stats = json.loads(capsys.readouterr().out)
    assert {k: stats[k] for k in ("articles", "versions", "changed_articles", "related_links",
                                  "resolved_links", "runs", "portals")} == {
        "articles": 2, "versions": 3, "changed_articles": 1, "related_links": 2,
        "resolved_links": 1, "runs": 0, "portals": {"example": 2}}
    assert stats["last_fetched"] == "2024-07-02T10:00:00+00:00"


def test_bad_lines_named_and_the_rest_imported(tmp_path: Path,
                                               capsys: pytest.CaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    feed = write_feed(tmp_path / "feed.jsonl", [record(1)],
                      ('{"url": "https://x.pl/a", "published": "wczoraj"', "[1, 2]",
                       json.dumps({"headline": "no url"}), json.dumps(record(2))))
    assert db(url, "import", str(feed)) == 1
    captured = capsys.readouterr()
    assert captured.out.strip() == f"{feed}: 2 new versions, 0 already stored, 3 lines not imported"
    assert [line.split(": ", 1)[0] for line in captured.err.splitlines()] == [
        f"{feed}:2", f"{feed}:3", f"{feed}:4"]
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(("args", "status", "message"), [
    (["mysql://x/y", "stats"], 2, "unsupported database URL"),
    (["sqlite:///{tmp}/a.db", "export", "--since", "yesterday"], 2, "--since expects"),
    (["sqlite:///{tmp}/a.db", "import", "{tmp}/missing.jsonl"], 2, "no such feed file"),
    (["postgresql://postgres@127.0.0.1:9/none", "stats"], 1, "cannot connect"),
    (["sqlite:///{tmp}/notes.txt", "stats"], 1, "file is not a database"),
])
def test_mistakes_get_one_line(tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str],
                               status: int, message: str) -> None:
    (tmp_path / "notes.txt").write_text("not a database " * 200)
    assert main(["db", *(a.replace("{tmp}", str(tmp_path)) for a in args)]) == status
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_crawl_db_option_checked_before_the_crawl(capsys: pytest.CaptureFixture) -> None:
    assert main(["crawl", "wp", "--db", "sqlite://relative.db"]) == 2
    err = capsys.readouterr().err
    assert "SQLite URLs look like" in err and len(err.strip().splitlines()) == 1


# -- wiring --------------------------------------------------------------------------------------

def test_store_pipeline_off_without_a_database() -> None:
    with pytest.raises(NotConfigured):
        StorePipeline.from_crawler(get_crawler(settings_dict={"NEWSCRAWL_DATABASE": ""}))


@pytest.mark.parametrize("feeds", [{}, {"out.jsonl": {"format": "jsonl"}}])
def test_store_counts_as_one_more_writer_for_the_crawl_state(tmp_path: Path,
                                                             feeds: dict) -> None:
    from newscrawl import defaults

    crawler = get_crawler(settings_dict={
        **{name: getattr(defaults, name) for name in defaults.names()
           if name.startswith("NEWSCRAWL_")},
        "FEEDS": feeds, "FEED_EXPORTERS": defaults.FEED_EXPORTERS,
        "NEWSCRAWL_DATABASE": f"sqlite:///{tmp_path / 'a.db'}"})
    tracker = IncrementalTracker.from_crawler(crawler)
    StorePipeline.from_crawler(crawler)
    assert tracker.commit_signal is item_written
    assert tracker.feeds == len(feeds) + 1


def test_items_not_stored_fail_the_run() -> None:
    stats = {"finish_reason": "finished", "item_scraped_count": 5,
             "newscrawl/database/unstored": 3, "newscrawl/database/failed": "connection lost"}
    assert run_failed(stats) == ("3 article(s) could not be stored in the database "
                                 "(connection lost)")
    assert run_failed({**stats, "newscrawl/database/unstored": 0}) is None


@pytest.mark.parametrize("action", [["stats"], ["export", "--format", "jsonl"]])
def test_reading_a_missing_sqlite_file_fails_in_one_line_and_creates_nothing(tmp_path, capsys,
                                                                            action):
    target = tmp_path / "no" / "such.db"
    assert main(["db", f"sqlite:///{target}", *action]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"newscrawl db: no such database file: {target}"
    assert not (tmp_path / "no").exists()
