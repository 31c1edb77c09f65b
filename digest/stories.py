"""Which version of a story a reader sees. Pure.

A reader has a news language (by default their interface language). They get the story's
version in that language; without one, the version in the next language of
``FALLBACK[lang]``. Within a language the best copy (highest quality) wins, then the
oldest. Without a language (``None``), the story's first version is shown: the one it
was first published as, as far as we know.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

ALL = "all"  # a reader's setting: every language; items show the others' titles too
# After the reader's own language: Kazakh and Russian readers read each other's language
# far more often than English; English readers get Russian first (the larger press).
FALLBACK: dict[str, tuple[str, ...]] = {
    "en": ("ru", "kk"),
    "ru": ("kk", "en"),
    "kk": ("ru", "en"),
}


class _Version(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def lang(self) -> str: ...


def preference(lang: str | None) -> tuple[str, ...]:
    """The languages to look for, in order."""
    if lang is None or lang not in FALLBACK:
        return ()
    return (lang, *FALLBACK[lang])


V = TypeVar("V", bound=_Version)


def pick(versions: Sequence[V], lang: str | None, quality: Sequence[float]) -> V:
    """The version to show for a reader of `lang`; `quality[i]` is versions[i]'s quality."""
    if not versions:
        raise ValueError("a story has at least one version")
    ranked = sorted(range(len(versions)), key=lambda i: (-quality[i], versions[i].id))
    for wanted in preference(lang):
        for i in ranked:
            if versions[i].lang == wanted:
                return versions[i]
    return min(versions, key=lambda v: v.id)
