"""End to end: inline sharing (`@bot words` in any chat)."""

from __future__ import annotations

from telegram.ext import Application

from tests.bot.test_follows import COURT, TAX_KK, TAX_RU
from tests.support.bot import ADMIN, Reader
from tests.support.fake_api import FakeBotApi

ODD = {
    "title": "Budget <draft> & \"tax\" rules",
    "date": "2026-02-09", "lang": "en", "url": "https://example.kz/news?id=5&lang=en",
    "body": ("The ministry published the <draft> budget & tax rules for comment. "
             "Comments are open for two weeks. The final text follows in spring. Plan 4242."),
}
PLAN_RU = {
    "title": "Опубликован план дорожных работ",
    "date": "2026-02-08", "lang": "ru",
    "body": ("Акимат опубликовал план дорожных работ на весну. Номер плана 4242. "
             "Работы начнутся в апреле и продлятся до осени."),
}


async def seed(api: FakeBotApi) -> None:
    from tests.support.dumps import jsonl

    report = await Reader(api, ADMIN).ingest("share.jsonl", jsonl([TAX_KK, TAX_RU, COURT, ODD, PLAN_RU]))
    assert report.text.startswith("✅"), report.text


async def answer(api: FakeBotApi, user_id: int, query: str, *, offset: str = "",
                 language_code: str | None = "en") -> dict[str, object]:
    query_id = api.inline(user_id, query, offset=offset, language_code=language_code)
    return await api.wait_for(lambda: api.inline_answers.get(query_id),
                              what=f"the answer to inline query {query!r}")


async def test_an_inline_query_returns_stories_in_the_readers_language_first(
    bot: Application, fake_api: FakeBotApi
) -> None:
    await seed(fake_api)
    ru = await answer(fake_api, 801, "бизнес", language_code="ru")
    # One story in two languages: each reader gets it once, in their language.
    titles = [r["title"] for r in ru["results"]]  # type: ignore[index]
    assert titles == [TAX_RU["title"]]
    kk = await answer(fake_api, 802, "бизнес", language_code="kk")
    assert [r["title"] for r in kk["results"]] == [TAX_KK["title"]]  # type: ignore[index]
    # Two stories match "4242": the one with a version in the reader's language comes first.
    en = await answer(fake_api, 806, "4242", language_code="en")
    assert [r["title"] for r in en["results"]] == [ODD["title"], PLAN_RU["title"]]  # type: ignore[index]
    ru_first = await answer(fake_api, 807, "4242", language_code="ru")
    assert [r["title"] for r in ru_first["results"]] == [PLAN_RU["title"], ODD["title"]]  # type: ignore[index]
    assert ru["is_personal"] is True

    # Choosing one posts title (linked to the source), date, summary and the link itself.
    chosen = ru["results"][0]  # type: ignore[index]
    assert chosen["text"].startswith(
        TAX_RU["title"] + "\n10.02.2026\n🌐 Қаз\nНа заседании правительства")
    assert chosen["text"].endswith("\n\n" + TAX_RU["url"])
    links = [e["url"] for e in chosen["entities"] if e["type"] == "text_link"]
    assert links == [TAX_RU["url"], TAX_KK["url"], TAX_RU["url"]]  # title, Kazakh, the link
    assert chosen["description"].startswith("10.02.2026 · На заседании")

    # A reader's /lang wins over their app's language.
    await Reader(fake_api, 803, language_code="ru").ask("/lang kk")
    again = await answer(fake_api, 803, "бизнес", language_code="ru")
    assert again["results"][0]["title"] == TAX_KK["title"]  # type: ignore[index]


async def test_inline_results_are_escaped_and_an_empty_query_lists_the_newest(
    bot: Application, fake_api: FakeBotApi
) -> None:
    await seed(fake_api)
    found = await answer(fake_api, 804, "draft")
    [odd] = found["results"]  # type: ignore[misc]
    # The fake server parsed the HTML as Telegram would: < & " arrive as text.
    assert odd["text"].startswith('Budget <draft> & "tax" rules\n09.02.2026\n')
    assert odd["text"].endswith("\n\nhttps://example.kz/news?id=5&lang=en")
    assert "<b>Budget &lt;draft&gt; &amp; &quot;tax&quot; rules</b>" not in odd["text"]
    newest = await answer(fake_api, 804, "")
    assert newest["results"][0]["title"] == COURT["title"]  # type: ignore[index]
    assert len(newest["results"]) == 4  # type: ignore[arg-type]  # 5 articles, 4 stories
    nothing = await answer(fake_api, 804, "zzzzqqq")
    assert nothing["results"] == []


async def test_help_tells_how_to_share(bot: Application, fake_api: FakeBotApi) -> None:
    text = (await Reader(fake_api, 805).ask("/help")).text
    assert "In any chat, type @ and this bot's username" in text
