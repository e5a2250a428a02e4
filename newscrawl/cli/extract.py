"""Extract articles from saved HTML files (a file or every *.html / *.htm in a folder).

Only records true to the Article schema are printed: an input without an article (empty, not
HTML, no headline or no body) gets one line on stderr and exit status 1; the others still print.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter

from newscrawl.extract import ExtractionError
from newscrawl.output.textlayout import article_to_text
from newscrawl.routing import extract_article


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


def _no_article(article: Any) -> str | None:
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


def run(args: argparse.Namespace) -> int:
    """Print one JSON object (or TXT article) per input file holding an article."""
    from newscrawl.portals import get_portal

    path = Path(args.path)
    if not path.exists():
        print(f"newscrawl extract: no such file or folder: {path}", file=sys.stderr)
        return 2
    if args.portal:
        try:
            get_portal(args.portal)
        except KeyError as exc:
            print(f"newscrawl extract: {exc.args[0]}", file=sys.stderr)
            return 2
    try:
        files = _files(path)
    except OSError as exc:
        print(f"newscrawl extract: cannot list {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if not files:
        print(f"newscrawl extract: no .html or .htm file in {path}", file=sys.stderr)
        return 2
    status = 0
    for file in files:
        url = args.url or file.resolve().as_uri()
        try:
            html = file.read_bytes()
        except OSError as exc:
            print(f"newscrawl extract: {file}: cannot read: {exc.strerror or exc}",
                  file=sys.stderr)
            status = 1
            continue
        if not html.strip():
            print(f"newscrawl extract: {file}: empty file", file=sys.stderr)
            status = 1
            continue
        try:
            article = extract_article(html, url, portal=args.portal)
        except ExtractionError as exc:
            print(f"newscrawl extract: {file}: {exc}", file=sys.stderr)
            status = 1
            continue
        problem = _no_article(article)
        if problem:
            print(f"newscrawl extract: {file}: {problem}", file=sys.stderr)
            status = 1
            continue
        if args.format == "txt":
            sys.stdout.write(article_to_text(article))
        else:
            json.dump(ItemAdapter(article).asdict(), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        sys.stdout.flush()
    return status
