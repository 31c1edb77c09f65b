"""The ingest pipeline end to end: parse, repair, dedup against history, topics, summaries."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from digest.ingest import ingest_bytes, read_dump
from digest.parsing import DumpError
from digest.settings import Settings
from digest.storage import Store
from digest.topics import load_catalog
from tests.support.db import raw


def article(title: str, day: str, body: str) -> str:
    return f"{title}\n{day}\n{body}\n"


async def ingest(store: Store, settings: Settings, pool, data: bytes, name: str = "d.txt"):
    return await ingest_bytes(store, data, name, settings, load_catalog(settings.topics_file),
                              executor=pool)


async def test_real_seed_acceptance(store: Store, settings: Settings, pool, seed_path: Path) -> None:
    progress: list[tuple[int, int]] = []
    report = await ingest_bytes(store, await read_dump(seed_path), seed_path.name, settings,
                                load_catalog(settings.topics_file), executor=pool,
                                progress=lambda d, t: progress.append((d, t)))
    assert (report.parsed, report.stored) == (10, 5)
    assert (report.duplicates_exact, report.duplicates_near) == (2, 3)
    assert report.problems == []
    assert report.languages == {"en": 10}
    assert progress[0] == (0, 10) and progress[-1] == (10, 10)

    stored = await store.latest(limit=20)
    by_title = {a.title: a for a in stored}
    assert len(stored) == len(by_title) == 5
    bektenov = next(a for t, a in by_title.items() if t.startswith("Olzhas Bektenov"))
    india = next(a for t, a in by_title.items() if "India" in t)
    roundtable = next(a for t, a in by_title.items() if t.startswith("The new Constitution"))
    medical = next(a for t, a in by_title.items() if "medical" in t)
    ethno = next(a for t, a in by_title.items() if "ethnocultural" in t)

    assert "economy" in bektenov.topics and "constitution" not in bektenov.topics
    assert "foreign_policy" in india.topics
    assert "constitution" in roundtable.topics
    assert {"constitution", "health"} <= set(medical.topics)
    assert {"constitution", "society"} <= set(ethno.topics)

    # The kept copies are the ones with quotes and apostrophes intact.
    assert "People's" in roundtable.body
    assert '"House of Friendship"' in ethno.body and "Kazakhstan's statehood" in ethno.body
    assert "citizens' rights" in medical.body
    # Glued sentences were repaired; numbers and initials were not split.
    assert "development. The Head of Government" in bektenov.body
    assert "17.8%" in bektenov.body and "H.E. Azamat" in india.body
    assert bektenov.source_url.endswith("1158714?lang=kk")
    for a in stored:
        assert a.summary and "Source :" not in a.summary and "http" not in a.summary
        assert a.title not in a.summary
        assert a.duplicates == 1

    again = await ingest(store, settings, pool, await read_dump(seed_path))
    assert again.stored == 0 and again.duplicates_exact + again.duplicates_near == 10
    assert await store.count_articles() == 5


async def test_near_duplicate_found_in_history_and_better_copy_kept(
    store: Store, settings: Settings, pool
) -> None:
    body = ("A round table was held at the \"House of Friendship\" in Shymkent with the people's "
            "representatives of ethnocultural associations. Members of the city's Assembly of the "
            "People of Kazakhstan discussed the draft of the new Constitution and its norms. "
            "The participants expressed their full support for the reform and the country's future.")
    stripped = body.replace('"', "").replace("'", "")
    title = "Ethnocultural associations in Shymkent support the new draft Constitution"
    first = await ingest(store, settings, pool, article(title, "10.02.2026", stripped).encode())
    assert first.stored == 1
    second = await ingest(store, settings, pool, article(title, "10.02.2026", body).encode(), "2.txt")
    assert (second.stored, second.duplicates_near, second.replaced) == (0, 1, 1)
    kept = await store.get_article(first.stored_ids[0])
    assert '"House of Friendship"' in kept.body and kept.duplicates == 1
    # The search index follows the replacement.
    assert [a.id for a in await store.search("Friendship")] == [kept.id]


async def test_threshold_one_still_ingests_and_finds_identical_signatures(
    store: Store, settings: Settings, pool
) -> None:
    strict = settings.model_copy(update={"near_duplicate_threshold": 1.0})
    body = ("Members of the city's Assembly of the People of Kazakhstan discussed the draft of "
            "the new Constitution at the \"House of Friendship\" in Shymkent.")
    title = "Shymkent discusses the draft Constitution"
    dump = article(title, "10.02.2026", body.replace('"', "").replace("'", ""))
    dump += article(title, "10.02.2026", body)
    report = await ingest(store, strict, pool, dump.encode())
    assert (report.stored, report.duplicates_near, report.replaced) == (1, 1, 1)


async def test_history_is_still_searched_after_the_threshold_setting_changes(
    store: Store, settings: Settings, pool
) -> None:
    words = ("The akimat of Karaganda region presented the plan for the heating season: "
             "twelve boiler houses were repaired, forty kilometres of heating networks were "
             "replaced and coal reserves for the winter reached ninety percent of the norm. "
             "Residents can report outages to the single call centre at any time of day.")
    first = await ingest(store, settings.model_copy(update={"near_duplicate_threshold": 0.9}),
                         pool, article("Karaganda is ready for winter", "01.10.2026", words).encode())
    assert first.stored == 1
    # The same story with one clause changed, ingested after the setting went down to 0.5.
    changed = words.replace("at any time of day", "around the clock")
    again = await ingest(store, settings.model_copy(update={"near_duplicate_threshold": 0.5}),
                         pool, article("Karaganda is ready for winter", "01.10.2026", changed).encode())
    assert (again.stored, again.duplicates_near) == (0, 1)


HOSPITAL_TITLE = "New hospital opens in Turkistan region"
HOSPITAL_BODY = ("The Ministry of Health opened a new hospital with 300 beds in Turkistan region. "
                 "Doctors and patients welcomed the new medical centre. ")
HOSPITAL_EN = article(HOSPITAL_TITLE, "03.03.2026",
                      HOSPITAL_BODY + "Source : https://www.gov.kz/x/details/1?lang=en")


async def test_translation_under_another_lang_is_not_a_duplicate(
    store: Store, settings: Settings, pool
) -> None:
    body_ru = ("Министерство здравоохранения открыло новую больницу на 300 коек в Туркестанской "
               "области. Врачи и пациенты приветствовали новый медицинский центр. ")
    dump = (HOSPITAL_EN
            + article("Новая больница открылась в Туркестанской области", "03.03.2026",
                      body_ru + "Источник : https://www.gov.kz/x/details/1?lang=ru"))
    report = await ingest(store, settings, pool, dump.encode())
    assert report.stored == 2 and report.duplicates_exact + report.duplicates_near == 0
    assert report.languages == {"en": 1, "ru": 1}


async def test_same_text_under_another_lang_is_the_same_article(
    store: Store, settings: Settings, pool
) -> None:
    # gov.kz serves English text under ?lang=kk too: the text, not the URL, decides.
    dump = HOSPITAL_EN + article(HOSPITAL_TITLE, "03.03.2026",
                                 HOSPITAL_BODY + "Source : https://www.gov.kz/x/details/1?lang=kk")
    report = await ingest(store, settings, pool, dump.encode())
    assert (report.stored, report.duplicates_exact) == (1, 1)


@pytest.mark.parametrize("action", ["ABORT", "ROLLBACK"])
async def test_failure_halfway_stores_nothing(
    store: Store, settings: Settings, pool, seed_path: Path, action: str
) -> None:
    # A database that fails on the third insert, like a disk filling up mid-ingest; with
    # ROLLBACK, SQLite itself ends the transaction (as it does on a full disk).
    await raw(store).execute(
        "CREATE TRIGGER fail_third BEFORE INSERT ON articles "
        f"WHEN (SELECT count(*) FROM articles) >= 2 BEGIN SELECT RAISE({action}, 'disk full'); END"
    )
    with pytest.raises(Exception, match="disk full"):
        await ingest(store, settings, pool, seed_path.read_bytes())
    assert await store.count_articles() == 0
    assert await store.recent_ingests() == []
    assert not await raw(store).execute_fetchall("SELECT 1 FROM lsh_bands")


async def test_cancelled_while_writing_stores_nothing(
    store: Store, settings: Settings, pool, seed_path: Path
) -> None:
    # Another process holds the write lock, so the ingest's transaction waits for it in its
    # thread; the task is cancelled there (a bot shutting down), then the lock is let go.
    holder = sqlite3.connect(settings.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    prepared = asyncio.Event()
    task = asyncio.create_task(ingest_bytes(
        store, seed_path.read_bytes(), "d.txt", settings, load_catalog(settings.topics_file),
        executor=pool, progress=lambda done, total: done == total and prepared.set(),
    ))
    await prepared.wait()
    await asyncio.sleep(0.3)  # the event loop runs on while the write waits
    task.cancel()
    holder.execute("ROLLBACK")
    holder.close()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await store.count_articles() == 0
    assert await store.recent_ingests() == []


async def test_rejected_file_stores_nothing(store: Store, settings: Settings, pool) -> None:
    with pytest.raises(DumpError, match=r"bad\.txt: not UTF-8"):
        await ingest(store, settings, pool, "Title\n10.02.2026\nCafé\n".encode("latin-1"), "bad.txt")
    with pytest.raises(DumpError, match=r"missing\.txt: no such file"):
        await read_dump(Path("missing.txt"))
    assert await store.count_articles() == 0


async def test_one_bad_article_does_not_sink_the_dump(store: Store, settings: Settings, pool) -> None:
    dump = (
        article("Farmers of Kostanay start spring sowing", "03.03.2026",
                "Farmers in Kostanay region started the sowing campaign for wheat and barley.")
        + article("Budget revenues grew by ten percent", "31.02.2026", "The budget grew.")
        + article("New school opens in Shymkent", "02.03.2026",
                  "A new school for 1200 pupils opened in Shymkent with modern laboratories.")
    )
    report = await ingest(store, settings, pool, dump.encode())
    assert report.stored == 2
    assert [(p.line, "31.02.2026" in p.reason) for p in report.problems] == [(5, True)]
    rows = await store.recent_ingests()
    assert rows[0]["stored"] == 2 and rows[0]["problems"][0]["line"] == 5


async def test_languages_detected_per_article(store: Store, settings: Settings, pool) -> None:
    dump = (
        article("Экономика Казахстана выросла на 6,1%", "05.03.2026",
                "По данным министерства, рост экономики в 2026 г. составил 6,1%.Инфляция замедлилась.")
        + article("Шымкентте жаңа мектеп ашылды", "02.03.2026",
                  "Шымкент қаласында 1200 оқушыға арналған жаңа мектеп ашылды.Мектепте зертханалар бар.")
        + article("New school opens in Shymkent", "02.03.2026",
                  "A new school for 1200 pupils opened in Shymkent with modern laboratories.")
    )
    report = await ingest(store, settings, pool, dump.encode())
    assert report.languages == {"ru": 1, "kk": 1, "en": 1}
    stored = {a.lang: a for a in await store.latest(limit=10)}
    assert "6,1%. Инфляция" in stored["ru"].body
    assert "ашылды. Мектепте" in stored["kk"].body
