"""SQLite storage through aiosqlite: the only module in ``digest`` that does I/O.

The connection runs in WAL mode with a busy timeout and foreign keys on; the schema is
migrated forward at open (``digest.schema``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import aiosqlite

from digest.models import Article
from digest.schema import MIGRATIONS

BUSY_TIMEOUT_MS = 10_000
_FTS_WORD = re.compile(r"\w+")


class StoreError(RuntimeError):
    """The database cannot be opened or is newer than this code."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class Store:
    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self.db = db
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        target = str(path)
        try:
            if target != ":memory:":
                Path(target).parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(target, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:  # the path is unusable
            raise StoreError(f"cannot open database {target}: {exc}") from None
        db.row_factory = aiosqlite.Row
        try:
            await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA foreign_keys = ON")
            await db.execute("PRAGMA synchronous = NORMAL")
            await migrate(db)
        except sqlite3.DatabaseError as exc:
            # Not a database at all ("file is not a database"), or a locked/corrupt one.
            await db.close()
            raise StoreError(f"cannot open database {target}: {exc}") from None
        except BaseException:
            await db.close()
            raise
        return cls(db, target)

    async def close(self) -> None:
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
        async with self.db.execute(sql, params) as cursor:
            rows = list(await cursor.fetchall())
        topics = await self._topics_of([row["id"] for row in rows])
        return [_article(row, topics.get(row["id"], [])) for row in rows]

    async def _topics_of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        result: dict[int, list[str]] = {}
        async with self.db.execute(
            f"SELECT article_id, topic FROM article_topics WHERE assigned = 1 "
            f"AND article_id IN ({marks}) ORDER BY article_id, score DESC",
            list(ids),
        ) as cursor:
            async for row in cursor:
                result.setdefault(row[0], []).append(row[1])
        return result

    async def get_article(self, article_id: int) -> Article | None:
        found = await self._articles("SELECT * FROM articles WHERE id = ?", (article_id,))
        return found[0] if found else None

    async def latest(self, topic: str | None = None, limit: int = 5) -> list[Article]:
        if topic is None:
            return await self._articles(
                "SELECT * FROM articles ORDER BY date DESC, id DESC LIMIT ?", (limit,)
            )
        return await self._articles(
            "SELECT a.* FROM articles a JOIN article_topics t ON t.article_id = a.id "
            "WHERE t.topic = ? AND t.assigned = 1 ORDER BY a.date DESC, a.id DESC LIMIT ?",
            (topic, limit),
        )

    async def search(self, query: str, limit: int = 10) -> list[Article]:
        """Full-text search; the user's words are quoted, so FTS syntax in them is inert."""
        words = _FTS_WORD.findall(query)
        if not words:
            return []
        match = " ".join(f'"{w}"*' if len(w) >= 4 else f'"{w}"' for w in words)
        return await self._articles(
            "SELECT a.* FROM articles_fts f JOIN articles a ON a.id = f.rowid "
            "WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 5.0, 1.0), a.date DESC "
            "LIMIT ?",
            (match, limit),
        )

    async def articles_for_topics(
        self,
        topics: Sequence[str],
        *,
        undelivered_to: int | None = None,
        since: date | None = None,
        ingested_since: datetime | None = None,
        limit: int = 100,
    ) -> list[Article]:
        """Articles assigned any of `topics`, newest first, optionally not yet sent to a chat."""
        if not topics:
            return []
        marks = ",".join("?" * len(topics))
        sql = [
            "SELECT a.* FROM articles a WHERE a.id IN (SELECT article_id FROM article_topics "
            f"WHERE assigned = 1 AND topic IN ({marks}))"
        ]
        params: list[Any] = list(topics)
        if undelivered_to is not None:
            sql.append(
                "AND NOT EXISTS (SELECT 1 FROM deliveries d "
                "WHERE d.chat_id = ? AND d.article_id = a.id)"
            )
            params.append(undelivered_to)
        if since is not None:
            sql.append("AND a.date >= ?")
            params.append(since.isoformat())
        if ingested_since is not None:
            sql.append("AND a.ingested_at >= ?")
            params.append(iso(ingested_since))
        sql.append("ORDER BY a.date DESC, a.id DESC LIMIT ?")
        params.append(limit)
        return await self._articles(" ".join(sql), params)

    async def topic_scores(self, article_id: int) -> list[tuple[str, float, bool]]:
        async with self.db.execute(
            "SELECT topic, score, assigned FROM article_topics WHERE article_id = ? "
            "ORDER BY score DESC",
            (article_id,),
        ) as cursor:
            return [(r[0], r[1], bool(r[2])) for r in await cursor.fetchall()]

    # -- counts ---------------------------------------------------------------------------

    async def count_articles(self) -> int:
        async with self.db.execute("SELECT count(*) FROM articles") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def topic_counts(self) -> dict[str, int]:
        return await self._counts(
            "SELECT topic, count(*) FROM article_topics WHERE assigned = 1 GROUP BY topic"
        )

    async def language_counts(self) -> dict[str, int]:
        return await self._counts("SELECT lang, count(*) FROM articles GROUP BY lang")

    async def topic_language_counts(self) -> dict[tuple[str, str], int]:
        async with self.db.execute(
            "SELECT t.topic, a.lang, count(*) FROM article_topics t "
            "JOIN articles a ON a.id = t.article_id WHERE t.assigned = 1 GROUP BY 1, 2"
        ) as cursor:
            return {(r[0], r[1]): r[2] for r in await cursor.fetchall()}

    async def _counts(self, sql: str) -> dict[str, int]:
        async with self.db.execute(sql) as cursor:
            return {r[0]: r[1] for r in await cursor.fetchall()}

    async def recent_ingests(self, limit: int = 5) -> list[dict[str, Any]]:
        async with self.db.execute(
            "SELECT * FROM ingests ORDER BY id DESC LIMIT ?", (limit,)
        ) as cursor:
            rows = await cursor.fetchall()
        return [{**dict(r), "problems": json.loads(r["problems"])} for r in rows]


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
    )


async def migrate(db: aiosqlite.Connection, migrations: Iterable[str] = MIGRATIONS) -> int:
    """Run the migrations the database has not seen; return the resulting version."""
    steps = list(migrations)
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = int(row[0]) if row else 0
    if version > len(steps):
        raise StoreError(
            f"the database is at schema version {version}, newer than this newsbot "
            f"({len(steps)}); upgrade newsbot"
        )
    for number, sql in enumerate(steps[version:], start=version + 1):
        await db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(sql):
                await db.execute(statement)
            await db.execute(f"PRAGMA user_version = {number}")
            await db.execute("COMMIT")
        except Exception:
            await db.execute("ROLLBACK")
            raise
    return len(steps)


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
