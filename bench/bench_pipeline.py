"""Pipeline throughput on real-length articles, against Sumy TextRank alone.

    python bench/bench_pipeline.py [--articles 600] [--workers 2]

The articles are the BBC ones of ../shared/eval (about 400 words), made distinct. Printed:

- Sumy TextRank alone: `summarize(..., algorithm="textrank")` over the texts in this one
  process (the reference the issue sets);
- the whole pipeline: `ingest_bytes` of the same articles as a .txt dump into a fresh
  database (parse, repair, language, topics, default summary, fingerprints, dedup, store),
  with `--workers` processes, started and warmed beforehand as the bot does at start-up;
  the CPU time of the workers and of this process, and the ratio two free cores would
  give; what one worker costs alone (half the articles, caches cold, no other worker
  running), against which the pipeline's worker CPU shows what two busy processes on two
  cores cost each other; then a later upload of other articles into the same database
  (workers warm);
- the CPU time per stage of `prepare`, one stage at a time in this process, and of
  `prepare` as a whole on other articles (changed copies: most of their words are cached
  by then, as in a running bot).

PYTHONPATH selects another checkout to measure it the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import Executor
from pathlib import Path

from corpus import distinct, dump_text

from digest import dedup, linking
from digest.ingest import ingest_bytes
from digest.models import RawArticle
from digest.parsing import parse_dump
from digest.prepare import PrepareConfig, prepare_batch, summary_text, warm_up
from digest.settings import Settings, load_settings
from digest.storage import Store
from digest.summarize import summarize
from digest.text import detect_language, repair
from digest.topics import TopicCatalog, classify, load_catalog
from digest.workers import prepare_in_worker, worker_pool

# spawn, not fork: this process has threads (aiosqlite) a fork would copy mid-lock.
SPAWN = multiprocessing.get_context("spawn")


def per_article(label: str, seconds: float, count: int) -> None:
    print(f"  {label:28} {seconds / count * 1000:7.2f} ms/article")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    articles = distinct(args.articles, seed=5)
    data = dump_text(articles)
    n = len(articles)

    start, textrank_cpu = time.perf_counter(), time.process_time()
    for a in articles:
        summarize(a.title, a.body, "en", algorithm="textrank", sentences=3)
    textrank = time.perf_counter() - start
    textrank_cpu = time.process_time() - textrank_cpu

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(db_path=Path(tmp) / "p.db", workers=args.workers)
        catalog = load_catalog(settings.topics_file)
        with worker_pool(args.workers, SPAWN) as pool:
            # Started and warmed outside the measurement, as the bot does at start-up
            # (bot.app.warm_workers): every worker has imported the pipeline.
            pids = warm(pool, args.workers)
            prepared = {"at": 0.0}

            def progress(done: int, total: int) -> None:
                if done == total:
                    prepared["at"] = time.perf_counter()

            async with await Store.open(settings.db_path) as store:
                workers_cpu = cpu_seconds(pids)
                main_cpu = time.process_time()
                start = time.perf_counter()
                report = await ingest_bytes(store, data, "bench.txt", settings, catalog,
                                            executor=pool, progress=progress)
                pipeline = time.perf_counter() - start
                main_cpu = time.process_time() - main_cpu
                workers_cpu = cpu_seconds(pids) - workers_cpu
                writing = start + pipeline - prepared["at"]
                # A later upload, as a running bot gets: the workers' caches (stems, names,
                # words) are warm, and the database holds the first one's articles.
                later = dump_text(distinct(n, seed=7, start=n))
                later_cpu = cpu_seconds(pids) + time.process_time()
                start = time.perf_counter()
                again = await ingest_bytes(store, later, "later.txt", settings, catalog,
                                           executor=pool)
                later_time = time.perf_counter() - start
                later_cpu = cpu_seconds(pids) + time.process_time() - later_cpu
        # What one worker does in the pipeline (half the articles, in the ingest's batches,
        # caches cold), alone in its process: the gap to the pipeline's figure above is what
        # two workers running at once, with the ingesting process, cost each other.
        with worker_pool(1, SPAWN) as single:
            alone_pids = warm(single, 1)
            half = parsed_half(data)
            alone_cpu = cpu_seconds(alone_pids)
            for begin in range(0, len(half), 32):
                single.submit(prepare_in_worker, half[begin:begin + 32], config_of(settings,
                              catalog)).result()
            alone_cpu = cpu_seconds(alone_pids) - alone_cpu
    words = sum(len(a.body.split()) for a in articles) / n
    print(f"pipeline: {n} distinct BBC-length articles ({words:.0f} words on average, "
          f"{len(data) / 2**20:.1f} MB)")
    print(f"  Sumy TextRank alone, 1 process:  {n / textrank:6.1f} articles/s")
    print(f"  whole pipeline, {args.workers} workers:       {n / pipeline:6.1f} articles/s "
          f"(stored {report.stored})")
    print(f"  ratio pipeline / TextRank alone: {textrank / pipeline:.2f}")
    print(f"  of the pipeline's {pipeline:.1f} s: parse and prepare in the workers "
          f"{pipeline - writing:.1f} s, the write phase (its transactions) {writing:.1f} s "
          f"({writing / n * 1000:.1f} ms/article)")
    if workers_cpu >= 0:
        # CPU time does not depend on what else the machine runs: with two cores to itself,
        # the pipeline would reach at best (its CPU per article / 2) per article.
        total_cpu = workers_cpu + main_cpu
        print(f"  CPU per article: workers {workers_cpu / n * 1000:.2f} ms, this process "
              f"{main_cpu / n * 1000:.2f} ms (parse, results, write phase); "
              f"TextRank alone {textrank_cpu / n * 1000:.2f} ms")
        print(f"  ratio on two free cores (CPU): {textrank_cpu / (total_cpu / 2):.2f}")
        print(f"  one worker alone, half the articles (cold caches): "
              f"{alone_cpu / len(half) * 1000:.2f} ms/article")
    print(f"  a later upload of {n} other articles (warm workers, {report.stored} stored): "
          f"{n / later_time:.1f} articles/s, ratio {textrank / later_time:.2f}"
          + (f"; CPU {later_cpu / n * 1000:.2f} ms/article, on two free cores "
             f"{textrank_cpu / (later_cpu / 2):.2f}" if workers_cpu >= 0 else "")
          + f" (stored {again.stored})")

    print("  stages of prepare, CPU in one process (after the TextRank pass):")
    start = time.process_time()
    parse_dump(data, "bench.txt")
    per_article("parse", time.process_time() - start, n)
    timings: dict[str, float] = {}

    def stage(name: str, run: object) -> None:
        began = time.process_time()
        for a in articles:
            run(a)  # type: ignore[operator]
        timings[name] = time.process_time() - began

    stage("repair", lambda a: (repair(a.title), repair(a.body)))
    stage("language", lambda a: detect_language(f"{a.title}\n{a.body}"))
    stage("topics", lambda a: classify(catalog, a.title, a.body, "en"))
    stage("summary (default)", lambda a: summarize(
        a.title, summary_text(a.body, "en"), "en", algorithm="default",
        sentences=settings.summary_sentences, max_chars=settings.summary_max_chars))
    stage("fingerprint (MinHash, keys)", lambda a: (
        dedup.band_keys(dedup.minhash(f"{a.title}\n{a.body}")), dedup.text_key(a.title, a.body),
        dedup.canonical_url(a.source_url), dedup.quality(a.body, a.source_url)))
    stage("link features", lambda a: linking.features(a.title, a.body, "en").dumps())
    for name, seconds in timings.items():
        per_article(name, seconds, n)
    per_article("all stages", sum(timings.values()), n)
    config = config_of(settings, catalog)
    fresh = distinct(n, seed=6, start=n)  # changed copies of the same originals
    start = time.process_time()
    prepare_batch(fresh, config)
    per_article("prepare, other articles", time.process_time() - start, n)


def config_of(settings: Settings, catalog: TopicCatalog) -> PrepareConfig:
    return PrepareConfig(catalog, settings.summary_algorithm, settings.summary_sentences,
                         settings.summary_max_chars)


def parsed_half(data: bytes) -> list[RawArticle]:
    """Every other article of the dump as the parser gives them (language not set)."""
    return parse_dump(data, "bench.txt").articles[::2]


def warm(pool: Executor, workers: int) -> set[int]:
    """Wait until every worker has started (its initializer imports the pipeline); their
    process ids."""
    seen: set[int] = set()
    while len(seen) < workers:
        seen.update(f.result() for f in [pool.submit(_warm_one) for _ in range(workers)])
    return seen


def cpu_seconds(pids: set[int]) -> float:
    """CPU time used so far by these processes (Linux /proc); -1 where it cannot be read."""
    total = 0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    except (OSError, IndexError, ValueError):
        return -1.0
    return total / os.sysconf("SC_CLK_TCK")


def _warm_one() -> int:
    warm_up()
    time.sleep(0.2)  # hold this worker, so the next warm-up goes to another
    return os.getpid()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
