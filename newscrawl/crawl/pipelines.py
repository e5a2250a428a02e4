"""Item pipelines, in the order they run (numbers as wired in newscrawl.defaults.ITEM_PIPELINES).

The article's text (clean fields, no boilerplate paragraphs, `word_count`, `fingerprint`) is
defined once, in `newscrawl.extract.finish`, and given by extraction itself; the pipelines keep
what depends on the crawl: its settings, date normalisation, related-link URLs, validation and
deduplication.

=====  ==========================  ===================================  ==========================
order  pipeline                    what it guarantees                   switch
=====  ==========================  ===================================  ==========================
100    NormalisePipeline           the text definition with the         NEWSCRAWL_NORMALISE_ENABLED
                                   crawl's extra boilerplate patterns,
                                   and for items not from extraction
200    DatesPipeline               ISO 8601 dates with offset, raw      NEWSCRAWL_DATES_ENABLED
                                   string kept, date_source set
300    RelatedLinksPipeline        related links absolute, deduped,     NEWSCRAWL_RELATED_ENABLED
                                   no self-links
400    ValidatePipeline            headline + body present, record      NEWSCRAWL_VALIDATE_ENABLED
                                   valid against the JSON Schema
500    DuplicatesPipeline          one article per canonical URL and    NEWSCRAWL_DUPLICATES_ENABLED
                                   per content fingerprint per crawl
=====  ==========================  ===================================  ==========================

Each pipeline works on any item type through ItemAdapter (the spiders yield `Article`s) and is
built by `from_crawler`; a disabled one raises NotConfigured and Scrapy leaves it out.
Dropped items are counted in the stats as `newscrawl/dropped/<reason>`, duplicates as
`newscrawl/duplicates/url` and `newscrawl/duplicates/fingerprint`.
"""

from __future__ import annotations

import json
import logging
import numbers
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from newscrawl.crawl.keyset import KeySet
from newscrawl.extract.finish import boilerplate_matcher, fingerprint, finish, is_boilerplate
from newscrawl.extract.text import clean_text, norm_key
from newscrawl.items import Article, RelatedLink
from newscrawl.output.exporters import item_to_record
from newscrawl.urls import canonical_url, clean_url, is_http_url

__all__ = ["DatesPipeline", "DuplicatesPipeline", "NormalisePipeline", "RelatedLinksPipeline",
           "UnsupportedSchema", "ValidatePipeline", "article_schema", "compile_schema",
           "fingerprint", "record_is_valid", "schema_errors"]

logger = logging.getLogger(__name__)


class _Pipeline:
    """Base: switched off by its `enabled_setting`, holds the crawler for stats and settings."""

    enabled_setting = ""

    def __init__(self, crawler: Any = None) -> None:
        self.crawler = crawler
        self.stats = getattr(crawler, "stats", None)
        self.settings = getattr(crawler, "settings", None)

    @classmethod
    def from_crawler(cls, crawler: Any) -> _Pipeline:
        """Build from the crawler; NotConfigured (pipeline skipped) when switched off."""
        if cls.enabled_setting and not crawler.settings.getbool(cls.enabled_setting, True):
            raise NotConfigured(f"{cls.enabled_setting} is off")
        return cls(crawler)

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)


class NormalisePipeline(_Pipeline):
    """The article text definition (`newscrawl.extract.finish`) for what extraction did not give:
    the crawl's NEWSCRAWL_BOILERPLATE_PATTERNS, and items built without `extract_article`.

    An item with a `fingerprint` came from extraction and already holds the text definition, so
    it is left as it is unless extra patterns are set; an item without one (a spider's own) is
    given the whole definition: clean fields, body, `word_count` and `fingerprint`.
    """

    enabled_setting = "NEWSCRAWL_NORMALISE_ENABLED"

    def __init__(self, crawler: Any = None, extra_patterns: list[str] | None = None) -> None:
        super().__init__(crawler)
        extra = list(extra_patterns or [])
        if self.settings is not None:
            extra += self.settings.getlist("NEWSCRAWL_BOILERPLATE_PATTERNS")
        self.extra_patterns: tuple[str, ...] = tuple(extra)
        boilerplate_matcher(self.extra_patterns)  # a bad pattern fails here, at start-up

    def is_boilerplate(self, paragraph: str) -> bool:
        """True for a paragraph that is page furniture (share prompts, "Czytaj także: ...")."""
        return is_boilerplate(paragraph, self.extra_patterns)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Give the item the text definition with the extra patterns, in place, when needed."""
        if self.extra_patterns or not ItemAdapter(item).get("fingerprint"):
            finish(item, self.extra_patterns)
        return item


def _link_title(link: Any) -> str:
    return (link.get("title") if isinstance(link, dict) else getattr(link, "title", "")) or ""


def _link_url(link: Any) -> str:
    return (link.get("url") if isinstance(link, dict) else getattr(link, "url", "")) or ""


_ISO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")


def _fetched(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.now(UTC)


class DatesPipeline(_Pipeline):
    """`published` / `modified` as ISO 8601 with offset (parsed with newscrawl.extract.dates when
    a portal parser returned anything else), `published_raw` kept, `date_source` set."""

    enabled_setting = "NEWSCRAWL_DATES_ENABLED"

    def _iso(self, value: Any, a: ItemAdapter, fetched_at: datetime) -> str | None:
        from newscrawl.extract.dates import parse_date, plausible, to_iso

        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            if value.tzinfo is None:
                from newscrawl.extract.dates import zone_for

                value = value.replace(tzinfo=zone_for(self._timezone(a), a.get("language")))
            return to_iso(value)
        text = clean_text(str(value))
        if _ISO_OFFSET.match(text):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return to_iso(moment) if plausible(moment, fetched_at) else None
        parsed = parse_date(text, fetched_at=fetched_at, timezone=self._timezone(a),
                            language=a.get("language"))
        return to_iso(parsed)

    @staticmethod
    def _timezone(a: ItemAdapter) -> str | None:
        from newscrawl.portals import PORTALS

        spec = PORTALS.get(a.get("portal") or "")
        return spec.timezone if spec is not None else None

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Normalise the dates in place; an unparseable date becomes None, its raw text kept."""
        a = ItemAdapter(item)
        fetched_at = _fetched(a.get("fetched_at"))
        if isinstance(a.get("fetched_at"), datetime):
            a["fetched_at"] = fetched_at.isoformat(timespec="seconds")
        raw = a.get("published")
        published = self._iso(raw, a, fetched_at)
        if raw not in (None, "") and not a.get("published_raw"):
            a["published_raw"] = raw.isoformat() if isinstance(raw, datetime) else str(raw)
        a["published"] = published
        if "modified" in a:
            a["modified"] = self._iso(a.get("modified"), a, fetched_at)
        if published is None:
            if a.get("published_raw"):
                self._inc("newscrawl/dates/unparsed")
            a["date_source"] = None
        elif not a.get("date_source"):
            a["date_source"] = "portal" if a.get("portal") else "text"
        return item


class RelatedLinksPipeline(_Pipeline):
    """Related links: absolute, tracking-free, one per canonical URL and per title, in page
    order; links without a title, non-HTTP links and links to the article itself removed."""

    enabled_setting = "NEWSCRAWL_RELATED_ENABLED"

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Rewrite the item's `related` list in place."""
        a = ItemAdapter(item)
        links = a.get("related") or []
        if not links:  # nothing to rewrite: no URL work at all
            a["related"] = []
            return item
        base = a.get("url") or ""
        own = {canonical_url(u, base) for u in (a.get("url"), a.get("canonical_url")) if u}
        seen_urls: set[str] = set()
        seen_titles: set[str] = set()
        out: list[Any] = []
        as_dataclass = isinstance(item, Article)
        for link in links:
            title = clean_text(_link_title(link))
            raw_url = _link_url(link).strip()
            if not title or not raw_url or raw_url.startswith("#"):
                continue
            url = clean_url(raw_url, base)
            if not is_http_url(url):
                continue
            key, tkey = canonical_url(url), norm_key(title)
            if key in own or key in seen_urls or tkey in seen_titles:
                continue
            seen_urls.add(key)
            seen_titles.add(tkey)
            out.append(RelatedLink(title=title, url=url) if as_dataclass
                       else {"title": title, "url": url})
        a["related"] = out
        return item


@lru_cache(maxsize=1)
def article_schema() -> dict[str, Any]:
    """The published Article JSON Schema (newscrawl/schema/article.schema.json)."""
    text = resources.files("newscrawl").joinpath("schema/article.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    checker = Draft202012Validator.FORMAT_CHECKER
    return Draft202012Validator(article_schema(), format_checker=checker)


def schema_errors(record: dict[str, Any]) -> list[Any]:
    """jsonschema errors of a plain record against the Article schema (empty when valid)."""
    return sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path))


Check = Callable[[Any], bool]


class UnsupportedSchema(ValueError):
    """The schema uses a keyword the fast checks do not implement (full jsonschema is used)."""


def _is_integer(v: Any) -> bool:
    return not isinstance(v, bool) and (isinstance(v, int)
                                        or (isinstance(v, float) and v.is_integer()))


def _is_number(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, numbers.Number)


# Draft 2020-12 types as jsonschema's default type checker defines them.
_TYPE_CHECKS: dict[str, Check] = {
    "string": lambda v: isinstance(v, str), "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool), "integer": _is_integer, "number": _is_number,
    "array": lambda v: isinstance(v, list), "object": lambda v: isinstance(v, dict),
}
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default",
                          "examples"})


def compile_schema(schema: dict[str, Any], format_checker: Any = None) -> Check:
    """One predicate for the subset of JSON Schema the Article schema uses, built once; raises
    UnsupportedSchema for any other keyword. Formats are checked by `format_checker`."""
    checks: list[Check] = []
    unknown = set(schema) - _ANNOTATIONS - {
        "type", "enum", "minLength", "pattern", "format", "minimum", "items", "minItems",
        "required", "properties", "additionalProperties"}
    if unknown:
        raise UnsupportedSchema(f"keywords not compiled: {sorted(unknown)}")
    if "type" in schema:
        names = [schema["type"]] if isinstance(schema["type"], str) else list(schema["type"])
        if not set(names) <= set(_TYPE_CHECKS):
            raise UnsupportedSchema(f"type {names!r}")
        checks.append(_any_of(tuple(_TYPE_CHECKS[n] for n in names)))
    if "enum" in schema:
        if not all(e is None or isinstance(e, str) for e in schema["enum"]):
            raise UnsupportedSchema("enum with values other than strings and null")
        allowed = frozenset(schema["enum"])
        checks.append(lambda v: (v is None or isinstance(v, str)) and v in allowed)
    if "minLength" in schema:
        min_length = schema["minLength"]
        checks.append(lambda v: not isinstance(v, str) or len(v) >= min_length)
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search
        checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
    if "format" in schema and format_checker is not None:
        fmt, conforms = schema["format"], format_checker.conforms
        checks.append(lambda v: conforms(v, fmt))
    if "minimum" in schema:
        minimum = schema["minimum"]
        checks.append(lambda v: not _is_number(v) or v >= minimum)
    if "minItems" in schema:
        min_items = schema["minItems"]
        checks.append(lambda v: not isinstance(v, list) or len(v) >= min_items)
    if "items" in schema:
        if not isinstance(schema["items"], dict):
            raise UnsupportedSchema("items that is not one schema")
        checks.append(_items_check(schema["items"], format_checker))
    checks.extend(_object_checks(schema, format_checker))
    return _all_of(tuple(checks))


def _any_of(checks: tuple[Check, ...]) -> Check:
    if len(checks) == 1:
        return checks[0]

    def any_ok(v: Any) -> bool:
        for check in checks:
            if check(v):
                return True
        return False

    return any_ok


def _all_of(checks: tuple[Check, ...]) -> Check:
    if len(checks) == 1:
        return checks[0]

    def all_ok(v: Any) -> bool:
        for check in checks:
            if not check(v):
                return False
        return True

    return all_ok


def _items_check(sub: dict[str, Any], format_checker: Any) -> Check:
    if sub.get("type") == "string" and set(sub) - _ANNOTATIONS <= {"type", "minLength"}:
        min_length = sub.get("minLength", 0)

        def strings_ok(v: Any) -> bool:  # the common case, one loop: arrays of strings
            if isinstance(v, list):
                for x in v:
                    if not isinstance(x, str) or len(x) < min_length:
                        return False
            return True

        return strings_ok
    item_ok = compile_schema(sub, format_checker)

    def items_ok(v: Any) -> bool:
        if isinstance(v, list):
            for x in v:
                if not item_ok(x):
                    return False
        return True

    return items_ok


def _object_checks(schema: dict[str, Any], format_checker: Any) -> list[Check]:
    checks: list[Check] = []
    if "required" in schema:
        required = tuple(schema["required"])
        checks.append(lambda v: not isinstance(v, dict) or all(k in v for k in required))
    props = {k: compile_schema(sub, format_checker)
             for k, sub in schema.get("properties", {}).items()}
    extra = schema.get("additionalProperties", True)
    if extra not in (True, False):
        raise UnsupportedSchema("additionalProperties that is not a boolean")
    if props or extra is False:
        closed = extra is False

        def object_ok(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for key, value in v.items():
                check = props.get(key)
                if check is None:
                    if closed:
                        return False
                elif not check(value):
                    return False
            return True

        checks.append(object_ok)
    return checks


@lru_cache(maxsize=1)
def _fast_check() -> Check | None:
    try:
        return compile_schema(article_schema(), _validator().format_checker)
    except UnsupportedSchema as exc:  # the schema grew a keyword: full validation only
        logger.debug("Article schema validated by jsonschema alone: %s", exc)
        return None


def record_is_valid(record: dict[str, Any]) -> bool:
    """True when the record is valid against the Article schema: the checks compiled from the
    schema once (microseconds), or full jsonschema validation where they cannot be built."""
    check = _fast_check()
    if check is None:
        return not schema_errors(record)
    return check(record)


class ValidatePipeline(_Pipeline):
    """Drop items without headline or body, and items the JSON Schema rejects.

    Reasons: `no_headline`, `no_body`, `invalid_<field>`; counted as `newscrawl/dropped/<reason>`
    and logged once per reason at WARNING (later drops at DEBUG).
    """

    enabled_setting = "NEWSCRAWL_VALIDATE_ENABLED"

    def __init__(self, crawler: Any = None) -> None:
        super().__init__(crawler)
        self._logged: set[str] = set()

    def _drop(self, reason: str, detail: str, a: ItemAdapter) -> DropItem:
        self._inc(f"newscrawl/dropped/{reason}")
        message = f"dropped ({reason}): {detail} <{a.get('url')}>"
        if reason not in self._logged:
            self._logged.add(reason)
            logger.warning("%s (further drops for this reason are logged at DEBUG)", message)
        return DropItem(message, log_level="DEBUG")

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Return the item when valid; raise DropItem with the reason otherwise."""
        a = ItemAdapter(item)
        if not (a.get("headline") or "").strip():
            raise self._drop("no_headline", "no headline", a)
        if not [p for p in a.get("body") or [] if p and p.strip()]:
            raise self._drop("no_body", "no body paragraphs", a)
        record = item_to_record(item)
        if record_is_valid(record):
            return item
        errors = schema_errors(record)  # the full validator names the field and the reason
        if errors:
            first = errors[0]
            field = str(first.absolute_path[0]) if first.absolute_path else first.validator
            raise self._drop(f"invalid_{field}", first.message[:200], a)
        return item


class DuplicatesPipeline(_Pipeline):
    """One article per canonical URL (`newscrawl.urls.canonical_url` of the URL and of the page's
    canonical link) and per content fingerprint within a crawl; later copies are dropped."""

    enabled_setting = "NEWSCRAWL_DUPLICATES_ENABLED"

    def __init__(self, crawler: Any = None) -> None:
        super().__init__(crawler)
        # Per article for the whole crawl: kept as hashes (newscrawl.crawl.keyset).
        self.urls = KeySet()
        self.fingerprints = KeySet()

    @staticmethod
    def url_keys(a: ItemAdapter) -> set[str]:
        """Canonical keys of the item: its URL and its canonical link (unless that is a bare
        site root, a common misconfiguration that would merge every article)."""
        keys = set()
        url, canonical = a.get("url"), a.get("canonical_url")
        if is_http_url(url):
            keys.add(canonical_url(url))
        if is_http_url(canonical):
            key = canonical_url(canonical)
            if urlsplit(key).path not in ("", "/"):
                keys.add(key)
        return keys

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Return the first copy of an article, drop the later ones (counted)."""
        a = ItemAdapter(item)
        keys = self.url_keys(a)
        if any(key in self.urls for key in keys):
            self._inc("newscrawl/duplicates/url")
            raise DropItem(f"duplicate URL <{a.get('url')}>", log_level="DEBUG")
        fp = a.get("fingerprint")
        if fp and fp in self.fingerprints:
            self._inc("newscrawl/duplicates/fingerprint")
            raise DropItem(f"duplicate content <{a.get('url')}>", log_level="DEBUG")
        for key in keys:
            self.urls.add(key)
        if fp:
            self.fingerprints.add(fp)
        return item
