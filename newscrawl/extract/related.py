"""Recommendation blocks ("Wybrane dla Ciebie", "Czytaj także", "Related", ...) → [RelatedLink]."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newscrawl.extract.document import Document
from newscrawl.items import RelatedLink


@dataclass
class RelatedResult:
    """The links found, and the block elements they came from (kept out of the body)."""

    links: list[RelatedLink] = field(default_factory=list)
    nodes: list[Any] = field(default_factory=list)


def find_related(doc: Document, *, block_css: str | None = None) -> RelatedResult:
    """Find recommendation blocks; a portal's `block_css` wins over the generic detection."""
    return RelatedResult()
