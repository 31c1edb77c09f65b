"""The bot's rate limiter paces each private chat; different chats are not held back."""

from __future__ import annotations

import asyncio
from itertools import pairwise
from typing import Any

from tests.support.bot import StartBot
from tests.support.fake_api import FakeBotApi


async def test_private_chats_are_paced_and_other_chats_are_not(
    start_bot: StartBot, bot_settings: Any, fake_api: FakeBotApi
) -> None:
    settings = bot_settings.model_copy(update={"rate_per_chat": 4.0})  # one per 0.25 s
    async with start_bot(settings) as app:
        await asyncio.gather(*(app.bot.send_message(701, f"m{i}") for i in range(3)))
    same = fake_api.calls_to("sendMessage", 701)
    assert [c.params["text"] for c in same] == ["m0", "m1", "m2"]  # in the order sent
    # A lower bound only: a slow machine widens the gaps, never narrows them.
    assert all(later.at - earlier.at >= 0.25 for earlier, later in pairwise(same))


async def test_a_chat_waiting_for_its_gap_does_not_hold_up_another_chat(
    start_bot: StartBot, bot_settings: Any, fake_api: FakeBotApi
) -> None:
    settings = bot_settings.model_copy(update={"rate_per_chat": 0.2})  # one per 5 s
    async with start_bot(settings) as app:
        await app.bot.send_message(702, "first")
        second = asyncio.create_task(app.bot.send_message(702, "second"))
        await app.bot.send_message(703, "other chat")  # not queued behind 702's gap
        assert [c.params["text"] for c in fake_api.calls_to("sendMessage", 702)] == ["first"]
        assert not second.done()
        second.cancel()


async def test_groups_get_their_budget_and_paid_broadcasts_their_own(
    start_bot: StartBot, bot_settings: Any, fake_api: FakeBotApi
) -> None:
    # 20 messages a minute per group: the 21st to one group waits, another group does not.
    async with start_bot(bot_settings) as app:
        await asyncio.gather(*(app.bot.send_message(-900, f"g{i}") for i in range(20)))
        waiting = asyncio.create_task(app.bot.send_message(-900, "g20"))
        await app.bot.send_message(-901, "another group")
        await app.bot.send_message(704, "x", allow_paid_broadcast=True)
        assert len(fake_api.calls_to("sendMessage", -900)) == 20
        assert not waiting.done()
        waiting.cancel()
    [paid] = fake_api.calls_to("sendMessage", 704)
    assert paid.params["allow_paid_broadcast"] is True
