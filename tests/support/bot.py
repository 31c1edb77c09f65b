"""Helpers for end-to-end bot tests: a movable clock and a Telegram user talking to the bot.

The fixtures that build the fake server and start the bot live in tests/bot/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

from bot.services import NewsApp, Services

from .fake_api import FakeBotApi, SentMessage

ADMIN = 9001
# 07:00 in Asia/Almaty (UTC+5): two hours before the default 09:00 digest.
START = datetime(2026, 2, 11, 2, 0, tzinfo=UTC)

# The `start_bot` fixture: start a bot (optionally with other settings or options).
StartBot = Callable[..., AbstractAsyncContextManager[NewsApp]]


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


def services_of(app: NewsApp) -> Services:
    return app.bot_data.services


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
