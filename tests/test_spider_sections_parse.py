"""`-a sections=` on a portal spider without extra flags (or one warning saying why it found
nothing), and `scrapy parse --spider=NAME URL` through the spider's default callback."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from conftest import ROOT
from test_spiders import EXPECTED, crawl, path_of


def test_sections_follow_their_listing_pages_without_extra_flags(portal, tmp_path):
    items, log = crawl("wp", tmp_path / "s.jsonl", f"base_url={portal.url}",
                       "sections=swiat,gospodarka")
    wanted = {e["path"] for e in EXPECTED if e["section"] in ("Świat", "Gospodarka")}
    assert wanted and {path_of(i["url"]) for i in items} == wanted
    assert "sections=" not in log  # found articles: no warning


def test_sections_with_listing_pages_off_say_why_nothing_came(portal, tmp_path):
    items, log = crawl("wp", tmp_path / "s.jsonl", f"base_url={portal.url}", "sections=swiat",
                       "follow_listing=off")
    assert items == []
    warnings = [line for line in log.splitlines() if "WARNING" in line and "sections=" in line]
    assert len(warnings) == 1
    assert "sections=swiat" in warnings[0] and "follow_listing=off" in warnings[0]


@pytest.mark.parametrize("workers", ["0", "1"])
def test_scrapy_parse_reads_an_article_with_the_default_callback(portal, workers):
    path = sorted(e["path"] for e in EXPECTED)[0]
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "parse", "--spider=wp", "-a", f"base_url={portal.url}",
         "-s", "NEWSCRAWL_RENDER_ENABLED=0", "-s", "ROBOTSTXT_OBEY=0", "--nolog",
         "-s", f"NEWSCRAWL_EXTRACT_WORKERS={workers}",
         portal.url.rstrip("/") + path], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "NotImplementedError" not in proc.stdout + proc.stderr
    start = proc.stdout.index("# Scraped Items")  # printed as a Python literal
    items = ast.literal_eval(proc.stdout[proc.stdout.index("[", start):proc.stdout.index(
        "# Requests", start)].strip())
    headline = next(e["headline"] for e in EXPECTED if e["path"] == path)
    assert [i["headline"] for i in items] == [headline]
