"""Keyword follows: indexing speed, and indexed matching against a scan of every article.

    python bench/bench_follows.py [--articles 2000] [--follows 20]

Ingests a synthetic dump (as bench_ingest.py builds it), indexes the stems of every
article (``FollowStore.index_new``), then times matching one reader's follows through the
index and, for comparison, by stemming and scanning every article (what matching would cost
without the index). Prints articles/second for indexing and milliseconds per reader for
both ways of matching, and checks that both find the same articles.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ingest import synthetic_dump

from digest.follows import contains_phrase, index_stems, stem_matches, term_keys
from digest.ingest import ingest_bytes
from digest.settings import load_settings
from digest.storage import FollowStore, Store, Subscribers
from digest.topics import load_catalog

DIGEST_LIMIT = 50  # articles per follow in a digest (bot.scheduler.DIGEST_MAX_ARTICLES)
TERMS = ("budget", "region", "ministry", "minister", "health", "school", "tax", "court",
         "programme", "citizens", "energy", "water", "road", "hospital", "export",
         "digital", "farm", "police", "district", "investment")


def scan(rows: list[tuple[int, str, str, str]], terms: list[str]) -> set[int]:
    """Matching without the index: every article's stems against every term."""
    found: set[int] = set()
    for aid, title, body, lang in rows:
        stems = index_stems(title, body, lang)
        for term in terms:
            for key in term_keys(term):
                if key.lang != lang:
                    continue
                if all(any(stem_matches(s, w) for s in stems) for w in key.stems) and (
                        contains_phrase(title, lang, key.stems)
                        or contains_phrase(body, lang, key.stems)):
                    found.add(aid)
    return found


async def main(count: int, follows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(db_path=Path(tmp) / "bench.db", workers=2)
        catalog = load_catalog(settings.topics_file)
        store = await Store.open(settings.db_path)
        with ThreadPoolExecutor(2) as pool:
            await ingest_bytes(store, synthetic_dump(count), "bench.txt", settings, catalog)
            subscribers = Subscribers(store, "Asia/Almaty", "09:00")
            index = FollowStore(store, subscribers, pool)
            started = time.perf_counter()
            indexed = await index.index_new()
            took = time.perf_counter() - started
            print(f"indexed {indexed} articles in {took:.2f} s "
                  f"({indexed / took:.0f} articles/s)")
            terms = list(TERMS[:follows])
            started = time.perf_counter()
            await index.matching(terms, limit=DIGEST_LIMIT)
            indexed_ms = (time.perf_counter() - started) * 1000
            with closing(sqlite3.connect(settings.db_path)) as con:  # the scan's own input
                rows = con.execute("SELECT id, title, body, lang FROM articles").fetchall()
            started = time.perf_counter()
            scanned = scan(rows, terms)  # type: ignore[arg-type]
            scan_ms = (time.perf_counter() - started) * 1000
            # Correctness: without the digest's limit, the index finds what the scan finds.
            everything = await index.matching(terms, limit=len(rows))
            via_index = {i for ids in everything.values() for i in ids}
            print(f"{len(terms)} follows over {len(rows)} articles: indexed "
                  f"{indexed_ms:.1f} ms (newest {DIGEST_LIMIT} per follow, as a digest asks), "
                  f"scan {scan_ms:.1f} ms per reader ({scan_ms / indexed_ms:.0f}x); "
                  f"{len(via_index)} articles match, the same as the scan: "
                  f"{via_index == scanned}")
        await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--follows", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.articles, args.follows))
