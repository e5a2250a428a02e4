"""What `newscrawl extract` reads: URLs, files, folders (searched recursively), `-` for stdin
and list files (`-i FILE`, one input a line), expanded into an ordered list of `Input`s."""

from __future__ import annotations

import gzip
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

#: Page files a folder is searched for (also gzip-compressed: `page.html.gz`).
PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
GZIP_MAGIC = b"\x1f\x8b"
STDIN = "-"


class UsageError(ValueError):
    """A mistake on the command line (missing path, empty folder, unreadable list)."""


@dataclass(frozen=True)
class Input:
    """One page to read: `kind` is `url`, `file` or `stdin`; `root` is the folder it was found
    under, whose layout `--out` mirrors. List-file paths are relative to the working folder."""

    kind: str
    source: str
    root: str | None = None

    @property
    def label(self) -> str:
        """How messages name the input."""
        return "<stdin>" if self.kind == "stdin" else self.source


def is_url(text: str) -> bool:
    """An http(s) URL, as opposed to a path."""
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def is_page_file(path: Path) -> bool:
    """A file a folder search picks: *.html, *.htm, gzip-compressed or not (any case)."""
    return path.name.lower().endswith(PAGE_SUFFIXES) and not path.name.startswith(".")


def folder_pages(folder: Path) -> list[Path]:
    """Every page file under `folder`, recursively, in sorted path order (hidden folders too
    are skipped)."""
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).parts
        if any(p.startswith(".") for p in rel[:-1]):
            continue
        if is_page_file(path) and path.is_file():
            found.append(path)
    return sorted(found)


def _expand_one(source: str, origin: str) -> list[Input]:
    """Inputs named by one argument or list line; UsageError for a missing path."""
    if source == STDIN:
        return [Input("stdin", STDIN)]
    if is_url(source):
        return [Input("url", source)]
    path = Path(source).expanduser()
    if path.is_dir():
        try:
            pages = folder_pages(path)
        except OSError as exc:
            raise UsageError(f"cannot list {path}: {exc.strerror or exc}") from None
        if not pages:
            raise UsageError(f"no .html or .htm file in {path} (searched at any depth, .gz "
                             "included)")
        return [Input("file", str(p), str(path)) for p in pages]
    if path.exists():
        return [Input("file", str(path))]
    if "://" in source:
        raise UsageError(f"{origin}not an http(s) URL or a file: {source}")
    raise UsageError(f"{origin}no such file or folder: {source}")


def read_list(name: str) -> list[str]:
    """The inputs of a list file (`-` for stdin): one a line, blank lines and `#` comments
    skipped."""
    try:
        if name == STDIN:
            text = sys.stdin.read()
        else:
            text = Path(name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise UsageError(f"cannot read the input list {name}: {reason}") from None
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def expand(sources: list[str], lists: list[str]) -> tuple[list[Input], int]:
    """The inputs in command-line order (list files after the arguments), and how many
    repeated ones were left out. UsageError for a missing path or an empty folder."""
    if lists.count(STDIN) + sources.count(STDIN) > 1:
        raise UsageError("stdin (-) can be read only once")
    named = [(s, "") for s in sources]
    for name in lists:
        named += [(s, f"{name}: ") for s in read_list(name)]
    if not named:
        raise UsageError("no input: give URLs, files, folders, - (stdin) or -i LIST")
    inputs: list[Input] = []
    seen: set[str] = set()
    repeated = 0
    for source, origin in named:
        for item in _expand_one(source, origin):
            key = item.source if item.kind != "file" else str(Path(item.source).resolve())
            if key in seen:
                repeated += 1
                continue
            seen.add(key)
            inputs.append(item)
    return inputs, repeated


def read_file(path: str, max_bytes: int) -> bytes:
    """A page file's bytes, inflated when gzip-compressed (by content, whatever its name);
    ValueError when it is larger than `max_bytes` once inflated."""
    data = Path(path).read_bytes()
    if data[:2] == GZIP_MAGIC:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                data = fh.read(max_bytes + 1)
        except (OSError, EOFError) as exc:
            raise ValueError(f"broken gzip file: {exc}") from None
    if len(data) > max_bytes:
        raise ValueError(f"larger than {max_bytes} bytes")
    return data

