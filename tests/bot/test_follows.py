"""End to end: keyword follows and mutes (/follow, /unfollow, /follows, /mute, /unmute).

The articles are our own short texts; the Russian and Kazakh ones are two versions of one
story, as gov.kz publishes them (one news id, ?lang=kk and ?lang=ru), so they are one story.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram.ext import Application

from tests.support.bot import ADMIN, FakeClock, Reader, services_of
from tests.support.dumps import economy_article, jsonl
from tests.support.fake_api import FakeBotApi

DUE = datetime(2026, 2, 11, 4, 0, tzinfo=UTC)  # 09:00 in Asia/Almaty

NEWS = "https://www.gov.kz/memleket/entities/kgd/press/news/details/4100001"
TAX_KK = {
    "title": "Үкімет шағын бизнеске арналған салықтық жеңілдіктерді талқылады",
    "date": "2026-02-10", "lang": "kk", "url": f"{NEWS}?lang=kk",
    "body": ("Үкімет отырысында шағын бизнеске арналған салықтық жеңілдіктер қаралды. "
             "Министрлік жаңа мөлшерлемелер келесі жылдан бастап күшіне енетінін айтты. "
             "Кәсіпкерлер ұсыныстарын бір ай ішінде жібере алады."),
}
TAX_RU = {
    "title": "Правительство обсудило налоговые льготы для малого бизнеса",
    "date": "2026-02-10", "lang": "ru", "url": f"{NEWS}?lang=ru",
    "body": ("На заседании правительства рассмотрены налоговые льготы для малого бизнеса. "
             "В министерстве сообщили, что новые ставки вступят в силу со следующего года. "
             "Предприниматели могут направить предложения в течение месяца."),
}
COURT = {
    "title": "Constitutional Court hears a case on pensions",
    "date": "2026-02-10", "lang": "en",
    "body": ("The Constitutional Court opened hearings on the pension rules. "
             "Judges will announce a decision next month. Citizens may send written views."),
}
APART = {
    "title": "Regional court reviews a land dispute",
    "date": "2026-02-10", "lang": "en",
    "body": ("A regional court reviewed a land dispute between two farms. "
             "The constitutional rights of both parties were respected, the judge said. "
             "The hearing continues on Monday."),
}


async def ingest(api: FakeBotApi, name: str, articles: list[dict[str, object]]) -> None:
    report = await Reader(api, ADMIN).ingest(name, jsonl(articles))  # type: ignore[arg-type]
    assert report.text.startswith("✅"), report.text


async def test_follow_in_russian_catches_the_russian_version_and_latin_kazakh_the_kazakh(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    ru_reader = Reader(fake_api, 701, language_code="ru")
    kk_reader = Reader(fake_api, 702, language_code="kk")
    # Reads Russian commands, Kazakh news: the Russian word catches the story through its
    # Russian version, and the story comes in Kazakh.
    kk_news = Reader(fake_api, 706, language_code="ru")
    await kk_news.ask("/newslang kk")
    await kk_news.ask("/follow налог")
    answer = await ru_reader.ask("/follow налог")
    assert answer.text == ("Слежу за «налог»: новости с этим словом придут в дайджесте "
                           "в разделе «Слежу: налог».")
    assert (await kk_reader.ask("/follow salyq")).text.startswith("«salyq» бақылауда")
    await ingest(fake_api, "tax.jsonl", [TAX_KK, TAX_RU, economy_article(1), COURT])

    svc = services_of(bot)
    clock.set(DUE)
    summary = await svc.scheduler.run_due_digests()
    # Follows alone make a digest: all three were due at 09:00 without any topic.
    assert summary is not None and (summary.due, summary.sent) == (3, 3)
    [ru_digest] = ru_reader.received[-1:]
    assert ru_digest.text.startswith(
        "📰 Ваш дайджест · 11.02.2026\n\n▪ Слежу: налог\n"
        "Правительство обсудило налоговые льготы для малого бизнеса")
    assert "Үкімет" not in ru_digest.text and "Economy report" not in ru_digest.text
    [kk_digest] = kk_reader.received[-1:]
    assert kk_digest.text.startswith("📰 Сіздің дайджестіңіз · 11.02.2026\n\n▪ Бақылауда: salyq\n"
                                     "Үкімет шағын бизнеске")
    assert "Правительство" not in kk_digest.text
    [kk_news_digest] = kk_news.received[-1:]
    assert kk_news_digest.text.startswith("📰 Ваш дайджест · 11.02.2026\n\n▪ Слежу: налог\n"
                                          "Үкімет шағын бизнеске")
    assert "Правительство" not in kk_news_digest.text

    # Recorded as delivered: nothing again the next day.
    clock.set(DUE + timedelta(days=1))
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None and (summary.due, summary.sent, summary.empty) == (3, 0, 3)


async def test_follow_sections_come_first_each_article_once_and_mutes_keep_articles_out(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    reader = Reader(fake_api, 703)
    assert (await reader.ask("/subscribe economy")).text.startswith("Subscribed")
    assert (await reader.ask('/follow "Constitutional Court", report 2')).text.splitlines() == [
        "Following “constitutional court”: news mentioning it comes in your digest under "
        "“Following: constitutional court”.",
        "Following “report 2”: news mentioning it comes in your digest under "
        "“Following: report 2”.",
    ]
    assert (await reader.ask("/mute football")).text == (
        "Muted “football”: articles mentioning it stay out of your digest.")
    await ingest(fake_api, "mixed.jsonl", [
        economy_article(1), economy_article(2), economy_article(3, extra="football"),
        COURT, APART,
    ])
    clock.set(DUE)
    await services_of(bot).scheduler.run_due_digests()
    [digest] = reader.received[-1:]
    sections = [line for line in digest.text.splitlines() if line.startswith("▪ ")]
    assert sections == ["▪ Following: constitutional court", "▪ Following: report 2",
                        "▪ Economy"]
    text = digest.text
    # The phrase matched where its words stand together, not where they are apart.
    assert "Constitutional Court hears a case" in text and "Regional court" not in text
    following_report, economy = text.split("▪ Economy\n")[0], text.split("▪ Economy\n")[1]
    assert "Economy report 2:" in following_report and "Economy report 2:" not in economy
    assert "Economy report 1:" in economy
    assert "Economy report 3" not in text  # muted
    delivered = await services_of(bot).subscribers.delivered(703)
    assert len(delivered) == 3  # court, report 2, report 1: the muted one is not "sent"

    listed = await reader.ask("/follows")
    assert listed.text == ("You follow (2 of 20): “constitutional court”, “report 2”\n"
                           "Muted: “football”")
    # Unmuting lets it through at the next digest (it was never recorded as sent).
    assert (await reader.ask("/unmute football")).text == "“football” is no longer muted."
    [again] = await reader.say("/digest")
    assert "▪ Economy\nEconomy report 3: GDP growth and inflation" in again.text
    assert "Economy report 1" not in again.text


async def test_bad_follows_get_a_clear_reply_and_the_21st_is_refused(
    bot: Application, fake_api: FakeBotApi
) -> None:
    reader = Reader(fake_api, 704)
    assert (await reader.ask("/follow")).text.startswith("What should I follow?")
    assert (await reader.ask('/follow ""')).text == (
        "A follow needs at least one word (letters or digits).")
    assert (await reader.ask("/follow ?!")).text == (
        "A follow needs at least one word (letters or digits).")
    long = "one two three four five six"
    assert (await reader.ask(f"/follow {long}")).text == (
        f"“{long}” is too long: a follow is at most 5 words and 60 characters.")
    assert (await reader.ask("/follow " + "x" * 61)).text.endswith(
        "is too long: a follow is at most 5 words and 60 characters.")
    words = ", ".join(f"word{i}" for i in range(1, 21))
    assert len((await reader.ask(f"/follow {words}")).text.splitlines()) == 20
    assert (await reader.ask("/follow word5")).text == "You already follow “word5”."
    assert (await reader.ask("/follow word21")).text == (
        "“word21” was not added: you follow 20 words, the most I keep. /unfollow one first.")
    assert (await reader.ask("/follows")).text.startswith("You follow (20 of 20): “word1”")
    # <b> in a term is shown, not interpreted.
    assert (await reader.ask("/unfollow <b>x</b>")).text == "You were not following “<b>x</b>”."
    assert (await reader.ask("/unfollow word3")).text == "You no longer follow “word3”."
    assert (await reader.ask("/follow word21")).text.startswith("Following “word21”")
    assert (await reader.ask("/unfollow all")).text == (
        "You no longer follow any word (20 removed).")
    assert (await reader.ask("/follows")).text.startswith("You follow no words yet.")
    # A muted word can be followed again (and the other way round).
    await reader.ask("/mute budget")
    assert (await reader.ask("/follow budget")).text == "“budget” was muted; now you follow it."


async def test_stop_forgets_follows_and_help_and_menu_list_them(
    bot: Application, fake_api: FakeBotApi
) -> None:
    reader = Reader(fake_api, 705, language_code="kk")
    await reader.ask("/follow салық")
    sub = await services_of(bot).subscribers.get(705)
    assert sub is not None and sub.next_digest_at is not None  # a follow alone schedules
    await reader.ask("/stop")
    assert (await reader.ask("/follows")).text.startswith("Әзірге ешбір сөз бақыланбайды")
    sub = await services_of(bot).subscribers.get(705)
    assert sub is not None and sub.next_digest_at is None
    help_text = (await reader.ask("/help")).text
    assert "/follow СӨЗ" in help_text and "/mute СӨЗ" in help_text
    for lang in (None, "ru", "kk"):
        names = [c["command"] for c in fake_api.commands[lang]]
        assert {"follow", "unfollow", "follows", "mute", "unmute"} <= set(names)
        assert names[-1] == "help"
