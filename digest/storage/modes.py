"""Delivery modes of topics and follows, and the record of instant pushes (issue 12).

Writes go through the store's one write lock, like every write on the shared connection.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from digest.modes import INSTANT, QUIET_FROM, QUIET_TO
from digest.schedule import parse_hhmm
from digest.storage.connection import iso
from digest.storage.subscribers import Subscribers


@dataclass(frozen=True, slots=True)
class FollowMode:
    id: int  # the follow's row id: short enough for a button's callback data
    term: str
    mode: str


class Modes:
    def __init__(self, subscribers: Subscribers) -> None:
        self.subscribers = subscribers
        self._reads = subscribers.store._reads
        self._writes = subscribers.store._writes
        self._attempts = subscribers.locked_attempts

    async def _write(self, sql: str, params: Sequence[Any]) -> int:
        """One write statement; how many rows it changed."""
        cursor = await self._writes.execute(sql, params, attempts=self._attempts)
        return cursor.rowcount

    async def topic_modes(self, chat_id: int) -> dict[str, str]:
        async with self._reads.execute(
            "SELECT topic, mode FROM subscriptions WHERE chat_id = ? ORDER BY created_at, topic",
            (chat_id,),
        ) as cursor:
            return {r[0]: r[1] for r in await cursor.fetchall()}

    async def follow_modes(self, chat_id: int) -> list[FollowMode]:
        async with self._reads.execute(
            "SELECT rowid, term, mode FROM follows WHERE chat_id = ? AND mute = 0 "
            "ORDER BY created_at, rowid",
            (chat_id,),
        ) as cursor:
            return [FollowMode(r[0], r[1], r[2]) for r in await cursor.fetchall()]

    async def set_topic_mode(self, chat_id: int, topic: str, mode: str) -> bool:
        """False when the chat is not subscribed to `topic`."""
        changed = await self._write(
            "UPDATE subscriptions SET mode = ? WHERE chat_id = ? AND topic = ?",
            (mode, chat_id, topic),
        )
        return bool(changed)

    async def set_follow_mode(self, chat_id: int, follow_id: int, mode: str) -> bool:
        changed = await self._write(
            "UPDATE follows SET mode = ? WHERE chat_id = ? AND rowid = ? AND mute = 0",
            (mode, chat_id, follow_id),
        )
        return bool(changed)

    async def instant_chats(self) -> list[int]:
        """Active chats with at least one instant topic or follow."""
        async with self._reads.execute(
            "SELECT s.chat_id FROM subscribers s WHERE s.active = 1 AND ("
            "EXISTS (SELECT 1 FROM subscriptions t WHERE t.chat_id = s.chat_id AND t.mode = ?) "
            "OR EXISTS (SELECT 1 FROM follows f WHERE f.chat_id = s.chat_id AND f.mute = 0 "
            "AND f.mode = ?)) ORDER BY s.chat_id",
            (INSTANT, INSTANT),
        ) as cursor:
            return [r[0] for r in await cursor.fetchall()]

    async def pushes_since(self, chat_id: int, since: datetime) -> int:
        async with self._reads.execute(
            "SELECT count(*) FROM pushes WHERE chat_id = ? AND pushed_at >= ?",
            (chat_id, iso(since)),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def record_pushes(self, chat_id: int, article_ids: Sequence[int], now: datetime) -> None:
        if not article_ids:
            return
        await self._write(
            "INSERT OR IGNORE INTO pushes (chat_id, article_id, pushed_at) "
            "SELECT ?, j.value, ? FROM json_each(?) j "
            "WHERE EXISTS (SELECT 1 FROM articles a WHERE a.id = j.value)",
            (chat_id, iso(now), json.dumps(list(article_ids))),
        )

    async def quiet_hours(self, chat_id: int) -> tuple[time, time]:
        """The chat's quiet hours (local): its own, else the default 22:00-08:00."""
        async with self._reads.execute(
            "SELECT quiet_from, quiet_to FROM quiet_hours WHERE chat_id = ?", (chat_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return QUIET_FROM, QUIET_TO
        return parse_hhmm(row[0]), parse_hhmm(row[1])

    async def set_quiet_hours(self, chat_id: int, start: time, end: time) -> None:
        await self._write(
            "INSERT INTO quiet_hours (chat_id, quiet_from, quiet_to) VALUES (?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET quiet_from = excluded.quiet_from, "
            "quiet_to = excluded.quiet_to",
            (chat_id, start.strftime("%H:%M"), end.strftime("%H:%M")),
        )
