"""The worker pool's processes: what each one is set up with."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest.workers import worker_pool

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _blas_threads() -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in BLAS_THREADS}


def test_each_worker_runs_numpy_single_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pool is the parallelism: a BLAS thread pool per worker would compete with the
    # other workers for the same cores (bench/README.md, Pipeline).
    for name in BLAS_THREADS:
        monkeypatch.delenv(name, raising=False)
    with worker_pool(1, multiprocessing.get_context("spawn")) as pool:
        assert pool.submit(_blas_threads).result(timeout=120) == dict.fromkeys(BLAS_THREADS, "1")
    assert _blas_threads() == dict.fromkeys(BLAS_THREADS)  # this process is left alone


def _frozen_after_warm_up() -> tuple[int, int]:
    import gc

    from digest.prepare import warm_up

    started = gc.get_freeze_count()
    warm_up()
    return started, gc.get_freeze_count()


def test_a_worker_keeps_its_start_up_objects_out_of_the_collectors_walks() -> None:
    # A fresh worker's full collections walked every module, model and lexicon again (about
    # a tenth of its time over its first articles: bench/README.md, Pipeline, fifth round).
    import gc

    with worker_pool(1, multiprocessing.get_context("spawn")) as pool:
        started, warmed = pool.submit(_frozen_after_warm_up).result(timeout=120)
    assert started > 0  # frozen once the pipeline is imported
    assert warmed > started  # and again with what the warm-up loaded
    before = gc.get_freeze_count()
    _frozen_after_warm_up()
    assert gc.get_freeze_count() == before  # this process is left alone


_DEATH_WITH_CANCELLED_WORK = '''
import multiprocessing, os, signal, sys, time
from pathlib import Path

from digest.workers import worker_pool

GO = Path(sys.argv[1])
STARTED = GO.with_name("started")


def die_on_go() -> None:
    STARTED.touch()
    while not GO.exists():
        time.sleep(0.01)
    os.kill(os.getpid(), signal.SIGKILL)


def size(data: bytes) -> int:
    return len(data)


if __name__ == "__main__":
    pool = worker_pool(1, multiprocessing.get_context("spawn"))
    dying = pool.submit(die_on_go)
    # More than a pipe holds: queued work the pool's feeder thread is still writing.
    queued = [pool.submit(size, b"x" * 1_000_000) for _ in range(4)]
    while not STARTED.exists():  # the pool has queued what it could for the worker
        time.sleep(0.01)
    print("cancelled", sum(f.cancel() for f in queued))
    GO.touch()
    print("dying", type(dying.exception(timeout=120)).__name__)
    print("next", pool.submit(size, b"abc").result(timeout=120))
    pool.shutdown()
    print("end", flush=True)
'''


def test_a_worker_dying_while_its_queued_work_is_cancelled_lets_the_process_exit(
    tmp_path: Path,
) -> None:
    # A failed upload cancels its batches still out while the pool, its worker killed,
    # fails them. Python 3.11's pool then lost its manager thread and the process hung at
    # exit (a bot that cannot be stopped; CI timed out on this race in test_admin).
    script = tmp_path / "die.py"
    script.write_text(_DEATH_WITH_CANCELLED_WORK)
    try:
        done = subprocess.run([sys.executable, str(script), str(tmp_path / "go")],
                              capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the process did not exit; it printed {exc.stdout!r}")
    assert done.stdout.split("\n") == ["cancelled 4", "dying BrokenProcessPool", "next 3",
                                       "end", ""], done.stderr
    assert done.returncode == 0
    assert "InvalidStateError" not in done.stderr
