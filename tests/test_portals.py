"""Every portal fixture pair (`<portal>/<name>.html` + `.json`) against its parser."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from itemadapter import ItemAdapter

from newscrawl.extract.text import norm_key
from newscrawl.portals import PORTALS, portal_for_url
from newscrawl.routing import extract_article

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
PAIRS = sorted(p for p in PAGES.glob("*/*.html") if p.with_suffix(".json").exists())
FETCHED = datetime(2025, 12, 1, 12, 0, tzinfo=UTC)


def _load(page: Path) -> tuple[dict, dict]:
    spec = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    article = extract_article(page.read_bytes(), spec["url"], fetched_at=FETCHED)
    return spec, ItemAdapter(article).asdict()


def test_fixture_pairs_exist() -> None:
    assert len(PAIRS) >= len(PORTALS), "every portal module needs at least one fixture pair"
    covered = {p.parent.name for p in PAIRS}
    assert set(PORTALS) <= covered, f"portals without fixtures: {set(PORTALS) - covered}"


@pytest.mark.parametrize("page", PAIRS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_matches_expected(page: Path) -> None:
    spec, got = _load(page)
    assert portal_for_url(spec["url"]) is PORTALS[page.parent.name]
    for name, want in spec["expected"].items():
        assert got[name] == want, f"{page.name}: field {name!r}"


@pytest.mark.parametrize("page", PAIRS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_related_titles_never_leak_into_body(page: Path) -> None:
    _, got = _load(page)
    assert got["related"], "every fixture carries a recommendation block"
    body = norm_key(" ".join(got["body"]))
    for link in got["related"]:
        assert norm_key(link["title"]) not in body, link["title"]


@pytest.mark.parametrize("page", PAIRS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_article_urls_match_portal_pattern(page: Path) -> None:
    spec = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    assert PORTALS[page.parent.name].is_article_url(spec["url"])
