"""Ingest a dump: parse and prepare in workers, then deduplicate and store in one transaction.

The CPU work (parsing a big dump, repair, topics, summaries, fingerprints) runs in an
executor, a process pool by default, so the event loop stays free. The database part runs
in a single ``BEGIN IMMEDIATE ... COMMIT``: a failure or a kill halfway leaves the database
as it was.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from digest import dedup
from digest.models import IngestReport, ParsedDump, PreparedArticle, Problem, RawArticle
from digest.parsing import DumpError, parse_dump
from digest.prepare import PrepareConfig, prepare_batch
from digest.settings import Settings
from digest.store import Store, iso, utcnow
from digest.topics import TopicCatalog

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class _Match:
    id: int
    quality: float
    near: bool


async def read_dump(path: Path) -> bytes:
    """The bytes of a dump file, read in a thread; an unreadable file is a DumpError."""
    try:
        return await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        raise DumpError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DumpError(f"{path}: is a directory, not a dump file") from None
    except OSError as exc:
        raise DumpError(f"{path}: cannot read the file ({exc.strerror or exc})") from None


async def ingest_bytes(
    store: Store,
    data: bytes,
    name: str,
    settings: Settings,
    catalog: TopicCatalog,
    *,
    progress: Progress | None = None,
    executor: Executor | None = None,
    now: datetime | None = None,
) -> IngestReport:
    """Ingest one dump; raise DumpError (and store nothing) when the file is rejected."""
    started = now or utcnow()
    config = PrepareConfig(
        catalog=catalog,
        algorithm=settings.summary_algorithm,
        sentences=settings.summary_sentences,
    )
    async with AsyncExitStack() as stack:
        if executor is None:
            pool = ProcessPoolExecutor(max_workers=settings.workers)
            # Shutting a pool down joins its processes (and, after a cancel, waits for queued
            # batches): do it in a thread so the event loop stays free.
            stack.push_async_callback(asyncio.to_thread, pool.shutdown, cancel_futures=True)
            executor = pool
        loop = asyncio.get_running_loop()
        parsed: ParsedDump = await loop.run_in_executor(executor, parse_dump, data, name)
        prepared, problems = await _prepare_all(parsed.articles, config, executor, progress)
    problems = sorted([*parsed.problems, *problems], key=lambda p: p.line or 0)
    if not prepared:
        raise DumpError(f"{name}: no article could be processed; {problems[0]}")
    async with _writer(store) as writer:
        return await _write(
            writer, name, prepared, problems, parsed_count=len(parsed.articles),
            threshold=settings.near_duplicate_threshold, started=started,
            finished=now or utcnow(),
        )


async def _prepare_all(
    articles: list[RawArticle],
    config: PrepareConfig,
    executor: Executor,
    progress: Progress | None,
) -> tuple[list[PreparedArticle], list[Problem]]:
    total = len(articles)
    size = max(1, min(32, total // 8 or 1))
    batches = [articles[i : i + size] for i in range(0, total, size)]
    loop = asyncio.get_running_loop()
    futures = [loop.run_in_executor(executor, prepare_batch, b, config) for b in batches]
    done = 0
    if progress:
        progress(0, total)
    # Results are gathered in dump order (first copy wins ties); progress as batches finish.
    for future in asyncio.as_completed(futures):
        done += len(await future)
        if progress:
            progress(done, total)
    prepared: list[PreparedArticle] = []
    problems: list[Problem] = []
    for future in futures:
        for item in future.result():
            (problems if isinstance(item, Problem) else prepared).append(item)  # type: ignore[arg-type]
    return prepared, problems


@asynccontextmanager
async def _writer(store: Store) -> AsyncIterator[Store]:
    """A connection of its own for the write transaction.

    On the shared connection, statements of other tasks (a bot user's /subscribe) would run
    inside the ingest transaction and vanish with its rollback.
    """
    if store.path == ":memory:":
        yield store
        return
    async with await Store.open(store.path) as own:
        yield own


async def _write(
    store: Store,
    name: str,
    prepared: Sequence[PreparedArticle],
    problems: list[Problem],
    *,
    parsed_count: int,
    threshold: float,
    started: datetime,
    finished: datetime,
) -> IngestReport:
    db = store.db
    exact = near = replaced = 0
    stored_ids: list[int] = []
    topics: Counter[str] = Counter()
    await db.execute("BEGIN IMMEDIATE")
    try:
        cursor = await db.execute(
            "INSERT INTO ingests (file, started_at, finished_at, parsed, stored, "
            "duplicates_exact, duplicates_near, replaced, problems) "
            "VALUES (?, ?, ?, 0, 0, 0, 0, 0, '[]')",
            (Path(name).name, iso(started), iso(finished)),
        )
        ingest_id = cursor.lastrowid
        for article in prepared:
            match = await _find_match(store, article, threshold)
            if match is None:
                stored_ids.append(await _insert(store, article, ingest_id, finished))
                topics.update(list(article.topics))  # one per article
                continue
            near += match.near
            exact += not match.near
            if article.quality > match.quality and await _replace(store, match.id, article):
                replaced += 1
            else:
                await db.execute(
                    "UPDATE articles SET duplicates = duplicates + 1 WHERE id = ?", (match.id,)
                )
        await db.execute(
            "UPDATE ingests SET parsed = ?, stored = ?, duplicates_exact = ?, "
            "duplicates_near = ?, replaced = ?, problems = ? WHERE id = ?",
            (
                parsed_count, len(stored_ids), exact, near, replaced,
                json.dumps([{"line": p.line, "reason": p.reason} for p in problems],
                           ensure_ascii=False),
                ingest_id,
            ),
        )
        await db.execute("COMMIT")
    except BaseException:
        # SQLite rolls back by itself on some errors (disk full); a second ROLLBACK would
        # fail and hide the original error.
        if db.in_transaction:
            await db.execute("ROLLBACK")
        raise
    return IngestReport(
        file=name,
        parsed=parsed_count,
        stored=len(stored_ids),
        duplicates_exact=exact,
        duplicates_near=near,
        replaced=replaced,
        topics=dict(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))),
        languages=dict(Counter(a.lang for a in prepared).most_common()),
        problems=problems,
        stored_ids=stored_ids,
    )


async def _find_match(store: Store, article: PreparedArticle, threshold: float) -> _Match | None:
    db = store.db
    async with db.execute(
        "SELECT id, quality FROM articles WHERE url_key = ? OR text_key = ? LIMIT 1",
        (article.url_key, article.text_key),
    ) as cursor:
        row = await cursor.fetchone()
    if row:
        return _Match(row[0], row[1], near=False)
    marks = ",".join("?" * len(article.bands))
    async with db.execute(
        "SELECT a.id, a.quality, a.minhash, a.url_key FROM articles a WHERE a.id IN "
        f"(SELECT DISTINCT article_id FROM lsh_bands WHERE band IN ({marks}))",
        article.bands,
    ) as cursor:
        candidates = await cursor.fetchall()
    best: _Match | None = None
    best_similarity = threshold
    for cid, cquality, cminhash, curl in candidates:
        # Two different source URLs are two articles (e.g. translations), however similar.
        if article.url_key and curl and article.url_key != curl:
            continue
        similarity = dedup.similarity(cminhash, article.minhash)
        if similarity >= best_similarity:
            best, best_similarity = _Match(cid, cquality, near=True), similarity
    return best


async def _insert(
    store: Store, article: PreparedArticle, ingest_id: int | None, when: datetime
) -> int:
    cursor = await store.db.execute(
        "INSERT INTO articles (title, date, body, summary, source_url, url_key, text_key, lang, "
        "section, quality, minhash, ingest_id, ingested_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            article.title, article.date.isoformat(), article.body, article.summary,
            article.source_url, article.url_key, article.text_key, article.lang,
            article.section, article.quality, article.minhash,
            ingest_id, iso(when),
        ),
    )
    article_id = int(cursor.lastrowid or 0)
    await _write_index(store, article_id, article)
    return article_id


async def _replace(store: Store, article_id: int, article: PreparedArticle) -> bool:
    """Swap a stored copy for a better one, keeping its id (deliveries point at it)."""
    try:
        await store.db.execute(
            "UPDATE articles SET title = ?, body = ?, summary = ?, "
            "source_url = coalesce(?, source_url), url_key = coalesce(?, url_key), "
            "text_key = ?, lang = ?, quality = ?, minhash = ?, duplicates = duplicates + 1 "
            "WHERE id = ?",
            (
                article.title, article.body, article.summary, article.source_url,
                article.url_key, article.text_key, article.lang, article.quality,
                article.minhash, article_id,
            ),
        )
    except sqlite3.IntegrityError:
        # Its URL or text already belongs to another stored article: keep what we have.
        return False
    await store.db.execute("DELETE FROM article_topics WHERE article_id = ?", (article_id,))
    await store.db.execute("DELETE FROM lsh_bands WHERE article_id = ?", (article_id,))
    await _write_index(store, article_id, article)
    return True


async def _write_index(store: Store, article_id: int, article: PreparedArticle) -> None:
    await store.db.executemany(
        "INSERT INTO article_topics (article_id, topic, score, assigned) VALUES (?, ?, ?, ?)",
        [
            (article_id, topic, score, int(topic in article.topics))
            for topic, score in article.topic_scores.items()
        ],
    )
    await store.db.executemany(
        "INSERT OR IGNORE INTO lsh_bands (band, article_id) VALUES (?, ?)",
        [(band, article_id) for band in article.bands],
    )
