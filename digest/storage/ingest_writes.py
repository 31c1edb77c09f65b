"""The statements of an ingest: its short transactions (chunks), the duplicate and story
lookups inside them, the rows of new and replaced articles (what to do with them is
``digest.ingest``'s call), and the last short transaction that makes it visible.

An ingest commits in chunks so that a bot write (a /subscribe, a topic button, a delivery
record) waits for one short chunk at most, never for the whole dump: every chunk takes the
bot store's write lock, which is first come, first served. To readers the ingest stays
all-or-nothing: its rows carry its ingest id, listed in ``ingests_pending`` until
``IngestWrites.publish``, and every reading query leaves them out
(``digest.storage.visibility``). What would change rows readers already see (a better copy
replacing a stored article, a stored article's duplicate counter) is the caller's to hold
back until ``publish``, which applies it in the same transaction that removes the pending
mark. An ingest that fails or is cancelled is deleted at once (in chunks too); one that was
killed is deleted by the next ingest, before it starts.

One ingest at a time per database: a lock on the file ``<database>-ingest`` (the bot's
uploads and a command-line ingest may race, and an ingest deletes the pending rows it finds
as a dead one's) that the system drops with the process, so a killed ingest never leaves it
held.

Each chunk runs in one thread, on a plain sqlite3 connection: a chunk's thousands of
statements then cost no trip between the event loop and a connection's thread each (they
took more time than the statements themselves: 2.6 -> 1.1 ms an article), and the event
loop stays free while it runs.

The WAL is checkpointed by the ingest, outside the write lock, every CHECKPOINT_SECONDS
and at the end, not by SQLite after every commit that leaves more than 1,000 pages in it.
In a big database each article dirtied some 50 pages at random places (42 LSH bands, its
linking keys, its text key, the search index; the bands now go to a small table first, see
"Band index" below), so at 100,000 articles every chunk's
commit ran a checkpoint: two fsyncs, and the pages that several chunks dirtied copied to
the database file once per chunk. While an ingest runs, the bot's own write connection
does not checkpoint either (its next commit would otherwise copy everything the ingest
wrote so far, inside a bot write); it does again from the end of the ingest.

Band index: an article's 42 LSH bands are keys at random places of the band index, so in
one big table (4 million entries at 100,000 articles) each dirtied a page of its own, and
those pages were most of what an ingest wrote. New bands go to ``lsh_bands_recent``, a
table a few hundred pages long that a dump's bands share, and the near-duplicate lookup
reads both (the newest CANDIDATES_PER_BAND of a band over the two, as from one table).
Once the recent table holds enough articles (MERGE_MIN_ARTICLES, and 1/MERGE_SHARE of the
history, so that a merge writes each page of the big table once for many new entries
instead of once an entry), the end of an ingest moves it into ``lsh_bands`` in key order,
in short transactions of one key range each: between two of them every entry is in
exactly one of the tables, so a lookup or a bot write in between sees a whole index.
Neither table has an index by article, which every merge transaction wrote all over
(schema.py): the bands of an article deleted (an unfinished ingest, whose bands are all
still in the recent table) or replaced by a better copy are deleted by their keys, computed
again from its stored signature.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import functools
import json
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Callable, Collection, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from digest import dedup, linking
from digest.models import PreparedArticle, Problem
from digest.storage import key_index
from digest.storage.articles import Store
from digest.storage.connection import BUSY_TIMEOUT_MS, iso
from digest.storage.errors import NOTHING_STORED, StoreError
from digest.storage.visibility import visible

log = logging.getLogger(__name__)

CANDIDATES_PER_BAND = 8  # near-duplicate candidates looked at per LSH band, newest first
# The two levels of the LSH band index (see "Band index" in the module's docstring): the
# new bands are merged into the big table at the end of an ingest once they belong to at
# least MERGE_MIN_ARTICLES articles and 1/MERGE_SHARE of all stored articles, in
# transactions of at most MERGE_CHUNK_ROWS entries or MERGE_SECONDS each (key ranges of
# both tables), moved MERGE_STEP_ROWS at a time: a bot write that queues for the write lock
# meanwhile ends the transaction after the step running (as an ingest's chunk ends after
# the article being written), so it waits for one step, not for a whole transaction (2,000
# entries took 89 ms on average at load 3-6; bot writes sent during a merge of whole
# transactions waited a p50 of 0.35-2.1 s in bench_latency.py at load 6-13).
MERGE_MIN_ARTICLES = 2000
MERGE_SHARE = 16
MERGE_CHUNK_ROWS = 2000
MERGE_STEP_ROWS = 250
MERGE_SECONDS = 0.1
DELETE_CHUNK = 500  # article rows of a failed or dead ingest deleted per transaction
_IDS_AT_ONCE = 500  # ids in one `IN (...)` (SQLite's limit on parameters is 32,766 or 999)
# The ingest's connection keeps this much of the database in its page cache (KiB): the
# pages an ingest reads and dirties at random places in the big indexes (LSH bands,
# linking keys) stay there across its chunks. SQLite's default, 2 MB, spilled dirty pages
# to the WAL in mid-chunk and read the same index pages again for every chunk.
INGEST_CACHE_KIB = 65536
# The WAL is checkpointed (written back to the database file) this often during an ingest
# and once at its end: see the module's docstring.
CHECKPOINT_SECONDS = 2.0
T = TypeVar("T")
# In-memory databases (tests, demos) have no file to lock: one ingest per store object.
_MEMORY_LOCKS: weakref.WeakKeyDictionary[Store, asyncio.Lock] = weakref.WeakKeyDictionary()


class IngestCancelled(Exception):
    """The ingest's task was cancelled: the chunk running rolls back."""


@asynccontextmanager
async def ingest_session(
    store: Store, name: str, started: datetime, finished: datetime
) -> AsyncIterator[IngestSession]:
    """One ingest of a dump: exclusive, on a connection of its own, its rows deleted unless
    it was published.

    A database file gets a connection of its own: on the shared one, statements of other
    tasks (a bot user's /subscribe) would run inside a chunk and vanish with its rollback.
    Not tried again when the database is locked past the busy timeout: the caller reports
    it (another process is writing) instead of waiting minutes."""
    async with _one_ingest(store, name):
        session = IngestSession(store)
        try:
            await session.open()
            await session.delete_unfinished()
            await session.begin(name, started, finished)
            try:
                yield session
            except BaseException:
                if not session.published and session.ingest_id:
                    # Best effort: what is left stays invisible and goes at the next ingest.
                    with contextlib.suppress(sqlite3.Error, StoreError, IngestCancelled):
                        await session.delete(session.ingest_id)
                raise
            if session.published:
                await session.merge_bands()
        finally:
            await session.close()


@asynccontextmanager
async def _one_ingest(store: Store, name: str) -> AsyncIterator[None]:
    """Hold the database's ingest lock, waiting up to the busy timeout for another ingest."""
    if store.path == ":memory:":
        async with _MEMORY_LOCKS.setdefault(store, asyncio.Lock()):
            yield
        return
    lock_path = f"{store.path}-ingest"
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"{Path(name).name}: cannot create the ingest lock {lock_path} "
                         f"({exc.strerror or exc}){NOTHING_STORED}") from None
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"{Path(name).name}: database {store.path} is locked by another "
                        f"ingest{NOTHING_STORED}; retry when it has finished"
                    ) from None
                await asyncio.sleep(0.05)
        yield
    finally:
        os.close(fd)  # and with it the lock


class Elsewhere(Protocol):
    """An ingest's writer process (digest.write_process.WriterProcess), as the band merge
    uses it: each call one short transaction on its connection."""

    def wanted(self) -> None: ...

    async def checkpoint(self) -> None: ...

    async def merge(self, queued: bool) -> tuple[int, bool]: ...


class IngestSession:
    """The chunks of one ingest; see the module's docstring."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._db: sqlite3.Connection | None = None
        self._keys: key_index.KeyIndex | None = None  # the story lookups', chunk to chunk
        self.ingest_id = 0
        self.published = False
        self.chunks = 0
        self.longest_hold = 0.0  # seconds, the longest a chunk held the write lock
        self.last_hold = 0.0
        self.checkpoint_seconds = 0.0  # spent checkpointing (outside the write lock)
        self._checkpointed = 0.0  # time.monotonic() of the last checkpoint
        # The ingest's writer process, when its chunks run in one: the band merge runs there
        # too, so that its SQLite work is not done in the process that answers users.
        self.elsewhere: Elsewhere | None = None

    async def open(self) -> None:
        if self._store.path == ":memory:":
            # An in-memory database has only its one connection: each chunk holds its write
            # lock and its read slot meanwhile.
            self._db = self._store._writes.shared()
        else:
            self._db = await asyncio.to_thread(_connect, self._store.path)
            await self._store._writes.autocheckpoint(False)
            self._checkpointed = time.monotonic()
        self._keys = key_index.KeyIndex(self._db)

    async def close(self) -> None:
        if self._db is not None and self._store.path != ":memory:":
            try:
                await self._checkpoint()
            finally:
                await asyncio.to_thread(self._db.close)
                await self._store._writes.autocheckpoint(True)
        self._db = None

    async def _checkpoint(
        self, elsewhere: Callable[[], Coroutine[Any, Any, None]] | None = None
    ) -> None:
        """Write the WAL back to the database file, without the write lock: a bot write
        may commit meanwhile (SQLite lets a checkpoint and a writer run together). PASSIVE:
        what a reader still needs stays in the WAL for the next one. `elsewhere` runs it
        in the ingest's writer process (at its lower CPU priority)."""
        assert self._db is not None
        db = self._db
        began = time.monotonic()
        try:
            if elsewhere is not None:
                await elsewhere()
            else:
                await asyncio.to_thread(
                    lambda: db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall())
        except sqlite3.Error as exc:  # the data is safe in the WAL; the next one tries again
            log.warning("ingest %d: checkpoint failed: %s", self.ingest_id, exc)
        self._checkpointed = time.monotonic()
        self.checkpoint_seconds += self._checkpointed - began

    async def chunk(self, work: Callable[[IngestWrites], T]) -> T:
        """Run `work` in one short ``BEGIN IMMEDIATE`` ... ``COMMIT``, in a thread, holding
        the bot store's write lock: a bot write of this process that came meanwhile goes
        next (the lock is first come, first served) instead of polling SQLite's busy
        handler, and `work` ends the chunk early for it (``IngestWrites.wanted``). A
        cancelled task rolls the chunk back (`work` asks `IngestWrites.go_on` between
        articles) before it ends."""
        assert self._db is not None
        db = self._db
        stop = threading.Event()
        writer = self._store._writes
        writes = IngestWrites(db, self.ingest_id, stop, lambda: writer.waiting > 0,
                              keys=self._keys)
        async with self._store._writes.lock, self._reads_held():
            began = time.monotonic()
            try:
                result = await _until_done(
                    asyncio.to_thread(_transaction, db, work, writes), stop)
            finally:
                self.last_hold = time.monotonic() - began
                self.chunks += 1
                self.longest_hold = max(self.longest_hold, self.last_hold)
        if self._store.path != ":memory:" \
                and time.monotonic() - self._checkpointed >= CHECKPOINT_SECONDS:
            await self._checkpoint()
        return result

    async def chunk_elsewhere(
        self, job: Callable[[bool], Coroutine[Any, Any, T]], wanted: Callable[[], None],
        checkpoint: Callable[[], Coroutine[Any, Any, None]],
    ) -> T:
        """Like `chunk`, for a chunk that `job` runs in another process on a connection of
        its own (digest.write_process): held under the bot store's write lock, told whether
        a bot write of this process is queued for it already, and `wanted` called when one
        queues meanwhile; the WAL checkpointed as often, by `checkpoint`. A database file
        only."""
        writer = self._store._writes
        async with writer.lock:
            began = time.monotonic()
            writer.on_queue = wanted
            try:
                result = await job(writer.waiting > 0)
            finally:
                writer.on_queue = None
                self.last_hold = time.monotonic() - began
                self.chunks += 1
                self.longest_hold = max(self.longest_hold, self.last_hold)
        if time.monotonic() - self._checkpointed >= CHECKPOINT_SECONDS:
            await self._checkpoint(checkpoint)
        return result

    async def pending(self) -> bool:
        """Whether this ingest is still unpublished (its writer may have died after
        committing the last transaction, before saying so)."""
        return bool(await self.chunk(
            lambda writes: self.ingest_id in writes.unfinished()))

    def _reads_held(self) -> contextlib.AbstractAsyncContextManager[None]:
        if self._store.path == ":memory:":
            return self._store._reads.borrowed()
        return contextlib.nullcontext()

    async def begin(self, name: str, started: datetime, finished: datetime) -> None:
        self.ingest_id = await self.chunk(lambda writes: writes.start(name, started, finished))

    async def publish(self, work: Callable[[IngestWrites], T]) -> T:
        """The last transaction: `work` (what was held back), then the ingest's rows become
        visible with its commit."""

        def last(writes: IngestWrites) -> T:
            writes.publish()
            return work(writes)

        result = await self.chunk(last)
        self.mark_published()
        return result

    def mark_published(self) -> None:
        """The ingest is published (by `publish`, or by another process): its rows stay."""
        self.published = True
        log.info("ingest %d: committed in %d transactions, the longest held the write lock "
                 "%.0f ms, the last (publishing) %.0f ms; checkpoints so far %.0f ms",
                 self.ingest_id, self.chunks, self.longest_hold * 1000, self.last_hold * 1000,
                 self.checkpoint_seconds * 1000)

    async def merge_bands(self, force: bool = False) -> int:
        """Move the recent LSH bands into the big table when they are due (see the module's
        docstring), or at once with `force`; the number of entries moved. The ingest is
        already published: a merge that fails is logged and left for the next ingest (each
        of its transactions moves one key range whole, or nothing)."""
        moved = 0
        try:
            if not force and not await self.chunk(lambda writes: writes.bands_due()):
                return 0
            began = time.monotonic()
            elsewhere = self.elsewhere
            while True:
                if elsewhere is not None:
                    step, done = await self.chunk_elsewhere(
                        elsewhere.merge, elsewhere.wanted, elsewhere.checkpoint)
                else:
                    step, done = await self.chunk(lambda writes: writes.merge_some_bands(
                        MERGE_CHUNK_ROWS, MERGE_SECONDS))
                moved += step
                if done:
                    break
                await asyncio.sleep(0)  # a bot write queued meanwhile goes first
            log.info("ingest %d: merged %d recent LSH band entries into the band index in "
                     "%.1f s", self.ingest_id, moved, time.monotonic() - began)
        except (sqlite3.Error, StoreError) as exc:  # StoreError: the writer process died
            log.warning("ingest %d: merging the recent LSH bands failed after %d entries: %s",
                        self.ingest_id, moved, exc)
        return moved

    async def delete_unfinished(self) -> None:
        """Delete what ingests that died (killed, or their clean-up failed) left behind."""
        for ingest_id in await self.chunk(lambda writes: writes.unfinished()):
            await self.delete(ingest_id)

    async def delete(self, ingest_id: int) -> None:
        """Delete an unfinished ingest in chunks; its row and pending mark go last."""
        while await self.chunk(lambda writes: writes.delete_some(ingest_id, DELETE_CHUNK)):
            pass


def _connect(path: str) -> sqlite3.Connection:
    # Each chunk runs in whichever thread the default executor gives it, one at a time.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA cache_size = -{INGEST_CACHE_KIB}")
        db.execute("PRAGMA wal_autocheckpoint = 0")  # IngestSession._checkpoint does it
    except BaseException:
        db.close()
        raise
    return db


def connect_for_ingest(path: str) -> sqlite3.Connection:
    """A connection like an ingest session's, for its chunks run by another process
    (digest.write_process)."""
    return _connect(path)


def in_transaction(
    db: sqlite3.Connection, work: Callable[[IngestWrites], T], writes: IngestWrites
) -> T:
    """`work` in one ``BEGIN IMMEDIATE`` ... ``COMMIT`` on `db`, rolled back on any error:
    a chunk run by another process (digest.write_process)."""
    return _transaction(db, work, writes)


async def _until_done(job: Coroutine[Any, Any, T], stop: threading.Event) -> T:
    running = asyncio.ensure_future(job)
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        stop.set()
        await asyncio.wait([running])  # the thread rolls back and ends
        raise


def _transaction(
    db: sqlite3.Connection, work: Callable[[IngestWrites], T], writes: IngestWrites
) -> T:
    """SQLite rolls back by itself on some errors (disk full), and then a second ROLLBACK
    would fail and hide the original error: roll back only an open transaction."""
    db.execute("BEGIN IMMEDIATE")
    writes.keys.begin()
    try:
        result = work(writes)
        writes.keys.end()
        db.execute("COMMIT")
    except BaseException:
        writes.keys.drop()
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise
    return result


class Flag(Protocol):
    """A stop signal: a threading.Event, or a flag shared with the bot's process."""

    def is_set(self) -> bool: ...


class IngestWrites:
    """Reads and writes inside one chunk of an ingest (they see its earlier chunks)."""

    def __init__(
        self, db: sqlite3.Connection, ingest_id: int = 0, stop: Flag | None = None,
        wanted: Callable[[], bool] = lambda: False, *, keys: key_index.KeyIndex | None = None,
    ) -> None:
        self._db = db
        self.ingest_id = ingest_id
        self._stop = stop or threading.Event()
        self._wanted = wanted
        # What the story lookups read, kept from chunk to chunk while nobody else writes.
        self.keys = keys or key_index.KeyIndex(db)
        self._known = self.keys.known

    def wanted(self) -> bool:
        """Whether a bot write is queued for the write lock: the chunk should end now."""
        return self._wanted()

    def go_on(self) -> None:
        """Raise IngestCancelled once the ingest's task was cancelled."""
        if self._stop.is_set():
            raise IngestCancelled

    # -- the ingest row -------------------------------------------------------------------

    def start(self, name: str, started: datetime, finished: datetime) -> int:
        """The ingest's row, pending: readers see neither it nor its articles yet."""
        cursor = self._db.execute(
            "INSERT INTO ingests (file, started_at, finished_at, parsed, stored, "
            "duplicates_exact, duplicates_near, replaced, problems) "
            "VALUES (?, ?, ?, 0, 0, 0, 0, 0, '[]')",
            (Path(name).name, iso(started), iso(finished)),
        )
        self.ingest_id = int(cursor.lastrowid or 0)
        self._db.execute("INSERT INTO ingests_pending (ingest_id) VALUES (?)", (self.ingest_id,))
        return self.ingest_id

    def publish(self) -> None:
        """The ingest's rows become visible with this transaction's commit, and its stories
        join story_dates and topic_stories (their triggers left its rows out until now):
        recomputed from every visible version, as the triggers would have."""
        self._db.execute("DELETE FROM ingests_pending WHERE ingest_id = ?", (self.ingest_id,))
        mine = "SELECT story_id FROM articles WHERE ingest_id = ?"
        self._db.execute(
            "INSERT INTO story_dates (story_id, newest_date, newest_id) "
            "SELECT a.story_id, max(a.date), max(a.id) FROM articles a "
            f"WHERE a.story_id IN ({mine}) AND {visible('a')} GROUP BY a.story_id "
            "ON CONFLICT (story_id) DO UPDATE SET newest_date = excluded.newest_date, "
            "newest_id = excluded.newest_id",
            (self.ingest_id,),
        )
        self._db.execute(
            "INSERT INTO topic_stories (story_id, topic, newest_date, newest_id) "
            "SELECT a.story_id, t.topic, max(a.date), max(a.id) FROM articles a "
            "JOIN article_topics t ON t.article_id = a.id "
            f"WHERE t.assigned = 1 AND a.story_id IN ({mine}) AND {visible('a')} "
            "GROUP BY a.story_id, t.topic "
            "ON CONFLICT (story_id, topic) DO UPDATE SET newest_date = excluded.newest_date, "
            "newest_id = excluded.newest_id",
            (self.ingest_id,),
        )

    def bands_due(self) -> bool:
        """Whether the recent LSH bands belong to enough articles to be merged."""
        row = self._db.execute(
            "SELECT (SELECT count(DISTINCT article_id) FROM lsh_bands_recent), "
            "(SELECT count(*) FROM articles)"
        ).fetchone()
        recent, stored = row
        return bool(recent >= MERGE_MIN_ARTICLES and recent * MERGE_SHARE >= stored)

    def merge_some_bands(self, limit: int, seconds: float | None = None) -> tuple[int, bool]:
        """Move the first `limit` or so entries of ``lsh_bands_recent`` (in key order, up to
        a whole band key) into ``lsh_bands``, MERGE_STEP_ROWS at a time, stopping early
        after `seconds` or once a bot write waits for the lock (`wanted`): the number moved,
        and whether the recent table is now empty. In key order, the big table's pages are
        each written once."""
        deadline = None if seconds is None else time.monotonic() + seconds
        moved = 0
        while True:
            self.go_on()
            step, done = self._merge_step(min(MERGE_STEP_ROWS, max(1, limit - moved)))
            moved += step
            if done or moved >= limit or self.wanted() \
                    or (deadline is not None and time.monotonic() > deadline):
                return moved, done

    def _merge_step(self, limit: int) -> tuple[int, bool]:
        row = self._db.execute(
            "SELECT band FROM lsh_bands_recent ORDER BY band LIMIT 1 OFFSET ?", (limit - 1,)
        ).fetchone()
        where, params = ("WHERE band <= ?", (row[0],)) if row else ("", ())
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO lsh_bands (band, article_id) SELECT band, article_id "
            f"FROM lsh_bands_recent {where} ORDER BY band, article_id",
            params,
        )
        moved = cursor.rowcount
        self._db.execute(f"DELETE FROM lsh_bands_recent {where}", params)
        return moved, row is None

    def unfinished(self) -> list[int]:
        """Ingests that never published: they died (killed), or their clean-up failed."""
        return [r[0] for r in self._db.execute("SELECT ingest_id FROM ingests_pending")]

    def delete_some(self, ingest_id: int, limit: int) -> bool:
        """Delete up to `limit` article rows of an unfinished ingest (their topics, bands,
        keys, sources and search entries go with them); once none is left, the sources it
        added to other articles, the stories it created, its row and its pending mark.
        False once it is all gone."""
        self.keys.drop()
        rows = self._db.execute(
            "SELECT id, minhash FROM articles WHERE ingest_id = ? LIMIT ?", (ingest_id, limit)
        ).fetchall()
        if rows:
            # Its bands are all in the small table still (schema.py: no index by article).
            self._delete_bands(rows, ("lsh_bands_recent",))
            self._db.execute(
                "DELETE FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps([article_id for article_id, _ in rows]),),
            )
            return True
        self._db.execute("DELETE FROM article_sources WHERE ingest_id = ?", (ingest_id,))
        self._db.execute(
            "DELETE FROM stories WHERE ingest_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM articles a WHERE a.story_id = stories.id)",
            (ingest_id,),
        )
        self._db.execute("DELETE FROM ingests WHERE id = ?", (ingest_id,))  # and its mark
        return False

    def finish(
        self, ingest_id: int, *, parsed: int, stored: int, exact: int, near: int,
        replaced: int, problems: Sequence[Problem],
    ) -> None:
        self._db.execute(
            "UPDATE ingests SET parsed = ?, stored = ?, duplicates_exact = ?, "
            "duplicates_near = ?, replaced = ?, problems = ? WHERE id = ?",
            (
                parsed, stored, exact, near, replaced,
                json.dumps([{"line": p.line, "reason": p.reason} for p in problems],
                           ensure_ascii=False),
                ingest_id,
            ),
        )

    # -- duplicates -----------------------------------------------------------------------

    def exact_match(
        self, text_key: str, url_key: str | None, replaced: Collection[int] = ()
    ) -> tuple[int, float, bool] | None:
        """(id, quality, whether this ingest wrote it) of the row with this text or URL (its
        own or a repost's). The rows in `replaced` have a replacement held back: their text
        and URL in the table are no longer theirs (the caller matches the replacement's)."""
        skip = json.dumps(sorted(replaced))
        cursor = self._db.execute(
            "SELECT a.id, a.quality, a.ingest_id FROM articles a WHERE a.text_key = ? "
            "AND a.id NOT IN (SELECT value FROM json_each(?)) "
            "UNION ALL SELECT a.id, a.quality, a.ingest_id FROM article_sources s "
            "JOIN articles a ON a.id = s.article_id WHERE s.url_key = ? "
            "UNION ALL SELECT a.id, a.quality, a.ingest_id FROM articles a WHERE a.url_key = ? "
            "AND a.id NOT IN (SELECT value FROM json_each(?)) LIMIT 1",
            (text_key, skip, url_key, url_key, skip),
        )
        row = cursor.fetchone()
        return (row[0], row[1], row[2] == self.ingest_id) if row else None

    def near_candidates(
        self, lang: str, bands: Sequence[str]
    ) -> list[tuple[int, float, bytes, bool]]:
        """(id, quality, minhash, whether this ingest wrote it) of the rows in `lang`
        sharing an LSH band."""
        cursor = self._db.execute(_candidates_sql(len(bands)), (lang, *bands))
        return [(r[0], r[1], r[2], r[3] == self.ingest_id) for r in cursor.fetchall()]

    def taken_by_another(self, article_id: int, article: PreparedArticle) -> bool:
        """Whether the article's text or URL belongs to a row other than `article_id`:
        then it cannot replace that row (``replace`` would find the same)."""
        row = self._db.execute(
            "SELECT 1 FROM articles WHERE (text_key = ? OR url_key = ?) AND id != ? LIMIT 1",
            (article.text_key, article.url_key, article_id),
        ).fetchone()
        return row is not None

    def count_duplicate(self, article_id: int) -> None:
        self.count_duplicates({article_id: 1})

    def count_duplicates(self, counts: Mapping[int, int]) -> None:
        self._db.executemany(
            "UPDATE articles SET duplicates = duplicates + ? WHERE id = ?",
            [(n, article_id) for article_id, n in sorted(counts.items()) if n],
        )

    # -- stories --------------------------------------------------------------------------

    def story_of_news(self, news_key: str) -> tuple[int, int, str] | None:
        """(story id, article id, language) of the first article with this gov.kz news id."""
        cursor = self._db.execute(
            "SELECT a.story_id, a.id, a.lang FROM article_sources s "
            "JOIN articles a ON a.id = s.article_id WHERE s.news_key = ? "
            "ORDER BY a.id LIMIT 1",
            (news_key,),
        )
        row = cursor.fetchone()
        return (row[0], row[1], row[2]) if row else None

    def link_candidates(
        self, keys: Sequence[str], low: date, high: date, lang: str, *, other_news: bool
    ) -> list[linking.Candidate]:
        """Articles dated `low` to `high` sharing a number or a name with the new one, or
        enough concepts (``linking.is_candidate``), in another language, whose story has no
        version in `lang` yet; with `other_news`, not in a story that is a gov.kz item
        (another gov.kz item is another story)."""
        sharing = self.keys.sharing(keys, _days(low, high))
        ids = sorted({i for other, (counts, strong) in sharing.items() if other != lang
                      for i in key_index.top(counts, strong, None)})
        # A story that has a version in `lang` already takes no translation into `lang`.
        return self._candidates(
            ids, lang, other_news=other_news,
            story_filter="AND NOT EXISTS (SELECT 1 FROM articles b "
                         "WHERE b.story_id = a.story_id AND b.lang = ?)",
        )

    def rewrite_candidates(
        self, keys: Sequence[str], low: date, high: date, lang: str, *, other_news: bool
    ) -> list[linking.Candidate]:
        """Articles dated `low` to `high` in `lang` itself sharing a number or a name with
        the new one, or enough concepts (``linking.is_candidate``): the other outlets'
        rewrites of one item (``linking.best_rewrite``); with `other_news`, not in a story
        that is a gov.kz item."""
        # A day holds many more articles in the new one's language than in the others, and
        # a rewrite shares most of its keys: only the REWRITE_CANDIDATES sharing the most.
        counts, strong = self.keys.sharing(keys, _days(low, high)).get(lang, _NONE)
        return self._candidates(key_index.top(counts, strong, linking.REWRITE_CANDIDATES),
                                lang, other_news=other_news)

    def _candidates(
        self, ids: list[int], lang: str, *, other_news: bool, story_filter: str = "",
    ) -> list[linking.Candidate]:
        """The articles `ids` (ascending) as candidates, but those whose story
        `story_filter` (with `lang` as its one parameter) leaves out; with `other_news`,
        none in a story that is a gov.kz item (another gov.kz item is another story)."""
        if not ids:
            return []
        known = self._known
        missing = [i for i in ids if i not in known]
        if missing:
            # Each article's row is read once (while nobody else writes: KeyIndex): the
            # lookups of a day's articles meet the same articles again and again. Its story
            # changes only by this ingest's merge_story, which changes it here too.
            for i, story, lang_of, day, features in self._db.execute(
                "SELECT id, story_id, lang, date, link_features FROM articles "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(missing),),
            ):
                known[i] = linking.Candidate(i, story, lang_of, date.fromisoformat(day),
                                             linking.LinkFeatures.loads(features))
        if not (story_filter or other_news):
            return [known[i] for i in ids if i in known]
        not_news = (
            "AND NOT EXISTS (SELECT 1 FROM articles c JOIN article_sources s "
            "ON s.article_id = c.id WHERE c.story_id = a.story_id AND s.news_key IS NOT NULL)"
            if other_news else ""
        )
        cursor = self._db.execute(
            "SELECT a.id FROM articles a "
            f"WHERE a.id IN (SELECT value FROM json_each(?)) {story_filter} {not_news} "
            "ORDER BY a.id",
            (json.dumps(ids), *((lang,) if story_filter else ())),
        )
        return [known[i] for i, in cursor]

    def story_versions(
        self, story_ids: Sequence[int]
    ) -> tuple[dict[int, list[tuple[int, str, linking.LinkFeatures]]], set[int]]:
        """Each story's versions as (article id, language, linking features), by id; and
        which of the stories hold a gov.kz item (``linking.story_merges`` keeps two of those
        apart). For the story rule at the end of an ingest: a few stories, by the
        ``articles_story`` index."""
        versions: dict[int, list[tuple[int, str, linking.LinkFeatures]]] = {}
        news: set[int] = set()
        for start in range(0, len(story_ids), _IDS_AT_ONCE):
            part = story_ids[start : start + _IDS_AT_ONCE]
            cursor = self._db.execute(
                "SELECT a.id, a.story_id, a.lang, a.link_features, EXISTS (SELECT 1 FROM "
                "article_sources s WHERE s.article_id = a.id AND s.news_key IS NOT NULL) "
                f"FROM articles a WHERE a.story_id IN ({','.join('?' * len(part))}) "
                "ORDER BY a.id",
                part,
            )
            for article_id, story_id, lang, features, is_news in cursor.fetchall():
                versions.setdefault(story_id, []).append(
                    (article_id, lang, linking.LinkFeatures.loads(features)))
                if is_news:
                    news.add(story_id)
        return versions, news

    def merge_story(
        self, source: int, target: int, first_id: int, reason: dict[str, object]
    ) -> None:
        """Move the versions of `source`, a story this ingest started, into `target`; its
        first article `first_id` (which started it) gets `reason` as why it joined."""
        self._db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?",
                         (target, source))
        for i, candidate in self._known.items():
            if candidate.story == source:
                self._known[i] = dataclasses.replace(candidate, story=target)
        self._db.execute("UPDATE articles SET link_reason = ? WHERE id = ?",
                         (json.dumps(reason, ensure_ascii=False), first_id))
        self._db.execute("DELETE FROM stories WHERE id = ? AND ingest_id = ?",
                         (source, self.ingest_id))

    def new_story(self, when: datetime) -> int:
        cursor = self._db.execute(
            "INSERT INTO stories (created_at, ingest_id) VALUES (?, ?)",
            (iso(when), self.ingest_id),
        )
        return int(cursor.lastrowid or 0)

    # -- article rows ---------------------------------------------------------------------

    def insert(
        self, article: PreparedArticle, ingest_id: int, when: datetime, story_id: int,
        reason: dict[str, object],
    ) -> int:
        """A new article row with its index entries; its id."""
        cursor = self._db.execute(
            "INSERT INTO articles (title, date, body, summary, source_url, url_key, text_key, "
            "lang, section, quality, minhash, ingest_id, ingested_at, story_id, link_reason, "
            "link_features) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.title, article.date.isoformat(), article.body, article.summary,
                article.source_url, article.url_key, article.text_key, article.lang,
                article.section, article.quality, article.minhash,
                ingest_id, iso(when), story_id, json.dumps(reason, ensure_ascii=False),
                article.link_features or None,
            ),
        )
        article_id = int(cursor.lastrowid or 0)
        features = self._write_index(article_id, article)
        self._known[article_id] = linking.Candidate(
            article_id, story_id, article.lang, article.date, features)
        return article_id

    def add_source(
        self, article_id: int, article: PreparedArticle, reason: dict[str, object],
        when: datetime,
    ) -> bool:
        """Remember the article's URL as a source of the row; True when it is a new one."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO article_sources (article_id, url, url_key, news_key, "
            "reason, added_at, ingest_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article_id, article.source_url, article.url_key,
             linking.news_key(article.url_key), json.dumps(reason), iso(when),
             self.ingest_id),
        )
        return bool(cursor.rowcount)

    def replace(self, article_id: int, article: PreparedArticle) -> bool:
        """Put `article` in the row `article_id` (its id and story stay); False, and nothing
        changed, when its URL or text already belongs to another stored article."""
        # Its bands are found by their keys, computed from the signature it had (schema.py:
        # no index by article), before it changes.
        before = self._db.execute(
            "SELECT minhash FROM articles WHERE id = ?", (article_id,)).fetchone()
        try:
            self._db.execute(
                "UPDATE articles SET title = ?, body = ?, summary = ?, "
                "source_url = coalesce(?, source_url), url_key = coalesce(?, url_key), "
                "text_key = ?, lang = ?, quality = ?, minhash = ?, "
                "link_features = coalesce(?, link_features), duplicates = duplicates + 1 "
                "WHERE id = ?",
                (
                    article.title, article.body, article.summary, article.source_url,
                    article.url_key, article.text_key, article.lang, article.quality,
                    article.minhash, article.link_features or None, article_id,
                ),
            )
        except sqlite3.IntegrityError:
            return False
        self._known.pop(article_id, None)
        self.keys.forget()
        for table in ("article_topics", "article_numbers"):
            self._db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
        if before is not None:
            self._delete_bands([(article_id, before[0])], ("lsh_bands", "lsh_bands_recent"))
        # The row keeps its date (the copy's may differ): its keys are filed under it.
        row = self._db.execute("SELECT date FROM articles WHERE id = ?", (article_id,)).fetchone()
        self._write_index(article_id, article, row[0] if row else None)
        return True

    def _delete_bands(
        self, signatures: Sequence[tuple[int, bytes]], tables: Sequence[str]
    ) -> None:
        """Delete the LSH bands of these (article id, stored signature) from `tables`: the
        band tables have no index by article (schema.py), so by their keys."""
        entries = [(band, article_id) for article_id, signature in signatures
                   for band in dedup.band_keys(np.frombuffer(signature, dtype=np.uint32))]
        for table in tables:
            self._db.executemany(
                f"DELETE FROM {table} WHERE band = ? AND article_id = ?", entries)

    def _write_index(
        self, article_id: int, article: PreparedArticle, day: str | None = None
    ) -> linking.LinkFeatures:
        """The article's topic scores, LSH bands and linking keys; the keys are filed under
        the row's date (`day`, by default the article's) and language. Its linking
        features."""
        self._db.executemany(
            "INSERT INTO article_topics (article_id, topic, score, assigned) "
            "VALUES (?, ?, ?, ?)",
            [
                (article_id, topic, score, int(topic in article.topics))
                for topic, score in article.topic_scores.items()
            ],
        )
        # The bands and keys (text) as one JSON array each, unpacked by SQLite: half the CPU
        # of binding and stepping a statement per row from Python (70 rows an article).
        self._db.execute(
            "INSERT OR IGNORE INTO lsh_bands_recent (band, article_id) "
            "SELECT value, ? FROM json_each(?)",
            (article_id, json.dumps(list(article.bands))),
        )
        features = linking.LinkFeatures.loads(article.link_features)
        keys = features.index_keys()
        day = day or article.date.isoformat()
        self._db.execute(
            "INSERT OR IGNORE INTO article_numbers (number, date, lang, article_id) "
            "SELECT value, ?, ?, ? FROM json_each(?)",
            (day, article.lang, article_id, json.dumps(list(keys))),
        )
        self.keys.added(article_id, day, article.lang, keys)
        return features


_NONE: tuple[Counter[int], set[int]] = (Counter(), set())


def _days(low: date, high: date) -> list[str]:
    return [(low + timedelta(days=n)).isoformat() for n in range((high - low).days + 1)]


@functools.lru_cache(maxsize=8)
def _candidates_sql(bands: int) -> str:
    """Stored articles sharing a band with the new one: the newest few of each band.

    A band shared by thousands of articles (many near-identical short notes, boilerplate)
    would otherwise make every insert compare against all of them, and a dump of such
    notes quadratic. A true near-duplicate shares about a third of its bands, so it is
    found unless every one of them is crowded by newer look-alikes.

    The band index has two levels (the module's docstring): each band's newest few come
    from both tables, merged in article order (an entry is in one table only), so the
    candidates are those one table would give. Parameter 1 is the language, 2... the bands.
    """
    def one(n: int) -> str:
        return (
            "SELECT article_id FROM (SELECT article_id FROM lsh_bands WHERE band = "
            f"?{n} UNION ALL SELECT article_id FROM lsh_bands_recent WHERE band = ?{n} "
            f"ORDER BY article_id DESC LIMIT {CANDIDATES_PER_BAND})"
        )

    return (
        "SELECT a.id, a.quality, a.minhash, a.ingest_id FROM articles a "
        "WHERE a.lang = ?1 AND a.id IN ("
        + " UNION ".join(one(n + 2) for n in range(bands)) + ")"
    )
