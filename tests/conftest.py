"""Shared test fixtures: paths to the project's fixtures and to the evaluation corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SEED = SHARED / "seed"


@pytest.fixture
def corpus_dir() -> Path:
    """The evaluation corpus beside the checkout; tests needing it skip when it is absent."""
    if not (CORPUS / "cases.jsonl").exists():
        pytest.skip(f"evaluation corpus not found at {CORPUS} (it lives beside the checkout)")
    return CORPUS
