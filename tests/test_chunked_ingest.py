"""A big ingest commits in short chunks, and stays all-or-nothing to everyone else.

Each test freezes an ingest between two of its chunks (by holding the store's write turn,
which every chunk takes) once at least one chunk is committed, and looks at the database
from outside. Chunks of one article make every dump a many-chunk ingest.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from digest import ingest as ingest_module
from digest.ingest import ingest_bytes
from digest.models import IngestReport
from digest.settings import Settings
from digest.storage import Store, Subscribers
from digest.topics import load_catalog
from tests.support.db import write_turn
from tests.support.dumps import economy_article, jsonl

NOW = datetime(2026, 2, 11, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def one_article_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_module, "CHUNK_ARTICLES", 1)


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[Store]:
    async with await Store.open(settings.db_path) as opened:
        yield opened


def dump(first: int, count: int, *extra: dict[str, Any]) -> bytes:
    return jsonl([*extra, *(economy_article(n, url=f"https://gov.kz/chunk/{n}")
                            for n in range(first, first + count))])


def pending_ids(db: Path) -> list[int]:
    """Article rows written by an ingest that has not finished (outside the storage API)."""
    con = sqlite3.connect(db, timeout=10)
    try:
        return [r[0] for r in con.execute(
            "SELECT id FROM articles WHERE ingest_id IN (SELECT ingest_id FROM ingests_pending) "
            "ORDER BY id")]
    finally:
        con.close()


async def start_ingest(
    store: Store, settings: Settings, pool: ThreadPoolExecutor, data: bytes
) -> asyncio.Task[IngestReport]:
    return asyncio.create_task(ingest_bytes(
        store, data, "big.jsonl", settings, load_catalog(settings.topics_file), executor=pool))


async def freeze_after_a_chunk(task: asyncio.Task[IngestReport], store: Store, db: Path) -> None:
    """Wait until the ingest committed a chunk, then hold the write turn: it cannot start
    another chunk until the caller releases it."""
    while not pending_ids(db):
        if task.done():
            raise AssertionError(f"the ingest ended before a chunk was seen: {task.result()}")
        await asyncio.sleep(0.005)
    await write_turn(store).acquire()


async def what_readers_see(store: Store, copy_of: int) -> tuple[object, ...]:
    copy = await store.get_article(copy_of)
    return (
        await store.count_articles(),
        await store.count_stories(),
        [a.id for a in await store.latest(limit=100)],
        [a.id for a in await store.latest("economy", limit=100)],
        [a.id for a in await store.search("inflation", limit=100)],
        [a.id for a in await store.articles_for_topics(["economy"], limit=100)],
        await store.topic_counts(),
        [i["id"] for i in await store.recent_ingests()],
        copy.duplicates if copy else None,
        copy.versions if copy else None,
    )


async def test_a_reader_during_a_chunked_ingest_sees_nothing_of_it(
    store: Store, settings: Settings, pool: ThreadPoolExecutor
) -> None:
    first = await ingest_bytes(store, dump(0, 3), "first.jsonl", settings,
                               load_catalog(settings.topics_file), executor=pool)
    stored = first.stored_ids[0]
    before = await what_readers_see(store, stored)
    # The second dump opens with a repost of a stored article (its counter and sources
    # must wait too), then 40 new articles.
    repost = {**economy_article(0), "url": "https://gov.kz/elsewhere/0"}
    task = await start_ingest(store, settings, pool, dump(100, 40, repost))
    await freeze_after_a_chunk(task, store, settings.db_path)
    try:
        hidden = pending_ids(settings.db_path)
        assert hidden, "a chunk is committed"
        assert await what_readers_see(store, stored) == before
        assert await store.get_article(hidden[0]) is None
        assert await store.topic_scores(hidden[0]) == []
        assert not task.done()
    finally:
        write_turn(store).release()
    report = await task
    assert (report.stored, report.duplicates_exact + report.duplicates_near) == (40, 1)
    after = await what_readers_see(store, stored)
    assert after[0] == 43 and len(after[2]) == 43
    assert after[8] == before[8] + 1  # the repost's count, at the end
    assert after[9] != before[9]  # and its URL among the stored article's versions
    assert pending_ids(settings.db_path) == []


async def test_a_bot_write_during_an_ingest_waits_for_one_chunk_not_the_whole_ingest(
    store: Store, settings: Settings, pool: ThreadPoolExecutor
) -> None:
    subscribers = Subscribers(store, "Asia/Almaty", "09:00")
    await subscribers.ensure(501, 501, "en", NOW)
    task = await start_ingest(store, settings, pool, dump(0, 40))
    await freeze_after_a_chunk(task, store, settings.db_path)
    write = asyncio.create_task(subscribers.subscribe(501, ["economy"], NOW))
    await asyncio.sleep(0)  # the write queues for its turn, behind the ingest's next chunk
    write_turn(store).release()
    # Turns are first come, first served: the write gets in after at most one more chunk,
    # while the ingest has many left.
    await write
    assert not task.done()
    assert pending_ids(settings.db_path), "the ingest is not finished"
    assert await subscribers.topics(501) == ["economy"]
    report = await task
    assert report.stored == 40 and await store.count_articles() == 40


async def test_a_failed_ingest_deletes_what_its_chunks_wrote(
    store: Store, settings: Settings, pool: ThreadPoolExecutor
) -> None:
    await ingest_bytes(store, dump(0, 3), "first.jsonl", settings,
                       load_catalog(settings.topics_file), executor=pool)
    task = await start_ingest(store, settings, pool, dump(100, 40))
    await freeze_after_a_chunk(task, store, settings.db_path)
    task.cancel()  # an ingest that stops halfway: cancelled here, an error in production
    write_turn(store).release()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert pending_ids(settings.db_path) == []
    con = sqlite3.connect(settings.db_path)
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM ingests").fetchone()[0] == 1
        assert con.execute(
            "SELECT count(*) FROM stories WHERE id NOT IN (SELECT story_id FROM articles)"
        ).fetchone()[0] == 0
    finally:
        con.close()
    assert await store.count_articles() == 3
