"""Extraction speed on the evaluation corpus: newscrawl vs a bare lxml parse vs trafilatura.

Every page is read once; the three timings are taken on the same bytes in the same run.

    python bench/extract_speed.py --corpus ../shared/corpus [--source zyte] [--limit 300]
        [--step 9] [--no-trafilatura] [--no-compiled] [--write-results [FILE]]

`--step N` times every N-th case (a spread over all sources). `--no-compiled` runs the
pure-Python twin (`newscrawl.extract.treepass_py`) even when the compiled extension
(`newscrawl.extract._treepass`) is built, as on a machine installed without a C compiler. The
checkout's own `newscrawl` is imported, whatever version of the package is installed.
`--write-results` also writes the figures to `docs/results/extract_speed.md` (or FILE), which
the documentation cites.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newscrawl.devtools.evaluate import case_url, load_cases, read_page  # noqa: E402
from newscrawl.devtools.results import (  # noqa: E402
    Results,
    command_line,
    drop_option,
    results_path,
    write_results,
)
from newscrawl.routing import extract_article  # noqa: E402


def _time(fn, *args) -> float:
    start = time.perf_counter()
    try:
        fn(*args)
    except Exception:  # noqa: BLE001 - a failing page still costs its time
        pass
    return time.perf_counter() - start


def _disable_compiled() -> None:
    """Make every layer take its pure-Python path (the fallback of an install without a C
    compiler)."""
    from newscrawl.extract.compiled import use_compiled

    use_compiled(False)


def main(argv: list[str] | None = None) -> int:
    """Time the three extractors per page and print medians, means and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    ap.add_argument("--corpus", type=Path, default=default)
    ap.add_argument("--source", action="append")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--step", type=int, default=1, help="time every N-th case")
    ap.add_argument("--no-trafilatura", action="store_true")
    ap.add_argument("--no-compiled", action="store_true",
                    help="use the pure-Python tree passes")
    ap.add_argument("--write-results", metavar="FILE", nargs="?",
                    const=str(results_path("extract_speed")),
                    help="also write the figures to FILE (default docs/results/extract_speed.md)")
    argv = sys.argv[1:] if argv is None else argv
    args = ap.parse_args(argv)
    if args.no_compiled:
        _disable_compiled()
    if not (args.corpus / "cases.jsonl").exists():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    traf = None
    if not args.no_trafilatura:
        import trafilatura

        def traf(html: bytes, url: str) -> None:
            trafilatura.bare_extraction(html, url=url, with_metadata=True)

    cases = load_cases(args.corpus, args.source)[:: args.step][: args.limit]
    times: dict[str, list[float]] = {"lxml parse": [], "newscrawl": [], "trafilatura": []}
    for case in cases:
        html, url = read_page(args.corpus, case), case_url(case)
        times["lxml parse"].append(_time(lxml.html.fromstring, html))
        times["newscrawl"].append(_time(extract_article, html, url))
        if traf is not None:
            times["trafilatura"].append(_time(traf, html, url))
    print(f"pages: {len(cases)}")
    med, rows = {}, []
    for name, values in times.items():
        if values:
            med[name] = statistics.median(values) * 1000
            mean = statistics.fmean(values) * 1000
            print(f"  {name:<12} median {med[name]:7.2f} ms   mean "
                  f"{mean:7.2f} ms   total {sum(values):7.2f} s")
            rows.append([name, f"{med[name]:.2f} ms", f"{mean:.2f} ms", f"{sum(values):.2f} s"])
    ratios = [("newscrawl / lxml parse", f"{med['newscrawl'] / med['lxml parse']:.2f}x")]
    if "trafilatura" in med:
        ratios += [("trafilatura / newscrawl", f"{med['trafilatura'] / med['newscrawl']:.2f}x"),
                   ("newscrawl / trafilatura", f"{med['newscrawl'] / med['trafilatura']:.2f}")]
    for label, value in ratios:
        print(f"  {label} (median): {value}")
    if args.write_results:
        rows += [[f"{label} (median)", value, "", ""] for label, value in ratios]
        write_results(Path(args.write_results), Results(
            title="Extraction speed (`bench/extract_speed.py`)",
            command=command_line("python bench/extract_speed.py",
                                 drop_option(argv, "--write-results")),
            columns=["figure", "median", "mean", "total"], rows=rows,
            notes=[f"{len(cases)} pages, one process; {_versions(traf is not None)}; "
                   f"tree passes {'pure Python' if args.no_compiled else _pass_kind()}."],
            summary=_summary(med, len(cases))))
    return 0


def _summary(med: dict[str, float], pages: int) -> str:
    """The README's line: median per page, against trafilatura's when it was timed."""
    line = f"median {med['newscrawl']:.2f} ms a page over {pages} pages"
    if "trafilatura" in med:
        line += (f", {med['newscrawl'] / med['trafilatura']:.2f} x trafilatura's "
                 f"({med['trafilatura']:.2f} ms)")
    return line


def _versions(with_trafilatura: bool) -> str:
    """Versions of the libraries timed, for the results file."""
    from importlib.metadata import version

    out = f"lxml {version('lxml')}"
    return out + (f", trafilatura {version('trafilatura')}" if with_trafilatura else "")


def _pass_kind() -> str:
    """Whether the compiled tree passes are built in this checkout."""
    from newscrawl.extract.compiled import BUILT

    return "compiled" if BUILT else "pure Python (extension not built)"


if __name__ == "__main__":
    sys.exit(main())
