"""Every request, redirect hops included, stays on the portal's hosts and off private addresses.

Scrapy's OffsiteMiddleware is replaced by this guard; it checks every request, redirect hops
included, whatever `dont_filter` says.

Settings:

* `NEWSCRAWL_ALLOWED_HOSTS` (list): hosts allowed besides `spider.allowed_domains` (a host
  allows its subdomains too, as in Scrapy's OffsiteMiddleware).
* `NEWSCRAWL_ALLOW_PRIVATE_ADDRESSES` (bool): allow private, loopback, link-local and other
  non-global targets even when the portal itself is on a public address.

Refusals are `IgnoreRequest` subclasses with a `newscrawl_kind` attribute (`skipped/offsite`,
`skipped/offsite_redirect`, `skipped/private_address`) that the spider's errback counts.

IP literals are checked here. For host names, what they resolve to matters (DNS rebinding):
`PublicAddressResolver` (setting `TWISTED_DNS_RESOLVER`) refuses non-global answers the same
way. Limits: Scrapy builds one resolver per process, so the portal hosts the middleware
registers when a spider opens (and "private allowed") are shared by every crawl of the process;
the resolver relies on the middleware for those (alone, it refuses a portal on a private
address); Twisted drops the resolver's reason, so its refusals reach the errback as `dns`
errors (the reason is logged as `skipped/private_address`); download handlers that resolve
names themselves (e.g. a browser when rendering) are not covered.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class HostRefused(IgnoreRequest):
    """A request the host guard refused; `newscrawl_kind` names the stat the errback counts."""

    newscrawl_kind = "skipped/offsite"


class OffsiteRequest(HostRefused):
    """A (non-redirect) request to a host outside the portal's hosts."""

    newscrawl_kind = "skipped/offsite"


class OffsiteRedirect(HostRefused):
    """A redirect hop that leaves the portal's hosts."""

    newscrawl_kind = "skipped/offsite_redirect"


class PrivateAddress(HostRefused):
    """A request to a private, loopback, link-local or otherwise non-global address."""

    newscrawl_kind = "skipped/private_address"


# -- addresses --------------------------------------------------------------------------------

def ip_literal(host: str | None) -> IPAddress | None:
    """The address a URL host names literally (`10.0.0.1`, `::1`, also `2130706433`, `0x7f.1`,
    which the system resolver reads as IPv4), or None for a host name."""
    host = (host or "").strip().strip("[]").rstrip(".")
    if not host:
        return None
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def is_public_address(address: IPAddress | str) -> bool:
    """True for a globally routable unicast address; False for private, loopback, link-local,
    multicast, reserved, unspecified and shared ones, also inside IPv4-mapped / 6to4 IPv6."""
    addr = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(addr, ipaddress.IPv6Address):
        embedded = addr.ipv4_mapped or addr.sixtofour
        if embedded is not None:
            return is_public_address(embedded)
    return bool(addr.is_global and not (addr.is_multicast or addr.is_reserved
                                        or addr.is_unspecified or addr.is_loopback
                                        or addr.is_link_local or addr.is_private))


def host_allowed(host: str, domains: Iterable[str]) -> bool:
    """Scrapy's offsite notion: `host` is one of `domains` or a subdomain of one."""
    host = host.lower().rstrip(".")
    for domain in domains:
        domain = (domain or "").lower().strip().rstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def portal_hosts(spider: Spider) -> list[str]:
    """The hosts the portal was given on: the host of `spider.home` (the generic spider's URL
    or the `base_url` mirror), else the spider's allowed domains."""
    home = getattr(spider, "home", None)
    if home:
        host = urlsplit(home).hostname
        if host:
            return [host]
    return [d for d in getattr(spider, "allowed_domains", None) or [] if d]


# -- the middleware ---------------------------------------------------------------------------

class HostGuardMiddleware:
    """Downloader middleware refusing requests off the portal's hosts (redirect hops always,
    other requests unless `meta["allow_offsite"]`) and requests to non-global IP addresses."""

    def __init__(self, allowed_hosts: Sequence[str] = (), allow_private: bool = False) -> None:
        self.allowed_hosts = [h.strip().lower() for h in allowed_hosts if h and h.strip()]
        self.allow_private = allow_private
        self.crawler: Any = None
        self._private_ok: dict[int, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostGuardMiddleware:
        """Build from NEWSCRAWL_ALLOWED_HOSTS / NEWSCRAWL_ALLOW_PRIVATE_ADDRESSES."""
        mw = cls(crawler.settings.getlist("NEWSCRAWL_ALLOWED_HOSTS"),
                 crawler.settings.getbool("NEWSCRAWL_ALLOW_PRIVATE_ADDRESSES"))
        mw.crawler = crawler
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    # -- decisions ----------------------------------------------------------------------------
    def own_hosts(self, spider: Spider) -> list[str]:
        """The spider's allowed domains plus NEWSCRAWL_ALLOWED_HOSTS."""
        return [*(getattr(spider, "allowed_domains", None) or []), *self.allowed_hosts]

    def private_allowed(self, spider: Spider) -> bool:
        """Non-global targets are allowed when the setting says so or the portal was given on
        such an address (a literal, or a name found to resolve to one when the spider opened)."""
        if self.allow_private:
            return True
        known = self._private_ok.get(id(spider))
        if known is None:
            known = any((ip := ip_literal(h)) is not None and not is_public_address(ip)
                        for h in portal_hosts(spider))
            self._private_ok[id(spider)] = known
        return known

    def check(self, request: Request, spider: Spider) -> None:
        """Raise a `HostRefused` subclass when `request` must not be sent; else return."""
        host = urlparse_cached(request).hostname or ""
        ip = ip_literal(host)
        redirects = request.meta.get("redirect_urls") or []
        if ip is not None and not is_public_address(ip) and not self.private_allowed(spider):
            via = f" (redirected from {redirects[-1]})" if redirects else ""
            raise PrivateAddress(f"{request.url}{via} targets the non-global address {ip}; "
                                 f"set NEWSCRAWL_ALLOW_PRIVATE_ADDRESSES to allow it")
        domains = self.own_hosts(spider)
        if not domains or host_allowed(host, domains):
            return
        if redirects:
            raise OffsiteRedirect(f"redirect from {redirects[-1]} to {request.url} leaves the "
                                  f"portal's hosts")
        if request.meta.get("allow_offsite"):
            return
        raise OffsiteRequest(f"offsite request to {host!r} ({request.url}) is outside the "
                             f"portal's hosts")

    # -- Scrapy hooks -------------------------------------------------------------------------
    def process_request(self, request: Request) -> None:
        """Let the request through or raise `OffsiteRedirect` / `OffsiteRequest` /
        `PrivateAddress` (the request's errback receives it)."""
        self.check(request, self.crawler.spider)

    def spider_opened(self, spider: Spider) -> defer.Deferred[None] | None:
        """Decide whether the portal lives on a non-global address (resolving its host name
        once), and tell a `PublicAddressResolver` which names it must not refuse."""
        hosts = portal_hosts(spider)
        resolver = _installed_resolver()
        if isinstance(resolver, PublicAddressResolver):
            resolver.exempt.update(h.lower() for h in hosts)
        if self.private_allowed(spider):
            if isinstance(resolver, PublicAddressResolver):
                resolver.allow_private = True
            return None
        names = [h for h in hosts if ip_literal(h) is None]
        if not names or resolver is None:
            return None

        def resolved(address: str) -> None:
            if not is_public_address(address):
                logger.info("portal host %s resolves to %s: non-global targets allowed",
                            names[0], address)
                self._private_ok[id(spider)] = True
                if isinstance(resolver, PublicAddressResolver):
                    resolver.allow_private = True

        d = defer.maybeDeferred(resolver.getHostByName, names[0])
        d.addCallback(resolved)
        d.addErrback(lambda _failure: None)  # an unresolvable portal fails on its own requests
        return d


def _installed_resolver() -> Any:
    from twisted.internet import reactor

    return getattr(reactor, "resolver", None)


# -- the resolver -----------------------------------------------------------------------------

class PublicAddressResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing non-global answers (DNS rebinding, internal names)
    except for the portal's own hosts; `HostGuardMiddleware` registers those when a spider
    opens. Install with `TWISTED_DNS_RESOLVER = "newscrawl.crawl.hosts.PublicAddressResolver"`."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.exempt: set[str] = set()
        self.allow_private = False

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PublicAddressResolver:
        """Build like Scrapy's resolver (`crawler` is the crawler process) plus the setting."""
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_private = crawler.settings.getbool("NEWSCRAWL_ALLOW_PRIVATE_ADDRESSES")
        return resolver

    def check_answer(self, address: str, name: str) -> str:
        """`address` when `name` may resolve to it; raise DNSLookupError for a refused one."""
        if (self.allow_private or name.lower().rstrip(".") in self.exempt
                or is_public_address(address)):
            return address
        reason = (f"{name} resolves to the non-global address {address}; refused "
                  f"(NEWSCRAWL_ALLOW_PRIVATE_ADDRESSES allows it)")
        logger.warning("skipped/private_address: %s", reason)
        raise DNSLookupError(reason)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()  # noqa: N802
                      ) -> defer.Deferred[str]:
        """Resolve like Scrapy's resolver, then refuse non-global answers."""
        d = super().getHostByName(name, timeout)
        d.addCallback(self.check_answer, name)
        return d
