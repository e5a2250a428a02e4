"""`newscrawl crawl`: arguments, feeds under --out, the printed report; plain `scrapy crawl`
with the same settings gets the same exporters and report."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.cli import build_parser
from newscrawl.cli.crawl import FEED_NAME, _pairs, feeds_for
from newscrawl.output.exporters import split_txt_feed

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), str(ROOT),
                                                    env.get("PYTHONPATH", "")) if p)
    return env


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=180)


def test_feeds_for_formats() -> None:
    feeds = feeds_for("out", "jsonl, csv,txt,json")
    assert feeds == {
        str(Path("out") / f"{FEED_NAME}.jsonl"): {"format": "jsonlines", "encoding": "utf-8"},
        str(Path("out") / f"{FEED_NAME}.csv"): {"format": "csv", "encoding": "utf-8"},
        str(Path("out") / f"{FEED_NAME}.txt"): {"format": "txt", "encoding": "utf-8"},
        str(Path("out") / f"{FEED_NAME}.json"): {"format": "json", "encoding": "utf-8"},
    }
    with pytest.raises(ValueError, match="xml"):
        feeds_for("out", "jsonl,xml")
    with pytest.raises(ValueError):
        feeds_for("out", " , ")


def test_name_value_pairs() -> None:
    assert _pairs(["a=1", "b=x=y", "c="], "-a") == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(ValueError, match="NAME=VALUE"):
        _pairs(["novalue"], "-s")


def test_arguments_parse_like_scrapy_crawl() -> None:
    args = build_parser().parse_args(["crawl", "wp", "-a", "limit=5", "-a", "since=2d",
                                      "-s", "DOWNLOAD_DELAY=0", "--out", "feeds",
                                      "--formats", "csv,txt"])
    assert (args.spider, args.spargs, args.settings) == ("wp", ["limit=5", "since=2d"],
                                                         ["DOWNLOAD_DELAY=0"])
    assert (args.out, args.formats) == ("feeds", "csv,txt")


def test_unknown_spider_and_bad_format_exit_2(tmp_path: Path) -> None:
    proc = _run([sys.executable, "-m", "newscrawl.cli", "crawl", "no-such-spider"], tmp_path)
    assert proc.returncode == 2 and "no spider named 'no-such-spider'" in proc.stderr
    proc = _run([sys.executable, "-m", "newscrawl.cli", "crawl", "wp", "--formats", "xls"],
                tmp_path)
    assert proc.returncode == 2 and "unknown format 'xls'" in proc.stderr


def test_crawl_writes_feeds_report_and_floor_warnings(tmp_path: Path) -> None:
    floors = json.dumps({"headline": 1.0, "section": 0.5, "stream": {"tags": 0.3}})
    proc = _run([sys.executable, "-m", "newscrawl.cli", "crawl", "stream", "-a", "count=12",
                 "-s", "SPIDER_MODULES=feedspiders", "-s", f"NEWSCRAWL_COVERAGE_FLOORS={floors}",
                 "-s", "NEWSCRAWL_COVERAGE_MIN_ITEMS=5", "-s", "NEWSCRAWL_CSV_BOM=1",
                 "-s", "TELNETCONSOLE_ENABLED=0", "--out", "feeds",
                 "--formats", "jsonl,csv,txt,json"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path / "feeds"
    feeds = sorted(p.name for p in out.iterdir() if not p.name.endswith(".stats.json"))
    assert [name.rsplit(".", 1)[1] for name in feeds] == ["csv", "json", "jsonl", "txt"]
    assert all(name.startswith("stream-") for name in feeds)
    by_ext = {p.suffix: p for p in out.iterdir() if not p.name.endswith(".stats.json")}

    # 12 articles; the duplicate (utm variant) and the empty article are not in any feed
    assert len(json.loads(by_ext[".json"].read_text("utf-8"))) == 12
    assert len(by_ext[".jsonl"].read_text("utf-8").splitlines()) == 12
    csv_bytes = by_ext[".csv"].read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbf")  # -s NEWSCRAWL_CSV_BOM=1 reached the exporter
    assert len(list(csv.DictReader(csv_bytes.decode("utf-8-sig").splitlines()))) == 12
    assert len(split_txt_feed(by_ext[".txt"].read_text("utf-8"))) == 12

    report = json.loads((out / (by_ext[".jsonl"].name + ".stats.json")).read_text("utf-8"))
    assert report["articles"] == 12
    assert report["dropped"] == {"no_body": 1}
    assert report["duplicates"] == {"url": 1}
    assert report["coverage"]["headline"] == 1.0 and report["coverage"]["section"] == 0.0
    assert report["below_floor"] == {"section": 0.0, "tags": 0.0}
    assert report["feed"]["format"] == "jsonlines" and report["feed"]["items"] == 12

    assert "articles 12; dropped 1 (no_body 1); duplicates 1 (url 1)" in proc.stdout
    assert "BELOW FLOOR: section 0% < 50%, tags 0% < 30%" in proc.stdout
    assert "coverage of 'section' is 0% (floor 50%)" in proc.stderr
    assert "coverage of 'tags' is 0% (floor 30%)" in proc.stderr
    assert "coverage of 'headline'" not in proc.stderr


def test_plain_scrapy_crawl_uses_the_same_exporters_and_report(tmp_path: Path) -> None:
    txt, csv_path = tmp_path / "a.txt", tmp_path / "a.csv"
    proc = _run([sys.executable, "-m", "scrapy", "crawl", "stream", "-a", "count=3",
                 "-s", "SPIDER_MODULES=feedspiders", "-s", "TELNETCONSOLE_ENABLED=0",
                 "-O", str(txt), "-O", str(csv_path)], ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    articles = split_txt_feed(txt.read_text("utf-8"))
    assert [a.splitlines()[0] for a in articles] == ["Nagłówek 0", "Nagłówek 1", "Nagłówek 2"]
    header = csv_path.read_text("utf-8").splitlines()[0]
    assert header.startswith("url,canonical_url,portal,language,headline,lead,body,")
    assert json.loads((tmp_path / "a.txt.stats.json").read_text("utf-8"))["articles"] == 3
    assert "Run report:" in proc.stderr
