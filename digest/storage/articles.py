"""The articles and stories as readers see them: latest, search, topics, counts.

Every read goes through the read connections, so it never waits for a write (see
``digest.storage.connection``), and leaves out the rows of an ingest that has not finished
(``digest.storage.visibility``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, Self

import aiosqlite

from digest import stories
from digest.models import Article, Version
from digest.storage.connection import READERS, iso
from digest.storage.database import Database
from digest.storage.search_cache import Kept, SearchCache
from digest.storage.visibility import PENDING, visible, visible_id

_FTS_WORD = re.compile(r"\w+")
# How many of a search's matches are ranked: the newest stored ones (see Store._hits).
RANKED_MATCHES = 500
# An article row as `_assemble` reads it (alias a): the row, and its topics and source URLs
# as JSON lists of [key, value] (ordered in `_ordered`), so a page of stories is one read.
_STORY_COLUMNS = (
    "a.*, (SELECT json_group_array(json_array(t.score, t.topic)) "
    "FROM article_topics t WHERE t.article_id = a.id AND t.assigned = 1) AS topics_json, "
    "(SELECT json_group_array(json_array(s.id, s.url)) FROM article_sources s "
    f"WHERE s.article_id = a.id AND {visible('s')}) AS sources_json"
)
# The search generation (schema.py) in the snapshot of the statement that reads it.
_GENERATION = "(SELECT generation FROM search_generation)"
# A word no article says: searched once on each read connection at open (Store.warm_up).
_NO_MATCH = "zq0newsbotwarmup0qz"


class Store(Database):
    """An open database and the reads of its articles; see ``Database`` for opening."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._search_cache = SearchCache()

    @classmethod
    async def open(
        cls, path: str | Path, *, readers: int = READERS, create: bool = True
    ) -> Self:
        store = await super().open(path, readers=readers, create=create)
        try:
            await store.warm_up()
        except BaseException:
            await store.close()
            raise
        return store

    async def warm_up(self) -> None:
        """Run a search's statements once on every read connection, for a word that matches
        nothing. The first full-text query of a connection loads the index's configuration
        and structure, and each statement is prepared on first use: at 100,000 articles
        that made a fresh process's first searches ~1 ms slower each (bench/README.md)."""
        words = [_NO_MATCH, _NO_MATCH]
        exact, prefixed = _fts_match(words, prefixes=False), _fts_match(words)
        await self._reads.on_each(*_ranked_statement(exact=exact))
        await self._reads.on_each(*_ranked_statement(exact=exact, prefixed=prefixed))
        await self._reads.on_each(*_stories_statement([0], generation=True))
        await self._reads.on_each(*_stories_statement([0]))

    # -- reading articles -------------------------------------------------------------

    async def _articles(self, sql: str, params: Sequence[Any] = ()) -> list[Article]:
        async with self._reads.execute(sql, params) as cursor:
            rows = list(await cursor.fetchall())
        topics = await self._topics_of([row["id"] for row in rows])
        return [_article(row, topics.get(row["id"], [])) for row in rows]

    async def _topics_of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        result: dict[int, list[str]] = {}
        async with self._reads.execute(
            f"SELECT article_id, topic FROM article_topics WHERE assigned = 1 "
            f"AND article_id IN ({marks}) ORDER BY article_id, score DESC",
            list(ids),
        ) as cursor:
            async for row in cursor:
                result.setdefault(row[0], []).append(row[1])
        return result

    async def get_article(self, article_id: int) -> Article | None:
        found = await self._articles(
            f"SELECT * FROM articles a WHERE id = ? AND {visible('a')}", (article_id,)
        )
        if not found:
            return None
        article = found[0]
        if article.story_id is None:
            return article
        story = await self._stories([article.story_id], None)
        versions = story[0].versions if story else ()
        return replace(article, versions=versions)

    # -- reading stories ------------------------------------------------------------------
    # What a reader is shown is a story: one version of it (in their language when there
    # is one, see digest.stories), carrying the list of all its versions and the topics of
    # any of them. Every list below has one item per story.

    async def _stories(self, story_ids: Sequence[int], lang: str | None) -> list[Article]:
        """One article per story id, in the given order, chosen for a reader of `lang`."""
        if not story_ids:
            return []
        rows = await self._reads.fetchall(*_stories_statement(story_ids))
        return _assemble(rows, story_ids, lang)

    async def _story_ids(self, sql: str, params: Sequence[Any]) -> list[int]:
        async with self._reads.execute(sql, params) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def latest(
        self, topic: str | None = None, limit: int = 5, lang: str | None = None
    ) -> list[Article]:
        """The newest stories (of a topic: any version has it), one version each."""
        # A story's newest date and id (of its versions with the topic) are kept by
        # triggers in story_dates and topic_stories (schema.py): the first rows of an index.
        if topic is None:
            ids = await self._story_ids(
                "SELECT story_id FROM story_dates "
                "ORDER BY newest_date DESC, newest_id DESC LIMIT ?", (limit,)
            )
        else:
            ids = await self._story_ids(
                "SELECT story_id FROM topic_stories WHERE topic = ? "
                "ORDER BY newest_date DESC, newest_id DESC LIMIT ?",
                (topic, limit),
            )
        return await self._stories(ids, lang)

    async def search(
        self, query: str, limit: int = 10, lang: str | None = None
    ) -> list[Article]:
        """Full-text search over every version; one result per story, best match first.

        The user's words are quoted, so FTS syntax in them is inert."""
        words = _FTS_WORD.findall(query)
        if not words:
            return []
        # Versions of one story rank close together: fetch enough rows for `limit`.
        key = (tuple(words), limit * 4, RANKED_MATCHES)
        kept = self._search_cache.get(key)
        if kept is not None:
            # The page's stories and the generation in one snapshot: equal to the kept
            # one, the kept matches are what ranking them again would give.
            story_ids = list(kept.stories[:limit])
            rows = await self._reads.fetchall(*_stories_statement(story_ids, generation=True))
            if rows and rows[0]["generation"] == kept.generation:
                return _assemble(rows, story_ids, lang)
            if rows:
                self._search_cache.seen(rows[0]["generation"])
        hits, generation = await self._hits(words, limit * 4)
        if generation is not None:
            self._search_cache.seen(generation)
            self._search_cache.put(key, Kept(generation, _story_order(hits)))
        return await self._stories(list(_story_order(hits)[:limit]), lang)

    async def _hits(
        self, words: Sequence[str], limit: int
    ) -> tuple[list[tuple[int, str]], int | None]:
        """(story id, language) of the best `limit` article rows matching `words`, best
        first, and the search generation they were read at (None: no match).

        Ranking (bm25) costs per match, and a common word matches most of the archive
        (55 ms for "government" at 100,000 articles): only the newest RANKED_MATCHES
        matches (by when they were stored) are ranked. A query with fewer matches is
        ranked whole, exactly as before; bm25's statistics are the whole index's either
        way, so a match ranks the same in both.

        A word of four letters or more matches as a word start, and FTS5 builds the whole
        list of such a prefix's matches before it returns the first (twice: once more for
        bm25's statistics), 2.3 ms for "government" at 100,000 articles, where the word
        alone reads only the newest matches (0.2 ms). So the words alone are tried first:
        when they already fill the ranked window, that window is ranked and longer forms
        ("governments") are left out; otherwise the prefixes are searched, as before.

        How the choice is made depends on the number of words, by what each costs at
        100,000 articles. A single word usually fills the window by itself: its matches
        are ranked at once, and only a rarer word's few are ranked again as a prefix. All
        of several words rarely do ("broadband mobile"): ranking their matches and then
        throwing them away would cost a second ranked query and a second trip to a read
        connection's thread, so one statement first counts their newest matches up to the
        window without ranking them (0.2 ms) and ranks only the query that count chooses."""
        exact, prefixed = _fts_match(words, prefixes=False), _fts_match(words)
        if exact == prefixed:  # no word long enough to match as a prefix
            hits, _, generation = await self._ranked(exact=exact, limit=limit)
            return hits, generation
        if len(words) == 1:
            hits, full, generation = await self._ranked(exact=exact, limit=limit)
            if full:
                return hits, generation
            hits, _, generation = await self._ranked(exact=prefixed, limit=limit)
            return hits, generation
        hits, _, generation = await self._ranked(exact=exact, prefixed=prefixed, limit=limit)
        return hits, generation

    async def _ranked(
        self, *, exact: str, limit: int, prefixed: str | None = None
    ) -> tuple[list[tuple[int, str]], bool, int | None]:
        """`_hits` for one FTS5 query (`_ranked_statement`), whether its matches filled the
        ranked window, and the search generation (None: no match)."""
        rows = await self._reads.fetchall(*_ranked_statement(exact, prefixed, limit))
        if not rows:
            return [], False, None
        return [(r[0], r[1]) for r in rows], rows[0][2] >= RANKED_MATCHES, rows[0][3]

    async def articles_for_topics(
        self,
        topics: Sequence[str],
        *,
        undelivered_to: int | None = None,
        since: date | None = None,
        ingested_since: datetime | None = None,
        limit: int = 100,
        lang: str | None = None,
    ) -> list[Article]:
        """Stories with a version assigned any of `topics`, newest first, one version each
        (for a reader of `lang`); optionally only stories of which no version was ever
        delivered to a chat (a story sent in one language is not sent again in another,
        nor as a repost)."""
        if not topics:
            return []
        marks = ",".join("?" * len(topics))
        sql = [
            "SELECT a.story_id FROM articles a WHERE a.id IN (SELECT article_id FROM "
            f"article_topics WHERE assigned = 1 AND topic IN ({marks})) AND {visible('a')}"
        ]
        params: list[Any] = list(topics)
        if undelivered_to is not None:
            sql.append(
                "AND NOT EXISTS (SELECT 1 FROM articles x JOIN deliveries d "
                "ON d.article_id = x.id WHERE x.story_id = a.story_id AND d.chat_id = ?)"
            )
            params.append(undelivered_to)
        if since is not None:
            sql.append("AND a.date >= ?")
            params.append(since.isoformat())
        if ingested_since is not None:
            sql.append("AND a.ingested_at >= ?")
            params.append(iso(ingested_since))
        sql.append("GROUP BY a.story_id ORDER BY max(a.date) DESC, max(a.id) DESC LIMIT ?")
        params.append(limit)
        return await self._stories(await self._story_ids(" ".join(sql), params), lang)

    async def topic_story_ids(
        self, topics: Sequence[str], *, ingested_since: datetime
    ) -> list[int]:
        """Every story with a version assigned any of `topics` and stored since
        `ingested_since`, newest first: ``articles_for_topics`` for a whole digest run, which
        then leaves out what each chat was sent (``delivered_stories``). The order is the
        same as there: a story sent to a chat is left out with all its versions, so the
        versions that order the others are the same."""
        if not topics:
            return []
        return await self._story_ids(
            "SELECT a.story_id FROM articles a WHERE a.id IN (SELECT article_id FROM "
            "article_topics WHERE assigned = 1 AND topic IN (SELECT value FROM json_each(?))) "
            f"AND a.ingested_at >= ? AND {visible('a')} "
            "GROUP BY a.story_id ORDER BY max(a.date) DESC, max(a.id) DESC",
            (json.dumps(list(topics), ensure_ascii=False), iso(ingested_since)),
        )

    async def delivered_stories(
        self, chat_ids: Sequence[int], story_ids: Iterable[int]
    ) -> dict[int, set[int]]:
        """Of `story_ids`, those with a version delivered to each of the chats: one query for
        a page of a digest run, the same lookups as ``undelivered_to`` for each chat. (No
        pending filter: only what readers were shown is ever delivered.)"""
        stories = sorted(set(story_ids))
        if not chat_ids or not stories:
            return {}
        result: dict[int, set[int]] = {}
        async with self._reads.execute(
            "SELECT DISTINCT d.chat_id, x.story_id FROM json_each(?) s "
            "JOIN articles x ON x.story_id = s.value "
            "JOIN deliveries d ON d.article_id = x.id "
            "AND d.chat_id IN (SELECT value FROM json_each(?))",
            (json.dumps(stories), json.dumps(list(chat_ids))),
        ) as cursor:
            for chat_id, story_id in await cursor.fetchall():
                result.setdefault(chat_id, set()).add(story_id)
        return result

    async def story_link(self, article_id: int) -> dict[str, Any] | None:
        """Why an article is in its story, and the sources merged into it (for `explain`)."""
        async with self._reads.execute(
            f"SELECT story_id, link_reason FROM articles a WHERE id = ? AND {visible('a')}",
            (article_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        async with self._reads.execute(
            f"SELECT url, reason FROM article_sources s WHERE article_id = ? AND {visible('s')} "
            "ORDER BY id",
            (article_id,),
        ) as cursor:
            sources = [(r[0], json.loads(r[1])) for r in await cursor.fetchall()]
        return {
            "story": row[0],
            "reason": json.loads(row[1]) if row[1] else {},
            "sources": sources,
        }

    async def topic_scores(self, article_id: int) -> list[tuple[str, float, bool]]:
        async with self._reads.execute(
            "SELECT topic, score, assigned FROM article_topics WHERE article_id = ? "
            f"AND {visible_id('article_id')} ORDER BY score DESC",
            (article_id,),
        ) as cursor:
            return [(r[0], r[1], bool(r[2])) for r in await cursor.fetchall()]

    # -- counts ---------------------------------------------------------------------------

    async def count_articles(self) -> int:
        async with self._reads.execute(
            f"SELECT count(*) FROM articles a WHERE {visible('a')}"
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def count_stories(self) -> int:
        # story_dates has a row for each story with a visible version (schema.py).
        async with self._reads.execute("SELECT count(*) FROM story_dates") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def topic_counts(self) -> dict[str, int]:
        return await self._counts(
            "SELECT topic, count(*) FROM article_topics WHERE assigned = 1 "
            f"AND {visible_id('article_id')} GROUP BY topic"
        )

    async def topic_language_counts(self) -> dict[tuple[str, str], int]:
        async with self._reads.execute(
            "SELECT t.topic, a.lang, count(*) FROM article_topics t "
            f"JOIN articles a ON a.id = t.article_id WHERE t.assigned = 1 AND {visible('a')} "
            "GROUP BY 1, 2"
        ) as cursor:
            return {(r[0], r[1]): r[2] for r in await cursor.fetchall()}

    async def _counts(self, sql: str) -> dict[str, int]:
        async with self._reads.execute(sql) as cursor:
            return {r[0]: r[1] for r in await cursor.fetchall()}

    async def stories_by_id(self, story_ids: Sequence[int], lang: str | None) -> list[Article]:
        """The stories, in the given order, each as its version for a reader of `lang`
        (issue 12: keyword follows, instant pushes)."""
        return await self._stories(list(dict.fromkeys(story_ids)), lang)

    async def search_language_first(
        self, query: str, lang: str, limit: int = 20, offset: int = 0
    ) -> list[Article]:
        """`search` for inline sharing (issue 12): stories with a version in `lang` first,
        then the others, each group by relevance; an empty query gives the newest stories,
        again those in `lang` first. `offset` pages through the result."""
        words = _FTS_WORD.findall(query)
        if not words:
            # The first offset + limit stories with a version in lang, then as many without
            # one, each newest first (story_dates): the start of that list is the
            # start of the whole order, read from an index, not by grouping every row.
            has_lang = ("EXISTS (SELECT 1 FROM articles a WHERE a.story_id = s.story_id "
                        f"AND a.lang = ? AND {visible('a')})")
            newest = "ORDER BY newest_date DESC, newest_id DESC"
            ids = await self._story_ids(
                "SELECT story_id FROM ("
                f"SELECT * FROM (SELECT 0 AS other, * FROM story_dates s WHERE {has_lang} "
                f"{newest} LIMIT ?) UNION ALL SELECT * FROM (SELECT 1 AS other, * "
                f"FROM story_dates s WHERE NOT {has_lang} {newest} LIMIT ?)) "
                f"ORDER BY other, newest_date DESC, newest_id DESC",
                (lang, offset + limit, lang, offset + limit),
            )
            return await self._stories(ids[offset : offset + limit], lang)
        # Hits by relevance (each version its own row); a story ranks at its best hit.
        # Kept matches (as in `search`) are checked by the next read, in_lang's.
        key = (tuple(words), (offset + limit) * 5 + 50, RANKED_MATCHES)
        kept = self._search_cache.get(key)
        if kept is not None:
            ranked = kept.stories
            in_lang, generation = await self._stories_in(ranked, lang)
            if generation != kept.generation:
                self._search_cache.seen(generation)
                kept = None
        if kept is None:
            hits, ranked_at = await self._hits(words, key[1])
            ranked = _story_order(hits)
            if ranked_at is not None:
                self._search_cache.seen(ranked_at)
                self._search_cache.put(key, Kept(ranked_at, ranked))
            in_lang, _ = await self._stories_in(ranked, lang)
        ordered = sorted(ranked, key=lambda sid: sid not in in_lang)  # stable: relevance kept
        return await self._stories(ordered[offset : offset + limit], lang)

    async def _stories_in(
        self, story_ids: Sequence[int], lang: str
    ) -> tuple[set[int], int]:
        """Which of the stories have a visible version in `lang` (whichever version hit),
        and the search generation in the same snapshot."""
        rows = await self._reads.fetchall(
            "SELECT DISTINCT story_id, NULL FROM articles a WHERE lang = ? "
            f"AND story_id IN (SELECT value FROM json_each(?)) AND {visible('a')} "
            "UNION ALL SELECT NULL, generation FROM search_generation",
            (lang, json.dumps(list(story_ids))),
        )
        return {r[0] for r in rows if r[0] is not None}, next(
            r[1] for r in rows if r[0] is None)

    async def recent_ingests(self, limit: int = 5) -> list[dict[str, Any]]:
        async with self._reads.execute(
            f"SELECT * FROM ingests WHERE id NOT IN ({PENDING}) ORDER BY id DESC LIMIT ?",
            (limit,),
        ) as cursor:
            rows = await cursor.fetchall()
        return [{**dict(r), "problems": json.loads(r["problems"])} for r in rows]


def _story_order(hits: Iterable[tuple[int, str]]) -> tuple[int, ...]:
    """The stories of ranked hits, each once, at its best hit."""
    return tuple(dict.fromkeys(story_id for story_id, _ in hits))


def _stories_statement(
    story_ids: Sequence[int], *, generation: bool = False
) -> tuple[str, list[str]]:
    """The rows (`_STORY_COLUMNS`) of the stories' visible articles, by id, with the search
    generation in each (`generation`). One statement, each row with its topics and source
    URLs as JSON: every read is a trip to a read connection's thread, and `latest` and
    `search` end here. The ids are one JSON parameter, so the statement is the same for
    any number of them, prepared once per connection (Store.warm_up)."""
    extra = f", {_GENERATION} AS generation" if generation else ""
    return (
        f"SELECT {_STORY_COLUMNS}{extra} FROM articles a "
        f"WHERE story_id IN (SELECT value FROM json_each(?)) AND {visible('a')} ORDER BY id",
        [json.dumps(list(story_ids))],
    )


def _ranked_statement(
    exact: str, prefixed: str | None = None, limit: int = 0
) -> tuple[str, dict[str, Any]]:
    """The statement that ranks the newest RANKED_MATCHES matches of the FTS5 query `exact`
    and returns the best `limit` rows: story id, language, how many were ranked, the search
    generation. With `prefixed`, it first counts the newest matches of `exact` up to the
    window without ranking them, and ranks `prefixed` instead when they do not fill it
    (`Store._hits`)."""
    if prefixed is None:
        probe, match = "", ":exact"
    else:
        probe = (
            "probe AS MATERIALIZED (SELECT rowid FROM articles_fts "
            f"WHERE articles_fts MATCH :exact AND {visible_id('rowid')} "
            "ORDER BY rowid DESC LIMIT :window), "
        )
        match = "iif((SELECT count(*) FROM probe) >= :window, :exact, :prefixed)"
    sql = (
        f"WITH {probe}newest AS MATERIALIZED (SELECT rowid AS id, "
        "bm25(articles_fts, 5.0, 1.0) AS rank FROM articles_fts "
        f"WHERE articles_fts MATCH {match} AND {visible_id('rowid')} "
        "ORDER BY rowid DESC LIMIT :window) "
        f"SELECT a.story_id, a.lang, (SELECT count(*) FROM newest), {_GENERATION} "
        "FROM newest n "
        # Required, not hinted: the planner would read the rows by id (see schema.py).
        "JOIN articles a INDEXED BY articles_hit ON a.id = n.id "
        "ORDER BY n.rank, a.date DESC, a.id DESC LIMIT :limit"
    )
    params: dict[str, Any] = {"exact": exact, "window": RANKED_MATCHES, "limit": limit}
    if prefixed is not None:
        params["prefixed"] = prefixed
    return sql, params


def _assemble(
    rows: Sequence[aiosqlite.Row], story_ids: Sequence[int], lang: str | None
) -> list[Article]:
    """One article per story id, in the given order, chosen for a reader of `lang`, from
    the rows (`_STORY_COLUMNS`) of those stories' articles, by id."""
    by_story: dict[int, list[aiosqlite.Row]] = {}
    for row in rows:
        by_story.setdefault(row["story_id"], []).append(row)
    return [_story(by_story[i], lang) for i in story_ids if i in by_story]


def _story(members: Sequence[aiosqlite.Row], lang: str | None) -> Article:
    """A story's version for a reader of `lang`, from its article rows (by id), with the
    versions and topics of them all. Each Article is built once, with its final fields
    (a search page builds ten: `dataclasses.replace` was a third of the time)."""
    topics = [_ordered(row["topics_json"], reverse=True) for row in members]
    if len(members) == 1:  # most stories: nothing to choose or merge
        row = members[0]
        return _article(row, topics[0], tuple(_versions(row, _ordered(row["sources_json"]))))
    candidates = [Version(row["id"], row["lang"], None) for row in members]
    chosen = stories.pick(candidates, lang, [row["quality"] for row in members])
    at = next(i for i, candidate in enumerate(candidates) if candidate is chosen)
    versions = tuple(
        v for row in sorted(members, key=lambda r: (_LANG_ORDER.get(r["lang"], 9), r["id"]))
        for v in _versions(row, _ordered(row["sources_json"]))
    )
    story_topics = list(dict.fromkeys([*topics[at], *(t for each in topics for t in each)]))
    return _article(members[at], story_topics, versions)


def _ordered(pairs_json: str, *, reverse: bool = False) -> list[str]:
    """The values of a JSON list of [key, value] pairs, by key (`_stories`)."""
    if pairs_json == "[]":
        return []
    pairs = _decode(pairs_json)
    if len(pairs) == 1:
        return [pairs[0][1]]
    # Topics of equal score keep the order SQLite gave (as ORDER BY score DESC did).
    return [value for _, value in sorted(pairs, key=itemgetter(0), reverse=reverse)]


# json.loads without its per-call checks: a page of stories decodes two lists a row.
_decode = json.JSONDecoder().decode


def _article(
    row: aiosqlite.Row, topics: list[str], versions: tuple[Version, ...] = ()
) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        date=date.fromisoformat(row["date"]),
        body=row["body"],
        source_url=row["source_url"],
        lang=row["lang"],
        summary=row["summary"],
        topics=topics,
        section=row["section"],
        ingested_at=datetime.fromisoformat(row["ingested_at"]),
        duplicates=row["duplicates"],
        story_id=row["story_id"],
        versions=versions,
    )


_LANG_ORDER = {"kk": 0, "ru": 1, "en": 2}


def _fts_match(words: Sequence[str], *, prefixes: bool = True) -> str:
    """An FTS5 query of the user's words, each quoted (FTS syntax in them is inert); with
    `prefixes`, words of four letters or more match as prefixes too."""
    return " ".join(f'"{w}"*' if prefixes and len(w) >= 4 else f'"{w}"' for w in words)


def _versions(row: aiosqlite.Row, urls: list[str]) -> list[Version]:
    """One version per source URL of an article row (its reposts included), or one without
    a URL."""
    if not urls:
        return [Version(row["id"], row["lang"], row["source_url"], row["title"])]
    # The address of the text kept comes first: links to "the Russian version" go there.
    ordered = sorted(urls, key=lambda url: url != row["source_url"])
    return [Version(row["id"], row["lang"], url, row["title"]) for url in ordered]
