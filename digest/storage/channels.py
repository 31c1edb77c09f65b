"""Channels and groups set up from a private chat (/channel), and forum threads per topic.

A channel is a subscriber row like any chat (topics, time, zone, language, deliveries, the
daily schedule), plus a ``channels`` row saying who added it and what it is. Writes go
through the store's one write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digest.storage.connection import iso
from digest.storage.subscribers import Subscribers


@dataclass(frozen=True, slots=True)
class Channel:
    chat_id: int
    title: str
    username: str | None
    kind: str  # channel, group, supergroup
    is_forum: bool
    added_by: int

    @property
    def label(self) -> str:
        return f"{self.title} (@{self.username})" if self.username else self.title


class Channels:
    def __init__(self, subscribers: Subscribers) -> None:
        self.subscribers = subscribers
        self._reads = subscribers.store._reads
        self._writes = subscribers.store._writes
        self._attempts = subscribers.locked_attempts

    async def add(self, channel: Channel, language: str, now: datetime) -> None:
        """Register (or refresh) the channel; a removed one comes back active."""
        await self.subscribers.ensure(channel.chat_id, None, language, now)
        async with self._writes.transaction(attempts=self._attempts) as db:
            await db.execute(
                "INSERT INTO channels (chat_id, title, username, kind, is_forum, added_by, "
                "added_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
                "title = excluded.title, username = excluded.username, kind = excluded.kind, "
                "is_forum = excluded.is_forum, added_by = excluded.added_by",
                (channel.chat_id, channel.title, channel.username, channel.kind,
                 int(channel.is_forum), channel.added_by, iso(now)),
            )
        await self.subscribers.reactivate(channel.chat_id, now)

    async def get(self, chat_id: int) -> Channel | None:
        async with self._reads.execute(
            "SELECT * FROM channels WHERE chat_id = ?", (chat_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _channel(row) if row else None

    async def of_chats(self, chat_ids: Sequence[int]) -> dict[int, Channel]:
        """``get`` for many chats at once (those that are not channels are left out)."""
        rows = await self._reads.of_ids(
            "SELECT * FROM channels WHERE chat_id IN (SELECT value FROM json_each(?))", chat_ids
        )
        return {row["chat_id"]: _channel(row) for row in rows}

    async def threads_of(self, chat_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """``threads`` for many chats at once (chats without threads are left out)."""
        result: dict[int, dict[str, int]] = {}
        for chat_id, topic, thread_id in await self._reads.of_ids(
            "SELECT chat_id, topic, thread_id FROM forum_threads "
            "WHERE chat_id IN (SELECT value FROM json_each(?))",
            chat_ids,
        ):
            result.setdefault(chat_id, {})[topic] = thread_id
        return result

    async def find(self, target: str) -> Channel | None:
        """By numeric id or by @username (any case)."""
        text = target.strip()
        if text.lstrip("-").isdigit():
            return await self.get(int(text))
        name = text.removeprefix("https://").removeprefix("t.me/").lstrip("@")
        async with self._reads.execute(
            "SELECT * FROM channels WHERE username = ? COLLATE NOCASE", (name,)
        ) as cursor:
            row = await cursor.fetchone()
        return _channel(row) if row else None

    async def added_by(self, user_id: int) -> list[Channel]:
        async with self._reads.execute(
            "SELECT * FROM channels WHERE added_by = ? ORDER BY added_at, chat_id", (user_id,)
        ) as cursor:
            return [_channel(r) for r in await cursor.fetchall()]

    async def remove(self, chat_id: int, now: datetime) -> None:
        """No more digests there; its topics and threads are forgotten."""
        await self.subscribers.stop(chat_id, now)
        async with self._writes.transaction(attempts=self._attempts) as db:
            await db.execute("DELETE FROM forum_threads WHERE chat_id = ?", (chat_id,))
            await db.execute("DELETE FROM channels WHERE chat_id = ?", (chat_id,))

    async def set_thread(self, chat_id: int, topic: str, thread_id: int | None) -> None:
        if thread_id is None:
            await self._writes.execute(
                "DELETE FROM forum_threads WHERE chat_id = ? AND topic = ?", (chat_id, topic),
                attempts=self._attempts,
            )
            return
        await self._writes.execute(
            "INSERT INTO forum_threads (chat_id, topic, thread_id) VALUES (?, ?, ?) "
            "ON CONFLICT (chat_id, topic) DO UPDATE SET thread_id = excluded.thread_id",
            (chat_id, topic, thread_id), attempts=self._attempts,
        )

    async def threads(self, chat_id: int) -> dict[str, int]:
        async with self._reads.execute(
            "SELECT topic, thread_id FROM forum_threads WHERE chat_id = ?", (chat_id,)
        ) as cursor:
            return {r[0]: r[1] for r in await cursor.fetchall()}


def _channel(row: Any) -> Channel:
    return Channel(
        chat_id=row["chat_id"], title=row["title"], username=row["username"], kind=row["kind"],
        is_forum=bool(row["is_forum"]), added_by=row["added_by"],
    )
