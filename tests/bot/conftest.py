"""Fixtures for end-to-end bot tests: the fake Bot API, a movable clock, the running bot.

The helpers they use (and tests import) live in tests/support.

The bot is the real ``Application`` from ``bot.app.build_application``, started the way
``run_polling`` starts it (initialize, post_init, start, long polling) but inside the test's
event loop, talking HTTP to the fake Bot API server on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import ALLOWED_UPDATES, build_application
from bot.services import NewsApp
from digest.settings import Settings
from tests.support.bot import ADMIN, START, FakeClock, StartBot
from tests.support.fake_api import TOKEN, FakeBotApi


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def executor() -> AsyncIterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool  # type: ignore[misc]


@pytest.fixture
def bot_settings(settings: Settings, fake_api: FakeBotApi) -> Settings:
    return settings.model_copy(update={
        "bot_token": SecretStr(TOKEN),
        "api_base_url": fake_api.base_url,
        "api_file_url": fake_api.file_url,
        "admin_ids": frozenset({ADMIN}),
        # Real pacing is tested on its own; elsewhere it would only make the tests slow.
        "rate_overall": 1000.0,
        "rate_per_chat": 1000.0,
        # The digest tests need summaries long enough to fill several messages: the lead
        # sentences up to a generous limit. Summary choice and length are tested in
        # tests/test_summarize.py (the default may stop short of the sentence count).
        "summary_algorithm": "lead",
        "summary_max_chars": 10000,
    })


@pytest.fixture
def start_bot(
    bot_settings: Settings, clock: FakeClock, executor: ThreadPoolExecutor
) -> StartBot:
    """Start a bot (several in turn, to test restarts); stopped when the block ends."""

    @asynccontextmanager
    async def running(settings: Settings | None = None, **kwargs: Any) -> AsyncIterator[NewsApp]:
        options: dict[str, Any] = {
            "clock": clock, "executor": executor, "digest_first": 3600.0,
            "progress_interval": 0.0, **kwargs,
        }
        app = build_application(settings or bot_settings, **options)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES
        )
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            assert app.post_shutdown is not None
            await app.post_shutdown(app)

    return running


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[NewsApp]:
    async with start_bot() as app:
        yield app
