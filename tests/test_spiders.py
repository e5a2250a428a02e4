"""End-to-end: real `scrapy crawl` runs against the miniature portal served on 127.0.0.1."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from newscrawl.devtools.portal_server import PortalServer

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "fixtures" / "portal"
EXPECTED = json.loads((PORTAL / "_expected.json").read_text(encoding="utf-8"))
ARTICLE_PATHS = {e["path"] for e in EXPECTED}
#: Fast and quiet for a loopback server; politeness settings are for real portals.
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO",
        "-s", "RETRY_BACKOFF_BASE=0", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "NEWSCRAWL_RENDER_ENABLED=0"]


def crawl(spider: str, out: Path, *args: str, timeout: int = 120,
          settings: dict[str, str] | None = None) -> tuple[list[dict], str]:
    """Run `scrapy crawl` from the project root; return the items and the log."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(out), *FAST]
    for name, value in (settings or {}).items():
        cmd += ["-s", f"{name}={value}"]
    for arg in args:
        cmd += ["-a", arg]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
    return items, proc.stderr


def stat(log: str, key: str) -> int:
    """A counter from the stats dump at the end of the log (0 when absent)."""
    m = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(m.group(1)) if m else 0


def path_of(url: str) -> str:
    """The path of a URL on the test server."""
    return "/" + url.split("/", 3)[3]


def test_wp_spider_yields_every_article_once_with_fields(portal, tmp_path):
    items, log = crawl("wp", tmp_path / "out.jsonl", f"base_url={portal.url}",
                       "follow_listing=on")
    paths = [path_of(i["url"]) for i in items]
    assert len(paths) == len(set(paths)), "an article was yielded twice"
    assert set(paths) == ARTICLE_PATHS
    by_path = {path_of(i["url"]): i for i in items}
    for exp in EXPECTED:
        item = by_path[exp["path"]]
        assert item["portal"] == "wp"
        assert item["headline"] == exp["headline"], exp["path"]
        assert item["lead"] == exp["lead"]
        assert item["body"] == exp["body"]
        assert item["authors"] == exp["authors"]
        assert item["published"] == exp["published"]
        assert [r["title"] for r in item["related"]] == exp["related"]
    # Listing pages were fetched (follow_listing=on) but none became an item.
    assert stat(log, "newscrawl/pages/listing") >= 7
    served = portal.paths()
    assert "/polska/strona/2" in served and "/gospodarka" in served
    # The broken links are logged with their reason, counted, and the crawl went on.
    assert stat(log, "newscrawl/errors/http_404") == 1
    assert stat(log, "newscrawl/errors/redirect_loop") == 1
    assert "redirect_loop: http://127.0.0.1" in log
    assert "/stary-adres-6000000000000098a" in served


def test_generic_spider_finds_sitemaps_from_robots(portal, tmp_path):
    items, log = crawl("news", tmp_path / "out.jsonl", f"url={portal.url}")
    assert sorted(path_of(i["url"]) for i in items) == sorted(ARTICLE_PATHS)
    served = portal.paths()
    assert served.count("/robots.txt") >= 1
    assert "/sitemap.xml" in served and "/sitemap-articles-2.xml.gz" in served
    # robots.txt named the sitemaps: the common sitemap paths were not guessed.
    assert "/sitemap_index.xml" not in served
    assert stat(log, "newscrawl/discovery/robots_sitemaps") == 2


def test_since_skips_old_sitemap_entries_before_fetching(portal, tmp_path):
    items, log = crawl("wp", tmp_path / "out.jsonl", f"base_url={portal.url}",
                       "since=2024-06-01")
    new = {e["path"] for e in EXPECTED if e["published"] >= "2024-06-01"}
    old = ARTICLE_PATHS - new
    assert new and old
    assert {path_of(i["url"]) for i in items} == new
    served = set(portal.paths())
    assert not (old & served), "an article older than `since` was requested"
    assert stat(log, "newscrawl/window/skipped_before_fetch") >= len(old)


def test_listing_fallback_when_no_sitemap_or_feed(portal, tmp_path):
    root = portal.root
    for name in ("sitemap.xml", "sitemap-news.xml", "sitemap-articles-1.xml",
                 "sitemap-articles-2.xml.gz", "rss.xml"):
        (root / name).unlink()
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /szukaj\n", encoding="utf-8")
    items, log = crawl("news", tmp_path / "out.jsonl", f"url={portal.url}")
    assert {path_of(i["url"]) for i in items} == ARTICLE_PATHS
    assert len(items) == len(ARTICLE_PATHS)
    assert "following listing pages" in log
    assert stat(log, "newscrawl/pages/listing") >= 7


def test_limit_and_sections(portal, tmp_path):
    items, _ = crawl("wp", tmp_path / "a.jsonl", f"base_url={portal.url}", "limit=5")
    assert len(items) == 5
    items, _ = crawl("wp", tmp_path / "b.jsonl", f"base_url={portal.url}", "sections=polska",
                     "follow_listing=on")
    polska = {e["path"] for e in EXPECTED if e["section"] == "Polska"}
    assert {path_of(i["url"]) for i in items} == polska


def test_invalid_argument_is_a_clear_error(tmp_path):
    cmd = [sys.executable, "-m", "scrapy", "crawl", "wp", "-a", "since=yesterday",
           "-a", "base_url=http://127.0.0.1:9/", "-s", "LOG_LEVEL=INFO"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "not a time: 'yesterday'" in proc.stderr


def test_scrapy_list_shows_generic_and_portal_spiders():
    proc = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    names = proc.stdout.split()
    assert {"news", "wp", "onet", "interia", "gazeta", "tvn24", "rp"} <= set(names)


def test_rp_spider_crawls_its_own_portal(tmp_path):
    root = tmp_path / "portal_rp"
    shutil.copytree(ROOT / "fixtures" / "portal_rp", root)
    expected = json.loads((root / "_expected.json").read_text(encoding="utf-8"))
    with PortalServer(root) as server:
        items, log = crawl("rp", tmp_path / "out.jsonl", f"base_url={server.url}")
        served = server.paths()
    assert sorted(path_of(i["url"]) for i in items) == sorted(e["path"] for e in expected)
    by_path = {path_of(i["url"]): i for i in items}
    for exp in expected:
        item = by_path[exp["path"]]
        assert item["portal"] == "rp"
        assert (item["headline"], item["lead"]) == (exp["headline"], exp["lead"])
        assert item["body"] == exp["body"]
        assert item["published"] == exp["published"]
        assert [r["title"] for r in item["related"]] == exp["related"]
    # The portal module's declared sitemaps and feed were read.
    assert "/sitemaps/news-sitemap.xml" in served and "/rss_main" in served
    assert stat(log, "newscrawl/discovery/feeds/rss") == 1
