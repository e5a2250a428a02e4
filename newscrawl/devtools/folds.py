"""Site-grouped folds of an evaluation corpus: every metric per fold, and the spread across folds.

A rule tuned on one site's pages looks better on those pages than on unseen ones. Splitting the
corpus into folds that never share a site, and scoring each fold alone, shows how much a figure
moves from one group of sites to another. A case's site is the registered domain of its URL
(an archived page counts as the site it archived); a case without a URL is grouped with the
other URL-less cases of its source set (`source:readability`), the only grouping such a case has.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from newscrawl.urls import registered_domain

_ARCHIVED = re.compile(r"^/web/[^/]*/(?P<url>https?:/+.+)$", re.I)


def site_of(case: dict[str, Any]) -> str:
    """The group a case belongs to: its URL's registered domain, else `source:<source set>`."""
    url = case.get("url") or ""
    parts = urlsplit(url)
    if parts.hostname and registered_domain(parts.hostname) == "archive.org":
        archived = _ARCHIVED.match(parts.path)
        if archived:
            parts = urlsplit(re.sub(r"^(https?):/+", r"\1://", archived["url"]))
    if not parts.hostname:
        return f"source:{case['source']}"
    return registered_domain(parts.hostname)


def assign_folds(cases: list[dict[str, Any]], k: int) -> list[list[dict[str, Any]]]:
    """`k` folds of about equal size; all cases of one site land in the same fold.

    Deterministic: the largest sites go first, each to the fold that has the fewest cases so far.
    """
    if k < 2:
        raise ValueError(f"folds need at least 2 groups, got {k}")
    by_site: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for case in cases:
        by_site[site_of(case)].append(case)
    if len(by_site) < k:
        raise ValueError(f"{len(by_site)} site(s) cannot fill {k} folds")
    folds: list[list[dict[str, Any]]] = [[] for _ in range(k)]
    for site in sorted(by_site, key=lambda s: (-len(by_site[s]), s)):
        smallest = min(range(k), key=lambda i: (len(folds[i]), i))
        folds[smallest].extend(by_site[site])
    return folds


def spread(values: list[float | None]) -> dict[str, float | int | None]:
    """Mean, min and max of the folds' values (folds without the figure left out)."""
    present = [v for v in values if v is not None]
    if not present:
        return {"folds": 0, "mean": None, "min": None, "max": None}
    return {"folds": len(present), "mean": statistics.fmean(present), "min": min(present),
            "max": max(present)}
