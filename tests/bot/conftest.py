"""Fixtures for end-to-end bot tests: the fake Bot API, a movable clock, the running bot.

The bot is the real ``Application`` from ``bot.app.build_application``, started the way
``run_polling`` starts it (initialize, post_init, start, long polling) but inside the test's
event loop, talking HTTP to the fake Bot API server on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application
from bot.handlers.context import Services
from digest.settings import Settings
from tests.bot.fake_api import TOKEN, FakeBotApi, SentMessage

ADMIN = 9001
# 07:00 in Asia/Almaty (UTC+5): two hours before the default 09:00 digest.
START = datetime(2026, 2, 11, 2, 0, tzinfo=UTC)


class FakeClock:
    """The bot's notion of now, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


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


StartBot = Callable[..., AbstractAsyncContextManager[Application]]


@pytest.fixture
def start_bot(
    bot_settings: Settings, clock: FakeClock, executor: ThreadPoolExecutor
) -> StartBot:
    """Start a bot (several in turn, to test restarts); stopped when the block ends."""

    @asynccontextmanager
    async def running(settings: Settings | None = None, **kwargs: Any) -> AsyncIterator[Application]:
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
async def bot(start_bot: StartBot) -> AsyncIterator[Application]:
    async with start_bot() as app:
        yield app


def services_of(app: Application) -> Services:
    return app.bot_data["services"]  # type: ignore[no-any-return]


class Reader:
    """A Telegram user chatting with the bot through the fake server."""

    def __init__(self, api: FakeBotApi, chat_id: int, language_code: str | None = "en") -> None:
        self.api = api
        self.chat_id = chat_id
        self.language_code = language_code

    @property
    def received(self) -> list[SentMessage]:
        return self.api.sent_to(self.chat_id)

    async def say(self, text: str, replies: int = 1) -> list[SentMessage]:
        """Send a message; return the bot's next `replies` messages to this chat."""
        before = len(self.received)
        self.api.send_text(self.chat_id, text, language_code=self.language_code)
        sent = await self.api.wait_sent(self.chat_id, before + replies)
        return sent[before:]

    async def ask(self, text: str) -> SentMessage:
        return (await self.say(text))[0]

    async def press(self, message: SentMessage, data: str) -> SentMessage:
        """Tap an inline button; return the message after the bot's edit."""
        answered = len(self.api.calls_to("answerCallbackQuery"))
        edits = len(self.api.calls_to("editMessageReplyMarkup", self.chat_id))
        self.api.press(self.chat_id, message, data, language_code=self.language_code)
        await self.api.wait_for(
            lambda: len(self.api.calls_to("answerCallbackQuery")) > answered
            and len(self.api.calls_to("editMessageReplyMarkup", self.chat_id)) > edits,
            what="callback answer and keyboard edit",
        )
        return self.api.current(message)

    async def upload(self, name: str, data: bytes, *, size: int | None = None) -> SentMessage:
        """Send a document; return the bot's first reply (edited later for an admin)."""
        before = len(self.received)
        self.api.send_document(self.chat_id, name, data, size=size,
                               language_code=self.language_code)
        sent = await self.api.wait_sent(self.chat_id, before + 1)
        return sent[before]

    async def ingest(self, name: str, data: bytes) -> SentMessage:
        """Upload a dump and wait for the final state of the status message (✅ or ❌)."""
        first = await self.upload(name, data)
        return await self.api.wait_for(
            lambda: (m := self.api.current(first)).text.startswith(("✅", "❌")) and m,
            what=f"the ingest report for {name}",
        )
