"""The raw write connection of a store, for tests only.

Outside ``digest.storage`` nothing touches a connection; tests reach past the storage API on
purpose, to set up what it cannot produce: an old row, a lock held by another connection, a
page limit that makes the disk "full", a schema check.
"""

from __future__ import annotations

import asyncio

import aiosqlite

from digest.storage.database import Database


def raw(store: Database) -> aiosqlite.Connection:
    return store._db


def write_turn(store: Database) -> asyncio.Lock:
    """The lock every write of a store (and every chunk of an ingest into it) takes turns on:
    holding it freezes an ingest between two chunks."""
    return store._writes.lock


def waiting_writes(store: Database) -> int:
    """Writes queued for the store's write lock (an ingest's chunk ends early for them)."""
    return store._writes.waiting


async def autocheckpoint_pages(store: Database) -> int:
    """The WAL size (pages) past which the store's write connection's commits checkpoint."""
    async with store._db.execute("PRAGMA wal_autocheckpoint") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else -1
