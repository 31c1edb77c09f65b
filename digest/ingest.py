"""Ingest a dump: parse and prepare in workers, then deduplicate and store in one transaction.

The dump is parsed as a stream, in a thread: articles go to a process pool in batches as
they are read, at most a few batches ahead of the workers, and the prepared articles wait
in a temporary file (not in memory) until all are ready. Memory therefore tracks the
largest article, never the size of the dump, and the event loop stays free. The database
part runs in a single ``BEGIN IMMEDIATE ... COMMIT``, in one thread (its statements are in
``digest.storage.ingest_writes``): a failure, a cancel or a kill halfway leaves the database
as it was, and the write lock is held only while writing.
"""

from __future__ import annotations

import asyncio
import pickle
import sqlite3
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, cast

from digest import dedup, linking
from digest.clock import utcnow
from digest.models import IngestReport, PreparedArticle, Problem, RawArticle
from digest.parsing import DumpError, DumpReader, Problems
from digest.settings import Settings
from digest.storage import Store, StoreError, describe
from digest.storage.ingest_writes import IngestWrites, run_ingest
from digest.topics import TopicCatalog
from digest.workers import PrepareConfig, prepare_in_worker, worker_pool

Progress = Callable[[int, int], None]
BATCH_CHARS = 1_000_000  # text per batch sent to a worker, at most (one article may exceed it)


class WorkersLost(DumpError):
    """A worker process died (killed, out of memory): the pool cannot be used any more."""


@dataclass(frozen=True, slots=True)
class _Match:
    id: int
    quality: float
    near: bool
    similarity: float = 1.0


@dataclass(frozen=True, slots=True)
class _Placed:
    """Where a new article row went: a new story, or one it was linked to."""

    id: int
    linked: bool


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
    """Ingest one dump held in memory; see ingest_dump."""
    return await ingest_dump(store, data, name, settings, catalog, progress=progress,
                             executor=executor, now=now)


async def ingest_file(
    store: Store,
    path: Path,
    settings: Settings,
    catalog: TopicCatalog,
    *,
    progress: Progress | None = None,
    executor: Executor | None = None,
    now: datetime | None = None,
) -> IngestReport:
    """Ingest one dump file, read as it is parsed; see ingest_dump."""
    return await ingest_dump(store, path, str(path), settings, catalog, progress=progress,
                             executor=executor, now=now)


async def ingest_dump(
    store: Store,
    source: bytes | Path,
    name: str,
    settings: Settings,
    catalog: TopicCatalog,
    *,
    progress: Progress | None = None,
    executor: Executor | None = None,
    now: datetime | None = None,
) -> IngestReport:
    """Ingest one dump (its bytes or its path).

    Raise DumpError (and store nothing) when the file is rejected, StoreError (and store
    nothing) when the database cannot take it: locked, full, read-only.
    """
    started = now or utcnow()
    # "In the future" is judged by the real date, not an injected clock: a dump's dates are
    # facts about the world.
    today = utcnow().date()
    config = PrepareConfig(
        catalog=catalog,
        algorithm=settings.summary_algorithm,
        sentences=settings.summary_sentences,
        max_chars=settings.summary_max_chars,
        time_limit=settings.article_time_limit,
    )
    # A quick first pass counts the articles, for the progress figures; it also rejects a
    # file that is no text dump at all before any work is spent on it.
    reader = DumpReader(source, name, today=today)
    total = await asyncio.to_thread(reader.estimate)
    reader = DumpReader(source, name, today=today)
    problems = Problems()
    with tempfile.TemporaryFile(prefix="newsbot-ingest-") as spill:
        async with AsyncExitStack() as stack:
            if executor is None:
                pool = worker_pool(settings.workers,
                                   kazakh_stop_words=settings.kazakh_stopwords_file)
                # Shutting a pool down joins its processes (and, after a cancel, waits for
                # queued batches): do it in a thread so the event loop stays free.
                stack.push_async_callback(asyncio.to_thread, pool.shutdown, cancel_futures=True)
                executor = pool
            try:
                prepared = await _prepare_all(
                    reader, total, config, executor, progress, spill, problems,
                    in_flight=2 * max(1, settings.workers) + 1,
                )
            except BrokenProcessPool:
                raise WorkersLost(f"{name}: a worker process died while preparing the dump "
                                  "(out of memory?); nothing was stored") from None
            except OSError as exc:  # the spill file: the temporary folder is full
                raise StoreError(
                    f"{name}: cannot write a temporary file in {tempfile.gettempdir()} "
                    f"({exc.strerror or exc}); nothing was stored"
                ) from None
        problems.absorb(reader.problems)
        listed = problems.listed()
        if not prepared:
            raise DumpError(f"{name}: no article could be processed; {listed[0]}")
        return await _write(
            store, name, spill, listed, parsed_count=reader.articles,
            threshold=settings.near_duplicate_threshold, started=started,
            finished=now or utcnow(),
        )


async def _prepare_all(
    reader: DumpReader,
    total: int,
    config: PrepareConfig,
    executor: Executor,
    progress: Progress | None,
    spill: IO[bytes],
    problems: Problems,
    *,
    in_flight: int,
) -> int:
    """Send the reader's articles to the workers; spill what comes back; count the prepared.

    Batches are written to the spill file in dump order (the first copy of a story wins
    ties), and at most `in_flight` batches are out at once, so neither the parser nor the
    results run ahead of the workers by more than that.
    """
    size = max(1, min(32, total // 8 or 1))
    loop = asyncio.get_running_loop()
    articles = iter(reader)
    pending: deque[tuple[asyncio.Future[list[PreparedArticle | Problem]], int]] = deque()
    done = prepared = 0
    if progress:
        progress(0, total)

    async def settle_oldest() -> None:
        nonlocal done, prepared
        future, count = pending.popleft()
        results = await future
        ready = [r for r in results if isinstance(r, PreparedArticle)]
        problems.extend(r for r in results if isinstance(r, Problem))
        if ready:
            await asyncio.to_thread(pickle.dump, ready, spill, pickle.HIGHEST_PROTOCOL)
        prepared += len(ready)
        done += count
        if progress:
            progress(min(done, total), total)

    try:
        while True:
            batch = await asyncio.to_thread(_next_batch, articles, size)
            if not batch:
                break
            future = loop.run_in_executor(executor, prepare_in_worker, batch, config)
            pending.append((future, len(batch)))
            while len(pending) >= in_flight:
                await settle_oldest()
        while pending:
            await settle_oldest()
    finally:
        for future, _ in pending:
            future.cancel()
    return prepared


def _next_batch(articles: Iterator[RawArticle], size: int) -> list[RawArticle]:
    batch: list[RawArticle] = []
    chars = 0
    for article in articles:
        batch.append(article)
        chars += len(article.body)
        if len(batch) >= size or chars >= BATCH_CHARS:
            break
    return batch


def _spilled(spill: IO[bytes]) -> Iterator[list[PreparedArticle]]:
    """The prepared batches back from the spill file, in the order they were written."""
    spill.seek(0)
    while True:
        try:
            yield pickle.load(spill)
        except EOFError:
            return


async def _write(
    store: Store,
    name: str,
    spill: IO[bytes],
    problems: list[Problem],
    *,
    parsed_count: int,
    threshold: float,
    started: datetime,
    finished: datetime,
) -> IngestReport:
    """The write transaction, in one thread (digest.storage.ingest_writes.run_ingest)."""

    def work(writes: IngestWrites) -> IngestReport:
        return _write_all(
            writes, name, _spilled(spill), problems, parsed_count=parsed_count,
            threshold=threshold, started=started, finished=finished,
        )

    try:
        return await run_ingest(store, work)
    except sqlite3.Error as exc:
        raise StoreError(f"{Path(name).name}: {describe(exc, store.path, writing=True)}") from None


def _write_all(
    writes: IngestWrites,
    name: str,
    batches: Iterator[list[PreparedArticle]],
    problems: list[Problem],
    *,
    parsed_count: int,
    threshold: float,
    started: datetime,
    finished: datetime,
) -> IngestReport:
    exact = near = replaced = linked = new_stories = 0
    stored_ids: list[int] = []
    topics: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    ingest_id = writes.start(name, started, finished)
    for batch in batches:
        for article in batch:
            writes.go_on()
            languages[article.lang] += 1
            match = _find_match(writes, article, threshold)
            if match is None:
                placed = _insert(writes, article, ingest_id, finished)
                stored_ids.append(placed.id)
                linked += placed.linked
                new_stories += not placed.linked
                topics.update(list(article.topics))  # one per article
                continue
            near += match.near
            exact += not match.near
            linked += _add_source(writes, match, article, finished)
            # A better copy takes the stored one's place, keeping its id (deliveries
            # point at it) and its story; its URL becomes the one shown, the others stay
            # among its sources. If its URL or text belongs to another stored article,
            # what we have stays.
            if article.quality > match.quality and writes.replace(match.id, article):
                replaced += 1
            else:
                writes.count_duplicate(match.id)
    writes.finish(
        ingest_id, parsed=parsed_count, stored=len(stored_ids), exact=exact, near=near,
        replaced=replaced, problems=problems,
    )
    return IngestReport(
        file=name,
        parsed=parsed_count,
        stored=len(stored_ids),
        duplicates_exact=exact,
        duplicates_near=near,
        replaced=replaced,
        topics=dict(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))),
        languages=dict(languages.most_common()),
        problems=problems,
        stored_ids=stored_ids,
        stories_new=new_stories,
        versions_linked=linked,
    )


def _find_match(
    writes: IngestWrites, article: PreparedArticle, threshold: float
) -> _Match | None:
    """The stored row this article is a copy of: the same URL (its own or a repost's), the
    same text, or, in one language, a near-duplicate above the threshold whatever its URL
    (a repost under another site's address is the same story)."""
    found = writes.exact_match(article.text_key, article.url_key)
    if found:
        return _Match(found[0], found[1], near=False)
    best: _Match | None = None
    best_similarity = threshold
    for cid, cquality, cminhash in writes.near_candidates(article.lang, article.bands):
        similarity = dedup.similarity(cminhash, article.minhash)
        if similarity >= best_similarity:
            best = _Match(cid, cquality, near=True, similarity=similarity)
            best_similarity = similarity
    return best


def _insert(
    writes: IngestWrites, article: PreparedArticle, ingest_id: int, when: datetime
) -> _Placed:
    """A new article row, in the story it is a version of (found by `_story_for`) or in a
    story of its own."""
    found = _story_for(writes, article)
    if found is None:
        story_id = writes.new_story(when)
        reason: dict[str, object] = {"how": "new"}
    else:
        story_id, reason = found
    article_id = writes.insert(article, ingest_id, when, story_id, reason)
    _add_source(writes, _Match(article_id, article.quality, near=False), article, when,
                      first=True)
    return _Placed(article_id, linked=found is not None)


def _story_for(
    writes: IngestWrites, article: PreparedArticle
) -> tuple[int, dict[str, object]] | None:
    """The existing story a new article row belongs to, and why; None for a new story.

    First the gov.kz news id (the same item under another ?lang=), then a measured
    cross-language match (digest.linking.best_link) against articles of other languages
    published within a day whose story has no version in this language yet.
    """
    key = linking.news_key(article.url_key)
    if key is not None:
        row = writes.story_of_news(key)
        if row is not None:
            return row[0], {"how": "news_id", "news_id": linking.news_id(key),
                            "with": row[1], "with_lang": row[2]}
    own = linking.LinkFeatures.loads(article.link_features)
    keys = sorted(own.index_keys())
    if not keys:
        return None
    candidates = writes.link_candidates(
        keys,
        article.date - timedelta(days=linking.MAX_DAYS_APART),
        article.date + timedelta(days=linking.MAX_DAYS_APART),
        article.lang,
        # A gov.kz item's translations share its id: another gov.kz item is another story.
        other_news=key is not None,
    )
    # Cheap (set intersections over a few candidates), so it stays inside the transaction.
    found = linking.best_link(article.lang, article.date, own, candidates)
    if found is None:
        return None
    candidate, score = found
    return cast(int, candidate.story), {
        "how": "content", "with": candidate.key, "with_lang": candidate.lang,
        "numbers": list(score.numbers), "names": list(score.names), "rule": score.rule_text(),
    }


def _add_source(
    writes: IngestWrites, match: _Match, article: PreparedArticle, when: datetime, *,
    first: bool = False,
) -> bool:
    """Remember the article's URL as a source of the matched row; True when it is a new one
    (a repost under an address not seen before)."""
    if not article.url_key or not article.source_url:
        return False
    if first:
        reason: dict[str, object] = {"how": "first"}
    elif match.near:
        reason = {"how": "near_duplicate", "similarity": round(match.similarity, 3)}
    else:
        reason = {"how": "exact"}
    return writes.add_source(match.id, article, reason, when) and not first
