"""`newscrawl.Addon`: one `ADDONS` line wires newscrawl into any Scrapy project.

    ADDONS = {"newscrawl.Addon": 0}

`update_settings` puts every default of `newscrawl.defaults` in at `addon` priority (a project's
settings, a spider's `custom_settings` and `-s` still win), merges the pipelines, middlewares,
extensions and feed exporters into the project's component dicts entry by entry (an entry the
project already has, `None` included, is kept), then runs the sub add-ons in order:

1. `newscrawl.render.browser.RenderAddon`: the render middleware; the browser download handlers
   only when `NEWSCRAWL_RENDER_ENABLED` is on and the spider's portal renders;
2. `newscrawl.distributed.addon.DistributedAddon`: the scrapy-redis scheduler when
   `NEWSCRAWL_REDIS_URL` is set;
3. `newscrawl.crawl.preflight.Preflight`: the run lock and the feed check, last, once FEEDS are
   final (an add-on listed after this one must not change FEEDS).

Do not list the sub add-ons in `ADDONS` as well. The DNS resolver (`TWISTED_DNS_RESOLVER`) and the
log level (`LOG_LEVEL`) are process settings, so they are set in `update_pre_crawler_settings`,
which Scrapy runs on the process settings before any crawler exists. `scrapy crawl -o out.txt`
checks the format even earlier, so newscrawl's `crawl` command (COMMANDS_MODULE, and the
`scrapy.commands` entry point for other projects) runs that method first when `is_enabled`.
"""

from __future__ import annotations

import copy
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from newscrawl import defaults

__all__ = ["Addon", "apply_defaults", "is_enabled"]

PRIORITY = "addon"
#: Settings that are component priority dicts: merged entry by entry, never replaced whole.
COMPONENT_DICTS = ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES", "EXTENSIONS")
#: Settings that map a name to a class path (feed formats): merged key by key.
MAPPINGS = ("FEED_EXPORTERS",)


def _merge_components(settings: BaseSettings, name: str, components: dict[str, Any]) -> None:
    """Add each component the project does not list yet (compared as loaded objects).

    A `None` entry switches off a Scrapy built-in of `<name>_BASE`; it is written under the same
    import path as there, since Scrapy merges the two dicts by key and would keep a built-in
    listed once by path and once by class.
    """
    for path, order in components.items():
        cls = load_object(path)
        if order is not None:
            settings.setdefault_in_component_priority_dict(name, cls, order)
            continue
        current = settings.getdict(name)
        if not any(load_object(key) is cls for key in current):
            current[path] = None
            settings.set(name, current, priority=settings.getpriority(name) or 0)


def _merge_mapping(settings: BaseSettings, name: str, mapping: dict[str, Any]) -> None:
    """Add each key the project does not map yet; the setting keeps its priority."""
    merged = settings.getdict(name)
    missing = {k: v for k, v in mapping.items() if k not in merged}
    if missing:
        settings.set(name, {**merged, **missing}, priority=settings.getpriority(name) or 0)


def apply_defaults(settings: BaseSettings) -> None:
    """Put every newscrawl default into `settings` at `addon` priority and merge the components.

    Also for code that reads settings outside a crawl (e.g. `newscrawl state`).
    """
    for name in defaults.names():
        value = getattr(defaults, name)
        if name in COMPONENT_DICTS:
            _merge_components(settings, name, value)
        elif name in MAPPINGS:
            _merge_mapping(settings, name, value)
        else:
            settings.set(name, copy.deepcopy(value), priority=PRIORITY)


class Addon:
    """Scrapy add-on wiring newscrawl: defaults, components, rendering, distribution, preflight."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler
        self.render: Any = None
        self.distributed: Any = None
        self.preflight: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Addon:
        """Built by Scrapy's add-on manager, after the spider and before the settings freeze."""
        return cls(crawler)

    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        """Process-wide settings (read before any crawler exists): the DNS resolver, the log
        level, and the feed formats (`-o out.txt` is checked against FEED_EXPORTERS before any
        crawler)."""
        settings.set("TWISTED_DNS_RESOLVER", defaults.TWISTED_DNS_RESOLVER, priority=PRIORITY)
        settings.set("LOG_LEVEL", defaults.LOG_LEVEL, priority=PRIORITY)
        _merge_mapping(settings, "FEED_EXPORTERS", defaults.FEED_EXPORTERS)

    def update_settings(self, settings: BaseSettings) -> None:
        """Defaults and components first, then rendering, distribution and, last, preflight."""
        from newscrawl.crawl.preflight import Preflight
        from newscrawl.distributed.addon import DistributedAddon
        from newscrawl.render.browser import RenderAddon

        apply_defaults(settings)
        self.render = RenderAddon(self.crawler)
        self.render.update_settings(settings)
        self.distributed = DistributedAddon()
        self.distributed.update_settings(settings)
        if self.crawler is not None:
            self.preflight = Preflight(self.crawler)
            self.preflight.update_settings(settings)


def is_enabled(settings: BaseSettings) -> bool:
    """True when `ADDONS` enables `newscrawl.Addon` (the `scrapy crawl` command asks, to accept
    newscrawl's feed formats on its command line, which Scrapy checks before any add-on runs)."""
    return any(order is not None and load_object(path) is Addon
               for path, order in settings.getdict("ADDONS").items())
