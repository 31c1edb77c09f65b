"""Forward migrations at open: run those of ``digest.storage.schema`` the database has not
seen, counted in ``PRAGMA user_version``."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable

import aiosqlite

from digest.storage.errors import StoreError
from digest.storage.schema import MIGRATIONS


async def migrate(db: aiosqlite.Connection, migrations: Iterable[str] = MIGRATIONS) -> int:
    """Run the migrations the database has not seen; return the resulting version.

    The version is read again under the write lock (BEGIN IMMEDIATE) before each step: two
    processes opening a new database at once would otherwise both see version 0 and the
    second would fail on tables the first just made. A database that is up to date is not
    locked at all, so a read-only one can still be read.
    """
    steps = list(migrations)
    version = await _user_version(db)
    while True:
        if version > len(steps):
            raise StoreError(
                f"the database is at schema version {version}, newer than this newsbot "
                f"({len(steps)}); upgrade newsbot"
            )
        if version == len(steps):
            return version
        await db.execute("BEGIN IMMEDIATE")
        try:
            version = await _user_version(db)
            if version < len(steps):
                for statement in _statements(steps[version]):
                    await db.execute(statement)
                version += 1
                await db.execute(f"PRAGMA user_version = {version}")
            await db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    await db.execute("ROLLBACK")
            raise


async def _user_version(db: aiosqlite.Connection) -> int:
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


def _statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
