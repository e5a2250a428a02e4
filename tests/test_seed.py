"""The seed round-trip: a WP article page in, the seed's plain-text layout out.

The seed (`seed/000_623e46e12cd82aae.txt` beside the checkout) is a real scrape in which every
"Wybrane dla Ciebie" title appears twice; the extractor must give each once, in page order.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, SEED

SEED_FILE = SEED / "000_623e46e12cd82aae.txt"
PAGE = ROOT / "fixtures" / "pages" / "wp" / "seed-article.html"
URL = "https://wiadomosci.wp.pl/iwanow-nowa-wspolpraca-z-nato-6033771225355905a"
HEADING = "Wybrane dla Ciebie"


@pytest.fixture
def seed_text() -> str:
    """The seed file, skipping when it is not beside the checkout."""
    if not SEED_FILE.exists():
        pytest.skip(f"seed file not found at {SEED_FILE} (it lives beside the checkout)")
    return SEED_FILE.read_text(encoding="utf-8")


def _dedup_seed(text: str) -> str:
    """The seed with each duplicated related title kept once (its no-break spaces kept too)."""
    lines = text.rstrip("\n").split("\n")
    cut = lines.index(HEADING) + 1
    titles = list(dict.fromkeys(lines[cut:]))
    return "\n".join(lines[:cut] + titles)


def _extract(fmt: str) -> str:
    cmd = [sys.executable, "-m", "newscrawl.cli", "extract", str(PAGE), "--url", URL,
           "--format", fmt]
    done = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", check=True)
    return done.stdout


def test_seed_has_duplicated_titles(seed_text: str) -> None:
    lines = seed_text.rstrip("\n").split("\n")
    titles = lines[lines.index(HEADING) + 1:]
    assert len(titles) == 24 and len(set(titles)) == 12


def test_txt_output_is_the_seed_without_duplicates(seed_text: str) -> None:
    assert _extract("txt").rstrip("\n") == _dedup_seed(seed_text)


def test_json_output_fields(seed_text: str) -> None:
    data = json.loads(_extract("json"))
    paragraphs = seed_text.split("\n\n")
    assert data["headline"] == paragraphs[0]
    assert data["lead"] == paragraphs[1]
    assert data["body"] == paragraphs[2:7]
    assert len(data["related"]) == 12
    assert len({link["url"] for link in data["related"]}) == 12
    assert all(link["url"].startswith("https://wiadomosci.wp.pl/") for link in data["related"])


def test_json_output_signature_author(seed_text: str) -> None:
    assert seed_text.split("\n\n")[6].endswith("(reb)")
    assert "reb" in json.loads(_extract("json"))["authors"]
