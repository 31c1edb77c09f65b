"""End to end: delivery modes (daily, weekly, instant, off) and instant pushes.

The push run is started through the pusher's public entry point (the minute job calls the
same), with the injected clock; START is 07:00 in Asia/Almaty, inside the quiet hours.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram.ext import Application

from bot.instant import InstantPusher
from tests.bot.test_follows import TAX_RU
from tests.support.bot import ADMIN, FakeClock, Reader, StartBot, services_of
from tests.support.dumps import economy_article, jsonl
from tests.support.fake_api import FakeBotApi, SentMessage

DUE = datetime(2026, 2, 11, 4, 0, tzinfo=UTC)  # Wednesday 09:00 in Asia/Almaty


def titles(messages: list[SentMessage]) -> list[str]:
    return [line for m in messages for line in m.text.splitlines()
            if line.startswith("Economy report")]


def health_article(i: int) -> dict[str, str]:
    return {"title": f"Hospital doctors and patients {i}", "date": "2026-02-10", "lang": "en",
            "body": f"Report {i} on the hospital plan. Doctors met patients in the region."}


async def ingest(api: FakeBotApi, articles: list[dict[str, str]]) -> None:
    report = await Reader(api, ADMIN).ingest("news.jsonl", jsonl(articles))  # type: ignore[arg-type]
    assert report.text.startswith("✅"), report.text


async def tap(api: FakeBotApi, reader: Reader, message: SentMessage, data: str) -> SentMessage:
    """Tap a button; wait for the answer and for the message to change."""
    answered = len(api.calls_to("answerCallbackQuery"))
    before = api.current(message)
    api.press(reader.chat_id, before, data, language_code=reader.language_code)
    await api.wait_for(lambda: len(api.calls_to("answerCallbackQuery")) > answered
                       and api.current(message) is not before, what=f"tap on {data}")
    return api.current(message)


def pusher(app: Application) -> InstantPusher:
    return services_of(app).instant


async def test_an_instant_push_arrives_once_and_not_again_in_the_daily_digest(
    start_bot: StartBot, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    reader = Reader(fake_api, 951)
    async with start_bot() as app:
        await reader.ask("/subscribe economy")
        overview = await reader.ask("/mysubs")
        assert overview.buttons() == [("Economy: daily", "md:t:economy")]
        assert "• Economy — daily" in overview.text
        choices = await tap(fake_api, reader, overview, "md:t:economy")
        assert [b[0] for b in choices.buttons()] == ["daily", "weekly…", "instant", "off",
                                                     "« back"]
        saved = await tap(fake_api, reader, overview, "md:t:economy:instant")
        assert "• Economy — instant" in saved.text
        assert saved.buttons() == [("Economy: instant", "md:t:economy")]
        assert fake_api.calls_to("answerCallbackQuery")[-1].params["text"] == (
            "Economy: instant")

        clock.set(datetime(2026, 2, 11, 2, 30, tzinfo=UTC))  # 07:30: quiet hours
        await ingest(fake_api, [economy_article(1), economy_article(2)])
        before = len(reader.received)
        assert await pusher(app).run() == 0
        clock.set(datetime(2026, 2, 11, 3, 5, tzinfo=UTC))  # 08:05: quiet hours are over
        assert await pusher(app).run() == 2
        pushes = reader.received[before:]
        assert [m.text.splitlines()[:3] for m in pushes] == [
            ["⚡ Economy", "", "Economy report 1: GDP growth and inflation"],
            ["⚡ Economy", "", "Economy report 2: GDP growth and inflation"],
        ]
        assert await pusher(app).run() == 0  # once

    async with start_bot() as app:  # a restart forgets nothing
        assert await pusher(app).run() == 0
        # Six more: three fit under the cap of five a day, the rest wait for the digest.
        await ingest(fake_api, [economy_article(i) for i in range(3, 9)])
        assert await pusher(app).run() == 3
        assert await pusher(app).run() == 0
        pushed = titles(reader.received[before:])
        assert len(pushed) == 5 == len(set(pushed))
        clock.set(DUE)
        summary = await services_of(app).scheduler.run_due_digests()
        assert summary is not None and summary.sent == 1
        [digest] = reader.received[-1:]
        assert digest.text.startswith("📰 Your digest")
        in_digest = titles([digest])
        assert len(in_digest) == 3 and not set(in_digest) & set(pushed)  # never doubled
        assert await pusher(app).run() == 0  # the cap still holds today
        # The next day the cap is fresh.
        await ingest(fake_api, [economy_article(20)])
        clock.set(DUE + timedelta(hours=1))
        assert await pusher(app).run() == 0  # same day: cap reached
        clock.set(DUE + timedelta(days=1, hours=-0.5))  # Thursday 08:30: a fresh cap, but
        assert await pusher(app).run() == 0  # that one was stored yesterday: for the digest
        await ingest(fake_api, [economy_article(21)])
        assert await pusher(app).run() == 1
        assert titles(reader.received[-1:]) == ["Economy report 21: GDP growth and inflation"]


async def test_weekly_and_off_topics_and_bad_modes(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    reader = Reader(fake_api, 952)
    await reader.ask("/subscribe economy")
    await reader.ask("/subscribe health")
    await reader.ask("/subscribe constitution")
    assert (await reader.ask("/mode economy weekly fri")).text == "Economy: weekly, Friday"
    assert (await reader.ask("/mode constitution off")).text == "Constitution and law: off"
    assert (await reader.ask("/mode economy hourly")).text.startswith(
        "“hourly” is not a mode. Modes: daily, weekly DAY")
    assert (await reader.ask("/mode economy weekly funday")).text.startswith(
        "“weekly funday” is not a mode.")
    assert (await reader.ask("/mode sport daily")).text == (
        "“sport” is neither one of your topics nor a word you follow (/mysubs).")
    assert (await reader.ask("/mode economy")).text.startswith("Usage: /mode economy weekly")
    await ingest(fake_api, [economy_article(1), health_article(1)])
    svc = services_of(bot)

    clock.set(DUE)  # Wednesday: health only
    await svc.scheduler.run_due_digests()
    [wednesday] = reader.received[-1:]
    assert "Hospital doctors and patients 1" in wednesday.text and not titles([wednesday])
    count = len(reader.received)
    clock.set(DUE + timedelta(days=1))  # Thursday: nothing new for daily topics
    await svc.scheduler.run_due_digests()
    assert len(reader.received) == count
    clock.set(DUE + timedelta(days=2))  # Friday: the week's economy
    await svc.scheduler.run_due_digests()
    [friday] = reader.received[-1:]
    assert titles([friday]) == ["Economy report 1: GDP growth and inflation"]
    # The weekday buttons set the same thing.
    overview = await reader.ask("/mysubs")
    await tap(fake_api, reader, overview, "md:t:economy")
    days = await tap(fake_api, reader, overview, "md:t:economy:weekly")
    assert [b[0] for b in days.buttons()][:2] == ["Monday", "Tuesday"]
    done = await tap(fake_api, reader, overview, "md:t:economy:w0")
    assert "• Economy — weekly, Monday" in done.text
    assert "• Constitution and law — off" in done.text


async def test_a_follow_can_be_instant_too(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    reader = Reader(fake_api, 953, language_code="ru")
    await reader.ask("/follow налог")
    assert (await reader.ask('/mode "налог" instant')).text == "“налог”: сразу"
    overview = await reader.ask("/mysubs")
    assert overview.text.startswith("Вы следите только за словами.")
    assert overview.buttons()[0][0] == "“налог”: сразу"
    clock.set(datetime(2026, 2, 11, 6, 0, tzinfo=UTC))  # 11:00 local
    before = len(reader.received)
    await ingest(fake_api, [TAX_RU, economy_article(1)])
    assert await pusher(bot).run() == 1
    [push] = reader.received[before:]
    assert push.text.startswith("⚡ Слежу: налог\n\n" + TAX_RU["title"])
    clock.set(DUE + timedelta(days=1))
    summary = await services_of(bot).scheduler.run_due_digests()
    assert summary is not None and summary.sent == 0  # already pushed: not in the digest


async def test_quiet_hours_can_be_moved_or_switched_off(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    reader = Reader(fake_api, 954)
    assert (await reader.ask("/quiet")).text == (
        "No instant pushes from 22:00 to 08:00 (your local time).\n"
        "Change: /quiet 23:00 07:00, or /quiet off")
    assert (await reader.ask("/quiet 25:00 07:00")).text.startswith(
        "“25:00 07:00” is not two times of day.")
    assert (await reader.ask("/quiet 23:00")).text.startswith("“23:00” is not two times")
    assert (await reader.ask("/quiet 06:00-07:45")).text == (
        "No instant pushes from 06:00 to 07:45 (your local time).")
    await reader.ask("/subscribe economy")
    await reader.ask("/mode economy instant")
    clock.set(datetime(2026, 2, 11, 2, 30, tzinfo=UTC))  # 07:30: quiet for this reader
    await ingest(fake_api, [economy_article(1)])
    assert await pusher(bot).run() == 0
    assert (await reader.ask("/quiet off")).text == "Instant pushes come at any hour."
    assert await pusher(bot).run() == 1
    assert "/quiet" in (await reader.ask("/help")).text
