"""Peak memory of extracting a generated N-MB page, against a bare lxml parse of the same bytes.

Each measurement runs in a fresh subprocess (peak RSS from `resource.getrusage`), in the same run:

    python bench/extract_memory.py [--mb 10 50] [--kind mixed|dense|text|script]

`mixed` is an article followed by comment markup, scripts and long text; `dense` is tiny
elements only; `text` long paragraphs; `script` inline scripts. The checkout's own `newscrawl`
is imported, whatever version of the package is installed. `--write-results [FILE]` also
writes the figures to `docs/results/extract_memory.md` (or FILE).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newscrawl.devtools.results import (  # noqa: E402
    Results,
    command_line,
    drop_option,
    results_path,
    write_results,
)

PROSE = "Zażółć gęślą jaźń, powiedział minister w czwartek w Łodzi. "
UNITS = {
    "dense": '<div class="c"><a href="/p/1">Czytelnik ąę</a><span>12:00</span></div>\n',
    "text": "<p>" + PROSE * 20 + "</p>\n",
    "script": "<script>window.x = '" + "abcdefgh" * 600 + "';</script>\n",
}
UNITS["mixed"] = UNITS["dense"] * 20 + UNITS["script"][:900] + "';</script>\n" + UNITS["text"]

CHILD = """
import sys
sys.path.insert(0, {root!r})
data = open({path!r}, "rb").read()
if {kind!r} == "lxml":
    import lxml.html
    root = lxml.html.document_fromstring(data)
else:
    from newscrawl.routing import extract_article
    article = extract_article(data, "https://wiadomosci.example.pl/kraj/strona")
"""
#: Runs the measured child and prints its peak RSS (KB). The child is started from this small
#: process, not from the benchmark: a child's peak RSS counts the memory of the process that
#: forked it, and the benchmark holds the generated page.
WRAPPER = ("import resource, subprocess, sys; subprocess.run([sys.executable, '-c', sys.argv[1]], "
           "check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def page(mb: int, kind: str) -> bytes:
    """An article page padded to `mb` megabytes with `kind` furniture."""
    head = ("<!DOCTYPE html><html lang='pl'><head><meta charset='utf-8'><title>Strona</title>"
            "</head><body><article><h1>Strona</h1>" + f"<p>{PROSE * 3}</p>" * 6 + "</article>")
    unit = UNITS[kind]
    return (head + unit * (mb * 1024 * 1024 // len(unit.encode())) + "</body></html>").encode()


def peak_mb(path: Path, kind: str) -> float:
    """Peak RSS (MB) of a fresh interpreter that reads `path` and parses or extracts it."""
    code = CHILD.format(root=str(ROOT), path=str(path), kind=kind)
    out = subprocess.run([sys.executable, "-c", WRAPPER, code], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.split()[-1]) / 1024


def main(argv: list[str] | None = None) -> None:
    """Print one line per page size: newscrawl's and lxml's peak RSS."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, nargs="+", default=[1, 10, 50])
    ap.add_argument("--kind", choices=sorted(UNITS), default="mixed")
    ap.add_argument("--write-results", metavar="FILE", nargs="?",
                    const=str(results_path("extract_memory")),
                    help="also write the figures to FILE (default docs/results/extract_memory.md)")
    argv = sys.argv[1:] if argv is None else argv
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mb in args.mb:
            path = Path(tmp) / f"page-{mb}.html"
            path.write_bytes(page(mb, args.kind))
            ours, ref = peak_mb(path, "newscrawl"), peak_mb(path, "lxml")
            print(f"{mb:4d} MB {args.kind:6s}  newscrawl peak {ours:7.1f} MB   "
                  f"lxml parse peak {ref:7.1f} MB   ratio {ours / ref:5.2f}")
            rows.append([f"{mb} MB", args.kind, f"{ours:.1f} MB", f"{ref:.1f} MB",
                         f"{ours / ref:.2f}"])
    if args.write_results:
        write_results(Path(args.write_results), Results(
            title="Extraction memory (`bench/extract_memory.py`)",
            command=command_line("python bench/extract_memory.py",
                                 drop_option(argv, "--write-results")),
            columns=["page", "kind", "newscrawl peak RSS", "lxml parse peak RSS", "ratio"],
            rows=rows, notes=["Each figure from a fresh interpreter (peak RSS of the child)."]))


if __name__ == "__main__":
    main()
