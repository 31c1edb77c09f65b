"""Keyword follows and mutes: parsing what the reader typed, stemming, matching. Pure.

A *term* is a word or a phrase ("Constitutional Court"), stored case-folded. It is matched
in every language the bot stores (English, Russian, Kazakh) with that language's stemmer,
the one topics use (``digest.stemming``): each word of the term matches any word of the
article whose stem *starts with* the word's stem, so `налог` catches `налоговый` (stem
`налогов`) and `tax` catches `taxes`. Stems shorter than ``PREFIX_MIN`` must match exactly,
so `ai` does not catch every word beginning with those letters. The Kazakh stemmer reads a
Latin-script word through its Cyrillic spelling (``digest.translit``, as topics do), so a
term typed in Latin letters catches Cyrillic Kazakh (`salyq` catches `салықтық`) and the
other way round. A phrase matches when its words come in order, next to each other (stop
words aside), in the title or in the text.

Articles are indexed once (``index_stems``: the distinct stems of title and text), so
finding the articles for a follow is a lookup of its stems, not a scan of every article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from digest.compose import Digest, DigestSection
from digest.languages import LANGUAGES
from digest.models import Article
from digest.stemming import stem, stop_words

MAX_FOLLOWS = 20  # per reader, and as many mutes
MAX_TERM_CHARS = 60
MAX_TERM_WORDS = 5
PREFIX_MIN = 4  # a stem this long or longer also matches longer stems it begins

_WORD = re.compile(r"\w+")
_QUOTES = str.maketrans({c: '"' for c in "“”«»„‟″"})
_PIECE = re.compile(r'"([^"]*)"?|([^,"]+)')

class TermError(ValueError):
    """What the reader typed cannot be a follow; `reason` is "empty" or "too_long"."""

    def __init__(self, reason: str, term: str) -> None:
        super().__init__(f"{reason}: {term!r}")
        self.reason = reason
        self.term = term


@dataclass(frozen=True, slots=True)
class Key:
    """One way a term can appear: its stems, in order, in one language."""

    lang: str
    stems: tuple[str, ...]


def parse_terms(text: str) -> list[str]:
    """The terms in what the reader typed after /follow: comma-separated, a quoted phrase
    kept whole (commas inside it too). Each is case-folded with whitespace collapsed; the
    same term twice is listed once. Raises TermError for an empty or overlong term."""
    terms: list[str] = []
    for match in _PIECE.finditer(text.translate(_QUOTES)):
        raw = match.group(1) if match.group(1) is not None else match.group(2)
        if raw is None or (match.group(1) is None and not raw.strip()):
            continue
        terms.append(normalise_term(raw))
    if not terms:
        raise TermError("empty", text.strip())
    return list(dict.fromkeys(terms))


def normalise_term(raw: str) -> str:
    term = " ".join(raw.split()).casefold()
    if not _WORD.search(term):
        raise TermError("empty", raw.strip())
    if len(term) > MAX_TERM_CHARS or len(_WORD.findall(term)) > MAX_TERM_WORDS:
        raise TermError("too_long", term)
    return term


def _stems(words: Iterable[str], lang: str) -> tuple[str, ...]:
    """Stems of the words that are not stop words in `lang` (all of them if all are)."""
    words = list(words)
    kept = [w for w in words if w not in stop_words(lang)] or words
    return tuple(stem(w, lang) for w in kept)


def term_keys(term: str) -> list[Key]:
    """Every (language, stems) under which `term` is looked for."""
    words = _WORD.findall(term.casefold())
    keys = [Key(lang, _stems(words, lang)) for lang in LANGUAGES]
    return [k for k in dict.fromkeys(keys) if k.stems]


def index_stems(title: str, body: str, lang: str) -> set[str]:
    """The distinct stems of an article's title and text (stop words left out)."""
    words = _WORD.findall(f"{title}\n{body}".casefold())
    stops = stop_words(lang)
    return {stem(w, lang) for w in words if w not in stops}


def index_batch(rows: Sequence[tuple[int, str, str, str]]) -> list[tuple[int, list[str]]]:
    """`index_stems` for (id, title, body, lang) rows: run in a worker for a whole batch."""
    return [(aid, sorted(index_stems(title, body, lang))) for aid, title, body, lang in rows]


def stem_matches(stem_of_text: str, stem_of_term: str) -> bool:
    if len(stem_of_term) >= PREFIX_MIN:
        return stem_of_text.startswith(stem_of_term)
    return stem_of_text == stem_of_term


def prefix_range(stem_of_term: str) -> tuple[str, str]:
    """The index range [low, high] of text stems that `stem_matches` accepts."""
    if len(stem_of_term) >= PREFIX_MIN:
        return stem_of_term, stem_of_term + "\U0010ffff"
    return stem_of_term, stem_of_term


def contains_phrase(text: str, lang: str, stems: Sequence[str]) -> bool:
    """Whether `text` has words matching `stems` in order, next to each other."""
    if len(stems) <= 1:
        return True  # a single word: the index lookup already decided
    words = [w for w in _WORD.findall(text.casefold()) if w not in stop_words(lang)]
    seq = [stem(w, lang) for w in words]
    n = len(stems)
    return any(
        all(stem_matches(seq[i + j], stems[j]) for j in range(n))
        for i in range(len(seq) - n + 1)
    )


def phrase_check(
    candidates: Sequence[tuple[int, str, str, str, tuple[str, ...]]],
) -> list[int]:
    """Ids of the (id, title, body, lang, stems) candidates where the phrase really occurs
    (in the title or in the text); run in a worker."""
    return [
        aid for aid, title, body, lang, stems in candidates
        if contains_phrase(title, lang, stems) or contains_phrase(body, lang, stems)
    ]


def with_follows(
    digest: Digest,
    follows: Sequence[str],
    matches: Mapping[str, Sequence[Article]],
    muted: set[int],
    section_title: Mapping[str, str],
) -> Digest:
    """The digest with a section per follow that matched, first, and muted articles gone.

    Each story appears once: in the section of the first follow it matches (in the order
    the reader added them), else in its topic section. `muted` holds story ids.
    `section_title[term]` is the heading ("Following: tax") in the reader's language.
    """
    placed: set[int] = set(muted)
    sections: list[DigestSection] = []
    for term in follows:
        mine = [a for a in _newest_first(matches.get(term, ())) if story_key(a) not in placed]
        if mine:
            placed.update(story_key(a) for a in mine)
            sections.append(DigestSection(f"follow:{term}", section_title[term], mine))
    for section in digest.sections:
        rest = [a for a in section.articles if story_key(a) not in placed]
        placed.update(story_key(a) for a in rest)
        if rest:
            sections.append(DigestSection(section.topic, section.title, rest))
    return Digest(sections)


def _newest_first(articles: Iterable[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (a.date, a.id), reverse=True)


def story_key(article: Article) -> int:
    """The article's story id (an article outside any story counts as its own story)."""
    return article.story_id if article.story_id is not None else -article.id
