"""Which articles are versions of one story. Pure functions over plain data.

Four ways two articles become versions of one story, tried in this order by the ingest:

1. **gov.kz news id.** gov.kz serves one news item in Kazakh, Russian and English under one
   address that differs only in ``?lang=`` (``.../news/details/1158714?lang=kk|ru|en``).
   :func:`news_key` is that address without its query.
2. **Reposts** (one language): near-duplicate text above the threshold, whatever the URL.
   That is ``digest.dedup``'s MinHash similarity; nothing here.
3. **Rewrites** (one language): another outlet's retelling of an item in its own words,
   too different for a near-duplicate but close in what it says (:func:`best_rewrite`).
4. **Translations without a shared id** (different languages): published within a day of
   each other, sharing distinctive numbers and proper nouns. Names are compared through a
   consonant skeleton (:func:`skeleton`) that maps Cyrillic (Russian and Kazakh) and Latin
   (English transliteration, the Kazakh Latin alphabets of 2018 and 2021) spellings of a
   name to one key: Токаев, Тоқаев, Tokayev and Toqaev are all ``tkv``.
5. **Whole stories** (any languages), once an ingest has placed all its articles: a story
   it started that is close to another story as a whole (the union of each one's versions)
   joins it (:func:`story_merges`). A partial retelling that came before the versions that
   bridge it to its item (a three-sentence excerpt, one outlet's take on one part of a
   speech) is too far from any one version, and the order of a dump is no reason to keep
   one item in two stories.

A wrong merge hides a story from readers; a missed one only repeats it. So a link needs
either several shared distinctive numbers (the *numbers* rule; one fewer when one of them
stands in both headlines), or, without them, strong
evidence of rare shared names (the *names* rule): names weighted by how few of the day's
candidate stories carry them, several of them found in no other candidate, a name of one
headline found in the other article, and a clear lead over the runner-up. Names every
story of a ministry's day shares weigh little, which is what keeps two stories of one
session apart. The thresholds were chosen by measurement on real article pairs with hard
negatives (two stories of one ministry, session or speech on one day), tuned on a dev split
and checked on a test split: see ``newsbot eval linking`` and docs/stories.md.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import compress, groupby
from operator import itemgetter, not_
from pathlib import Path

from digest import translit
from digest.ascii_twin import LETTERS, SPACE, AsciiTwin, WordRuns
from digest.memo import BoundedMemo

# -- gov.kz news ids ----------------------------------------------------------------------

_GOVKZ_NEWS = re.compile(r"^https://gov\.kz/\S+/news/details/\d+$")


def news_key(url_key: str | None) -> str | None:
    """The gov.kz news item of a canonical URL (``dedup.canonical_url``), or None.

    The key is the URL without its query, so the kk, ru and en versions share it. The
    migration that introduced stories computes the same key in SQL (digest/schema.py).
    """
    if not url_key:
        return None
    base = url_key.split("?", 1)[0]
    return base if _GOVKZ_NEWS.match(base) else None


def news_id(key: str | None) -> str | None:
    """The numeric id at the end of a news key, for messages."""
    return key.rsplit("/", 1)[-1] if key else None


# -- name skeletons -----------------------------------------------------------------------

# Cyrillic letters (Russian and Kazakh) to the Latin consonant classes used below. Vowels,
# й, у/ў (often a semivowel in Kazakh) and the signs become nothing.
_CYRILLIC = {
    "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "ж": "j", "з": "z", "к": "k",
    "қ": "k", "л": "l", "м": "m", "н": "n", "ң": "n", "п": "p", "р": "r", "с": "s",
    "т": "t", "ф": "f", "х": "h", "һ": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "š",
    "дж": "j",
}
# Latin spellings: English transliteration digraphs first, then the Kazakh Latin letters
# (2021: ş ç ğ ñ q; 2018: ǵ ń and "sh"/"ch"; the spellings some sites use: ǧ ŋ).
_LATIN_DIGRAPHS = (
    ("shch", "š"), ("sch", "š"), ("sh", "š"), ("ch", "č"), ("zh", "j"), ("dzh", "j"),
    ("kh", "h"), ("ts", "c"), ("gh", "g"), ("ph", "f"), ("ck", "k"),
)
_LATIN = {
    "b": "b", "c": "k", "d": "d", "f": "f", "g": "g", "ğ": "g", "ǵ": "g", "ǧ": "g", "h": "h",
    "j": "j",
    "k": "k", "q": "k", "l": "l", "m": "m", "n": "n", "ñ": "n", "ń": "n", "ŋ": "n", "p": "p",
    "r": "r", "s": "s", "ş": "š", "t": "t", "v": "v", "x": "ks", "z": "z", "ç": "č",
}
_VOWELS_AND_GLIDES = frozenset("aeiouyw" "áéíóúýäöüūıāī" "аәеёиіоөуұүыэюяйў" "ъь")
# The digraphs by their first letter, in the order above: only those can start at a letter.
_DIGRAPHS_AT: dict[str, tuple[tuple[str, str], ...]] = {
    first: tuple(d for d in _LATIN_DIGRAPHS if d[0][0] == first)
    for first in {digraph[0] for digraph, _ in _LATIN_DIGRAPHS}
}
_REPEATS = re.compile(r"(.)\1+")


def skeleton(word: str) -> str:
    """A spelling-independent key of a (proper) noun: its consonants in one alphabet.

    Lower-cased; Cyrillic and Latin letters mapped to consonant classes; vowels, й/y/w
    and signs dropped; doubled consonants collapsed. Inflected forms keep their stem as a
    prefix (Токаеву, Тоқаевтың -> tkv, tkvtn), which :func:`names_match` allows for.
    """
    text = unicodedata.normalize("NFC", word.casefold())
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _VOWELS_AND_GLIDES:
            i += 1
            continue
        if "а" <= ch <= "я" or ch in "әғқңөұүһіё":
            pair = text[i : i + 2]
            if pair == "дж":
                out.append("j")
                i += 2
                continue
            out.append(_CYRILLIC.get(ch, ""))
            i += 1
            continue
        for digraph, value in _DIGRAPHS_AT.get(ch, ()):
            if text.startswith(digraph, i):
                out.append(value)
                i += len(digraph)
                break
        else:
            out.append(_LATIN.get(ch, ""))
            i += 1
    joined = "".join(out)
    if "\n" in joined:  # never from the tables above; `.` below would not take it
        return _REPEATS.sub(r"\1", joined)
    # Runs of one letter collapsed, as `(.)\1+` -> `\1` does (a substitution with a
    # template calls back into Python's `re` for each text: several times the cost).
    return "".join(map(itemgetter(0), groupby(joined)))


MIN_SKELETON = 3  # shorter keys (Ли, Ua) match too much by chance

# Names every government story shares: the country, the capital, the state's titles.
COMMON_NAMES = frozenset(skeleton(w) for w in (
    "Kazakhstan", "Казахстан", "Қазақстан", "Qazaqstan", "Республика", "Republic",
    "Respublika", "Astana", "Астана", "Tokayev", "Токаев", "Тоқаев", "Президент",
    "President", "Kassym", "Касым", "Жомарт", "Jomart", "Kazinform", "Казинформ",
    "Almaty", "Алматы",
))


def names_match(a: str, b: str) -> bool:
    """Two skeletons name the same thing: equal, or one is the other's stem (inflection)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < MIN_SKELETON:
        return False
    if len(long) - len(short) > 3:  # a stem plus a long suffix: more likely another word
        return False
    return long.startswith(short)


# -- features -----------------------------------------------------------------------------

_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")
# The patterns below start with the character class of their first character and check
# what precedes it afterwards (`\d(?<![\d.,]\d)` rather than `(?<![\d.,])\d`): the same
# matches, but Python's engine then skips to candidate characters instead of trying a
# lookbehind at every position (3-8x faster on an article).
# A sentence's first word: after a sentence end or a line break (_SENTENCE_START), or at the
# start of the text (_FIRST_WORD).
_SENTENCE_START = re.compile(r"[.!?…\n](?:(?<=\n)\n*|(?<=[.!?…])\s+)([\"'«“]?)(\w+)")
_FIRST_WORD = re.compile(r"([\"'«“]?)(\w+)")
_CAPITALISED = AsciiTwin(r"([A-ZА-ЯЁӘҒҚҢӨҰҮҺІÄÖÜŞÇĞÑ](?<![\w-].)[\w'’-]{2,})")
# Thousands grouped by spaces (Russian, Kazakh) or commas (English): 1 200 000, 1,200,000.
_GROUPED_SPACE = AsciiTwin(r"\d(?<![\d.,]\d)\d{0,2}(?:[ \u00a0\u202f]\d{3})+(?![\d])")
_GROUPED_COMMA = AsciiTwin(r"\d(?<![\d.,]\d)\d{0,2}(?:,\d{3})+(?![\d,])")


@dataclass(frozen=True, slots=True)
class LinkFeatures:
    """What cross-language linking compares: distinctive numbers, name skeletons, the
    names of the headline (a subset of ``names``), and the concepts of the government-news
    lexicon the text speaks of (:func:`concepts`)."""

    numbers: frozenset[str]
    names: frozenset[str]
    title_names: frozenset[str] = frozenset()
    title_numbers: frozenset[str] = frozenset()  # the headline's (a subset of ``numbers``)
    concepts: frozenset[str] = frozenset()

    def dumps(self) -> str:
        data = {"n": sorted(self.numbers), "p": sorted(self.names)}
        if self.title_names:
            data["t"] = sorted(self.title_names)
        if self.title_numbers:
            data["h"] = sorted(self.title_numbers)
        if self.concepts:
            data["c"] = sorted(self.concepts)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def loads(cls, text: str | None) -> LinkFeatures:
        if not text:
            return cls(frozenset(), frozenset())
        return _decoded(text)

    def index_keys(self) -> frozenset[str]:
        """Keys under which the ingest finds candidates sharing anything with this article:
        the numbers, each name's first MIN_SKELETON letters after "~" (names that match
        share them; the pure functions below decide what a match is), and each concept
        that says what an item is about after "@" (the concepts most items share, such as
        the president or the government, would find every article of the day)."""
        return _index_keys(self)


# The ingest reads the same stored articles' features again for each new article of their
# days (a day's candidates for one article are mostly those of the next): decoding them,
# and what the rules derive from them alone, once per process. The features are immutable,
# so a shared copy is safe, and an entry is a few kilobytes.
FEATURES_CACHE = 4096


@lru_cache(maxsize=FEATURES_CACHE)
def _decoded(text: str) -> LinkFeatures:
    data = json.loads(text)
    return LinkFeatures(frozenset(data.get("n", ())), frozenset(data.get("p", ())),
                        frozenset(data.get("t", ())), frozenset(data.get("h", ())),
                        frozenset(data.get("c", ())))


@lru_cache(maxsize=FEATURES_CACHE)
def _index_keys(f: LinkFeatures) -> frozenset[str]:
    return (f.numbers | {NAME_KEY + n[:MIN_SKELETON] for n in f.names}
            | {CONCEPT_KEY + c for c in f.concepts if concept_weight(c) >= 1})


NAME_KEY = "~"
CONCEPT_KEY = "@"


_MAGNITUDES = (
    (re.compile(r"(?:thousand|тыс\w*|мың\w*)", re.IGNORECASE), 10**3),
    (re.compile(r"(?:million|mln|mn|млн|миллион\w*)", re.IGNORECASE), 10**6),
    (re.compile(r"(?:billion|bln|bn|млрд|миллиард\w*)", re.IGNORECASE), 10**9),
    (re.compile(r"(?:trillion|trln|trn|tn|трлн|триллион\w*)", re.IGNORECASE), 10**12),
)
# A number standing on its own: not the tail of a word or code (region4521, COVID19), but
# possibly after a currency code (KZT425bn) and with its magnitude glued on (425bn).
_NUMBER_WORD = AsciiTwin(
    r"(\d(?:(?<!\w\d)|(?<=KZT\d)|(?<=USD\d)|(?<=EUR\d)|(?<=RUB\d))\d*(?:[.,]\d+)?)"
    rf"(?:{SPACE}*(\w+))?"  # SPACE: \s, the same in the ASCII twin
)


def numbers(text: str, lang: str) -> frozenset[str]:
    """Distinctive numbers, written one way whatever the language's conventions.

    6,1 (ru) and 6.1 (en) are both "6.1"; 1 200 and 1,200 are both "1200"; 5,5 млн, 5.5
    million and 5 500 000 are all "5500000". Day numbers and other small integers (up to
    31) and the years around now say little: every story of the day has them.
    """
    text = _without_urls(text)
    text = _GROUPED_SPACE.sub(lambda m: re.sub(r"\D", "", m.group()), text)
    if lang == "en":
        text = _GROUPED_COMMA.sub(lambda m: m.group().replace(",", ""), text)
    found: set[str] = set()
    for match in _NUMBER_WORD.finditer(text):
        value = Decimal(match.group(1).replace(",", "."))
        factor = _magnitude(match.group(2) or "")
        if factor is not None:
            value *= factor
        elif value == value.to_integral_value() and (value <= 31 or 1990 <= value <= 2040):
            continue
        found.add(_plain(value))
    return frozenset(found)


@lru_cache(maxsize=4096)
def _magnitude(word: str) -> int | None:
    """The factor a word after a number stands for (`million`, `млрд`, `bn`), or None."""
    for pattern, factor in _MAGNITUDES:
        if pattern.fullmatch(word) or (word and pattern.match(word) and len(word) <= 4):
            return factor
    return None


def _without_urls(text: str) -> str:
    """The text with its addresses blanked out.

    A text without any of the pattern's anchors has none, and skipping the pattern then
    matters: its `\\S+@` part tries every start of every word (0.1 ms on an article).
    """
    if "http" not in text and "www." not in text and "@" not in text:
        return text
    return _URL.sub(" ", text)


def _plain(value: Decimal) -> str:
    """12.50 -> "12.5", 5.5e6 -> "5500000"."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def proper_names(text: str) -> frozenset[str]:
    """Skeletons of capitalised words that do not start a sentence (those are names,
    mostly), minus the names every government story shares."""
    return frozenset(_names(_without_urls(text))[0])


def _names(text: str, split: int | None = None) -> tuple[set[str], set[str]]:
    """proper_names of a text without addresses, and the part of them found from `split` on."""
    starts = {m.start(2) for m in _SENTENCE_START.finditer(text)}
    first = _FIRST_WORD.match(text)
    if first:
        starts.add(first.start(2))
    found: set[str] = set()
    after: set[str] = set()
    for match in _CAPITALISED.finditer(text):
        if match.start(1) in starts or match.group(1).isupper():
            continue  # a sentence's first word, or an acronym (SCO/ШОС differ by language)
        keys = _name_keys(match.group(1))
        found.update(keys)
        if split is not None and match.start(1) >= split:
            after.update(keys)
    return found, after


# A word's name keys are cached per process: news repeats its names (600 articles of about
# 400 words call this 36,000 times for a few thousand distinct words), and a skeleton and
# its comparison with every common name take 40 us in pure Python.
NAME_CACHE = 100_000


@lru_cache(maxsize=NAME_CACHE)
def _name_keys(word: str) -> tuple[str, ...]:
    """Skeletons of the parts of a capitalised word (`Nur-Sultan`, `O'Brien`) that can name
    something: long enough, and not one of the names every story shares."""
    keys: list[str] = []
    for part in _NAME_PARTS.split(word):
        if part.casefold() in NOT_NAMES:
            continue
        key = skeleton(part)
        if len(key) >= MIN_SKELETON and not _common(key):
            keys.append(key)
    return tuple(keys)


_NAME_PARTS = re.compile(r"[-’']")

# Words English writes with a capital in mid-sentence that name nobody: months, weekdays and
# the titles of offices ("Foreign Minister Gideon Sa'ar met ... on Monday"). Russian and
# Kazakh write them in lower case, so they never match a name of the other language and
# only lengthen an English article's vector. Compared as whole words, not as skeletons
# (the skeleton of March is a stem of Marchenko's).
NOT_NAMES = frozenset((
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "minister", "ministers", "ministry", "ministries",
    "foreign", "affairs", "deputy", "chairman", "chairwoman", "chair", "prime", "head",
    "state", "secretary", "general", "senate", "senator", "parliament", "government",
    "agency", "committee", "council", "department", "office", "national", "international",
    "ambassador", "embassy", "governor", "akim", "mayor", "speaker", "vice", "first",
    "мемлекет",  # Мемлекет басшысы, "the Head of State", capitalised in Kazakh
))


def _common(key: str) -> bool:
    return any(names_match(key, common)
               for common in _COMMON_BY_HEAD.get(key[:MIN_SKELETON], ()))


# Two names that match share their first MIN_SKELETON letters (one starts the other, and
# the shorter has at least that many: see index_keys), so a key is compared only with the
# common names that start as it does (a fresh worker checks some 13 new names an article).
_COMMON_BY_HEAD: dict[str, tuple[str, ...]] = {
    head: tuple(sorted(c for c in COMMON_NAMES if c[:MIN_SKELETON] == head))
    for head in {c[:MIN_SKELETON] for c in COMMON_NAMES}
}


_TITLE_WORD = AsciiTwin(r"[^\W\d_][\w'’-]{2,}")


def title_names(title: str, names: frozenset[str]) -> frozenset[str]:
    """Skeletons of the headline's capitalised words that the article also writes as names.

    A headline's first word, and every word of an English Title Case headline, is
    capitalised; only those the text itself treats as names count (Moscow, Arkalyk, not
    Ministers or Meet).
    """
    found: set[str] = set()
    for word in _TITLE_WORD.findall(_without_urls(title)):
        if not word[:1].isupper():
            continue
        for key in _name_keys(word):
            if any(names_match(key, n) for n in names):
                found.add(key)
    return frozenset(found)


# The body's first word, when it starts a sentence in the body alone exactly as it does after
# the headline's line (see features).
_BODY_OPENS = re.compile(r"[\"'«“]?\w")


def features(title: str, body: str, lang: str) -> LinkFeatures:
    text = f"{title}.\n{body}"
    # One pass finds the names of the whole text and of the body alone: addresses and
    # matches never span a line break, and the headline's line ends in ".\n", so from the
    # body on the sentence starts are the body's own, provided its first word starts one
    # there too (else the body is read on its own, as before).
    head, rest = _without_urls(f"{title}.\n"), _without_urls(body)
    if _BODY_OPENS.match(rest):
        found, in_body = _names(head + rest, len(head))
        names, body_names = frozenset(found), frozenset(in_body)
    else:
        names, body_names = proper_names(text), proper_names(body)
    return LinkFeatures(numbers(text, lang), names, title_names(title, body_names),
                        numbers(title, lang), concepts(text, lang))


# -- concepts -----------------------------------------------------------------------------
#
# Two stories of one speech or one ministry's day share their names (the President, the
# capital) and often have no numbers; what tells a translation from its neighbours is what
# the words say. digest/data/concepts.tsv maps word beginnings of English, Russian and
# Kazakh to language-independent concepts of government news (akim/аким/әкім, visa-free/
# безвиз/визасыз), so two texts in different languages can be compared word for word.

LEXICON_FILE = Path(__file__).resolve().parent / "data" / "concepts.tsv"
LEXICON_LANGS = ("en", "ru", "kk")
_CONCEPT_WORD = WordRuns(r"[^\W\d_]+(?:-[^\W\d_]+)*", LETTERS, "-")


@dataclass(frozen=True, slots=True)
class _Lexicon:
    exact: dict[str, dict[str, str]]  # lang -> whole word -> concept
    prefix: dict[str, dict[str, str]]  # lang -> word beginning -> concept
    phrases: dict[str, dict[str, tuple[tuple[tuple[str, ...], str], ...]]]  # lang -> first
    lengths: dict[str, tuple[int, ...]]  # lang -> lengths of its beginnings, longest first
    weights: dict[str, float]


class LexiconError(ValueError):
    """The lexicon file is malformed; the message names the file and line."""


def read_lexicon(path: Path) -> _Lexicon:
    """Read ``concept<TAB>weight<TAB>en<TAB>ru<TAB>kk`` lines; a pattern is a word
    beginning, ``=word`` a whole word, ``a+b`` two words in a row (each a beginning)."""
    exact: dict[str, dict[str, str]] = {lang: {} for lang in LEXICON_LANGS}
    prefix: dict[str, dict[str, str]] = {lang: {} for lang in LEXICON_LANGS}
    phrases: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {
        lang: {} for lang in LEXICON_LANGS}
    weights: dict[str, float] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        try:
            concept, weight = cells[0].strip(), float(cells[1])
        except (IndexError, ValueError):
            raise LexiconError(f"{path}, line {number}: expected concept<TAB>weight<TAB>"
                               "en<TAB>ru<TAB>kk") from None
        weights[concept] = weight
        for lang, column in zip(LEXICON_LANGS, cells[2:], strict=False):
            for pattern in (p.strip().casefold() for p in column.split(",")):
                if not pattern:
                    continue
                if "+" in pattern:
                    parts = tuple(pattern.split("+"))
                    phrases[lang].setdefault(parts[0].lstrip("="), []).append(
                        (parts, concept))
                elif pattern.startswith("="):
                    exact[lang][pattern[1:]] = concept
                else:
                    prefix[lang][pattern] = concept
    lengths = {lang: tuple(sorted({len(p) for p in (*prefix[lang], *phrases[lang])},
                                  reverse=True)) for lang in LEXICON_LANGS}
    return _Lexicon(exact, prefix,
                    {lang: {k: tuple(v) for k, v in table.items()}
                     for lang, table in phrases.items()},
                    lengths, weights)


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    return read_lexicon(LEXICON_FILE)


def concept_weight(concept: str) -> float:
    """1 for a concept that says what an item is about, 0.5 for one most items share."""
    return lexicon().weights.get(concept, 0.0)


def concepts(text: str, lang: str) -> frozenset[str]:
    """The lexicon's concepts the text speaks of (Latin-script Kazakh is read in Cyrillic).

    A word takes the concept of its longest matching beginning, so сельскохозяйственный is
    agriculture, not village (сел-); a two-word pattern (head+of+state) is tried first.
    """
    if lang not in LEXICON_LANGS:
        return frozenset()
    if lang == "kk" and _HAS_LATIN.search(text):
        text = translit.to_cyrillic(text)
    words = _CONCEPT_WORD.findall(_without_urls(text).casefold())
    # Read left to right, a word either starts a two-word pattern that matches (its concept
    # counts, and the words it covers count for nothing else) or counts its own concepts.
    # Only the few words that can start a pattern need that reading in order: they are
    # looked up by position; every other word counts once whatever its position, so its
    # lookup is made once per distinct word, by map() at C speed (a Python step per word
    # was a fifth of the link features' time).
    distinct = list(dict.fromkeys(words))
    entries = list(map(_concept_table(lang).__getitem__, distinct))
    found: set[str] = set()
    covered: list[int] = []  # positions inside a matched pattern
    starts = list(compress(distinct, map(itemgetter(1), entries)))
    if starts:
        phrases_of = dict(zip(distinct, map(itemgetter(1), entries), strict=True))
        end = 0  # the first position not covered by the last matched pattern
        for i in sorted(_positions(words, starts)):
            if i < end:
                continue
            for parts, concept in phrases_of[words[i]]:
                if all(i + j < len(words) and _fits(words[i + j], parts[j])
                       for j in range(1, len(parts))):
                    found.add(concept)
                    end = i + len(parts)
                    covered.extend(range(i, end))
                    break
    if covered:
        # A word counts its concepts if it stands anywhere outside a matched pattern.
        left = Counter(words)
        left.subtract(words[i] for i in covered)
        # Only a covered word can be left with none; the rest are kept by compress() in C.
        gone = {w for w in map(words.__getitem__, covered) if left[w] <= 0}
        if gone:
            entries = list(compress(entries, map(not_, map(gone.__contains__, distinct))))
    found.update(*map(itemgetter(0), entries))
    return frozenset(found)


def _positions(words: list[str], wanted: list[str]) -> list[int]:
    """Every position of the wanted words in `words` (list.index scans in C)."""
    found: list[int] = []
    for word in wanted:
        i = -1
        try:
            while True:
                i = words.index(word, i + 1)
                found.append(i)
        except ValueError:
            pass
    return found


_HAS_LATIN = re.compile(r"[A-Za-z]")


def _fits(word: str, pattern: str) -> bool:
    return word == pattern[1:] if pattern.startswith("=") else word.startswith(pattern)


@lru_cache(maxsize=len(LEXICON_LANGS))
def _lengths(lang: str) -> tuple[int, frozenset[str]]:
    """The length of the shortest word beginning or phrase's first word of the lexicon in
    `lang`, and every beginning of those entries from that length on (a word none of
    whose beginnings of a length is one of these matches no entry of that length or
    longer)."""
    lex = lexicon()
    entries = (*lex.prefix[lang], *lex.phrases[lang])
    shortest = min(map(len, entries), default=1)
    return shortest, frozenset(e[:end] for e in entries for end in range(shortest, len(e) + 1))


@lru_cache(maxsize=len(LEXICON_LANGS))
def _concept_table(lang: str) -> BoundedMemo[str, _WordConcepts]:
    """`_word_concepts` of one language by word (its own cache builds a key of word and
    language for every call)."""
    return BoundedMemo[str, _WordConcepts](lambda word: _word_concepts(word, lang), NAME_CACHE)


_WordConcepts = tuple[tuple[str, ...], tuple[tuple[tuple[str, ...], str], ...]]


# News repeats its words, and a word's lookups (one per pattern length) are the cost.
@lru_cache(maxsize=NAME_CACHE)
def _word_concepts(
    word: str, lang: str
) -> tuple[tuple[str, ...], tuple[tuple[tuple[str, ...], str], ...]]:
    """The concepts of one word on its own, and the phrases that may start with it."""
    lex = lexicon()
    phrases: list[tuple[tuple[str, ...], str]] = []
    single: str | None = lex.exact[lang].get(word)
    table, first = lex.prefix[lang], lex.phrases[lang]
    shortest, heads = _lengths(lang)
    # The longest beginning of the word that the lexicon lists, and every phrase that may
    # start with the word, longest beginning first. The beginnings are tried in growing
    # length while they begin an entry (no entry is longer than the first that does not).
    listed: str | None = None
    starting: list[tuple[tuple[tuple[str, ...], str], ...]] = []
    for end in range(shortest, len(word) + 1):
        head = word[:end]
        if head not in heads:
            break
        if single is None and (found := table.get(head)) is not None:
            listed = found
        if more := first.get(head):
            starting.append(more)
    single = single if single is not None else listed
    for group in reversed(starting):
        phrases.extend(p for p in group if _fits(word, p[0][0]))
    if single is not None:
        return (single,), tuple(phrases)
    if "-" in word:  # visa-free, көші-қон: whole first, then its parts
        parts = tuple(c for part in word.split("-")
                      for c in _word_concepts(part, lang)[0])
        return parts, tuple(phrases)
    return (), tuple(phrases)


# -- decisions ----------------------------------------------------------------------------

MAX_DAYS_APART = 1
# Both rules were chosen by `newsbot eval linking` on real pairs (docs/stories.md), tuned on
# the dev split only.
#
# The numbers rule. Distinctive numbers separate a ministry's stories of a day, so a link
# needs at least MIN_SHARED_NUMBERS of them, making up MIN_NUMBER_OVERLAP of the article
# with fewer numbers (long statistical texts share a few by chance). Names rank the
# candidates, and the best must lead the best candidate of any other story by MIN_MARGIN.
MIN_SHARED_NUMBERS = 3
# Fewer will do when a shared number stands in both headlines ("2 334 akims elected"): a
# headline figure is what the item is about, so another story of the day rarely has it.
MIN_SHARED_NUMBERS_HEADLINE = 2
MIN_NUMBER_OVERLAP = 0.4
NAME_WEIGHT = 0.5
MIN_MARGIN = 1.0
# The names rule, for stories without numbers (talks, speeches, visits). Hard negatives (a
# preview and the talks it announced, two officials on one topic at one session) share as
# many names as translations do, so a name counts by its rarity among the candidates: a
# shared name or number weighs 1/k when k candidate stories of the day carry it. A link
# needs evidence of at least MIN_EVIDENCE, at least MIN_RARE shared names or numbers that
# no other candidate carries, a headline name of either article among the other's names,
# and a lead of MIN_EVIDENCE_MARGIN over the runner-up story.
MIN_EVIDENCE = 4.0
MIN_RARE = 3
MIN_EVIDENCE_MARGIN = 1.0
# The words rule, for what neither numbers nor names tell apart (items cut from one speech,
# a translation among several rewrites). Each article is a vector of its lexicon concepts
# (weighted by the lexicon: 1, or 0.5 for the concepts most items share), its numbers
# (NUMBER_VALUE each) and its names (NAME_VALUE each, matched through their skeletons). Two
# articles' similarity is their dot product over |a|^SHORT_SHARE * |b|^(1 - SHORT_SHARE),
# a the shorter vector: between a cosine and the share of the shorter text found in the
# longer, since a translation may be a shortened one. The best story needs MIN_SIMILARITY,
# and the runner-up story at most RUNNER_UP_SHARE of the best's similarity; candidates
# whose similarity to the best one is at least REWRITE_SIMILARITY are other rewrites of the
# same item (two outlets' Russian versions) and do not count as the runner-up.
# A similarity of a few words says little (two three-line notes on one topic), so a link
# also needs MIN_SHARED_CONCEPTS shared concepts: translations linked on dev share 7 or
# more, a preview and the item it announced (a hard negative) 6.
MIN_SHARED_CONCEPTS = 7
# The ingest looks candidates up by their indexed keys (LinkFeatures.index_keys): one
# shared number or name will do, or MIN_INDEXED_CONCEPTS shared concepts of weight 1 (one
# shared concept finds nearly every article of the day). best_link applies the same test,
# so the evaluation sees the pool the ingest sees.
MIN_INDEXED_CONCEPTS = 3
NUMBER_VALUE = 1.0
NAME_VALUE = 0.5
SHORT_SHARE = 0.7
MIN_SIMILARITY = 0.6
RUNNER_UP_SHARE = 0.8
REWRITE_SIMILARITY = 0.5
# The rewrite rule (one language). Outlets retell one agency item in their own words: not
# near-duplicates (digest.dedup), yet one story, and a story may hold several versions in
# one language. Measured on dev (issue-link4): rewrites of one item in one language are at
# similarity 0.76-0.99 (some partial ones at 0.27-0.55, left apart), two different items
# of one day, session or speech in one language at most 0.58. A link needs
# REWRITE_LINK_SIMILARITY, MIN_SHARED_CONCEPTS shared concepts, and the runner-up story
# (unless it is a rewrite of the best too) at most RUNNER_UP_SHARE of the best.
REWRITE_LINK_SIMILARITY = 0.75
# The ingest compares a new article with at most this many stored ones of its language and
# window, those sharing the most lookup keys with it (a rewrite shares most of them).
REWRITE_CANDIDATES = 20
# The story rule (any languages), at the end of an ingest. An article that starts a story
# of its own remembers the stories it came near: a candidate of the rules above sharing
# MIN_SHARED_CONCEPTS concepts at a similarity of STORY_NEAR or more. Once the ingest has
# placed every article, each story it started is compared with those stories as wholes:
# the union of a story's versions' concepts, numbers and names against the other's (the
# same similarity as the words rule). Measured on dev (issue-link5): the stories of one
# item that the order of a dump left apart were at 0.576-0.71 sharing 15-18 concepts (one
# at 8); stories of two items of one day, session or speech with three versions between
# them at most 0.52 sharing at most 9, and two single articles of two items up to 0.53
# (STORY_MERGE_SIMILARITY is the middle of the gap). A
# union holds more concepts than one article, so more are shared by chance: the tests'
# own hard negative (another item of one meeting, three short notes in one vocabulary)
# reaches 0.66 sharing 8. So a merge needs STORY_MERGE_SIMILARITY, MIN_STORY_CONCEPTS
# shared concepts, MIN_STORY_VERSIONS versions in the two stories together (with fewer it
# would only be a lower threshold for the rules above), and the runner-up story at most
# RUNNER_UP_SHARE of the best. And what the retelling's headline says the item is about
# must be in the other story: every headline concept of weight 1 of the article that
# started it is among the other story's concepts. On dev every story of one item left
# apart passes (the one exception, "an event of international scale", is at 0.63 sharing
# 8), and it stops two of the hard negatives above (competent specialists; pasture land
# for livestock in the tests, at 0.59 sharing 11) that the thresholds alone let through.
STORY_NEAR = 0.45
MIN_STORY_CONCEPTS = 10
STORY_MERGE_SIMILARITY = 0.55
MIN_STORY_VERSIONS = 3


@dataclass(frozen=True, slots=True)
class LinkScore:
    numbers: tuple[str, ...]  # shared numbers
    names: tuple[str, ...]  # shared name skeletons (of the first article)
    fewer_numbers: int = 0  # how many distinctive numbers the sparser article has
    evidence: float = 0.0  # rarity-weighted shared names and numbers (the names rule)
    rare: tuple[str, ...] = ()  # shared names and numbers no other candidate carries
    headline: tuple[str, ...] = ()  # headline names of either article the other one has
    rule: str = ""  # "numbers", "names", "words" or "rewrite" once linked by that rule
    headline_numbers: tuple[str, ...] = ()  # shared numbers standing in both headlines
    concepts: tuple[str, ...] = ()  # shared lexicon concepts
    similarity: float = 0.0  # the words rule's similarity
    runner_up: float = 0.0  # the words rule's best other story

    @property
    def value(self) -> float:
        return len(self.numbers) + NAME_WEIGHT * len(self.names)

    @property
    def linked(self) -> bool:
        """Passes the numbers rule (the margin is checked against the other candidates)."""
        shared = len(self.numbers)
        least = MIN_SHARED_NUMBERS_HEADLINE if self.headline_numbers else MIN_SHARED_NUMBERS
        return shared >= least and shared >= MIN_NUMBER_OVERLAP * self.fewer_numbers

    @property
    def linked_by_names(self) -> bool:
        """Passes the names rule (the margin is checked against the other candidates)."""
        return (self.evidence >= MIN_EVIDENCE and len(self.rare) >= MIN_RARE
                and bool(self.headline))

    def describe(self) -> str:
        text = (f"shared numbers: {', '.join(self.numbers) or '-'} (of {self.fewer_numbers}); "
                f"shared names: {', '.join(self.names) or '-'}")
        if self.evidence:
            text += (f"; evidence {self.evidence:.2f}, found in no other candidate: "
                     f"{', '.join(self.rare) or '-'}; headline names: "
                     f"{', '.join(self.headline) or '-'}")
        if self.concepts:
            text += f"; shared concepts: {', '.join(self.concepts)}"
        if self.similarity:
            text += f"; similarity {self.similarity:.2f} (next story {self.runner_up:.2f})"
        return text

    def rule_text(self) -> str:
        """Which rule linked, in words for `newsbot explain`."""
        if self.rule == "numbers" and len(self.numbers) < MIN_SHARED_NUMBERS:
            return (f"numbers rule: {len(self.numbers)} shared distinctive numbers (at least "
                    f"{MIN_SHARED_NUMBERS_HEADLINE} when one stands in both headlines: "
                    f"{', '.join(self.headline_numbers)}; and {MIN_NUMBER_OVERLAP:.0%} of the "
                    "sparser article's), clearly ahead of any other story")
        if self.rule == "numbers":
            return (f"numbers rule: {len(self.numbers)} shared distinctive numbers (at least "
                    f"{MIN_SHARED_NUMBERS} and {MIN_NUMBER_OVERLAP:.0%} of the sparser "
                    "article's), clearly ahead of any other story")
        if self.rule == "names":
            return (f"names rule: rarity-weighted evidence {self.evidence:.2f} (at least "
                    f"{MIN_EVIDENCE:g}), shared names or numbers no other candidate of the "
                    f"day has: {', '.join(self.rare)}; headline names: "
                    f"{', '.join(self.headline)}; clearly ahead of any other story")
        if self.rule == "rewrite":
            return (f"rewrite rule: the same language, similarity {self.similarity:.2f} of the "
                    f"concepts, numbers and names (at least {REWRITE_LINK_SIMILARITY:g}), the "
                    f"next story {self.runner_up:.2f} (at most {RUNNER_UP_SHARE:.0%} of it); "
                    f"shared concepts: {', '.join(self.concepts) or '-'}")
        if self.rule == "story":
            return (f"story rule: after the ingest, its story as a whole (the concepts, numbers "
                    f"and names of all its versions) at similarity {self.similarity:.2f} to "
                    f"this story as a whole (at least {STORY_MERGE_SIMILARITY:g}), the next "
                    f"story {self.runner_up:.2f} (at most {RUNNER_UP_SHARE:.0%} of it); "
                    f"shared concepts: {', '.join(self.concepts) or '-'}")
        if self.rule == "words":
            return (f"words rule: similarity {self.similarity:.2f} of the concepts, numbers "
                    f"and names (at least {MIN_SIMILARITY:g}), the next story "
                    f"{self.runner_up:.2f} (at most {RUNNER_UP_SHARE:.0%} of it); shared "
                    f"concepts: {', '.join(self.concepts) or '-'}")
        return ""


def compare(a: LinkFeatures, b: LinkFeatures) -> LinkScore:
    shared_names = tuple(sorted(_names_found(a, b)))
    return LinkScore(tuple(sorted(a.numbers & b.numbers)), shared_names,
                     min(len(a.numbers), len(b.numbers)),
                     headline_numbers=tuple(sorted(a.title_numbers & b.title_numbers)),
                     concepts=tuple(sorted(a.concepts & b.concepts)))


def shared_headline(a: LinkFeatures, b: LinkFeatures) -> tuple[str, ...]:
    """Headline names of either article that the other article has among its names."""
    return tuple(sorted(
        {t for t in a.title_names if any(names_match(t, y) for y in b.names)}
        | {t for t in b.title_names if any(names_match(t, y) for y in a.names)}
    ))


def days_apart(a: date, b: date) -> int:
    return abs((a - b).days)


@dataclass(frozen=True, slots=True)
class Candidate:
    key: Hashable  # what the caller needs back (an article id)
    story: Hashable  # candidates of one story compete as one
    lang: str
    date: date
    features: LinkFeatures


def best_link(
    lang: str, day: date, own: LinkFeatures, candidates: Sequence[Candidate]
) -> tuple[Candidate, LinkScore] | None:
    """The candidate a new article is a translation of, or None when unsure.

    Only other languages within MAX_DAYS_APART count. The numbers rule is tried first: the
    best-scoring of the candidates sharing at least MIN_SHARED_NUMBERS_HEADLINE numbers must
    pass :attr:`LinkScore.linked` and lead the best candidate of any other story by MIN_MARGIN.
    Otherwise the names rule: the story with the most rarity-weighted evidence must pass
    :attr:`LinkScore.linked_by_names` and lead the runner-up by MIN_EVIDENCE_MARGIN. For
    the rarity to mean anything, ``candidates`` must be every article of the window that
    shares a number or a name with ``own`` (the ingest looks them up by
    :meth:`LinkFeatures.index_keys`), not a hand-picked few.
    """
    pool = [c for c in candidates
            if c.lang != lang and days_apart(c.date, day) <= MAX_DAYS_APART]
    keys = own.index_keys()
    # The numbers and names rules compare the candidates sharing a number or a name; the
    # words rule also those sharing enough concepts.
    sharing = [c for c in pool if _shares_number_or_name(keys, c.features.index_keys())]
    found = _by_numbers(own, sharing)
    if found is None:
        found = _by_names(own, sharing)
    if found is None:
        found = _by_words(own, [c for c in pool if is_candidate(keys, c.features)])
    return found


def _shares_number_or_name(own_keys: frozenset[str], keys: frozenset[str]) -> bool:
    return any(not k.startswith(CONCEPT_KEY) for k in own_keys & keys)


def is_candidate(own_keys: frozenset[str], other: LinkFeatures) -> bool:
    """Whether the ingest's lookup finds ``other`` for an article with ``own_keys``: a
    shared number or name key, or MIN_INDEXED_CONCEPTS shared concept keys."""
    numbers_and_names, concept_keys = _split_keys(other)
    return (not own_keys.isdisjoint(numbers_and_names)
            or len(own_keys & concept_keys) >= MIN_INDEXED_CONCEPTS)


@lru_cache(maxsize=FEATURES_CACHE)
def _split_keys(f: LinkFeatures) -> tuple[frozenset[str], frozenset[str]]:
    """An article's index keys: those of its numbers and names, and those of its concepts
    (the ingest tests every candidate row with them, :func:`is_candidate`)."""
    keys = f.index_keys()
    concept_keys = frozenset(k for k in keys if k.startswith(CONCEPT_KEY))
    return keys - concept_keys, concept_keys


def _by_numbers(
    own: LinkFeatures, pool: Sequence[Candidate]
) -> tuple[Candidate, LinkScore] | None:
    best: dict[Hashable, tuple[LinkScore, Candidate]] = {}
    for c in pool:
        # Only candidates that could be linked compete; names are compared for them alone.
        if len(own.numbers & c.features.numbers) < MIN_SHARED_NUMBERS_HEADLINE:
            continue
        score = compare(own, c.features)
        if c.story not in best or score.value > best[c.story][0].value:
            best[c.story] = (score, c)
    ranked = sorted(best.values(), key=lambda sc: -sc[0].value)
    if not ranked or not ranked[0][0].linked:
        return None
    if len(ranked) > 1 and ranked[0][0].value - ranked[1][0].value < MIN_MARGIN:
        return None
    score, candidate = ranked[0]
    return candidate, replace(score, rule="numbers")


def _by_names(
    own: LinkFeatures, pool: Sequence[Candidate]
) -> tuple[Candidate, LinkScore] | None:
    if len(own.numbers) + len(own.names) < MIN_RARE:
        return None
    scores = [(compare(own, c.features), c) for c in pool]
    # Which candidate stories carry each of our names and numbers.
    carriers: dict[str, set[Hashable]] = {}
    for score, c in scores:
        for token in ["#" + n for n in score.numbers] + list(score.names):
            carriers.setdefault(token, set()).add(c.story)
    if not carriers:
        return None
    best: dict[Hashable, tuple[LinkScore, Candidate]] = {}
    for score, c in scores:
        tokens = ["#" + n for n in score.numbers] + list(score.names)
        if not tokens:
            continue
        evidence = sum(1 / len(carriers[t]) for t in tokens)
        rare = tuple(t.lstrip("#") for t in tokens if len(carriers[t]) == 1)
        score = replace(score, evidence=round(evidence, 4), rare=rare,
                        headline=shared_headline(own, c.features))
        if c.story not in best or score.evidence > best[c.story][0].evidence:
            best[c.story] = (score, c)
    ranked = sorted(best.values(), key=lambda sc: -sc[0].evidence)
    if not ranked[0][0].linked_by_names:
        return None
    if len(ranked) > 1 and ranked[0][0].evidence - ranked[1][0].evidence < MIN_EVIDENCE_MARGIN:
        return None
    score, candidate = ranked[0]
    return candidate, replace(score, rule="names")


# The ingest compares a new article with the same candidates more than once (the rewrite and
# words rules rank them, the story rule's nearness looks at them again), and LinkFeatures are
# immutable: the last answers are kept. One article meets a few dozen candidates; the cache
# holds its keys alive, so it stays small.
@lru_cache(maxsize=512)
def similarity(a: LinkFeatures, b: LinkFeatures) -> float:
    """The words rule's similarity of two articles (see SHORT_SHARE), 0 to 1."""
    shared = a.concepts & b.concepts
    groups = _weight_groups()
    if groups is None:
        weights = lexicon().weights
        dot = sum(weights.get(c, 0.0) ** 2 for c in shared)
    else:
        dot = sum(square * len(shared & group) for square, group in groups) if shared else 0
    dot += NUMBER_VALUE ** 2 * len(a.numbers & b.numbers)
    if a.names and b.names:
        dot += NAME_VALUE ** 2 * len(_names_found(a, b))
    if not dot:
        return 0.0
    short, long = sorted((_names_of(a)[0], _names_of(b)[0]))
    return min(1.0, dot / float(short ** SHORT_SHARE * long ** (1 - SHORT_SHARE)))


@lru_cache(maxsize=1)
def _weight_groups() -> tuple[tuple[float, frozenset[str]], ...] | None:
    """The lexicon's concepts by their squared weight (0 left out), when every squared
    weight is a multiple of 1/64: then a sum of them is exact in any order, and counting
    each group's shared concepts gives the float that adding them one by one gives. None
    otherwise (then they are added one by one)."""
    by_square: dict[float, set[str]] = {}
    for concept, weight in lexicon().weights.items():
        square = weight ** 2
        if not (square * 64).is_integer() or square > 2 ** 20:
            return None
        if square:
            by_square.setdefault(square, set()).add(concept)
    return tuple((square, frozenset(group)) for square, group in sorted(by_square.items()))


def _names_found(a: LinkFeatures, b: LinkFeatures) -> frozenset[str]:
    """The names of `a` that match a name of `b` (:func:`names_match`): those that begin
    a name of `b` as a match may (`_prefixes` of `b`), and those that a name of `b`
    begins as a match may (`_beginnings` of `a`), found by set operations in C rather
    than by comparing names pair by pair."""
    found = a.names & _names_of(b)[1]
    beginnings = _names_of(a)[2]
    starts = beginnings.keys() & b.names
    return found.union(*map(beginnings.__getitem__, starts)) if starts else found


def _match_prefixes(name: str) -> range:
    """The lengths of the beginnings of `name` that match it (:func:`names_match`): at
    least MIN_SKELETON letters, at most 3 fewer than the name."""
    return range(max(MIN_SKELETON, len(name) - 3), len(name) + 1)


@lru_cache(maxsize=FEATURES_CACHE)
def _names_of(
    f: LinkFeatures,
) -> tuple[float, frozenset[str], dict[str, tuple[str, ...]]]:
    """What `similarity` needs of one article, found once (one cache lookup): its
    :func:`_norm`; every name that matches a name of `f` by being its beginning (the name
    itself included); and the names of `f` by each beginning that matches them (a name of
    another article that is that beginning matches them). Not to be changed: it is shared
    (FEATURES_CACHE)."""
    starts: dict[str, list[str]] = {}
    for x in f.names:
        for n in _match_prefixes(x):
            starts.setdefault(x[:n], []).append(x)
    return (_norm(f), frozenset(starts),
            {start: tuple(names) for start, names in starts.items()})


def _norm(f: LinkFeatures) -> float:
    """The squared length of an article's vector."""
    weights = lexicon().weights
    return (sum(weights.get(c, 0.0) ** 2 for c in f.concepts)
            + NUMBER_VALUE ** 2 * len(f.numbers) + NAME_VALUE ** 2 * len(f.names))


def _ranked_stories(
    own: LinkFeatures, pool: Sequence[Candidate]
) -> list[tuple[float, Candidate]]:
    """Each story of `pool` once, at its candidate most similar to `own`, best first."""
    best: dict[Hashable, tuple[float, Candidate]] = {}
    for c in pool:
        value = similarity(own, c.features)
        if c.story not in best or value > best[c.story][0]:
            best[c.story] = (value, c)
    return sorted(best.values(), key=lambda vc: -vc[0])


def _by_words(
    own: LinkFeatures, pool: Sequence[Candidate]
) -> tuple[Candidate, LinkScore] | None:
    if len(own.concepts) < MIN_SHARED_CONCEPTS:
        return None
    ranked = _ranked_stories(own, pool)
    if not ranked or ranked[0][0] < MIN_SIMILARITY:
        return None
    candidate = ranked[0][1]
    if len(own.concepts & candidate.features.concepts) < MIN_SHARED_CONCEPTS:
        return None
    # The runner-up is the best other story that is not a rewrite of the best candidate.
    return _leading(own, ranked, "words", lambda other: not (
        other.lang == candidate.lang
        and similarity(candidate.features, other.features) >= REWRITE_SIMILARITY))


def _leading(
    own: LinkFeatures, ranked: list[tuple[float, Candidate]], rule: str,
    rivals: Callable[[Candidate], bool],
) -> tuple[Candidate, LinkScore] | None:
    """The best of `ranked` with its score under `rule`, or None when the best other story
    among the `rivals` comes within RUNNER_UP_SHARE of it."""
    top, candidate = ranked[0]
    runner_up = next((value for value, other in ranked[1:] if rivals(other)), 0.0)
    if runner_up > RUNNER_UP_SHARE * top:
        return None
    score = replace(compare(own, candidate.features), similarity=round(top, 4),
                    runner_up=round(runner_up, 4), rule=rule)
    return candidate, score


def best_rewrite(
    lang: str, day: date, own: LinkFeatures, candidates: Sequence[Candidate]
) -> tuple[Candidate, LinkScore] | None:
    """The story a new article is another outlet's rewrite of, in its own language, or None.

    The ingest tries this before :func:`best_link`: several outlets retell one item in
    Russian, each in its own words, and without it each retelling became a story of its own
    (a reader got the item once per outlet), and a translation could join only one of them.
    Only candidates of ``lang`` within MAX_DAYS_APART sharing MIN_SHARED_CONCEPTS concepts
    count, found as for the words rule (:func:`is_candidate`); the best story needs
    REWRITE_LINK_SIMILARITY and must lead any other story that is not itself a rewrite of
    the best candidate by the words rule's margin.
    """
    if len(own.concepts) < MIN_SHARED_CONCEPTS:
        return None
    keys = own.index_keys()
    # Fewer shared concepts can neither link nor come close (and the set intersection is
    # much cheaper than the similarity, which the ingest computes for every row).
    ranked = _ranked_stories(own, [
        c for c in candidates
        if c.lang == lang and days_apart(c.date, day) <= MAX_DAYS_APART
        and len(own.concepts & c.features.concepts) >= MIN_SHARED_CONCEPTS
        and is_candidate(keys, c.features)
    ])
    if not ranked or ranked[0][0] < REWRITE_LINK_SIMILARITY:
        return None
    candidate = ranked[0][1]
    return _leading(own, ranked, "rewrite", lambda other: similarity(
        candidate.features, other.features) < REWRITE_LINK_SIMILARITY)


def near_stories(
    lang: str, day: date, own: LinkFeatures, candidates: Sequence[Candidate]
) -> frozenset[Hashable]:
    """The stories of `candidates` (any language, within MAX_DAYS_APART) that an article
    which started a story of its own came near: a version sharing MIN_SHARED_CONCEPTS
    concepts at a similarity of STORY_NEAR or more. :func:`story_merges` compares those
    stories with the article's once the ingest is over."""
    if len(own.concepts) < MIN_SHARED_CONCEPTS:
        return frozenset()
    near: set[Hashable] = set()
    for c in candidates:
        if (c.story not in near and days_apart(c.date, day) <= MAX_DAYS_APART
                and len(own.concepts & c.features.concepts) >= MIN_SHARED_CONCEPTS
                and similarity(own, c.features) >= STORY_NEAR):
            near.add(c.story)
    return frozenset(near)


def headline_concepts(title: str, lang: str) -> frozenset[str]:
    """The concepts of a headline that say what an item is about (weight 1): what a story
    must have for a retelling under this headline to join it by the story rule."""
    return frozenset(c for c in concepts(title, lang) if concept_weight(c) >= 1)


def story_features(versions: Iterable[LinkFeatures]) -> LinkFeatures:
    """A story as a whole: the union of its versions' numbers, names and concepts."""
    numbers: set[str] = set()
    names: set[str] = set()
    found: set[str] = set()
    for f in versions:
        numbers |= f.numbers
        names |= f.names
        found |= f.concepts
    return LinkFeatures(frozenset(numbers), frozenset(names), concepts=frozenset(found))


@dataclass(frozen=True, slots=True)
class StoryMerge:
    source: int  # the story that goes (one the ingest started)
    target: int  # the story its versions join (the older one)
    score: LinkScore


def story_merges(
    near: Mapping[int, Collection[int]],
    versions: Mapping[int, Sequence[LinkFeatures]],
    headlines: Mapping[int, frozenset[str]],
    apart: Collection[int] = (),
) -> list[StoryMerge]:
    """Which stories an ingest started join other stories, once it has placed every article.

    `near` maps each story the ingest started to the stories its first article came near
    (:func:`near_stories`), `headlines` it to that article's :func:`headline_concepts`, and
    `versions` each of those stories to its versions' features.
    Story ids must grow with age (the database's do): of two merged stories the younger
    goes, so a story readers have seen keeps its id. Each story the ingest started is
    compared, as a whole (:func:`story_features`), with the stories it or any story merged
    into it came near; the best needs STORY_MERGE_SIMILARITY, MIN_STORY_CONCEPTS shared
    concepts, MIN_STORY_VERSIONS versions in the two together, every concept of the headline
    that started the story among its own, and a lead over the runner-up (at most
    RUNNER_UP_SHARE of the best). Repeated until nothing changes, so a story that
    grew by a merge is compared again. Two stories of `apart` (gov.kz items: another id is
    another item) never end in one.
    """
    held = set(apart)
    into: dict[int, int] = {}

    def final(story: int) -> int:
        while story in into:
            story = into[story]
        return story

    members: dict[int, list[LinkFeatures]] = {s: list(v) for s, v in versions.items()}
    wholes: dict[int, LinkFeatures] = {}  # story_features of members, until they change
    close: dict[int, set[int]] = {s: set(n) for s, n in near.items()}
    for s, others in near.items():  # nearness goes both ways between two new stories
        for other in others:
            if other in close:
                close[other].add(s)
    merges: list[StoryMerge] = []
    changed = True
    while changed:
        changed = False
        for story in sorted(close):
            if story in into or not members.get(story):
                continue
            others = {final(o) for o in close[story]} - {story}
            if story in held:
                others -= held
            found = _best_story(story, others, members, wholes,
                                headlines.get(story, frozenset()))
            if found is None:
                continue
            other, score = found
            source, target = sorted((story, other), reverse=True)
            into[source] = target
            if source in held:
                held.add(target)
            members[target] = members[target] + members.pop(source)
            wholes.pop(source, None)
            wholes.pop(target, None)
            # A story the ingest did not start is never compared as the one that goes: of
            # it and another old story, an old one would have to move.
            gone = close.pop(source, set())
            if target in close:
                close[target].update(gone)
            merges.append(StoryMerge(source, target, score))
            changed = True
    return merges


def _best_story(
    story: int, others: Collection[int],
    members: Mapping[int, Sequence[LinkFeatures]], wholes: dict[int, LinkFeatures],
    headline: frozenset[str],
) -> tuple[int, LinkScore] | None:
    """The story of `others` that `story` joins as a whole by the story rule, or None."""

    def whole(s: int) -> LinkFeatures:
        if s not in wholes:
            wholes[s] = story_features(members[s])
        return wholes[s]

    own = whole(story)
    if len(own.concepts) < MIN_SHARED_CONCEPTS:
        return None
    ranked = sorted(
        ((similarity(own, whole(other)), other) for other in others if members.get(other)),
        key=lambda r: -r[0],
    )
    if not ranked:
        return None
    top, other = ranked[0]
    theirs = whole(other)
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    if (top < STORY_MERGE_SIMILARITY
            or len(own.concepts & theirs.concepts) < MIN_STORY_CONCEPTS
            or len(members[story]) + len(members[other]) < MIN_STORY_VERSIONS
            or not headline <= theirs.concepts
            or runner_up > RUNNER_UP_SHARE * top):
        return None
    return other, replace(compare(own, theirs), similarity=round(top, 4),
                          runner_up=round(runner_up, 4), rule="story")


def refreshed_features(
    rows: Sequence[tuple[str, str, str, str | None]],
) -> list[str | None]:
    """For each stored (title, body, lang, link_features), the features the current rules
    and lexicon give its text (as :meth:`LinkFeatures.dumps` writes them), or None where the
    stored ones are those already. Run in a worker by ``newsbot refresh-link-keys``."""
    out: list[str | None] = []
    for title, body, lang, stored in rows:
        fresh = features(title, body, lang)
        out.append(None if stored and LinkFeatures.loads(stored) == fresh else fresh.dumps())
    return out
