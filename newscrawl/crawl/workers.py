"""Extraction in worker processes: `NEWSCRAWL_EXTRACT_WORKERS = N` reads pages in N processes.

Scrapy runs in one process, and extraction is most of a crawl's CPU time: the spider hands each
article page (body bytes, URL, Content-Type, fetch time, portal name) to this pool and awaits
the `PageReading` without blocking the reactor, so the crawl uses more than one core. Items are
the ones of the in-process path (the same `newscrawl.crawl.reading.read_page` runs).

Each worker is a `spawn`ed child (never `fork`: the crawl process runs threads; children, so
their CPU time counts in the crawl's) talking over a socket pair that the asyncio reactor reads:
no helper thread in the crawl process. Workers ignore SIGINT and SIGTERM: on a graceful stop
Scrapy lets the pages in flight finish, then the pool closes the sockets when the spider closes
and waits for the workers to exit. A worker whose crawl is gone reads the end of its socket and
exits too.

A worker that dies (killed, out of memory) is logged with its exit status and the pages it had
in flight, counted (`newscrawl/extract_workers/died`) and replaced; those pages are read once
more (`newscrawl/extract_workers/retried`). A page lost a second time is logged with its URL and
counted as `newscrawl/errors/extract_worker_died`, and the crawl carries on. When workers die
`MAX_DEATHS_IN_A_ROW` times without a page read in between, they cannot run here: the crawl
closes with reason `extract_workers_failed` (a failed run).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import pickle
import resource
import signal
import socket
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.utils.reactor import is_asyncio_reactor_installed

from newscrawl.crawl.reading import PageReading
from newscrawl.crawl.worker_process import HEADER, STOP_SIGNALS, frame, serve

__all__ = ["ExtractionPool", "WorkerDied", "extraction_pool"]

logger = logging.getLogger(__name__)

#: Worker deaths in a row (no page read in between) after which the crawl closes.
MAX_DEATHS_IN_A_ROW = 3
#: Seconds a closing pool waits for a worker to finish its page and exit before killing it.
EXIT_TIMEOUT = 30.0


class WorkerDied(RuntimeError):
    """A page could not be read: the worker reading it died, twice."""


class _Lost(Exception):
    """The worker holding a page died before answering (the page may be read again)."""


def _exit_status(code: int | None) -> str:
    if code is None:
        return "exit status unknown"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class _Worker:
    """One worker process, its end of the socket pair and the pages it has in flight (FIFO)."""

    def __init__(self, number: int, main: Callable[[socket.socket], None]) -> None:
        ours, theirs = socket.socketpair()
        context = multiprocessing.get_context("spawn")
        self.process = context.Process(target=main, args=(theirs,), daemon=False,
                                       name=f"newscrawl-extract-{number}")
        # Blocked from the first instruction on (the mask survives fork and exec): a Ctrl-C
        # while a worker still imports is left to the crawl, and delivered to it right after.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        theirs.close()  # only the worker holds its end: its death is an EOF here
        self.sock = ours
        self.pending: deque[tuple[str, asyncio.Future]] = deque()
        self.writer: asyncio.StreamWriter | None = None
        self.gone = False
        self.connected = asyncio.ensure_future(self._connect())

    async def _connect(self) -> asyncio.StreamReader:
        reader, self.writer = await asyncio.open_unix_connection(sock=self.sock)
        return reader

    def close(self) -> None:
        """End the crawl's side at once (not at the loop's next turn, which may never come):
        the worker finishes its page, reads the end, and exits."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # already closed
        if self.writer is not None:
            self.writer.close()

    def stop(self, timeout: float) -> None:
        """Close, wait up to `timeout` seconds for the exit, then kill (SIGTERM is ignored)."""
        self.close()
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


class ExtractionPool:
    """Extension holding a crawl's extraction workers (`NEWSCRAWL_EXTRACT_WORKERS` processes);
    the spider finds it with `extraction_pool(crawler)`. Not loaded when the setting is 0."""

    #: What a worker process runs (an importable function of its socket).
    worker_main: Callable[[socket.socket], None] = staticmethod(serve)

    def __init__(self, crawler: Crawler, workers: int) -> None:
        self.crawler = crawler
        self.size = workers
        self.workers: list[_Worker] = []
        self._started = 0
        self._deaths_in_a_row = 0
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPool:
        """Built by Scrapy's extension manager; NotConfigured unless workers are asked for."""
        workers = crawler.settings.getint("NEWSCRAWL_EXTRACT_WORKERS")
        if workers <= 0:
            raise NotConfigured("NEWSCRAWL_EXTRACT_WORKERS is 0: extraction in the crawl process")
        if not is_asyncio_reactor_installed():
            raise RuntimeError("NEWSCRAWL_EXTRACT_WORKERS needs the asyncio reactor (TWISTED_"
                               "REACTOR = 'twisted.internet.asyncioreactor."
                               "AsyncioSelectorReactor')")
        pool = cls(crawler, workers)
        crawler.signals.connect(pool.close, signal=signals.spider_closed)
        atexit.register(pool.close)  # a crawl stopped hard still leaves no worker behind
        return pool

    def _worker(self) -> _Worker:
        """The worker with the fewest pages in flight; a new one while there are fewer than N."""
        if len(self.workers) < self.size:
            self._started += 1
            worker = _Worker(self._started, self.worker_main)
            self.workers.append(worker)
            asyncio.ensure_future(self._receive(worker))
            return worker
        return min(self.workers, key=lambda w: len(w.pending))

    async def _receive(self, worker: _Worker) -> None:
        """Answers of one worker, in the order its pages were sent, until its socket ends."""
        try:
            reader = await worker.connected
            while True:
                (size,) = HEADER.unpack(await reader.readexactly(HEADER.size))
                ok, value = pickle.loads(await reader.readexactly(size))
                _, future = worker.pending.popleft()
                if not future.done():
                    future.set_result(value) if ok else future.set_exception(value)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            self._died(worker)

    def _died(self, worker: _Worker) -> None:
        if worker.gone:
            return
        worker.gone = True
        if worker in self.workers:
            self.workers.remove(worker)
        worker.close()
        if self._closed and not worker.pending:
            return  # closed by the pool
        worker.process.join(1.0)
        self._deaths_in_a_row += 1
        self.crawler.stats.inc_value("newscrawl/extract_workers/died")
        urls = [url for url, _ in worker.pending]
        logger.error("extraction worker %s (pid %s) died (%s) with %d page(s) in flight%s",
                     worker.process.name, worker.process.pid,
                     _exit_status(worker.process.exitcode), len(urls),
                     (": " + ", ".join(urls[:5]) + (" ..." if len(urls) > 5 else "")) if urls
                     else "")
        while worker.pending:
            _, future = worker.pending.popleft()
            if not future.done():
                future.set_exception(_Lost())

    async def read(self, body: bytes, url: str, content_type: bytes | str | None,
                   fetched_at: datetime, portal: str | None,
                   listing: bool = False) -> PageReading:
        """`read_page` in a worker; WorkerDied when the page's worker died twice."""
        message = frame((body, url, content_type, fetched_at, portal, listing))
        for attempt in range(2):
            if self._deaths_in_a_row >= MAX_DEATHS_IN_A_ROW:
                raise CloseSpider("extract_workers_failed")
            if attempt:
                self.crawler.stats.inc_value("newscrawl/extract_workers/retried")
            worker = self._worker()
            future = asyncio.get_running_loop().create_future()
            worker.pending.append((url, future))
            try:
                await worker.connected
                worker.writer.write(message)
                page = await future
            except (_Lost, ConnectionError, OSError):
                self._died(worker)
                continue
            self._deaths_in_a_row = 0
            return page
        self.crawler.stats.inc_value("newscrawl/errors/extract_worker_died")
        logger.error("extract_worker_died: %s (its extraction worker died twice while reading "
                     "it; no item)", url)
        raise WorkerDied(url)

    def close(self, spider: Any = None) -> None:
        """Stop every worker (each finishes its page) and wait for it: when the spider closes,
        every page in flight has been read already."""
        self._closed = True
        atexit.unregister(self.close)
        workers, self.workers = self.workers, []
        for worker in workers:
            worker.close()
        for worker in workers:
            worker.stop(EXIT_TIMEOUT)
        if workers:
            # The workers are this process's only children (reaped above): their CPU time.
            use = resource.getrusage(resource.RUSAGE_CHILDREN)
            self.crawler.stats.set_value("newscrawl/extract_workers/cpu_seconds",
                                         round(use.ru_utime + use.ru_stime, 3))


def extraction_pool(crawler: Crawler | None) -> ExtractionPool | None:
    """The crawl's running worker pool, or None: extraction in the crawl process."""
    if crawler is None:
        return None
    try:
        return crawler.get_extension(ExtractionPool)
    except RuntimeError:  # asked before the extension manager exists
        return None
