"""Write cost of the article store: CPU milliseconds and wall time per stored article.

    python bench/store_speed.py [--articles 5000] [--batch 100] [--url sqlite:///FILE]
        [--write-results [FILE]]

Writes N articles shaped like a news portal's (six paragraphs, two authors, three tags, five
related links, half of them to articles of the same run) through `ArticleStore.write` in
batches of `--batch`, one transaction each, as the crawl's store pipeline does; then writes
every tenth article again with a changed body (new versions). The figure to compare is the
crawl's own CPU milliseconds per page (`bench/crawl_speed.py`): the store runs in a worker
thread beside it. Default database: a fresh SQLite file in a temporary folder.
`--write-results [FILE]` also writes the figures to `docs/results/store_speed.md` (or FILE).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawl.devtools import results  # noqa: E402
from newscrawl.items import Article, RelatedLink  # noqa: E402
from newscrawl.store import Version, open_store  # noqa: E402

BASE = "https://wiadomosci.example.pl"
SENTENCE = ("Decyzja zapadła po wielogodzinnych rozmowach, które trwały do późnego wieczora, "
            "a eksperci podkreślają, że skutki zmian będą widoczne dopiero za kilka miesięcy. ")


def article(i: int, n: int, revision: int = 0) -> Article:
    """Article `i` of `n`, as a crawl emits it."""
    body = [f"Akapit {p} artykułu {i}. " + SENTENCE * 3 for p in range(6)]
    if revision:
        body[0] += f" Aktualizacja {revision}."
    related = [RelatedLink(f"Powiązany {k}", f"{BASE}/artykul-{(i + k) % n}-6{(i + k) % n:09d}a"
                           if k < 3 else f"{BASE}/archiwum/{i}-{k}") for k in range(5)]
    return Article(
        url=f"{BASE}/artykul-{i}-6{i:09d}a", canonical_url=f"{BASE}/artykul-{i}-6{i:09d}a",
        portal="example", language="pl", headline=f"Nagłówek artykułu numer {i}",
        lead="Krótkie wprowadzenie do tekstu. " * 2, body=body,
        authors=[f"Autor {i % 40}", "Redakcja"], tags=["Polska", f"Temat {i % 25}", "Gospodarka"],
        published="2024-07-01T08:00:00+02:00", published_raw="1 lipca 2024, 08:00",
        date_source="jsonld", section="Kraj", image=f"{BASE}/img/{i}.jpg", related=related,
        fetched_at=f"2024-07-01T10:{i // 60 % 60:02d}:{i % 60:02d}+00:00",
        fingerprint=f"{i:08x}{revision:04x}", word_count=400)


def timed(store, items: list[Article], batch: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) to turn the items into versions and write them in batches."""
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(items), batch):
        store.write([Version.from_item(a) for a in items[start:start + batch]])
    return time.process_time() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per phase."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100, help="articles per transaction")
    parser.add_argument("--url", default=None, help="database URL (default: temporary SQLite)")
    default = results.results_path("store_speed")
    parser.add_argument("--write-results", metavar="FILE", nargs="?", const=str(default),
                        help=f"also write the figures to FILE (default {default.name} in "
                             "docs/results)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(args.url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        n = args.articles
        phases = [("new articles", [article(i, n) for i in range(n)]),
                  ("new versions", [article(i, n, 1) for i in range(0, n, 10)])]
        for name, items in phases:
            cpu, wall = timed(store, items, args.batch)
            rows.append([name, len(items), f"{cpu / len(items) * 1000:.3f}",
                         f"{wall / len(items) * 1000:.3f}", f"{len(items) / wall:.0f}"])
        stats = store.stats()
        engine = store.backend.name
        store.close()
    columns = ["phase", "articles", "CPU ms/article", "ms/article", "articles/s"]
    print(f"{engine}, batches of {args.batch}")
    for name, count, cpu_ms, wall_ms, rate in rows:
        print(f"  {name:13s} {count:6d}  {cpu_ms} CPU ms/article  {wall_ms} ms/article  "
              f"{rate} articles/s")
    note = (f"{engine}, one transaction per {args.batch} articles; stored {stats['articles']} "
            f"articles, {stats['versions']} versions, {stats['resolved_links']} of "
            f"{stats['related_links']} related links resolved. Compare CPU ms/article with "
            "the CPU ms per page of `bench/crawl_speed.py`.")
    print("  " + note)
    if args.write_results:
        given = sys.argv[1:] if argv is None else argv
        results.write_results(Path(args.write_results), results.Results(
            title="Article store write cost (`bench/store_speed.py`)",
            command=results.command_line("python bench/store_speed.py",
                                         results.drop_option(given, "--write-results")),
            columns=columns, rows=rows, notes=[note],
            summary=f"{engine}: {rows[0][2]} CPU ms per new article, {rows[1][2]} per new "
                    "version"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
