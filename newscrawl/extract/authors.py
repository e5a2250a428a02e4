"""Authors: JSON-LD persons, bylines, and signatures such as `(reb)` or `oprac. xyz`."""

from __future__ import annotations

from newscrawl.extract.document import Document
from newscrawl.extract.metadata import Metadata


def find_authors(doc: Document, md: Metadata, paragraphs: list[str], *,
                 css: str | None = None) -> list[str]:
    """Author names in page order, deduplicated; a portal's `css` byline wins."""
    if css:
        names = [t for t in (s.xpath("string()").get().strip() for s in doc.selector.css(css)) if t]
        if names:
            return names
    return list(dict.fromkeys(md.authors))
