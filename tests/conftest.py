"""Shared fixtures: paths to the real sample, settings on a temporary database, a store on
it, and a worker pool for ingests."""

from __future__ import annotations

import faulthandler
import sys
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from digest.settings import Settings, load_settings
from digest.storage import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "000_c98922bd1529e520.txt"
SAMPLE = REPO / "digest" / "data" / "sample_dump.txt"
EXIT_LIMIT = 120  # seconds the interpreter may take to exit after the last test


def pytest_unconfigure(config: pytest.Config) -> None:
    # A thread or child process left blocked by a test (a process pool's feeder writing to a
    # pipe nobody reads) hangs the interpreter at exit, after every test passed: CI then
    # waits out its whole time limit and says nothing. Instead, print every thread's stack
    # and fail.
    faulthandler.dump_traceback_later(EXIT_LIMIT, exit=True, file=sys.__stderr__)


@pytest.fixture
def seed_path() -> Path:
    if not SEED.is_file():
        pytest.skip("../shared/seeds is not beside the repository")
    return SEED


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # Tests must not pick up a developer's .env or NEWSBOT_* variables.
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("NEWSBOT_"):
            monkeypatch.delenv(name)
    return load_settings(db_path=tmp_path / "news.db", workers=1)


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[Store]:
    async with await Store.open(settings.db_path) as opened:
        yield opened
