"""Which store holds a crawl's state: backends registered by URL scheme, opened from a setting.

`NEWSCRAWL_STATE` names the store: a file path (SQLite, the default) or a URL whose scheme picks
the backend (`redis://`, `rediss://`, `unix://`: Redis). New backends register here, in code
(`register_backend("postgres", "mypkg.PgState")`) or through the `newscrawl.state_backends` entry
point group (name = scheme, value = a `CrawlState` class), so nothing else names a backend.
`NEWSCRAWL_STATE_BACKEND` (a class, its import path or a registered scheme) overrides the choice.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.utils.misc import load_object

from newscrawl.incremental.state import CrawlState

__all__ = ["BACKENDS", "ENTRY_POINT_GROUP", "backend_for", "open_state", "register_backend",
           "scheme_of", "state_path"]

ENTRY_POINT_GROUP = "newscrawl.state_backends"
#: `CrawlState` backends (classes or import paths) by URL scheme; "" is a plain file path.
BACKENDS: dict[str, type[CrawlState] | str] = {
    "": "newscrawl.incremental.state.SQLiteState",
    "redis": "newscrawl.incremental.redis_state.RedisCrawlState",
    "rediss": "newscrawl.incremental.redis_state.RedisCrawlState",
    "unix": "newscrawl.incremental.redis_state.RedisCrawlState",
}


def register_backend(scheme: str, backend: type[CrawlState] | str) -> None:
    """Open locations with URL scheme `scheme` with `backend` (a class or its import path)."""
    BACKENDS[scheme.lower()] = backend


def scheme_of(location: str | Path) -> str:
    """The URL scheme of a store location; "" for a file path (Windows drives included)."""
    if isinstance(location, Path):
        return ""
    text = str(location)
    if "://" not in text and not text.startswith("unix:"):
        return ""
    scheme = urlsplit(text).scheme.lower()
    return "" if len(scheme) == 1 else scheme


def _load(backend: type[CrawlState] | str) -> type[CrawlState]:
    return load_object(backend) if isinstance(backend, str) else backend


def backend_for(location: str | Path,
                backend: type[CrawlState] | str | None = None) -> type[CrawlState]:
    """The `CrawlState` class for `location`: `backend` if given (a class, an import path or a
    registered scheme), else the one registered for the location's scheme."""
    if backend:
        if isinstance(backend, str) and backend.lower() in BACKENDS:
            return _load(BACKENDS[backend.lower()])
        return _load(backend)
    scheme = scheme_of(location)
    if scheme not in BACKENDS:
        for entry in entry_points(group=ENTRY_POINT_GROUP, name=scheme):
            register_backend(scheme, entry.load())
            break
        else:
            raise ValueError(f"no crawl state backend for {scheme}:// URLs (register one in "
                             f"newscrawl.incremental.stores or the {ENTRY_POINT_GROUP!r} "
                             "entry point group)")
    return _load(BACKENDS[scheme])


def state_path(template: str, spider_name: str,
               backend: type[CrawlState] | str | None = None) -> str | Path:
    """The store location of a spider: `template` (NEWSCRAWL_STATE) filled in by its backend
    (a file path with `%(name)s` replaced; a Redis URL with a per-spider key prefix)."""
    return backend_for(template, backend).location_for(template, spider_name)


def open_state(location: str | Path, backend: type[CrawlState] | str | None = None,
               **options: object) -> CrawlState:
    """Open the store at `location` with its backend; `options` go to the backend (SQLite:
    `synchronous`)."""
    return backend_for(location, backend)(location, **options)  # type: ignore[call-arg]
