"""Ingest a dump: parse and prepare in workers, then deduplicate and store, all or nothing.

The dump is parsed as a stream, in a thread: articles go to a process pool in batches as
they are read, at most a few batches ahead of the workers, and the prepared articles wait
in a temporary file (not in memory) until all are ready. Memory therefore tracks the
largest article, never the size of the dump, and the event loop stays free.

The database part commits in short chunks (``CHUNK_ARTICLES``; the statements are in
``digest.storage.ingest_writes``), so a bot write waits for one chunk at most, never for
the whole dump. The chunks run in a thread, or, for the bot's uploads into a database
file, in a writer process of their own (``digest.write_process``), whose Python does not
hold the GIL of the process that answers users. Readers see nothing of the ingest until
its last short transaction: a failure or a cancel halfway deletes what its chunks wrote,
and a kill leaves it invisible until the next ingest deletes it. Whatever would change an
article readers already see waits for that last transaction (``_HeldBack``); the lookups
of later chunks see it as if it were done, so the report is the one a single transaction
would give.
"""

from __future__ import annotations

import asyncio
import pickle
import sqlite3
import tempfile
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Collection, Iterator, Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, cast

from digest import dedup, linking
from digest.clock import utcnow
from digest.models import IngestReport, PreparedArticle, Problem, RawArticle
from digest.parsing import DumpError, DumpReader, Problems
from digest.settings import Settings
from digest.storage import Store, StoreError, describe
from digest.storage.ingest_writes import IngestWrites, ingest_session
from digest.topics import TopicCatalog
from digest.workers import PrepareConfig, prepare_to_spill, worker_pool
from digest.write_process import WriterDied, WriterProcess

Progress = Callable[[int, int], None]
BATCH_CHARS = 1_000_000  # text per batch sent to a worker, at most (one article may exceed it)
# The write phase commits in chunks of at most this many articles or this long, whichever
# comes first, and a chunk ends after the article it is writing when a bot write of this
# process (a /subscribe, a delivery record) queues for the store's write lock: such a write
# waits for one article and a commit, never for the whole dump (0.6-2 ms an article: 3-11 s
# for a 15 MB dump in one go). The bounds are for writers in other processes, which poll
# SQLite's busy handler: between chunks the ingest pauses briefly to let them in. Each
# commit costs 20-50 ms (it writes the pages its chunk dirtied, and now and then a WAL
# checkpoint), so chunks are not made shorter than that needs.
CHUNK_ARTICLES = 500  # the default of Settings.ingest_chunk_articles
CHUNK_SECONDS = 0.25
CHUNK_PAUSE = 0.005
# Inside a chunk the writing thread holds the GIL except in SQLite's calls, and the bot's
# event loop and read threads, in the same process, need it at every step of a reply (on a
# busy machine the writer may also be preempted while it holds it). So it works in slices of
# WORK_SLICE seconds and sleeps REST seconds after each (the GIL and a core free): the write
# phase takes at most REST / WORK_SLICE longer. Only where the process serves users too and
# the database is in memory (`share_cpu`; into a file the bot writes in a writer process): a
# command-line ingest writes at full speed.
WORK_SLICE = 0.02
REST = 0.01


class WorkersLost(DumpError):
    """A worker process died (killed, out of memory): the pool cannot be used any more."""


@dataclass(frozen=True, slots=True)
class _Match:
    id: int
    quality: float
    near: bool
    similarity: float = 1.0
    mine: bool = False  # a row of this ingest: nobody sees it yet, it may change at once


@dataclass(frozen=True, slots=True)
class _Placed:
    """Where a new article row went: a new story, or one it was linked to; for a new story,
    the stories its article came near (``linking.near_stories``)."""

    id: int
    linked: bool
    story: int = 0
    near: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class _StoryFound:
    """`_story_for`'s answer: the story and why, or no story and the stories it came near."""

    story: int | None
    reason: dict[str, object]
    near: frozenset[int] = frozenset()


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
    share_cpu: bool = False,
) -> IngestReport:
    """Ingest one dump held in memory; see ingest_dump."""
    return await ingest_dump(store, data, name, settings, catalog, progress=progress,
                             executor=executor, now=now, share_cpu=share_cpu)


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
    share_cpu: bool = False,
) -> IngestReport:
    """Ingest one dump (its bytes or its path).

    With `share_cpu` (the bot: this process answers users meanwhile) the write phase runs
    in a writer process at a lower CPU priority (digest.write_process), or, for an
    in-memory database, which no other process can open, in a thread that rests a third
    of the time (WORK_SLICE, REST) so the event loop gets the GIL.

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
    # The spill file has a name: a writer process reads it (digest.write_process).
    with tempfile.NamedTemporaryFile(prefix="newsbot-ingest-") as spill:
        async with _writer_process(store, share_cpu) as process:
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
                finished=now or utcnow(), chunk=settings.ingest_chunk_articles, rest=share_cpu,
                process=process,
            )


@asynccontextmanager
async def _writer_process(store: Store, share_cpu: bool) -> AsyncIterator[WriterProcess | None]:
    """Where the process serves users meanwhile (`share_cpu`: the bot) and the database is
    a file, a writer process for the write phase, started now so that it has loaded what
    it needs by the end of the preparing; otherwise None (the write phase runs in threads).
    """
    if not share_cpu or store.path == ":memory:":
        yield None
        return
    process = WriterProcess(_writer_for_process)
    await process.start()
    try:
        yield process
    finally:
        await process.close()


def _writer_for_process(
    held: IO[bytes], spill: IO[bytes], threshold: float, when: datetime, size: int
) -> _Writer:
    """The writer of a dump in the writer process (digest.write_process): the prepared
    articles come from the spill file."""
    return _Writer(_HeldBack(held), threshold, when,
                   (a for batch in _spilled(spill) for a in batch), size)


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
    pending: deque[tuple[asyncio.Future[tuple[bytes, list[Problem], int]], int]] = deque()
    done = prepared = 0
    if progress:
        progress(0, total)

    async def settle_oldest() -> None:
        nonlocal done, prepared
        future, count = pending.popleft()
        pickled, found, ready = await future
        problems.extend(found)
        if ready:  # a pickled list of the batch's PreparedArticles (see _spilled)
            await asyncio.to_thread(spill.write, pickled)
        prepared += ready
        done += count
        if progress:
            progress(min(done, total), total)

    try:
        while True:
            batch = await asyncio.to_thread(_next_batch, articles, size)
            if not batch:
                break
            future = loop.run_in_executor(executor, prepare_to_spill, batch, config)
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
    chunk: int = CHUNK_ARTICLES,
    rest: bool = False,
    process: WriterProcess | None = None,
) -> IngestReport:
    """The write phase: short transactions of at most `chunk` articles, each in a
    thread (or in the writer `process`), then the last one that makes them visible
    (digest.storage.ingest_writes)."""
    try:
        if process is not None:
            spill.flush()
            tally = await _write_elsewhere(
                process, store, name, spill.name, problems, parsed_count=parsed_count,
                threshold=threshold, started=started, finished=finished, chunk=chunk)
        else:
            tally = await _write_here(
                store, name, spill, problems, parsed_count=parsed_count,
                threshold=threshold, started=started, finished=finished, chunk=chunk,
                rest=rest)
    except WriterDied as exc:
        raise StoreError(f"{Path(name).name}: {exc}") from None
    except sqlite3.Error as exc:
        raise StoreError(f"{Path(name).name}: {describe(exc, store.path, writing=True)}") from None
    except OSError as exc:  # the file of held-back replacements: no room in the temp folder
        raise StoreError(
            f"{name}: cannot write a temporary file in {tempfile.gettempdir()} "
            f"({exc.strerror or exc}); nothing was stored"
        ) from None
    return IngestReport(
        file=name,
        parsed=parsed_count,
        stored=len(tally.stored_ids),
        duplicates_exact=tally.exact,
        duplicates_near=tally.near,
        replaced=tally.replaced,
        topics=dict(sorted(tally.topics.items(), key=lambda kv: (-kv[1], kv[0]))),
        languages=dict(tally.languages.most_common()),
        problems=problems,
        stored_ids=tally.stored_ids,
        stories_new=tally.new_stories,
        versions_linked=tally.linked,
    )


async def _write_here(
    store: Store, name: str, spill: IO[bytes], problems: list[Problem], *,
    parsed_count: int, threshold: float, started: datetime, finished: datetime, chunk: int,
    rest: bool,
) -> _Tally:
    """The write phase in threads of this process."""
    with tempfile.TemporaryFile(prefix="newsbot-held-") as held_file:
        writer = _Writer(_HeldBack(held_file), threshold, finished,
                         (a for batch in _spilled(spill) for a in batch), chunk, rest=rest)
        async with ingest_session(store, name, started, finished) as session:
            while await session.chunk(writer.chunk):
                await asyncio.sleep(CHUNK_PAUSE)
            await session.publish(lambda writes: writer.publish(
                writes, parsed=parsed_count, problems=problems))
    return writer.tally


async def _write_elsewhere(
    process: WriterProcess, store: Store, name: str, spill: str, problems: list[Problem], *,
    parsed_count: int, threshold: float, started: datetime, finished: datetime, chunk: int,
) -> _Tally:
    """The write phase in the writer process, chunk by chunk under this process's write
    lock; the ingest's row, and its clean-up if anything fails, stay here."""
    async with ingest_session(store, name, started, finished) as session:
        await process.setup(store.path, spill, session.ingest_id, threshold, finished, chunk)
        session.elsewhere = process  # the band merge, after publishing, runs there too
        while await session.chunk_elsewhere(process.chunk, process.wanted, process.checkpoint):
            await asyncio.sleep(CHUNK_PAUSE)
        try:
            tally = await session.chunk_elsewhere(
                lambda queued: process.publish(queued, parsed_count, problems), process.wanted,
                process.checkpoint)
        except WriterDied:
            # Died after its last commit, before it answered: the ingest is stored.
            if not await session.pending():
                session.mark_published()
                raise StoreError(
                    f"{Path(name).name}: the ingest was stored, but its writer process "
                    "died before it sent the report"
                ) from None
            raise
        session.mark_published()
    return cast(_Tally, tally)


@dataclass(slots=True)
class _Tally:
    exact: int = 0
    near: int = 0
    replaced: int = 0
    linked: int = 0
    new_stories: int = 0
    stored_ids: list[int] = field(default_factory=list)
    topics: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class _HeldBack:
    """Changes to articles readers already see, held back until the ingest is published:
    better copies that will replace stored articles, and stored articles' duplicate counts.

    A replacement's article waits in a temporary file; what the lookups of later chunks need
    stays in memory (its text key, bands, signature, language and quality), so that they
    match the stored article as if it were replaced already, as in one transaction: by the
    replacement's text, not the stored one's, and by its bands and signature. One lookup
    still sees the stored article as it was until the end: the story lookup, through its
    linking keys (a copy's names and numbers are the same but for a changed word)."""

    spill: IO[bytes]
    duplicates: Counter[int] = field(default_factory=Counter)
    _offsets: dict[int, int] = field(default_factory=dict)  # stored id -> where its copy is
    _quality: dict[int, float] = field(default_factory=dict)
    _minhash: dict[int, tuple[str, bytes]] = field(default_factory=dict)  # (lang, signature)
    _texts: dict[str, int] = field(default_factory=dict)  # text key -> stored id
    _urls: dict[str, int] = field(default_factory=dict)  # URL key -> stored id
    _bands: dict[str, set[int]] = field(default_factory=dict)

    @property
    def ids(self) -> Collection[int]:
        return self._offsets.keys()

    def quality(self, article_id: int, stored: float) -> float:
        return self._quality.get(article_id, stored)

    def by_text(self, text_key: str) -> int | None:
        return self._texts.get(text_key)

    def taken(self, article_id: int, article: PreparedArticle) -> bool:
        """Whether another held replacement has this article's text or URL."""
        return any(
            found is not None and found != article_id
            for found in (self._texts.get(article.text_key),
                          self._urls.get(article.url_key) if article.url_key else None)
        )

    def near(self, lang: str, bands: Sequence[str]) -> dict[int, bytes]:
        """Stored ids with a replacement in `lang` sharing a band, and its signature."""
        ids = {i for band in bands for i in self._bands.get(band, ())}
        return {i: self._minhash[i][1] for i in ids if self._minhash[i][0] == lang}

    def replace(self, article_id: int, article: PreparedArticle) -> None:
        if article_id in self._offsets:  # the copy it held before goes: forget its keys
            self._texts = {k: v for k, v in self._texts.items() if v != article_id}
            self._urls = {k: v for k, v in self._urls.items() if v != article_id}
            for members in self._bands.values():
                members.discard(article_id)
        self._offsets[article_id] = _append(self.spill, article)
        self._quality[article_id] = article.quality
        self._minhash[article_id] = (article.lang, article.minhash)
        self._texts[article.text_key] = article_id
        if article.url_key:
            self._urls[article.url_key] = article_id
        for band in article.bands:
            self._bands.setdefault(band, set()).add(article_id)

    def replacements(self) -> Iterator[tuple[int, PreparedArticle]]:
        """The final copy for each stored id, in the order they were held."""
        for article_id, offset in sorted(self._offsets.items(), key=lambda kv: kv[1]):
            yield article_id, _read_at(self.spill, offset)


def _append(spill: IO[bytes], article: PreparedArticle) -> int:
    offset = spill.seek(0, 2)
    pickle.dump(article, spill, pickle.HIGHEST_PROTOCOL)
    return offset


def _read_at(spill: IO[bytes], offset: int) -> PreparedArticle:
    spill.seek(offset)
    return cast(PreparedArticle, pickle.load(spill))


class _Writer:
    """The articles of one dump, written chunk by chunk (each call of `chunk` runs in a
    thread inside one short transaction), then published."""

    def __init__(self, held: _HeldBack, threshold: float, when: datetime,
                 articles: Iterator[PreparedArticle], size: int, *, rest: bool = False) -> None:
        self.size = size
        self.rest = rest  # sleep REST after each WORK_SLICE of work
        self.held = held
        self.threshold = threshold
        self.when = when
        self.articles = articles
        self.tally = _Tally()
        # The stories this ingest started whose first article came near other stories, and
        # those stories: compared as wholes once every article is placed (_merge_stories).
        self.near: dict[int, frozenset[int]] = {}
        self.headlines: dict[int, frozenset[str]] = {}  # their first article's
        self.merged = False

    def chunk(self, writes: IngestWrites) -> bool:
        """Write up to `size` articles, for at most about CHUNK_SECONDS, or until a bot
        write waits for the lock; True when there may be more."""
        deadline = time.monotonic() + CHUNK_SECONDS
        rest_at = time.monotonic() + WORK_SLICE
        for taken in range(self.size):
            writes.go_on()
            article = next(self.articles, None)
            if article is None:
                if not self.merged:
                    self.merged = True
                    self._merge_stories(writes)
                return False
            if self.rest and taken and time.monotonic() > rest_at:
                time.sleep(REST)
                rest_at = time.monotonic() + WORK_SLICE
            self._take(writes, article)
            if time.monotonic() > deadline or writes.wanted():
                break
        return True

    def _take(self, writes: IngestWrites, article: PreparedArticle) -> None:
        """Store one article, or count it as a copy of a stored one."""
        tally, held = self.tally, self.held
        tally.languages[article.lang] += 1
        match = _find_match(writes, article, self.threshold, held)
        if match is None:
            placed = _insert(writes, article, writes.ingest_id, self.when)
            if placed.near:
                self.near[placed.story] = placed.near
                self.headlines[placed.story] = linking.headline_concepts(
                    article.title, article.lang)
            tally.stored_ids.append(placed.id)
            tally.linked += placed.linked
            tally.new_stories += not placed.linked
            tally.topics.update(list(article.topics))  # one per article
            return
        tally.near += match.near
        tally.exact += not match.near
        tally.linked += _add_source(writes, match, article, self.when)
        # A better copy takes the stored one's place, keeping its id (deliveries point at
        # it) and its story; its URL becomes the one shown, the others stay among its
        # sources. If its URL or text belongs to another stored article, what we have
        # stays. A row readers see changes only when the ingest is published.
        better = article.quality > match.quality
        if match.mine:
            if better and writes.replace(match.id, article):
                tally.replaced += 1
            else:
                writes.count_duplicate(match.id)
        elif better and not held.taken(match.id, article) \
                and not writes.taken_by_another(match.id, article):
            if match.id in held.ids:
                held.duplicates[match.id] += 1  # the copy it held is a duplicate now
            held.replace(match.id, article)
            tally.replaced += 1
        else:
            held.duplicates[match.id] += 1

    def _merge_stories(self, writes: IngestWrites) -> None:
        """Stories this ingest started that are, as wholes, versions of another story join
        it (``linking.story_merges``): the order of a dump put a partial retelling before
        the versions that bridge it to its item. The younger story's rows move (they are
        this ingest's, nobody has seen them), and its first article says why."""
        if not self.near:
            return
        wanted = sorted(set(self.near).union(*self.near.values()))
        versions, news = writes.story_versions(wanted)
        merges = linking.story_merges(
            self.near, {s: [f for _, _, f in rows] for s, rows in versions.items()},
            self.headlines, apart=news)
        for merge in merges:
            source, target = merge.source, merge.target
            first = min(versions[source])
            with_id, with_lang, _ = min(versions[target])
            writes.merge_story(source, target, first[0], {
                "how": "story", "with": with_id, "with_lang": with_lang,
                "numbers": list(merge.score.numbers), "names": list(merge.score.names),
                "rule": merge.score.rule_text(),
            })
            versions[target] = versions[target] + versions.pop(source)
            self.tally.linked += 1
            self.tally.new_stories -= 1

    def publish(
        self, writes: IngestWrites, *, parsed: int, problems: list[Problem]
    ) -> None:
        """What was held back, and the ingest's figures (the rows were made visible just
        before, in the same transaction)."""
        tally, counts = self.tally, Counter(self.held.duplicates)
        for article_id, article in self.held.replacements():
            if not writes.replace(article_id, article):  # checked when held: not expected
                tally.replaced -= 1
                counts[article_id] += 1
        writes.count_duplicates(counts)
        writes.finish(
            writes.ingest_id, parsed=parsed, stored=len(tally.stored_ids), exact=tally.exact,
            near=tally.near, replaced=tally.replaced, problems=problems,
        )


def _find_match(
    writes: IngestWrites, article: PreparedArticle, threshold: float, held: _HeldBack
) -> _Match | None:
    """The stored row this article is a copy of: the same URL (its own or a repost's), the
    same text, or, in one language, a near-duplicate above the threshold whatever its URL
    (a repost under another site's address is the same story). A stored row with a
    held-back replacement is matched as that replacement."""
    target = held.by_text(article.text_key)
    if target is not None:
        return _Match(target, held.quality(target, 0.0), near=False)
    found = writes.exact_match(article.text_key, article.url_key, held.ids)
    if found:
        return _Match(found[0], held.quality(found[0], found[1]), near=False, mine=found[2])
    candidates = {
        cid: (cquality, cminhash, mine)
        for cid, cquality, cminhash, mine in writes.near_candidates(article.lang, article.bands)
        if cid not in held.ids
    }
    for cid, signature in held.near(article.lang, article.bands).items():
        candidates[cid] = (held.quality(cid, 0.0), signature, False)
    best: _Match | None = None
    best_similarity = threshold
    for cid, (cquality, cminhash, mine) in candidates.items():
        similarity = dedup.similarity(cminhash, article.minhash)
        if similarity >= best_similarity:
            best = _Match(cid, cquality, near=True, similarity=similarity, mine=mine)
            best_similarity = similarity
    return best


def _insert(
    writes: IngestWrites, article: PreparedArticle, ingest_id: int, when: datetime
) -> _Placed:
    """A new article row, in the story it is a version of (found by `_story_for`) or in a
    story of its own."""
    found = _story_for(writes, article)
    story_id = found.story if found.story is not None else writes.new_story(when)
    article_id = writes.insert(article, ingest_id, when, story_id, found.reason)
    _add_source(writes, _Match(article_id, article.quality, near=False), article, when,
                      first=True)
    return _Placed(article_id, linked=found.story is not None, story=story_id,
                   near=found.near)


_NEW: dict[str, object] = {"how": "new"}


def _story_for(writes: IngestWrites, article: PreparedArticle) -> _StoryFound:
    """The existing story a new article row belongs to, and why; for a new story, the
    stories it came near (the story rule compares them at the end of the ingest).

    First the gov.kz news id (the same item under another ?lang=), then another outlet's
    rewrite in the same language (digest.linking.best_rewrite), then a measured
    cross-language match (digest.linking.best_link) against articles of other languages
    published within a day whose story has no version in this language yet.
    """
    key = linking.news_key(article.url_key)
    if key is not None:
        row = writes.story_of_news(key)
        if row is not None:
            return _StoryFound(row[0], {"how": "news_id", "news_id": linking.news_id(key),
                                        "with": row[1], "with_lang": row[2]})
    own = linking.LinkFeatures.loads(article.link_features)
    keys = sorted(own.index_keys())
    if not keys:
        return _StoryFound(None, _NEW)
    low = article.date - timedelta(days=linking.MAX_DAYS_APART)
    high = article.date + timedelta(days=linking.MAX_DAYS_APART)
    # Another outlet's rewrite of a stored item in this language joins its story first, so
    # a translation then finds the one story the item has, not one per outlet.
    # (An article with too few concepts to be linked as one is not looked up.)
    same = (writes.rewrite_candidates(keys, low, high, article.lang, other_news=key is not None)
            if len(own.concepts) >= linking.MIN_SHARED_CONCEPTS else [])
    rewrite = linking.best_rewrite(article.lang, article.date, own, same)
    if rewrite is not None:
        candidate, score = rewrite
        return _StoryFound(cast(int, candidate.story), {
            "how": "rewrite", "with": candidate.key, "with_lang": candidate.lang,
            "numbers": list(score.numbers), "names": list(score.names),
            "rule": score.rule_text(),
        })
    candidates = writes.link_candidates(
        keys, low, high, article.lang,
        # A gov.kz item's translations share its id: another gov.kz item is another story.
        other_news=key is not None,
    )
    # Cheap (set intersections over a few candidates), so it stays inside the transaction.
    found = linking.best_link(article.lang, article.date, own, candidates)
    if found is None:
        # A gov.kz item is never merged by content: its translations come by its id.
        near = (frozenset() if key is not None else
                linking.near_stories(article.lang, article.date, own, [*same, *candidates]))
        return _StoryFound(None, _NEW, cast(frozenset[int], near))
    candidate, score = found
    return _StoryFound(cast(int, candidate.story), {
        "how": "content", "with": candidate.key, "with_lang": candidate.lang,
        "numbers": list(score.numbers), "names": list(score.names), "rule": score.rule_text(),
    })


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
