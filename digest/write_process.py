"""An ingest's write phase in a process of its own, for the bot's uploads.

The write phase is Python per article between SQLite calls (lookups, linking, the rows);
in a thread of the bot's process it holds the GIL most of the time, and the event loop
and the read connections' threads, which need the GIL at every step of a reply, wait
behind it. In a process of its own, with its own GIL and its work at a lower CPU
priority (like the ingest workers), it only competes for a core, which the kernel hands
to the bot first. Only the part that the bot's writes wait for once they queue, BEGIN
and COMMIT, runs at the bot's priority (WRITER_NICENESS): a starved lock holder would
keep them waiting.

The process is driven chunk by chunk: the bot's process holds the store's write lock for
each chunk (``IngestSession.chunk_elsewhere``), sends "chunk", and the writer runs one
short transaction on its own connection and answers. A bot write that queues for the lock
meanwhile raises a flag in shared memory, and the chunk ends after the article it is
writing, as in-process. The merge of the LSH bands after publishing runs here too, in
transactions that end after a step for a queued bot write. Everything else stays where
it was: the ingest's row, its pending mark and the clean-up of a failed ingest are the
bot process's (``ingest_session``); the held-back replacements, the tally and the
articles (read from the spill file) are the writer's, which sends the tally back with its
last transaction. If the writer dies, the bot's process sees the pipe close, and deletes
what its chunks wrote (its open transaction, if any, SQLite rolls back): the ingest stays
all or nothing. (Dying during the merge loses nothing: the ingest is published, and each
merge transaction moves a key range whole; the next ingest's merge finishes it.)

An in-memory database has no file another process could open: its ingests write in a
thread (``digest.ingest``), as does the command line, which serves nobody meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from multiprocessing.sharedctypes import Synchronized
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar, cast

from digest.models import Problem
from digest.storage import StoreError
from digest.storage.errors import NOTHING_STORED

if TYPE_CHECKING:
    from digest.storage.ingest_writes import IngestWrites

class ChunkWriter(Protocol):
    """What the writer process drives: digest.ingest's writer of one dump."""

    tally: Any

    def chunk(self, writes: IngestWrites) -> bool: ...

    def publish(self, writes: IngestWrites, *, parsed: int, problems: list[Problem]) -> None: ...


# Makes the ChunkWriter in the writer process, from the held-back file, the spill file (the
# prepared articles), the threshold, the ingest's time and the chunk size: a module-level
# function of digest.ingest (passed by name: this module does not import that one).
T = TypeVar("T")
MakeWriter = Callable[[IO[bytes], IO[bytes], float, datetime, int], ChunkWriter]

# The writer's work (the articles, the merge's steps, checkpoints) runs in a thread
# WRITER_NICENESS lower in priority, like the ingest workers, so that it takes no core from
# the bot; what the bot's writes wait for once they queue, BEGIN and COMMIT (writing the
# chunk's pages), runs in the process's main thread at the bot's priority (Linux sets the
# niceness per thread). With the whole writer at nice 10 on a busy machine, a /subscribe
# queued behind a starved commit: 0.5 s at the median, up to 7.5 s (bench_latency.py at
# load 10; reads 0.19 s); a priority inversion.
WRITER_NICENESS = 10
CLOSE_TIMEOUT = 5.0  # seconds a finished writer gets to exit before it is killed


class WriterDied(StoreError):
    """The writer process ended without answering (killed, out of memory)."""


class _SharedFlag:
    """A flag in shared memory, set in one process and read in the other (a plain int:
    reading it takes no lock, and the writer reads it after every article)."""

    def __init__(self, value: Synchronized[int]) -> None:
        self._value = value

    def is_set(self) -> bool:
        return bool(self._value.value)

    def set(self) -> None:
        self._value.value = 1

    def clear(self) -> None:
        self._value.value = 0


class WriterProcess:
    """The bot process's handle on one ingest's writer process.

    Started at the beginning of an ingest (`start`), so that it has imported what it needs
    by the time the dump is prepared; `setup` tells it where the prepared articles are,
    then `chunk` and `publish` run its transactions; `close` ends it.
    """

    def __init__(self, make_writer: MakeWriter) -> None:
        context = multiprocessing.get_context("spawn")
        self._wanted = _SharedFlag(cast("Synchronized[int]", context.RawValue("b", 0)))
        self._stop = _SharedFlag(cast("Synchronized[int]", context.RawValue("b", 0)))
        self._pipe, child = context.Pipe()
        self._process: SpawnProcess = context.Process(
            target=_serve,
            args=(child, self._wanted._value, self._stop._value, make_writer),
            name="newsbot-ingest-writer", daemon=True,
        )
        self._child = child

    async def start(self) -> None:
        await asyncio.to_thread(self._process.start)
        self._child.close()  # the writer's end: when the writer dies, our reads see EOF

    def wanted(self) -> None:
        """A bot write queued for the lock: end the running chunk."""
        self._wanted.set()

    async def setup(self, database: str, spill: str, ingest_id: int, threshold: float,
                    when: datetime, size: int) -> None:
        await self._call(("setup", database, spill, ingest_id, threshold, when, size))

    @property
    def pid(self) -> int | None:
        return self._process.pid

    async def chunk(self, queued: bool) -> bool:
        """One chunk (`queued`: a bot write waits already, write one article); True when
        there may be more."""
        self._ask(queued)
        return bool(await self._call(("chunk",)))

    async def publish(self, queued: bool, parsed: int, problems: list[Problem]) -> Any:
        """The last transaction: the held-back changes and the figures; the tally."""
        self._ask(queued)
        return await self._call(("publish", parsed, problems))

    async def checkpoint(self) -> None:
        """A PASSIVE WAL checkpoint on the writer's connection, between chunks."""
        await self._call(("checkpoint",))

    async def merge(self, queued: bool) -> tuple[int, bool]:
        """One transaction of the published ingest's LSH band merge
        (``IngestSession.merge_bands``): entries moved, and whether it is done."""
        self._ask(queued)
        moved, done = await self._call(("merge",))
        return int(moved), bool(done)

    def _ask(self, queued: bool) -> None:
        if queued:
            self._wanted.set()
        else:
            self._wanted.clear()

    async def close(self) -> None:
        """End the writer: asked, then after CLOSE_TIMEOUT killed."""
        if self._process.is_alive():
            with contextlib.suppress(OSError):  # it died meanwhile
                self._pipe.send(("close",))
        await asyncio.to_thread(self._process.join, CLOSE_TIMEOUT)
        if self._process.is_alive():
            self._process.kill()
            await asyncio.to_thread(self._process.join)
        self._pipe.close()

    async def _call(self, command: tuple[Any, ...]) -> Any:
        """Send a command, wait for its answer; a cancel stops the writer's transaction
        (it rolls back) and waits for it before it goes on."""
        try:
            self._pipe.send(command)
        except OSError:
            raise WriterDied(self._died()) from None
        answer = asyncio.ensure_future(asyncio.to_thread(self._receive))
        try:
            kind, value = await asyncio.shield(answer)
        except asyncio.CancelledError:
            self._stop.set()
            await asyncio.wait([answer])
            if not answer.cancelled():
                answer.exception()  # retrieved: the cancel is what the caller gets
            raise
        if kind == "error":
            raise value
        return value

    def _receive(self) -> tuple[str, Any]:
        try:
            return cast(tuple[str, Any], self._pipe.recv())
        except (EOFError, OSError):
            raise WriterDied(self._died()) from None

    def _died(self) -> str:
        self._process.join(1.0)
        return ("the ingest's writer process died "
                f"(exit code {self._process.exitcode}){NOTHING_STORED}")


def _serve(pipe: Connection, wanted: Synchronized[int], stop: Synchronized[int],
           make_writer: MakeWriter) -> None:
    """The writer process: answer the bot process's commands until "close"."""
    from digest.workers import tie_to_parent

    tie_to_parent()
    session: _Session | None = None
    try:
        while True:
            try:
                command = pipe.recv()
            except EOFError:  # the bot's process is gone
                return
            if command[0] == "close":
                return
            try:
                if command[0] == "setup":
                    session = _Session(make_writer, *command[1:], wanted=_SharedFlag(wanted),
                                       stop=_SharedFlag(stop))
                    result: Any = None
                elif session is None:
                    raise RuntimeError(f"{command[0]} before setup")
                elif command[0] == "chunk":
                    result = session.chunk()
                elif command[0] == "checkpoint":
                    session.checkpoint()
                    result = None
                elif command[0] == "merge":
                    result = session.merge()
                else:
                    result = session.publish(*command[1:])
            except BaseException as exc:  # the bot's process raises it
                pipe.send(("error", _picklable(exc)))
            else:
                pipe.send(("ok", result))
    finally:
        if session is not None:
            session.close()


def _lower_priority() -> None:
    """In the work's thread: WRITER_NICENESS lower (on Linux, for this thread only)."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                       os.getpriority(os.PRIO_PROCESS, 0) + WRITER_NICENESS)


def _picklable(exc: BaseException) -> BaseException:
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # it cannot travel: its text does
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


class _Session:
    """The writer's side: its connection, the articles and the ingest's state."""

    def __init__(self, make_writer: MakeWriter, database: str, spill: str, ingest_id: int,
                 threshold: float, when: datetime, size: int, *, wanted: _SharedFlag,
                 stop: _SharedFlag) -> None:
        from digest.storage.ingest_writes import IngestWrites, connect_for_ingest

        self._db = connect_for_ingest(database)
        self._spill = open(spill, "rb")  # noqa: SIM115 - closed in close()
        self._held = tempfile.TemporaryFile(prefix="newsbot-held-")  # noqa: SIM115
        self._writes = IngestWrites(self._db, ingest_id, stop, wanted.is_set)
        self.writer = make_writer(self._held, self._spill, threshold, when, size)
        # The work's thread (see WRITER_NICENESS); the connection is used by one thread at
        # a time, this one for BEGIN and COMMIT, that one for what is between.
        self._background = ThreadPoolExecutor(
            1, thread_name_prefix="newsbot-ingest-work", initializer=_lower_priority)

    def _transaction(self, work: Callable[[IngestWrites], T]) -> T:
        """BEGIN IMMEDIATE and COMMIT (or ROLLBACK) here, at the bot's priority; `work`
        in between, in the background thread, at the workers'."""
        from digest.storage.ingest_writes import in_transaction

        return in_transaction(
            self._db, lambda writes: self._background.submit(work, writes).result(),
            self._writes)

    def chunk(self) -> bool:
        return self._transaction(self.writer.chunk)

    def checkpoint(self) -> None:
        self._background.submit(
            lambda: self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()).result()

    def merge(self) -> tuple[int, bool]:
        from digest.storage.ingest_writes import MERGE_CHUNK_ROWS, MERGE_SECONDS

        return self._transaction(
            lambda writes: writes.merge_some_bands(MERGE_CHUNK_ROWS, MERGE_SECONDS))

    def publish(self, parsed: int, problems: list[Problem]) -> Any:
        from digest.storage.ingest_writes import in_transaction

        def last(writes: IngestWrites) -> None:
            writes.publish()
            self.writer.publish(writes, parsed=parsed, problems=problems)

        # All of it at the bot's priority: short, and every bot write queued meanwhile
        # waits for the whole of it.
        in_transaction(self._db, last, self._writes)
        return self.writer.tally

    def close(self) -> None:
        self._background.shutdown()
        for closing in (self._spill.close, self._held.close, self._db.close):
            with contextlib.suppress(OSError, sqlite3.Error):
                closing()

