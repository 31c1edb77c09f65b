"""Subscribers, their topics, what each was sent, and digest runs, on top of ``Store``.

Every write is a single statement or a short transaction under the store's one write lock,
tried again while another connection holds the database locked (``digest.storage.connection``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import aiosqlite

from digest.languages import LANGUAGES
from digest.models import DigestRun, Subscriber, SubscriberCounts
from digest.schedule import next_digest_at, parse_hhmm
from digest.storage.articles import Store
from digest.storage.connection import LOCKED_ATTEMPTS, iso


class Subscribers:
    """The bot's view of the subscriber tables; `default_timezone`/`default_time` for new rows."""

    def __init__(
        self, store: Store, default_timezone: str, default_time: str,
        *, locked_attempts: int = LOCKED_ATTEMPTS,
    ) -> None:
        self.store = store
        self.default_timezone = default_timezone
        self.default_time = default_time
        self.locked_attempts = locked_attempts
        self._writes = store._writes
        self._reads = store._reads

    async def _execute(self, sql: str, params: Sequence[Any]) -> aiosqlite.Cursor:
        """One write statement, never inside another task's transaction."""
        return await self._writes.execute(sql, params, attempts=self.locked_attempts)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._writes.transaction(attempts=self.locked_attempts) as db:
            yield db

    # -- subscribers ----------------------------------------------------------------------

    async def get(self, chat_id: int) -> Subscriber | None:
        async with self._reads.execute(
            "SELECT * FROM subscribers WHERE chat_id = ?", (chat_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _subscriber(row) if row else None

    async def ensure(
        self, chat_id: int, user_id: int | None, language: str, now: datetime
    ) -> Subscriber:
        """The chat's row, created with the defaults (and `language`) if it has none."""
        await self._execute(
            "INSERT INTO subscribers (chat_id, user_id, language, timezone, digest_time, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (chat_id) DO NOTHING",
            (chat_id, user_id, _language(language), self.default_timezone, self.default_time,
             iso(now), iso(now)),
        )
        found = await self.get(chat_id)
        assert found is not None
        return found

    async def set_language(self, chat_id: int, language: str, now: datetime) -> None:
        await self._execute(
            "UPDATE subscribers SET language = ?, updated_at = ? WHERE chat_id = ?",
            (_language(language), iso(now), chat_id),
        )

    async def set_news_language(self, chat_id: int, value: str | None, now: datetime) -> None:
        """en, ru, kk, "all", or None (follow the interface language)."""
        if value is not None and value not in (*LANGUAGES, "all"):
            raise ValueError(f"not a news language: {value!r}")
        await self._execute(
            "UPDATE subscribers SET news_language = ?, updated_at = ? WHERE chat_id = ?",
            (value, iso(now), chat_id),
        )

    async def set_schedule(
        self, chat_id: int, now: datetime, *, digest_time: str | None = None,
        timezone: str | None = None,
    ) -> Subscriber:
        """Change the local time and/or zone; the next digest moves accordingly."""
        async with self._transaction() as db:
            if digest_time is not None:
                await db.execute(
                    "UPDATE subscribers SET digest_time = ? WHERE chat_id = ?",
                    (digest_time, chat_id),
                )
            if timezone is not None:
                await db.execute(
                    "UPDATE subscribers SET timezone = ? WHERE chat_id = ?", (timezone, chat_id)
                )
            await self._reschedule(db, chat_id, now)
        found = await self.get(chat_id)
        assert found is not None
        return found

    async def reactivate(self, chat_id: int, now: datetime) -> None:
        """The user is back (/start): digests resume if they still have topics."""
        async with self._transaction() as db:
            await self._activate(db, chat_id, now)

    async def _activate(self, db: aiosqlite.Connection, chat_id: int, now: datetime) -> None:
        """Mark the chat active; a chat coming back gets a fresh digest time, not a stale one."""
        cursor = await db.execute(
            "UPDATE subscribers SET active = 1, updated_at = ? WHERE chat_id = ? AND active = 0",
            (iso(now), chat_id),
        )
        await self._reschedule(db, chat_id, now, only_if_unset=not cursor.rowcount)

    async def stop(self, chat_id: int, now: datetime) -> None:
        """/stop: no topics, no digests, until the user subscribes again."""
        async with self._transaction() as db:
            await db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            await db.execute("DELETE FROM follows WHERE chat_id = ?", (chat_id,))
            await db.execute(
                "UPDATE subscribers SET active = 0, next_digest_at = NULL, updated_at = ? "
                "WHERE chat_id = ?",
                (iso(now), chat_id),
            )

    async def migrate(self, old_chat_id: int, new_chat_id: int, now: datetime) -> Subscriber | None:
        """A group became a supergroup with a new id: move its row, topics and deliveries.

        Without a row for the new id, the old one moves as it is (settings, activity, next
        digest). If the new chat already has a row (someone used the bot there after the
        upgrade), that row's settings and activity win, being the newer word on the chat;
        the old topics are added to it and the old deliveries kept, so nothing already sent
        is sent again. Returns the new chat's row (None if neither chat had one).
        """
        async with self._transaction() as db:
            # The new row first: the children's foreign keys must point at an existing row.
            await db.execute(
                "INSERT INTO subscribers (chat_id, user_id, language, news_language, timezone, "
                "digest_time, next_digest_at, active, created_at, updated_at) "
                "SELECT ?, user_id, language, news_language, timezone, digest_time, "
                "next_digest_at, active, created_at, ? FROM subscribers WHERE chat_id = ? "
                "ON CONFLICT (chat_id) DO NOTHING",
                (new_chat_id, iso(now), old_chat_id),
            )
            # OR IGNORE: a topic or delivery the new chat already has stays as it is; the
            # old duplicate goes with the old row below (ON DELETE CASCADE).
            await db.execute(
                "UPDATE OR IGNORE subscriptions SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            await db.execute(
                "UPDATE OR IGNORE deliveries SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            for table in ("follows", "channels", "forum_threads", "pushes", "quiet_hours"):
                await db.execute(
                    f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE chat_id = ?",
                    (new_chat_id, old_chat_id),
                )
            await db.execute("DELETE FROM subscribers WHERE chat_id = ?", (old_chat_id,))
            # Merged topics into a row that had none: it needs a digest time now.
            await self._reschedule(db, new_chat_id, now, only_if_unset=True)
        return await self.get(new_chat_id)

    async def mark_blocked(self, chat_id: int, now: datetime) -> None:
        """The user blocked the bot (or the chat is gone): keep their topics, send nothing
        until they come back."""
        await self._execute(
            "UPDATE subscribers SET active = 0, updated_at = ? WHERE chat_id = ?",
            (iso(now), chat_id),
        )

    # -- subscriptions --------------------------------------------------------------------

    async def topics(self, chat_id: int) -> list[str]:
        async with self._reads.execute(
            "SELECT topic FROM subscriptions WHERE chat_id = ? ORDER BY created_at, topic",
            (chat_id,),
        ) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def subscribe(self, chat_id: int, topics: Iterable[str], now: datetime) -> list[str]:
        """Add topics (reactivating the chat); return those that were new."""
        added: list[str] = []
        async with self._transaction() as db:
            for topic in topics:
                cursor = await db.execute(
                    "INSERT OR IGNORE INTO subscriptions (chat_id, topic, created_at) "
                    "VALUES (?, ?, ?)",
                    (chat_id, topic, iso(now)),
                )
                if cursor.rowcount:
                    added.append(topic)
            await self._activate(db, chat_id, now)
        return added

    async def unsubscribe(self, chat_id: int, topics: Iterable[str] | None, now: datetime) -> int:
        """Remove the given topics, or all of them when `topics` is None; return how many."""
        async with self._transaction() as db:
            if topics is None:
                cursor = await db.execute(
                    "DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)
                )
                removed = cursor.rowcount
            else:
                removed = 0
                for topic in topics:
                    cursor = await db.execute(
                        "DELETE FROM subscriptions WHERE chat_id = ? AND topic = ?",
                        (chat_id, topic),
                    )
                    removed += cursor.rowcount
            await self._reschedule(db, chat_id, now, only_if_unset=True)
        return removed

    async def toggle(self, chat_id: int, topic: str, now: datetime) -> bool:
        """Flip one subscription; return whether the chat is now subscribed to `topic`."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND topic = ?", (chat_id, topic)
            )
            subscribed = not cursor.rowcount
            if subscribed:
                await db.execute(
                    "INSERT INTO subscriptions (chat_id, topic, created_at) VALUES (?, ?, ?)",
                    (chat_id, topic, iso(now)),
                )
                await self._activate(db, chat_id, now)
            else:
                await self._reschedule(db, chat_id, now, only_if_unset=True)
        return subscribed

    async def _reschedule(
        self, db: aiosqlite.Connection, chat_id: int, now: datetime, *,
        only_if_unset: bool = False,
    ) -> None:
        """Keep next_digest_at consistent: NULL without topics, else the next occurrence.

        With `only_if_unset` a pending digest time is left alone, so adding a topic never
        postpones (or repeats) a digest that is already due.
        """
        async with db.execute(
            "SELECT s.digest_time, s.timezone, s.next_digest_at, "
            "EXISTS (SELECT 1 FROM subscriptions t WHERE t.chat_id = s.chat_id) "
            # A followed keyword brings a digest too, even without topics (issue 12).
            "OR EXISTS (SELECT 1 FROM follows f WHERE f.chat_id = s.chat_id AND f.mute = 0) "
            "FROM subscribers s WHERE s.chat_id = ?",
            (chat_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return
        digest_time, timezone, current, has_topics = row
        if not has_topics:
            value = None
        elif only_if_unset and current is not None:
            return
        else:
            value = iso(next_digest_at(parse_hhmm(digest_time), timezone, now))
        await db.execute(
            "UPDATE subscribers SET next_digest_at = ?, updated_at = ? WHERE chat_id = ?",
            (value, iso(now), chat_id),
        )

    # -- daily digests --------------------------------------------------------------------

    async def due(
        self, now: datetime, limit: int = 1000, *, after: Subscriber | None = None
    ) -> list[Subscriber]:
        """Active subscribers whose digest time has come, the longest-waiting first; with
        `after`, those that come after that one in this order (the next page of a run)."""
        sql = (
            "SELECT * FROM subscribers WHERE active = 1 AND next_digest_at IS NOT NULL "
            "AND next_digest_at <= ?"
        )
        params: list[Any] = [iso(now)]
        if after is not None and after.next_digest_at is not None:
            sql += " AND (next_digest_at, chat_id) > (?, ?)"
            params += [iso(after.next_digest_at), after.chat_id]
        async with self._reads.execute(
            sql + " ORDER BY next_digest_at, chat_id LIMIT ?", [*params, limit]
        ) as cursor:
            return [_subscriber(row) for row in await cursor.fetchall()]

    async def record_progress(
        self,
        records: Sequence[tuple[int, Sequence[int], datetime]],
        advances: Sequence[tuple[Subscriber, datetime]],
    ) -> set[int]:
        """What a digest run's senders sent, in one transaction for many senders at once.

        `records`: (chat, the articles one sent message carried, when); articles deleted
        meanwhile are skipped. `advances`: (the subscriber as the run read them, when their
        digest ended): their next digest is the next occurrence after then, which applies
        while their time and zone are still those the run read. The chats whose row changed
        are returned, for ``advance``.
        """
        if not records and not advances:
            return set()
        applied: set[int] = set()
        async with self._transaction() as db:
            if records:
                await db.execute(
                    "INSERT OR IGNORE INTO deliveries (chat_id, article_id, delivered_at) "
                    "SELECT r.value ->> 0, a.value, r.value ->> 2 "
                    "FROM json_each(?) r, json_each(r.value -> 1) a "
                    "WHERE EXISTS (SELECT 1 FROM articles x WHERE x.id = a.value)",
                    (json.dumps([[chat, list(ids), iso(at)] for chat, ids, at in records]),),
                )
            if advances:
                rows = [
                    [sub.chat_id, sub.digest_time, sub.timezone,
                     iso(next_digest_at(parse_hhmm(sub.digest_time), sub.timezone, at)),
                     iso(at)]
                    for sub, at in advances
                ]
                async with db.execute(
                    "UPDATE subscribers SET next_digest_at = j.value ->> 3, "
                    "updated_at = j.value ->> 4 FROM json_each(?) j "
                    "WHERE subscribers.chat_id = j.value ->> 0 "
                    "AND subscribers.digest_time = j.value ->> 1 "
                    "AND subscribers.timezone = j.value ->> 2 "
                    "AND subscribers.next_digest_at IS NOT NULL RETURNING subscribers.chat_id",
                    (json.dumps(rows, ensure_ascii=False),),
                ) as cursor:
                    applied = {row[0] for row in await cursor.fetchall()}
        return {sub.chat_id for sub, _ in advances} - applied

    async def advance(self, chat_id: int, now: datetime) -> datetime | None:
        """After a digest: the next one is the next occurrence after `now` (missed days once),
        from the chat's row as it is now."""
        async with self._writes.turn():
            sub = await self.get(chat_id)
            if sub is None or sub.next_digest_at is None:
                return None
            upcoming = next_digest_at(parse_hhmm(sub.digest_time), sub.timezone, now)
            await self._writes.execute_held(
                "UPDATE subscribers SET next_digest_at = ?, updated_at = ? WHERE chat_id = ?",
                (iso(upcoming), iso(now), chat_id), attempts=self.locked_attempts,
            )
        return upcoming

    async def topic_modes_of(self, chat_ids: Sequence[int]) -> dict[int, dict[str, str]]:
        """Each chat's subscribed topics in the order they were added, with their modes
        (chats without topics are left out)."""
        result: dict[int, dict[str, str]] = {}
        for chat_id, topic, mode in await self._reads.of_ids(
            "SELECT chat_id, topic, mode FROM subscriptions "
            "WHERE chat_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY chat_id, created_at, topic",
            chat_ids,
        ):
            result.setdefault(chat_id, {})[topic] = mode
        return result

    async def postpone(self, chat_id: int, until: datetime, now: datetime) -> datetime | None:
        """Try again at `until` (after a failure), or at the next regular time if sooner."""
        async with self._writes.turn():
            sub = await self.get(chat_id)
            if sub is None or sub.next_digest_at is None:
                return None
            regular = next_digest_at(parse_hhmm(sub.digest_time), sub.timezone, now)
            when = min(until, regular)
            await self._writes.execute_held(
                "UPDATE subscribers SET next_digest_at = ?, updated_at = ? WHERE chat_id = ?",
                (iso(when), iso(now), chat_id), attempts=self.locked_attempts,
            )
        return when

    async def start_run(self, now: datetime) -> int:
        cursor = await self._execute(
            "INSERT INTO digest_runs (started_at) VALUES (?)", (iso(now),)
        )
        return int(cursor.lastrowid or 0)

    async def update_run(
        self, run_id: int, *, sent: int, failed: int, blocked: int,
        finished: datetime | None = None,
    ) -> None:
        await self._execute(
            "UPDATE digest_runs SET sent = ?, failed = ?, blocked = ?, "
            "finished_at = coalesce(?, finished_at) WHERE id = ?",
            (sent, failed, blocked, iso(finished) if finished else None, run_id),
        )

    async def last_run(self) -> DigestRun | None:
        async with self._reads.execute(
            "SELECT * FROM digest_runs ORDER BY id DESC LIMIT 1"
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return DigestRun(
            id=row["id"],
            started_at=datetime.fromisoformat(row["started_at"]),
            finished_at=datetime.fromisoformat(row["finished_at"]) if row["finished_at"] else None,
            sent=row["sent"],
            failed=row["failed"],
            blocked=row["blocked"],
        )

    # -- statistics -----------------------------------------------------------------------

    async def counts(self) -> SubscriberCounts:
        async with self._reads.execute(
            "SELECT coalesce(sum(active = 1), 0), coalesce(sum(active = 0), 0) FROM subscribers"
        ) as cursor:
            row = await cursor.fetchone()
        return SubscriberCounts(active=int(row[0]), inactive=int(row[1])) if row else \
            SubscriberCounts(0, 0)

    async def subscriptions_per_topic(self) -> dict[str, int]:
        """Subscriptions of active subscribers, per topic."""
        async with self._reads.execute(
            "SELECT t.topic, count(*) FROM subscriptions t JOIN subscribers s "
            "ON s.chat_id = t.chat_id WHERE s.active = 1 GROUP BY t.topic ORDER BY 2 DESC, 1"
        ) as cursor:
            return {row[0]: row[1] for row in await cursor.fetchall()}

    async def delivered(self, chat_id: int) -> set[int]:
        async with self._reads.execute(
            "SELECT article_id FROM deliveries WHERE chat_id = ?", (chat_id,)
        ) as cursor:
            return {row[0] for row in await cursor.fetchall()}

    async def reschedule(self, chat_id: int, now: datetime) -> None:
        """Keep next_digest_at consistent after follows changed (set if unset, NULL if the
        chat has neither topics nor follows)."""
        async with self._transaction() as db:
            await self._reschedule(db, chat_id, now, only_if_unset=True)


def _language(value: str) -> str:
    return value if value in LANGUAGES else "en"


def _subscriber(row: Any) -> Subscriber:
    return Subscriber(
        chat_id=row["chat_id"],
        user_id=row["user_id"],
        language=row["language"],
        timezone=row["timezone"],
        digest_time=row["digest_time"],
        next_digest_at=datetime.fromisoformat(row["next_digest_at"])
        if row["next_digest_at"] else None,
        active=bool(row["active"]),
        news_language=row["news_language"],
    )
