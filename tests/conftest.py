"""Shared fixtures: the real data in ../shared/data (skipped when absent), an in-memory cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from pipeline.cache import Cache

# Every property test draws the same examples on every run (CI cannot fail on an input nobody
# has seen) and keeps no example database in the tree.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.load_profile("repeatable")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_file(*parts: str) -> Path:
    """A file under ../shared/data; the calling test is skipped with a reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: this test reads real data from ../shared/data beside the repository")
    return path


@pytest.fixture
def memory_cache():
    with Cache(":memory:") as cache:
        yield cache


@pytest.fixture(autouse=True)
def _stance_scores_in_memory(monkeypatch):
    """Stance encoder scores stay in the test process (no stance.sqlite left in the tree)."""
    monkeypatch.setenv("FACTCHECK_STANCE_CACHE", "off")


@pytest.fixture
def cue_stance(monkeypatch):
    """The stance of hand-made sources fixed by their wording (tests/stance_stub.py), for tests of
    the verdict rules that must not hang on what the committed encoder reads."""
    from stance_stub import CueScorer

    from pipeline.rating import reading
    monkeypatch.setattr(reading, "default_scorer", CueScorer)
