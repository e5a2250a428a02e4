"""Spider arguments (`-a name=value`): parsed and checked once, with a one-line reason for each
unusable value, so `newscrawl crawl` can refuse a mistake before Scrapy starts."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from newscrawl.discovery import TimeWindow
from newscrawl.portals import Portal, get_portal

#: The arguments the shared spider understands (others are kept as spider attributes).
NAMES: tuple[str, ...] = ("url", "since", "until", "limit", "sections", "base_url",
                          "follow_listing")
ON = frozenset({"on", "1", "true", "yes"})
OFF = frozenset({"off", "0", "false", "no"})


class SpiderArgumentError(ValueError):
    """A spider argument (`-a name=value`) has an unusable value."""


@dataclass(frozen=True)
class SpiderArguments:
    """The checked arguments of one crawl."""

    portal: Portal | None
    home: str
    base_url: str | None
    window: TimeWindow
    limit: int | None
    section_prefixes: tuple[str, ...]
    follow_listing: str


def parse_arguments(portal_name: str | None, *, url: str | None = None,
                    since: str | None = None, until: str | None = None,
                    limit: str | int | None = None, sections: str | None = None,
                    base_url: str | None = None,
                    follow_listing: str | None = "auto") -> SpiderArguments:
    """Check every argument; raise `SpiderArgumentError` naming the first unusable one."""
    portal = None
    if portal_name:
        try:
            portal = get_portal(portal_name)
        except KeyError as exc:
            raise SpiderArgumentError(str(exc)) from None
    for arg, value in (("url", url), ("base_url", base_url)):
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise SpiderArgumentError(f"{arg} must be an http(s) URL, got {value!r}")
    home = url or (portal.home if portal else None)
    if not home:
        raise SpiderArgumentError("the generic spider needs -a url=https://portal.example/")
    try:
        window = TimeWindow.from_args(since, until)
    except ValueError as exc:
        raise SpiderArgumentError(str(exc)) from None
    try:
        count = int(limit) if limit not in (None, "") else None
    except ValueError:
        raise SpiderArgumentError(f"limit must be a whole number, got {limit!r}") from None
    if count is not None and count < 1:
        raise SpiderArgumentError(f"limit must be at least 1, got {limit!r}")
    prefixes = tuple("/" + s.strip().strip("/") for s in (sections or "").split(",")
                     if s.strip())
    mode = str(follow_listing or "auto").strip().lower()
    if mode not in ON | OFF | {"auto"}:
        raise SpiderArgumentError(f"follow_listing must be on, off or auto, got "
                                  f"{follow_listing!r}")
    return SpiderArguments(
        portal=portal, home=home, base_url=base_url.rstrip("/") + "/" if base_url else None,
        window=window, limit=count, section_prefixes=prefixes,
        follow_listing="on" if mode in ON else "off" if mode in OFF else "auto")
