"""A big ingest commits in short chunks, and stays all-or-nothing to everyone else.

Each test freezes an ingest between two of its chunks (by holding the store's write turn,
which every chunk takes) once at least one chunk is committed, and looks at the database
from outside. Chunks of one article make every dump a many-chunk ingest.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from digest import ingest as ingest_module
from digest.ingest import ingest_bytes
from digest.models import IngestReport
from digest.settings import Settings
from digest.storage import FollowStore, Store, StoreError, Subscribers
from digest.storage.activity import articles_per_topic_day
from digest.storage.ingest_writes import IngestSession, IngestWrites, ingest_session
from digest.storage.link_keys import LinkKeys
from digest.topics import load_catalog
from tests.support.db import autocheckpoint_pages, waiting_writes, write_turn
from tests.support.dumps import economy_article, jsonl

NOW = datetime(2026, 2, 11, 9, 0, tzinfo=UTC)
NEWSBOT = Path(sys.executable).with_name("newsbot")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Chunks of one article: every dump is a many-chunk ingest."""
    return settings.model_copy(update={"ingest_chunk_articles": 1})


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


async def what_readers_see(
    store: Store, copy_of: int, follows: FollowStore | None = None
) -> tuple[object, ...]:
    """Every kind of read the bot, the digests and the command line make."""
    copy = await store.get_article(copy_of)
    week = datetime(2026, 1, 1, tzinfo=UTC)
    matched: object = None
    if follows is not None:
        await follows.index_new()
        matched = await follows.matching(["inflation", "gdp growth"], limit=100)
    return (
        await store.count_articles(),
        await store.count_stories(),
        [a.id for a in await store.latest(limit=100)],
        [a.id for a in await store.latest("economy", limit=100)],
        [a.id for a in await store.search("inflation", limit=100)],
        [a.id for a in await store.search_language_first("inflation", "en", limit=100)],
        [a.id for a in await store.search_language_first("", "en", limit=100)],
        [a.id for a in await store.articles_for_topics(["economy"], limit=100)],
        await store.topic_story_ids(["economy"], ingested_since=week),
        await store.topic_counts(),
        await store.topic_language_counts(),
        await articles_per_topic_day(store, date(2026, 1, 1), date(2026, 12, 31)),
        [i["id"] for i in await store.recent_ingests()],
        copy.duplicates if copy else None,
        copy.versions if copy else None,
        await store.story_link(copy_of),
        matched,
    )


def cli_latest(settings: Settings, *args: str) -> list[int]:
    """`newsbot latest --json`, another process reading the database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    result = subprocess.run(
        [str(NEWSBOT), "latest", "--json", "-n", "100", *args], capture_output=True,
        text=True, env={**env, "NEWSBOT_DB_PATH": str(settings.db_path)}, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [a["id"] for a in json.loads(result.stdout)]


async def test_a_reader_during_a_chunked_ingest_sees_nothing_of_it(
    store: Store, settings: Settings, pool: ThreadPoolExecutor
) -> None:
    first = await ingest_bytes(store, dump(0, 3), "first.jsonl", settings,
                               load_catalog(settings.topics_file), executor=pool)
    stored = first.stored_ids[0]
    follows = FollowStore(store, Subscribers(store, "Asia/Almaty", "09:00"), pool)
    before = await what_readers_see(store, stored, follows)
    cli_before = cli_latest(settings), cli_latest(settings, "--topic", "economy")
    assert len(cli_before[0]) == 3
    # The second dump opens with a repost of a stored article (its counter and sources
    # must wait too), then 40 new articles.
    repost = {**economy_article(0), "url": "https://gov.kz/elsewhere/0"}
    task = await start_ingest(store, settings, pool, dump(100, 40, repost))
    await freeze_after_a_chunk(task, store, settings.db_path)
    try:
        hidden = pending_ids(settings.db_path)
        assert hidden, "a chunk is committed"
        assert await what_readers_see(store, stored, follows) == before
        assert (cli_latest(settings), cli_latest(settings, "--topic", "economy")) == cli_before
        assert await store.get_article(hidden[0]) is None
        assert await store.story_link(hidden[0]) is None
        assert await store.topic_scores(hidden[0]) == []
        assert not task.done()
    finally:
        write_turn(store).release()
    report = await task
    assert (report.stored, report.duplicates_exact + report.duplicates_near) == (40, 1)
    after = await what_readers_see(store, stored, follows)
    assert after[0] == 43 and len(after[2]) == 43 and len(after[3]) == 43
    assert len(cli_latest(settings, "--topic", "economy")) == 43
    assert after[13] == before[13] + 1  # the repost's count, at the end
    assert after[14] != before[14]  # and its URL among the stored article's versions
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


async def test_an_ingest_ends_written_back_to_the_database_file(
    store: Store, settings: Settings, pool: ThreadPoolExecutor, tmp_path: Path
) -> None:
    report = await ingest_bytes(store, dump(0, 5), "first.jsonl", settings,
                                load_catalog(settings.topics_file), executor=pool)
    # The store is still open, so its WAL is still there: a copy of the file alone (what a
    # backup of just that file gets) holds the ingest all the same.
    copy = tmp_path / "copy.db"
    copy.write_bytes(settings.db_path.read_bytes())
    con = sqlite3.connect(copy)
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == report.stored == 5
    finally:
        con.close()


async def test_the_bot_connection_leaves_checkpoints_to_a_running_ingest(
    store: Store, settings: Settings, pool: ThreadPoolExecutor
) -> None:
    # While an ingest runs, a bot write's commit must not copy what the ingest wrote so far
    # back to the database file (the ingest does, outside the write lock); after it, and
    # after one that failed, the bot's commits checkpoint as SQLite does by default.
    assert await autocheckpoint_pages(store) == 1000
    task = await start_ingest(store, settings, pool, dump(0, 20))
    await freeze_after_a_chunk(task, store, settings.db_path)
    try:
        assert await autocheckpoint_pages(store) == 0
    finally:
        write_turn(store).release()
    await task
    assert await autocheckpoint_pages(store) == 1000
    task = await start_ingest(store, settings, pool, dump(100, 20))
    await freeze_after_a_chunk(task, store, settings.db_path)
    task.cancel()
    write_turn(store).release()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await autocheckpoint_pages(store) == 1000


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


async def test_a_failure_in_a_later_chunk_leaves_nothing(
    store: Store, settings: Settings, pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await ingest_bytes(store, dump(0, 3), "first.jsonl", settings,
                               load_catalog(settings.topics_file), executor=pool)
    before = await what_readers_see(store, first.stored_ids[0])
    insert = IngestWrites.insert
    calls = 0

    def failing(self: IngestWrites, *args: Any, **kwargs: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 30:  # the 30th article: 29 chunks of one article are committed
            raise sqlite3.OperationalError("disk I/O error")
        return insert(self, *args, **kwargs)

    monkeypatch.setattr(IngestWrites, "insert", failing)
    with pytest.raises(StoreError, match=r"big\.jsonl: .*disk I/O error.*nothing was stored"):
        await ingest_bytes(store, dump(100, 40), "big.jsonl", settings,
                           load_catalog(settings.topics_file), executor=pool)
    assert calls == 30
    assert await what_readers_see(store, first.stored_ids[0]) == before
    con = sqlite3.connect(settings.db_path)
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM ingests").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM article_sources").fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM stories").fetchone()[0] == 3
    finally:
        con.close()


async def test_a_killed_ingest_stays_hidden_and_the_next_ingest_deletes_it(
    store: Store, settings: Settings, pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await ingest_bytes(store, dump(0, 3), "first.jsonl", settings,
                               load_catalog(settings.topics_file), executor=pool)
    before = await what_readers_see(store, first.stored_ids[0])
    repost = {**economy_article(0), "url": "https://gov.kz/elsewhere/0"}
    task = await start_ingest(store, settings, pool, dump(100, 40, repost))
    await freeze_after_a_chunk(task, store, settings.db_path)

    async def killed(self: IngestSession, ingest_id: int) -> None:
        """A kill: the process is gone before it can delete anything."""

    monkeypatch.setattr(IngestSession, "delete", killed)
    task.cancel()
    write_turn(store).release()
    with pytest.raises(asyncio.CancelledError):
        await task
    monkeypatch.undo()
    left = pending_ids(settings.db_path)
    assert left, "the killed ingest left rows behind"
    assert await what_readers_see(store, first.stored_ids[0]) == before
    # The next ingest (the same dump again) deletes them first, and stores it whole.
    report = await ingest_bytes(store, dump(100, 40, repost), "again.jsonl", settings,
                                load_catalog(settings.topics_file), executor=pool)
    assert (report.stored, report.duplicates_exact) == (40, 1)
    assert pending_ids(settings.db_path) == []
    con = sqlite3.connect(settings.db_path)
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 43
        assert [r[0] for r in con.execute("SELECT file FROM ingests ORDER BY id")] == [
            "first.jsonl", "again.jsonl"]
        assert con.execute(
            "SELECT count(*) FROM stories WHERE id NOT IN (SELECT story_id FROM articles)"
        ).fetchone()[0] == 0
        # The repost's URL is a source once, from the ingest that finished.
        assert con.execute("SELECT count(*) FROM article_sources WHERE url = ?",
                           ("https://gov.kz/elsewhere/0",)).fetchone()[0] == 1
    finally:
        con.close()
    assert await store.count_articles() == 43


async def test_copies_across_chunks_are_found_and_the_report_is_the_one_of_one_transaction(
    settings: Settings, pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Chunks of one article and chunks bigger than the dump give the same report and the
    same rows: copies within the dump find the earlier chunks' rows, better copies of
    stored articles (held back to the end) replace them, later copies match the
    replacement, not the text it replaced."""
    catalog = load_catalog(settings.topics_file)
    worse = [{**economy_article(n), "body": economy_article(n)["body"].replace(".", "")}
             for n in range(5)]  # stored first: no punctuation, no URL
    second = [
        *(economy_article(n, url=f"https://gov.kz/better/{n}") for n in range(3)),  # better
        *(economy_article(n + 50) for n in range(4)),  # new
        economy_article(51, url="https://gov.kz/again/51"),  # a copy of a new one
        worse[0], worse[3],  # a replaced text again, and a stored one
        economy_article(1, url="https://gov.kz/better/1"),  # the replacement again
    ]
    results = []
    # In threads of this process, then (the bot's uploads into a file: `share_cpu`) in a
    # writer process, which keeps the held-back replacements and the tally instead.
    for size, elsewhere in ((1, False), (10_000, False), (1, True)):
        settings = settings.model_copy(update={"ingest_chunk_articles": size})
        async with await Store.open(tmp_path / f"chunks-{size}-{elsewhere}.db") as store:
            await ingest_bytes(store, jsonl(worse), "worse.jsonl", settings, catalog,
                               executor=pool, now=NOW, share_cpu=elsewhere)
            report = await ingest_bytes(store, jsonl(second), "second.jsonl", settings,
                                        catalog, executor=pool, now=NOW, share_cpu=elsewhere)
            rows = [(a.id, a.title, a.body, a.duplicates, a.source_url)
                    for a in await store.latest(limit=100)]
            results.append((dataclasses.asdict(replace(report, file="")), rows))
    assert results[0] == results[1] == results[2]
    report, rows = results[0]
    # What one transaction gave for these dumps (main before chunking, same code path):
    # the three better copies and the URL copy of a new article replace, the rest count.
    assert (report["stored"], report["replaced"], report["duplicates_exact"]) == (4, 4, 7)
    assert [(r[0], r[3], r[4]) for r in rows] == [
        (9, 0, None), (8, 0, None), (7, 1, "https://gov.kz/again/51"), (6, 0, None),
        (5, 0, None), (4, 1, None), (3, 1, "https://gov.kz/better/2"),
        (2, 2, "https://gov.kz/better/1"), (1, 2, "https://gov.kz/better/0"),
    ]


async def test_a_bot_write_queued_during_a_long_chunk_ends_it_after_the_article_being_written(
    store: Store, settings: Settings, pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks as long as the dump: still, a /subscribe that comes while the 5th article is
    written goes in right after it, with the ingest's first 5 articles committed, hidden."""
    settings = settings.model_copy(update={"ingest_chunk_articles": 10_000})
    monkeypatch.setattr(ingest_module, "CHUNK_SECONDS", 3600.0)
    subscribers = Subscribers(store, "Asia/Almaty", "09:00")
    await subscribers.ensure(501, 501, "en", NOW)
    loop = asyncio.get_running_loop()
    writes: list[asyncio.Future[object]] = []
    seen: list[tuple[int, int]] = []
    insert = IngestWrites.insert
    calls = 0

    def subscribe() -> None:
        writes.append(asyncio.ensure_future(subscribers.subscribe(501, ["economy"], NOW)))

    def hooked(self: IngestWrites, *args: Any, **kwargs: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 5:  # a user taps a topic now; wait until the write queues for the lock
            loop.call_soon_threadsafe(subscribe)
            deadline = time.monotonic() + 60
            while waiting_writes(store) == 0:
                assert time.monotonic() < deadline, "the write never queued"
                time.sleep(0.001)
        if calls == 6:  # the next chunk: what was committed before it
            con = sqlite3.connect(settings.db_path, timeout=10)
            try:
                seen.append((
                    len(pending_ids(settings.db_path)),
                    con.execute("SELECT count(*) FROM subscriptions").fetchone()[0],
                ))
            finally:
                con.close()
        return insert(self, *args, **kwargs)

    monkeypatch.setattr(IngestWrites, "insert", hooked)
    report = await ingest_bytes(store, dump(0, 40), "big.jsonl", settings,
                                load_catalog(settings.topics_file), executor=pool)
    await writes[0]
    assert seen == [(5, 1)]  # five articles committed (hidden), then the subscription
    assert report.stored == 40 and await store.count_articles() == 40
    assert await subscribers.topics(501) == ["economy"]


async def test_the_writing_thread_sleeps_between_work_slices_so_the_bot_can_run(
    store: Store, settings: Settings, pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the bot (`share_cpu`) with an in-memory database (the demo), the write phase runs
    in a thread of the process that answers users and holds the GIL between SQLite calls:
    after each WORK_SLICE of work it sleeps REST seconds (GIL released), even inside one
    long chunk. Slices of zero here: a rest after every article. (Into a database file, it
    runs in a writer process: tests/test_write_process.py.)"""
    settings = settings.model_copy(update={"ingest_chunk_articles": 10_000})
    monkeypatch.setattr(ingest_module, "CHUNK_SECONDS", 3600.0)
    monkeypatch.setattr(ingest_module, "WORK_SLICE", 0.0)
    monkeypatch.setattr(ingest_module, "REST", 0.0123)
    events: list[str] = []
    insert, sleep = IngestWrites.insert, time.sleep
    writer: list[int] = []

    def hooked(self: IngestWrites, *args: Any, **kwargs: Any) -> int:
        writer.append(threading.get_ident())
        events.append("insert")
        return insert(self, *args, **kwargs)

    def recorded(seconds: float) -> None:
        if writer and threading.get_ident() == writer[-1] and seconds == 0.0123:
            events.append("rest")
        sleep(seconds)

    monkeypatch.setattr(IngestWrites, "insert", hooked)
    monkeypatch.setattr(time, "sleep", recorded)
    catalog = load_catalog(settings.topics_file)
    async with await Store.open(":memory:") as memory:
        report = await ingest_bytes(memory, dump(0, 12), "slices.jsonl", settings, catalog,
                                    executor=pool, share_cpu=True)
        assert report.stored == 12 and await memory.count_articles() == 12
    assert len(set(writer)) == 1  # one chunk, one thread
    assert events == ["insert", "rest"] * 11 + ["insert"]  # not after the last one
    # Where nobody else needs the process (the command line), it writes at full speed.
    events.clear()
    report = await ingest_bytes(store, dump(100, 5), "cli.jsonl", settings, catalog,
                                executor=pool)
    assert report.stored == 5 and events == ["insert"] * 5


@pytest.mark.parametrize("where", ["file", "memory"])
async def test_story_lookups_of_a_later_chunk_see_what_another_write_changed_in_between(
    settings: Settings, pool: ThreadPoolExecutor, tmp_path: Path, where: str
) -> None:
    """The story lookups keep what they read from one chunk to the next (the keys of a
    day's articles), but not past another write in between: a `newsbot refresh-link-keys`
    page (another connection to a file; the same connection to an in-memory database)
    that gives a stored article a key is seen by the next chunk."""
    catalog = load_catalog(settings.topics_file)
    async with await Store.open(":memory:" if where == "memory" else tmp_path / "k.db") as store:
        await ingest_bytes(store, dump(0, 1), "one.jsonl", settings, catalog, executor=pool,
                           now=NOW)
        [stored] = await LinkKeys(store).page(0, 10)
        day = date(2026, 2, 10)

        def found(writes: IngestWrites) -> list[object]:
            # A Russian article with one number the stored English one does not have yet.
            return [c.key for c in writes.link_candidates(["777777"], day, day, "ru",
                                                          other_news=False)]

        async with ingest_session(store, "later.jsonl", NOW, NOW) as session:
            assert await session.chunk(found) == []
            features = json.loads(stored.link_features or "{}")
            features["n"] = sorted([*features.get("n", []), "777777"])
            written = await LinkKeys(store).write([(stored, json.dumps(features))])
            assert written == 1
            assert await session.chunk(found) == [stored.id]
