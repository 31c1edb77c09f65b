"""What keeps `latest` and `search` fast at scale (issue 9) gives the answers the plain
queries give: the per-story newest dates kept by triggers, through every way rows change,
and a search that ranks only the newest matches of a very common word."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from digest.storage import Store, articles
from digest.storage.schema import MIGRATIONS
from tests.support.db import raw

TOPICS = ("economy", "health", "security")


def grouped(conn: sqlite3.Connection, topic: str | None, limit: int) -> list[int]:
    """The story order `latest` had before the kept tables: every row grouped into
    stories, by the newest date, then the highest id, of their versions (with the topic)."""
    if topic is None:
        sql = ("SELECT story_id FROM articles GROUP BY story_id "
               "ORDER BY max(date) DESC, max(id) DESC LIMIT ?")
        return [r[0] for r in conn.execute(sql, (limit,))]
    sql = ("SELECT a.story_id FROM articles a JOIN article_topics t ON t.article_id = a.id "
           "WHERE t.topic = ? AND t.assigned = 1 GROUP BY a.story_id "
           "ORDER BY max(a.date) DESC, max(a.id) DESC LIMIT ?")
    return [r[0] for r in conn.execute(sql, (topic, limit))]


def add_articles(conn: sqlite3.Connection, rnd: random.Random, first: int, count: int,
                 stories: list[int]) -> None:
    for article_id in range(first, first + count):
        # Half join an existing story (a translation, a repost), half start one (NULL: the
        # schema's trigger gives them a story of their own).
        story = rnd.choice(stories) if stories and rnd.random() < 0.5 else None
        conn.execute(
            "INSERT INTO articles (id, title, date, body, summary, text_key, lang, quality, "
            "minhash, ingested_at, story_id) VALUES (?, ?, ?, 'b', 's', ?, ?, 1, x'00', "
            "'2026-01-01T00:00:00+00:00', ?)",
            (article_id, f"t{article_id}", f"2026-01-{rnd.randint(1, 9):02d}",
             f"k{article_id}", rnd.choice(["en", "ru", "kk"]), story),
        )
        stories.append(conn.execute("SELECT story_id FROM articles WHERE id = ?",
                                    (article_id,)).fetchone()[0])
        for topic in TOPICS:
            if rnd.random() < 0.6:
                conn.execute(
                    "INSERT INTO article_topics (article_id, topic, score, assigned) "
                    "VALUES (?, ?, 1, ?)", (article_id, topic, int(rnd.random() < 0.7)))


async def assert_latest_as_grouped(store: Store, path: Path) -> None:
    with sqlite3.connect(path) as conn:
        for topic in (None, *TOPICS):
            # The data must give every topic several stories, or the order proves nothing.
            assert len(grouped(conn, topic, 200)) >= 3, topic
            for limit in (1, 5, 200):
                got = [a.story_id for a in await store.latest(topic, limit)]
                assert got == grouped(conn, topic, limit), (topic, limit)


async def test_latest_matches_the_grouping_through_every_kind_of_change(
    tmp_path: Path,
) -> None:
    path = tmp_path / "n.db"
    rnd = random.Random(9)
    async with await Store.open(path) as store:
        db = raw(store)
        stories: list[int] = []

        # Inserts (new stories and versions of existing ones), as an ingest writes them.
        with sqlite3.connect(path) as conn:
            add_articles(conn, rnd, 1, 60, stories)
        await assert_latest_as_grouped(store, path)

        # A replacement rewrites an article's topics: deletes them, inserts new ones.
        for article_id in rnd.sample(range(1, 61), 15):
            await db.execute("DELETE FROM article_topics WHERE article_id = ?", (article_id,))
            await db.execute(
                "INSERT INTO article_topics (article_id, topic, score, assigned) "
                "VALUES (?, ?, 1, 1)", (article_id, rnd.choice(TOPICS)))
        await db.commit()
        await assert_latest_as_grouped(store, path)

        # A topic's assignment changes in place, and a row moves to another topic.
        await db.execute("UPDATE article_topics SET assigned = 1 - assigned "
                         "WHERE article_id % 4 = 0")
        await db.execute("UPDATE OR IGNORE article_topics SET topic = 'health' "
                         "WHERE topic = 'security' AND article_id % 3 = 0")
        await db.commit()
        await assert_latest_as_grouped(store, path)

        # Stories merge (versions move to another story) and dates are corrected.
        for article_id in rnd.sample(range(1, 61), 12):
            await db.execute("UPDATE articles SET story_id = ? WHERE id = ?",
                             (rnd.choice(stories), article_id))
        await db.execute("UPDATE articles SET date = '2026-02-01' WHERE id IN (5, 17, 33)")
        await db.execute("UPDATE articles SET date = '2025-12-01' WHERE id IN (2, 40)")
        await db.commit()
        await assert_latest_as_grouped(store, path)

        # Articles are deleted (their topics go with them).
        await db.execute("DELETE FROM articles WHERE id % 5 = 1")
        await db.commit()
        await assert_latest_as_grouped(store, path)


async def test_inline_newest_stories_list_the_reader_language_first_as_grouped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "n.db"
    async with await Store.open(path) as store:
        with sqlite3.connect(path) as conn:
            add_articles(conn, random.Random(5), 1, 80, [])
            conn.commit()
            for lang in ("kk", "ru", "en"):
                expected = [r[0] for r in conn.execute(
                    "SELECT story_id FROM articles GROUP BY story_id "
                    "ORDER BY max(lang = ?) DESC, max(date) DESC, max(id) DESC", (lang,))]
                with_lang = {r[0] for r in conn.execute(
                    "SELECT story_id FROM articles WHERE lang = ?", (lang,))}
                # Pages must cross from stories in the language to the others.
                assert 10 < len(with_lang) < len(expected) - 10
                for offset, limit in ((0, 5), (0, 200), (len(with_lang) - 3, 7),
                                      (len(with_lang) + 2, 4), (len(expected) - 2, 5)):
                    page = await store.search_language_first("", lang, limit, offset)
                    assert [a.story_id for a in page] == expected[offset : offset + limit]


async def test_an_older_database_gets_its_story_dates_on_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    # The schema just before the kept tables (found by content: versions are not fixed).
    before = next(i for i, script in enumerate(MIGRATIONS) if "story_dates" in script)
    with sqlite3.connect(path) as conn:
        for script in MIGRATIONS[:before]:
            conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {before}")
        add_articles(conn, random.Random(3), 1, 40, [])
    async with await Store.open(path) as store:
        await assert_latest_as_grouped(store, path)
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT count(*) FROM topic_stories").fetchone()[0] > 0


def insert_texts(conn: sqlite3.Connection, texts: list[str]) -> None:
    for article_id, body in enumerate(texts, start=1):
        conn.execute(
            "INSERT INTO articles (id, title, date, body, summary, text_key, lang, quality, "
            "minhash, ingested_at) VALUES (?, ?, '2026-03-01', ?, 's', ?, 'en', 1, x'00', "
            "'2026-03-01T00:00:00+00:00')",
            (article_id, f"Note {article_id}", body, f"k{article_id}"),
        )


async def test_search_ranks_only_the_newest_matches_of_a_common_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "n.db"
    # The oldest stored note is the best match for "budget" (it says it most often).
    texts = ["budget budget budget budget talks on the new budget",
             *(f"the budget and item {n} of other business" for n in range(2, 8)),
             "rare word glacier in one budget note"]
    async with await Store.open(path) as store:
        with sqlite3.connect(path) as conn:
            insert_texts(conn, texts)
        full = [a.id for a in await store.search("budget", 10)]
        assert full[0] == 1
        assert sorted(full) == list(range(1, 9))

        monkeypatch.setattr(articles, "RANKED_MATCHES", 4)
        # Eight matches, four ranked: the newest four stored, best first as before.
        newest = [a.id for a in await store.search("budget", 10)]
        assert newest == [i for i in full if i >= 5]
        assert 1 not in [a.id for a in await store.search("budget", 3)]
        # A word with fewer matches than the cut is ranked whole, as before.
        assert [a.id for a in await store.search("glacier", 10)] == [8]
        assert [a.id for a in await store.search("talks", 10)] == [1]
        inline = await store.search_language_first("budget", "en", 10)
        assert [a.id for a in inline] == newest


async def test_a_word_that_fills_the_ranked_window_alone_leaves_its_longer_forms_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.db"
    # Note 1 says only "ministers", and says it most often; 2-5 say "minister".
    texts = ["ministers ministers ministers met the ministers",
             *(f"the minister spoke about item {n}" for n in range(2, 6)),
             "the ministerial council met"]
    async with await Store.open(path) as store:
        with sqlite3.connect(path) as conn:
            insert_texts(conn, texts)
        # Fewer matches of the word alone than the window: every form is ranked, as before.
        assert (await store.search("minister", 10))[0].id == 1
        assert sorted(a.id for a in await store.search("minister", 10)) == [1, 2, 3, 4, 5, 6]

        monkeypatch.setattr(articles, "RANKED_MATCHES", 4)
        # The word alone matches four: they fill the window, and the longer forms stay out.
        found = [a.id for a in await store.search("minister", 10)]
        assert sorted(found) == [2, 3, 4, 5]
        assert [a.id for a in await store.search_language_first("minister", "en", 10)] == found
        # A longer form is still found by its own name; a word start that is no word ranks
        # the newest four matches of every form.
        assert [a.id for a in await store.search("ministers", 10)] == [1]
        assert sorted(a.id for a in await store.search("minist", 10)) == [3, 4, 5, 6]
        # Two words: the pair alone fills no window here, so both forms count.
        assert sorted(a.id for a in await store.search("minister met", 10)) == [1, 6]


async def test_several_words_that_fill_the_ranked_window_leave_their_longer_forms_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.db"
    # Note 1 has only longer forms of both words; 2-5 have the words as typed; 6 has one
    # word as typed and the other only as a longer form.
    texts = ["budgets budgets and deficits deficits in the budgets",
             *(f"the budget deficit of item {n}" for n in range(2, 6)),
             "the budget and its deficits"]
    async with await Store.open(path) as store:
        with sqlite3.connect(path) as conn:
            insert_texts(conn, texts)
        # Fewer matches of the words as typed than the window: every form counts.
        assert sorted(a.id for a in await store.search("budget deficit", 10)) == [1, 2, 3, 4,
                                                                                  5, 6]
        monkeypatch.setattr(articles, "RANKED_MATCHES", 4)
        # The words as typed match four notes: they fill the window, longer forms stay out.
        found = [a.id for a in await store.search("budget deficit", 10)]
        assert sorted(found) == [2, 3, 4, 5]
        assert [a.id for a in await store.search_language_first("budget deficit", "en",
                                                                 10)] == found
        # One note fewer in the window than the words as typed match: all forms, newest
        # four ranked.
        monkeypatch.setattr(articles, "RANKED_MATCHES", 5)
        assert sorted(a.id for a in await store.search("budget deficit", 10)) == [2, 3, 4, 5,
                                                                                  6]


async def test_a_search_page_counts_stories_each_at_its_best_version(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    # Best match first: notes 1 and 2 (one story: 2 is its Russian version), then 3, then 4.
    texts = ["harvest harvest harvest report", "harvest harvest report",
             "harvest notes", "the harvest of item four and many other words"]
    async with await Store.open(path) as store:
        with sqlite3.connect(path) as conn:
            insert_texts(conn, texts)
            conn.execute("UPDATE articles SET story_id = 1, lang = 'ru' WHERE id = 2")
        found = await store.search("harvest", 10)
        assert [a.story_id for a in found] == [1, 3, 4]
        assert sorted(v.id for v in found[0].versions) == [1, 2]
        # Two results are two stories, not the two best rows (both of story 1).
        assert [a.story_id for a in await store.search("harvest", 2)] == [1, 3]
        # A reader of Russian gets the story's Russian version, found through the English.
        russian = await store.search("harvest", 2, lang="ru")
        assert [(a.story_id, a.id, a.lang) for a in russian] == [(1, 2, "ru"), (3, 3, "en")]
        inline = await store.search_language_first("harvest", "en", 10)
        assert [a.story_id for a in inline] == [1, 3, 4]
