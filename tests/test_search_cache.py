"""A repeated search is answered from the ranked matches kept for it (issue 9), and never
from before a change: another process's ingest publishing, a stored text changing."""

from __future__ import annotations

from concurrent.futures import Executor

from digest.ingest import ingest_bytes
from digest.settings import Settings
from digest.storage import Store
from digest.topics import load_catalog
from tests.support.db import raw
from tests.support.dumps import economy_article, jsonl


async def ingest(store: Store, settings: Settings, pool: Executor, *indexes: int,
                 word: str = "tamarisk") -> list[int]:
    articles = [economy_article(i, date=f"2026-03-{i:02d}", extra=word) for i in indexes]
    report = await ingest_bytes(store, jsonl(articles), f"d{indexes[0]}.jsonl", settings,
                                load_catalog(settings.topics_file), executor=pool)
    assert report.stored == len(indexes)
    return list(report.stored_ids)


async def found(store: Store, query: str) -> list[int]:
    return [a.id for a in await store.search(query, 10)]


async def test_a_repeated_search_sees_what_another_process_published(
    store: Store, settings: Settings, pool: Executor
) -> None:
    [first] = await ingest(store, settings, pool, 1)
    assert await found(store, "tamarisk") == [first]
    assert await found(store, "tamarisk") == [first]
    # Another process (its own store on the file) ingests a second tamarisk article.
    async with await Store.open(settings.db_path) as other:
        [second] = await ingest(other, settings, pool, 2)
    assert sorted(await found(store, "tamarisk")) == [first, second]
    # An unrelated query kept before that ingest is read again too, and still right.
    assert await found(store, "nosuchwordhere") == []


async def test_a_repeated_search_is_answered_from_its_kept_matches_until_a_publish(
    store: Store, settings: Settings, pool: Executor
) -> None:
    [first] = await ingest(store, settings, pool, 1)
    assert await found(store, "tamarisk") == [first]
    # The article leaves the search index behind the triggers' back: a search ranked again
    # would not find it, so finding it shows the kept matches answered.
    row = await (await raw(store).execute(
        "SELECT title, body FROM articles WHERE id = ?", (first,))).fetchone()
    await raw(store).execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, body) "
        "VALUES ('delete', ?, ?, ?)", (first, row[0], row[1]))
    assert await found(store, "tamarisk") == [first]
    # Any ingest publishing moves the generation: the query is ranked again.
    await ingest(store, settings, pool, 3, word="sandpiper")
    assert await found(store, "tamarisk") == []


async def test_a_repeated_search_follows_a_stored_text_that_changed(
    store: Store, settings: Settings, pool: Executor
) -> None:
    first, second = await ingest(store, settings, pool, 1, 2)
    assert sorted(await found(store, "tamarisk")) == [first, second]
    # A stored article's text is rewritten (as a better copy replacing it does).
    await raw(store).execute(
        "UPDATE articles SET body = replace(body, 'tamarisk', 'marigold') WHERE id = ?",
        (second,))
    assert await found(store, "tamarisk") == [first]
    assert await found(store, "marigold") == [second]
    # Two stories, then one: the second article joins the first's story.
    story = (await store.get_article(first)).story_id
    assert len({a.story_id for a in await store.search("report", 10)}) == 2
    await raw(store).execute("UPDATE articles SET story_id = ? WHERE id = ?", (story, second))
    assert [a.story_id for a in await store.search("report", 10)] == [story]


async def test_a_repeated_inline_search_is_kept_and_follows_a_publish(
    store: Store, settings: Settings, pool: Executor
) -> None:
    [first] = await ingest(store, settings, pool, 1)

    async def inline() -> list[int]:
        return [a.id for a in await store.search_language_first("tamarisk", "en", 10)]

    assert await inline() == [first]
    # Out of the search index behind the triggers' back: still found, from the kept matches.
    row = await (await raw(store).execute(
        "SELECT title, body FROM articles WHERE id = ?", (first,))).fetchone()
    await raw(store).execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, body) "
        "VALUES ('delete', ?, ?, ?)", (first, row[0], row[1]))
    assert await inline() == [first]
    # Another process publishes a tamarisk article: ranked again, from the index as it is.
    async with await Store.open(settings.db_path) as other:
        [second] = await ingest(other, settings, pool, 2)
    assert await inline() == [second]
