"""The statements of an ingest: one transaction, the duplicate and story lookups inside it,
and the rows of new and replaced articles (what to do with them is ``digest.ingest``'s call).

The whole transaction runs in one thread, on a plain sqlite3 connection: a dump's thousands
of statements then cost no trip between the event loop and a connection's thread each (they
took more time than the statements themselves: 2.6 -> 1.1 ms an article), and the event
loop stays free while it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Coroutine, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from digest import linking
from digest.models import PreparedArticle, Problem
from digest.storage.articles import Store
from digest.storage.connection import BUSY_TIMEOUT_MS, iso

CANDIDATES_PER_BAND = 8  # near-duplicate candidates looked at per LSH band, newest first
T = TypeVar("T")


class IngestCancelled(Exception):
    """The ingest's task was cancelled: its transaction rolls back."""


async def run_ingest(store: Store, work: Callable[[IngestWrites], T]) -> T:
    """Run `work` in one ``BEGIN IMMEDIATE`` ... ``COMMIT`` for a whole dump: all of it or
    nothing, in a thread.

    A database file gets a connection of its own: on the shared one, statements of other
    tasks (a bot user's /subscribe) would run inside the ingest transaction and vanish with
    its rollback. An in-memory database has only its one connection: the ingest holds its
    write lock and its read slot meanwhile. Not tried again when the database is locked:
    the caller reports it (another process is ingesting) instead of waiting minutes. A
    cancelled task rolls the transaction back (`work` asks `IngestWrites.go_on` between
    articles) before it ends.
    """
    stop = threading.Event()
    if store.path == ":memory:":
        async with store._writes.lock, store._reads.borrowed():
            return await _until_done(
                asyncio.to_thread(_transaction, store._writes.shared(), work, stop), stop
            )
    return await _until_done(asyncio.to_thread(_on_own_connection, store.path, work, stop), stop)


async def _until_done(job: Coroutine[Any, Any, T], stop: threading.Event) -> T:
    running = asyncio.ensure_future(job)
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        stop.set()
        await asyncio.wait([running])  # the thread rolls back and ends
        raise


def _on_own_connection(path: str, work: Callable[[IngestWrites], T], stop: threading.Event) -> T:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        return _transaction(db, work, stop)
    finally:
        db.close()


def _transaction(
    db: sqlite3.Connection, work: Callable[[IngestWrites], T], stop: threading.Event
) -> T:
    """SQLite rolls back by itself on some errors (disk full), and then a second ROLLBACK
    would fail and hide the original error: roll back only an open transaction."""
    db.execute("BEGIN IMMEDIATE")
    try:
        result = work(IngestWrites(db, stop))
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise
    return result


class IngestWrites:
    """Reads and writes inside an ingest's transaction (they see its own uncommitted rows)."""

    def __init__(self, db: sqlite3.Connection, stop: threading.Event | None = None) -> None:
        self._db = db
        self._stop = stop or threading.Event()

    def go_on(self) -> None:
        """Raise IngestCancelled once the ingest's task was cancelled."""
        if self._stop.is_set():
            raise IngestCancelled

    # -- the ingest row -------------------------------------------------------------------

    def start(self, name: str, started: datetime, finished: datetime) -> int:
        cursor = self._db.execute(
            "INSERT INTO ingests (file, started_at, finished_at, parsed, stored, "
            "duplicates_exact, duplicates_near, replaced, problems) "
            "VALUES (?, ?, ?, 0, 0, 0, 0, 0, '[]')",
            (Path(name).name, iso(started), iso(finished)),
        )
        return int(cursor.lastrowid or 0)

    def finish(
        self, ingest_id: int, *, parsed: int, stored: int, exact: int, near: int,
        replaced: int, problems: Sequence[Problem],
    ) -> None:
        self._db.execute(
            "UPDATE ingests SET parsed = ?, stored = ?, duplicates_exact = ?, "
            "duplicates_near = ?, replaced = ?, problems = ? WHERE id = ?",
            (
                parsed, stored, exact, near, replaced,
                json.dumps([{"line": p.line, "reason": p.reason} for p in problems],
                           ensure_ascii=False),
                ingest_id,
            ),
        )

    # -- duplicates -----------------------------------------------------------------------

    def exact_match(self, text_key: str, url_key: str | None) -> tuple[int, float] | None:
        """(id, quality) of the row with this text or URL (its own or a repost's)."""
        cursor = self._db.execute(
            "SELECT a.id, a.quality FROM articles a WHERE a.text_key = ? "
            "UNION ALL SELECT a.id, a.quality FROM article_sources s "
            "JOIN articles a ON a.id = s.article_id WHERE s.url_key = ? "
            "UNION ALL SELECT a.id, a.quality FROM articles a WHERE a.url_key = ? LIMIT 1",
            (text_key, url_key, url_key),
        )
        row = cursor.fetchone()
        return (row[0], row[1]) if row else None

    def near_candidates(
        self, lang: str, bands: Sequence[str]
    ) -> list[tuple[int, float, bytes]]:
        """(id, quality, minhash) of the rows in `lang` sharing an LSH band."""
        cursor = self._db.execute(_candidates_sql(len(bands)), (lang, *bands))
        return [(r[0], r[1], r[2]) for r in cursor.fetchall()]

    def count_duplicate(self, article_id: int) -> None:
        self._db.execute(
            "UPDATE articles SET duplicates = duplicates + 1 WHERE id = ?", (article_id,)
        )

    # -- stories --------------------------------------------------------------------------

    def story_of_news(self, news_key: str) -> tuple[int, int, str] | None:
        """(story id, article id, language) of the first article with this gov.kz news id."""
        cursor = self._db.execute(
            "SELECT a.story_id, a.id, a.lang FROM article_sources s "
            "JOIN articles a ON a.id = s.article_id WHERE s.news_key = ? "
            "ORDER BY a.id LIMIT 1",
            (news_key,),
        )
        row = cursor.fetchone()
        return (row[0], row[1], row[2]) if row else None

    def link_candidates(
        self, keys: Sequence[str], low: date, high: date, lang: str, *, other_news: bool
    ) -> list[linking.Candidate]:
        """Articles dated `low` to `high` sharing a number or a name with the new one, or
        enough concepts (``linking.is_candidate``), in another language, whose story has no
        version in `lang` yet; with `other_news`, not in a story that is a gov.kz item
        (another gov.kz item is another story)."""
        not_news = (
            "AND NOT EXISTS (SELECT 1 FROM articles c JOIN article_sources s "
            "ON s.article_id = c.id WHERE c.story_id = a.story_id AND s.news_key IS NOT NULL)"
            if other_news else ""
        )
        marks = ",".join("?" * len(keys))
        # An indexed lookup of the window's articles in other languages sharing a key, not
        # the whole day: the keys carry their article's date and language (migration 7).
        # A concept key alone finds most of the day, so concepts count only when enough of
        # them are shared (linking.is_candidate, which best_link applies too).
        cursor = self._db.execute(
            "SELECT a.id, a.story_id, a.lang, a.date, a.link_features FROM articles a "
            "WHERE a.id IN (SELECT article_id FROM article_numbers "
            f"WHERE number IN ({marks}) AND date BETWEEN ? AND ? AND lang != ? "
            "GROUP BY article_id HAVING max(substr(number, 1, 1) != ?) OR count(*) >= ?) "
            "AND NOT EXISTS (SELECT 1 FROM articles b WHERE b.story_id = a.story_id "
            f"AND b.lang = ?) {not_news}",
            (*keys, low.isoformat(), high.isoformat(), lang, linking.CONCEPT_KEY,
             linking.MIN_INDEXED_CONCEPTS, lang),
        )
        rows = cursor.fetchall()
        return [
            linking.Candidate(r[0], r[1], r[2], date.fromisoformat(r[3]),
                              linking.LinkFeatures.loads(r[4]))
            for r in rows
        ]

    def new_story(self, when: datetime) -> int:
        cursor = self._db.execute("INSERT INTO stories (created_at) VALUES (?)", (iso(when),))
        return int(cursor.lastrowid or 0)

    # -- article rows ---------------------------------------------------------------------

    def insert(
        self, article: PreparedArticle, ingest_id: int, when: datetime, story_id: int,
        reason: dict[str, object],
    ) -> int:
        """A new article row with its index entries; its id."""
        cursor = self._db.execute(
            "INSERT INTO articles (title, date, body, summary, source_url, url_key, text_key, "
            "lang, section, quality, minhash, ingest_id, ingested_at, story_id, link_reason, "
            "link_features) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.title, article.date.isoformat(), article.body, article.summary,
                article.source_url, article.url_key, article.text_key, article.lang,
                article.section, article.quality, article.minhash,
                ingest_id, iso(when), story_id, json.dumps(reason, ensure_ascii=False),
                article.link_features or None,
            ),
        )
        article_id = int(cursor.lastrowid or 0)
        self._write_index(article_id, article)
        return article_id

    def add_source(
        self, article_id: int, article: PreparedArticle, reason: dict[str, object],
        when: datetime,
    ) -> bool:
        """Remember the article's URL as a source of the row; True when it is a new one."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO article_sources (article_id, url, url_key, news_key, "
            "reason, added_at) VALUES (?, ?, ?, ?, ?, ?)",
            (article_id, article.source_url, article.url_key,
             linking.news_key(article.url_key), json.dumps(reason), iso(when)),
        )
        return bool(cursor.rowcount)

    def replace(self, article_id: int, article: PreparedArticle) -> bool:
        """Put `article` in the row `article_id` (its id and story stay); False, and nothing
        changed, when its URL or text already belongs to another stored article."""
        try:
            self._db.execute(
                "UPDATE articles SET title = ?, body = ?, summary = ?, "
                "source_url = coalesce(?, source_url), url_key = coalesce(?, url_key), "
                "text_key = ?, lang = ?, quality = ?, minhash = ?, "
                "link_features = coalesce(?, link_features), duplicates = duplicates + 1 "
                "WHERE id = ?",
                (
                    article.title, article.body, article.summary, article.source_url,
                    article.url_key, article.text_key, article.lang, article.quality,
                    article.minhash, article.link_features or None, article_id,
                ),
            )
        except sqlite3.IntegrityError:
            return False
        for table in ("article_topics", "lsh_bands", "article_numbers"):
            self._db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
        # The row keeps its date (the copy's may differ): its keys are filed under it.
        row = self._db.execute("SELECT date FROM articles WHERE id = ?", (article_id,)).fetchone()
        self._write_index(article_id, article, row[0] if row else None)
        return True

    def _write_index(
        self, article_id: int, article: PreparedArticle, day: str | None = None
    ) -> None:
        """The article's topic scores, LSH bands and linking keys; the keys are filed under
        the row's date (`day`, by default the article's) and language."""
        self._db.executemany(
            "INSERT INTO article_topics (article_id, topic, score, assigned) "
            "VALUES (?, ?, ?, ?)",
            [
                (article_id, topic, score, int(topic in article.topics))
                for topic, score in article.topic_scores.items()
            ],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO lsh_bands (band, article_id) VALUES (?, ?)",
            [(band, article_id) for band in article.bands],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO article_numbers (number, date, lang, article_id) "
            "VALUES (?, ?, ?, ?)",
            [(key, day or article.date.isoformat(), article.lang, article_id)
             for key in linking.LinkFeatures.loads(article.link_features).index_keys()],
        )


def _candidates_sql(bands: int) -> str:
    """Stored articles sharing a band with the new one: the newest few of each band.

    A band shared by thousands of articles (many near-identical short notes, boilerplate)
    would otherwise make every insert compare against all of them, and a dump of such
    notes quadratic. A true near-duplicate shares about a third of its bands, so it is
    found unless every one of them is crowded by newer look-alikes.
    """
    one = (
        "SELECT article_id FROM (SELECT article_id FROM lsh_bands WHERE band = ? "
        f"ORDER BY article_id DESC LIMIT {CANDIDATES_PER_BAND})"
    )
    return (
        "SELECT a.id, a.quality, a.minhash FROM articles a WHERE a.lang = ? AND a.id IN ("
        + " UNION ".join([one] * bands) + ")"
    )
