"""Where `newscrawl extract` writes: stdout, or one file per input under `--out`, through the
feed exporters (same records, columns, CSV escaping and TXT layout as a crawl's feeds)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from newscrawl import defaults
from newscrawl.cli.extracting.inputs import Input
from newscrawl.output.exporters import (
    CsvExporter,
    JsonExporter,
    JsonLinesExporter,
    TxtExporter,
    item_to_record,
)

#: `--format` name → (exporter class, file extension).
FORMATS: dict[str, tuple[type, str]] = {
    "json": (JsonExporter, "json"),
    "jsonl": (JsonLinesExporter, "jsonl"),
    "csv": (CsvExporter, "csv"),
    "txt": (TxtExporter, "txt"),
}
_UNSAFE = re.compile(r"[^\w.-]+")
_PAGE_SUFFIX = re.compile(r"\.(html?)(\.gz)?$", re.IGNORECASE)


class Stream:
    """Articles in one format to one binary file; `single` JSON is one object, not an array
    (one input, or one file per input), as a reader of a single page expects."""

    def __init__(self, file: IO[bytes], fmt: str, *, single: bool = False) -> None:
        self.file = file
        self.single_json = fmt == "json" and single
        self.exporter: Any = None
        if not self.single_json:
            cls = FORMATS[fmt][0]
            kwargs: dict[str, Any] = {}
            if cls is CsvExporter:
                kwargs = {"include_bom": defaults.NEWSCRAWL_CSV_BOM,
                          "escape_formulas": defaults.NEWSCRAWL_CSV_ESCAPE_FORMULAS}
            self.exporter = cls(file, **kwargs)
            self.exporter.start_exporting()

    def write(self, article: Any) -> None:
        """Write one article whole and flush it."""
        if self.single_json:
            text = json.dumps(item_to_record(article), ensure_ascii=False, indent=2) + "\n"
            self.file.write(text.encode("utf-8"))
            self.file.flush()
        else:
            self.exporter.export_item(article)

    def close(self) -> None:
        """End the format (the JSON array's bracket); the file itself stays open."""
        if self.exporter is not None:
            self.exporter.finish_exporting()
        self.file.flush()


def _slug(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("._") or "index"


def relative_name(item: Input) -> Path:
    """The input's output path under `--out`, without extension: a folder's pages keep their
    sub-folders, a URL becomes `host/path`, stdin `stdin`."""
    if item.kind == "stdin":
        return Path("stdin")
    if item.kind == "url":
        parts = urlsplit(item.source)
        segments = [_slug(s) for s in parts.path.split("/") if s] or ["index"]
        segments[-1] = _PAGE_SUFFIX.sub("", segments[-1]) or "index"
        if parts.query:
            digest = hashlib.sha1(parts.query.encode()).hexdigest()[:8]
            segments[-1] += f"_{digest}"
        return Path(_slug(parts.netloc), *segments)
    path = Path(item.source)
    rel = path.relative_to(item.root) if item.root else Path(path.name)
    return rel.with_name(_PAGE_SUFFIX.sub("", rel.name) or "page")


class FolderOutput:
    """One file per input under `folder`, named by `relative_name` (a `-2`, `-3`... suffix
    when two inputs would share a name)."""

    def __init__(self, folder: Path, fmt: str) -> None:
        self.folder = folder
        self.fmt = fmt
        self.used: set[Path] = set()

    def target(self, item: Input) -> Path:
        """A fresh path for the input's file."""
        ext = FORMATS[self.fmt][1]
        base = self.folder / relative_name(item)
        path, n = base.with_name(f"{base.name}.{ext}"), 1
        while path in self.used:
            n += 1
            path = base.with_name(f"{base.name}-{n}.{ext}")
        self.used.add(path)
        return path

    def write(self, item: Input, article: Any) -> Path:
        """Write the input's article to its own file; OSError when it cannot be written."""
        path = self.target(item)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            stream = Stream(fh, self.fmt, single=True)
            stream.write(article)
            stream.close()
        return path
