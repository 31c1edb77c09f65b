"""The bot's uploads into a database file write in a process of their own.

`ingest_bytes(..., share_cpu=True)` is the bot's call (bot/handlers/admin.py). Its write
phase runs in a writer process, chunk by chunk under the bot store's write lock: a bot
write that queues meanwhile still ends the chunk after the article being written, and
the ingest stays all or nothing if the writer dies or the upload is cancelled. (That it
writes the same rows and report as the in-process writer: the copies test in
tests/test_chunked_ingest.py.)
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from digest.ingest import ingest_bytes
from digest.settings import Settings
from digest.storage import Store, StoreError, Subscribers, ingest_writes
from digest.topics import load_catalog
from digest.write_process import WriterProcess
from tests.support.db import waiting_writes
from tests.test_chunked_ingest import NOW, dump, pending_ids

T = TypeVar("T")

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="stops and kills the writer process by its pid")


def table_counts(db: Path) -> tuple[int, ...]:
    con = sqlite3.connect(db, timeout=10)
    try:
        return tuple(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in (
            "articles", "ingests", "ingests_pending", "stories", "article_sources",
            "lsh_bands"))
    finally:
        con.close()


async def _with_a_write_queued(
    pid: int, step: Callable[[], Awaitable[T]], store: Store, subscribers: Subscribers,
    writes: list[asyncio.Future[object]],
) -> T:
    """Run `step` (a call into the writer process) with the writer stopped until a
    /subscribe has queued for the write lock: the step is asked for, and the bot's write
    waits, before the writer can start it."""
    os.kill(pid, signal.SIGSTOP)
    try:
        running = asyncio.ensure_future(step())
        await asyncio.sleep(0)  # the step is asked for; the writer cannot start it
        writes.append(asyncio.ensure_future(subscribers.subscribe(501, ["economy"], NOW)))
        while waiting_writes(store) == 0:
            await asyncio.sleep(0.001)
    finally:
        os.kill(pid, signal.SIGCONT)
    return await running


async def test_a_bot_write_queued_during_a_writer_process_chunk_ends_it_after_one_article(
    store: Store, settings: Settings, pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks as long as the dump; the writer is stopped as its first chunk is sent, and a
    /subscribe queues meanwhile: the writer, let go, writes one article and commits, the
    subscription goes in, then the rest."""
    settings = settings.model_copy(update={"ingest_chunk_articles": 10_000})
    subscribers = Subscribers(store, "Asia/Almaty", "09:00")
    await subscribers.ensure(501, 501, "en", NOW)
    original = WriterProcess.chunk
    writes: list[asyncio.Future[object]] = []
    seen: list[tuple[int, int]] = []
    pids: list[int] = []

    async def hooked(self: WriterProcess, queued: bool) -> bool:
        assert self.pid is not None and self.pid != os.getpid()
        pids.append(self.pid)
        if len(pids) == 2:  # the next chunk: what was committed before it
            con = sqlite3.connect(settings.db_path, timeout=10)
            try:
                seen.append((len(pending_ids(settings.db_path)),
                             con.execute("SELECT count(*) FROM subscriptions").fetchone()[0]))
            finally:
                con.close()
        if len(pids) > 1:
            return await original(self, queued)
        return await _with_a_write_queued(
            self.pid, lambda: original(self, queued), store, subscribers, writes)

    monkeypatch.setattr(WriterProcess, "chunk", hooked)
    report = await ingest_bytes(store, dump(0, 40), "big.jsonl", settings,
                                load_catalog(settings.topics_file), executor=pool,
                                share_cpu=True)
    await writes[0]
    assert seen == [(1, 1)]  # one article committed (hidden), then the subscription
    assert len(set(pids)) == 1 and len(pids) == 2  # one writer; the rest in one chunk
    assert report.stored == 40 and await store.count_articles() == 40
    assert await subscribers.topics(501) == ["economy"]
    assert pending_ids(settings.db_path) == []
    assert multiprocessing.active_children() == []  # the writer ended with the ingest


async def test_a_killed_writer_process_leaves_nothing_and_the_next_upload_goes_in(
    store: Store, settings: Settings, pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of one article; the writer is killed after two are committed."""
    settings = settings.model_copy(update={"ingest_chunk_articles": 1})
    catalog = load_catalog(settings.topics_file)
    await ingest_bytes(store, dump(0, 3), "first.jsonl", settings, catalog, executor=pool,
                       share_cpu=True)
    before = table_counts(settings.db_path)
    original = WriterProcess.chunk
    calls = 0
    committed: list[int] = []

    async def killing(self: WriterProcess, queued: bool) -> bool:
        nonlocal calls
        calls += 1
        if calls == 3:
            committed.append(len(pending_ids(settings.db_path)))
            assert self.pid is not None
            os.kill(self.pid, signal.SIGKILL)
        return await original(self, queued)

    monkeypatch.setattr(WriterProcess, "chunk", killing)
    with pytest.raises(StoreError, match=r"^big\.jsonl: the ingest's writer process died "
                                         r"\(exit code -9\); nothing was stored$"):
        await ingest_bytes(store, dump(100, 40), "big.jsonl", settings, catalog,
                           executor=pool, share_cpu=True)
    monkeypatch.undo()
    assert committed == [2]  # it had written something, and that is gone
    assert table_counts(settings.db_path) == before
    assert await store.count_articles() == 3
    assert multiprocessing.active_children() == []
    report = await ingest_bytes(store, dump(100, 40), "again.jsonl", settings, catalog,
                                executor=pool, share_cpu=True)
    assert report.stored == 40 and await store.count_articles() == 43


async def test_a_cancelled_upload_leaves_nothing_and_ends_its_writer(
    store: Store, settings: Settings, pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings.model_copy(update={"ingest_chunk_articles": 1})
    original = WriterProcess.chunk
    calls = 0
    task: asyncio.Task[Any] | None = None

    async def cancelling(self: WriterProcess, queued: bool) -> bool:
        nonlocal calls
        calls += 1
        if calls == 5:
            assert task is not None
            task.cancel()  # while the chunk runs in the writer: it rolls back, then we go
        return await original(self, queued)

    monkeypatch.setattr(WriterProcess, "chunk", cancelling)
    task = asyncio.create_task(ingest_bytes(
        store, dump(0, 40), "big.jsonl", settings, load_catalog(settings.topics_file),
        executor=pool, share_cpu=True))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert calls == 5
    assert table_counts(settings.db_path) == (0, 0, 0, 0, 0, 0)
    assert multiprocessing.active_children() == []


async def test_an_in_memory_database_writes_in_this_process(
    settings: Settings, pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file for another process to open (the demo, tests): the write phase runs here."""

    def refused(self: WriterProcess, *args: Any) -> None:
        raise AssertionError("a writer process for an in-memory database")

    monkeypatch.setattr(WriterProcess, "__init__", refused)
    async with await Store.open(":memory:") as memory:
        report = await ingest_bytes(memory, dump(0, 5), "demo.jsonl", settings,
                                    load_catalog(settings.topics_file), executor=pool,
                                    share_cpu=True)
        assert report.stored == 5 and await memory.count_articles() == 5


async def test_the_band_merge_runs_in_the_writer_and_a_queued_bot_write_waits_one_step(
    store: Store, settings: Settings, pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge of the recent LSH bands after publishing runs in the writer process too;
    the writer is stopped as its first merge transaction is sent, and a /subscribe queues
    meanwhile: let go, the writer moves one step of entries, not a transaction's worth,
    and commits; the subscription goes in; then the rest of the merge."""
    monkeypatch.setattr(ingest_writes, "MERGE_MIN_ARTICLES", 1)  # due after every ingest
    monkeypatch.setattr(ingest_writes, "MERGE_SHARE", 1)
    subscribers = Subscribers(store, "Asia/Almaty", "09:00")
    await subscribers.ensure(501, 501, "en", NOW)
    original = WriterProcess.merge
    writes: list[asyncio.Future[object]] = []
    steps: list[tuple[int, bool]] = []
    seen: list[int] = []
    niceness: list[dict[int, int]] = []
    pids: list[int] = []

    async def hooked(self: WriterProcess, queued: bool) -> tuple[int, bool]:
        assert self.pid is not None and self.pid != os.getpid()
        if steps:
            if len(steps) == 1:  # the next transaction: the subscription went in before it
                seen.append(raw_count(settings.db_path, "subscriptions"))
            step = await original(self, queued)
            steps.append(step)
            return step
        niceness.append(thread_niceness(self.pid))
        pids.append(self.pid)
        steps.append(await _with_a_write_queued(
            self.pid, lambda: original(self, queued), store, subscribers, writes))
        return steps[-1]

    monkeypatch.setattr(WriterProcess, "merge", hooked)
    report = await ingest_bytes(store, dump(0, 40), "big.jsonl", settings,
                                load_catalog(settings.topics_file), executor=pool,
                                share_cpu=True)
    await writes[0]
    assert report.stored == 40
    entries = raw_count(settings.db_path, "lsh_bands")
    assert raw_count(settings.db_path, "lsh_bands_recent") == 0 and entries > 1000
    first, _ = steps[0]
    # One step (a band key range of about MERGE_STEP_ROWS), then the bot write's turn.
    assert 0 < first < ingest_writes.MERGE_STEP_ROWS + 50 and not steps[0][1]
    assert seen == [1] and steps[-1][1] and sum(moved for moved, _ in steps) == entries
    assert await subscribers.topics(501) == ["economy"]
    # The writer's work runs 10 lower in priority than the bot, its BEGIN and COMMIT (what
    # a queued bot write waits for) at the bot's.
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    ((pid, threads),) = zip(pids, niceness, strict=True)
    assert threads[pid] == ours  # the main thread
    assert sorted(threads.values()).count(ours + 10) == 1
    assert multiprocessing.active_children() == []


def thread_niceness(pid: int) -> dict[int, int]:
    """The niceness of each thread of a process, by thread id (Linux /proc)."""
    threads = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        stat = (task / "stat").read_text()
        threads[int(task.name)] = int(stat[stat.rindex(")") + 2:].split()[16])
    return threads


def raw_count(db: Path, table: str) -> int:
    con = sqlite3.connect(db, timeout=10)
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        con.close()


async def test_a_writer_killed_during_the_band_merge_leaves_the_ingest_and_a_whole_index(
    store: Store, settings: Settings, pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ingest is published before the merge: a writer killed between two merge
    transactions leaves it stored, every band entry in exactly one of the two tables, and
    the next ingest's merge finishes the job."""
    monkeypatch.setattr(ingest_writes, "MERGE_MIN_ARTICLES", 1)
    monkeypatch.setattr(ingest_writes, "MERGE_SHARE", 1)
    original = WriterProcess.merge
    calls = 0

    async def killing(self: WriterProcess, queued: bool) -> tuple[int, bool]:
        nonlocal calls
        calls += 1
        if calls == 2:  # one transaction (MERGE_CHUNK_ROWS) committed
            assert self.pid is not None
            os.kill(self.pid, signal.SIGKILL)
        return await original(self, queued)

    monkeypatch.setattr(WriterProcess, "merge", killing)
    catalog = load_catalog(settings.topics_file)
    report = await ingest_bytes(store, dump(0, 60), "big.jsonl", settings, catalog,
                                executor=pool, share_cpu=True)
    assert report.stored == 60 and await store.count_articles() == 60
    assert calls == 2 and pending_ids(settings.db_path) == []
    big, recent = (raw_count(settings.db_path, t) for t in ("lsh_bands", "lsh_bands_recent"))
    assert big > 0 and recent > 0  # stopped halfway, between two transactions
    con = sqlite3.connect(settings.db_path, timeout=10)
    try:
        both = con.execute("SELECT count(*) FROM lsh_bands b JOIN lsh_bands_recent r "
                           "USING (band, article_id)").fetchone()[0]
    finally:
        con.close()
    assert both == 0 and multiprocessing.active_children() == []
    monkeypatch.setattr(WriterProcess, "merge", original)
    again = await ingest_bytes(store, dump(0, 3), "again.jsonl", settings, catalog,
                               executor=pool, share_cpu=True)
    assert (again.stored, again.duplicates_exact) == (0, 3)
    assert raw_count(settings.db_path, "lsh_bands_recent") == 0
    assert raw_count(settings.db_path, "lsh_bands") == big + recent
