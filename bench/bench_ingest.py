"""Ingest throughput and memory on a synthetic dump built from the bundled sample.

    python bench/bench_ingest.py [--articles 2000] [--workers 2]

Each article is a sample article with a unique number and a few words changed, so nothing
is an exact duplicate and the near-duplicate index is exercised on every insert. Prints
articles/second for the whole ingest (parse, repair, topics, summaries, dedup, store) and
the peak RSS of this process and of its workers.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from digest.ingest import ingest_bytes
from digest.parsing import parse_dump
from digest.settings import load_settings
from digest.storage import Store
from digest.topics import load_catalog

SAMPLE = Path(__file__).resolve().parents[1] / "digest" / "data" / "sample_dump.txt"
FILLER = ("region", "ministry", "programme", "project", "citizens", "budget", "district", "year")


def synthetic_dump(count: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    base = parse_dump(SAMPLE.read_bytes(), SAMPLE.name).articles
    lines = ["News"]
    for i in range(count):
        a = base[i % len(base)]
        words = a.body.split()
        for _ in range(len(words) // 4):  # change a quarter of the words: a different story
            words[rng.randrange(len(words))] = rng.choice(FILLER) + str(rng.randrange(10_000))
        lines += [f"{a.title} (report {i})", a.date.strftime("%d.%m.%Y"),
                  " ".join(words) + f" Source : https://www.gov.kz/bench/{i}"]
    return ("\n".join(lines) + "\n").encode()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    data = synthetic_dump(args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(db_path=Path(tmp) / "bench.db", workers=args.workers)
        catalog = load_catalog(settings.topics_file)
        async with await Store.open(settings.db_path) as store:
            start = time.perf_counter()
            report = await ingest_bytes(store, data, "bench.txt", settings, catalog)
            elapsed = time.perf_counter() - start
            again_start = time.perf_counter()
            again = await ingest_bytes(store, data, "bench.txt", settings, catalog)
            again_elapsed = time.perf_counter() - again_start
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"dump: {args.articles} articles, {len(data) / 2**20:.1f} MiB, workers {args.workers}")
    print(f"first ingest: {elapsed:.1f} s, {report.stored / elapsed:.0f} articles/s "
          f"(stored {report.stored}, near duplicates {report.duplicates_near})")
    print(f"re-ingest (all duplicates): {again_elapsed:.1f} s, "
          f"{again.parsed / again_elapsed:.0f} articles/s (stored {again.stored})")
    print(f"peak RSS: main {self_mb:.0f} MiB, largest worker {children_mb:.0f} MiB")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
