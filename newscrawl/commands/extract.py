"""Extract articles from saved HTML files (a file or every *.html / *.htm in a folder)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from itemadapter import ItemAdapter

from newscrawl.extract import ExtractionError, extract_article
from newscrawl.textlayout import article_to_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `newscrawl extract`."""
    parser.add_argument("path", help="an HTML file, or a folder of them")
    parser.add_argument("--url", default=None,
                        help="URL the page was published at (selects the portal parser)")
    parser.add_argument("--portal", default=None, help="force a portal module by name")
    parser.add_argument("--format", choices=("json", "txt"), default="json")


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in (".html", ".htm"))
    return [path]


def run(args: argparse.Namespace) -> int:
    """Print one JSON object (or TXT article) per input file."""
    path = Path(args.path)
    if not path.exists():
        print(f"newscrawl extract: no such file or folder: {path}", file=sys.stderr)
        return 2
    status = 0
    for file in _files(path):
        url = args.url or file.resolve().as_uri()
        try:
            article = extract_article(file.read_bytes(), url, portal=args.portal)
        except ExtractionError as exc:
            print(f"newscrawl extract: {file}: {exc}", file=sys.stderr)
            status = 1
            continue
        if args.format == "txt":
            sys.stdout.write(article_to_text(article))
        else:
            json.dump(ItemAdapter(article).asdict(), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
    return status
