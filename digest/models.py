"""Plain data passed between the pipeline's pure functions and the storage shell."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from digest.languages import LANGUAGES


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one part of a dump: reported, and that part is skipped."""

    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One article as the parser found it, before repair."""

    title: str
    date: date
    body: str
    line: int  # 1-based line of the title in the dump
    source_url: str | None = None
    section: str | None = None
    lang: str | None = None  # given by the dump (JSON Lines), else detected later


@dataclass(frozen=True, slots=True)
class ParsedDump:
    articles: list[RawArticle]
    problems: list[Problem]
    format: str  # "govkz" or "jsonl"


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """An article after the CPU-bound work (repair, language, topics, summary, fingerprints)."""

    title: str
    date: date
    body: str
    line: int
    source_url: str | None
    url_key: str | None  # canonical source URL, the identity when present
    section: str | None
    lang: str
    text_key: str  # hash of the normalised text, the identity otherwise
    minhash: bytes  # MinHash signature, uint32 values
    bands: tuple[str, ...]
    topics: dict[str, float]  # topic id -> score, only topics at or above the threshold
    topic_scores: dict[str, float]  # every topic with a non-zero score, for `explain`
    summary: str
    quality: float  # higher is the better copy of a story
    # Numbers and name skeletons for cross-language linking (digest.linking), as JSON.
    link_features: str = ""


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a story: an article row in one language, under one of its URLs.

    A row republished under several URLs (reposts) gives one version per URL.
    """

    id: int  # the article row
    lang: str
    url: str | None
    title: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    """An article as stored."""

    id: int
    title: str
    date: date
    body: str
    source_url: str | None
    lang: str
    summary: str
    topics: list[str] = field(default_factory=list)
    section: str | None = None
    ingested_at: datetime | None = None
    duplicates: int = 0
    story_id: int | None = None
    # Every version of the article's story (this one included), when read as a story.
    versions: tuple[Version, ...] = ()

    def other_languages(self) -> list[Version]:
        """One version per other language of the story (its first URL), in a fixed order."""
        seen: dict[str, Version] = {}
        for version in self.versions:
            if version.lang != self.lang and version.lang not in seen:
                seen[version.lang] = version
        return [seen[lang] for lang in sorted(seen, key=_language_order)]


def _language_order(lang: str) -> tuple[int, str]:
    order = ("kk", "ru", "en")
    return (order.index(lang) if lang in order else len(order), lang)


@dataclass(frozen=True, slots=True)
class IngestReport:
    file: str
    parsed: int
    stored: int
    duplicates_exact: int
    duplicates_near: int
    replaced: int  # stored copies swapped for a better duplicate
    topics: dict[str, int]
    languages: dict[str, int]
    problems: list[Problem]
    stored_ids: list[int] = field(default_factory=list)
    stories_new: int = 0  # stories that did not exist before this dump
    versions_linked: int = 0  # new versions (rows or repost URLs) of an existing story

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "parsed": self.parsed,
            "stored": self.stored,
            "duplicates_exact": self.duplicates_exact,
            "duplicates_near": self.duplicates_near,
            "replaced": self.replaced,
            "topics": self.topics,
            "languages": self.languages,
            "problems": [{"line": p.line, "reason": p.reason} for p in self.problems],
            "stored_ids": self.stored_ids,
            "stories_new": self.stories_new,
            "versions_linked": self.versions_linked,
        }


@dataclass(frozen=True, slots=True)
class Subscriber:
    chat_id: int
    user_id: int | None
    language: str
    timezone: str
    digest_time: str  # HH:MM, local to `timezone`
    next_digest_at: datetime | None  # UTC; None while subscribed to nothing
    active: bool
    news_language: str | None = None  # None: the interface language; "all": every language

    @property
    def reads(self) -> str:
        """The language whose version of a story this reader is sent (digest.stories)."""
        return self.news_language if self.news_language in LANGUAGES else self.language

    @property
    def reads_all(self) -> bool:
        return self.news_language == "all"


@dataclass(frozen=True, slots=True)
class DigestRun:
    id: int
    started_at: datetime
    finished_at: datetime | None
    sent: int
    failed: int
    blocked: int


@dataclass(frozen=True, slots=True)
class SubscriberCounts:
    active: int
    inactive: int
