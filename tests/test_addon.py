"""newscrawl.Addon: one `ADDONS` line in a project made by `scrapy startproject` crawls like
newscrawl's own project; project settings beat the add-on's defaults and `-s` beats both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object

import newscrawl
from newscrawl import defaults
from newscrawl.addon import Addon, apply_defaults, is_enabled
from newscrawl.crawl.pipelines import ValidatePipeline
from newscrawl.crawl.spider import NewsSpider

ROOT = Path(__file__).resolve().parent.parent
#: Fast for a loopback server; one request at a time so both runs write their feeds in one order.
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_BACKOFF_BASE=0",
        "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0", "-s", "CONCURRENT_REQUESTS=1",
        "-s", "NEWSCRAWL_RENDER_ENABLED=0", "-s", "LOG_LEVEL=INFO"]
#: Report fields that name the run rather than describe what it produced.
RUN_FIELDS = ("spider", "started_at", "finished_at", "elapsed_seconds", "feed")

pytestmark = pytest.mark.timeout(240)


def make_project(parent: Path) -> Path:
    """`scrapy startproject mineproj`, plus the one ADDONS line and a NewsSpider subclass."""
    subprocess.run([sys.executable, "-m", "scrapy", "startproject", "mineproj",
                    str(parent / "mineproj")], check=True, capture_output=True, timeout=60)
    project = parent / "mineproj"
    settings = project / "mineproj" / "settings.py"
    text = settings.read_text(encoding="utf-8")
    assert "\nADDONS = {}\n" in text, "the startproject template changed"
    settings.write_text(text.replace("\nADDONS = {}\n", '\nADDONS = {"newscrawl.Addon": 0}\n'),
                        encoding="utf-8")
    (project / "mineproj" / "spiders" / "mine.py").write_text(
        'from newscrawl import NewsSpider\n\n\nclass Mine(NewsSpider):\n    name = "mine"\n',
        encoding="utf-8")
    return project


def crawl(cwd: Path, spider: str, url: str, out: Path) -> dict[str, str]:
    """`scrapy crawl SPIDER -a url=URL -o out.jsonl -o out.csv -o out.txt`; the three feeds."""
    out.mkdir()
    feeds = [out / f"out.{ext}" for ext in ("jsonl", "csv", "txt")]
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"url={url}", *FAST]
    for feed in feeds:
        cmd += ["-o", str(feed)]
    # Each project finds its own settings from its scrapy.cfg: no inherited SCRAPY_* variables
    # (Scrapy itself exports SCRAPY_SETTINGS_MODULE when an in-process crawl meets a project).
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {f.suffix[1:]: f.read_text(encoding="utf-8") for f in feeds}


def without_fetched_at(feeds: dict[str, str]) -> tuple[list[dict], dict[str, str]]:
    """The JSONL records without `fetched_at`, and every feed's text with its values masked."""
    records = [json.loads(line) for line in feeds["jsonl"].splitlines() if line]
    masked = dict(feeds)
    for stamp in {r["fetched_at"] for r in records if r.get("fetched_at")}:
        masked = {fmt: text.replace(stamp, "<fetched_at>") for fmt, text in masked.items()}
    return [{k: v for k, v in r.items() if k != "fetched_at"} for r in records], masked


def report(path: Path) -> dict:
    """The run report beside a feed, without the fields that name the run."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in RUN_FIELDS}


def test_startproject_with_one_addons_line_crawls_like_newscrawls_own_project(portal, tmp_path):
    project = make_project(tmp_path)
    mine = crawl(project, "mine", portal.url, tmp_path / "mine")
    own = crawl(ROOT, "news", portal.url, tmp_path / "own")

    mine_records, mine_text = without_fetched_at(mine)
    own_records, own_text = without_fetched_at(own)
    assert len(own_records) > 10
    assert mine_records == own_records  # same records, in the same order
    assert mine_text["csv"] == own_text["csv"]  # same columns, quoting and formula escaping
    assert mine_text["txt"] == own_text["txt"]  # same TXT layout
    mine_report = report(tmp_path / "mine" / "out.jsonl.stats.json")
    assert mine_report["articles"] == len(own_records)
    assert mine_report == report(tmp_path / "own" / "out.jsonl.stats.json")


def _settings(**by_priority: dict) -> Settings:
    settings = Settings()
    settings.set("ADDONS", {"newscrawl.Addon": 0}, priority="project")
    for priority, values in by_priority.items():
        settings.setdict(values, priority=priority)
    return settings


def _wired(settings: Settings) -> Settings:
    """The crawler's settings once the add-ons have run (as in Crawler.crawl)."""
    crawler = Crawler(NewsSpider, settings)
    crawler.addons.load_settings(crawler.settings)
    assert isinstance(crawler.get_addon(Addon), Addon)
    return crawler.settings


def test_addon_puts_every_default_in_at_addon_priority() -> None:
    settings = _wired(_settings())
    for name in defaults.names():
        if name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES",
                    "EXTENSIONS", "FEED_EXPORTERS", "PLAYWRIGHT_LAUNCH_OPTIONS"):
            continue
        assert settings.get(name) == getattr(defaults, name), name
        assert settings.getpriority(name) == 15, name
    pipelines = [load_object(c) for c in build_component_list(
        settings.getwithbase("ITEM_PIPELINES"))]
    assert [c.__name__ for c in pipelines] == [
        "NormalisePipeline", "DatesPipeline", "RelatedLinksPipeline", "ValidatePipeline",
        "DuplicatesPipeline", "IncrementalPipeline", "StorePipeline"]
    middlewares = [load_object(c).__name__ for c in build_component_list(
        settings.getwithbase("DOWNLOADER_MIDDLEWARES"))]
    assert "RetryMiddleware" not in middlewares  # swapped for the backoff retry
    assert {"HostGuardMiddleware", "BackoffRetryMiddleware", "CompleteBodyMiddleware",
            "RenderMiddleware"} <= set(middlewares)
    assert settings.getwithbase("FEED_EXPORTERS")["txt"] == defaults.FEED_EXPORTERS["txt"]
    assert settings["REDIRECT_MAX_TIMES"] == 5


def test_project_settings_beat_the_addon_and_the_command_line_beats_both() -> None:
    settings = _wired(_settings(
        project={"NEWSCRAWL_PROGRESS_INTERVAL": 5.0, "NEWSCRAWL_CSV_BOM": True,
                 "ITEM_PIPELINES": {"newscrawl.crawl.pipelines.ValidatePipeline": None},
                 "FEED_EXPORTERS": {"csv": "scrapy.exporters.CsvItemExporter"}},
        cmdline={"NEWSCRAWL_CSV_BOM": False, "NEWSCRAWL_COVERAGE_MIN_ITEMS": 3}))
    assert settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL") == 5.0
    assert settings.getbool("NEWSCRAWL_CSV_BOM") is False
    assert settings.getint("NEWSCRAWL_COVERAGE_MIN_ITEMS") == 3
    enabled = [load_object(c) for c in build_component_list(
        settings.getwithbase("ITEM_PIPELINES"))]
    assert ValidatePipeline not in enabled  # switched off by the project, kept off
    assert len(enabled) == 6
    exporters = settings.getwithbase("FEED_EXPORTERS")
    assert exporters["csv"] == "scrapy.exporters.CsvItemExporter"  # the project's own
    assert exporters["txt"] == defaults.FEED_EXPORTERS["txt"]  # newscrawl's added beside it


def test_process_settings_get_the_resolver_and_feed_formats() -> None:
    settings = _settings()
    assert is_enabled(settings)
    assert not is_enabled(Settings({"ADDONS": {"newscrawl.Addon": None}}))
    Addon.update_pre_crawler_settings(settings)
    assert settings["TWISTED_DNS_RESOLVER"] == "newscrawl.crawl.hosts.PublicAddressResolver"
    assert "txt" in settings.getwithbase("FEED_EXPORTERS")


def test_apply_defaults_serves_code_that_runs_without_a_crawler() -> None:
    settings = Settings()
    settings.setmodule("newscrawl.settings")
    apply_defaults(settings)
    assert settings["NEWSCRAWL_STATE"] == defaults.NEWSCRAWL_STATE
    assert settings.getpriority("NEWSCRAWL_STATE") == 15


def test_project_settings_module_holds_no_newscrawl_default() -> None:
    import newscrawl.settings as project

    names = {n for n in dir(project) if n.isupper()}
    assert project.ADDONS == {"newscrawl.Addon": 0}
    assert not {n for n in names if n.startswith("NEWSCRAWL_")}
    assert not names & set(defaults.names())  # each default is written once, in defaults.py


def test_public_api_is_lazy_and_complete() -> None:
    assert {"Addon", "NewsSpider", "extract_article", "Article", "RelatedLink"} <= set(
        newscrawl.__all__)
    for name in newscrawl.__all__:
        assert getattr(newscrawl, name) is not None
    assert newscrawl.Addon is Addon and newscrawl.NewsSpider is NewsSpider
    with pytest.raises(AttributeError):
        _ = newscrawl.no_such_name
    code = ("import sys, newscrawl; "
            "print(sorted(m for m in sys.modules if m == 'scrapy' or m.startswith('newscrawl.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"  # `import newscrawl` loads neither Scrapy nor a subpackage
