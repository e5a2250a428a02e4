"""Shared test fixtures: paths to the project's fixtures and to the evaluation corpus."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.devtools.portal_server import PortalServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SEED = SHARED / "seed"
PORTAL = FIXTURES / "portal"


@pytest.fixture
def corpus_dir() -> Path:
    """The evaluation corpus beside the checkout; tests needing it skip when it is absent."""
    if not (CORPUS / "cases.jsonl").exists():
        pytest.skip(f"evaluation corpus not found at {CORPUS} (it lives beside the checkout)")
    return CORPUS


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[PortalServer]:
    """A private copy of the miniature portal (tests may edit it), served on a free loopback
    port with its request log also written to `requests.log` in the test's folder."""
    root = tmp_path / "portal"
    shutil.copytree(PORTAL, root)
    with PortalServer(root, log_file=tmp_path / "requests.log") as server:
        yield server


@pytest.fixture(scope="session")
def postgres() -> Iterator[object]:
    """One throwaway PostgreSQL server for the session (tests/postgres_server.py); skips where
    PostgreSQL is not installed, fails in CI."""
    from postgres_server import postgres_server

    with postgres_server() as server:
        yield server


_DATABASES = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each engine the article store supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'articles.db'}"
    return request.getfixturevalue("postgres").create_database(f"test{next(_DATABASES)}")
