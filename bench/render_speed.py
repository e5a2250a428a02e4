"""Rendered vs plain article pages per second, on the miniature portal served on 127.0.0.1.

    python bench/render_speed.py [--site fixtures/portal] [--spider wp] [--repeat 3]

Runs the same `scrapy crawl` twice per round, with rendering off (server HTML over plain HTTP)
and on (every article page through Chromium, third-party hosts and heavy resources blocked),
and prints articles per second from Scrapy's own `elapsed_time_seconds` (the browser's start
included, the interpreter's start not), browser-seconds per rendered page, and the ratio.
Politeness delays are switched off: this measures the machinery, not a portal.
`--write-results [FILE]` also writes the figures to `docs/results/render_speed.md` (or FILE).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawl.devtools.portal_server import PortalServer  # noqa: E402
from newscrawl.devtools.results import (  # noqa: E402
    Results,
    command_line,
    drop_option,
    results_path,
    write_results,
)

FAST = ["AUTOTHROTTLE_ENABLED=0", "DOWNLOAD_DELAY=0", "LOG_LEVEL=INFO", "RETRY_BACKOFF_BASE=0",
        "NEWSCRAWL_PROGRESS_INTERVAL=0", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "HTTPCACHE_ENABLED=0"]


def stat(log: str, key: str) -> float:
    """A number from the stats dump at the end of a crawl log (0 when absent)."""
    m = re.search(rf"'{re.escape(key)}': ([\d.]+)", log)
    return float(m.group(1)) if m else 0.0


def crawl(site: Path, spider: str, render: bool, extra: list[str]) -> dict[str, float]:
    """One crawl of the served site; articles, seconds and render counters."""
    with tempfile.TemporaryDirectory() as tmp, PortalServer(site) as server:
        out = Path(tmp) / "out.jsonl"
        cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"base_url={server.url}",
               "-O", str(out)]
        for setting in [*FAST, f"NEWSCRAWL_RENDER_ENABLED={int(render)}", *extra]:
            cmd += ["-s", setting]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            sys.exit(proc.stderr[-3000:])
        items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    log = proc.stderr
    return {"articles": len(items), "seconds": stat(log, "elapsed_time_seconds"),
            "rendered": stat(log, "newscrawl/render/pages"),
            "render_seconds": stat(log, "newscrawl/render/seconds"),
            "related": sum(len(i.get("related") or []) for i in items)}


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "fixtures" / "portal")
    parser.add_argument("--spider", default="wp")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra Scrapy setting for both runs (e.g. "
                             "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT=8)")
    parser.add_argument("--write-results", metavar="FILE", nargs="?",
                        const=str(results_path("render_speed")),
                        help="also write the figures to FILE "
                             "(default docs/results/render_speed.md)")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    rates: dict[str, list[float]] = {"plain": [], "rendered": []}
    last: dict[str, dict[str, float]] = {}
    for _ in range(args.repeat):
        for mode in ("plain", "rendered"):
            result = crawl(args.site, args.spider, mode == "rendered", args.set)
            rates[mode].append(result["articles"] / result["seconds"])
            last[mode] = result
    plain, rendered = (statistics.median(rates[m]) for m in ("plain", "rendered"))
    try:
        site = args.site.resolve().relative_to(ROOT)
    except ValueError:
        site = args.site.name
    print(f"site {site}, spider {args.spider}, median of {args.repeat} rounds")
    rows = []
    for mode in ("plain", "rendered"):
        r = last[mode]
        per_page = r["render_seconds"] / r["rendered"] if r["rendered"] else 0.0
        notes = (f"{r['articles']:.0f} articles, {r['seconds']:.2f} s, {r['rendered']:.0f} "
                 f"rendered, {per_page:.2f} browser-s/page, {r['related']:.0f} related links")
        print(f"  {mode:8s} {statistics.median(rates[mode]):7.1f} articles/s  ({notes})")
        rows.append([mode, f"{statistics.median(rates[mode]):.1f}", notes])
    print(f"  plain/rendered ratio: {plain / rendered:.1f}x")
    rows.append(["plain / rendered", f"{plain / rendered:.1f}x", ""])
    if args.write_results:
        write_results(Path(args.write_results), Results(
            title="Rendering (`bench/render_speed.py`)",
            command=command_line("python bench/render_speed.py",
                                 drop_option(argv, "--write-results")),
            columns=["mode", "articles/s", "last round"], rows=rows,
            notes=[f"site {site}, spider {args.spider}, median of {args.repeat} rounds; "
                   "browser start included, politeness delays off."]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
