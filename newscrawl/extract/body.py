"""Generic main-text finder: the article container, its lead and its paragraphs, in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newscrawl.extract.document import Document
from newscrawl.extract.text import node_text

BLOCK_TAGS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre")


@dataclass
class BodyResult:
    """Standfirst found with the text (if any) and the body paragraphs in reading order."""

    lead: str | None = None
    paragraphs: list[str] = field(default_factory=list)


def extract_body(doc: Document, *, container_css: str | None = None,
                 exclude: list[Any] | None = None) -> BodyResult:
    """Find the main text; `container_css` (a portal's) wins; `exclude` nodes are skipped."""
    skip = {id(n) for n in (exclude or [])}
    root = doc.root
    container = None
    if container_css:
        found = doc.selector.css(container_css)
        container = found[0].root if found else None
    if container is None:
        best, best_score = None, 0
        for parent in root.iter():
            if not isinstance(parent.tag, str):
                continue
            score = sum(len(node_text(p)) for p in parent if getattr(p, "tag", None) == "p")
            if score > best_score:
                best, best_score = parent, score
        container = best
    if container is None:
        return BodyResult()
    paragraphs = []
    for el in container.iter(*BLOCK_TAGS):
        if any(id(a) in skip for a in el.iterancestors()) or id(el) in skip:
            continue
        text = node_text(el)
        if text:
            paragraphs.append(text)
    return BodyResult(paragraphs=paragraphs)
