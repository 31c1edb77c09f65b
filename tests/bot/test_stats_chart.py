"""End to end: /stats sends a chart (PNG drawn in the worker pool), then the text figures."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from tests.support.bot import ADMIN, FakeClock, Reader, StartBot, services_of
from tests.support.dumps import economy_article, jsonl
from tests.support.fake_api import FakeBotApi
from tests.test_cli_stats import png_size

DUE = datetime(2026, 2, 11, 4, 0, tzinfo=UTC)


class RecordingPool(ThreadPoolExecutor):
    """A worker pool that notes which functions it ran, and on which thread."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.ran: list[tuple[str, int]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        def record() -> Any:
            self.ran.append((getattr(fn, "__name__", "?"), threading.get_ident()))
            return fn(*args, **kwargs)

        return super().submit(record)


async def test_stats_sends_the_chart_then_the_figures(
    start_bot: StartBot, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    pool = RecordingPool()
    try:
        async with start_bot(executor=pool) as app:
            admin = Reader(fake_api, ADMIN)
            await admin.ingest("e.jsonl", jsonl(
                [economy_article(i) for i in range(1, 4)]
                + [economy_article(9, date="2026-02-01")]))
            assert (await Reader(fake_api, 901).ask("/subscribe economy")).text.startswith(
                "Subscribed")
            clock.set(DUE)
            await services_of(app).scheduler.run_due_digests()

            chart, figures = await admin.say("/stats", replies=2)
            png = fake_api.photos[(chart.chat_id, chart.message_id)]
            assert png_size(png) == (1000, 700)
            assert chart.text == "Last 30 days: 4 articles on topics, 1 digests sent"
            assert figures.text.startswith("Statistics\n")
            # Drawn in the pool, not on the event loop's thread.
            assert [name for name, _ in pool.ran].count("render_chart") == 1
            thread = next(tid for name, tid in pool.ran if name == "render_chart")
            assert thread != threading.get_ident()
            assert any(c.params.get("action") == "upload_photo"
                       for c in fake_api.calls_to("sendChatAction", ADMIN))

            # In Russian, for a Russian-speaking admin; others get no chart at all.
            await admin.ask("/lang ru")
            chart_ru, _ = await admin.say("/stats", replies=2)
            assert chart_ru.text == (
                "Последние 30 дней: статей по темам 4, дайджестов отправлено 1")
            [refusal] = await Reader(fake_api, 902).say("/stats")
            assert refusal.text == "Sorry, this command is only for the bot's administrators."
            assert len(fake_api.photos) == 2
    finally:
        pool.shutdown()


async def test_a_chart_that_cannot_be_sent_still_leaves_the_figures(
    bot: Any, fake_api: FakeBotApi
) -> None:
    admin = Reader(fake_api, ADMIN)
    fake_api.fail(ADMIN, 400, "Bad Request: PHOTO_INVALID_DIMENSIONS", times=1)
    [figures] = await admin.say("/stats")
    assert figures.text.startswith("Statistics\n") and not fake_api.photos
