"""The process pool that does ingest's CPU work, and what crosses into it.

Workers die with the process that started them: after a ``kill -9`` of an ingest or of the
bot, nothing is left running. On Linux the kernel sends each worker SIGKILL when its parent
goes (``prctl(PR_SET_PDEATHSIG)``); everywhere, a watchdog thread in the worker exits it
once its parent has changed, within ``WATCH_INTERVAL`` seconds.

This module stays light: the parent process never imports the summariser and its
dependencies (numpy, sumy, nltk: over 100 MB), only the workers do.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import multiprocessing
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, InvalidStateError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from digest.models import PreparedArticle, Problem, RawArticle

if TYPE_CHECKING:
    from digest.topics import TopicCatalog

WATCH_INTERVAL = 1.0  # seconds between a worker's looks at its parent
ARTICLE_TIME_LIMIT = 10.0  # seconds of worker time one article may take
_PR_SET_PDEATHSIG = 1
T = TypeVar("T")
_SIGKILL = 9


@dataclass(frozen=True, slots=True)
class PrepareConfig:
    """What the workers need: plain, picklable values taken from the settings.

    It goes to the workers with every batch, and its topic catalog is large (100 KB pickled,
    11 ms to pickle and unpickle). So it is pickled once, and a worker unpickles it once:
    later batches find it, with the catalog's warm keyword lookups, in the worker's cache.
    """

    catalog: TopicCatalog
    algorithm: str
    sentences: int
    max_chars: int | None = None
    time_limit: float = ARTICLE_TIME_LIMIT  # per article; an overrun gets a lead summary
    _shipped: list[tuple[str, bytes]] = field(
        default_factory=list, init=False, compare=False, repr=False
    )

    def __reduce__(self) -> tuple[Callable[[str, bytes], PrepareConfig], tuple[str, bytes]]:
        if not self._shipped:
            data = pickle.dumps(
                (self.catalog, self.algorithm, self.sentences, self.max_chars, self.time_limit),
                pickle.HIGHEST_PROTOCOL,
            )
            self._shipped.append((hashlib.blake2b(data, digest_size=16).hexdigest(), data))
        return _received_config, self._shipped[0]


_RECEIVED: dict[str, PrepareConfig] = {}  # in a worker: the configs it was sent, by key
_RECEIVED_LIMIT = 4  # settings rarely change; a few configs bound the memory


def _received_config(key: str, data: bytes) -> PrepareConfig:
    config = _RECEIVED.get(key)
    if config is None:
        if len(_RECEIVED) >= _RECEIVED_LIMIT:
            _RECEIVED.clear()
        config = _RECEIVED[key] = PrepareConfig(*pickle.loads(data))
    return config


def worker_pool(
    workers: int, mp_context: BaseContext | None = None, *, niceness: int = 0,
    kazakh_stop_words: Path | None = None,
) -> WorkerPool:
    """A process pool whose workers die with this process, `niceness` lower in priority,
    and read Kazakh stop words from `kazakh_stop_words` (default: the bundled list)."""
    return WorkerPool(workers, mp_context or multiprocessing.get_context(), niceness,
                      kazakh_stop_words)


class WorkerPool(Executor):
    """A process pool that starts afresh after one of its workers died.

    A ProcessPoolExecutor with a dead worker (killed, out of memory) fails the work it had
    and refuses all later work; in a long-running bot that would disable ingests until a
    restart. This one fails only the work that was running, and the next submit gets a new
    pool. Whoever holds it (the upload handler, the follow index) keeps the same object.

    The futures it returns are its own, and cancelling one never cancels the pool's. In
    Python 3.11 a future cancelled while the pool fails its work after a worker's death
    kills the pool's manager thread (`InvalidStateError` in `terminate_broken`) before it
    closes its call queue; the queue's feeder thread then blocks on a pipe nobody reads, and
    the interpreter hangs at exit (fixed in CPython 3.12). So a cancelled future's work still
    runs and its result is dropped; an ingest has at most 2 × workers + 1 batches out.
    `shutdown(cancel_futures=True)` still drops queued work: the pool's own thread does it.
    """

    def __init__(
        self, workers: int, mp_context: BaseContext, niceness: int = 0,
        kazakh_stop_words: Path | None = None,
    ) -> None:
        self.workers = workers
        self.mp_context = mp_context
        self.niceness = niceness
        self.kazakh_stop_words = kazakh_stop_words
        self._lock = threading.Lock()
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self.mp_context, initializer=_start_worker,
            initargs=(self.niceness, self.kazakh_stop_words),
        )

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        with self._lock:
            try:
                work = self._pool.submit(fn, *args, **kwargs)
            except BrokenProcessPool:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
                work = self._pool.submit(fn, *args, **kwargs)
        handle: Future[T] = Future()
        work.add_done_callback(partial(_relay, handle))
        return handle

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _relay(handle: Future[T], work: Future[T]) -> None:
    """Give the pool's finished `work` to the `handle` WorkerPool.submit returned."""
    if work.cancelled():  # by shutdown(cancel_futures=True)
        handle.cancel()
        return
    try:
        error = work.exception()
        if error is None:
            handle.set_result(work.result())
        else:
            handle.set_exception(error)
    except InvalidStateError:  # the handle was cancelled: nobody wants the result
        pass


def prepare_in_worker(
    batch: list[RawArticle], config: PrepareConfig
) -> list[PreparedArticle | Problem]:
    """The pool's task: prepare a batch (see digest.prepare.prepare_batch)."""
    from digest.prepare import prepare_batch

    return prepare_batch(batch, config)


def prepare_to_spill(
    batch: list[RawArticle], config: PrepareConfig
) -> tuple[bytes, list[Problem], int]:
    """The ingest's task: a batch prepared (prepare_in_worker), its prepared articles
    pickled as the ingest spills them, its problems, and how many were prepared. The pool
    would pickle the articles anyway to send them back; sent as bytes, the ingesting
    process writes them to its spill file without unpickling and pickling them again."""
    results = prepare_in_worker(batch, config)
    ready = [r for r in results if isinstance(r, PreparedArticle)]
    pickled = pickle.dumps(ready, pickle.HIGHEST_PROTOCOL) if ready else b""
    return pickled, [r for r in results if isinstance(r, Problem)], len(ready)


def _start_worker(niceness: int = 0, kazakh_stop_words: Path | None = None) -> None:
    tie_to_parent(niceness)
    # One thread per worker: the pool is the parallelism. A BLAS thread pool in each worker
    # (numpy's OpenBLAS starts one per core) would only make the workers' products compete
    # with the other workers for the same cores. Set before numpy is imported, which reads it.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    if kazakh_stop_words is not None:
        from digest.stemming import use_kazakh_stop_words

        use_kazakh_stop_words(kazakh_stop_words)
    # Load the heavy modules now, while the parent is still reading the dump.
    import digest.prepare  # noqa: F401

    freeze_start_up()


def freeze_start_up() -> None:
    """In a worker process: put every object alive now beyond the cyclic garbage collector.

    A worker's objects at start-up (modules, the summariser's model, stop words, lexicons,
    the caches' tables) live as long as the worker; they are tens of thousands, and every
    full collection walked them all again (about 0.2 s each, a full collection or so per
    300 articles: some 10% of a fresh worker's time). Frozen, they are never walked; what
    the work allocates is collected as before. Called again after the warm-up, which loads
    more. Outside a worker (a thread pool, tests) nothing changes: the objects alive there
    need not be long-lived.
    """
    if multiprocessing.parent_process() is None:
        return
    gc.collect()  # no garbage left to freeze
    gc.freeze()


def tie_to_parent(niceness: int = 0) -> None:
    """In a helper process (an ingest worker, the ingest's writer): run `niceness` lower in
    priority, and die with the parent (a death signal, and a watchdog thread where there is
    none), so no helper outlives a killed bot."""
    parent = os.getppid()
    if niceness:
        os.nice(niceness)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, _SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog alone does the job
            pass
    # The parent may have gone before the death signal was armed.
    if parent == 1:
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    while True:
        time.sleep(WATCH_INTERVAL)
        if os.getppid() != parent:
            # Orphaned: nobody will collect our results. Exit at once, without cleanup that
            # could block (the pool's queues are gone with the parent).
            os._exit(1)
