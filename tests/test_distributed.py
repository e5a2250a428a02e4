"""Distributed crawls end to end: two `scrapy crawl wp` workers share one crawl through Redis."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from redis_server import redis_server

from newscrawl.devtools.portal_server import PortalServer

pytest.importorskip("scrapy_redis")

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "fixtures" / "portal"
EXPECTED = json.loads((PORTAL / "_expected.json").read_text(encoding="utf-8"))
ARTICLE_PATHS = {e["path"] for e in EXPECTED}
# A small per-request delay stretches the crawl over a few seconds, so that both workers get
# articles from the shared queue (the union and the absence of duplicates hold without it).
SETTINGS = ["AUTOTHROTTLE_ENABLED=0", "DOWNLOAD_DELAY=0.1", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
            "RANDOMIZE_DOWNLOAD_DELAY=0", "RETRY_BACKOFF_BASE=0", "NEWSCRAWL_PROGRESS_INTERVAL=0",
            "NEWSCRAWL_RENDER_ENABLED=0", "LOG_LEVEL=INFO", "NEWSCRAWL_REDIS_IDLE_CLOSE=2"]

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def redis_url(tmp_path: Path):
    with redis_server(tmp_path / "redis") as url:
        yield url


def worker(portal: PortalServer, redis_url: str, out: Path, *extra: str,
           args: list[str] | None = None) -> subprocess.Popen:
    """Start one `scrapy crawl wp` worker of the shared crawl (settings `extra` win)."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "wp", "-a", f"base_url={portal.url}",
           "-O", str(out), "-s", f"NEWSCRAWL_REDIS_URL={redis_url}", *(args or [])]
    for setting in [*SETTINGS, *extra]:
        cmd += ["-s", setting]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


def finish(proc: subprocess.Popen, timeout: float = 120) -> str:
    try:
        _, log = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, log = proc.communicate()
        pytest.fail(f"worker did not close when the crawl was drained:\n{log[-3000:]}")
    assert proc.returncode == 0, log[-3000:]
    return log


def feed_paths(out: Path) -> list[str]:
    lines = out.read_text(encoding="utf-8").splitlines()
    return [urlsplit(json.loads(line)["url"]).path for line in lines if line]


def test_two_workers_share_one_crawl(portal: PortalServer, redis_url: str, tmp_path: Path):
    outs = [tmp_path / "worker1.jsonl", tmp_path / "worker2.jsonl"]
    procs = [worker(portal, redis_url, out) for out in outs]
    logs = [finish(proc) for proc in procs]
    first, second = (feed_paths(out) for out in outs)

    union = first + second
    assert len(union) == len(set(union)), "an article was emitted by both workers or twice"
    assert set(union) == ARTICLE_PATHS
    assert first and second, "one worker got no article from the shared queue"
    # Every article, sitemap and feed was fetched once across both workers.
    served = portal.paths()
    articles = [p for p in served if p in ARTICLE_PATHS]
    assert len(articles) == len(ARTICLE_PATHS)
    for doc in ("/sitemap.xml", "/sitemap-news.xml", "/rss.xml", "/sitemap-articles-1.xml"):
        assert served.count(doc) == 1, doc
    # The sitemaps found entries, so no worker fell back to listing pages.
    assert "/polska/strona/2" not in served
    assert all("Distributed crawl: worker" in log for log in logs)
    # The last worker cleared the crawl's keys: the next crawl starts afresh.
    import redis

    client = redis.Redis.from_url(redis_url)
    assert not client.keys("newscrawl:wp:*")


def test_incremental_state_in_redis_is_shared(portal: PortalServer, redis_url: str,
                                             tmp_path: Path):
    """Workers of an incremental crawl share the Redis state: a second crawl emits nothing."""
    from newscrawl.incremental.stores import open_state, state_path

    state = ["-a", "incremental=1"]
    extra = [f"NEWSCRAWL_STATE={redis_url}", "DOWNLOAD_DELAY=0"]
    emitted = []
    for run in (1, 2):
        outs = [tmp_path / f"run{run}-{n}.jsonl" for n in (1, 2)]
        procs = [worker(portal, redis_url, out, *extra, args=state) for out in outs]
        for proc in procs:
            finish(proc)
        emitted.append([p for out in outs for p in feed_paths(out)])
    assert sorted(emitted[0]) == sorted(ARTICLE_PATHS)
    assert emitted[1] == []
    with open_state(state_path(redis_url, "wp")) as store:
        stats = store.stats()
    # Every article recorded as emitted once; the sitemap's broken link is known as fetched too.
    assert stats["emitted"] == len(ARTICLE_PATHS) < stats["urls"]
    assert not list(tmp_path.glob("redis:*")) and not (ROOT / "redis:").exists()


def test_plain_crawl_is_untouched(portal: PortalServer, tmp_path: Path):
    out = tmp_path / "plain.jsonl"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "wp", "-a", f"base_url={portal.url}",
           "-O", str(out), "-s", "LOG_LEVEL=INFO"]
    for setting in SETTINGS:
        cmd += ["-s", setting.replace("DOWNLOAD_DELAY=0.1", "DOWNLOAD_DELAY=0")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sorted(feed_paths(out)) == sorted(ARTICLE_PATHS)
    assert "scrapy_redis" not in proc.stderr and "Distributed crawl" not in proc.stderr


def test_discovery_meta_survives_the_redis_queue(redis_url: str):
    """An article request built by the spider comes back from Redis with callback and meta."""
    from scrapy.utils.test import get_crawler
    from scrapy_redis.queue import PriorityQueue

    from newscrawl.discovery import Entry
    from newscrawl.spiders.wp import WpSpider

    crawler = get_crawler(WpSpider, {"NEWSCRAWL_REDIS_URL": redis_url})
    spider = WpSpider.from_crawler(crawler, base_url="http://127.0.0.1:9/")
    entry = Entry(url="https://wiadomosci.wp.pl/rzad-6000000000000103a",
                  lastmod="2024-05-01T10:00:00+02:00", published="2024-05-01T09:00:00+02:00",
                  title="Rząd przedstawia wyniki kontroli")
    request = spider._article_request(entry, "news-sitemap")
    import redis

    queue = PriorityQueue(redis.Redis.from_url(redis_url), spider, "test:requests",
                          serializer=pickle)
    queue.push(request)
    back = queue.pop()
    assert back.url == request.url
    assert back.callback == spider.parse_article and back.errback == spider.on_error
    assert back.meta["discovery"] == request.meta["discovery"]
    assert back.meta["discovery"]["source"] == "news-sitemap"
    assert back.meta["discovery"]["published"]
