"""`scrapy crawl` for projects that enable `newscrawl.Addon`: newscrawl's feed formats accepted
by `-o` (Scrapy checks them before add-ons run), and an honest exit status: 1 when the run failed
(the run report's rule), 75 when another run held the lock, 0 otherwise.

Installed as the `crawl` entry of the `scrapy.commands` entry-point group (and named by this
project's `COMMANDS_MODULE`); in a project without the add-on it is Scrapy's own command."""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from newscrawl.crawl.report import run_failed


class Command(ScrapyCrawl):
    """Scrapy's `crawl`, whose exit status says whether the crawl did its job."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Accept newscrawl's feed formats (`-o out.txt`) when the project enables the add-on."""
        from newscrawl.addon import Addon, is_enabled

        if is_enabled(self.settings):
            Addon.update_pre_crawler_settings(self.settings)
        super().process_options(args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        """Run one spider, then set the exit status from its stats."""
        from newscrawl.addon import is_enabled

        if not is_enabled(self.settings):
            super().run(args, opts)
            return
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        self.exitcode = exit_status(crawler.stats.get_stats() if crawler.stats else {})


def exit_status(stats: dict) -> int:
    """75 for a run skipped by the lock (EX_TEMPFAIL: try at the next slot), 1 for a failed
    run, 0 otherwise."""
    if stats.get("finish_reason") == "skipped_locked":
        return 75
    return 1 if run_failed(stats) else 0
