"""Stored articles' linking features and lookup keys, brought up to date with the current rules.

A new article finds the stored versions it may be a translation of through the lookup keys
of ``article_numbers`` (``digest.linking.LinkFeatures.index_keys``), and compares itself with
their stored ``link_features``. Both are written at ingest, so rows stored by an older
newsbot carry what it knew then: no concept keys before the words rule, the concepts of an
older lexicon. ``newsbot refresh-link-keys`` reads the rows page by page, has the features
computed again (``digest.linking.refreshed_features``, in a worker) and rewrites here the
rows whose features changed, with their keys, one short transaction a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from digest import linking
from digest.storage.articles import Store


@dataclass(frozen=True, slots=True)
class StoredText:
    """What a row's linking features are computed from, and what it holds now."""

    id: int
    title: str
    body: str
    lang: str
    link_features: str | None


class LinkKeys:
    def __init__(self, store: Store) -> None:
        self._reads = store._reads
        self._writes = store._writes

    async def page(self, after: int, limit: int) -> list[StoredText]:
        """Up to `limit` article rows with ids above `after`, in id order."""
        async with self._reads.execute(
            "SELECT id, title, body, lang, link_features FROM articles WHERE id > ? "
            "ORDER BY id LIMIT ?",
            (after, limit),
        ) as cursor:
            return [StoredText(r[0], r[1], r[2], r[3], r[4]) for r in await cursor.fetchall()]

    async def write(self, changed: Sequence[tuple[StoredText, str]]) -> int:
        """Store each row's new features and lookup keys; how many rows were rewritten.

        A row is rewritten only if it still holds the features it was read with: an ingest
        that replaced its text meanwhile (a better copy) wrote features of its own, computed
        by the same code, and a deleted row needs none.
        """
        written = 0
        async with self._writes.transaction() as db:
            for old, features in changed:
                # Keys are filed under the row's date and language (migration 8).
                async with db.execute(
                    "UPDATE articles SET link_features = ? WHERE id = ? AND link_features IS ? "
                    "RETURNING date, lang",
                    (features, old.id, old.link_features),
                ) as cursor:
                    updated = await cursor.fetchone()
                if updated is None:
                    continue
                day, lang = updated
                await db.execute("DELETE FROM article_numbers WHERE article_id = ?", (old.id,))
                await db.executemany(
                    "INSERT OR IGNORE INTO article_numbers (number, date, lang, article_id) "
                    "VALUES (?, ?, ?, ?)",
                    [(key, day, lang, old.id)
                     for key in linking.LinkFeatures.loads(features).index_keys()],
                )
                written += 1
        return written

