"""The generic page object: one method per Article field, overridable field by field.

Each field is computed in exactly one place, in three layers: a portal parser's selector
constants win where they match; structured data (JSON-LD, meta) comes next; generic heuristics
fill what is still empty. Portal parsers subclass `ArticleParser` and set the constants.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property
from typing import ClassVar
from urllib.parse import urljoin

from newscrawl.extract import authors as authors_mod
from newscrawl.extract import body as body_mod
from newscrawl.extract import dates as dates_mod
from newscrawl.extract import pagedates, paywall
from newscrawl.extract import related as related_mod
from newscrawl.extract.document import Document
from newscrawl.extract.finish import finish, without_lead_repeat
from newscrawl.extract.metadata import Metadata, read_metadata
from newscrawl.extract.text import (
    clean_text,
    has_controls,
    node_text,
    strip_controls,
)
from newscrawl.items import Article, RelatedLink


class ArticleParser:
    """Generic extraction; subclasses set CSS selector constants to override a field."""

    #: CSS selectors; None means "use structured data and heuristics".
    HEADLINE: ClassVar[str | None] = None
    LEAD: ClassVar[str | None] = None
    BODY: ClassVar[str | None] = None
    AUTHORS: ClassVar[str | None] = None
    PUBLISHED: ClassVar[str | None] = None
    MODIFIED: ClassVar[str | None] = None
    SECTION: ClassVar[str | None] = None
    TAGS: ClassVar[str | None] = None
    RELATED: ClassVar[str | None] = None
    #: Elements inside the body container that are never body text (ads, captions, inserts).
    EXCLUDE: ClassVar[tuple[str, ...]] = ()

    def __init__(self, doc: Document, *, fetched_at: datetime | None = None,
                 portal: str | None = None, timezone: str | None = None) -> None:
        self.doc = doc
        self.fetched_at = fetched_at or datetime.now(UTC)
        if self.fetched_at.tzinfo is None:
            self.fetched_at = self.fetched_at.replace(tzinfo=UTC)
        self.portal = portal
        self.timezone = timezone

    # -- shared lookups ---------------------------------------------------------------------
    @cached_property
    def meta(self) -> Metadata:
        """Structured data of the page, read once."""
        return read_metadata(self.doc)

    def select_text(self, css: str | None) -> str | None:
        """Clean text of the first element matching `css` that has any text."""
        if not css:
            return None
        for sel in self.doc.selector.css(css):
            text = node_text(sel.root) if not isinstance(sel.root, str) else clean_text(sel.root)
            if text:
                return text
        return None

    @cached_property
    def _related(self) -> related_mod.RelatedResult:
        return related_mod.find_related(self.doc, block_css=self.RELATED)

    @cached_property
    def _exclude_nodes(self) -> list:
        nodes = list(self._related.nodes)
        for css in self.EXCLUDE:
            nodes.extend(s.root for s in self.doc.selector.css(css))
        return nodes

    @cached_property
    def _body(self) -> body_mod.BodyResult:
        return body_mod.extract_body(self.doc, container_css=self.BODY, exclude=self._exclude_nodes)

    # -- fields -----------------------------------------------------------------------------
    def headline(self) -> str | None:
        """Portal selector, then JSON-LD/OpenGraph, then the page's <h1>/<title>."""
        return self.select_text(self.HEADLINE) or self.meta.headline

    def lead(self) -> str | None:
        """The standfirst: portal selector, then the one found with the body."""
        return self.select_text(self.LEAD) or self._body.lead

    def body(self) -> list[str]:
        """Body paragraphs in order, without the lead repeated as the first paragraph."""
        return without_lead_repeat(list(self._body.paragraphs), self.lead())

    def authors(self) -> list[str]:
        """Authors from selectors, structured data, bylines and signatures."""
        return authors_mod.find_authors(self.doc, self.meta, self._body.paragraphs,
                                        css=self.AUTHORS)

    def dates(self) -> dates_mod.DateResult:
        """Published and modified dates, ISO 8601 with offset, with raw text and source.

        Order: portal selectors, JSON-LD, meta/microdata, `<time>`, visible date text near the
        headline, a date in the URL, the best-placed date anywhere in the text, a relative date,
        and last the day htmldate finds. Implausible values (future, pre-1990) are skipped.
        """
        md = self.meta
        tz, lang = self.timezone, self.language()
        pub_cands = self._selector_dates(self.PUBLISHED) + md.published_candidates
        mod_cands = self._selector_dates(self.MODIFIED) + md.modified_candidates
        published, raw, source = self._first_date(pub_cands)
        texts: list[tuple[str, str]] = []
        if published is None:
            texts = [(t, "text") for t in dates_mod.text_date_candidates(self.doc)]
            published, raw, source = self._first_date(texts, relative=False)
        url_value = dates_mod.date_from_url(self.canonical_url() or self.doc.url,
                                            fetched_at=self.fetched_at, timezone=tz,
                                            language=lang)
        if url_value is None and self.canonical_url():
            url_value = dates_mod.date_from_url(self.doc.url, fetched_at=self.fetched_at,
                                                timezone=tz, language=lang)
        if published is None and url_value is not None:
            published, raw, source = url_value, self.doc.url, "url"
        elif published is not None and url_value is not None:
            published = dates_mod.reconcile_with_url(published, url_value)
        if published is None:
            published, raw, source = self._first_date(
                [(t, "text") for t in pagedates.page_dates(self.doc)], relative=False)
        if published is None:
            published, raw, source = self._first_date(
                [(t, s) for t, s in texts if dates_mod.is_relative(t)])
        if published is None and not self._dated_later(pub_cands):
            day = pagedates.htmldate_day(self.doc, self.fetched_at, self.canonical_url())
            published, raw, source = self._first_date([(day, "htmldate")] if day else [])
        modified, _, _ = self._first_date(mod_cands)
        if modified is not None and published is not None and modified < published:
            modified = None
        return dates_mod.DateResult(published=dates_mod.to_iso(published), published_raw=raw,
                                    modified=dates_mod.to_iso(modified), source=source)

    def _dated_later(self, candidates: list[tuple[str, str]]) -> bool:
        """Whether the page states a machine-readable date after the fetch time: it has its own
        date, only not a plausible one yet, so no other date stands in for it."""
        limit = self.fetched_at + dates_mod.FUTURE_TOLERANCE
        for raw, _ in candidates:
            value = dates_mod.parse_machine(raw)
            if value is not None and value > limit:
                return True
        return False

    def _selector_dates(self, css: str | None) -> list[tuple[str, str]]:
        """(raw, source) pairs from a portal selector: datetime/content attribute, else text."""
        if not css:
            return []
        out = []
        for sel in self.doc.selector.css(css):
            if isinstance(sel.root, str):
                out.append((clean_text(sel.root), "text"))
                continue
            attr = sel.root.get("datetime") or sel.root.get("content")
            if attr:
                out.append((clean_text(attr), "time" if sel.root.tag == "time" else "meta"))
            text = node_text(sel.root)
            if text:
                out.append((text, "text"))
        return out

    def _first_date(self, candidates: list[tuple[str, str]], *, relative: bool = True
                    ) -> tuple[datetime | None, str | None, str | None]:
        for raw, source in candidates:
            value = dates_mod.parse_date(raw, fetched_at=self.fetched_at,
                                         timezone=self.timezone, language=self.language(),
                                         human=source == "text", relative=relative)
            if value is not None:
                return value, raw, source
        return None, None, None

    def section(self) -> str | None:
        """Section / category name."""
        return self.select_text(self.SECTION) or self.meta.section

    def tags(self) -> list[str]:
        """Keywords and tags, deduplicated in page order."""
        if self.TAGS:
            found = [node_text(s.root) for s in self.doc.selector.css(self.TAGS)]
            if any(found):
                return list(dict.fromkeys(t for t in found if t))
        return list(dict.fromkeys(self.meta.tags))

    def image(self) -> str | None:
        """Lead image URL, absolute."""
        return urljoin(self.doc.url, self.meta.image) if self.meta.image else None

    def related(self) -> list[RelatedLink]:
        """Recommendation links, deduplicated, in page order."""
        return list(self._related.links)

    def paywalled(self) -> bool:
        """True when the page declares itself not free to read, or shows a paid-access barrier
        where its text ends."""
        return paywall.shows_paywall(self.doc, list(self._body.paragraphs),
                                    self.meta.accessible_for_free)

    def language(self) -> str | None:
        """ISO 639-1 language code."""
        return self.meta.language

    def canonical_url(self) -> str | None:
        """Absolute canonical URL, or None."""
        return urljoin(self.doc.url, self.meta.canonical_url) if self.meta.canonical_url else None

    # -- assembly ---------------------------------------------------------------------------
    def parse(self) -> Article:
        """Compute every field once, build the Article and give it the one definition of its
        text (`newscrawl.extract.finish`): what is evaluated is what a crawl emits."""
        body = self.body()
        dates = self.dates()
        return finish(without_controls(Article(
            url=self.doc.url,
            canonical_url=self.canonical_url(),
            portal=self.portal,
            language=self.language(),
            headline=self.headline(),
            lead=self.lead(),
            body=body,
            authors=self.authors(),
            published=dates.published,
            published_raw=dates.published_raw,
            modified=dates.modified,
            date_source=dates.source,
            section=self.section(),
            tags=self.tags(),
            image=self.image(),
            related=self.related(),
            paywalled=self.paywalled(),
            fetched_at=dates_mod.to_iso(self.fetched_at),
        )))


def without_controls(article: Article) -> Article:
    """The article with control characters removed from every text field, URLs and related
    links included: clean text holds none already, this catches what bypassed `clean_text`."""
    for name, value in vars(article).items():
        if isinstance(value, str):
            if has_controls(value):
                stripped = strip_controls(value)
                setattr(article, name, stripped if stripped or name == "url" else None)
        elif isinstance(value, list) and value:
            if isinstance(value[0], str):
                if any(map(has_controls, value)):
                    setattr(article, name, [v for v in map(strip_controls, value) if v])
            else:
                for link in value:
                    if isinstance(link, RelatedLink) and (
                            has_controls(link.title) or has_controls(link.url)):
                        link.title, link.url = strip_controls(link.title), strip_controls(link.url)
    return article
