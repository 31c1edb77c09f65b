"""The story lookup's keys, counted in memory for the length of one ingest transaction.

A new article's story candidates are the stored articles of its window (three days)
sharing a number or a name key with it, or enough concept keys (``article_numbers``,
``digest.linking.LinkFeatures.index_keys``). Counted in SQL, each lookup read every entry
of its 30-odd keys in each day of the window, grouped them by article in a temporary
B-tree and sorted the groups: 0.5 ms an article at 600 articles of one day, twice (the
rewrite lookup in the article's language, then the translation lookup in the others),
and growing with the day. A day's articles share most of their keys, so the entries are
read here once per transaction, per (day, key), kept by language, and counted by the
Counter's C loop; the rows a lookup then needs come by id.

Inside a transaction nothing but the transaction itself writes the table, and it tells
the index what it writes (`added`, `forget`). Between two chunks of an ingest another
write may come (a bot write on the same connection, ``newsbot refresh-link-keys`` on
another): the index is kept from one chunk to the next only when neither the connection's
count of changed rows nor SQLite's ``data_version`` (commits of other connections) moved
in between, and dropped with a chunk that rolls back.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from heapq import nlargest
from itertools import chain

from digest import linking

_CONCEPT = linking.CONCEPT_KEY


class KeyIndex:
    """``article_numbers`` entries of the (day, key) pairs looked up so far: the article
    ids of each (day, key), by language, in the order of the table's primary key."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._seen: tuple[int, int] | None = None  # (data_version, total_changes) at the end
        # The story lookups' rows by id (language, date and features; the story as last
        # read): read once, not at every lookup that meets them again.
        self.known: dict[int, linking.Candidate] = {}
        self._entries: dict[tuple[str, str], dict[str, list[int]]] = {}
        self._days: dict[str, bool] = {}  # whether a day has any entry at all
        # The last count, for the second lookup of the same article (no write between).
        self._counted: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self._counts: dict[str, tuple[Counter[int], set[int]]] = {}

    def begin(self) -> None:
        """A transaction began: keep what the last one read only if nothing was written
        in between (see the module's docstring)."""
        if self._seen is None or self._seen != self._now():
            self.drop()

    def end(self) -> None:
        """The transaction is about to commit (nobody else can write until it has)."""
        self._seen = self._now()

    def drop(self) -> None:
        """Forget everything (the transaction rolled back, or another wrote)."""
        self.forget()
        self.known.clear()
        self._seen = None

    def _now(self) -> tuple[int, int]:
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        return int(version), self._db.total_changes

    def sharing(
        self, keys: Sequence[str], days: Sequence[str]
    ) -> dict[str, tuple[Counter[int], set[int]]]:
        """By language, how many of `keys` each article of `days` has (the entries of
        ``article_numbers`` a ``date IN days AND number IN keys`` reads, counted by
        article), and which of them share a key that is not a concept."""
        wanted = (tuple(dict.fromkeys(keys)), tuple(days))
        if wanted == self._counted:
            return self._counts
        keys = wanted[0]
        # Most days of a window hold no article at all (a dump's are mostly of one day).
        days = [day for day in wanted[1] if self._has(day)]
        self._load(keys, days)
        every: dict[str, list[list[int]]] = {}  # by language, the id lists of the keys
        strong: dict[str, list[list[int]]] = {}  # the same, of number and name keys only
        entries = self._entries
        for key in keys:
            numbers_or_names = not key.startswith(_CONCEPT)
            for day in days:
                for lang, ids in entries[day, key].items():
                    every.setdefault(lang, []).append(ids)
                    if numbers_or_names:
                        strong.setdefault(lang, []).append(ids)
        counts = {lang: (Counter(chain.from_iterable(lists)),
                         set(chain.from_iterable(strong.get(lang, ()))))
                  for lang, lists in every.items()}
        self._counted, self._counts = wanted, counts
        return counts

    def _has(self, day: str) -> bool:
        has = self._days.get(day)
        if has is None:
            has = self._days[day] = self._db.execute(
                "SELECT EXISTS (SELECT 1 FROM article_numbers WHERE date = ?)", (day,)
            ).fetchone()[0] == 1
        return has

    def _load(self, keys: Sequence[str], days: Sequence[str]) -> None:
        """Read the entries of the (day, key) pairs not read yet, one statement a day."""
        entries = self._entries
        for day in days:
            missing = [key for key in keys if (day, key) not in entries]
            if not missing:
                continue
            for key in missing:
                entries[day, key] = {}
            # One statement text whatever the number of keys: the connection's statement
            # cache (128) then keeps it, and the near-duplicate lookup's long one, compiled.
            cursor = self._db.execute(
                "SELECT number, lang, article_id FROM article_numbers "
                "WHERE date = ? AND number IN (SELECT value FROM json_each(?))",
                (day, json.dumps(missing)),
            )
            for key, lang, article_id in cursor:
                entries[day, key].setdefault(lang, []).append(article_id)

    def added(self, article_id: int, day: str, lang: str, keys: Iterable[str]) -> None:
        """The transaction wrote these entries (``INSERT OR IGNORE``: an entry it holds
        already stays one). Pairs not read yet are read with them later."""
        self._counted = None
        self._days[day] = True
        for key in keys:
            by_lang = self._entries.get((day, key))
            if by_lang is not None:
                ids = by_lang.setdefault(lang, [])
                # A pair read before holds lower ids than a new row's (a replaced row's
                # pairs are forgotten first): if the list has this one, it is its last (a
                # key given twice). No scan of a common key's thousands of ids.
                if not ids or ids[-1] != article_id:
                    ids.append(article_id)

    def forget(self) -> None:
        """The transaction deleted or rewrote entries: read them again when needed."""
        self._entries.clear()
        self._days.clear()
        self._counted = None


def top(counts: Counter[int], strong: set[int], best: int | None) -> list[int]:
    """The articles of `counts` that are candidates (a number or a name key shared, or
    MIN_INDEXED_CONCEPTS keys at all: ``linking.is_candidate``), with `best` only the
    `best` sharing the most keys, of equal counts the newest: the ids in ascending order."""
    least = linking.MIN_INDEXED_CONCEPTS
    if best is None:
        return sorted(i for i, n in counts.items() if n >= least or i in strong)
    # (count, id) pairs, ranked by the heap in C. Usually the `best` sharing the most keys
    # all share MIN_INDEXED_CONCEPTS, and so are candidates: no Python step per article.
    ranked = nlargest(best, zip(counts.values(), counts.keys(), strict=True))
    if len(ranked) == best and ranked[-1][0] < least:
        ranked = nlargest(best, [(n, i) for i, n in counts.items() if n >= least or i in strong])
    elif len(ranked) < best:
        ranked = [(n, i) for n, i in ranked if n >= least or i in strong]
    return sorted(i for _, i in ranked)
