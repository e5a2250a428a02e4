"""newscrawl: a Scrapy crawler for news portals that extracts articles as structured data.

The public API (imported lazily, PEP 562, so `import newscrawl` stays cheap and cycle-free):

- `Addon`: the Scrapy add-on; `ADDONS = {"newscrawl.Addon": 0}` wires newscrawl into a project.
- `NewsSpider`: the base spider; `class Mine(NewsSpider): name = "mine"`, run with `-a url=...`.
- `extract_article`: HTML (+ optional URL) → `Article`, the same extraction a crawl runs.
- `fetch_article`: fetch one URL politely (robots.txt, caps, timeout) and extract it;
  `FetchError` says why a page could not be fetched.
- `Article`, `RelatedLink`: the item every feed writes, and one entry of its `related` list.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newscrawl.about import __version__
    from newscrawl.addon import Addon
    from newscrawl.crawl.spider import NewsSpider
    from newscrawl.fetch import FetchError, fetch_article
    from newscrawl.items import Article, RelatedLink
    from newscrawl.routing import extract_article

__all__ = ["Addon", "Article", "FetchError", "NewsSpider", "RelatedLink", "__version__",
           "extract_article", "fetch_article"]

#: Public name → the module that defines it.
_EXPORTS = {
    "__version__": "newscrawl.about",
    "Addon": "newscrawl.addon",
    "NewsSpider": "newscrawl.crawl.spider",
    "extract_article": "newscrawl.routing",
    "fetch_article": "newscrawl.fetch",
    "FetchError": "newscrawl.fetch",
    "Article": "newscrawl.items",
    "RelatedLink": "newscrawl.items",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use and keep it in the module namespace."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'newscrawl' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy public ones included."""
    return sorted(set(globals()) | set(__all__))
