"""Storage: pragmas, forward migrations, refusal of a newer schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from digest.storage import Store, StoreError
from digest.storage.migrate import migrate
from digest.storage.schema import MIGRATIONS
from tests.support.db import raw


async def test_open_sets_pragmas_and_latest_schema(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "sub" / "n.db") as store:
        async def pragma(name: str) -> object:
            async with raw(store).execute(f"PRAGMA {name}") as cur:
                return (await cur.fetchone())[0]

        assert await pragma("journal_mode") == "wal"
        assert await pragma("foreign_keys") == 1
        assert await pragma("busy_timeout") == 10_000
        assert await pragma("user_version") == len(MIGRATIONS)
        tables = {r[0] for r in await raw(store).execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    assert {"articles", "article_topics", "lsh_bands", "ingests", "articles_fts",
            "subscribers", "subscriptions", "deliveries", "digest_runs"} <= tables


async def test_migrations_run_forward_from_an_older_version(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # a database created by the first release
        conn.executescript(MIGRATIONS[0])
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO articles (title, date, body, summary, text_key, lang, quality, minhash, "
            "ingested_at) VALUES ('Old', '2026-01-01', 'Kept body', 's', 'k', 'en', 1, x'00', "
            "'2026-01-01T00:00:00+00:00')"
        )
    async with await Store.open(path) as store:
        assert (await store.get_article(1)).title == "Old"
        assert [a.title for a in await store.search("kept")] == ["Old"]
        await raw(store).execute(
            "INSERT INTO subscribers (chat_id, timezone, digest_time, created_at, updated_at) "
            "VALUES (1, 'Asia/Almaty', '09:00', 'now', 'now')"
        )
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


async def test_failed_migration_leaves_the_version_alone(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "n.db") as store:
        with pytest.raises(sqlite3.OperationalError):
            await migrate(raw(store), [*MIGRATIONS, "CREATE TABLE t (x);\nNOT SQL AT ALL;"])
        rows = await raw(store).execute_fetchall("PRAGMA user_version")
        assert rows[0][0] == len(MIGRATIONS)
        assert not await raw(store).execute_fetchall(
            "SELECT 1 FROM sqlite_master WHERE name = 't'")


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer than this newsbot"):
        await Store.open(path)


async def test_a_file_that_is_not_a_database_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 10)
    with pytest.raises(StoreError, match=r"cannot open database .*notes\.db: file is not a database"):
        await Store.open(path)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"', False), ("AND OR NOT", False), ("NEAR(", False), ("'; DROP TABLE", False), ("", False),
        ("constitution*)", True), ('"Constitution"', True), ("-constitution:", True),
        ("reform^ (constitution", True), ("NEAR(constitution reform)", False),
    ],
)
async def test_search_treats_fts_syntax_as_plain_words(
    tmp_path: Path, query: str, found: bool
) -> None:
    async with await Store.open(tmp_path / "n.db") as store:
        await raw(store).execute(
            "INSERT INTO articles (title, date, body, summary, text_key, lang, quality, minhash, "
            "ingested_at) VALUES ('The new Constitution', '2026-02-10', 'A reform of the state "
            "is close to completion.', 's', 'k', 'en', 1, x'00', '2026-02-10T00:00:00+00:00')"
        )
        assert [a.title for a in await store.search(query)] == (
            ["The new Constitution"] if found else []
        )


async def test_articles_for_topics_filters(tmp_path: Path) -> None:
    from datetime import UTC, date, datetime

    async with await Store.open(tmp_path / "n.db") as store:
        rows = [  # id, date, ingested_at, topic
            (1, "2026-01-01", "2026-01-01T08:00:00+00:00", "economy"),
            (2, "2026-01-05", "2026-01-09T08:00:00+00:00", "economy"),
            (3, "2026-01-07", "2026-01-09T09:00:00+00:00", "health"),
            (4, "2026-01-08", "2026-01-09T10:00:00+00:00", "security"),
        ]
        for article_id, day, ingested, topic in rows:
            await raw(store).execute(
                "INSERT INTO articles (id, title, date, body, summary, text_key, lang, quality, "
                "minhash, ingested_at) VALUES (?, ?, ?, 'b', 's', ?, 'en', 1, x'00', ?)",
                (article_id, f"t{article_id}", day, f"k{article_id}", ingested),
            )
            await raw(store).execute(
                "INSERT INTO article_topics (article_id, topic, score, assigned) "
                "VALUES (?, ?, 9, 1)", (article_id, topic))
        await raw(store).execute(
            "INSERT INTO subscribers (chat_id, timezone, digest_time, created_at, updated_at) "
            "VALUES (7, 'Asia/Almaty', '09:00', 'now', 'now')")
        await raw(store).execute(
            "INSERT INTO deliveries (chat_id, article_id, delivered_at) VALUES (7, 2, 'now')")

        async def ids(**kw: object) -> list[int]:
            return [a.id for a in await store.articles_for_topics(["economy", "health"], **kw)]

        assert await ids() == [3, 2, 1]  # newest first, only the asked topics
        assert await ids(undelivered_to=7) == [3, 1]
        assert await ids(undelivered_to=8) == [3, 2, 1]
        assert await ids(since=date(2026, 1, 5)) == [3, 2]
        assert await ids(ingested_since=datetime(2026, 1, 9, 8, 30, tzinfo=UTC)) == [3]
        assert await ids(limit=1) == [3]
        assert await store.articles_for_topics([]) == []

