"""The validation checks compiled from the Article JSON Schema give jsonschema's verdicts."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from newscrawl.crawl.pipelines import (
    UnsupportedSchema,
    _validator,
    article_schema,
    compile_schema,
    record_is_valid,
    schema_errors,
)
from newscrawl.items import Article, RelatedLink
from newscrawl.output.exporters import item_to_record

URL = "https://wiadomosci.wp.pl/iwanow-nowa-wspolpraca-z-nato-6029836a"


def _full_record() -> dict[str, Any]:
    article = Article(
        url=URL, canonical_url=URL, portal="wp", language="pl", headline="Nagłówek",
        lead="Lead.", body=["Pierwszy akapit.", "Drugi akapit."], authors=["Jan Kowalski"],
        published="2024-06-01T12:00:00+02:00", published_raw="1 czerwca 2024",
        modified="2024-06-01T13:30:00.5Z", date_source="jsonld", section="Świat",
        tags=["NATO", ""], image="https://example.com/a.jpg",
        related=[RelatedLink(title="Inny", url="https://wiadomosci.wp.pl/inny-1")],
        paywalled=False, fetched_at="2024-06-01T14:00:00+00:00", fingerprint="ab" * 20,
        word_count=4,
    )
    return item_to_record(article)


def _valid_records() -> list[dict[str, Any]]:
    minimal = {"url": "u", "headline": "h", "body": ["b"], "authors": [], "tags": [],
               "related": []}
    nulls = dict(_full_record(), canonical_url=None, portal=None, language=None, lead=None,
                 published=None, modified=None, date_source=None, section=None, image=None,
                 fetched_at=None, fingerprint=None)
    return [_full_record(), minimal, nulls,
            dict(minimal, version=1, updated=True, word_count=0),
            dict(minimal, word_count=3.0),  # an integral float is an integer in JSON Schema
            dict(minimal, date_source="sitemap", published="2024-02-29T00:00:00Z")]


#: For every field, values the schema rejects (wrong type first, then the field's own rules).
WRONG: dict[str, list[Any]] = {
    "url": [None, 1, ""], "canonical_url": [1, ["x"]], "portal": [False], "language": [{}],
    "headline": [None, "", 3], "lead": [1.5], "body": [None, [], [""], ["ok", 1], "text"],
    "authors": [None, [""], [None], "Jan"], "published": [
        1, "2024-06-01", "2024-06-01 12:00:00+02:00", "2024-06-01T12:00:00",
        "x2024-06-01T12:00:00Z"],
    "published_raw": [3], "modified": [5, "yesterday", "2024-06-01T12:00:00+0200"],
    "date_source": ["guess", 1, True, ""], "section": [[]], "tags": [None, [1], "a"],
    "image": [0], "related": [None, {}, [{"title": "t"}], [{"url": "u"}],
                              [{"title": "", "url": "u"}], [{"title": "t", "url": ""}],
                              [{"title": "t", "url": "u", "x": 1}], ["https://a"],
                              [{"title": 1, "url": "u"}]],
    "paywalled": [None, 1, "true"], "fetched_at": [1], "fingerprint": [1],
    "word_count": [None, -1, 1.5, True, "3"], "version": [0, 1.2, False, None],
    "updated": [1, None, "yes"],
}


def _invalid_records() -> list[dict[str, Any]]:
    records = []
    for field, values in WRONG.items():
        for value in values:
            records.append(dict(_full_record(), **{field: value}))
    for field in article_schema()["required"]:
        record = _full_record()
        del record[field]
        records.append(record)
    records.append(dict(_full_record(), extra="not in the schema"))
    return records


def test_every_schema_property_is_tried_wrong() -> None:
    assert set(WRONG) == set(article_schema()["properties"])


@pytest.mark.parametrize("record", _valid_records())
def test_fast_checks_accept_what_jsonschema_accepts(record: dict[str, Any]) -> None:
    assert schema_errors(record) == []
    assert record_is_valid(record) is True


@pytest.mark.parametrize("record", _invalid_records())
def test_fast_checks_reject_what_jsonschema_rejects(record: dict[str, Any]) -> None:
    assert schema_errors(record) != []
    assert record_is_valid(record) is False


@pytest.mark.parametrize("published", ["2024-13-45T12:00:00+02:00", "2024-02-30T00:00:00Z",
                                       "2024-06-01T24:61:00Z", "2023-02-28T23:59:59.999+14:00"])
def test_date_time_format_verdicts_agree(published: str) -> None:
    """The `format` is checked by jsonschema's own FormatChecker (rfc3339-validator if present)."""
    record = dict(_full_record(), published=published)
    assert record_is_valid(record) is (schema_errors(record) == [])


def test_non_object_records_are_rejected_by_both() -> None:
    for value in (None, [], "x", 1):
        assert bool(schema_errors(value)) is not record_is_valid(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("schema", [
    {"oneOf": [{"type": "string"}]},
    {"type": "tuple"},
    {"enum": [1, 2]},
    {"items": [{"type": "string"}]},
    {"properties": {"a": {"$ref": "#/x"}}},
    {"additionalProperties": {"type": "string"}},
])
def test_keywords_outside_the_subset_are_refused(schema: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedSchema):
        compile_schema(schema)


def test_compiled_checks_follow_a_changed_schema() -> None:
    schema = copy.deepcopy(article_schema())
    schema["properties"]["headline"]["minLength"] = 10
    check = compile_schema(schema, _validator().format_checker)
    assert check(_full_record()) is False
    assert check(dict(_full_record(), headline="Dziesięć liter i więcej")) is True


def test_record_is_valid_falls_back_to_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    import newscrawl.crawl.pipelines as pipelines

    monkeypatch.setattr(pipelines, "_fast_check", lambda: None)
    assert pipelines.record_is_valid(_full_record()) is True
    assert pipelines.record_is_valid(dict(_full_record(), url="")) is False
