"""Stories: translations linked by gov.kz news id or by content, reposts merged, one item
per story for readers, and the schema migration for databases from before stories."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from digest import linking
from digest.ingest import ingest_bytes
from digest.models import IngestReport
from digest.settings import Settings
from digest.storage import Store
from digest.storage.schema import MIGRATIONS
from digest.topics import load_catalog
from tests.story_dump import (
    EN_BODY,
    GOVKZ,
    REPOST_URL,
    dump,
    full_dump,
    govkz_item,
    other_story,
    repost,
)
from tests.support.db import raw

NEWSBOT = Path(sys.executable).with_name("newsbot")


async def ingest(store: Store, settings: Settings, data: bytes) -> IngestReport:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return await ingest_bytes(store, data, "dump.jsonl", settings,
                                  load_catalog(settings.topics_file), executor=pool)


def newsbot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env["NEWSBOT_DB_PATH"] = str(tmp_path / "cli.db")
    return subprocess.run([str(NEWSBOT), *args], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=120)


def test_one_govkz_item_in_three_languages_and_a_repost_is_one_story_with_four_versions(
    tmp_path: Path,
) -> None:
    dump_path = tmp_path / "item.jsonl"
    dump_path.write_bytes(full_dump())
    result = newsbot(tmp_path, "ingest", str(dump_path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # The item (kk, ru, en, the repost) and the ministry's other story of the day.
    assert (report["stories_new"], report["versions_linked"]) == (2, 3)
    assert (report["stored"], report["duplicates_near"]) == (4, 1)

    latest = json.loads(newsbot(tmp_path, "latest", "--json", "--lang", "ru").stdout)
    assert len(latest) == 2
    item = next(a for a in latest if a["title"].startswith("ВВП"))
    assert item["lang"] == "ru" and item["url"] == f"{GOVKZ}?lang=ru"
    assert sorted(v["url"] for v in item["versions"]) == sorted(
        [f"{GOVKZ}?lang=kk", f"{GOVKZ}?lang=ru", f"{GOVKZ}?lang=en", REPOST_URL]
    )
    assert sorted(v["lang"] for v in item["versions"]) == ["en", "en", "kk", "ru"]
    assert len({v["id"] for v in item["versions"]}) == 3  # the repost is the English row
    other = next(a for a in latest if a is not item)
    assert other["story"] != item["story"] and len(other["versions"]) == 1

    english = json.loads(newsbot(tmp_path, "latest", "--json", "--lang", "en").stdout)
    assert [a["story"] for a in english] == [a["story"] for a in latest]
    assert next(a for a in english if a["story"] == item["story"])["lang"] == "en"

    found = json.loads(newsbot(tmp_path, "search", "Жаксылыков", "--json", "--lang", "kk").stdout)
    assert [a["story"] for a in found].count(item["story"]) == 1
    kazakh = next(a for a in found if a["story"] == item["story"])
    assert kazakh["lang"] == "kk"  # found through the Russian text, shown in Kazakh

    # A re-upload adds nothing.
    again = json.loads(newsbot(tmp_path, "ingest", str(dump_path), "--json").stdout)
    assert (again["stored"], again["stories_new"], again["versions_linked"]) == (0, 0, 0)

    repost_id = next(v["id"] for v in item["versions"] if v["url"] == REPOST_URL)
    explained = newsbot(tmp_path, "explain", str(repost_id)).stdout
    assert "same gov.kz news id 3005001" in explained
    assert f"source {REPOST_URL}: a repost: near-duplicate text" in explained
    first = newsbot(tmp_path, "explain", str(min(v["id"] for v in item["versions"]))).stdout
    assert "a new story" in first


async def test_translations_without_a_shared_id_are_linked_by_content(
    store: Store, settings: Settings
) -> None:
    def elsewhere(lang: str) -> dict[str, Any]:
        return {**govkz_item(lang), "url": f"https://agency{lang}.example.kz/news/gdp-{lang}"}

    report = await ingest(store, settings, dump(elsewhere("en"), other_story(), elsewhere("ru"),
                                                elsewhere("kk")))
    assert (report.stories_new, report.versions_linked) == (2, 2)
    ru = await store.latest(None, 10, lang="ru")
    assert len(ru) == 2
    story = next(a for a in ru if a.title.startswith("ВВП"))
    assert sorted(v.lang for v in story.versions) == ["en", "kk", "ru"]
    link = await store.story_link(story.id)
    assert link is not None and link["reason"]["how"] == "content"
    assert {"5.7", "7.3", "11.8"} <= set(link["reason"]["numbers"])


async def test_a_translation_a_day_late_links_but_not_two_days_late(
    store: Store, settings: Settings
) -> None:
    en = {**govkz_item("en"), "url": "https://a.example.kz/gdp"}
    ru_late = {**govkz_item("ru"), "url": "https://b.example.kz/gdp", "date": "2026-05-15"}
    kk_later = {**govkz_item("kk"), "url": "https://c.example.kz/gdp", "date": "2026-05-17"}
    report = await ingest(store, settings, dump(en, ru_late, kk_later))
    assert (report.stories_new, report.versions_linked) == (2, 1)


async def test_a_repost_under_another_url_is_merged_and_the_better_copy_kept(
    store: Store, settings: Settings
) -> None:
    # The repost first (quotes stripped): the original then replaces its text.
    first = await ingest(store, settings, dump(repost()))
    second = await ingest(store, settings, dump(govkz_item("en")))
    assert (second.stored, second.duplicates_near, second.replaced) == (0, 1, 1)
    assert second.versions_linked == 1
    [article] = await store.latest(None, 5)
    assert article.id == first.stored_ids[0]
    assert '"Growth is broad' in article.body
    assert article.source_url == f"{GOVKZ}?lang=en"
    assert [v.url for v in article.versions] == [f"{GOVKZ}?lang=en", REPOST_URL]


async def test_a_better_copy_of_another_date_keeps_the_story_findable_on_its_date(
    store: Store, settings: Settings
) -> None:
    # The copy stored first is replaced by a better one dated two days later; the row keeps
    # its date, and a translation of that date still finds it.
    copy = {**govkz_item("en"), "url": "https://a.example.kz/gdp",
            "body": EN_BODY.replace('"', "")}
    better = {**govkz_item("en"), "url": "https://b.example.kz/gdp", "date": "2026-05-16"}
    translation = {**govkz_item("ru"), "url": "https://c.example.kz/gdp"}
    await ingest(store, settings, dump(copy))
    replaced = await ingest(store, settings, dump(better))
    assert (replaced.stored, replaced.replaced) == (0, 1)
    linked = await ingest(store, settings, dump(translation))
    assert (linked.stories_new, linked.versions_linked) == (0, 1)
    link = await store.story_link(linked.stored_ids[0])
    assert link is not None and link["reason"]["how"] == "content"


async def test_a_database_from_before_dated_link_keys_still_links_translations(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "v6.db"
    en = {**govkz_item("en"), "url": "https://a.example.kz/gdp"}
    with sqlite3.connect(path) as conn:  # schema 6: link keys without date and language
        for script in MIGRATIONS[:6]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 6")
        conn.execute("INSERT INTO stories (id, created_at) VALUES (1, '2026-05-14T00:00:00')")
        features = linking.features(en["title"], en["body"], "en")
        conn.execute(
            "INSERT INTO articles (id, title, date, body, summary, source_url, url_key, "
            "text_key, lang, quality, minhash, ingested_at, story_id, link_features) "
            "VALUES (1, ?, ?, ?, 's', ?, ?, 'k1', 'en', 1, x'00', '2026-05-14T00:00:00', 1, ?)",
            (en["title"], en["date"], en["body"], en["url"], en["url"], features.dumps()),
        )
        conn.executemany(
            "INSERT INTO article_numbers (number, article_id) VALUES (?, 1)",
            [(key,) for key in features.index_keys()],
        )
    async with await Store.open(path) as store:
        translation = {**govkz_item("ru"), "url": "https://c.example.kz/gdp"}
        report = await ingest(store, settings, dump(translation))
        assert (report.stories_new, report.versions_linked) == (0, 1)
        assert (await store.story_link(report.stored_ids[0]) or {})["reason"]["with"] == 1


async def test_a_different_story_of_the_same_ministry_and_day_stays_apart(
    store: Store, settings: Settings
) -> None:
    report = await ingest(store, settings, dump(govkz_item("en"), other_story()))
    assert (report.stories_new, report.versions_linked) == (2, 0)


async def test_story_delivered_in_one_language_is_not_offered_again(
    store: Store, settings: Settings
) -> None:
    await ingest(store, settings, dump(govkz_item("ru")))
    await raw(store).execute(
        "INSERT INTO subscribers (chat_id, timezone, digest_time, created_at, updated_at) "
        "VALUES (7, 'Asia/Almaty', '09:00', 'now', 'now')"
    )
    [sent] = await store.articles_for_topics(["economy"], undelivered_to=7, lang="ru")
    await raw(store).execute(
        "INSERT INTO deliveries (chat_id, article_id, delivered_at) VALUES (7, ?, 'now')",
        (sent.id,),
    )
    await ingest(store, settings, dump(govkz_item("en"), repost(), govkz_item("kk")))
    assert await store.articles_for_topics(["economy"], undelivered_to=7, lang="en") == []
    assert len(await store.articles_for_topics(["economy"], undelivered_to=8, lang="en")) == 1


async def test_an_older_database_migrates_to_stories(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # before stories: the first two migrations
        for script in MIGRATIONS[:2]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 2")
        rows = [
            ("Kk", f"{GOVKZ}?lang=kk", "https://gov.kz/memleket/entities/economy/press/news/"
             "details/3005001?lang=kk", "kk"),
            ("Ru", f"{GOVKZ}?lang=ru", "https://gov.kz/memleket/entities/economy/press/news/"
             "details/3005001?lang=ru", "ru"),
            ("Other", "https://example.kz/a", "https://example.kz/a", "en"),
            ("No url", None, None, "en"),
        ]
        for i, (title, url, key, lang) in enumerate(rows):
            conn.execute(
                "INSERT INTO articles (title, date, body, summary, source_url, url_key, "
                "text_key, lang, quality, minhash, ingested_at) VALUES (?, '2026-01-01', 'b', "
                "'s', ?, ?, ?, ?, 1, x'00', '2026-01-01T00:00:00+00:00')",
                (title, url, key, f"k{i}", lang),
            )
    async with await Store.open(path) as store:
        stories = {a.title: a.story_id for a in await store.latest(None, 10, lang="ru")}
        assert set(stories) == {"Ru", "Other", "No url"}
        ru = await store.get_article(2)
        assert ru is not None and ru.story_id == 1
        assert sorted(v.lang for v in ru.versions) == ["kk", "ru"]
        assert len(set(stories.values())) == 3
        link = await store.story_link(2)
        assert link is not None and link["reason"] == {"how": "news_id", "migrated": True}


async def test_the_news_language_moves_with_a_group_that_became_a_supergroup(
    store: Store,
) -> None:
    from datetime import UTC, datetime

    from digest.storage import Subscribers

    now = datetime(2026, 5, 14, 4, 0, tzinfo=UTC)
    subs = Subscribers(store, "Asia/Almaty", "09:00")
    await subs.ensure(-100, None, "ru", now)
    await subs.set_news_language(-100, "kk", now)
    with pytest.raises(ValueError):
        await subs.set_news_language(-100, "fr", now)
    moved = await subs.migrate(-100, -1001, now)
    assert moved is not None and (moved.language, moved.news_language) == ("ru", "kk")
    assert moved.reads == "kk" and not moved.reads_all


def test_demo_shows_each_story_once_per_topic_in_english(tmp_path: Path) -> None:
    result = newsbot(tmp_path, "demo")
    assert result.returncode == 0, result.stderr
    sections = result.stdout.split("\n== ")[1:]
    economy = next(s for s in sections if s.startswith("Economy"))
    # The sample's GDP item is published in English and Russian under one gov.kz news id.
    assert economy.count("GDP grew by 6.1%") == 1
    assert "Экономика Казахстана выросла" not in result.stdout
    assert "also in: ru https://www.gov.kz/memleket/entities/economy/press/news/details/" \
        "2001001?lang=ru" in economy
    for section in sections:
        titles = [line for line in section.splitlines() if line.startswith("* ")]
        assert len(titles) == len(set(titles)), section
    assert "stories: 6 new; versions linked to a story (translations, reposts): 1" in result.stdout
