"""Subscriber storage: the digest time stays consistent with topics, activity and failures."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.storage import Store, Subscribers
from tests.support.db import raw

NOW = datetime(2026, 2, 11, 2, 0, tzinfo=UTC)  # 07:00 in Almaty
NINE = datetime(2026, 2, 11, 4, 0, tzinfo=UTC)  # 09:00 in Almaty


@pytest.fixture
async def subs(tmp_path: Path) -> AsyncIterator[Subscribers]:
    async with await Store.open(tmp_path / "s.db") as store:
        yield Subscribers(store, "Asia/Almaty", "09:00")


async def test_a_chat_without_topics_has_no_digest_time(subs: Subscribers) -> None:
    await subs.ensure(1, 1, "ru", NOW)
    sub = await subs.get(1)
    assert sub is not None and sub.language == "ru" and sub.next_digest_at is None
    assert await subs.toggle(1, "economy", NOW) is True
    assert (await subs.get(1)).next_digest_at == NINE  # type: ignore[union-attr]
    assert await subs.toggle(1, "economy", NOW) is False
    assert (await subs.get(1)).next_digest_at is None  # type: ignore[union-attr]


async def test_unknown_languages_fall_back_to_english(subs: Subscribers) -> None:
    assert (await subs.ensure(2, 2, "de", NOW)).language == "en"


async def test_adding_a_topic_keeps_a_digest_that_is_already_due(subs: Subscribers) -> None:
    await subs.ensure(1, 1, "en", NOW)
    await subs.subscribe(1, ["economy"], NOW)
    later = NINE + timedelta(minutes=5)  # due, not yet served
    assert await subs.subscribe(1, ["health", "economy"], later) == ["health"]
    assert (await subs.get(1)).next_digest_at == NINE  # type: ignore[union-attr]
    assert [s.chat_id for s in await subs.due(later)] == [1]


async def test_a_chat_back_from_being_blocked_gets_a_fresh_time(subs: Subscribers) -> None:
    await subs.ensure(1, 1, "en", NOW)
    await subs.subscribe(1, ["economy"], NOW)
    await subs.mark_blocked(1, NINE)
    assert await subs.due(NINE) == []
    back = NINE + timedelta(days=5, hours=3)
    await subs.reactivate(1, back)
    sub = await subs.get(1)
    assert sub is not None and sub.active
    assert sub.next_digest_at == NINE + timedelta(days=6)  # not the stale one five days ago
    assert await subs.topics(1) == ["economy"]


async def test_postpone_never_goes_past_the_next_regular_digest(subs: Subscribers) -> None:
    await subs.ensure(1, 1, "en", NOW)
    await subs.subscribe(1, ["economy"], NOW)
    assert await subs.postpone(1, NINE + timedelta(minutes=15), NINE) == \
        NINE + timedelta(minutes=15)
    late = NINE + timedelta(hours=23, minutes=50)
    assert await subs.postpone(1, late + timedelta(minutes=15), late) == NINE + timedelta(days=1)


async def test_deliveries_of_unknown_articles_are_ignored(subs: Subscribers) -> None:
    await subs.ensure(1, 1, "en", NOW)
    assert await subs.record_progress([(1, [41, 42], NOW)], []) == set()  # no such articles
    assert await subs.delivered(1) == set()


async def test_counts_and_subscriptions_per_topic_of_active_chats(subs: Subscribers) -> None:
    for chat in (1, 2, 3):
        await subs.ensure(chat, chat, "en", NOW)
        await subs.subscribe(chat, ["economy"], NOW)
    await subs.subscribe(2, ["health"], NOW)
    await subs.stop(3, NOW)
    counts = await subs.counts()
    assert (counts.active, counts.inactive) == (2, 1)
    assert await subs.subscriptions_per_topic() == {"economy": 2, "health": 1}


async def test_migrating_into_a_row_without_topics_gives_it_the_topics_and_a_time(
    subs: Subscribers,
) -> None:
    await subs.ensure(-1, 5, "ru", NOW)
    await subs.subscribe(-1, ["economy", "health"], NOW)
    await subs.ensure(-100, 6, "kk", NOW)  # the supergroup, used once, no topics yet
    await subs.subscribe(-100, ["health"], NOW)
    await subs.unsubscribe(-100, None, NOW)
    assert (await subs.get(-100)).next_digest_at is None  # type: ignore[union-attr]
    later = NOW + timedelta(minutes=30)
    moved = await subs.migrate(-1, -100, later)
    assert moved is not None and (moved.user_id, moved.language) == (6, "kk")
    assert moved.next_digest_at == NINE
    assert sorted(await subs.topics(-100)) == ["economy", "health"]
    assert await subs.get(-1) is None and await subs.topics(-1) == []
    # A migration reported twice (two runs, two bots) finds nothing left to move.
    assert await subs.migrate(-1, -100, later) == moved
    assert await subs.migrate(-2, -200, later) is None


async def test_digest_runs_are_recorded(subs: Subscribers) -> None:
    assert await subs.last_run() is None
    run = await subs.start_run(NINE)
    await subs.update_run(run, sent=3, failed=1, blocked=0)
    partial = await subs.last_run()
    assert partial is not None and partial.finished_at is None and partial.sent == 3
    await subs.update_run(run, sent=4, failed=1, blocked=2, finished=NINE + timedelta(seconds=9))
    done = await subs.last_run()
    assert done is not None and (done.sent, done.failed, done.blocked) == (4, 1, 2)
    assert done.finished_at == NINE + timedelta(seconds=9)


async def test_a_write_waits_out_another_writer_holding_the_database(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with await Store.open(tmp_path / "s.db") as store, \
            await Store.open(tmp_path / "s.db") as other:  # e.g. an ingest's own connection
        # Short busy timeouts, many attempts: the same behaviour as 6 x 10 s, in milliseconds.
        await raw(store).execute("PRAGMA busy_timeout = 10")
        subs = Subscribers(store, "Asia/Almaty", "09:00", locked_attempts=100)
        await subs.ensure(1, 1, "en", NOW)
        await raw(other).execute("BEGIN IMMEDIATE")
        toggle = asyncio.create_task(subs.toggle(1, "economy", NOW))
        await asyncio.sleep(0.1)  # longer than one busy timeout: the write had to try again
        assert not toggle.done()
        await raw(other).execute("COMMIT")
        assert await toggle is True
        assert await subs.topics(1) == ["economy"]
    assert "database locked (attempt 1 of 100)" in caplog.text


async def test_a_write_gives_up_after_its_attempts(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "s.db") as store, \
            await Store.open(tmp_path / "s.db") as other:
        await raw(store).execute("PRAGMA busy_timeout = 1")
        subs = Subscribers(store, "Asia/Almaty", "09:00", locked_attempts=2)
        await raw(other).execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await subs.ensure(1, 1, "en", NOW)
        await raw(other).execute("ROLLBACK")


async def test_due_subscribers_come_page_by_page_longest_waiting_first(
    subs: Subscribers,
) -> None:
    for chat in (5, 3, 9, 1):
        await subs.ensure(chat, chat, "en", NOW)
        await subs.subscribe(chat, ["economy"], NOW)
    await raw(subs.store).execute(  # chat 9 has waited since yesterday
        "UPDATE subscribers SET next_digest_at = ? WHERE chat_id = 9",
        ((NINE - timedelta(days=1)).isoformat(),))
    first = await subs.due(NINE, 2)
    second = await subs.due(NINE, 2, after=first[-1])
    assert [s.chat_id for s in first] == [9, 1]
    assert [s.chat_id for s in second] == [3, 5]
    assert await subs.due(NINE, 2, after=second[-1]) == []


async def test_advances_with_the_rows_as_read_are_one_write_and_see_a_changed_time(
    subs: Subscribers,
) -> None:
    for chat in (1, 2):
        await subs.ensure(chat, chat, "en", NOW)
        await subs.subscribe(chat, ["economy"], NOW)
    as_read = [await subs.get(chat) for chat in (1, 2)]
    assert None not in as_read
    # Chat 2 moved their digest to 10:00 while the run was serving them: their advance does
    # not apply, and is left to `advance`, which reads the row's own time.
    await subs.set_schedule(2, NINE, digest_time="10:00")
    changed = await subs.record_progress([], [(sub, NINE) for sub in as_read if sub])
    assert changed == {2}
    assert (await subs.get(1)).next_digest_at == NINE + timedelta(days=1)  # type: ignore[union-attr]
    upcoming = await subs.advance(2, NINE + timedelta(hours=1, minutes=1))
    assert upcoming == NINE + timedelta(days=1, hours=1)
    assert (await subs.get(2)).next_digest_at == upcoming  # type: ignore[union-attr]
