"""The ranked stories of recent searches, kept while the database's search generation
(``search_generation``, schema.py) stays where it was when they were read.

Ranking a search at 100,000 articles costs 1-3 ms of CPU (bm25 counts every match of each
word, then ranks the newest 500), and real traffic repeats queries: the same words after a
piece of news, the next page of inline results. A kept entry is only a hint: the read of
the page's stories reads the generation again, in the same snapshot, and an entry read at
another generation is dropped and the search ranked again (``Store.search``). So a query
repeated after an ingest published, or after a stored text changed, is never answered from
before it, in this process or any other.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

# Entries kept: each is the story ids of one search's ranked matches, in order (up to 40
# for /search, up to 550 for a deep inline page): ~1.5 and ~20 KB, so 1-10 MB when full.
CAPACITY = 512


@dataclass(frozen=True, slots=True)
class Kept:
    generation: int
    stories: tuple[int, ...]  # each once, best first


class SearchCache:
    """At most `capacity` entries, the least recently used dropped first."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[Hashable, Kept] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Kept | None:
        kept = self._entries.get(key)
        if kept is not None:
            self._entries.move_to_end(key)
        return kept

    def put(self, key: Hashable, kept: Kept) -> None:
        self._entries[key] = kept
        self._entries.move_to_end(key)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def seen(self, generation: int) -> None:
        """The database is at `generation`: entries read at any other are stale."""
        stale = [key for key, kept in self._entries.items() if kept.generation != generation]
        for key in stale:
            del self._entries[key]
