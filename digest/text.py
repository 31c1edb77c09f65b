"""Text repair, language detection and sentence splitting for English, Russian and Kazakh.

Everything here is pure and offline: the sentence splitter is `sentencex` (rules shipped in
the package, no downloaded models) with fixes for the cases it gets wrong in Russian and
Kazakh news (initials, abbreviations before a lower-case word).
"""

from __future__ import annotations

import re
import unicodedata

from sentencex import segment

from digest.translit import KAZAKH_LATIN_LETTERS

KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")

# A URL or a bare domain is never split or touched by the glued-sentence repair.
# Top-level domains are matched in lower case only, so `development.In` is not a domain.
_URL = re.compile(
    r"(?i:https?://|www\.)\S+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:kz|ru|com|org|net|gov|edu|int|info|io|uk|us|eu|de|fr|cn|in)\b"
)
# Sentence punctuation, an optional closing quote, then a word that starts with a capital.
_GLUED = re.compile(r"([.!?])([\"”’»]?)(?=[^\W\d_]{2})")
_OPENING_QUOTE = re.compile(r"([.!?])(?=[“«][^\W\d_])")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")

_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z]")
_LATIN_LETTERS = re.compile(r"[a-zA-Z\u00c0-\u024f]")
# Frequent function words that tell Russian from Kazakh when no Kazakh-only letter shows up.
_RU_MARKERS = frozenset(
    str.split(
        "и в на с не что по к для из о от за как это а но у при до же или также был была были "
        "который которые года году его их все быть"
    )
)
_KK_MARKERS = frozenset(
    str.split("және мен бен пен осы деп бола екен туралы бойынша арқылы ретінде")
)


def repair(text: str) -> str:
    """Normalise Unicode and whitespace, and put the missing space into glued sentences."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return _unglue(text)


def _unglue(text: str) -> str:
    protected = [(m.start(), m.end()) for m in _URL.finditer(text)]

    def inside_url(pos: int) -> bool:
        return any(start <= pos < end for start, end in protected)

    def glued(match: re.Match[str]) -> str:
        punct, quote = match.group(1), match.group(2)
        nxt = text[match.end()]
        after = text[match.end() + 1]
        # `H.E.` and `U.S.` continue with a capital and a dot: an abbreviation, not a sentence.
        if not nxt.isupper() or after == "." or inside_url(match.start()):
            return match.group(0)
        return f"{punct}{quote} "

    text = _GLUED.sub(glued, text)
    protected = [(m.start(), m.end()) for m in _URL.finditer(text)]
    return _OPENING_QUOTE.sub(
        lambda m: m.group(0) if inside_url(m.start()) else f"{m.group(1)} ", text
    )


def detect_language(text: str) -> str:
    """Return "en", "ru" or "kk": Latin vs Cyrillic words, then which language has more evidence.

    A Russian text that quotes a Kazakh name keeps its Russian function words, so it is not
    mistaken for Kazakh; a mixed text goes to whichever language has more evidence. A Latin
    text is Kazakh (kk) when it has more Kazakh-Latin evidence (letters such as ǵ, ń, ş, ū,
    a q outside "qu", function words such as jáne/jäne) than English function words.
    """
    words = _WORD.findall(text)
    cyrillic = [w.lower() for w in words if _CYRILLIC.search(w)]
    latin = [w for w in words if _LATIN.search(w) or KAZAKH_LATIN_LETTERS.intersection(w)]
    if not cyrillic or len(latin) > len(cyrillic):
        return "kk" if _latin_is_kazakh(latin) else "en"
    kazakh = sum(1 for w in cyrillic if KAZAKH_LETTERS.intersection(w) or w in _KK_MARKERS)
    russian = sum(1 for w in cyrillic if w in _RU_MARKERS)
    return "kk" if kazakh > russian else "ru"


def is_latin_kazakh(text: str, lang: str | None = None) -> bool:
    """True for Kazakh written in a Latin alphabet (more Latin than Cyrillic words).

    With `lang` "kk" (already detected) only the script is checked, which is cheaper.
    """
    if lang == "kk":
        return len(_LATIN_LETTERS.findall(text)) > len(_CYRILLIC.findall(text))
    words = _WORD.findall(text)
    latin = [w for w in words if _LATIN.search(w) or KAZAKH_LATIN_LETTERS.intersection(w)]
    cyrillic = sum(1 for w in words if _CYRILLIC.search(w))
    return len(latin) > cyrillic and _latin_is_kazakh(latin)


# English function words: the evidence against Kazakh in a Latin-script text.
_EN_MARKERS = frozenset(
    str.split(
        "the of and to in for on with is was were are by that at as from this it be has have "
        "will an its which their also been after said"
    )
)
# Kazakh function words in both Latin alphabets (2021 and the acute 2018 one).
_KK_LATIN_MARKERS = frozenset(
    str.split(
        "jäne jáne men ben pen osy dep bul būl bolady týraly turaly boıynsha boiynşa arqyly "
        "retinde úshin üşin dedi degen biraq sondaı sondai habarlaıdy habarlaidy qazir bıyl "
        "biyl jyly jylǵy jylğy"
    )
)
_QU = re.compile(r"q(?!u)", re.IGNORECASE)


def _latin_is_kazakh(latin: list[str]) -> bool:
    kazakh = english = 0
    for word in latin:
        lower = word.lower()
        if lower in _EN_MARKERS:
            english += 1
        elif (
            lower in _KK_LATIN_MARKERS
            or KAZAKH_LATIN_LETTERS.intersection(lower)
            or _QU.search(lower)
        ):
            kazakh += 1
    # Two pieces of evidence at least: one Kazakh name (Qasym) does not make a text Kazakh.
    return kazakh >= 2 and kazakh > english


# Fragments ending in these never end a sentence (`им. Абая`, `ул. Ленина`, `т.е. это`).
_ALWAYS_CONTINUES = re.compile(
    r"(?:^|[\s(])(?:им|ул|пр|просп|пер|д|кв|проф|акад|доц|т\.е|т\.к|т\.н|напр|см|ср|обл|"
    r"тел|каб|mr|mrs|dr|prof|vs|e\.g|i\.e)\.$",
    re.IGNORECASE,
)
# These may end a sentence, so they only continue into a word that is not capitalised.
_CONTINUES_INTO_LOWER = re.compile(
    r"(?:^|[\s(\d])(?:г|гг|ж|жж|млрд|млн|трлн|тыс|мың|руб|тг|долл|сағ|мин|т\.б|т\.д|т\.п|"
    r"т\.с\.с|др|etc)\.$",
    re.IGNORECASE,
)
# A single capital letter and a dot at the end is an initial: `Б.`, `Ж.`, `U.`.
_INITIAL = re.compile(r"(?:^|[\s(\"«“])[^\W\d_a-zа-яёәғқңөұүһі]\.$")


def split_sentences(text: str, lang: str) -> list[str]:
    """Sentences of `text` in order, stripped, none empty; a line break always ends one."""
    sentences: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        fragments = [f.strip() for f in segment(lang if lang in ("en", "ru", "kk") else "en", line)]
        sentences.extend(_merge([f for f in fragments if f], initials=lang != "en"))
    return sentences


def _merge(fragments: list[str], *, initials: bool) -> list[str]:
    merged: list[str] = []
    for fragment in fragments:
        if merged and _continues(merged[-1], fragment, initials=initials):
            merged[-1] = f"{merged[-1]} {fragment}"
        else:
            merged.append(fragment)
    return merged


def _continues(previous: str, fragment: str, *, initials: bool) -> bool:
    first = fragment[0]
    if first.islower() or _ALWAYS_CONTINUES.search(previous):
        return True
    # sentencex keeps English initials together itself; `Plan B.` may end a sentence there.
    if initials and _INITIAL.search(previous):
        return True
    return bool(_CONTINUES_INTO_LOWER.search(previous)) and not first.isupper()
