"""Connections to the SQLite database, and the one way to write through them.

The database runs in WAL mode with a busy timeout and foreign keys on. A store has one
connection for writes (``Writer``) and its own connections for reads (``Reads``): in WAL
mode a reader never waits for a writer, and on a connection of its own (aiosqlite gives each
one a thread) a read is not queued behind the writes of other tasks either, nor behind an
ingest holding the write lock. Reads see what was committed when they start; whatever must
read its own uncommitted writes (inside a transaction) reads through the writer's connection.

Every write is one statement or one short transaction under the writer's lock: the bot serves
many chats concurrently on one connection, and two interleaved ``BEGIN`` ... ``COMMIT`` on it
would collide. An ingest commits in short chunks on a connection of its own, each taken
under the same lock, so a write of this process waits for one chunk at most. A write that
finds the database locked (another process writing) waits the busy timeout and is tried
again a few times: losing a delivery record would mean sending it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from digest.storage.errors import StoreError, describe, is_locked
from digest.storage.migrate import migrate

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
READERS = 2  # read connections: two cores, and SQLite lets go of the GIL while it works
# Read connections map the database file into memory: a page is then read where the kernel
# keeps it, not copied into each connection's page cache (2 MB by default, and emptied
# whenever another connection commits: in a bot, after every delivery record). At 100,000
# articles (850 MB) search's p50 went 1.95 -> 1.7 ms and latest's 0.5 -> 0.35 ms. Address
# space only: the memory is the kernel's file cache, shared by every connection.
READ_MMAP_BYTES = 1 << 30
# A statement's parameters: by position, or by name (`:name`).
Params = Sequence[Any] | Mapping[str, Any]
LOCKED_ATTEMPTS = 6  # each waits the busy timeout (10 s) before giving up
AUTOCHECKPOINT_PAGES = 1000  # SQLite's default


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


async def while_locked(
    operation: Callable[[], Awaitable[aiosqlite.Cursor]], attempts: int
) -> aiosqlite.Cursor:
    """The retry-on-locked policy: run `operation`, again while the database is locked, at
    most `attempts` times in all (each attempt already waited the busy timeout)."""
    for attempt in range(1, attempts + 1):
        try:
            return await operation()
        except sqlite3.OperationalError as exc:
            if not is_locked(exc) or attempt == attempts:
                raise
            log.warning("database locked (attempt %d of %d); trying again", attempt, attempts)
    raise AssertionError("unreachable")


class Writer:
    """The write connection, its one lock, and the one transaction helper."""

    def __init__(self, db: aiosqlite.Connection, raw: sqlite3.Connection | None = None) -> None:
        self._db = db
        self._raw = raw
        self.lock = asyncio.Lock()
        # Writes queued for `lock` through `turn`: an ingest's chunk ends early when there
        # are any (digest.storage.ingest_writes), so they wait for one article, not a chunk.
        self.waiting = 0
        # Called when a write queues for `lock`: an ingest chunk running in another process
        # (digest.write_process) cannot read `waiting`, so it is told.
        self.on_queue: Callable[[], None] | None = None

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold `lock`, counted in `waiting` while queued for it."""
        self.waiting += 1
        if self.on_queue is not None:
            self.on_queue()
        try:
            await self.lock.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self.lock.release()

    async def autocheckpoint(self, on: bool) -> None:
        """Whether this connection's commits checkpoint the WAL once it holds more than
        SQLite's default 1,000 pages; off while an ingest of this process runs, which
        checkpoints by itself (digest.storage.ingest_writes)."""
        await self._db.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES if on else 0}")

    def shared(self) -> sqlite3.Connection:
        """The sqlite3 connection under an in-memory database's one connection, for a
        transaction run in a thread by a caller that holds `lock` and every read slot (an
        ingest's chunk: digest.storage.ingest_writes.IngestSession.chunk); another
        connection would see another database."""
        if self._raw is None:
            raise RuntimeError("only an in-memory database shares its connection")
        return self._raw

    async def execute(
        self, sql: str, params: Sequence[Any] = (), *, attempts: int = LOCKED_ATTEMPTS
    ) -> aiosqlite.Cursor:
        """One write statement, never inside another task's transaction."""
        async with self.turn():
            return await self.execute_held(sql, params, attempts=attempts)

    async def execute_held(
        self, sql: str, params: Sequence[Any] = (), *, attempts: int = LOCKED_ATTEMPTS
    ) -> aiosqlite.Cursor:
        """One write statement by a caller that holds `lock` already."""
        return await while_locked(lambda: self._db.execute(sql, params), attempts)

    @asynccontextmanager
    async def transaction(
        self, *, attempts: int = LOCKED_ATTEMPTS
    ) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` under the lock; any error rolls back.

        SQLite rolls back by itself on some errors (disk full), and then a second ROLLBACK
        would fail and hide the original error: roll back only an open transaction.
        """
        async with self.turn():
            await self.execute_held("BEGIN IMMEDIATE", attempts=attempts)
            try:
                yield self._db
                await self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    with contextlib.suppress(sqlite3.Error, ValueError):
                        await self._db.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        await self._db.close()


class Rows:
    """The rows of a finished read, with the cursor methods the read code uses."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    async def fetchall(self) -> list[Any]:
        return self._rows

    async def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    async def __aiter__(self) -> AsyncIterator[Any]:
        for row in self._rows:
            yield row


class Reads:
    """A pool of read connections; each statement borrows one and returns it when its rows
    are fetched (one thread hop per read: ``execute_fetchall``).

    ``async with reads.execute(sql, params) as cursor`` reads like aiosqlite.
    """

    def __init__(self, connections: Sequence[aiosqlite.Connection]) -> None:
        self._all = list(connections)
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for connection in self._all:
            self._idle.put_nowait(connection)

    @asynccontextmanager
    async def execute(self, sql: str, params: Params = ()) -> AsyncIterator[Rows]:
        yield Rows(await self.fetchall(sql, params))

    @asynccontextmanager
    async def borrowed(self) -> AsyncIterator[None]:
        """Every read connection, held: no read runs meanwhile."""
        held = [await self._idle.get() for _ in self._all]
        try:
            yield
        finally:
            for connection in held:
                self._idle.put_nowait(connection)

    async def on_each(self, sql: str, params: Params = ()) -> None:
        """Run `sql` once on every read connection, its rows dropped: the statement is then
        prepared in each one's cache, and what a first use of a table loads is loaded."""
        async with self.borrowed():
            for connection in self._all:
                await connection.execute_fetchall(sql, params)

    async def of_ids(self, sql: str, ids: Sequence[int]) -> list[Any]:
        """The rows of `sql` for many ids at once: its one parameter is the ids as a JSON
        list, read as ``IN (SELECT value FROM json_each(?))``, so a page of any size is one
        parameter (SQLite caps the ``?`` of a statement). No ids: no rows, no query."""
        if not ids:
            return []
        return await self.fetchall(sql, (json.dumps(list(ids)),))

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        connection = await self._idle.get()
        try:
            return list(await connection.execute_fetchall(sql, params))
        finally:
            self._idle.put_nowait(connection)

    async def close(self, keep: aiosqlite.Connection | None = None) -> None:
        for connection in self._all:
            if connection is not keep:
                await connection.close()


async def connect(
    target: str, *, readers: int, create: bool
) -> tuple[aiosqlite.Connection, list[aiosqlite.Connection], sqlite3.Connection | None]:
    """The write connection (the database created and migrated), `readers` read
    connections (none for an in-memory database: reads share the write connection), and for
    an in-memory database the sqlite3 connection under its one connection (Writer.shared).
    `create=False` refuses a path with no database (a reading command's mistyped --db)."""
    if target != ":memory:":
        where = Path(target)
        if where.is_dir():
            raise StoreError(
                f"database path {target} is a directory; give the path of a database file"
            )
        if not create and not where.exists():
            raise StoreError(
                f"database {target} does not exist; check --db (or NEWSBOT_DB_PATH), "
                "or ingest a dump first"
            )
    try:
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            # Try the path with plain sqlite3 first: when aiosqlite fails to connect, its
            # thread reports back to the event loop later, after asyncio.run() may have
            # closed it ("RuntimeError: Event loop is closed" under our one-line error).
            await asyncio.to_thread(_probe, target)
        kept: list[sqlite3.Connection] = []
        if target == ":memory:":

            class Kept(sqlite3.Connection):
                def __init__(self, *args: Any, **kwargs: Any) -> None:
                    super().__init__(*args, **kwargs)
                    kept.append(self)

            # Usable from the thread an ingest's transaction runs in (Writer.shared).
            db = await aiosqlite.connect(
                target, isolation_level=None, check_same_thread=False, factory=Kept
            )
        else:
            db = await aiosqlite.connect(target, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(describe(exc, target)) from None
    except OSError as exc:  # the path is unusable
        raise StoreError(f"cannot open database {target}: {exc.strerror or exc}") from None
    db.row_factory = aiosqlite.Row
    try:
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA foreign_keys = ON")
        await db.execute("PRAGMA synchronous = NORMAL")
        await migrate(db)
    except sqlite3.Error as exc:
        # Not a database at all ("file is not a database"), or a locked/corrupt one.
        await db.close()
        raise StoreError(describe(exc, target)) from None
    except BaseException:
        await db.close()
        raise
    if target == ":memory:" or readers < 1:
        return db, [], kept[0] if kept else None
    connections: list[aiosqlite.Connection] = []
    try:
        for _ in range(readers):
            connections.append(await _reader(target))
    except BaseException as exc:
        for opened in connections:
            await opened.close()
        await db.close()
        if isinstance(exc, sqlite3.Error):
            raise StoreError(describe(exc, target)) from None
        raise
    return db, connections, None


async def _reader(path: str) -> aiosqlite.Connection:
    db = await aiosqlite.connect(path, isolation_level=None)
    db.row_factory = aiosqlite.Row
    try:
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA query_only = ON")  # a write here would be a bug
        await db.execute(f"PRAGMA mmap_size = {READ_MMAP_BYTES}")
    except BaseException:
        await db.close()
        raise
    return db


def _probe(target: str) -> None:
    sqlite3.connect(target).close()
