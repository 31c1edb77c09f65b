"""A bounded dictionary memo of a one-argument function, for mapping it over many words.

A hit is a dictionary lookup in C, so ``map(memo.__getitem__, words)`` costs no Python step
per known word, where an ``lru_cache``d call builds its key and moves its entry each time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedMemo(dict[K, V], Generic[K, V]):
    """`compute`'s value for each key asked for, computed once; emptied when it holds
    `limit` keys (news repeats its words, so it fills again with the live ones)."""

    def __init__(self, compute: Callable[[K], V], limit: int) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, key: K) -> V:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.compute(key)
        return value
