"""The two levels of the LSH band index through the ingest pipeline: new bands go to a
small table, merged into the big one at the end of an ingest once due; near-duplicates are
found wherever the earlier copy's bands are, and nothing fails half-way."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime

import numpy as np
import pytest

from digest import dedup
from digest.ingest import ingest_bytes
from digest.settings import Settings
from digest.storage import Store, Subscribers, connection, ingest_writes, schema
from digest.topics import load_catalog
from tests.support.db import raw, waiting_writes

BODY = ("The akimat of Karaganda region presented the plan for the heating season: twelve "
        "boiler houses were repaired, forty kilometres of heating networks were replaced and "
        "coal reserves for the winter reached ninety percent of the norm. Residents can report "
        "outages to the single call centre at any time of day.")
OTHERS = [
    ("Astana opens a new school", "A new school for 1,200 pupils opened in the capital's "
     "Almaty district, with laboratories for chemistry and robotics and a swimming pool."),
    ("Farmers of Kostanay finish sowing", "Farmers of Kostanay region finished the spring "
     "sowing of wheat and barley on 4.2 million hectares, a week earlier than last year."),
    ("Aktobe repairs its roads", "Road crews in Aktobe repaired thirty-five streets this summer "
     "and laid new asphalt on the ring road between the airport and the railway station."),
]


def dump(*articles: tuple[str, str]) -> bytes:
    return "".join(f"{title}\n01.10.2026\n{body}\n" for title, body in articles).encode()


async def ingest(store: Store, settings: Settings, pool, data: bytes, name: str = "d.txt"):
    return await ingest_bytes(store, data, name, settings, load_catalog(settings.topics_file),
                              executor=pool)


async def bands(store: Store) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(big table, recent table) entries."""
    big = await raw(store).execute_fetchall("SELECT band, article_id FROM lsh_bands")
    recent = await raw(store).execute_fetchall("SELECT band, article_id FROM lsh_bands_recent")
    return {tuple(r) for r in big}, {tuple(r) for r in recent}  # type: ignore[misc]


def merge_after_every_ingest(monkeypatch: pytest.MonkeyPatch, chunk_rows: int = 20000) -> None:
    monkeypatch.setattr(ingest_writes, "MERGE_MIN_ARTICLES", 1)
    monkeypatch.setattr(ingest_writes, "MERGE_SHARE", 1)
    monkeypatch.setattr(ingest_writes, "MERGE_CHUNK_ROWS", chunk_rows)


@pytest.mark.parametrize("merged", [False, True])
async def test_near_duplicate_found_wherever_the_earlier_bands_are(
    store: Store, settings: Settings, pool, monkeypatch: pytest.MonkeyPatch, merged: bool
) -> None:
    if merged:
        merge_after_every_ingest(monkeypatch)
    first = await ingest(store, settings, pool, dump(("Karaganda is ready for winter", BODY)))
    big, recent = await bands(store)
    count = len(big | recent)
    (first_id,) = first.stored_ids
    # Without a merge the bands wait in the small table; with one, all are in the big one.
    assert {a for _, a in (big if merged else recent)} == {first_id}
    assert not (recent if merged else big)
    # A longer copy: it replaces the stored one, bands and all.
    longer = BODY + " The akimat thanked the workers of the boiler houses."
    again = await ingest(store, settings, pool,
                         dump(("Karaganda is ready for winter", longer)), "2.txt")
    assert (again.stored, again.duplicates_near, again.replaced) == (0, 1, 1)
    # The replacement's bands are written once, in one table (not left behind in the other).
    big, recent = await bands(store)
    assert not big & recent and len(big | recent) == count
    assert {a for _, a in big | recent} == {first_id}
    # They are the stored copy's bands; none of the replaced one's is left (the big table
    # has no index by article: they are found again by their keys).
    (signature,) = await raw(store).execute_fetchall(
        "SELECT minhash FROM articles WHERE id = ?", (first_id,))
    assert {b for b, _ in big | recent} == set(
        dedup.band_keys(np.frombuffer(signature[0], dtype=np.uint32)))


async def test_merge_in_several_transactions_moves_every_entry_in_key_order(
    store: Store, settings: Settings, pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await ingest(store, settings, pool, dump(*OTHERS[:2]))
    big, before = await bands(store)
    assert not big and len(before) > 20
    merge_after_every_ingest(monkeypatch, chunk_rows=7)  # a dozen or more transactions
    report = await ingest(store, settings, pool, dump(OTHERS[2]), "2.txt")
    big, recent = await bands(store)
    assert not recent
    assert before < big and {a for _, a in big - before} == set(report.stored_ids)
    # And the history in the big table still finds a near-duplicate of each.
    again = await ingest(store, settings, pool,
                         dump(*[(t, b.replace(".", " today.")) for t, b in OTHERS]), "3.txt")
    assert (again.stored, again.duplicates_near) == (0, 3)


async def test_failed_ingest_leaves_neither_band_table_written(
    store: Store, settings: Settings, pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    merge_after_every_ingest(monkeypatch)
    await ingest(store, settings, pool, dump(OTHERS[0]))  # merged into the big table
    monkeypatch.setattr(ingest_writes, "MERGE_MIN_ARTICLES", 10**6)
    await ingest(store, settings, pool, dump(OTHERS[1]), "2.txt")  # stays in the small one
    before = await bands(store)
    assert all(before)
    await raw(store).execute(
        "CREATE TRIGGER fail_second BEFORE INSERT ON articles WHEN (SELECT count(*) FROM "
        "articles) >= 3 BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    await raw(store).commit()
    # One article a transaction: the first is committed (pending) when the second fails,
    # and its bands are deleted with it.
    one = settings.model_copy(update={"ingest_chunk_articles": 1})
    with pytest.raises(Exception, match="disk full"):
        await ingest(store, one, pool,
                     dump(OTHERS[2], ("Karaganda is ready for winter", BODY)), "3.txt")
    assert await bands(store) == before


async def test_failed_merge_keeps_every_band_in_one_table_and_the_ingest(
    store: Store, settings: Settings, pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await ingest(store, settings, pool, dump(*OTHERS))
    _, entries = await bands(store)
    # The big table fails (a full disk) once its second merge transaction starts writing.
    await raw(store).execute(
        "CREATE TRIGGER fail_merge BEFORE INSERT ON lsh_bands WHEN (SELECT count(*) FROM "
        "lsh_bands) >= 10 BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    await raw(store).commit()
    merge_after_every_ingest(monkeypatch, chunk_rows=7)
    report = await ingest(store, settings, pool, dump(("Karaganda is ready for winter", BODY)),
                          "2.txt")
    assert report.stored == 1 and await store.count_articles() == 4  # published all the same
    big, recent = await bands(store)
    assert 7 <= len(big) < 10 and not big & recent
    assert {a for _, a in big | recent} == {*report.stored_ids, *(a for _, a in entries)}
    # Whichever table a band is in, the near-duplicate is found.
    await raw(store).execute("DROP TRIGGER fail_merge")
    await raw(store).commit()
    monkeypatch.setattr(ingest_writes, "MERGE_MIN_ARTICLES", 10**6)
    changed = BODY.replace("at any time of day", "around the clock")
    again = await ingest(store, settings, pool, dump(("Karaganda is ready for winter", changed),
                                                     *[(t, b + " Updated.") for t, b in OTHERS]),
                         "3.txt")
    assert (again.stored, again.duplicates_near) == (0, 4)


async def test_a_bot_write_queued_during_a_merge_transaction_waits_for_one_step(
    store: Store, settings: Settings, pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Transactions as long as the merge (rows and time): still, a /subscribe that comes
    while the first step of 7 entries is moved goes in right after that step."""
    await ingest(store, settings, pool, dump(*OTHERS[:2]))
    merge_after_every_ingest(monkeypatch)
    monkeypatch.setattr(ingest_writes, "MERGE_STEP_ROWS", 7)
    monkeypatch.setattr(ingest_writes, "MERGE_SECONDS", 3600.0)
    subscribers = Subscribers(store, "Asia/Almaty", "09:00")
    await subscribers.ensure(501, 501, "en", datetime(2026, 10, 1, tzinfo=UTC))
    loop = asyncio.get_running_loop()
    writes: list[asyncio.Future[object]] = []
    seen: list[tuple[int, int]] = []
    step = ingest_writes.IngestWrites._merge_step
    calls = 0

    def subscribe() -> None:
        writes.append(asyncio.ensure_future(
            subscribers.subscribe(501, ["economy"], datetime(2026, 10, 1, tzinfo=UTC))))

    def hooked(self: ingest_writes.IngestWrites, limit: int) -> tuple[int, bool]:
        nonlocal calls
        calls += 1
        if calls == 1:  # a user taps a topic now; wait until the write queues for the lock
            loop.call_soon_threadsafe(subscribe)
            deadline = time.monotonic() + 60
            while waiting_writes(store) == 0:
                assert time.monotonic() < deadline, "the write never queued"
                time.sleep(0.001)
        if calls == 2:  # the next step: what was committed before it
            con = sqlite3.connect(settings.db_path, timeout=10)
            try:
                seen.append(tuple(con.execute(  # type: ignore[arg-type]
                    "SELECT (SELECT count(*) FROM lsh_bands), "
                    "(SELECT count(*) FROM subscriptions)").fetchone()))
            finally:
                con.close()
        return step(self, limit)

    monkeypatch.setattr(ingest_writes.IngestWrites, "_merge_step", hooked)
    await ingest(store, settings, pool, dump(OTHERS[2]), "2.txt")
    await writes[0]
    big, recent = await bands(store)
    assert not recent and len(big) > 100 and calls > 10
    # The first step's entries (a key range of 7 or so) were committed, then the write.
    assert len(seen) == 1 and 7 <= seen[0][0] < 14 and seen[0][1] == 1
    assert await subscribers.topics(501) == ["economy"]


async def test_a_database_migrated_to_the_big_table_without_its_article_index_keeps_its_bands(
    settings: Settings, pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database at the schema before the rebuilt big table (found by content: versions
    # are not fixed), with bands merged into it by an ingest of that time.
    before = next(i for i, script in enumerate(schema.MIGRATIONS) if "lsh_bands_big" in script)
    real = connection.migrate
    monkeypatch.setattr(connection, "migrate",
                        lambda db: real(db, schema.MIGRATIONS[:before]))
    merge_after_every_ingest(monkeypatch)
    async with await Store.open(settings.db_path) as store:
        first = await ingest(store, settings, pool, dump(("Karaganda is ready for winter", BODY),
                                                         *OTHERS))
        old, recent = await bands(store)
    assert not recent and len(old) == 4 * dedup.BANDS
    monkeypatch.setattr(connection, "migrate", real)
    async with await Store.open(settings.db_path) as store:
        assert await bands(store) == (old, set())
        # The history still finds its near-duplicates, and a better copy replaces the bands
        # of the stored one in the big table.
        longer = BODY + " The akimat thanked the workers of the boiler houses."
        again = await ingest(store, settings, pool,
                             dump(("Karaganda is ready for winter", longer)), "2.txt")
        assert (again.stored, again.duplicates_near, again.replaced) == (0, 1, 1)
        big, recent = await bands(store)
        (signature,) = await raw(store).execute_fetchall(
            "SELECT minhash FROM articles WHERE id = ?", (first.stored_ids[0],))
        mine = {(b, a) for b, a in big | recent if a == first.stored_ids[0]}
        assert mine == {(b, first.stored_ids[0]) for b in dedup.band_keys(
            np.frombuffer(signature[0], dtype=np.uint32))}
        assert big - mine == old - {e for e in old if e[1] == first.stored_ids[0]}
