"""Topic classification from `config/topics.yaml`. Pure: a catalog in, scores out.

Topics are data. Each keyword is a word pattern (`econom*` matches any word starting with
`econom`, which also covers Kazakh and Russian inflections such as `экономикалық`), a phrase of
such patterns (`foreign minist*`), or a regular expression (`re:...`); a keyword of weight 0
or less is an exclusion or a negative keyword. A hit in the title counts `title_weight` times
more than one in the body, a hit in the lead counts again, repeated body hits count with
diminishing returns, and a topic confined to one paragraph of a longer body is a passing
mention, so that a long article mentioning a word in passing does not drift into a topic. A
topic is assigned when its score reaches `threshold` and is at least `relative` times the best
topic's score: an article is about what it is mostly about. Latin-script Kazakh is matched
through its Cyrillic transliteration. Keywords are found through an index of their stems.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any

import yaml

from digest.ascii_twin import WORD_CHARS, WordRuns
from digest.languages import LANGUAGES
from digest.text import is_latin_kazakh
from digest.translit import alphabet_of, to_cyrillic

_WORD = re.compile(r"\w+")
_WORDS = WordRuns(r"\w+", WORD_CHARS)  # a text's words (the same, faster on ASCII)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class TopicsFileError(ValueError):
    """The topics file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """One keyword: a sequence of word patterns, or a regular expression."""

    text: str  # as written in the file, for explanations
    words: tuple[tuple[str, bool], ...]  # (stem, is_prefix) per word
    weight: float
    regex: re.Pattern[str] | None = None

    def count(self, text: _Text) -> int:
        return len(self.starts(text))

    def starts(self, text: _Text) -> list[int]:
        """Word positions where this keyword occurs in the text."""
        if self.regex is not None:
            joined = text.joined
            return [joined.count(" ", 0, m.start()) for m in self.regex.finditer(joined)]
        return [i for token in text.matching(self.words[0]) for i in self.starts_from(text, token)]

    def starts_from(self, text: _Text, token: str) -> list[int]:
        """Positions of this keyword's occurrences that start with `token` (its first word)."""
        rest = self.words[1:]
        return [
            i for i in text.positions[token]
            if len(following := text.tokens[i + 1 : i + 1 + len(rest)]) == len(rest)
            and all(_word_matches(t, w) for t, w in zip(following, rest, strict=True))
        ]


def _word_matches(token: str, word: tuple[str, bool]) -> bool:
    stem, prefix = word
    return token.startswith(stem) if prefix else token == stem


def _fold(text: str) -> str:
    # Russian writers drop the diaeresis at will (молодёжь / молодежь): match both as е. Latin
    # Kazakh writes e for э (eksport), so its transliteration meets экспорт* only if э is е.
    return text.casefold().replace("ё", "е").replace("э", "е")


class _Text:
    """Tokens of one text, with each word's positions and paragraph."""

    def __init__(self, text: str) -> None:
        self.tokens: list[str] = []
        self.paragraph: list[int] = []  # the paragraph (non-empty line) of each word
        for number, line in enumerate(ln for ln in text.splitlines() if ln.strip()):
            words = _WORDS.findall(_fold(line))
            self.tokens.extend(words)
            self.paragraph.extend([number] * len(words))
        self.paragraphs = (self.paragraph[-1] + 1) if self.paragraph else 0
        self.positions: dict[str, list[int]] = {}
        for i, token in enumerate(self.tokens):
            at = self.positions.get(token)  # (setdefault would build a list for every word)
            if at is None:
                self.positions[token] = [i]
            else:
                at.append(i)
        self.counts = {token: len(at) for token, at in self.positions.items()}

    @property
    def joined(self) -> str:
        return " ".join(self.tokens)

    def matching(self, word: tuple[str, bool]) -> list[str]:
        stem, prefix = word
        if not prefix:
            return [stem] if stem in self.counts else []
        return [t for t in self.counts if t.startswith(stem)]


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    names: dict[str, str]
    patterns: tuple[Pattern, ...] = ()


@dataclass(frozen=True, slots=True)
class TopicCatalog:
    topics: tuple[Topic, ...]
    threshold: float = 4.0
    relative: float = 0.3
    title_weight: float = 3.0
    lead_words: int = 0  # the first words of the body that make its lead
    lead_weight: float = 0.0  # a keyword in the lead adds lead_weight × its weight
    spread: float = 1.0  # factor for body hits confined to one paragraph (a passing mention)
    spread_paragraphs: int = 3  # ... in a body of at least this many paragraphs
    source: str = ""
    _by_id: dict[str, Topic] = field(default_factory=dict, init=False, compare=False, repr=False)
    _index: list[KeywordIndex] = field(default_factory=list, init=False, compare=False,
                                       repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({t.id: t for t in self.topics})
        self._index.append(KeywordIndex(self.topics))

    @property
    def index(self) -> KeywordIndex:
        return self._index[0]

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.topics]

    def get(self, topic_id: str) -> Topic | None:
        return self._by_id.get(topic_id)

    def name(self, topic_id: str, lang: str = "en") -> str:
        topic = self._by_id.get(topic_id)
        if topic is None:
            return topic_id
        return topic.names.get(lang) or topic.names.get("en") or topic_id

    def resolve(self, text: str) -> str | None:
        """The topic id for what a user typed: an id or a display name in any language."""
        wanted = " ".join(text.replace("_", " ").casefold().split())
        for topic in self.topics:
            candidates = [topic.id.replace("_", " "), *topic.names.values()]
            if any(wanted == " ".join(c.casefold().split()) for c in candidates):
                return topic.id
        return None


@dataclass(frozen=True, slots=True)
class TopicHit:
    topic: str
    keyword: str
    where: str  # "title" or "body"
    count: int
    points: float


@dataclass(frozen=True, slots=True)
class Classification:
    scores: dict[str, float]  # every topic with a non-zero score
    labels: list[str]  # assigned topics, best first
    hits: list[TopicHit]
    transliterated: bool = False  # Latin-script Kazakh, matched through its Cyrillic spelling


def classify(
    catalog: TopicCatalog, title: str, body: str, lang: str | None = None
) -> Classification:
    """Score every topic on title and body; assign the ones that clear both thresholds.

    Keywords of all three languages are matched, which also handles mixed-language articles.
    Kazakh in a Latin alphabet (lang "kk", or unknown, with Latin words in the majority) is
    matched through its Cyrillic transliteration, because Kazakh keywords are Cyrillic.
    """
    transliterated = lang in (None, "kk") and is_latin_kazakh(f"{title}\n{body}", lang)
    if transliterated:
        alphabet = alphabet_of(f"{title}\n{body}")
        title, body = to_cyrillic(title, alphabet), to_cyrillic(body, alphabet)
    parts = {"title": _Text(title), "body": _Text(body)}
    scores: dict[str, float] = {}
    hits: list[TopicHit] = []
    counted = {where: catalog.index.counts(text) for where, text in parts.items()}
    paragraphs = parts["body"].paragraph
    for number, topic in enumerate(catalog.topics):
        found: list[tuple[TopicHit, float]] = []  # with the unrounded points
        for pattern, starts in counted["title"][number]:
            found.append(_hit(topic.id, pattern, "title", len(starts), catalog.title_weight))
        body_paragraphs: set[int] = set()
        for pattern, starts in counted["body"][number]:
            found.append(_hit(topic.id, pattern, "body", len(starts),
                              1.0 + math.log(len(starts))))
            in_lead = sum(1 for i in starts if i < catalog.lead_words)
            if in_lead and catalog.lead_weight:
                found.append(_hit(topic.id, pattern, "lead", in_lead, catalog.lead_weight))
            if pattern.weight > 0:
                body_paragraphs.update(paragraphs[i] for i in starts)
        # A topic seen in one paragraph only of a longer text and not in the title is a
        # passing mention (a career history, a welcome at the airport): its body and lead
        # hits count `spread` times.
        passing = (
            catalog.spread != 1.0
            and parts["body"].paragraphs >= catalog.spread_paragraphs
            and len(body_paragraphs) == 1
            and not any(h.where == "title" and raw > 0 for h, raw in found)
        )
        if passing:
            found = [
                (TopicHit(h.topic, h.keyword, f"{h.where} (one paragraph)", h.count,
                          round(raw * catalog.spread, 2)), raw * catalog.spread)
                if h.where != "title" else (h, raw)
                for h, raw in found
            ]
        total = sum(raw for _, raw in found)
        hits.extend(h for h, _ in found)
        if total > 0:
            scores[topic.id] = round(total, 2)
    best = max(scores.values(), default=0.0)
    labels = sorted(
        (t for t, s in scores.items() if s >= catalog.threshold and s >= catalog.relative * best),
        key=lambda t: -scores[t],
    )
    return Classification(scores, labels, hits, transliterated)


def _hit(
    topic: str, pattern: Pattern, where: str, count: int, factor: float
) -> tuple[TopicHit, float]:
    points = pattern.weight * factor
    return TopicHit(topic, pattern.text, where, count, round(points, 2)), points


@dataclass(frozen=True, slots=True)
class _Entry:
    """A keyword reachable from a word of the text: its topic, order in the topic, pattern."""

    topic: int
    order: int
    pattern: Pattern

    @property
    def single(self) -> bool:
        return len(self.pattern.words) == 1


_SEEN_LIMIT = 200_000


class KeywordIndex:
    """Every word keyword of a catalog, indexed by its stem, so that matching a text costs a
    few dictionary lookups per distinct word instead of a scan of every keyword.

    An exact word is looked up as it is; a stem (`econom*`) is found by looking up each prefix
    of the word that is at least as long as the shortest stem. Phrases are indexed by their
    first word and checked word by word from there; regular expressions run on their own.
    """

    def __init__(self, topics: tuple[Topic, ...]) -> None:
        self.exact: dict[str, list[_Entry]] = {}
        self.prefix: dict[str, list[_Entry]] = {}
        self.regexes: list[tuple[int, Pattern]] = []
        self.topics = len(topics)
        self.orders: list[dict[Pattern, int]] = []
        for number, topic in enumerate(topics):
            self.orders.append({p: i for i, p in enumerate(topic.patterns)})
            for order, pattern in enumerate(topic.patterns):
                if pattern.regex is not None:
                    self.regexes.append((number, pattern))
                    continue
                stem, is_prefix = pattern.words[0]
                table = self.prefix if is_prefix else self.exact
                table.setdefault(stem, []).append(_Entry(number, order, pattern))
        self._seen = _Seen(self)
        self.shortest = min((len(k) for k in self.prefix), default=1)
        self.longest = max((len(k) for k in self.prefix), default=0)
        # Every beginning of a stem, from the shortest stem's length on: a word's prefixes
        # are tried in growing length until one begins no stem (mostly the first).
        self.heads = frozenset(
            k[:end] for k in self.prefix for end in range(self.shortest, len(k) + 1))

    def __getstate__(self) -> dict[str, Any]:
        # The catalog travels to worker processes: the remembered lookups stay behind.
        return {**self.__dict__, "_seen": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._seen = _Seen(self)

    def lookup(self, token: str) -> tuple[_Entry, ...]:
        found = self._seen.get(token)
        if found is None:
            entries = list(self.exact.get(token, ()))
            heads = self.heads
            for end in range(self.shortest, min(len(token), self.longest) + 1):
                head = token[:end]
                if head not in heads:
                    break  # no stem begins with it, so none with a longer prefix either
                entries.extend(self.prefix.get(head, ()))
            found = tuple(entries)
            # Words repeat across articles: remember them, within a bound on memory.
            if len(self._seen) >= _SEEN_LIMIT:
                self._seen.clear()
            self._seen[token] = found
        return found

    def counts(self, text: _Text) -> list[list[tuple[Pattern, list[int]]]]:
        """Per topic, where each of its keywords occurs (word positions), in keyword order.

        A word that several one-word keywords of one topic match (строительство:
        строительств* and строит*) counts once: for a keyword of weight 0 or less if one
        matches (an exclusion, such as тілші* "correspondent" under тіл* "language"), else for
        the heaviest (the first listed on a tie). Phrases and expressions count on their own.
        """
        found: list[dict[Pattern, list[int]]] = [{} for _ in range(self.topics)]
        owners: list[dict[str, _Entry]] = [{} for _ in range(self.topics)]
        # Each distinct word's entries by map() (a remembered word is a C lookup, a new one
        # calls `lookup`); only the few words with entries take a Python step.
        tokens = list(text.counts)
        reached = list(map(self._seen.__getitem__, tokens))
        for token, entries in compress(zip(tokens, reached, strict=True), reached):
            for entry in entries:
                if entry.single:
                    owner = owners[entry.topic].get(token)
                    if owner is None or _priority(entry) > _priority(owner):
                        owners[entry.topic][token] = entry
                else:
                    starts = entry.pattern.starts_from(text, token)
                    if starts:
                        found[entry.topic].setdefault(entry.pattern, []).extend(starts)
        for number, pattern in self.regexes:
            starts = pattern.starts(text)
            if starts:
                found[number][pattern] = starts
        for number, by_token in enumerate(owners):
            for token, entry in by_token.items():
                found[number].setdefault(entry.pattern, []).extend(text.positions[token])
        return [
            sorted(counted.items(), key=lambda item: order[item[0]])
            for order, counted in zip(self.orders, found, strict=True)
        ]


class _Seen(dict[str, tuple["_Entry", ...]]):
    """The entries of each word a KeywordIndex has looked up; a new word is looked up."""

    def __init__(self, index: KeywordIndex) -> None:
        super().__init__()
        self.index = index

    def __missing__(self, token: str) -> tuple[_Entry, ...]:
        return self.index.lookup(token)


def _priority(entry: _Entry) -> tuple[int, float, int]:
    weight = entry.pattern.weight
    return (1, -weight, -entry.order) if weight <= 0 else (0, weight, -entry.order)

def explain(classification: Classification, catalog: TopicCatalog) -> str:
    """A human-readable account of why the article got (or missed) each topic."""
    best = max(classification.scores.values(), default=0.0)
    cutoff = max(catalog.threshold, catalog.relative * best)
    lines = [
        f"assigned: {', '.join(classification.labels) or 'none'} "
        f"(a topic needs a score of at least {cutoff:.2f}: threshold {catalog.threshold:g}, "
        f"and {catalog.relative:g} × best score {best:.2f})"
    ]
    if classification.transliterated:
        lines.append("Latin-script Kazakh: keywords were matched on its Cyrillic transliteration")
    ranked = sorted(classification.scores.items(), key=lambda kv: -kv[1])
    for topic, score in ranked:
        mark = "+" if topic in classification.labels else "-"
        hits = sorted(
            (h for h in classification.hits if h.topic == topic), key=lambda h: -h.points
        )
        detail = ", ".join(f"{h.keyword} ×{h.count} in {h.where} ({h.points:g})" for h in hits)
        lines.append(f"{mark} {topic} {score:.2f}: {detail}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Loading


def load_catalog(path: str | Path) -> TopicCatalog:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TopicsFileError(f"{path}: cannot read topics file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TopicsFileError(f"{path}: topics file is not UTF-8") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}:" if where is not None else ""
        raise TopicsFileError(f"{path}:{line} not valid YAML ({exc})") from None
    return parse_catalog(raw, str(path))


def parse_catalog(raw: Any, source: str = "<topics>") -> TopicCatalog:
    def fail(reason: str) -> TopicsFileError:
        return TopicsFileError(f"{source}: {reason}")

    if not isinstance(raw, Mapping) or not isinstance(raw.get("topics"), Mapping):
        raise fail("expected a mapping with a 'topics' mapping of topic id → definition")
    options: dict[str, Any] = {}
    for key in ("threshold", "relative", "title_weight", "lead_weight", "spread",
                "lead_words", "spread_paragraphs"):
        if key in raw:
            value = raw[key]
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise fail(f"{key} must be a non-negative number, not {value!r}")
            options[key] = int(value) if key in ("lead_words", "spread_paragraphs") else float(
                value)
    topics = []
    for topic_id, spec in raw["topics"].items():
        if not isinstance(topic_id, str) or not _ID.match(topic_id):
            raise fail(f"topic id {topic_id!r} must be lower-case letters, digits and _")
        if not isinstance(spec, Mapping):
            raise fail(f"topic {topic_id}: expected a mapping with names and keywords")
        names = spec.get("names")
        if not isinstance(names, Mapping) or not all(
            isinstance(names.get(lang), str) and names[lang].strip() for lang in LANGUAGES
        ):
            raise fail(f"topic {topic_id}: names must give en, ru and kk display names")
        patterns = list(_patterns(topic_id, spec.get("keywords"), fail))
        seen: dict[tuple[tuple[str, bool], ...] | str, str] = {}
        for pattern in patterns:
            identity = pattern.words or pattern.text
            if identity in seen:
                raise fail(f"topic {topic_id}: keyword {pattern.text!r} is listed twice "
                           f"(also as {seen[identity]!r}); it would count twice")
            seen[identity] = pattern.text
        if not patterns:
            raise fail(f"topic {topic_id}: no keywords")
        topics.append(Topic(topic_id, {k: str(v).strip() for k, v in names.items()},
                            tuple(patterns)))
    if not topics:
        raise fail("no topics defined")
    return TopicCatalog(tuple(topics), source=source, **options)


def _patterns(topic_id: str, keywords: Any, fail: Any) -> Iterable[Pattern]:
    if not isinstance(keywords, Mapping):
        raise fail(f"topic {topic_id}: keywords must map a language to keyword: weight pairs")
    for lang, entries in keywords.items():
        if lang not in LANGUAGES:
            raise fail(f"topic {topic_id}: unknown keyword language {lang!r}")
        if not isinstance(entries, Mapping):
            raise fail(f"topic {topic_id}.{lang}: expected keyword: weight pairs")
        for text, weight in entries.items():
            if not isinstance(weight, int | float) or isinstance(weight, bool):
                raise fail(f"topic {topic_id}.{lang}: weight of {text!r} must be a number")
            yield _pattern(topic_id, str(text), float(weight), fail)


def _pattern(topic_id: str, text: str, weight: float, fail: Any) -> Pattern:
    if text.startswith("re:"):
        try:
            regex = re.compile(text[3:], re.IGNORECASE)
        except re.error as exc:
            raise fail(f"topic {topic_id}: bad regular expression {text!r}: {exc}") from None
        return Pattern(text, (), weight, regex)
    words: list[tuple[str, bool]] = []
    # Hyphens and apostrophes split words in the text too, so they split the keyword.
    for word in re.sub(r"[^\w*]+", " ", _fold(text)).split():
        prefix = word.endswith("*")
        stem = word.rstrip("*")
        if not _WORD.fullmatch(stem):
            raise fail(f"topic {topic_id}: keyword {text!r}: {word!r} is not a word pattern")
        # The first word's head indexes the lookup; later words only extend a match.
        if prefix and len(stem) < (2 if words else 3):
            raise fail(f"topic {topic_id}: keyword {text!r}: {word!r} is too short a prefix")
        words.append((stem, prefix))
    if not words:
        raise fail(f"topic {topic_id}: empty keyword")
    return Pattern(text, tuple(words), weight)
