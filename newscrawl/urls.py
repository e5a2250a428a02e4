"""URL canonicalisation: the one function that decides when two URLs name the same article.

`canonical_url()` is an identity key, used by the duplicate filter, the related-link dedup and the
incremental crawl state. It folds every variant a portal serves of one page:

* w3lib's `canonicalize_url` (query arguments sorted, fragment dropped, percent-encoding
  normalised), scheme and host lower-cased, default ports dropped, `http` folded into `https`;
* tracking parameters removed: `utm_*`, `mc_*`, `fbclid`, `gclid`, `yclid`, `_ga`, ... (see
  `TRACKING_PARAMS` and `TRACKING_PREFIXES`);
* AMP and mobile variants folded into the desktop page: `/amp/` path segments, a `.amp` suffix,
  `?amp`, `?amp=1`, `?outputType=amp`, and `www.`, `m.`, `mobile.`, `amp.` host prefixes.

Because of the host and scheme folding the key is not always fetchable; keep the fetched URL
for requests. `clean_url()` is the fetchable counterpart: absolute, tracking-free, host untouched.

Both are pure functions of their arguments and the constants below, so each distinct
`(url, base)` is worked out once per process and then served from a bounded LRU cache: a crawl
meets the same related links, canonical links and request URLs again and again.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that only track the visitor and never select content.
TRACKING_PARAMS: frozenset[str] = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "yclid", "msclkid", "twclid",
    "ttclid", "li_fat_id", "igshid", "srsltid", "_ga", "_gl", "_hsenc", "_hsmi", "_openstat",
    "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv", "wt_mc", "wt_zmc", "ocid",
    "cmpid", "at_medium", "at_campaign", "at_source", "xtor", "ref_src", "ref_url", "srcref",
})
#: Prefixes of tracking parameter names (`utm_source`, `mc_cid`, `pk_campaign`, ...).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "mc_", "pk_", "piwik_", "matomo_", "hmb_", "ga_")
#: Query parameters that only ask for the AMP rendering of a page.
AMP_PARAMS: frozenset[tuple[str, str]] = frozenset({
    ("amp", ""), ("amp", "1"), ("amp", "true"), ("outputtype", "amp"), ("output", "amp"),
})
#: Host prefixes of mobile / AMP / www mirrors of the same site.
MIRROR_HOST_PREFIXES: tuple[str, ...] = ("www.", "m.", "mobile.", "amp.")

_DEFAULT_PORTS = {"http": "80", "https": "443"}
#: Entries kept by each URL cache (a few MB at most: a URL and its result per entry).
URL_CACHE_SIZE = 16384
_AMP_SUFFIX = re.compile(r"\.amp(?=\.html?$|$)", re.IGNORECASE)


def is_tracking_param(name: str) -> bool:
    """True for a query parameter that only tracks the visitor (`utm_source`, `fbclid`, ...)."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _query_without(query: str, *, drop_amp: bool) -> str:
    kept = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        if is_tracking_param(key):
            continue
        if drop_amp and (key.lower(), value.lower()) in AMP_PARAMS:
            continue
        kept.append((key, value))
    return urlencode(kept)


def _fold_host(host: str) -> str:
    host = host.lower().rstrip(".")
    changed = True
    while changed:
        changed = False
        for prefix in MIRROR_HOST_PREFIXES:
            # Keep at least a registrable-looking name (two labels) after the prefix.
            if host.startswith(prefix) and host.count(".") >= 2:
                host = host[len(prefix):]
                changed = True
    return host


def _fold_amp_path(path: str) -> str:
    segments = path.split("/")
    kept = [s for s in segments if s.lower() != "amp"]
    if len(kept) != len(segments):
        # `/news/x/amp/` → `/news/x/`, `/amp/news/x` → `/news/x`
        path = "/".join(kept)
        if segments[-1] == "" or segments[-1].lower() == "amp":
            path = path.rstrip("/") + "/"
        if not path.startswith("/"):
            path = "/" + path
    return _AMP_SUFFIX.sub("", path)


def canonical_url(url: str, base: str | None = None) -> str:
    """The identity key of a URL: same string for every tracking/AMP/mobile variant of a page.

    Relative URLs are resolved against `base`. Non-HTTP URLs are returned stripped, unchanged.
    """
    return _canonical_url(url or "", base or None)


@lru_cache(maxsize=URL_CACHE_SIZE)
def _canonical_url(url: str, base: str | None) -> str:
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = _fold_host(parts.hostname)
    port = parts.port if parts.port is not None else None
    netloc = host if port is None or str(port) in _DEFAULT_PORTS.values() else f"{host}:{port}"
    path = _fold_amp_path(parts.path or "/")
    query = _query_without(parts.query, drop_amp=True)
    folded = urlunsplit(("https", netloc, path, query, ""))
    return canonicalize_url(folded, keep_blank_values=True)


def clean_url(url: str, base: str | None = None) -> str:
    """A fetchable absolute URL without tracking parameters or fragment; host and path kept."""
    return _clean_url(url or "", base or None)


@lru_cache(maxsize=URL_CACHE_SIZE)
def _clean_url(url: str, base: str | None) -> str:
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return url
    query = _query_without(parts.query, drop_amp=False)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def is_http_url(url: str | None) -> bool:
    """True for an absolute http(s) URL with a host."""
    if not url:
        return False
    return _is_http_url(url)


@lru_cache(maxsize=URL_CACHE_SIZE)
def _is_http_url(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


#: Second-level labels under a country code that belong to a registered domain (`co.uk`).
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or", "gv"})


def registered_domain(host: str) -> str:
    """The registered part of a host name: `www.bbc.co.uk` -> `bbc.co.uk`, `a.b.com` -> `b.com`.

    A short rule (two labels, three under a country code's `co.`/`com.`/...), not the public
    suffix list: enough to tell one site from another."""
    labels = [p for p in host.lower().strip(".").split(".") if p]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
