"""The worker pool's processes: what each one is set up with."""

from __future__ import annotations

import multiprocessing
import os

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
