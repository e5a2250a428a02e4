"""Results files: the figures a benchmark or `newscrawl evaluate` measured, as small Markdown.

A command that measures something writes `docs/results/<name>.md` itself (command line, date,
machine, then one table of figures), so the documentation points at measured numbers instead of
copies edited by hand. `read_results` parses such a file back (the tests use it). A file
written into a checkout's `docs/results/` also refreshes the README's figures block (between
`README_BEGIN` and `README_END`): one row per results file that has a `summary`.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: The repository checkout this module lives in (the default home of `docs/results/`).
ROOT = Path(__file__).resolve().parents[2]
#: Marker line of every results file, so a reader knows not to edit it by hand.
GENERATED = "<!-- written by the command below; run it again instead of editing this file -->"
_META_KEYS = ("command", "date", "machine")
#: Marker lines around the generated figures block of the README.
README_BEGIN = "<!-- figures: written by the commands below (--write-results); do not edit -->"
README_END = "<!-- figures: end -->"
_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")


@dataclass
class Results:
    """One results file: what was run, when, where, and the figures (a table of strings)."""

    title: str
    command: str
    columns: list[str]
    rows: list[list[str]]
    date: str = ""
    machine: str = ""
    notes: list[str] = field(default_factory=list)
    #: The headline figures in one line (shown in the README's figures block); optional.
    summary: str = ""


def results_path(name: str, root: Path | None = None) -> Path:
    """Where the figures of `name` live: `docs/results/<name>.md` under `root` (the checkout)."""
    return (root or ROOT) / "docs" / "results" / f"{name}.md"


def machine_summary() -> str:
    """Cores, architecture, OS, Python and the load average: enough to judge a timing."""
    try:
        load = f", load average {os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        load = ""
    return (f"{os.cpu_count() or 1} cores ({platform.machine() or 'unknown'}, "
            f"{platform.system() or 'unknown'}), Python {platform.python_version()}{load}")


def _shown_path(token: str, base: Path) -> str:
    """An absolute path shown relative to `base` when it is near, else by its last part only."""
    if not token.startswith("/"):
        return token
    rel = os.path.relpath(token, base)
    return rel if not rel.startswith("../..") else Path(token).name


def command_line(prog: str, args: Iterable[str], base: Path | None = None) -> str:
    """The command as typed in the checkout (`base`), absolute paths made relative to it."""
    base = base or ROOT
    shown = []
    for arg in args:
        name, eq, value = arg.partition("=")
        if eq and name.startswith("-"):
            shown.append(f"{name}={_shown_path(value, base)}")
        else:
            shown.append(_shown_path(arg, base))
    return shlex.join([*shlex.split(prog), *shown])


def drop_option(argv: Sequence[str], option: str) -> list[str]:
    """`argv` without `option` and its value (`--opt FILE`, `--opt=FILE` or a bare `--opt`)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            if not arg.startswith("-"):
                continue
        if arg == option:
            skip = True
        elif not arg.startswith(option + "="):
            out.append(arg)
    return out


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def render(results: Results) -> str:
    """The Markdown text of a results file."""
    lines = [f"# {results.title}", "", GENERATED, "", "| | |", "|---|---|",
             _row(["command", f"`{results.command}`"]), _row(["date", results.date]),
             _row(["machine", results.machine]),
             *([_row(["summary", results.summary])] if results.summary else []), "",
             _row(results.columns), "|" + "---|" * len(results.columns)]
    lines += [_row(r) for r in results.rows]
    if results.notes:
        lines += ["", *results.notes]
    return "\n".join(lines) + "\n"


def write_results(path: Path, results: Results, *, when: dt.datetime | None = None) -> Path:
    """Write `results` to `path` (folders created), filling in the date and machine if empty."""
    if not results.date:
        results.date = (when or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    if not results.machine:
        results.machine = machine_summary()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render(results), encoding="utf-8")
    tmp.replace(path)  # a reader never sees half a file
    if path.parent.name == "results" and path.parent.parent.name == "docs":
        refresh_readme(path.parent.parent.parent)
    return path


def readme_block(folder: Path) -> str:
    """The README's figures block: a row per results file in `folder` that has a summary."""
    lines = [README_BEGIN, "", "| measured | figures | command |", "|---|---|---|"]
    for path in sorted(Path(folder).glob("*.md")):
        try:
            found = read_results(path)
        except ValueError:
            continue
        if found.summary:
            link = f"[{path.stem}](docs/results/{path.name})"
            lines.append(_row([link, f"{found.summary} ({found.date[:10]})",
                               f"`{found.command}`"]))
    return "\n".join([*lines, "", README_END])


def refresh_readme(root: Path) -> bool:
    """Rewrite the figures block of `root`/README.md from `root`/docs/results; False when the
    README has no block (nothing is written then)."""
    readme = Path(root) / "README.md"
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return False
    start, end = text.find(README_BEGIN), text.find(README_END)
    if start < 0 or end < start:
        return False
    block = readme_block(Path(root) / "docs" / "results")
    updated = text[:start] + block + text[end + len(README_END):]
    if updated != text:
        tmp = readme.with_name(readme.name + ".tmp")
        tmp.write_text(updated, encoding="utf-8")
        tmp.replace(readme)
    return True


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    parts, cur, i = [], "", 0
    while i < len(inner):
        if inner[i] == "\\" and inner[i + 1:i + 2] == "|":
            cur, i = cur + "|", i + 2
            continue
        if inner[i] == "|":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += inner[i]
        i += 1
    return [*parts, cur.strip()]


def read_results(path: Path) -> Results:
    """Parse a file written by `write_results` (ValueError when it is not one)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("# "):
        raise ValueError(f"{path}: no title line")
    tables: list[list[list[str]]] = []
    notes: list[str] = []
    current: list[list[str]] | None = None
    for line in lines[1:]:
        if line.startswith("|"):
            if current is None:
                current = []
                tables.append(current)
            if not _SEPARATOR.match(line):
                current.append(_cells(line))
        else:
            current = None
            if line.strip() and line != GENERATED and tables:
                notes.append(line)
    if len(tables) != 2:
        raise ValueError(f"{path}: expected a metadata table and a figures table")
    meta = {row[0]: row[1] for row in tables[0] if len(row) == 2 and row[0]}
    summary = meta.pop("summary", "")
    if set(meta) != set(_META_KEYS):
        raise ValueError(f"{path}: metadata rows {sorted(meta)}, expected {list(_META_KEYS)}")
    columns, *rows = tables[1]
    if any(len(r) != len(columns) for r in rows):
        raise ValueError(f"{path}: a figures row does not have {len(columns)} cells")
    return Results(title=lines[0][2:], command=meta["command"].strip("`"), columns=columns,
                   rows=rows, date=meta["date"], machine=meta["machine"], notes=notes,
                   summary=summary)
