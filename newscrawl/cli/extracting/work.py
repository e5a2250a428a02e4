"""The work of `newscrawl extract` on one input: read or fetch it, extract the article, check
the record against the schema. Runs in this process or in a pool worker (`--jobs`)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from itemadapter import ItemAdapter

from newscrawl.cli.extracting.inputs import Input, read_file
from newscrawl.fetch import MAX_BYTES, TIMEOUT, FetchError, RobotsDisallowed, fetch_page
from newscrawl.items import Article


@dataclass(frozen=True)
class Options:
    """What every input is read with (picklable, for pool workers)."""

    url: str | None = None
    portal: str | None = None
    timeout: float = TIMEOUT
    max_bytes: int = MAX_BYTES
    obey_robots: bool = True


@dataclass
class Outcome:
    """One input's result: an article, or why not (`skipped` when robots.txt forbade it)."""

    input: Input
    article: Article | None = None
    error: str | None = None
    skipped: bool = False


def no_article(article: Article) -> str | None:
    """Why the extracted record is not an article the schema accepts, or None."""
    from newscrawl.crawl.pipelines import schema_errors
    from newscrawl.output.exporters import item_to_record

    adapter = ItemAdapter(article)
    if not (adapter.get("headline") or "").strip():
        return "no article found (no headline)"
    if not [p for p in adapter.get("body") or [] if p and p.strip()]:
        return "no article found (no body paragraphs)"
    errors = schema_errors(item_to_record(article))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "record"
        return f"record breaks the article schema at {where}: {errors[0].message[:200]}"
    return None


def _page(item: Input, data: bytes | None,
          options: Options) -> tuple[bytes, str | None, str | None, datetime | None]:
    """Bytes, URL, Content-Type and fetch time of the input's page."""
    if item.kind == "url":
        page = fetch_page(item.source, timeout=options.timeout, max_bytes=options.max_bytes,
                          obey_robots=options.obey_robots)
        return page.body, page.url, page.content_type, datetime.now(UTC)
    if item.kind == "stdin":
        return data or b"", options.url, None, None
    body = read_file(item.source, options.max_bytes)
    return body, options.url or Path(item.source).resolve().as_uri(), None, None


def extract_one(job: tuple[Input, bytes | None, Options]) -> Outcome:
    """Read (or fetch) one input and extract its article; every failure becomes a reason."""
    from newscrawl.extract import ExtractionError
    from newscrawl.routing import extract_article

    item, data, options = job
    try:
        body, url, content_type, fetched_at = _page(item, data, options)
    except RobotsDisallowed as exc:
        return Outcome(item, error=str(exc), skipped=True)
    except FetchError as exc:
        return Outcome(item, error=str(exc))
    except OSError as exc:
        return Outcome(item, error=f"cannot read: {exc.strerror or exc}")
    except ValueError as exc:
        return Outcome(item, error=str(exc))
    if not body.strip():
        return Outcome(item, error="empty file" if item.kind == "file" else "empty page")
    try:
        article = extract_article(body, url, fetched_at=fetched_at, portal=options.portal,
                                  content_type=content_type)
    except ExtractionError as exc:
        return Outcome(item, error=str(exc))
    problem = no_article(article)
    if problem:
        return Outcome(item, error=problem)
    return Outcome(item, article=article)


def run_all(jobs: list[tuple[Input, bytes | None, Options]], workers: int) -> Iterator[Outcome]:
    """Outcomes in input order; `workers` > 1 spreads the inputs over that many processes."""
    if workers <= 1 or len(jobs) <= 1:
        yield from map(extract_one, jobs)
        return
    chunk = max(1, min(16, len(jobs) // (workers * 8)))
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        yield from pool.map(extract_one, jobs, chunksize=chunk)
    finally:  # a reader gone (`| head`) or Ctrl-C: drop the pending inputs, do not wait for them
        pool.shutdown(wait=False, cancel_futures=True)

