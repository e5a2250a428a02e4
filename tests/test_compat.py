"""`newscrawl.compat` against the installed Scrapy: fails loudly when an upgrade changes what the
adapter relies on (the engine's wake-up call, the feed exporter's slots)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from scrapy.utils.test import get_crawler

from newscrawl.compat import feed_slot_of, wake_engine

SCRIPT = textwrap.dedent('''
    import json, sys
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from newscrawl.compat import feed_slot_of, wake_engine
    from newscrawl.output.signals import item_written

    seen = {"written": []}

    class Probe(scrapy.Spider):
        name = "probe"

        @classmethod
        def from_crawler(cls, crawler, *args, **kwargs):
            spider = super().from_crawler(crawler, *args, **kwargs)
            crawler.signals.connect(spider.idle, signal=signals.spider_idle)
            crawler.signals.connect(spider.written, signal=item_written)
            return spider

        async def start(self):
            yield {"url": "http://127.0.0.1/a", "headline": "A"}

        def idle(self):
            seen.setdefault("woke", wake_engine(self.crawler))

        def written(self, item, uri, format, **kwargs):
            seen["written"].append([uri, format])

    process = CrawlerProcess({
        "FEEDS": {sys.argv[1] + "/%(name)s.jsonl": {"format": "jsonl"}},
        "FEED_EXPORTERS": {"jsonl": "newscrawl.output.exporters.JsonLinesExporter"},
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "LOG_LEVEL": "ERROR",
    })
    process.crawl(Probe)
    process.start()
    print(json.dumps(seen))
''')


def test_engine_wake_up_and_feed_slots_in_a_real_crawl(tmp_path: Path) -> None:
    """If this fails after a Scrapy upgrade, update `newscrawl/compat.py` (not the callers)."""
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["woke"] is True, "ExecutionEngine._slot.nextcall.schedule() is gone"
    # The URI as Scrapy resolved it (%(name)s filled in) and the feed's own format key: only
    # the FeedExporter's slots know them.
    assert seen["written"] == [[str(tmp_path / "probe.jsonl"), "jsonl"]], \
        "FeedExporter.slots / FeedSlot.exporter changed"
    assert (tmp_path / "probe.jsonl").read_text().count("\n") == 1


def test_outside_a_crawl_the_adapter_answers_no() -> None:
    crawler = get_crawler()
    assert wake_engine(crawler) is False  # no engine yet
    assert feed_slot_of(crawler, object()) is None  # no extension manager yet
    assert feed_slot_of(None, object()) is None
