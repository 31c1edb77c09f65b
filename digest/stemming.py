"""Stemming and stop words for English, Russian and Kazakh, offline.

English and Russian give NLTK's Snowball stems (the stems every stored summary and keyword index
was built with), computed by PyStemmer's C Snowball wherever the two agree (see `_english`,
`_russian`), by NLTK elsewhere. Kazakh is
agglutinative and has no Snowball stemmer: a light suffix stripper collapses the inflected
forms of a word (`экономикалық`, `экономиканың`, `экономикасы`) onto one stem, which is all
that topic matching and sentence ranking need.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

from digest.memo import BoundedMemo
from digest.paths import KAZAKH_STOPWORDS_FILE
from digest.translit import to_latin_variants, word_to_cyrillic

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
# few thousand distinct words). A fresh worker still meets each word once: 11,700 new words per
# 300 articles, 10-14 us each in NLTK's pure-Python Snowball, about 10% of its CPU; PyStemmer's
# C build of the same algorithms takes 0.5 us.
STEM_CACHE = 200_000  # distinct (word, language) pairs kept, about 30 MB at most

# Where NLTK's port gives other stems than Snowball 2.2.0 (PyStemmer 2.2.0.x; 3.x changed the
# English algorithm: "university" -> "universiti", "added" -> "add"), read off NLTK's code.
# Words that could meet one of these rules go to NLTK, the rest to the C stemmer; the two
# give the same stem on every word of the corpora (75,000 words) and on 1.8 million
# generated ones (tests/test_stemming.py keeps a sample).
#
# English: NLTK keeps R1 and R2 as strings cut together with the word; where a replacement
# (`-ization` -> `-ize`, `-ational` -> `-ate`, `-at`/`-bl`/`-iz` + `e` after `-ed`/`-ing`,
# `-eed` -> `-ee`, ...) straddles a region's start, it guesses the new region from lengths
# ("realization": NLTK "realize", Snowball "realiz"; "18-rated": "18-rat" / "18-rate"). Every
# word containing such a suffix goes to NLTK, and so do the words Snowball's second exception
# list stops after Step 1a ("earrings'"), which NLTK matches only as whole words.
_EN_NLTK_ONLY = re.compile(
    r"iz|eed|ation|ator|at(?:ed|ing)|bl(?:ed|ing)|enci|anci|abli|alli|alism|aliti|ousli"
    r"|ousness|iveness|iviti|biliti|bli|ogi|fulli|lessli|entli|alize|icate|iciti|ical|ative"
    r"|tional|inning|outing|canning|herring|earring"
)
# NLTK maps curly apostrophes to "'" before stemming; Snowball 2.2 does not.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201b": "'"})
# Russian: NLTK stems a transliteration (я -> "i^a", ю -> "i^u", ъ -> "''", ь -> "'", ц ->
# "t^s", щ -> "shch", й -> "i`") and writes the Latin letters back as Cyrillic. So: a word
# with any letter outside the Russian alphabet differs (Latin letters come back Cyrillic,
# "abaı" -> "аба"); ъ and ьь read as ь ("объём": NLTK "обь"); a suffix can start inside a
# letter's transliteration (юй as "уй", ю+ет as "ует", я+м as "ам", ць/ця as "сь"/"ся", шч
# as щ); й after a consonant or at the start counts as a vowel ("i") for RV, R1 and R2; its
# step 4 (нн, ейш(е), ь) ignores RV, which matters only when the ending holds the word's
# first vowel or there is none ("рь", "бейш"); and its "-ующая" is misspelt ("ui^ushchaia").
_RU_NLTK_ONLY = re.compile(
    r"[^а-яё0-9\-]|ъ|ьь|ц[ья]|я[мхяё]|ю[ейюё]|шч|(?:^|[^аеиоуыэюяё])й"
    r"|^[^аеиоуыэюяё]*(?:ейш|$)|ующая"
)


@lru_cache(maxsize=STEM_CACHE)
def stem(word: str, lang: str) -> str:
    """The stem of `word` (lower-cased) in `lang`; unknown languages only lower-case."""
    word = word.lower()
    if lang == "kk":
        # Latin-script Kazakh is stemmed through its Cyrillic spelling (analysis only).
        return _kazakh_stem(word_to_cyrillic(word) if _LATIN.search(word) else word)
    if lang == "en":
        return _english(word)
    if lang == "ru":
        return _russian(word)
    return word


@cache
def stemmer(lang: str) -> Callable[[str], str]:
    """`stem` for one language, as a function of the word alone (the same stems, cached in a
    plain dictionary: for mapping it over many words)."""
    return BoundedMemo[str, str](lambda word: stem(word, lang), STEM_CACHE).__getitem__


def _english(word: str) -> str:
    if len(word) <= 2:  # NLTK's rule, before it maps apostrophes
        return word
    if _EN_NLTK_ONLY.search(word):
        return _nltk("english")(word)
    return _c_stemmer("english")(word.translate(_APOSTROPHES))


def _russian(word: str) -> str:
    if _RU_NLTK_ONLY.search(word):
        return _nltk("russian")(word)
    return _c_stemmer("russian")(word)


@cache
def _c_stemmer(name: str) -> Callable[[str], str]:
    import Stemmer  # PyStemmer

    # Its own cache (10,000 words by default) costs 2 us a call; `stem` caches already.
    stemmer: Callable[[str], str] = Stemmer.Stemmer(name, 0).stemWord
    return stemmer


@cache
def _nltk(name: str) -> Callable[[str], str]:
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
