"""Feed exporters: schema-true records, safe CSV, the TXT layout, one write + flush per record."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from newscrawl.crawl.pipelines import schema_errors
from newscrawl.items import ARTICLE_FIELDS, Article, RelatedLink
from newscrawl.output.exporters import (
    TXT_SEPARATOR,
    CsvExporter,
    JsonExporter,
    JsonLinesExporter,
    TxtExporter,
    csv_cell,
    item_to_record,
    split_txt_feed,
)
from newscrawl.output.signals import item_written
from newscrawl.output.textlayout import article_to_text


def _article(i: int = 1, **kw) -> Article:
    values = {"url": f"https://wiadomosci.wp.pl/artykul-{i}", "portal": None, "language": "pl",
              "headline": f"Nagłówek {i}", "lead": "Zajawka.",
              "body": ["Pierwszy akapit, zażółć gęślą jaźń.", "Drugi akapit. (reb)"],
              "authors": ["Jan Kowalski", "Anna Nowak"], "tags": ["NATO", "Rosja"],
              "published": "2001-11-15T11:27:00+01:00", "date_source": "meta",
              "related": [RelatedLink("Rośnie napięcie", "https://wiadomosci.wp.pl/r-1"),
                          RelatedLink("Sondaż", "https://wiadomosci.wp.pl/r-2")],
              "fingerprint": "f" * 40, "word_count": 9}
    values.update(kw)
    return Article(**values)


def _export(cls, items, **kw) -> bytes:
    buf = io.BytesIO()
    exporter = cls(buf, **kw)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return buf.getvalue()


class RecordingFile(io.BytesIO):
    """Counts write and flush calls, and whether every write was followed by a flush."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    def write(self, data) -> int:  # type: ignore[override]
        self.events.append("write")
        return super().write(data)

    def flush(self) -> None:
        self.events.append("flush")
        super().flush()


def test_record_follows_schema_order_and_types() -> None:
    record = item_to_record(_article())
    assert list(record) == list(ARTICLE_FIELDS)
    assert record["related"][0] == {"title": "Rośnie napięcie",
                                    "url": "https://wiadomosci.wp.pl/r-1"}
    assert schema_errors(record) == []


def test_jsonlines_one_line_per_record_valid_against_schema() -> None:
    data = _export(JsonLinesExporter, [_article(1), _article(2)]).decode("utf-8")
    lines = data.splitlines()
    assert len(lines) == 2 and data.endswith("\n")
    records = [json.loads(line) for line in lines]
    assert [r["headline"] for r in records] == ["Nagłówek 1", "Nagłówek 2"]
    assert "zażółć" in lines[0]  # UTF-8, not \u escapes
    assert all(schema_errors(r) == [] for r in records)


@pytest.mark.parametrize("cls", [JsonLinesExporter, CsvExporter, TxtExporter, JsonExporter])
def test_each_record_is_one_write_followed_by_a_flush(cls) -> None:
    f = RecordingFile()
    exporter = cls(f)
    exporter.start_exporting()
    f.events.clear()
    for i in range(3):
        exporter.export_item(_article(i, body=["x" * 20000, "akapit"]))
    assert f.events == ["write", "flush"] * 3


def test_json_is_an_array_and_empty_feed_is_valid() -> None:
    records = json.loads(_export(JsonExporter, [_article(1), _article(2)]))
    assert [r["headline"] for r in records] == ["Nagłówek 1", "Nagłówek 2"]
    assert json.loads(_export(JsonExporter, [])) == []
    pretty = _export(JsonExporter, [_article(1)], indent=2).decode()
    assert '\n  "headline": ' in pretty and json.loads(pretty)[0]["word_count"] == 9


def test_fields_to_export_mapping_renames() -> None:
    fields = {"headline": "title", "url": "link"}
    rows = list(csv.DictReader(io.StringIO(
        _export(CsvExporter, [_article()], fields_to_export=fields).decode())))
    assert rows == [{"title": "Nagłówek 1", "link": "https://wiadomosci.wp.pl/artykul-1"}]
    line = _export(JsonLinesExporter, [_article()], fields_to_export=fields)
    assert json.loads(line) == {"title": "Nagłówek 1", "link": "https://wiadomosci.wp.pl/artykul-1"}


def test_fields_to_export_limits_columns() -> None:
    rows = list(csv.DictReader(io.StringIO(
        _export(CsvExporter, [_article()], fields_to_export=["url", "headline"]).decode())))
    assert list(rows[0]) == ["url", "headline"]
    line = _export(JsonLinesExporter, [_article()], fields_to_export=["headline"])
    assert json.loads(line) == {"headline": "Nagłówek 1"}


# -- CSV ---------------------------------------------------------------------------------------

def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_columns_and_list_joins() -> None:
    rows = _csv_rows(_export(CsvExporter, [_article()]))
    assert list(rows[0]) == list(ARTICLE_FIELDS)
    row = rows[0]
    assert row["body"] == "Pierwszy akapit, zażółć gęślą jaźń.\n\nDrugi akapit. (reb)"
    assert row["authors"] == "Jan Kowalski; Anna Nowak"
    assert row["tags"] == "NATO; Rosja"
    assert row["related"] == ("Rośnie napięcie <https://wiadomosci.wp.pl/r-1>\n"
                              "Sondaż <https://wiadomosci.wp.pl/r-2>")
    assert row["paywalled"] == "false" and row["word_count"] == "9"
    assert row["modified"] == "" and row["section"] == ""


def test_csv_escapes_formula_injection() -> None:
    item = _article(headline='=HYPERLINK("http://x")', lead="+48 600", authors=["@anon"],
                    body=["-1 akapit", "\tcmd", "zwykły"], section="\rx")
    row = _csv_rows(_export(CsvExporter, [item]))[0]
    assert row["headline"] == '\'=HYPERLINK("http://x")'
    assert row["lead"] == "'+48 600"
    assert row["authors"] == "'@anon"
    assert row["body"].startswith("'-1 akapit")
    assert row["section"] == "'\rx"
    assert row["url"] == "https://wiadomosci.wp.pl/artykul-1"


def test_csv_escaping_can_be_switched_off() -> None:
    item = _article(headline="=1+1")
    assert _csv_rows(_export(CsvExporter, [item], escape_formulas=False))[0]["headline"] == "=1+1"
    assert csv_cell("headline", "=1+1") == "'=1+1"
    assert csv_cell("word_count", -3) == "-3"  # numbers are not text cells


def test_csv_bom_option() -> None:
    assert not _export(CsvExporter, [_article()]).startswith(b"\xef\xbb\xbf")
    data = _export(CsvExporter, [_article()], include_bom=True)
    assert data.startswith(b"\xef\xbb\xbfurl,")
    assert data.count(b"\xef\xbb\xbf") == 1


def test_csv_without_header_line() -> None:
    data = _export(CsvExporter, [_article()], include_headers_line=False).decode()
    assert data.startswith("https://wiadomosci.wp.pl/artykul-1,")


def test_csv_settings_reach_the_exporter() -> None:
    crawler = get_crawler(settings_dict={"NEWSCRAWL_CSV_BOM": True,
                                         "NEWSCRAWL_CSV_ESCAPE_FORMULAS": False})
    exporter = CsvExporter.from_crawler(crawler, io.BytesIO())
    assert exporter.include_bom and not exporter.escape_formulas


def test_csv_appending_does_not_repeat_header(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    for i in (1, 2):
        with path.open("ab") as f:
            exporter = CsvExporter(f, include_bom=True)
            exporter.start_exporting()
            exporter.export_item(_article(i))
            exporter.finish_exporting()
    data = path.read_bytes()
    assert data.count(b"\xef\xbb\xbf") == 1
    assert [r["headline"] for r in _csv_rows(data)] == ["Nagłówek 1", "Nagłówek 2"]


# -- TXT ---------------------------------------------------------------------------------------

def test_txt_layout_and_separator() -> None:
    a, b = _article(1), _article(2, related=[])
    text = _export(TxtExporter, [a, b]).decode("utf-8")
    assert text == (article_to_text(a) + "\n" + TXT_SEPARATOR + "\n\n" + article_to_text(b))
    first = text.split("\n")
    assert first[:4] == ["Nagłówek 1", "", "Zajawka.", ""]
    assert "Czytaj także\nRośnie napięcie\nSondaż\n" in text
    assert split_txt_feed(text) == [article_to_text(a), article_to_text(b)]


def test_txt_accepts_dict_items() -> None:
    item = item_to_record(_article())
    assert _export(TxtExporter, [item]).decode() == article_to_text(_article())


# -- the item_written signal -------------------------------------------------------------------

@pytest.mark.parametrize("cls", [JsonLinesExporter, CsvExporter, TxtExporter, JsonExporter])
def test_item_written_is_sent_after_the_record_is_in_the_file(cls, tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"NEWSCRAWL_FEED_FSYNC": True})
    path = tmp_path / "feed.out"
    seen: list[tuple] = []

    def on_written(item, spider, crawler, uri, format):  # noqa: A002
        seen.append((item.headline, uri, format, path.read_bytes().count("Nagłówek".encode())))

    crawler.signals.connect(on_written, signal=item_written)
    with path.open("wb") as f:
        exporter = cls.from_crawler(crawler, f)
        exporter.start_exporting()
        exporter.export_item(_article(1))
        exporter.export_item(_article(2))
        assert seen == [("Nagłówek 1", str(path), cls.format_name, 1),
                        ("Nagłówek 2", str(path), cls.format_name, 2)]
        exporter.finish_exporting()
