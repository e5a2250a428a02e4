"""`bench/crawl_speed.py` on a tiny generated portal: figures printed, every article crawled."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

from newscrawl.devtools.results import read_results

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "crawl_speed.py"
LINE = re.compile(r"^\s+(bare|newscrawl(?:-w\d+)?)\s+(\d+) articles\s+([\d.]+) pages/s\s+"
                  r"([\d.]+) CPU ms/page\s+([\d.]+) MB peak RSS", re.M)


def _bench():
    spec = importlib.util.spec_from_file_location("crawl_speed", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_portal_has_every_article_in_its_sitemaps(tmp_path: Path) -> None:
    """The sitemap index names chunks that together list each generated article once."""
    bench = _bench()
    paths = bench.generate_portal(tmp_path, 2500, "http://127.0.0.1:1")
    assert len(set(paths)) == 2500
    index = (tmp_path / "sitemap.xml").read_text()
    chunks = re.findall(r"<loc>http://127\.0\.0\.1:1/(sitemap-articles-\d+\.xml)</loc>", index)
    assert len(chunks) == 3
    listed = [loc for c in chunks for loc in
              re.findall(r"<loc>http://127\.0\.0\.1:1(/[^<]+)</loc>", (tmp_path / c).read_text())]
    assert sorted(listed) == sorted(paths)
    page = (tmp_path / paths[7].lstrip("/")).read_text()
    assert "{{ORIGIN}}" not in page and "NewsArticle" in page and "Wybrane dla Ciebie" in page
    assert "Sitemap: http://127.0.0.1:1/sitemap.xml" in (tmp_path / "robots.txt").read_text()


def test_bench_crawls_every_article_with_both_spiders(tmp_path: Path) -> None:
    """A 30-article run on the Python server prints parseable figures for every crawl: bare,
    newscrawl in one process and with one extraction worker (its CPU time counted)."""
    out = tmp_path / "crawl_speed.md"
    proc = subprocess.run([sys.executable, str(BENCH), "--articles", "30", "--server", "python",
                           "--concurrency", "4", "--workers", "0", "1",
                           "--write-results", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "server python" in proc.stdout
    rows = {m.group(1): m.groups()[1:] for m in LINE.finditer(proc.stdout)}
    assert set(rows) == {"bare", "newscrawl", "newscrawl-w1"}, proc.stdout
    for name, (articles, rate, cpu_ms, rss) in rows.items():
        assert int(articles) == 30, name
        assert float(rate) > 0 and float(cpu_ms) > 0 and float(rss) > 10, name
    for name in ("newscrawl", "newscrawl-w1"):
        ratio = re.search(rf"ratio {name}/bare: ([\d.]+) \(pages/s\)", proc.stdout)
        assert ratio and float(ratio.group(1)) > 0
    assert re.search(r"\d\.\d\d CPU ms/page in workers", proc.stdout), proc.stdout
    assert "MISSING" not in proc.stdout
    results = read_results(out)
    assert [r[0] for r in results.rows] == ["bare", "newscrawl", "newscrawl-w1",
                                            "newscrawl / bare", "newscrawl-w1 / bare"]
    assert results.rows[0][1] == results.rows[1][1] == results.rows[2][1] == "30"
    assert "in workers" in results.rows[2][3] and "workers" not in results.rows[1][3]
    assert results.command == "python bench/crawl_speed.py --articles 30 --server python " \
                              "--concurrency 4 --workers 0 1"
