"""End to end: digests for channels and groups set up with /channel, forum threads."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from telegram.ext import Application

from tests.support.bot import ADMIN, FakeClock, Reader, StartBot, services_of
from tests.support.dumps import economy_article, jsonl
from tests.support.fake_api import FakeBotApi, SentMessage

CHANNEL, FORUM = -1001500, -1001600
OWNER, OTHER = 501, 502
AT_TEN = datetime(2026, 2, 11, 5, 0, tzinfo=UTC)  # 10:00 in Asia/Almaty
DUE = datetime(2026, 2, 11, 4, 0, tzinfo=UTC)  # 09:00
LONG = [economy_article(i, sentences=4, words=30) for i in range(1, 13)]  # > 4096 characters


def health_article(i: int) -> dict[str, str]:
    return {"title": f"Hospital doctors and patients {i}", "date": "2026-02-10", "lang": "en",
            "body": f"Report {i} on the hospital plan. Doctors met patients in the region."}


def titles(messages: list[SentMessage], start: str = "Economy report") -> list[str]:
    return [line for m in messages for line in m.text.splitlines() if line.startswith(start)]


async def ingest(api: FakeBotApi, data: bytes) -> None:
    report = await Reader(api, ADMIN).ingest("news.jsonl", data)
    assert report.text.startswith("✅"), report.text


async def add_channel(owner: Reader, target: str) -> SentMessage:
    added = await owner.ask(f"/channel add {target}")
    assert added.text.startswith("✅"), added.text
    return added


async def test_a_channel_gets_its_daily_digest_and_nothing_doubles_after_a_restart(
    start_bot: StartBot, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    fake_api.add_chat(CHANNEL, "channel", "Gov <News>", username="gov_news", admins={OWNER})
    owner = Reader(fake_api, OWNER)
    async with start_bot() as app:
        added = await add_channel(owner, "@gov_news")
        assert added.text.startswith(
            "✅ Gov <News> (@gov_news) gets a daily digest at 09:00 (Asia/Almaty) in language en.")
        keyboard = await owner.press(added, f"ch:{CHANNEL}:economy")
        assert ("✅ Economy", f"ch:{CHANNEL}:economy") in keyboard.buttons()
        assert (await owner.ask("/channel time @gov_news 10:00")).text == (
            "Gov <News> (@gov_news): the daily digest comes at 10:00 (Asia/Almaty).")
        listed = await owner.ask("/channel list")
        assert listed.text == (f"Your channels\nGov <News> (@gov_news) · {CHANNEL}\n"
                               "  topics: Economy\n  10:00 (Asia/Almaty), en; next digest: "
                               "11.02.2026 10:00")
        await ingest(fake_api, jsonl(LONG))
        clock.set(AT_TEN)
        fake_api.hold_sends_after(1)
        run = asyncio.create_task(services_of(app).scheduler.run_due_digests())
        await fake_api.wait_for(lambda: fake_api.held == 1, what="the channel's second message")
        run.cancel()  # the bot dies while the second message is on its way...
        with contextlib.suppress(asyncio.CancelledError):
            await run
        first = list(fake_api.sent_to(CHANNEL))
        assert len(first) == 1 and first[0].text.startswith(
            "📰 Gov <News> · news digest · 11.02.2026\n\n▪ Economy\n")
    fake_api.release(deliver=False)  # ... and that message never arrived

    async with start_bot() as app:
        summary = await services_of(app).scheduler.run_due_digests()
        assert summary is not None and summary.sent == 1
        got = titles(fake_api.sent_to(CHANNEL))
        assert fake_api.sent_to(CHANNEL)[-1].text.startswith("▪ Economy\n")  # continued
        assert sorted(got) == sorted(f"Economy report {i}: GDP growth and inflation"
                                     for i in range(1, 13))  # each once
        assert (await services_of(app).scheduler.run_due_digests()).due == 0  # type: ignore[union-attr]


async def test_channel_setup_refuses_what_telegram_would_not_allow(
    bot: Application, fake_api: FakeBotApi
) -> None:
    owner, other = Reader(fake_api, OWNER), Reader(fake_api, OTHER)
    fake_api.add_chat(-1001701, "channel", "Member only", username="member_only",
                      admins={OWNER}, bot_status="member")
    fake_api.add_chat(-1001702, "channel", "No posting", username="no_posting",
                      admins={OWNER}, can_post=False)
    fake_api.add_chat(CHANNEL, "channel", "Gov News", username="gov_news", admins={OWNER})
    assert (await owner.ask("/channel add @nobody_here")).text.startswith(
        "I can't find “@nobody_here”.")
    for name in ("Member only", "No posting"):
        target = "@" + name.lower().replace(" ", "_")
        assert (await owner.ask(f"/channel add {target}")).text == (
            f"I am not an administrator of {name} with the right to post messages. "
            "Make me one in the channel's settings, then try again.")
    assert (await other.ask("/channel add @gov_news")).text == (
        "Only an administrator of Gov News can set up its digests.")
    assert (await owner.ask("/channel add")).text.startswith("Which channel or group?")
    assert (await owner.ask("/channel frobnicate")).text.startswith("Usage: /channel add")
    assert not await services_of(bot).subscribers.get(CHANNEL)

    # Set up by the owner; then the owner loses the rights and can change nothing more.
    await add_channel(owner, str(CHANNEL))
    assert (await other.ask("/channel topics @gov_news")).text == (
        "Only an administrator of Gov News (@gov_news) can set up its digests.")
    assert (await owner.ask("/channel lang @gov_news de")).text.startswith("Which language?")
    assert (await owner.ask("/channel lang ru")).text == (  # the only channel: no name needed
        "Gov News (@gov_news): digests are in language ru now.")
    assert (await owner.ask("/channel mode economy weekly fri")).text == (
        "Gov News (@gov_news) does not get Economy: tick it first (/channel topics).")
    topics = await owner.ask("/channel topics")
    await owner.press(topics, f"ch:{CHANNEL}:economy")
    assert (await owner.ask("/channel mode @gov_news economy weekly fri")).text == (
        "Gov News (@gov_news) · Economy: weekly, Friday")
    assert (await owner.ask("/channel mode economy hourly")).text.startswith(
        "“hourly” is not a mode.")
    assert (await owner.ask("/channel mode")).text.startswith("Usage: /channel mode")
    fake_api.chats[CHANNEL].admins = {OTHER}
    assert (await owner.ask("/channel remove @gov_news")).text == (
        "Only an administrator of Gov News (@gov_news) can set up its digests.")
    fake_api.chats[CHANNEL].admins = {OWNER}
    assert (await owner.ask("/channel remove @gov_news")).text == (
        "Gov News (@gov_news) gets no more digests.")
    assert (await owner.ask("/channel list")).text.startswith("You have not added any channel")
    # In a group, /channel is pointed at the private chat.
    fake_api.send_text(-5, "/channel add @gov_news", user_id=OWNER)
    [answer] = await fake_api.wait_sent(-5, 1)
    assert answer.text.startswith("Set up channel digests in a private chat")


async def test_a_forum_group_gets_economy_news_in_its_economy_thread(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    fake_api.add_chat(FORUM, "supergroup", "Newsroom", is_forum=True, admins={OWNER},
                      bot_status="member", threads={11, 12})
    owner = Reader(fake_api, OWNER)
    added = await add_channel(owner, str(FORUM))
    assert "It is a forum" in added.text
    await owner.press(added, f"ch:{FORUM}:economy")
    await owner.press(fake_api.current(added), f"ch:{FORUM}:health")

    # A member who is not an administrator cannot route topics.
    fake_api.send_text(FORUM, "/channel thread economy", user_id=OTHER, thread_id=11)
    [refused] = await fake_api.wait_sent(FORUM, 1)
    assert refused.text == "Only an administrator of Newsroom can set up its digests."
    fake_api.send_text(FORUM, "/channel thread economy", user_id=OWNER, thread_id=11)
    routed = (await fake_api.wait_sent(FORUM, 2))[1]
    assert routed.text == "Economy news now comes to this thread."
    assert routed.params.get("message_thread_id") == 11  # the answer came in the thread

    before = len(fake_api.sent_to(FORUM))
    await ingest(fake_api, jsonl([economy_article(1), economy_article(2), health_article(1)]))
    clock.set(DUE)
    await services_of(bot).scheduler.run_due_digests()
    digest = fake_api.sent_to(FORUM)[before:]
    by_thread = {m.params.get("message_thread_id"): m for m in digest}
    assert set(by_thread) == {None, 11}
    assert titles([by_thread[11]]) == ["Economy report 2: GDP growth and inflation",
                                       "Economy report 1: GDP growth and inflation"]
    assert "▪ Economy" in by_thread[11].text and "Hospital" not in by_thread[11].text
    assert titles([by_thread[None]], "Hospital") == ["Hospital doctors and patients 1"]
    assert len(await services_of(bot).subscribers.delivered(FORUM)) == 3

    # A forum group that subscribed from inside (no /channel add) can route threads too.
    fake_api.add_chat(-1001601, "supergroup", "Team", is_forum=True, admins={OWNER},
                      bot_status="member", threads={5})
    fake_api.send_text(-1001601, "/channel thread health", user_id=OWNER, thread_id=5)
    [routed] = await fake_api.wait_sent(-1001601, 1)
    assert routed.text == "Health news now comes to this thread."


async def test_a_channel_that_removed_the_bot_is_not_tried_again_until_added_back(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    fake_api.add_chat(CHANNEL, "channel", "Gov News", username="gov_news", admins={OWNER})
    owner = Reader(fake_api, OWNER)
    added = await add_channel(owner, "@gov_news")
    await owner.press(added, f"ch:{CHANNEL}:economy")
    await ingest(fake_api, jsonl([economy_article(1)]))
    fake_api.chats[CHANNEL].bot_status = "left"
    clock.set(DUE)
    summary = await services_of(bot).scheduler.run_due_digests()
    assert summary is not None and summary.blocked == 1 and not fake_api.sent_to(CHANNEL)
    assert (await owner.ask("/channel add @gov_news")).text.startswith("I am not an administrator")
    # Telegram will not say who administers a chat the bot was removed from: the one who
    # added it may still manage it; anybody else may not.
    del fake_api.chats[CHANNEL]
    assert (await Reader(fake_api, OTHER).ask(f"/channel topics {CHANNEL}")).text == (
        "Only an administrator of Gov News (@gov_news) can set up its digests.")
    assert (await owner.ask("/channel topics @gov_news")).text.startswith(
        "Topics for Gov News (@gov_news)")
    fake_api.add_chat(CHANNEL, "channel", "Gov News", username="gov_news", admins={OWNER},
                      bot_status="left")
    fake_api.chats[CHANNEL].bot_status = "administrator"
    await add_channel(owner, "@gov_news")  # back: active again, topics kept
    clock.set(DUE + timedelta(days=1))
    await services_of(bot).scheduler.run_due_digests()
    assert titles(fake_api.sent_to(CHANNEL)) == ["Economy report 1: GDP growth and inflation"]
