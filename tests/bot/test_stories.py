"""End to end: a reader gets each story once, in their news language, with links to its
other languages; never again in another language, as a repost, or after a re-upload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram.ext import Application

from tests.story_dump import GOVKZ, REPOST_URL, dump, full_dump, govkz_item, repost
from tests.support.bot import ADMIN, FakeClock, Reader, services_of
from tests.support.fake_api import FakeBotApi

DUE = datetime(2026, 2, 11, 4, 0, tzinfo=UTC)  # 09:00 in Asia/Almaty


async def ingest(api: FakeBotApi, name: str, data: bytes) -> str:
    report = await Reader(api, ADMIN).ingest(name, data)
    assert report.text.startswith("✅"), report.text
    return report.text


async def test_a_story_is_sent_once_in_the_readers_language_and_never_again(
    bot: Application, fake_api: FakeBotApi, clock: FakeClock
) -> None:
    russian = Reader(fake_api, 701, language_code="ru")
    english = Reader(fake_api, 702, language_code="en")
    for reader in (russian, english):
        await reader.ask("/subscribe economy")
    # The Russian version alone first; the others and a repost come in a later upload.
    await ingest(fake_api, "ru.jsonl", dump(govkz_item("ru")))
    svc = services_of(bot)
    clock.set(DUE)
    before = len(russian.received), len(english.received)
    summary = await svc.scheduler.run_due_digests()
    assert summary is not None and summary.sent == 2
    [digest_ru] = russian.received[before[0]:]
    assert "ВВП за январь-апрель вырос на 5,7%" in digest_ru.text
    [digest_en] = english.received[before[1]:]
    # No English version yet: the English reader gets the Russian one.
    assert "ВВП за январь-апрель" in digest_en.text

    report = await ingest(fake_api, "all.jsonl", full_dump())
    assert "Stories: 1 new, 3 versions (translations, reposts) added to a story" in report
    again = await ingest(fake_api, "all.jsonl", full_dump())  # a re-upload
    assert "Stories: 0 new, 0 versions" in again
    await ingest(fake_api, "repost.jsonl", dump(repost()))
    clock.set(DUE + timedelta(days=1))
    before = len(russian.received), len(english.received)
    await svc.scheduler.run_due_digests()
    for reader, start in zip((russian, english), before, strict=True):
        texts = "\n".join(m.text for m in reader.received[start:])
        assert "5,7" not in texts and "5.7" not in texts, texts
        # The ministry's other story of the day is new, and comes.
        assert "административной нагрузки" in texts

    # /latest: the story once, in the reader's language, its other languages linked.
    latest = await russian.ask("/latest economy")
    assert latest.text.count("ВВП за январь-апрель") == 1
    assert "GDP grew" not in latest.text and "ішкі жалпы өнім" not in latest.text
    assert ("Қаз", f"{GOVKZ}?lang=kk") in latest.links()
    assert ("Eng", f"{GOVKZ}?lang=en") in latest.links()
    assert "🌐 Қаз · Eng" in latest.text
    english_latest = await english.ask("/latest economy")
    assert english_latest.text.count("GDP grew by 5.7%") == 1
    assert REPOST_URL not in [url for _, url in english_latest.links()]


async def test_the_news_language_setting(bot: Application, fake_api: FakeBotApi) -> None:
    await ingest(fake_api, "all.jsonl", full_dump())
    reader = Reader(fake_api, 703, language_code="en")
    await reader.ask("/start")
    usage = await reader.ask("/newslang")
    assert "the interface language (English)" in usage.text
    assert (await reader.ask("/newslang kk")).text == "You now get the news in Қазақша."
    found = await reader.ask("/search inflation")  # found in English, shown in Kazakh
    assert found.text.count("Қаңтар-сәуірде ішкі жалпы өнім") == 1
    assert "GDP grew" not in found.text

    assert (await reader.ask("/newslang all")).text.startswith("You now get the news in every")
    everything = await reader.ask("/latest economy")
    # The interface language's version, then each other language's title, linked.
    assert everything.text.count("GDP grew by 5.7% in January-April") == 1
    assert "🌐 Қаз: Қаңтар-сәуірде ішкі жалпы өнім" in everything.text
    assert "🌐 Рус: ВВП за январь-апрель" in everything.text
    assert ("ВВП за январь-апрель вырос на 5,7%, инфляция замедлилась",
            f"{GOVKZ}?lang=ru") in everything.links()

    await reader.ask("/newslang auto")
    sub = await services_of(bot).subscribers.get(703)
    assert sub is not None and sub.news_language is None and sub.reads == "en"
    wrong = await reader.ask("/newslang fr")
    assert wrong.text.startswith("You get each story once")
