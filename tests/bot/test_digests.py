"""End to end: daily digests — timing, content, splitting, restarts, blocked users, errors.

Time is the injected clock; a digest run is started through the scheduler's public entry
point (or the job itself), never by waiting for the minute job.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from telegram.ext import Application

from bot.render import MAX_MESSAGE, tg_len
from digest.topics import parse_catalog
from tests.support.bot import ADMIN, FakeClock, Reader, StartBot, services_of
from tests.support.db import raw
from tests.support.dumps import economy_article, jsonl
from tests.support.fake_api import FakeBotApi, SentMessage

DUE = datetime(2026, 2, 11, 4, 0, tzinfo=UTC)  # 09:00 in Asia/Almaty
LONG = [economy_article(i, sentences=4, words=30) for i in range(1, 13)]  # > 4096 characters


def titles(messages: list[SentMessage]) -> list[str]:
    return [line for m in messages for line in m.text.splitlines()
            if line.startswith("Economy report")]


async def subscribe(api: FakeBotApi, chat_id: int, *topics: str) -> Reader:
    reader = Reader(api, chat_id)
    for topic in topics:
        assert (await reader.ask(f"/subscribe {topic}")).text.startswith("Subscribed")
    return reader


async def ingest(api: FakeBotApi, name: str, data: bytes) -> None:
    report = await Reader(api, ADMIN).ingest(name, data)
    assert report.text.startswith("✅"), report.text


async def test_the_daily_digest_comes_once_at_the_users_time(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock, seed_path: Path
) -> None:
    user = await subscribe(fake_api, 601, "economy", "constitution")
    await ingest(fake_api, seed_path.name, seed_path.read_bytes())
    svc = services_of(bot)
    before = len(user.received)

    clock.set(DUE - timedelta(minutes=1))
    assert (await svc.scheduler.run_due_digests()).due == 0  # type: ignore[union-attr]
    assert len(user.received) == before

    clock.set(DUE)
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None and (summary.due, summary.sent) == (1, 1)
    digest = user.received[before:]
    assert len(digest) == 1
    text = digest[0].text
    assert text.startswith("📰 Your digest · 11.02.2026\n\n▪ Economy\nOlzhas Bektenov reported")
    economy, constitution = text.split("▪ Constitution and law\n")
    assert "The new Constitution is a legal guide" in constitution
    assert "medical profession in Shymkent" in constitution
    assert "ethnocultural associations in Shymkent" in constitution
    assert "Kazakhstan and India" not in text  # foreign policy: not their topic
    assert "Olzhas Bektenov" in economy and "Shymkent" not in economy
    assert any("1158714" in url for _, url in digest[0].links())
    assert digest[0].params["link_preview_options"] == {"is_disabled": True}
    assert digest[0].params["parse_mode"] == "HTML"
    delivered = await svc.subscribers.delivered(601)
    assert len(delivered) == 4

    # The same minute again: already sent, nothing more.
    assert (await svc.scheduler.run_due_digests()).due == 0  # type: ignore[union-attr]
    # The next day, nothing new: no message, and the day after is next.
    clock.set(DUE + timedelta(days=1))
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None and (summary.due, summary.sent, summary.empty) == (1, 0, 1)
    assert len(user.received) == before + 1
    sub = await svc.subscribers.get(601)
    assert sub is not None and sub.next_digest_at == DUE + timedelta(days=2)
    run = await svc.subscribers.last_run()
    assert run is not None and run.finished_at is not None and run.sent == 0

    # Something new arrives: the next digest has only that.
    await ingest(fake_api, "new.jsonl", jsonl([economy_article(40)]))
    clock.set(DUE + timedelta(days=2))
    await svc.scheduler.run_due_digests()
    assert len(user.received) == before + 2
    assert titles(user.received[-1:]) == ["Economy report 40: GDP growth and inflation"]


async def test_the_minute_job_starts_the_run(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    user = await subscribe(fake_api, 602, "economy")
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    before = len(user.received)
    clock.set(DUE)
    assert bot.job_queue is not None
    [job] = bot.job_queue.jobs()
    assert job.name == "digests"
    await job.run(bot)
    await services_of(bot).scheduler.wait_idle()
    assert titles(user.received[before:]) == ["Economy report 1: GDP growth and inflation"]


async def test_a_digest_missed_during_downtime_is_sent_once(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    user = await subscribe(fake_api, 603, "economy")
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    before = len(user.received)
    clock.set(DUE + timedelta(days=3, hours=2))  # back three days late, at 11:00 local
    svc = services_of(bot)
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None and summary.sent == 1
    assert (await svc.scheduler.run_due_digests()).due == 0  # type: ignore[union-attr]
    assert len(user.received) == before + 1
    sub = await svc.subscribers.get(603)
    assert sub is not None and sub.next_digest_at == DUE + timedelta(days=4)


async def test_a_long_digest_arrives_in_several_messages_none_over_4096(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    user = await subscribe(fake_api, 604, "economy")
    await ingest(fake_api, "long.jsonl", jsonl(LONG))
    before = len(user.received)
    clock.set(DUE)
    await services_of(bot).scheduler.run_due_digests()
    digest = user.received[before:]
    assert len(digest) >= 2
    assert all(tg_len(m.source) <= MAX_MESSAGE for m in digest)
    assert sorted(titles(digest)) == sorted(
        f"Economy report {i}: GDP growth and inflation" for i in range(1, 13))
    assert digest[0].text.startswith("📰 Your digest")
    assert all(m.text.startswith("▪ Economy\n") for m in digest[1:])
    assert len(await services_of(bot).subscribers.delivered(604)) == 12


async def test_a_single_huge_summary_is_cut_at_a_sentence(
    start_bot: StartBot, bot_settings: Any, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    settings = bot_settings.model_copy(update={"summary_sentences": 20})
    async with start_bot(settings) as app:
        user = await subscribe(fake_api, 605, "economy")
        await ingest(fake_api, "huge.jsonl", jsonl([economy_article(1, sentences=40, words=45)]))
        [stored] = await services_of(app).store.latest()
        assert tg_len(stored.summary) > MAX_MESSAGE  # the precondition of this test
        before = len(user.received)
        clock.set(DUE)
        await services_of(app).scheduler.run_due_digests()
    [digest] = user.received[before:]
    assert tg_len(digest.source) <= MAX_MESSAGE
    summary = digest.text.splitlines()[-1]
    assert summary.endswith(".") and stored.summary.startswith(summary)
    assert len(summary) > MAX_MESSAGE // 2


async def _long_digests_for_two(fake_api: FakeBotApi, clock: FakeClock) -> tuple[Reader, Reader]:
    first = await subscribe(fake_api, 611, "economy")
    second = await subscribe(fake_api, 612, "economy")
    await ingest(fake_api, "long.jsonl", jsonl(LONG))
    clock.set(DUE)
    return first, second


ALL_LONG = sorted(f"Economy report {i}: GDP growth and inflation" for i in range(1, 13))


async def test_a_crash_in_the_middle_of_a_run_sends_nothing_twice_and_loses_nothing(
    start_bot: StartBot, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    async with start_bot() as app:
        first, second = await _long_digests_for_two(fake_api, clock)
        readers = (first, second)
        before = (len(first.received), len(second.received))
        fake_api.hold_sends_after(1)
        run = asyncio.create_task(services_of(app).scheduler.run_due_digests())
        # Both digests are on their way at once: one message went through, then one message
        # of each subscriber is held (a sequential run would only ever hold one).
        await fake_api.wait_for(lambda: fake_api.held == 2, what="a message to each chat")
        run.cancel()  # the process dies while those messages are on their way
        with contextlib.suppress(asyncio.CancelledError):
            await run
        got = [len(r.received) - n for r, n in zip(readers, before, strict=True)]
        assert sorted(got) == [0, 1]
        for reader, count in zip(readers, before, strict=True):  # what arrived is recorded
            assert len(await services_of(app).subscribers.delivered(reader.chat_id)) == len(
                titles(reader.received[count:]))
    fake_api.release(deliver=False)  # ... and those messages never reached the users

    async with start_bot() as app:
        summary = await services_of(app).scheduler.run_due_digests()
        assert summary is not None and summary.sent == 2
        for reader, count in zip(readers, before, strict=True):
            # Every article exactly once: the part sent before the crash, then the rest.
            assert sorted(titles(reader.received[count:])) == ALL_LONG
            assert len(await services_of(app).subscribers.delivered(reader.chat_id)) == 12
        assert (await services_of(app).scheduler.run_due_digests()).due == 0  # type: ignore[union-attr]


async def test_a_stop_request_finishes_the_messages_being_sent_records_them_and_stops(
    start_bot: StartBot, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    async with start_bot() as app:
        first, second = await _long_digests_for_two(fake_api, clock)
        readers = (first, second)
        before = (len(first.received), len(second.received))
        svc = services_of(app)
        fake_api.hold_sends_after(1)
        run = asyncio.create_task(svc.scheduler.run_due_digests())
        await fake_api.wait_for(lambda: fake_api.held == 2, what="a message to each chat")
        svc.scheduler.request_stop()  # SIGTERM arrives while those messages are being sent
        fake_api.release(deliver=True)
        summary = await run
        assert summary is not None and summary.stopped
        parts = [r.received[n:] for r, n in zip(readers, before, strict=True)]
        # The one message that went through, and the two in flight at the stop: no more.
        assert sorted(len(p) for p in parts) == [1, 2]
        for reader, part in zip(readers, parts, strict=True):
            assert len(await svc.subscribers.delivered(reader.chat_id)) == len(titles(part))
            sub = await svc.subscribers.get(reader.chat_id)
            assert sub is not None and sub.next_digest_at == DUE  # not advanced: resumes
        assert svc.scheduler.start_run(app) is None  # no new run once stopping

    async with start_bot() as app:
        await services_of(app).scheduler.run_due_digests()
    for reader, count in zip(readers, before, strict=True):
        assert sorted(titles(reader.received[count:])) == ALL_LONG


async def test_many_subscribers_are_served_at_once_each_chat_in_order_and_paced(
    start_bot: StartBot, bot_settings: Any, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    # One message per 0.2 s per private chat; a long digest is three or more messages.
    settings = bot_settings.model_copy(update={"rate_per_chat": 5.0, "digest_senders": 8})
    chats = list(range(801, 813))
    async with start_bot(settings) as app:
        readers = [await subscribe(fake_api, chat, "economy") for chat in chats]
        await ingest(fake_api, "long.jsonl", jsonl(LONG))
        before = [len(r.received) for r in readers]
        fake_api.latency = 0.02
        clock.set(DUE)
        summary = await services_of(app).scheduler.run_due_digests()
        assert summary is not None and (summary.due, summary.sent) == (12, 12)
    for reader, count in zip(readers, before, strict=True):
        digest = reader.received[count:]
        assert len(digest) >= 2 and sorted(titles(digest)) == sorted(titles(reader.received[count:]))
        assert sorted(titles(digest)) == ALL_LONG
        # In order: the header first; each message's articles newest first, as composed.
        assert digest[0].text.startswith("📰 Your digest")
        assert not any(m.text.startswith("📰") for m in digest[1:])
        numbers = [int(t.split()[2].rstrip(":")) for t in titles(digest)]
        assert numbers == sorted(numbers, reverse=True)
        # Paced: never two messages to one reader closer than the per-chat gap. (A lower
        # bound only: a slow machine can widen the gaps, never narrow them.)
        arrived = [c.at for c in fake_api.calls_to("sendMessage", reader.chat_id)][count:]
        assert all(b - a >= 0.19 for a, b in itertools.pairwise(arrived)), [b - a for a, b in itertools.pairwise(arrived)]
    # Served concurrently, never more at once than there are senders.
    assert 2 <= fake_api.max_in_flight <= 8


async def test_a_paid_broadcast_sends_digests_with_allow_paid_broadcast_and_only_them(
    start_bot: StartBot, bot_settings: Any, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    settings = bot_settings.model_copy(update={"paid_broadcast": True})
    async with start_bot(settings) as app:
        user = await subscribe(fake_api, 821, "economy")
        await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
        replies = fake_api.calls_to("sendMessage", 821)
        assert replies and not any(c.params.get("allow_paid_broadcast") for c in replies)
        before = len(user.received)
        clock.set(DUE)
        await services_of(app).scheduler.run_due_digests()
    [digest] = user.received[before:]
    assert digest.params.get("allow_paid_broadcast") is True
    assert titles([digest]) == ["Economy report 1: GDP growth and inflation"]


async def test_a_user_who_blocked_the_bot_is_marked_inactive_and_others_are_served(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    readers = [await subscribe(fake_api, chat, "economy") for chat in (621, 622, 623)]
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    counts = [len(r.received) for r in readers]
    fake_api.block(622)
    clock.set(DUE)
    svc = services_of(bot)
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None and (summary.sent, summary.blocked) == (2, 1)
    assert [len(r.received) - c for r, c in zip(readers, counts, strict=True)] == [1, 0, 1]
    blocked = await svc.subscribers.get(622)
    assert blocked is not None and not blocked.active
    run = await svc.subscribers.last_run()
    assert run is not None and (run.sent, run.failed, run.blocked) == (2, 0, 1)
    _chart, stats = await Reader(fake_api, ADMIN).say("/stats", replies=2)
    assert "Subscribers: 2 active, 1 inactive" in stats.text
    assert "2 sent, 0 failed, 1 blocked" in stats.text

    attempts = len(fake_api.calls_to("sendMessage", 622))
    await ingest(fake_api, "two.jsonl", jsonl([economy_article(2)]))
    clock.set(DUE + timedelta(days=1))
    await svc.scheduler.run_due_digests()
    assert len(fake_api.calls_to("sendMessage", 622)) == attempts  # not tried again


# PTB's own RetryAfter reads its deprecated int attribute; not ours to fix.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_control_is_waited_out_and_the_message_retried(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    user = await subscribe(fake_api, 631, "economy")
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    before = len(user.received)
    attempts = len(fake_api.calls_to("sendMessage", 631))
    fake_api.flood_once(631, retry_after=0.05)
    clock.set(DUE)
    summary = await services_of(bot).scheduler.run_due_digests()
    assert summary is not None and summary.sent == 1
    assert len(user.received) == before + 1
    assert len(fake_api.calls_to("sendMessage", 631)) == attempts + 2  # 429, then accepted


async def test_another_error_is_counted_and_that_user_is_tried_again_later(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    broken = await subscribe(fake_api, 641, "economy")
    fine = await subscribe(fake_api, 642, "economy")
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    counts = (len(broken.received), len(fine.received))
    fake_api.fail(641, 400, "Bad Request: something odd")
    clock.set(DUE)
    svc = services_of(bot)
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None and (summary.sent, summary.failed) == (1, 1)
    assert len(fine.received) == counts[1] + 1
    sub = await svc.subscribers.get(641)
    assert sub is not None and sub.active and sub.next_digest_at == DUE + timedelta(minutes=15)
    fake_api.heal(641)
    clock.set(DUE + timedelta(minutes=15))
    await svc.scheduler.run_due_digests()
    assert titles(broken.received[counts[0]:]) == ["Economy report 1: GDP growth and inflation"]
    sub = await svc.subscribers.get(641)
    assert sub is not None and sub.next_digest_at == DUE + timedelta(days=1)


async def test_an_unexpected_error_for_one_subscriber_fails_only_that_subscriber(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    broken = await subscribe(fake_api, 643, "economy")  # the same time, served first
    fine = await subscribe(fake_api, 644, "economy")
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    svc = services_of(bot)
    # A zone the installed zone database does not know: composing their digest raises.
    await raw(svc.store).execute(
        "UPDATE subscribers SET timezone = 'Mars/Olympus' WHERE chat_id = 643")
    counts = (len(broken.received), len(fine.received))
    clock.set(DUE)
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None and (summary.due, summary.sent, summary.failed) == (2, 1, 1)
    assert len(broken.received) == counts[0]
    assert titles(fine.received[counts[1]:]) == ["Economy report 1: GDP growth and inflation"]
    run = await svc.subscribers.last_run()
    assert run is not None and run.finished_at is not None and run.failed == 1
    assert "digest for chat 643 failed" in caplog.text


async def test_articles_only_on_a_topic_gone_from_the_topics_file_send_no_empty_digest(
    start_bot: StartBot, bot_settings: Any, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    async with start_bot():
        user = await subscribe(fake_api, 645, "economy", "health")
        await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    raw = yaml.safe_load(Path(bot_settings.topics_file).read_text(encoding="utf-8"))
    del raw["topics"]["economy"]
    before = len(user.received)
    async with start_bot(catalog=parse_catalog(raw)) as app:
        clock.set(DUE)
        summary = await services_of(app).scheduler.run_due_digests()
    assert summary is not None and (summary.sent, summary.empty) == (0, 1)
    assert len(user.received) == before  # not a digest header with nothing under it


async def test_digest_command_sends_now_and_the_daily_one_does_not_repeat_it(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    user = await subscribe(fake_api, 651, "economy")
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    now = await user.ask("/digest")
    assert now.text.startswith("📰 Your digest · 11.02.2026")
    assert titles([now]) == ["Economy report 1: GDP growth and inflation"]
    assert (await user.ask("/digest")).text == (
        "Nothing new on your topics since your last digest.")
    before = len(user.received)
    clock.set(DUE)
    summary = await services_of(bot).scheduler.run_due_digests()
    assert summary is not None and (summary.sent, summary.empty) == (0, 1)
    assert len(user.received) == before
    assert (await Reader(fake_api, 652).ask("/digest")).text.startswith("You have no topics yet")


async def test_digest_command_during_the_daily_run_does_not_send_twice(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    user = await subscribe(fake_api, 653, "economy")
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    before = len(user.received)
    clock.set(DUE)
    fake_api.hold_sends_after(0)
    run = asyncio.create_task(services_of(bot).scheduler.run_due_digests())
    await fake_api.wait_for(lambda: fake_api.held == 1, what="the daily digest on its way")
    update_id = fake_api.send_text(653, "/digest")  # while the daily digest is being sent
    await fake_api.wait_for(lambda: fake_api.fetched_up_to >= update_id)
    # A moment for the handler to reach the digest (two queries); without the per-chat lock
    # it would now compose the same articles and send them a second time.
    await asyncio.sleep(0.05)
    fake_api.release(deliver=True)
    await run
    await fake_api.wait_sent(653, before + 2)
    digest, nothing = user.received[before:]
    assert titles([digest]) == ["Economy report 1: GDP growth and inflation"]
    assert nothing.text == "Nothing new on your topics since your last digest."


async def test_within_a_page_the_digests_of_most_stories_start_first(
    start_bot: StartBot, bot_settings: Any, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    # A digest of several messages is paced at one a second per chat: started last, its
    # extra seconds would be the run's tail. One sender, so the order is the start order.
    settings = bot_settings.model_copy(update={"digest_senders": 1})
    async with start_bot(settings) as app:
        short = await subscribe(fake_api, 821, "economy")  # first in due order (chat id)
        await subscribe(fake_api, 822, "economy")
        await ingest(fake_api, "long.jsonl", jsonl(LONG))
        await short.ask("/digest")  # 821 has had the twelve; one new story is left for it
        # /digest answers with its first message; the run must read 821 once all are recorded.
        for _ in range(1000):
            if len(await services_of(app).subscribers.delivered(821)) == len(LONG):
                break
            await asyncio.sleep(0.01)
        assert len(await services_of(app).subscribers.delivered(821)) == len(LONG)
        await ingest(fake_api, "one.jsonl", jsonl([economy_article(13)]))
        clock.set(DUE)
        sends_before = len(fake_api.calls_to("sendMessage"))
        summary = await services_of(app).scheduler.run_due_digests()
        assert summary is not None and (summary.due, summary.sent) == (2, 2)
    run_sends = [c.chat_id for c in fake_api.calls_to("sendMessage")[sends_before:]]
    assert run_sends.count(821) == 1 and run_sends.count(822) >= 3
    assert run_sends[0] == 822  # 13 stories before 1, though 821 comes first in due order
    assert run_sends.index(821) > run_sends.index(822)


async def test_digest_command_after_the_run_read_that_chat_does_not_send_twice(
    start_bot: StartBot, bot_settings: Any, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    # One sender: the second reader's digest is read with the run's page of due subscribers,
    # then waits while the first one's is sent; /digest comes in between.
    settings = bot_settings.model_copy(update={"digest_senders": 1})
    async with start_bot(settings) as app:
        await subscribe(fake_api, 655, "economy")
        second = await subscribe(fake_api, 656, "economy")
        await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
        before = len(second.received)
        clock.set(DUE)
        fake_api.hold_sends_after(0)
        run = asyncio.create_task(services_of(app).scheduler.run_due_digests())
        await fake_api.wait_for(lambda: fake_api.held == 1, what="the first digest on its way")
        fake_api.send_text(656, "/digest")
        await fake_api.wait_for(lambda: fake_api.held == 2, what="the /digest on its way")
        fake_api.release(deliver=True)
        summary = await run
    assert summary is not None and (summary.sent, summary.empty) == (1, 1)
    assert titles(second.received[before:]) == ["Economy report 1: GDP growth and inflation"]


async def test_after_stop_nothing_is_sent(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    user = await subscribe(fake_api, 661, "economy")
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    await user.ask("/stop")
    before = len(user.received)
    clock.set(DUE)
    assert (await services_of(bot).scheduler.run_due_digests()).due == 0  # type: ignore[union-attr]
    assert len(user.received) == before


async def test_the_digest_speaks_the_subscribers_language(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    user = Reader(fake_api, 671, language_code="kk")
    assert (await user.ask("/subscribe economy")).text.startswith("«Экономика» тақырыбына")
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    before = len(user.received)
    clock.set(DUE)
    await services_of(bot).scheduler.run_due_digests()
    [digest] = user.received[before:]
    assert digest.text.startswith("📰 Сіздің дайджестіңіз · 11.02.2026\n\n▪ Экономика\n")


async def test_a_group_that_became_a_supergroup_is_moved_and_served_there_in_the_same_run(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    old, new = -700, -1000000000700
    group = await subscribe(fake_api, old, "economy")
    assert (await group.ask("/lang ru")).text.startswith("Язык интерфейса")
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    assert titles([await group.ask("/digest")]) == [
        "Economy report 1: GDP growth and inflation"]
    # Answered once the first /digest is recorded (one digest at a time per chat).
    assert (await group.ask("/digest")).text.startswith("По вашим темам ничего нового")
    await ingest(fake_api, "two.jsonl", jsonl([economy_article(2)]))
    svc = services_of(bot)
    delivered = await svc.subscribers.delivered(old)
    assert len(delivered) == 1
    attempts = len(fake_api.calls_to("sendMessage", old))
    fake_api.migrate(old, new)

    clock.set(DUE)
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None
    assert (summary.due, summary.sent, summary.failed, summary.blocked) == (1, 1, 0, 0)
    [digest] = fake_api.sent_to(new)
    assert digest.text.startswith("📰 Ваш дайджест · 11.02.2026")  # the group's language
    assert titles([digest]) == ["Economy report 2: GDP growth and inflation"]  # not 1 again
    assert len(fake_api.calls_to("sendMessage", old)) == attempts + 1  # the refused one

    assert await svc.subscribers.get(old) is None
    assert await svc.subscribers.topics(old) == [] and await svc.subscribers.delivered(old) == set()
    moved = await svc.subscribers.get(new)
    assert moved is not None and moved.active and moved.language == "ru"
    assert moved.user_id == old and moved.next_digest_at == DUE + timedelta(days=1)
    assert await svc.subscribers.topics(new) == ["economy"]
    assert await svc.subscribers.delivered(new) == delivered | {
        a.id for a in await svc.store.latest(None, 2)}

    # The next day the group is served at its new id only.
    await ingest(fake_api, "three.jsonl", jsonl([economy_article(3)]))
    clock.set(DUE + timedelta(days=1))
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None and (summary.due, summary.sent) == (1, 1)
    assert titles(fake_api.sent_to(new)[1:]) == ["Economy report 3: GDP growth and inflation"]
    assert len(fake_api.calls_to("sendMessage", old)) == attempts + 1


async def test_a_migrated_group_merges_into_the_supergroups_own_row(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    old, new = -701, -1000000000701
    await subscribe(fake_api, old, "economy")
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    assert titles([await Reader(fake_api, old).ask("/digest")]) == [
        "Economy report 1: GDP growth and inflation"]
    assert (await Reader(fake_api, old).ask("/digest")).text.startswith("Nothing new")
    # Someone already used the bot in the supergroup: it has its own topic and time.
    supergroup = await subscribe(fake_api, new, "health")
    assert (await supergroup.ask("/time 10:00")).text.startswith("Your daily digest now")
    await ingest(fake_api, "two.jsonl", jsonl([economy_article(2)]))
    fake_api.migrate(old, new)
    before = len(supergroup.received)

    clock.set(DUE)  # the old group's time; the supergroup's is an hour later
    svc = services_of(bot)
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None and (summary.due, summary.sent, summary.failed) == (1, 1, 0)
    [digest] = supergroup.received[before:]
    assert titles([digest]) == ["Economy report 2: GDP growth and inflation"]
    assert await svc.subscribers.get(old) is None
    merged = await svc.subscribers.get(new)
    assert merged is not None and merged.active and merged.digest_time == "10:00"
    assert merged.user_id == new  # the supergroup's row, not the old group's
    assert sorted(await svc.subscribers.topics(new)) == ["economy", "health"]
    assert len(await svc.subscribers.delivered(new)) == 2

    clock.set(DUE + timedelta(hours=1))  # the supergroup's own time: nothing new, nothing sent
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None and (summary.due, summary.sent, summary.empty) == (1, 0, 1)
    assert len(supergroup.received) == before + 1


async def test_a_chat_that_no_longer_exists_is_marked_inactive_not_retried(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    gone = await subscribe(fake_api, 691, "economy")
    fine = await subscribe(fake_api, 692, "economy")
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    counts = (len(gone.received), len(fine.received))
    fake_api.fail(691, 400, "Bad Request: chat not found")
    clock.set(DUE)
    svc = services_of(bot)
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None and (summary.sent, summary.failed, summary.blocked) == (1, 0, 1)
    assert len(fine.received) == counts[1] + 1 and len(gone.received) == counts[0]
    sub = await svc.subscribers.get(691)
    assert sub is not None and not sub.active
    assert await svc.subscribers.topics(691) == ["economy"]  # kept, like a blocked user's

    attempts = len(fake_api.calls_to("sendMessage", 691))
    for later in (timedelta(minutes=15), timedelta(days=1)):
        clock.set(DUE + later)
        await svc.scheduler.run_due_digests()
    assert len(fake_api.calls_to("sendMessage", 691)) == attempts  # never tried again


async def test_digest_command_that_fails_tells_the_user_and_records_only_what_was_sent(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    user = await subscribe(fake_api, 681, "economy")
    await ingest(fake_api, "long.jsonl", jsonl(LONG))
    svc = services_of(bot)
    # The first message of the digest goes through, the second fails once.
    fake_api.fail(681, 500, "Internal Server Error", after=1, times=1)
    part, sorry = await user.say("/digest", replies=2)
    assert sorry.text == "Sorry, I could not send your digest. Please try /digest again later."
    first = titles([part])
    assert 1 <= len(first) < len(LONG)
    assert len(await svc.subscribers.delivered(681)) == len(first)

    before = len(user.received)
    await user.say("/digest")
    await fake_api.wait_for(lambda: len(titles(user.received[before:])) >= len(LONG) - len(first),
                            what="the rest of the digest")
    # Answered only after the digest before it is recorded (one digest at a time per chat).
    assert (await user.ask("/digest")).text.startswith("Nothing new")
    rest = titles(user.received[before:])
    assert sorted(first + rest) == sorted(
        f"Economy report {i}: GDP growth and inflation" for i in range(1, 13))
    assert len(await svc.subscribers.delivered(681)) == len(LONG)


async def test_digest_command_that_fails_answers_in_the_users_language(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    for chat, code, expected in (
        (682, "ru", "Извините, не удалось отправить дайджест. Попробуйте /digest позже."),
        (683, "kk", "Кешіріңіз, дайджестті жіберу мүмкін болмады. "
                    "Кейінірек /digest қайталап көріңіз."),
    ):
        user = await subscribe(fake_api, chat, "economy")
        await user.ask(f"/lang {code}")
        await ingest(fake_api, f"{chat}.jsonl", jsonl([economy_article(chat)]))
        fake_api.fail(chat, 400, "Bad Request: something odd", times=1)
        assert (await user.ask("/digest")).text == expected
        assert await services_of(bot).subscribers.delivered(chat) == set()


async def test_a_run_serves_every_due_subscriber_page_after_page_each_once(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.scheduler.PAGE", 2)  # five due subscribers: three pages
    readers = [await subscribe(fake_api, chat, "economy") for chat in range(831, 836)]
    await ingest(fake_api, "one.jsonl", jsonl([economy_article(1)]))
    before = [len(r.received) for r in readers]
    fake_api.fail(833, 400, "Bad Request: something odd")  # postponed: not taken again
    clock.set(DUE)
    summary = await services_of(bot).scheduler.run_due_digests()
    assert summary is not None
    assert (summary.due, summary.sent, summary.failed) == (5, 4, 1)
    got = [titles(r.received[n:]) for r, n in zip(readers, before, strict=True)]
    assert got == [["Economy report 1: GDP growth and inflation"]] * 2 + [[]] + [
        ["Economy report 1: GDP growth and inflation"]] * 2
    assert len(fake_api.calls_to("sendMessage", 833)) == before[2] + 1
