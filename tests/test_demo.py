"""`newscrawl demo`: serves the bundled portal, crawls it and writes three feeds to ./output/."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from newscrawl.cli.demo import portal_dir

EXPECTED = json.loads((portal_dir() / "_expected.json").read_text(encoding="utf-8"))


def test_demo_writes_jsonl_csv_and_txt(tmp_path: Path):
    proc = subprocess.run([sys.executable, "-m", "newscrawl.cli", "demo"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path / "output"
    lines = (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines]
    assert len(items) == len(EXPECTED)
    assert {i["headline"] for i in items} == {e["headline"] for e in EXPECTED}
    with (out / "articles.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(EXPECTED) and "headline" in rows[0]
    txt = (out / "articles.txt").read_text(encoding="utf-8")
    assert txt.count("Wybrane dla Ciebie") == len(EXPECTED)
    assert EXPECTED[0]["headline"] in txt
    assert f"{len(EXPECTED)} articles" in proc.stdout
    assert str(out / "articles.jsonl") in proc.stdout


def test_demo_portal_is_shipped_with_the_package():
    root = portal_dir()
    assert (root / "robots.txt").is_file() and (root / "sitemap-news.xml").is_file()
