"""How the Application is put together: the typed context its handlers get, and the
resources start-up opens and shutdown closes."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import TypeHandler

from bot.app import SWITCH_INTERVAL, WORKER_NICENESS, build_application
from bot.services import NewsApp, NewsContext
from digest.settings import Settings
from tests.support.bot import Reader, StartBot, services_of
from tests.support.fake_api import FakeBotApi


def wal(settings: Settings) -> Path:
    """SQLite's write-ahead log: there while a connection is open, removed when the last
    one closes."""
    return Path(f"{settings.db_path}-wal")


async def test_handlers_get_the_news_context_with_the_services(
    bot: NewsApp, fake_api: FakeBotApi
) -> None:
    assert bot.context_types.context is NewsContext
    seen: list[object] = []

    async def record(update: Update, context: NewsContext) -> None:
        seen.append(context)

    bot.add_handler(TypeHandler(Update, record), group=-1)  # before the real handlers
    reply = await Reader(fake_api, 151).ask("/help")
    assert reply.text.startswith("Commands")  # the real handler, reached through with_reader
    [context] = seen
    assert type(context) is NewsContext
    assert context.services is services_of(bot)
    assert context.services.follows is not None and context.services.instant is not None


def test_services_before_start_up_is_a_clear_error(bot_settings: Settings) -> None:
    app = build_application(bot_settings)
    with pytest.raises(RuntimeError, match="post_init"):
        app.bot_data.services  # noqa: B018


async def test_shutdown_closes_what_start_up_opened(
    start_bot: StartBot, bot_settings: Settings, fake_api: FakeBotApi
) -> None:
    # No executor given: the bot makes (and owns) its worker pool, as `newsbot run` does.
    async with start_bot(executor=None) as app:
        svc = services_of(app)
        assert await svc.store.count_articles() == 0
        assert wal(bot_settings).exists()
        await svc.scheduler.sender.send(701, "wiring")  # the digest bot's connections
        assert [m.text for m in fake_api.sent_to(701)] == ["wiring"]
    # The application's own bot is PTB's to close; these three were ours.
    with pytest.raises(ValueError):
        await svc.store.count_articles()
    assert not wal(bot_settings).exists()  # every connection, readers too, is closed
    with pytest.raises(RuntimeError, match="after shutdown"):
        svc.executor.submit(int, "1")
    with pytest.raises(RuntimeError, match="not initialized"):
        await svc.scheduler.sender.send(701, "after shutdown")


async def test_a_failed_start_up_closes_what_it_had_opened(
    bot_settings: Settings, fake_api: FakeBotApi
) -> None:
    app = build_application(bot_settings)
    await app.initialize()  # the application's bot: the first getMe
    fake_api.fail_method("getMe")  # the digest bot's, after the store is open
    assert app.post_init is not None
    try:
        with pytest.raises(InvalidToken):
            await app.post_init(app)
    finally:
        await app.shutdown()
    assert Path(bot_settings.db_path).exists()  # the store was opened...
    assert not wal(bot_settings).exists()  # ...and closed again, without post_shutdown
    with pytest.raises(RuntimeError, match="post_init"):
        app.bot_data.services  # noqa: B018


async def test_the_bots_own_workers_run_at_a_lower_cpu_priority(start_bot: StartBot) -> None:
    # An ingest is batch work: on a small machine its workers must not take the cores the
    # bot needs to answer users.
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    async with start_bot(executor=None) as app:
        loop = asyncio.get_running_loop()
        theirs = await loop.run_in_executor(
            services_of(app).executor, os.getpriority, os.PRIO_PROCESS, 0)
    assert theirs == min(19, mine + WORKER_NICENESS)


async def test_threads_of_the_bot_hand_the_gil_over_sooner_while_it_runs(
    start_bot: StartBot,
) -> None:
    # An ingest's write phase runs in a thread of the bot's process: with CPython's 5 ms
    # switch interval the event loop waited that long for the GIL at every wake-up.
    before = sys.getswitchinterval()
    assert before > SWITCH_INTERVAL  # the default (5 ms): the test can see a change
    async with start_bot():
        assert sys.getswitchinterval() == SWITCH_INTERVAL
    assert sys.getswitchinterval() == before  # shutdown puts the process's value back
