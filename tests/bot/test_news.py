"""End to end: /latest, /search, and how dump text arrives (escaped, linked, no previews)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from telegram.ext import Application

from digest.topics import parse_catalog
from tests.support.bot import ADMIN, FakeClock, Reader, StartBot, services_of
from tests.support.dumps import economy_article, jsonl
from tests.support.fake_api import FakeBotApi

DUE = datetime(2026, 2, 11, 4, 0, tzinfo=UTC)  # 09:00 in Asia/Almaty
BEKTENOV_URL = (
    "https://www.gov.kz/memleket/entities/kostanai-kalasy-akimat/press/news/details/1158714?lang=kk"
)


@pytest.fixture
async def seeded(bot: Application, fake_api: FakeBotApi, seed_path: Path) -> Application:
    report = await Reader(fake_api, ADMIN).ingest(seed_path.name, seed_path.read_bytes())
    assert report.text.startswith("✅")
    return bot


async def test_latest_economy_shows_the_bektenov_article_with_its_link(
    seeded: Application, fake_api: FakeBotApi
) -> None:
    reply = await Reader(fake_api, 501).ask("/latest economy")
    lines = reply.text.splitlines()
    assert lines[0] == "Latest: Economy"
    title = "Olzhas Bektenov reported to the President on the progress of the implementation"
    assert lines[2].startswith(title)
    assert lines[3] == "10.02.2026 · Economy"
    [stored] = await services_of(seeded).store.latest("economy", 1)
    assert stored.summary and lines[4] == stored.summary
    assert "Source" not in lines[4]
    assert [(text[:40], url) for text, url in reply.links()] == [(title[:40], BEKTENOV_URL)]
    bold = [reply.entity_text(e) for e in reply.entities if e["type"] == "bold"]
    assert any(b.startswith("Olzhas Bektenov") for b in bold)
    assert reply.params["link_preview_options"] == {"is_disabled": True}


async def test_latest_defaults_to_five_and_caps_at_twenty(
    bot: Application, fake_api: FakeBotApi
) -> None:
    admin = Reader(fake_api, ADMIN)
    articles = [economy_article(i, date=f"2026-01-{i:02d}") for i in range(1, 26)]
    assert (await admin.ingest("many.jsonl", jsonl(articles))).text.startswith("✅")
    user = Reader(fake_api, 502)

    def titles(messages: list) -> list[str]:  # type: ignore[type-arg]
        return [line for m in messages for line in m.text.splitlines()
                if line.startswith("Economy report")]

    five = await user.say("/latest")
    assert titles(five) == [f"Economy report {i}: GDP growth and inflation"
                            for i in range(25, 20, -1)]
    assert five[0].text.startswith("Latest news")
    three = await user.say("/latest Economy 3")
    assert len(titles(three)) == 3
    for at_least_one in ("/latest 0", "/latest -4"):
        assert titles(await user.say(at_least_one)) == [
            "Economy report 25: GDP growth and inflation"]
    before = len(fake_api.sent_to(502))
    fake_api.send_text(502, "/latest 50")  # 20 articles: more than one message
    await fake_api.wait_for(
        lambda: any("Economy report 6:" in m.text for m in fake_api.sent_to(502)[before:]))
    many = fake_api.sent_to(502)[before:]
    assert len(many) > 1
    assert titles(many) == [f"Economy report {i}: GDP growth and inflation"
                            for i in range(25, 5, -1)]
    unknown = await user.ask("/latest weather 3")
    assert unknown.text.startswith("I don't know the topic “weather”.")


async def test_latest_with_nothing_stored(bot: Application, fake_api: FakeBotApi) -> None:
    assert (await Reader(fake_api, 503).ask("/latest")).text == "No articles yet."


async def test_search_finds_the_constitution_articles(
    seeded: Application, fake_api: FakeBotApi
) -> None:
    reply = await Reader(fake_api, 504).ask("/search constitution")
    assert reply.text.startswith("Search: constitution")
    titles = {text for text, _ in reply.links()} | {
        reply.entity_text(e) for e in reply.entities if e["type"] == "bold"}
    assert "The new Constitution is a legal guide to the future of the country" in titles
    assert any(t.startswith("Representatives of the medical profession in Shymkent") for t in titles)
    assert "Olzhas Bektenov" not in reply.text


@pytest.mark.parametrize("query", [
    '"constitution', "constitution AND (NOT", "* ^ : - +", "NEAR(a b)", "col:umn", "'; DROP TABLE",
])
async def test_search_with_fts_syntax_characters_does_not_fail(
    seeded: Application, fake_api: FakeBotApi, query: str
) -> None:
    reply = await Reader(fake_api, 505).ask(f"/search {query}")
    assert reply.text.startswith(("Search: ", "Nothing found for"))
    assert "went wrong" not in reply.text


async def test_search_usage_and_nothing_found(seeded: Application, fake_api: FakeBotApi) -> None:
    user = Reader(fake_api, 506)
    assert (await user.ask("/search")).text.startswith("What should I look for?")
    assert (await user.ask("/search <zzzqqq>")).text == "Nothing found for “<zzzqqq>”."
    # A query as long as a message is quoted back shortened, not as a too-long reply.
    long = await user.ask("/search " + "zzzqqq " * 580)
    assert long.text.startswith("Nothing found for “zzzqqq zzzqqq") and long.text.endswith("…”.")


async def test_html_in_a_summary_arrives_escaped(bot: Application, fake_api: FakeBotApi) -> None:
    article = economy_article(7, sentences=2, extra="<b>bold</b> & <a href='x'>co</a>")
    assert (await Reader(fake_api, ADMIN).ingest("html.jsonl", jsonl([article]))).text.startswith("✅")
    reply = await Reader(fake_api, 507).ask("/latest")
    # The reader sees the characters themselves; no tag from the dump became formatting.
    assert "<b>bold</b> & <a href='x'>co</a>." in reply.text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href=&#x27;x&#x27;&gt;co&lt;/a&gt;" in reply.source
    assert not any(e["type"] == "text_link" and e["url"] == "x" for e in reply.entities)
    assert [reply.entity_text(e) for e in reply.entities if e["type"] == "bold"] == [
        "Latest news", "Economy report 7: GDP growth and inflation"]


async def test_topic_names_from_the_topics_file_arrive_escaped_everywhere(
    start_bot: StartBot, bot_settings: Any, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    # Topic names are configuration, not code: they are escaped like dump text. The fake
    # server refuses a raw < or &, so any unescaped use fails the request.
    name = "Tax & <Trade>"
    raw = yaml.safe_load(Path(bot_settings.topics_file).read_text(encoding="utf-8"))
    raw["topics"]["economy"]["names"]["en"] = name
    async with start_bot(catalog=parse_catalog(raw)) as app:
        user = Reader(fake_api, 508)
        welcome = await user.ask("/start")
        assert (name, "topic:economy") in welcome.buttons()
        assert (f"✅ {name}", "topic:economy") in (
            await user.press(welcome, "topic:economy")).buttons()
        assert fake_api.calls_to("answerCallbackQuery")[-1].params["text"] == (
            f"Subscribed to {name}")
        assert (await user.ask(f"/subscribe {name}")).text == (
            f"You are already subscribed to {name}.")
        assert f"{name} (economy)" in (await user.ask("/subscribe weather")).text
        assert (await user.ask("/mysubs")).text.startswith(f"Your topics: {name}\n")
        admin = Reader(fake_api, ADMIN)
        report = await admin.ingest("one.jsonl", jsonl([economy_article(1)]))
        assert f"Topics of the stored articles: {name} 1" in report.text
        latest = await user.ask("/latest economy")
        assert latest.text.startswith(f"Latest: {name}\n")
        assert f"10.02.2026 · {name}" in latest.text
        clock.set(DUE)
        await services_of(app).scheduler.run_due_digests()
        assert f"\n▪ {name}\n" in user.received[-1].text
        _chart, figures = await admin.say("/stats", replies=2)
        stats = figures.text.splitlines()
        assert f"Subscriptions per topic: {name} 1" in stats
        assert f"{name}: 1 (en 1)" in stats



async def test_a_repeated_search_shows_a_story_uploaded_in_between(
    bot: Application, fake_api: FakeBotApi
) -> None:
    admin, user = Reader(fake_api, ADMIN), Reader(fake_api, 507)
    first = economy_article(1, extra="tamarisk")
    assert (await admin.ingest("one.jsonl", jsonl([first]))).text.startswith("✅")
    once = await user.ask("/search tamarisk")
    assert "Economy report 1:" in once.text and "Economy report 2:" not in once.text
    assert (await user.ask("/search tamarisk")).text == once.text
    second = economy_article(2, date="2026-02-12", extra="tamarisk")
    assert (await admin.ingest("two.jsonl", jsonl([second]))).text.startswith("✅")
    again = await user.ask("/search tamarisk")
    assert "Economy report 1:" in again.text and "Economy report 2:" in again.text
