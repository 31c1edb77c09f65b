"""An open database: its write connection (``Writer``) and its read connections (``Reads``).

The connections are private to ``digest.storage``: code outside the package calls the
methods of ``Store``, ``Subscribers`` and the other classes here, never SQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

import aiosqlite

from digest.storage.connection import READERS, Reads, Writer, connect


class Database:
    def __init__(
        self, db: aiosqlite.Connection, path: str,
        readers: Sequence[aiosqlite.Connection] = (), raw: sqlite3.Connection | None = None,
    ) -> None:
        self.path = path
        self._db = db
        self._writes = Writer(db, raw)
        self._reads = Reads(readers or [db])

    @classmethod
    async def open(
        cls, path: str | Path, *, readers: int = READERS, create: bool = True
    ) -> Self:
        """Open (creating and migrating) the database, with `readers` read connections
        (none: reads share the write connection; an in-memory database always does).
        `create=False` refuses a path with no database (a reading command's mistyped --db)."""
        target = str(path)
        db, connections, raw = await connect(target, readers=readers, create=create)
        return cls(db, target, connections, raw)

    async def close(self) -> None:
        await self._reads.close(keep=self._db)
        await self._writes.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
