"""Kazakh in Latin script, read back into Cyrillic for analysis only.

Kazakh is published in two Latin alphabets:

- the official alphabet of 2021 (Ä ä, Ğ ğ, I ı = і, İ i = и/й, Ñ ñ, Ö ö, Ş ş, Ū ū, Ü ü,
  Y y = ы, U u = у), which some sites write with ǧ for ğ and ŋ for ñ;
- the acute-accent alphabet of 2018 that Kazinform's Kazakh service and Egemen's Latin
  edition still use (Á á, Ǵ ǵ, Ń ń, Ó ó, Ú ú, Ý ý = у, U u = ұ, I ı = и/й, I i = і, Sh sh,
  Ch ch).

The two disagree on ı, i and u, so a text is read with the alphabet whose own letters it
uses; a text with neither is read as 2021. Topic keywords, stems and stop words are
Cyrillic, so Latin-script Kazakh is matched through this transliteration; what a reader sees
is always the original text.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

ALPHABET_2021 = "2021"
ALPHABET_2018 = "2018"

# Letters only one of the alphabets has: they decide which one a text is written in.
_ONLY_2021 = frozenset("äğǧñŋöşūüçÄĞǦÑŊÖŞŪÜÇ")
_ONLY_2018 = frozenset("áǵńóúýÁǴŃÓÚÝ")
# Letters that are Kazakh-Latin and not English: evidence for language detection.
KAZAKH_LATIN_LETTERS = _ONLY_2021 | _ONLY_2018 | frozenset("ıİ")

_VOWELS = frozenset("aäáeıiİoöóuūúüýyэ")

_COMMON = {
    "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "j": "ж",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р",
    "s": "с", "t": "т", "v": "в", "y": "ы", "z": "з", "c": "ц", "w": "у", "x": "кс",
}
_LETTERS_2021 = {
    **_COMMON,
    "ä": "ә", "ğ": "ғ", "ǧ": "ғ", "ı": "і", "i": "и", "ñ": "ң", "ŋ": "ң", "ö": "ө",
    "ş": "ш", "u": "у", "ū": "ұ", "ü": "ү", "ç": "ч",
}
_LETTERS_2018 = {
    **_COMMON,
    "á": "ә", "ǵ": "ғ", "i": "і", "ń": "ң", "ó": "ө", "u": "ұ", "ú": "ү", "ý": "у",
}
# Digraphs, longest first. In 2018 ı is и after a consonant and й after a vowel (handled in
# code), ıa/ıý are я/ю; ts before ı is ц (Konstıtýtsııa), elsewhere т+с (atsalysý).
_DIGRAPHS_2021 = (("şş", "щ"), ("ia", "я"), ("iu", "ю"), ("ts", "ц"))
_DIGRAPHS_2018 = (("sh", "ш"), ("ch", "ч"), ("ıa", "я"), ("ıý", "ю"), ("tsı", "ци"))

_LETTERS_ONLY_2018 = re.compile(f"[{''.join(sorted(_ONLY_2018))}]")
_LETTERS_ONLY_2021 = re.compile(f"[{''.join(sorted(_ONLY_2021))}]")
_SH_CH = re.compile(r"[sc]h", re.IGNORECASE)
_DOTLESS_2018 = re.compile(r"[aeoyu]ı|\b(?=\w*ı)(?=\w*[aoyu])\w+")
_LATIN_WORD = re.compile(r"[^\W\d_]+")
_HAS_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")


def alphabet_of(text: str) -> str:
    """Which Latin alphabet `text` is written in: ALPHABET_2018 or ALPHABET_2021 (default)."""
    # The 2021 alphabet writes ш and ч as ş and ç, so sh and ch point to the 2018 one. So does
    # an ı after a vowel (2018 aıtty = айтты; 2021 writes aitty) or in a word with back vowels
    # (2018 ekonomıkalyq = экономикалық; the 2021 ı is the front vowel і, which vowel harmony
    # keeps out of such words).
    only_2018 = (
        len(_LETTERS_ONLY_2018.findall(text))
        + len(_SH_CH.findall(text))
        + len(_DOTLESS_2018.findall(text.lower()))
    )
    only_2021 = len(_LETTERS_ONLY_2021.findall(text))
    return ALPHABET_2018 if only_2018 > only_2021 else ALPHABET_2021


def to_cyrillic(text: str, alphabet: str | None = None) -> str:
    """`text` with every Latin-script word spelled in Kazakh Cyrillic; the rest untouched.

    Case is kept per letter (a digraph takes the case of its first letter), so `Qazaqstan`
    becomes `Қазақстан`.
    """
    alphabet = alphabet or alphabet_of(text)
    return _LATIN_WORD.sub(lambda m: _word(m.group(0), alphabet), text)


@lru_cache(maxsize=100_000)
def word_to_cyrillic(word: str) -> str:
    """One word, its alphabet judged from the word itself (2021 unless it shows 2018)."""
    return _word(word, alphabet_of(word))


def _word(word: str, alphabet: str) -> str:
    if not _HAS_LATIN.search(word):
        return word
    return _convert(word, alphabet)


@cache
def _convert(word: str, alphabet: str) -> str:
    letters = _LETTERS_2018 if alphabet == ALPHABET_2018 else _LETTERS_2021
    digraphs = _DIGRAPHS_2018 if alphabet == ALPHABET_2018 else _DIGRAPHS_2021
    # İ lower-cases to two code points (i + combining dot); it is the 2021 letter for и/й.
    lower = word.replace("İ", "i").lower()
    out: list[str] = []
    i = 0
    while i < len(lower):
        upper = word[i].isupper() if i < len(word) else False
        for latin, cyrillic in digraphs:
            if lower.startswith(latin, i):
                piece = cyrillic
                i += len(latin)
                break
        else:
            char = lower[i]
            if char == "ı" and alphabet == ALPHABET_2018:
                previous = lower[i - 1] if i else ""
                piece = "й" if previous in _VOWELS else "и"
            elif char == "i" and alphabet == ALPHABET_2021 and i and lower[i - 1] in _VOWELS:
                piece = "й"
            else:
                piece = letters.get(char, char)
            i += 1
        out.append(piece[0].upper() + piece[1:] if upper else piece)
    return "".join(out)


@cache
def to_latin_variants(word: str) -> frozenset[str]:
    """The spellings of a Cyrillic Kazakh word in both Latin alphabets (for stop-word lists)."""
    return frozenset({_to_latin(word, _BACK_2021), _to_latin(word, _BACK_2018)})


def _to_latin(word: str, table: dict[str, str]) -> str:
    return "".join(table.get(c, c) for c in word.lower())


_BACK_2021 = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ё": "io",
    "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū",
    "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ç", "ш": "ş", "щ": "şş", "ъ": "",
    "ы": "y", "і": "ı", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}
_BACK_2018 = {
    **_BACK_2021,
    "ә": "á", "ғ": "ǵ", "и": "ı", "й": "ı", "ң": "ń", "ө": "ó", "у": "ý", "ұ": "u", "ү": "ú",
    "ч": "ch", "ш": "sh", "щ": "sh", "і": "i", "ю": "ıý", "я": "ıa",
}
