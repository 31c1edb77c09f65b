"""Stemming and stop words for English, Russian and Kazakh, offline.

English and Russian use NLTK's Snowball stemmers (pure code, no downloaded data). Kazakh is
agglutinative and has no Snowball stemmer: a light suffix stripper collapses the inflected
forms of a word (`экономикалық`, `экономиканың`, `экономикасы`) onto one stem, which is all
that topic matching and sentence ranking need.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

from digest.paths import KAZAKH_STOPWORDS_FILE
from digest.translit import to_latin_variants, word_to_cyrillic

_SNOWBALL = {"en": "english", "ru": "russian"}

# Kazakh suffixes with their vowel-harmony and consonant-assimilation variants: plural,
# possessive, case, and the common derivational endings. Stripped longest first.
_KK_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        set(
            str.split(
                # plural, plural + possessive
                "лар лер дар дер тар тер лары лері дары дері тары тері ларың лерің "
                "ларымыз леріміз ларыңыз леріңіз "
                # possessive
                "ым ім м ың ің ң ыңыз іңіз ңыз ңіз ымыз іміз мыз міз ы і сы сі "
                # genitive, dative, accusative, locative, ablative, instrumental
                "ның нің дың дің тың тің ға ге қа ке на не а е ны ні ды ді ты ті н "
                "да де та те нда нде дан ден тан тен нан нен мен пен бен менен "
                # locative adjectives (`жылғы`, `елдегі`), possessive + case (`оның`, `ындағы`)
                "ғы гі қы кі дағы дегі тағы тегі ндағы ндегі ына іне сына сіне ын ін сын сін "
                # derivational: -lyq (economic), -ly (having), -syz (without), agent, abstract
                "лық лік дық дік тық тік лы лі сыз сіз шы ші шылық шілік лау леу дау деу тау теу "
                # verbal: participles, verbal nouns, past tense
                "ған ген қан кен у уы уі атын етін йтын йтін ды ді ты ті"
            )
        ),
        key=len,
        reverse=True,
    )
)
_KK_MIN_STEM = 3
_LATIN = re.compile(r"[a-z\u00c0-\u024f]")
_KK_VOWELS = frozenset("аәеёиоөуұүыіэюя")


# Stems are cached per process: news repeats its words (200 articles made 41,000 calls for a
# few thousand distinct words), and NLTK's pure-Python Snowball takes 20-70 us a word.
# PyStemmer (the C build) was measured and not taken: its newer Snowball gives different
# English stems (28 of 22,277 words of the BBC set: "university" -> "universiti", not
# "univers") and Russian ones for words with "ъ", which would change topic matches and
# summaries; with the cache, stemming is no longer where the time goes.
STEM_CACHE = 200_000  # distinct (word, language) pairs kept, about 30 MB at most


@lru_cache(maxsize=STEM_CACHE)
def stem(word: str, lang: str) -> str:
    """The stem of `word` (lower-cased) in `lang`; unknown languages only lower-case."""
    word = word.lower()
    if lang == "kk":
        # Latin-script Kazakh is stemmed through its Cyrillic spelling (analysis only).
        return _kazakh_stem(word_to_cyrillic(word) if _LATIN.search(word) else word)
    stemmer = _snowball(lang)
    return stemmer(word) if stemmer else word


@cache
def _snowball(lang: str) -> Callable[[str], str] | None:
    name = _SNOWBALL.get(lang)
    if name is None:
        return None
    from nltk.stem.snowball import SnowballStemmer

    stemmer: Callable[[str], str] = SnowballStemmer(name).stem  # nltk has no type hints
    return stemmer


def _kazakh_stem(word: str) -> str:
    # Each pass removes one suffix layer (derivation, plural, possessive, case), at most four.
    for _ in range(4):
        for suffix in _KK_SUFFIXES:
            if word.endswith(suffix) and _kazakh_stem_ok(word[: -len(suffix)], suffix):
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def _kazakh_stem_ok(candidate: str, suffix: str) -> bool:
    if not any(c in _KK_VOWELS for c in candidate):
        return False
    if len(candidate) >= _KK_MIN_STEM:
        return True
    # Two-letter roots such as `ел` take consonant-initial endings: ел-дің, ел-ге, ел-дер.
    # A vowel-final two-letter remainder (`жы-лы`, `за-ң`) is a longer root cut too short.
    return len(candidate) == 2 and candidate[-1] not in _KK_VOWELS and suffix[0] not in _KK_VOWELS


# The Kazakh list this process reads (NEWSBOT_KAZAKH_STOPWORDS_FILE); the pipeline sets it in
# each process that stems (the CLI, the bot, every worker) through `use_kazakh_stop_words`.
_kazakh_stop_words_file = KAZAKH_STOPWORDS_FILE


def use_kazakh_stop_words(path: Path) -> None:
    """Read Kazakh stop words from `path` in this process from now on."""
    global _kazakh_stop_words_file
    if path != _kazakh_stop_words_file:
        _kazakh_stop_words_file = path
        stop_words.cache_clear()


@cache
def stop_words(lang: str) -> frozenset[str]:
    """Lower-case stop words for `lang` ("en", "ru", "kk"); empty for other languages."""
    if lang == "en":
        from sumy.utils import get_stop_words as sumy_stop_words

        return frozenset(w.lower() for w in sumy_stop_words("english"))
    if lang == "ru":
        from stop_words import get_stop_words

        return frozenset(w.lower() for w in get_stop_words("russian"))
    if lang == "kk":
        cyrillic = read_stop_words_file(_kazakh_stop_words_file)
        # ... and as Latin-script Kazakh writes them, in both alphabets (jáne, jäne).
        return cyrillic | {latin for w in cyrillic for latin in to_latin_variants(w)}
    return frozenset()


def read_stop_words_file(path: Path) -> frozenset[str]:
    """Words of a UTF-8 list, one per line; blank lines and `#` comments are ignored."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        w.strip().lower() for w in lines if w.strip() and not w.lstrip().startswith("#")
    )
