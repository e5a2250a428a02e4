"""Benchmark of the SQLite crawl state: insert rate, lookups (known/unknown), memory.

    python bench/state_bench.py [--urls 1000000] [--lookups 200000] [--path FILE]

Fills a fresh state with N article URLs the way a crawl does (one upsert per emitted article,
a commit every `--batch` items), then times primary-key lookups of known and unknown URLs.
Resident memory is sampled after every tenth of the inserts: it should stay flat, since the
store keeps nothing per URL in Python memory. `--write-results [FILE]` also writes the figures
to `docs/results/state_bench.md` (or FILE), which the documentation cites.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawl.devtools.results import (  # noqa: E402
    Results,
    command_line,
    drop_option,
    results_path,
    write_results,
)
from newscrawl.incremental.state import SQLiteState  # noqa: E402


def rss_mb() -> float:
    """Current resident set size of this process in MiB (Linux /proc)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def url(i: int) -> str:
    """A plausible article URL, unique per `i`."""
    return f"https://wiadomosci.example.pl/artykul-numer-{i}-tytul-artykulu-6{i:09d}a"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=100, help="items per commit (as a crawl)")
    parser.add_argument("--path", default=None, help="state file (default: a temporary one)")
    parser.add_argument("--write-results", metavar="FILE", nargs="?",
                        const=str(results_path("state_bench")),
                        help="also write the figures to FILE (default docs/results/state_bench.md)")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.path or Path(tmp) / "state.sqlite")
        state = SQLiteState(path)
        samples = [rss_mb()]
        start = time.perf_counter()
        step = max(1, args.urls // 10)
        for i in range(args.urls):
            u = url(i)
            state.record_emitted(u, u, f"{i:040x}", 1, published="2026-01-01T10:00:00+01:00",
                                 lastmod="2026-01-02T10:00:00+01:00")
            if i % args.batch == args.batch - 1:
                state.commit()
            if i % step == step - 1:
                samples.append(rss_mb())
        state.commit()
        insert_s = time.perf_counter() - start

        rng = random.Random(1)
        start = time.perf_counter()
        hits = sum(state.get(url(rng.randrange(args.urls))) is not None
                   for _ in range(args.lookups))
        known_s = time.perf_counter() - start
        start = time.perf_counter()
        misses = sum(state.get(url(args.urls + rng.randrange(args.urls))) is None
                     for _ in range(args.lookups))
        unknown_s = time.perf_counter() - start
        samples.append(rss_mb())
        assert hits == args.lookups and misses == args.lookups
        size_mb = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20
        state.close()

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        ["urls", f"{args.urls:,} (commit every {args.batch})"],
        ["insert", f"{args.urls / insert_s:,.0f} upserts/s ({insert_s:.1f} s)"],
        ["lookup known", f"{args.lookups / known_s:,.0f} lookups/s"],
        ["lookup unknown", f"{args.lookups / unknown_s:,.0f} lookups/s"],
        ["state file", f"{size_mb:,.0f} MiB ({size_mb * 2**20 / args.urls:,.0f} bytes per URL)"],
        ["rss while filling", " ".join(f"{s:.0f}" for s in samples) + " MiB"],
        ["peak rss", f"{peak:.0f} MiB"],
    ]
    for label, value in rows:
        print(f"{label:<20}{value}")
    if args.write_results:
        import sqlite3

        write_results(Path(args.write_results), Results(
            title="Crawl state (`bench/state_bench.py`)",
            command=command_line("python bench/state_bench.py",
                                 drop_option(argv, "--write-results")),
            columns=["figure", "value"], rows=rows,
            notes=[f"SQLite {sqlite3.sqlite_version}, one process, state file on the disk of "
                   "the temporary folder (or `--path`); resident memory sampled every tenth "
                   "of the inserts."]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
