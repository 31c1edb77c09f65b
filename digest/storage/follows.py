"""Storage of keyword follows and mutes, the article stem index, and matching by index.

Writes go through the store's one write lock (``digest.storage.connection``). Stemming
(indexing new articles, checking that a phrase's words stand together) runs in the executor,
never on the event loop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime

from digest.follows import MAX_FOLLOWS, Key, index_batch, phrase_check, prefix_range, term_keys
from digest.models import Article
from digest.storage.articles import Store
from digest.storage.connection import iso
from digest.storage.subscribers import Subscribers
from digest.storage.visibility import visible

INDEX_BATCH = 200  # articles stemmed per worker call


@dataclass(frozen=True, slots=True)
class Follow:
    term: str
    mute: bool


@dataclass(frozen=True, slots=True)
class Added:
    """What /follow or /mute did with each term."""

    added: list[str]
    already: list[str]
    switched: list[str]  # was a mute and is now a follow, or the other way round
    over_limit: list[str]  # not added: the reader has MAX_FOLLOWS of this kind


class FollowStore:
    def __init__(self, store: Store, subscribers: Subscribers, executor: Executor) -> None:
        self.store = store
        self.subscribers = subscribers
        self.executor = executor
        self._index_lock = asyncio.Lock()
        self._reads = store._reads
        self._writes = store._writes
        self._attempts = subscribers.locked_attempts

    # -- the reader's follows -------------------------------------------------------------

    async def of(self, chat_id: int) -> list[Follow]:
        async with self._reads.execute(
            "SELECT term, mute FROM follows WHERE chat_id = ? ORDER BY created_at, rowid",
            (chat_id,),
        ) as cursor:
            return [Follow(r[0], bool(r[1])) for r in await cursor.fetchall()]

    async def of_chats(self, chat_ids: Sequence[int]) -> dict[int, list[Follow]]:
        """``of`` for many chats at once (chats without follows are left out)."""
        result: dict[int, list[Follow]] = {}
        for chat_id, term, mute in await self._reads.of_ids(
            "SELECT chat_id, term, mute FROM follows "
            "WHERE chat_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY chat_id, created_at, rowid",
            chat_ids,
        ):
            result.setdefault(chat_id, []).append(Follow(term, bool(mute)))
        return result

    async def add(self, chat_id: int, terms: Sequence[str], mute: bool, now: datetime) -> Added:
        added: list[str] = []
        already: list[str] = []
        switched: list[str] = []
        over: list[str] = []
        async with self._writes.transaction(attempts=self._attempts) as db:
            async with db.execute(
                "SELECT term, mute FROM follows WHERE chat_id = ?", (chat_id,)
            ) as cursor:
                current = {r[0]: bool(r[1]) for r in await cursor.fetchall()}
            count = sum(1 for m in current.values() if m == mute)
            for term in terms:
                if current.get(term) == mute:
                    already.append(term)
                    continue
                if count >= MAX_FOLLOWS:
                    over.append(term)
                    continue
                if term in current:
                    await db.execute(
                        "UPDATE follows SET mute = ?, created_at = ? "
                        "WHERE chat_id = ? AND term = ?",
                        (int(mute), iso(now), chat_id, term),
                    )
                    switched.append(term)
                else:
                    await db.execute(
                        "INSERT INTO follows (chat_id, term, mute, created_at) "
                        "VALUES (?, ?, ?, ?)",
                        (chat_id, term, int(mute), iso(now)),
                    )
                    added.append(term)
                current[term] = mute
                count += 1
        await self.subscribers.reschedule(chat_id, now)
        return Added(added, already, switched, over)

    async def remove(
        self, chat_id: int, terms: Sequence[str] | None, mute: bool, now: datetime
    ) -> list[str]:
        """Remove the given follows (or mutes), or all of them when `terms` is None; return
        the terms that were there."""
        removed: list[str] = []
        async with self._writes.transaction(attempts=self._attempts) as db:
            async with db.execute(
                "SELECT term FROM follows WHERE chat_id = ? AND mute = ?", (chat_id, int(mute))
            ) as cursor:
                existing = [r[0] for r in await cursor.fetchall()]
            for term in existing if terms is None else terms:
                if term in existing:
                    await db.execute(
                        "DELETE FROM follows WHERE chat_id = ? AND term = ?", (chat_id, term)
                    )
                    removed.append(term)
        await self.subscribers.reschedule(chat_id, now)
        return removed

    async def count_readers(self) -> int:
        async with self._reads.execute(
            "SELECT count(DISTINCT chat_id) FROM follows WHERE mute = 0"
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    # -- the stem index -------------------------------------------------------------------

    async def index_new(self) -> int:
        """Stem the articles not indexed yet; return how many were indexed."""
        total = 0
        async with self._index_lock:
            loop = asyncio.get_running_loop()
            while True:
                async with self._reads.execute(
                    "SELECT a.id, a.title, a.body, a.lang FROM articles a WHERE NOT EXISTS "
                    "(SELECT 1 FROM stems_indexed i WHERE i.article_id = a.id) "
                    f"AND {visible('a')} ORDER BY a.id LIMIT ?",
                    (INDEX_BATCH,),
                ) as cursor:
                    rows = [tuple(r) for r in await cursor.fetchall()]
                if not rows:
                    return total
                stemmed = await loop.run_in_executor(self.executor, index_batch, rows)
                async with self._writes.transaction(attempts=self._attempts) as db:
                    for article_id, stems in stemmed:
                        # The article may have been replaced or changed meanwhile; then
                        # the trigger or the cascade keeps the index honest.
                        marked = await db.execute(
                            "INSERT OR IGNORE INTO stems_indexed (article_id) "
                            "SELECT id FROM articles WHERE id = ?",
                            (article_id,),
                        )
                        if marked.rowcount:
                            await db.execute(
                                "INSERT OR IGNORE INTO article_stems (stem, article_id) "
                                "SELECT value, ? FROM json_each(?)",
                                (article_id, json.dumps(stems, ensure_ascii=False)),
                            )
                total += len(rows)

    # -- matching -------------------------------------------------------------------------
    # What a reader gets is a story (digest.stories): a follow matches a story when any of
    # its versions matches, and a story of which any version was delivered is not new.

    async def matching(
        self,
        terms: Sequence[str],
        *,
        undelivered_to: int | None = None,
        ingested_since: datetime | None = None,
        among: Sequence[int] | None = None,
        limit: int = 50,
    ) -> dict[str, list[int]]:
        """Story ids matching each term (newest first), optionally only among the stories
        `among`: found through the stem index, then, for phrases, checked for the words
        standing together."""
        found: dict[str, list[int]] = {}
        for term in terms:
            stories: dict[int, None] = {}
            checks: list[tuple[int, str, str, str, tuple[str, ...]]] = []
            story_of: dict[int, int] = {}
            for key in term_keys(term):
                for aid, story_id, title, body in await self._lookup(
                    key, undelivered_to, ingested_since, among, limit
                ):
                    if len(key.stems) == 1:
                        stories[story_id] = None
                    else:
                        story_of[aid] = story_id
                        checks.append((aid, title, body, key.lang, key.stems))
            if checks:
                loop = asyncio.get_running_loop()
                for aid in await loop.run_in_executor(self.executor, phrase_check, checks):
                    stories[story_of[aid]] = None
            if stories:
                found[term] = list(stories)
        return found

    async def _lookup(
        self, key: Key, undelivered_to: int | None, ingested_since: datetime | None,
        among: Sequence[int] | None, limit: int,
    ) -> list[tuple[int, int, str, str]]:
        # One indexed range lookup per word; an article must have every word.
        parts: list[str] = []
        params: list[object] = []
        for stem in key.stems:
            low, high = prefix_range(stem)
            parts.append("SELECT article_id FROM article_stems WHERE stem BETWEEN ? AND ?")
            params += [low, high]
        # Title and text are needed only to check that a phrase's words stand together.
        text = "a.title, a.body" if len(key.stems) > 1 else "'', ''"
        sql = [
            f"SELECT a.id, a.story_id, {text} FROM articles a WHERE a.id IN (",
            " INTERSECT ".join(parts), f") AND a.lang = ? AND {visible('a')}",
        ]
        params.append(key.lang)
        if undelivered_to is not None:
            sql.append("AND NOT EXISTS (SELECT 1 FROM deliveries d JOIN articles x "
                       "ON d.article_id = x.id WHERE x.story_id = a.story_id AND d.chat_id = ?)")
            params.append(undelivered_to)
        if ingested_since is not None:
            sql.append("AND a.ingested_at >= ?")
            params.append(iso(ingested_since))
        if among is not None:
            sql.append("AND a.story_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(among)))
        sql.append("ORDER BY a.date DESC, a.id DESC LIMIT ?")
        params.append(limit)
        async with self._reads.execute(" ".join(sql), params) as cursor:
            return [(r[0], r[1], r[2], r[3]) for r in await cursor.fetchall()]

    async def stories(self, story_ids: Sequence[int], lang: str | None) -> list[Article]:
        """The stories as a reader of `lang` gets them (their version in `lang` if any)."""
        return await self.store.stories_by_id(story_ids, lang)
