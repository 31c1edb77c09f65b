"""SQLite storage through aiosqlite: the only module in ``digest`` that does I/O.

The database runs in WAL mode with a busy timeout and foreign keys on; the schema is
migrated forward at open (``digest.schema``). A store has one connection for writes
(``db``) and its own connections for reads (``reads``): in WAL mode a reader never waits for
a writer, and on a connection of its own (aiosqlite gives each one a thread) a read is not
queued behind the writes of other tasks either, nor behind an ingest holding the write lock.
Reads see what was committed when they start; whatever must read its own uncommitted writes
(inside a transaction) reads through ``db``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import aiosqlite

from digest import stories
from digest.models import Article, Version
from digest.schema import MIGRATIONS

BUSY_TIMEOUT_MS = 10_000
READERS = 2  # read connections: two cores, and SQLite lets go of the GIL while it works
NOTHING_STORED = "; nothing was stored"
_FTS_WORD = re.compile(r"\w+")


class StoreError(RuntimeError):
    """The database cannot be opened or written: one line saying why and what to do."""


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


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

    ``async with store.reads.execute(sql, params) as cursor`` reads like aiosqlite.
    """

    def __init__(self, connections: Sequence[aiosqlite.Connection]) -> None:
        self._all = list(connections)
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for connection in self._all:
            self._idle.put_nowait(connection)

    @asynccontextmanager
    async def execute(self, sql: str, params: Sequence[Any] = ()) -> AsyncIterator[Rows]:
        yield Rows(await self.fetchall(sql, params))

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        connection = await self._idle.get()
        try:
            return list(await connection.execute_fetchall(sql, params))
        finally:
            self._idle.put_nowait(connection)

    async def close(self, keep: aiosqlite.Connection | None = None) -> None:
        for connection in self._all:
            if connection is not keep:
                await connection.close()


class Store:
    def __init__(self, db: aiosqlite.Connection, path: str, reads: Reads | None = None) -> None:
        self.db = db
        self.path = path
        self.reads = reads or Reads([db])

    @classmethod
    async def open(
        cls, path: str | Path, *, readers: int = READERS, create: bool = True
    ) -> Store:
        """Open (creating and migrating) the database, with `readers` read connections
        (none: reads share the write connection; an in-memory database always does).
        `create=False` refuses a path with no database (a reading command's mistyped --db)."""
        target = str(path)
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
            return cls(db, target)
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
        return cls(db, target, Reads(connections))

    async def close(self) -> None:
        await self.reads.close(keep=self.db)
        await self.db.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- reading articles -------------------------------------------------------------

    async def _articles(self, sql: str, params: Sequence[Any] = ()) -> list[Article]:
        async with self.reads.execute(sql, params) as cursor:
            rows = list(await cursor.fetchall())
        topics = await self._topics_of([row["id"] for row in rows])
        return [_article(row, topics.get(row["id"], [])) for row in rows]

    async def _topics_of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        result: dict[int, list[str]] = {}
        async with self.reads.execute(
            f"SELECT article_id, topic FROM article_topics WHERE assigned = 1 "
            f"AND article_id IN ({marks}) ORDER BY article_id, score DESC",
            list(ids),
        ) as cursor:
            async for row in cursor:
                result.setdefault(row[0], []).append(row[1])
        return result

    async def get_article(self, article_id: int) -> Article | None:
        found = await self._articles("SELECT * FROM articles WHERE id = ?", (article_id,))
        if not found:
            return None
        article = found[0]
        if article.story_id is None:
            return article
        story = await self._stories([article.story_id], None)
        versions = story[0].versions if story else ()
        return replace(article, versions=versions)

    # -- reading stories ------------------------------------------------------------------
    # What a reader is shown is a story: one version of it (in their language when there
    # is one, see digest.stories), carrying the list of all its versions and the topics of
    # any of them. Every list below has one item per story.

    async def _stories(self, story_ids: Sequence[int], lang: str | None) -> list[Article]:
        """One article per story id, in the given order, chosen for a reader of `lang`."""
        if not story_ids:
            return []
        marks = ",".join("?" * len(story_ids))
        async with self.reads.execute(
            f"SELECT * FROM articles WHERE story_id IN ({marks}) ORDER BY id", list(story_ids)
        ) as cursor:
            rows = list(await cursor.fetchall())
        ids = [row["id"] for row in rows]
        topics = await self._topics_of(ids)
        sources = await self._sources_of(ids)
        by_story: dict[int, list[aiosqlite.Row]] = {}
        for row in rows:
            by_story.setdefault(row["story_id"], []).append(row)
        result: list[Article] = []
        for story_id in story_ids:
            members = by_story.get(story_id)
            if not members:
                continue
            versions = tuple(
                v for row in sorted(members, key=lambda r: (_LANG_ORDER.get(r["lang"], 9),
                                                            r["id"]))
                for v in _versions(row, sources.get(row["id"], []))
            )
            articles = [_article(row, topics.get(row["id"], [])) for row in members]
            chosen = stories.pick(articles, lang, [row["quality"] for row in members])
            story_topics = list(dict.fromkeys(
                [*chosen.topics, *(t for a in articles for t in a.topics)]
            ))
            result.append(replace(chosen, topics=story_topics, versions=versions))
        return result

    async def _sources_of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        result: dict[int, list[str]] = {}
        async with self.reads.execute(
            f"SELECT article_id, url FROM article_sources WHERE article_id IN ({marks}) "
            "ORDER BY id",
            list(ids),
        ) as cursor:
            async for row in cursor:
                result.setdefault(row[0], []).append(row[1])
        return result

    async def _story_ids(self, sql: str, params: Sequence[Any]) -> list[int]:
        async with self.reads.execute(sql, params) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def latest(
        self, topic: str | None = None, limit: int = 5, lang: str | None = None
    ) -> list[Article]:
        """The newest stories (of a topic: any version has it), one version each."""
        if topic is None:
            ids = await self._story_ids(
                "SELECT story_id FROM articles GROUP BY story_id "
                "ORDER BY max(date) DESC, max(id) DESC LIMIT ?", (limit,)
            )
        else:
            ids = await self._story_ids(
                "SELECT a.story_id FROM articles a JOIN article_topics t "
                "ON t.article_id = a.id WHERE t.topic = ? AND t.assigned = 1 "
                "GROUP BY a.story_id ORDER BY max(a.date) DESC, max(a.id) DESC LIMIT ?",
                (topic, limit),
            )
        return await self._stories(ids, lang)

    async def search(
        self, query: str, limit: int = 10, lang: str | None = None
    ) -> list[Article]:
        """Full-text search over every version; one result per story, best match first.

        The user's words are quoted, so FTS syntax in them is inert."""
        words = _FTS_WORD.findall(query)
        if not words:
            return []
        match = " ".join(f'"{w}"*' if len(w) >= 4 else f'"{w}"' for w in words)
        ranked = await self._story_ids(
            "SELECT a.story_id FROM articles_fts f JOIN articles a ON a.id = f.rowid "
            "WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 5.0, 1.0), a.date DESC "
            "LIMIT ?",
            # Versions of one story rank close together: fetch enough rows for `limit`.
            (match, limit * 4),
        )
        return await self._stories(list(dict.fromkeys(ranked))[:limit], lang)

    async def articles_for_topics(
        self,
        topics: Sequence[str],
        *,
        undelivered_to: int | None = None,
        since: date | None = None,
        ingested_since: datetime | None = None,
        limit: int = 100,
        lang: str | None = None,
    ) -> list[Article]:
        """Stories with a version assigned any of `topics`, newest first, one version each
        (for a reader of `lang`); optionally only stories of which no version was ever
        delivered to a chat (a story sent in one language is not sent again in another,
        nor as a repost)."""
        if not topics:
            return []
        marks = ",".join("?" * len(topics))
        sql = [
            "SELECT a.story_id FROM articles a WHERE a.id IN (SELECT article_id FROM "
            f"article_topics WHERE assigned = 1 AND topic IN ({marks}))"
        ]
        params: list[Any] = list(topics)
        if undelivered_to is not None:
            sql.append(
                "AND NOT EXISTS (SELECT 1 FROM articles x JOIN deliveries d "
                "ON d.article_id = x.id WHERE x.story_id = a.story_id AND d.chat_id = ?)"
            )
            params.append(undelivered_to)
        if since is not None:
            sql.append("AND a.date >= ?")
            params.append(since.isoformat())
        if ingested_since is not None:
            sql.append("AND a.ingested_at >= ?")
            params.append(iso(ingested_since))
        sql.append("GROUP BY a.story_id ORDER BY max(a.date) DESC, max(a.id) DESC LIMIT ?")
        params.append(limit)
        return await self._stories(await self._story_ids(" ".join(sql), params), lang)

    async def story_link(self, article_id: int) -> dict[str, Any] | None:
        """Why an article is in its story, and the sources merged into it (for `explain`)."""
        async with self.reads.execute(
            "SELECT story_id, link_reason FROM articles WHERE id = ?", (article_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        async with self.reads.execute(
            "SELECT url, reason FROM article_sources WHERE article_id = ? ORDER BY id",
            (article_id,),
        ) as cursor:
            sources = [(r[0], json.loads(r[1])) for r in await cursor.fetchall()]
        return {
            "story": row[0],
            "reason": json.loads(row[1]) if row[1] else {},
            "sources": sources,
        }

    async def topic_scores(self, article_id: int) -> list[tuple[str, float, bool]]:
        async with self.reads.execute(
            "SELECT topic, score, assigned FROM article_topics WHERE article_id = ? "
            "ORDER BY score DESC",
            (article_id,),
        ) as cursor:
            return [(r[0], r[1], bool(r[2])) for r in await cursor.fetchall()]

    # -- counts ---------------------------------------------------------------------------

    async def count_articles(self) -> int:
        async with self.reads.execute("SELECT count(*) FROM articles") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def count_stories(self) -> int:
        async with self.reads.execute("SELECT count(DISTINCT story_id) FROM articles") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def topic_counts(self) -> dict[str, int]:
        return await self._counts(
            "SELECT topic, count(*) FROM article_topics WHERE assigned = 1 GROUP BY topic"
        )

    async def language_counts(self) -> dict[str, int]:
        return await self._counts("SELECT lang, count(*) FROM articles GROUP BY lang")

    async def topic_language_counts(self) -> dict[tuple[str, str], int]:
        async with self.reads.execute(
            "SELECT t.topic, a.lang, count(*) FROM article_topics t "
            "JOIN articles a ON a.id = t.article_id WHERE t.assigned = 1 GROUP BY 1, 2"
        ) as cursor:
            return {(r[0], r[1]): r[2] for r in await cursor.fetchall()}

    async def _counts(self, sql: str) -> dict[str, int]:
        async with self.reads.execute(sql) as cursor:
            return {r[0]: r[1] for r in await cursor.fetchall()}

    async def stories_by_id(self, story_ids: Sequence[int], lang: str | None) -> list[Article]:
        """The stories, in the given order, each as its version for a reader of `lang`
        (issue 12: keyword follows, instant pushes)."""
        return await self._stories(list(dict.fromkeys(story_ids)), lang)

    async def search_language_first(
        self, query: str, lang: str, limit: int = 20, offset: int = 0
    ) -> list[Article]:
        """`search` for inline sharing (issue 12): stories with a version in `lang` first,
        then the others, each group by relevance; an empty query gives the newest stories,
        again those in `lang` first. `offset` pages through the result."""
        words = _FTS_WORD.findall(query)
        if not words:
            ids = await self._story_ids(
                "SELECT story_id FROM articles GROUP BY story_id "
                "ORDER BY max(lang = ?) DESC, max(date) DESC, max(id) DESC LIMIT ? OFFSET ?",
                (lang, limit, offset),
            )
            return await self._stories(ids, lang)
        match = " ".join(f'"{w}"*' if len(w) >= 4 else f'"{w}"' for w in words)
        # Hits by relevance (each version its own row); a story ranks at its best hit.
        async with self.reads.execute(
            "SELECT a.story_id, a.lang FROM articles_fts f JOIN articles a ON a.id = f.rowid "
            "WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 5.0, 1.0), a.date DESC "
            "LIMIT ?",
            (match, (offset + limit) * 5 + 50),
        ) as cursor:
            hits = [(r[0], r[1]) for r in await cursor.fetchall()]
        # A story counts as "in lang" when it has a version in lang, whichever version hit.
        ranked = dict.fromkeys(story_id for story_id, _ in hits)
        async with self.reads.execute(
            "SELECT DISTINCT story_id FROM articles WHERE lang = ? "
            "AND story_id IN (SELECT value FROM json_each(?))",
            (lang, json.dumps(list(ranked))),
        ) as cursor:
            in_lang = {r[0] for r in await cursor.fetchall()}
        ordered = sorted(ranked, key=lambda sid: sid not in in_lang)  # stable: relevance kept
        return await self._stories(ordered[offset : offset + limit], lang)

    async def recent_ingests(self, limit: int = 5) -> list[dict[str, Any]]:
        async with self.reads.execute(
            "SELECT * FROM ingests ORDER BY id DESC LIMIT ?", (limit,)
        ) as cursor:
            rows = await cursor.fetchall()
        return [{**dict(r), "problems": json.loads(r["problems"])} for r in rows]


async def _reader(path: str) -> aiosqlite.Connection:
    db = await aiosqlite.connect(path, isolation_level=None)
    db.row_factory = aiosqlite.Row
    try:
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA query_only = ON")  # a write here would be a bug
    except BaseException:
        await db.close()
        raise
    return db


def _article(row: aiosqlite.Row, topics: list[str]) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        date=date.fromisoformat(row["date"]),
        body=row["body"],
        source_url=row["source_url"],
        lang=row["lang"],
        summary=row["summary"],
        topics=topics,
        section=row["section"],
        ingested_at=datetime.fromisoformat(row["ingested_at"]),
        duplicates=row["duplicates"],
        story_id=row["story_id"],
    )


_LANG_ORDER = {"kk": 0, "ru": 1, "en": 2}


def _versions(row: aiosqlite.Row, urls: list[str]) -> list[Version]:
    """One version per source URL of an article row (its reposts included), or one without
    a URL."""
    if not urls:
        return [Version(row["id"], row["lang"], row["source_url"], row["title"])]
    # The address of the text kept comes first: links to "the Russian version" go there.
    ordered = sorted(urls, key=lambda url: url != row["source_url"])
    return [Version(row["id"], row["lang"], url, row["title"]) for url in ordered]


def _probe(target: str) -> None:
    sqlite3.connect(target).close()


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


def describe(exc: sqlite3.Error, target: str, *, writing: bool = False) -> str:
    """One line for an SQLite error: what happened and what to do about it."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc).lower()
    lost = NOTHING_STORED if writing else ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "is locked" in text:
        return f"database {target} is locked by another process{lost}; retry, or stop it"
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return f"disk full (database {target}){lost}; free some space and retry"
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return f"database {target} is read-only{lost}; check the permissions of it and its folder"
    if name.startswith("SQLITE_NOTADB") or "not a database" in text:
        return f"cannot open database {target}: file is not a database"
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return f"database {target} is damaged ({exc}){lost}; restore it from a backup"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return f"cannot open database {target}; check the path and its permissions"
    return f"database {target}: {exc}{lost}"


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
