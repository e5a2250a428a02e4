"""Feed exporters true to the Article schema: JSON, JSON Lines, CSV (flat, safe) and TXT.

Every exporter writes one record with a single `write()` call, flushes the file after it (and
fsyncs it when `NEWSCRAWL_FEED_FSYNC` is on), then sends `newscrawl.output.signals.item_written`.
A process killed at any moment therefore leaves whole records only: a JSON Lines feed in which
every line parses, a CSV whose rows are complete, a TXT feed whose articles are complete.
(Feeds with Scrapy `postprocessing`, i.e. compression, keep records inside the compressor until
the feed closes; they are whole only after a clean shutdown.)

Formats (registered in `FEED_EXPORTERS` by newscrawl.defaults, through newscrawl.Addon):

* ``json`` – a JSON array, one record per line (pretty-printed when the feed sets `indent`);
* ``jsonlines`` / ``jsonl`` / ``jl`` – one JSON object per line;
* ``csv`` – fixed columns in schema order; see `CsvExporter` for how lists are joined;
* ``txt`` – the seed's plain-text layout (`newscrawl.output.textlayout.article_to_text`), articles
  separated by a blank line, the `TXT_SEPARATOR` line and another blank line.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

from newscrawl.compat import feed_slot_of
from newscrawl.items import ARTICLE_FIELDS, Article, RelatedLink
from newscrawl.output.signals import item_written
from newscrawl.output.textlayout import article_to_text

logger = logging.getLogger(__name__)

#: Line written between two articles of a TXT feed (with a blank line before and after it).
TXT_SEPARATOR = "=" * 72
#: First characters that make a spreadsheet read a CSV cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: How CSV cells join list fields.
CSV_PARAGRAPH_JOIN = "\n\n"
CSV_LIST_JOIN = "; "
CSV_RELATED_JOIN = "\n"


def _plain(value: Any) -> Any:
    """Dataclasses and items (RelatedLink, nested items) as plain dicts/lists, recursively."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def item_to_record(item: Any) -> dict[str, Any]:
    """The item as a plain JSON-ready dict, schema fields first in schema order."""
    if type(item) is Article:  # fast path for the one item type the spiders yield
        record = {name: getattr(item, name) for name in ARTICLE_FIELDS}
        for name in ("body", "authors", "tags"):
            record[name] = list(record[name])
        record["related"] = [_plain(link) for link in item.related]
        return record
    data = ItemAdapter(item).asdict()
    record = {name: _plain(data[name]) for name in ARTICLE_FIELDS if name in data}
    record.update({k: _plain(v) for k, v in data.items() if k not in record})
    return record


def record_to_article(record: dict[str, Any]) -> Article:
    """An Article built back from a record (unknown keys ignored), e.g. for the TXT layout."""
    values = {k: record[k] for k in ARTICLE_FIELDS if k in record}
    values["related"] = [
        r if isinstance(r, RelatedLink) else RelatedLink(title=r["title"], url=r["url"])
        for r in values.get("related") or []
    ]
    values.setdefault("url", "")
    return Article(**values)


def split_txt_feed(text: str) -> list[str]:
    """The articles of a TXT feed, each in `article_to_text` layout (for readers and tests)."""
    parts = text.split(f"\n{TXT_SEPARATOR}\n")
    return [p.strip("\n") + "\n" for p in parts if p.strip()]


class BaseFeedExporter(BaseItemExporter):
    """Base of every newscrawl exporter: one write per record, flush, optional fsync, then the
    `item_written` signal (subclass it for a new format that the incremental state can trust)."""

    format_name = ""

    def __init__(self, file: IO[bytes], **kwargs: Any) -> None:
        self._fsync = bool(kwargs.pop("fsync", False))
        super().__init__(dont_fail=True, **kwargs)
        self.encoding = self.encoding or "utf-8"
        self.file = file
        self.crawler: Any = None
        self._slot: Any = None
        self.items_written = 0

    @classmethod
    def from_crawler(cls, crawler: Any, file: IO[bytes], **kwargs: Any) -> BaseFeedExporter:
        """Build with the crawler's settings; Scrapy's FeedExporter calls this per feed file."""
        kwargs.setdefault("fsync", crawler.settings.getbool("NEWSCRAWL_FEED_FSYNC"))
        cls._settings_kwargs(crawler.settings, kwargs)
        exporter = cls(file, **kwargs)
        exporter.crawler = crawler
        return exporter

    @classmethod
    def _settings_kwargs(cls, settings: Any, kwargs: dict[str, Any]) -> None:
        """Hook for subclasses to read their settings into constructor kwargs."""

    def _record(self, item: Any) -> dict[str, Any]:
        record = item_to_record(item)
        if self.fields_to_export:
            record = {out: record.get(name) for name, out in self._field_names()}
        return record

    def _field_names(self) -> list[tuple[str, str]]:
        """(item field, output name) pairs of the feed's `fields` (a list or a mapping)."""
        chosen = self.fields_to_export or ARTICLE_FIELDS
        if isinstance(chosen, Mapping):
            return [(str(k), str(v)) for k, v in chosen.items()]
        return [(str(k), str(k)) for k in chosen]

    def _write(self, data: str, item: Any | None = None) -> None:
        """Write one whole chunk, flush it to the OS (fsync if asked) and announce the item."""
        self.file.write(data.encode(self.encoding))
        self.file.flush()
        if self._fsync:
            try:
                os.fsync(self.file.fileno())
            except (OSError, AttributeError, io.UnsupportedOperation):
                pass
        if item is not None:
            self.items_written += 1
            self._announce(item)

    def _feed_slot(self) -> Any:
        """The Scrapy FeedSlot writing through this exporter, looked up once."""
        if self._slot is None:
            self._slot = feed_slot_of(self.crawler, self)
        return self._slot

    def feed_uri(self) -> str | None:
        """URI of the feed being written (Scrapy's resolved URI, else the file name)."""
        slot = self._feed_slot()
        if slot is not None:
            return slot.uri
        name = getattr(self.file, "name", None)
        return name if isinstance(name, str) else None

    def _announce(self, item: Any) -> None:
        if self.crawler is None:
            return
        slot = self._feed_slot()
        self.crawler.signals.send_catch_log(
            signal=item_written, item=item, spider=self.crawler.spider, crawler=self.crawler,
            uri=self.feed_uri(), format=slot.format if slot is not None else self.format_name)


class JsonLinesExporter(BaseFeedExporter):
    """One JSON object per line; each line is one write + flush, so no line is ever partial."""

    format_name = "jsonlines"

    def export_item(self, item: Any) -> None:
        """Write the item as one complete line."""
        line = json.dumps(self._record(item), ensure_ascii=False) + "\n"
        self._write(line, item)


class JsonExporter(BaseFeedExporter):
    """A JSON array of records; valid JSON once the feed is closed."""

    format_name = "json"

    def start_exporting(self) -> None:
        """Open the array."""
        self._first = True
        self._write("[")

    def export_item(self, item: Any) -> None:
        """Append one record (one line unless the feed sets `indent`)."""
        indent = self.indent if self.indent else None
        text = json.dumps(self._record(item), ensure_ascii=False, indent=indent)
        self._write(("\n" if self._first else ",\n") + text, item)
        self._first = False

    def finish_exporting(self) -> None:
        """Close the array."""
        self._write("]\n" if self._first else "\n]\n")


def csv_cell(name: str, value: Any, *, escape_formulas: bool = True) -> str:
    """One CSV cell: lists joined (see module constants), None empty, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        if name == "body":
            text = CSV_PARAGRAPH_JOIN.join(str(v) for v in value)
        elif name == "related":
            lines = []
            for link in value:
                link = _plain(link)
                lines.append(f"{link.get('title', '')} <{link.get('url', '')}>")
            text = CSV_RELATED_JOIN.join(lines)
        else:
            text = CSV_LIST_JOIN.join(str(v) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    if escape_formulas and text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return text


class CsvExporter(BaseFeedExporter):
    """Flat CSV: one row per article, columns in schema order.

    `body` paragraphs are joined by a blank line, `authors` and `tags` by `; `, `related` as one
    `title <url>` line per link; booleans are `true`/`false`, missing values empty. A cell that
    begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` so spreadsheets
    do not run it as a formula (`NEWSCRAWL_CSV_ESCAPE_FORMULAS`). `NEWSCRAWL_CSV_BOM` starts the
    file with a UTF-8 byte order mark, which Excel needs to read UTF-8.
    """

    format_name = "csv"

    def __init__(self, file: IO[bytes], **kwargs: Any) -> None:
        self.include_bom = bool(kwargs.pop("include_bom", False))
        self.escape_formulas = bool(kwargs.pop("escape_formulas", True))
        self.include_headers_line = bool(kwargs.pop("include_headers_line", True))
        super().__init__(file, **kwargs)

    @classmethod
    def _settings_kwargs(cls, settings: Any, kwargs: dict[str, Any]) -> None:
        kwargs.setdefault("include_bom", settings.getbool("NEWSCRAWL_CSV_BOM"))
        kwargs.setdefault("escape_formulas",
                          settings.getbool("NEWSCRAWL_CSV_ESCAPE_FORMULAS"))

    @property
    def columns(self) -> list[str]:
        """Column names: the feed's `fields` if set, else every schema field in order."""
        return [name for name, _ in self._field_names()]

    def _row(self, cells: list[str]) -> str:
        buf = io.StringIO()
        csv.writer(buf).writerow(cells)
        return buf.getvalue()

    def start_exporting(self) -> None:
        """BOM (if asked) and the header row, unless appending to a non-empty file."""
        try:
            empty = self.file.tell() == 0
        except (OSError, AttributeError, io.UnsupportedOperation):
            empty = True
        if empty:
            bom = "\ufeff" if self.include_bom and self.encoding.lower().startswith("utf") else ""
            names = [out for _, out in self._field_names()]
            header = self._row(names) if self.include_headers_line else ""
            if bom or header:
                self._write(bom + header)

    def export_item(self, item: Any) -> None:
        """Write the item as one complete row."""
        record = item_to_record(item)
        cells = [csv_cell(c, record.get(c), escape_formulas=self.escape_formulas)
                 for c in self.columns]
        self._write(self._row(cells), item)


class TxtExporter(BaseFeedExporter):
    """The seed's layout, one article after another, separated by the `TXT_SEPARATOR` line."""

    format_name = "txt"

    def start_exporting(self) -> None:
        """Nothing precedes the first article (unless appending to a non-empty file)."""
        try:
            self._first = self.file.tell() == 0
        except (OSError, AttributeError, io.UnsupportedOperation):
            self._first = True

    def export_item(self, item: Any) -> None:
        """Write the article's text block (preceded by the separator after the first)."""
        text = article_to_text(record_to_article(item_to_record(item)))
        prefix = "" if self._first else f"\n{TXT_SEPARATOR}\n\n"
        self._write(prefix + text, item)
        self._first = False
