"""The bot's rate limiter paces each private chat; different chats are not held back."""

from __future__ import annotations

import asyncio
from itertools import pairwise
from typing import Any

from tests.bot.conftest import StartBot
from tests.bot.fake_api import FakeBotApi


async def test_private_chats_are_paced_and_other_chats_are_not(
    start_bot: StartBot, bot_settings: Any, fake_api: FakeBotApi
) -> None:
    settings = bot_settings.model_copy(update={"rate_per_chat": 4.0})  # one per 0.25 s
    async with start_bot(settings) as app:
        await asyncio.gather(*(app.bot.send_message(701, f"m{i}") for i in range(3)))
        await asyncio.gather(*(app.bot.send_message(710 + i, "x") for i in range(3)))
    same = [c.at for c in fake_api.calls_to("sendMessage", 701)]
    assert len(same) == 3
    assert all(later - earlier >= 0.24 for earlier, later in pairwise(same))
    others = [c.at for c in fake_api.calls if c.method == "sendMessage" and c.chat_id >= 710]
    assert len(others) == 3
    assert max(others) - min(others) < 0.2
