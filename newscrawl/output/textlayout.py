"""The seed's plain-text layout of an article: headline, lead, paragraphs, related titles."""

from __future__ import annotations

from newscrawl.items import Article

DEFAULT_HEADINGS = {"pl": "Czytaj także", "de": "Mehr zum Thema"}


def related_heading(article: Article) -> str:
    """Heading printed above the related titles: the portal's own, else one per language."""
    from newscrawl.portals import PORTALS

    spec = PORTALS.get(article.portal or "")
    if spec is not None:
        return spec.related_heading
    return DEFAULT_HEADINGS.get(article.language or "", "Related")


def article_to_text(article: Article) -> str:
    """Blocks separated by blank lines; the related block lists one title per line."""
    blocks = [b for b in [article.headline, article.lead, *article.body] if b]
    if article.related:
        titles = "\n".join(link.title for link in article.related)
        blocks.append(f"{related_heading(article)}\n{titles}")
    return "\n\n".join(blocks) + "\n"
