"""End-to-end rendering: `scrapy crawl wp` against pages served on 127.0.0.1, real Chromium.

The "Wybrane dla Ciebie" block of the fixture article is inserted by the page's own script, so
it exists only when the page is rendered. CI installs Chromium (scripts/test.sh); these tests
skip only on a developer machine without root, where it cannot be installed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl import defaults as project_settings
from newscrawl.devtools.portal_server import PortalServer

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "fixtures" / "render" / "site"
CRASH_SITE = ROOT / "fixtures" / "render" / "crash-site"
CHROMIUM = project_settings.NEWSCRAWL_CHROMIUM_PATH
SCRIPTED = "/most-na-wisle-otwarty-po-trzech-latach-budowy-7300000000001a"
QUIET = "/rada-miasta-przyjela-budzet-na-przyszly-rok-7300000000002a"
BUSY = "/pilny-komunikat-sluzb-miejskich-w-sprawie-wody-7300000000003a"
HUNG = "/zawieszony-skrypt-licznika-odwiedzin-7300000000004a"
ALL = {SCRIPTED, QUIET, BUSY, HUNG}
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO",
        "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0", "-s", "RETRY_BACKOFF_BASE=0",
        "-s", "NEWSCRAWL_RENDER_WAIT_TIMEOUT=2", "-s", "NEWSCRAWL_RENDER_TIMEOUT=4"]


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.geteuid() == 0 or os.environ.get("CI"):
        pytest.fail(f"Chromium not found at {CHROMIUM}; scripts/test.sh installs the `chromium` "
                    "package (run it as root, as CI does)")
    pytest.skip(f"Chromium not found at {CHROMIUM} and no root to install it: "
                "`sudo apt-get install chromium` or run scripts/test.sh")


def _crawl(tmp: Path, name: str, *settings: str,
           site: Path = SITE) -> tuple[dict[str, dict], str, list[str]]:
    """Serve a fixture site, crawl it with the wp spider; items by path, log, served paths."""
    out = tmp / f"{name}.jsonl"
    with PortalServer(site) as server:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "wp", "-a", f"base_url={server.url}",
               "-O", str(out), *FAST]
        for setting in settings:
            cmd += ["-s", setting]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
        served = server.paths()
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        items["/" + item["url"].split("/", 3)[3]] = item
    return items, proc.stderr, served


def stat(log: str, key: str) -> float:
    """A value from the stats dump at the end of the log (0 when absent)."""
    m = re.search(rf"'{re.escape(key)}': ([\d.]+)", log)
    return float(m.group(1)) if m else 0


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    _need_chromium()
    return _crawl(tmp_path_factory.mktemp("render"), "rendered")


def test_script_inserted_block_yields_twelve_related_links(rendered):
    items, log, _ = rendered
    related = items[SCRIPTED]["related"]
    assert len(related) == 12
    assert related[0] == {
        "title": "Nowa linia tramwajowa ruszy w maju. Znamy rozkład jazdy",
        "url": "https://wiadomosci.wp.pl/nowa-linia-tramwajowa-ruszy-w-maju-7300000000101a"}
    assert len({r["title"] for r in related}) == 12  # each title rendered twice, kept once
    assert not any("Wybrane dla Ciebie" in p or "tramwajowa ruszy" in p
                   for p in items[SCRIPTED]["body"])
    assert stat(log, "newscrawl/render/pages") == 3  # HUNG never finished rendering
    assert stat(log, "newscrawl/render/seconds") > 0


def test_listing_pages_sitemaps_and_robots_stay_plain_http(rendered):
    _, log, served = rendered
    # Only the four article pages went through the browser.
    assert stat(log, "playwright/request_count/navigation") == 4
    assert "/sitemap.xml" in served and "/robots.txt" in served


def test_heavy_resources_and_third_party_hosts_are_blocked(rendered):
    items, log, served = rendered
    # First-party script ran (the block exists), the third-party one never reached the server.
    assert "/static/related.js" in served
    assert "/static/tracker.js" not in served
    assert not {"/static/photo.gif", "/static/site.css"} & set(served)
    assert not any("ads.example.net" in r["url"] for r in items[SCRIPTED]["related"])
    assert stat(log, "newscrawl/render/blocked") >= 4


def test_page_whose_block_never_appears_is_still_extracted(rendered):
    items, log, _ = rendered
    # Quiet page: the wait ends when the network settles. Busy page: at the wait timeout.
    for path in (QUIET, BUSY):
        assert items[path]["headline"] and items[path]["body"]
        assert items[path]["related"] == []
    assert stat(log, "newscrawl/render/no_block") == 1
    assert re.search(r"Render timeout for \S+" + re.escape(BUSY), log)


def test_page_that_never_loads_is_fetched_again_as_server_html(rendered):
    items, log, served = rendered
    # A runaway script: navigation times out, the page is requested again without the browser.
    assert items[HUNG]["headline"] == "Miasto liczy turystów. Rekordowy weekend majowy"
    assert len(items[HUNG]["body"]) == 2
    assert re.search(r"Render failed \(timeout\) for \S+" + re.escape(HUNG), log)
    assert served.count(HUNG) == 2
    assert stat(log, "newscrawl/render/fallback") == 1
    assert stat(log, "newscrawl/render/errors/timeout") == 2  # this one and BUSY's wait


def test_rendering_off_gives_server_html_and_says_so_once(tmp_path):
    items, log, served = _crawl(tmp_path, "off", "NEWSCRAWL_RENDER_ENABLED=0")
    assert set(items) == ALL
    assert items[SCRIPTED]["related"] == []
    assert len(items[SCRIPTED]["body"]) == 4
    assert log.count("rendering is off") == 1
    assert stat(log, "newscrawl/render/fallback") == 4
    assert stat(log, "newscrawl/render/pages") == 0
    assert "scrapy-playwright" not in log  # no download handler, no browser
    assert "/static/related.js" not in served


def test_missing_browser_still_extracts_every_article(tmp_path):
    items, log, _ = _crawl(tmp_path, "missing",
                           f"NEWSCRAWL_CHROMIUM_PATH={tmp_path / 'no-such-chromium'}")
    assert set(items) == ALL
    assert all(item["headline"] and item["body"] for item in items.values())
    assert items[SCRIPTED]["related"] == []
    assert stat(log, "newscrawl/render/errors/browser_missing") >= 1
    assert stat(log, "newscrawl/render/fallback") == 4
    assert stat(log, "newscrawl/render/pages") == 0
    assert re.search(r"Render failed \(browser_missing\) for http://127\.0\.0\.1:\d+/", log)


def test_crashed_page_is_fetched_again_as_server_html(tmp_path):
    _need_chromium()
    # A small V8 heap makes the page's endless allocation crash its renderer at once.
    options = dict(project_settings.PLAYWRIGHT_LAUNCH_OPTIONS)
    options["args"] = [*options["args"], "--js-flags=--max-old-space-size=16"]
    items, log, served = _crawl(tmp_path, "crash",
                                f"PLAYWRIGHT_LAUNCH_OPTIONS={json.dumps(options)}",
                                site=CRASH_SITE)
    path = "/galeria-zdjec-z-festiwalu-swiatla-7300000000005a"
    assert items[path]["headline"] == "Festiwal Światła przyciągnął tłumy"
    assert len(items[path]["body"]) == 2
    assert stat(log, "newscrawl/render/errors/crash") == 1
    assert stat(log, "newscrawl/render/fallback") == 1
    assert re.search(r"Render failed \(crash\) for \S+" + re.escape(path), log)
    assert served.count(path) >= 2  # rendered (and crashed), then fetched plainly
