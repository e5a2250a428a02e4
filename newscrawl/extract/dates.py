"""Dates: machine dates (ISO 8601, RFC 2822, numeric) and human dates, as aware datetimes.

Machine and numeric forms go through a regex fast path; relative forms ("2 godz. temu",
"wczoraj 14:05", "vor 2 Stunden") are resolved against the fetch time by a small table; only the
remaining human text ("czwartek, 15 listopada 2001 11:27", "3. März 2024") reaches dateparser,
with its languages restricted and its parsers built once per language set.
A value without an offset is read in the portal's time zone, else Europe/Warsaw for Polish pages,
else UTC. Dates in the future (beyond the fetch time plus a tolerance) or before 1990 are rejected.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from newscrawl.extract.attrscan import attribute_hits

#: Dates before this year are rejected as implausible for a news article.
MIN_YEAR = 1990
#: How far past the fetch time a date may lie (clock skew, time zones, scheduled posts).
FUTURE_TOLERANCE = timedelta(hours=26)
#: Time zone assumed for pages in a language when neither the value nor the portal gives one.
LANGUAGE_TIMEZONES = {"pl": "Europe/Warsaw"}
#: Languages dateparser may try when the page language is unknown.
DEFAULT_LANGUAGES = ("en", "pl", "de")


@dataclass
class DateResult:
    """Published/modified dates as ISO strings, with the raw text and where it came from."""

    published: str | None = None
    published_raw: str | None = None
    modified: str | None = None
    source: str | None = None


def zone_for(timezone: str | None = None, language: str | None = None) -> tzinfo:
    """The zone for naive values: the portal's, else the language's (pl → Warsaw), else UTC."""
    name = timezone or LANGUAGE_TIMEZONES.get((language or "").lower())
    if name:
        try:
            return ZoneInfo(name)
        except (KeyError, ValueError):
            pass
    return UTC


# -- machine forms --------------------------------------------------------------------------
_ISO = re.compile(
    r"(?P<y>(?:19|20)\d\d)(?P<s>[-/.]?)(?P<m>[01]\d)(?P=s)(?P<d>[0-3]\d)"
    r"(?:[T\s,]+(?P<H>[0-2]\d):?(?P<M>[0-5]\d)(?::?(?P<S>[0-6]\d)(?:[.,]\d+)?)?\s*"
    r"(?P<tz>Z|UTC|GMT|[+-][01]\d(?::?[0-5]\d)?)?)?(?![\d])")
_DMY = re.compile(
    r"(?<![\d.])(?P<d>[0-3]?\d)(?P<s>[./-])(?P<m>[01]?\d)(?P=s)(?P<y>(?:19|20)\d\d)(?!\d)"
    r"(?:\s*r\.)?(?:[,\s]+(?:godz\.?\s*|um\s+|at\s+)?(?P<H>[0-2]?\d)[:.](?P<M>[0-5]\d)"
    r"(?::(?P<S>[0-5]\d))?(?!\d))?")
_TIME = re.compile(r"(?<![\d.:])(?P<H>[0-2]?\d)[:.](?P<M>[0-5]\d)(?![\d])")
_RFC2822 = re.compile(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d\d:\d\d")
_EPOCH = re.compile(r"^\s*(1\d{9})(\d{3})?\s*$")


def _offset(tz: str | None, default: tzinfo) -> tzinfo:
    if not tz:
        return default
    if tz in ("Z", "UTC", "GMT"):
        return UTC
    sign = 1 if tz[0] == "+" else -1
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    from datetime import timezone as _tz

    return _tz(sign * timedelta(hours=hours, minutes=minutes))


def _build(y: int, m: int, d: int, hh: Any, mm: Any, ss: Any, zone: tzinfo) -> datetime | None:
    try:
        return datetime(y, m, d, int(hh or 0), int(mm or 0), min(int(ss or 0), 59), tzinfo=zone)
    except ValueError:
        return None


def parse_machine(raw: str, zone: tzinfo = UTC, *, month_first: bool = False) -> datetime | None:
    """ISO 8601 variants, RFC 2822, epoch seconds and numeric `15.11.2001, 11:27` forms."""
    text = raw.strip()
    m = _ISO.search(text)
    if m:
        return _build(int(m["y"]), int(m["m"]), int(m["d"]), m["H"], m["M"], m["S"],
                      _offset(m["tz"], zone))
    m = _DMY.search(text)
    if m:
        d, mo = int(m["d"]), int(m["m"])
        if (month_first and m["s"] == "/" and d <= 12) or (mo > 12 and d <= 12):
            d, mo = mo, d
        return _build(int(m["y"]), mo, d, m["H"], m["M"], m["S"], zone)
    if _RFC2822.match(text):
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        return value if value.tzinfo else value.replace(tzinfo=zone)
    m = _EPOCH.match(text)
    if m:
        return datetime.fromtimestamp(int(m.group(1)), UTC)
    return None


# -- relative forms -------------------------------------------------------------------------
_UNITS = {
    "s": ("sek", "sekund", "second", "sec", "sekunde"),
    "m": ("min", "minut", "minute", "minuten", "mins"),
    "h": ("godz", "godzin", "godzina", "godziny", "hour", "hours", "hr", "hrs", "h",
          "stunde", "stunden", "std"),
    "d": ("dzień", "dni", "dnia", "day", "days", "tag", "tagen", "tage"),
    "w": ("tydzień", "tygodni", "tygodnie", "week", "weeks", "woche", "wochen"),
}
_UNIT_OF = {word: key for key, words in _UNITS.items() for word in words}
_REL_AGO = re.compile(
    r"(?:\b(?:vor)\s+)?(?P<n>\d+|an?|one|jeden|jedną|einer?)\s*(?P<u>[^\W\d_]+)\.?\s*"
    r"(?P<ago>temu|ago)?", re.I)
_DAY_WORDS = {
    "dzisiaj": 0, "dziś": 0, "today": 0, "heute": 0,
    "wczoraj": 1, "yesterday": 1, "gestern": 1,
    "przedwczoraj": 2, "vorgestern": 2,
}
_DAY_WORD = re.compile(r"\b(" + "|".join(sorted(_DAY_WORDS, key=len, reverse=True)) + r")\b",
                       re.I)
_SPELLED_ONE = {"a", "an", "one", "jeden", "jedną", "ein", "einer"}


def parse_relative(text: str, fetched_at: datetime, zone: tzinfo) -> datetime | None:
    """`2 godz. temu`, `5 min temu`, `2 hours ago`, `vor 2 Stunden`, `wczoraj 14:05`, `dzisiaj`."""
    local_now = fetched_at.astimezone(zone)
    low = text.strip().lower()
    m = _DAY_WORD.search(low)
    if m:
        day = local_now.date() - timedelta(days=_DAY_WORDS[m.group(1)])
        t = _TIME.search(low[m.end():]) or _TIME.search(low[:m.start()])
        hh, mm = (int(t["H"]), int(t["M"])) if t else (0, 0)
        if hh > 23:
            hh, mm = 0, 0
        return datetime(day.year, day.month, day.day, hh, mm, tzinfo=zone)
    if not re.search(r"\b(temu|ago|vor)\b", low):
        return None
    for m in _REL_AGO.finditer(low):
        unit = _UNIT_OF.get(m["u"].rstrip("."))
        has_ago = m["ago"] or low.startswith("vor") or "vor " in low[:m.start() + 4]
        if not unit or not has_ago:
            continue
        n = 1 if m["n"] in _SPELLED_ONE else int(m["n"])
        delta = {"s": timedelta(seconds=n), "m": timedelta(minutes=n), "h": timedelta(hours=n),
                 "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]
        return (local_now - delta).replace(microsecond=0)
    return None


# -- human absolute forms (dateparser) ------------------------------------------------------
_DP_SETTINGS = {
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PREFER_DAY_OF_MONTH": "first",
    "STRICT_PARSING": False,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["absolute-time"],
}
_HAS_MONTH_WORD = re.compile(r"[^\W\d_]{3,}")
_HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_TIME_TAIL = (r"(?:\s*r\.)?(?:[,\s]+(?:o\s+)?(?:godz\.?|um|at|-)?\s*"
              r"[0-2]?\d[:.][0-5]\d(?:\s*[ap]\.?m\.?)?)?")
#: A date written with a month name: "15 listopada 2001", "3. März 2024", "May 3rd, 2024".
HUMAN_SPAN = re.compile(
    r"(?<!\w)(?:[0-3]?\d(?:st|nd|rd|th)?\.?\s*(?:of\s+|de\s+)?[^\W\d_]{3,}\.?,?\s*(?:de\s+)?(?:19|20)\d\d"
    r"|[^\W\d_]{3,}\.?\s+[0-3]?\d(?:st|nd|rd|th)?\.?,?\s+(?:19|20)\d\d)(?!\d)" + _TIME_TAIL,
    re.I)


@lru_cache(maxsize=16)
def _date_parser(languages: tuple[str, ...]) -> Any:
    """One dateparser DateDataParser per language set, built once (construction is slow)."""
    from dateparser.date import DateDataParser

    known = [lang for lang in languages if lang]
    return DateDataParser(languages=known or list(DEFAULT_LANGUAGES), settings=_DP_SETTINGS)


_CYRILLIC = re.compile("[\u0400-\u04ff]")


def _languages(language: str | None, languages: list[str] | tuple[str, ...] | None,
               text: str = "") -> tuple[str, ...]:
    if languages:
        return tuple(languages)
    lang = (language or "").lower()[:2]
    if not lang and _CYRILLIC.search(text):
        return ("ru", "uk")
    if lang in ("pl", "de", "en", "fr", "es", "it", "nl", "pt", "cs", "hr", "ru", "uk"):
        return (lang, "en") if lang != "en" else ("en",)
    return DEFAULT_LANGUAGES


def parse_human(text: str, zone: tzinfo, *, language: str | None = None,
                languages: list[str] | tuple[str, ...] | None = None) -> datetime | None:
    """Absolute dates written out in words, via dateparser restricted to the page's languages."""
    text = text.strip()
    if not text or len(text) > 120 or not _HAS_YEAR.search(text):
        return None
    if not _HAS_MONTH_WORD.search(text):
        return None
    span = HUMAN_SPAN.search(text)
    if span:
        text = span.group(0)
    # Polish "r." after the year and "godz." before the time confuse dateparser.
    cleaned = re.sub(r"(?<=\d)\s*r\.", " ", text)
    cleaned = re.sub(r"\b(godz\.?|o godz\.?|um|Uhr|at)\b", " ", cleaned, flags=re.I)
    cleaned = re.sub(r"[|•·]", " ", cleaned)
    value = _dateparser_value(cleaned, _languages(language, languages, cleaned))
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=zone)


@lru_cache(maxsize=4096)
def _dateparser_value(cleaned: str, languages: tuple[str, ...]) -> datetime | None:
    """dateparser's reading of one cleaned text, remembered: pages repeat their date lines."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            data = _date_parser(languages).get_date_data(cleaned)
        except Exception:  # dateparser raises assorted errors on odd input
            return None
    return getattr(data, "date_obj", None) if data is not None else None


# -- the one entry point --------------------------------------------------------------------
def plausible(value: datetime | None, fetched_at: datetime) -> bool:
    """False for dates before MIN_YEAR or beyond the fetch time plus a small tolerance."""
    if value is None:
        return False
    if value.year < MIN_YEAR:
        return False
    return value <= fetched_at + FUTURE_TOLERANCE


def parse_date(raw: str | None, *, fetched_at: datetime, timezone: str | None = None,
               language: str | None = None, languages: list[str] | None = None,
               human: bool = True, relative: bool = True) -> datetime | None:
    """Parse one date string into an aware datetime; None when unparseable or implausible.

    `human=False` restricts parsing to machine and numeric forms (for attribute values);
    `relative=False` ignores relative forms ("2 hours ago"), which need an exact fetch time.
    """
    if not raw or not raw.strip():
        return None
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    raw = raw.strip()[:300]
    zone = zone_for(timezone, language)
    month_first = (language or "").lower().startswith("en")
    value = parse_machine(raw, zone, month_first=month_first)
    if value is None and human:
        value = parse_human(raw, zone, language=language, languages=languages)
        if value is None and relative:
            value = parse_relative(raw, fetched_at, zone)
    return value if plausible(value, fetched_at) else None


_URL_DATE = re.compile(
    r"(?<![\d])(?P<y>(?:19|20)\d\d)[/_-](?P<m>[01]?\d)[/_-](?P<d>[0-3]\d|[1-9](?=/|$))(?![\d])"
    r"|(?<![\d])(?P<y2>(?:19|20)\d\d)(?P<m2>[01]\d)(?P<d2>[0-3]\d)(?![\d])"
    r"|(?<![\d])(?P<d3>[0-3]\d)-(?P<m3>[01]\d)-(?P<y3>(?:19|20)\d\d)(?![\d])")


def date_from_url(url: str | None, *, fetched_at: datetime, timezone: str | None = None,
                  language: str | None = None) -> datetime | None:
    """A date written in the URL path (`/2024/05/03/`, `2024-05-03`, `20240503`), or None."""
    if not url:
        return None
    from urllib.parse import urlsplit

    path = urlsplit(url).path
    zone = zone_for(timezone, language)
    for m in _URL_DATE.finditer(path):
        y, mo, d = ((m["y"], m["m"], m["d"]) if m["y"] else (m["y2"], m["m2"], m["d2"])
                    if m["y2"] else (m["y3"], m["m3"], m["d3"]))
        try:
            value = datetime(int(y), int(mo), int(d), tzinfo=zone)
        except ValueError:
            continue
        if plausible(value, fetched_at):
            return value
    return None


def same_day(a: datetime | None, b: datetime | None) -> bool:
    """True when both are set and fall on the same calendar day as written."""
    return a is not None and b is not None and a.date() == b.date()


def to_iso(value: datetime | date | None) -> str | None:
    """ISO 8601 with offset, seconds precision."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value.isoformat(timespec="seconds")


# -- visible date text on the page ----------------------------------------------------------
_DATE_HINT_WORDS = ("date", "time", "publi", "posted", "byline", "signature", "dateline", "meta",
                    "datum", "data", "czas", "stamp", "info", "author", "when", "fecha", "autor")
_DATE_HINT = re.compile("|".join(_DATE_HINT_WORDS), re.I)
#: Characters that `re.I` matches to an ASCII letter but `str.lower` leaves alone (ſ, ı, İ).
_FOLD = {0x17F: "s", 0x131: "i", 0x307: None}
_NOT_DATE = re.compile(r"comment|related|recommend|footer|sidebar|widget|popular|teaser", re.I)
_DIGIT = re.compile(r"\d")


def text_date_candidates(doc: Any, limit: int = 12, window: int = 80) -> list[str]:
    """Short visible texts that may carry the date, best first: elements near the headline
    whose class/id hints at a date or byline, then the text lines just after the `<h1>`,
    then hinted elements before it (site headers often carry today's date, so they come last).
    """
    h1 = next(iter(doc.tagged("h1")), None)
    start = 0 if h1 is None else doc.stats.pos[h1]
    hinted_after: list[str] = []
    hinted_before: list[str] = []
    elements = doc.elements
    # a superset of the elements whose class/id `_DATE_HINT` matches, found by a compiled pass
    for i in attribute_hits(elements, ("class", "id"), _DATE_HINT_WORDS, _FOLD):
        el = elements[i]
        after_h1 = i >= start
        if el.tag in ("script", "style", "a", "html", "body"):
            continue
        attrs = f"{el.get('class', '')} {el.get('id', '')}"
        if not _DATE_HINT.search(attrs) or _NOT_DATE.search(attrs):
            continue
        text = " ".join("".join(el.itertext()).split())
        if not text or len(text) > 160 or not _DIGIT.search(text):
            continue
        (hinted_after if after_h1 else hinted_before).append(text)
        if len(hinted_after) >= limit:
            break
    near: list[str] = []
    if h1 is not None:
        count = 0
        for el in h1.itersiblings():
            for node in el.iter():
                if not isinstance(node.tag, str) or node.tag in ("script", "style"):
                    continue
                for piece in (node.text, node.tail):
                    text = " ".join((piece or "").split())
                    if not text:
                        continue
                    count += 1
                    if len(text) <= 160 and _DIGIT.search(text):
                        near.append(text)
                if count > window:
                    break
            if count > window:
                break
        if not near and h1.getparent() is not None and count < window:
            parent = h1.getparent()
            for sib in parent.itersiblings():
                if not isinstance(sib.tag, str) or sib.tag in ("script", "style"):
                    continue
                text = " ".join(sib.itertext()).split()
                joined = " ".join(text)
                if joined and len(joined) <= 300 and _DIGIT.search(joined):
                    near.append(joined)
                count += 1
                if count > 12:
                    break
    return list(dict.fromkeys(hinted_after + near + hinted_before[:3]))


def is_relative(text: str) -> bool:
    """True for relative forms ("2 godz. temu", "yesterday") that need the fetch time."""
    return bool(_DAY_WORD.search(text) or re.search(r"\b(temu|ago|vor)\b", text, re.I))


def reconcile_with_url(value: datetime, url_value: datetime) -> datetime:
    """Agree a structured date with the day written in the URL.

    A UTC instant one day after the URL's day is the same moment in a zone west of UTC: it is
    re-expressed with the offset that puts it on the URL's day. A structured date days after the
    URL's day is usually the last modification, so the URL's day wins.
    """
    gap = (value.date() - url_value.date()).days
    if gap == 0:
        return value
    if abs(gap) == 1 and value.utcoffset() is not None:
        utc = value.astimezone(UTC)
        for hours in ((-4, -5, -6, -7, -8) if gap == 1 else (1, 2, 3, 8, 9)):
            from datetime import timezone as _tz

            local = utc.astimezone(_tz(timedelta(hours=hours)))
            if local.date() == url_value.date():
                return local
        return value
    if gap > 1:
        return url_value
    return value
