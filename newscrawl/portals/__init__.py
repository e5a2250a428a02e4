"""Per-portal knowledge, one module per portal; this registry finds them by name or domain."""

from __future__ import annotations

import importlib
import pkgutil
from urllib.parse import urlsplit

from newscrawl.portals.base import Portal

__all__ = ["PORTALS", "Portal", "get_portal", "portal_for_url"]


def _load() -> dict[str, Portal]:
    found: dict[str, Portal] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        spec = getattr(module, "PORTAL", None)
        if isinstance(spec, Portal):
            found[spec.name] = spec
    return found


#: Every portal module's PORTAL, by name.
PORTALS: dict[str, Portal] = _load()


def get_portal(name: str) -> Portal:
    """The portal called `name`; KeyError lists the known names."""
    try:
        return PORTALS[name]
    except KeyError:
        raise KeyError(f"unknown portal {name!r}; known: {', '.join(sorted(PORTALS))}") from None


def portal_for_url(url: str) -> Portal | None:
    """The portal owning the URL's host, or None for the generic layer."""
    host = urlsplit(url).hostname or ""
    best = None
    for spec in PORTALS.values():
        if spec.owns(host):
            longest = max(len(d) for d in spec.domains if host == d or host.endswith("." + d))
            if best is None or longest > best[0]:
                best = (longest, spec)
    return best[1] if best else None
