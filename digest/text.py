"""Text repair, language detection and sentence splitting for English, Russian and Kazakh.

Everything here is pure and offline: the sentence splitter is `sentencex` (rules shipped in
the package, no downloaded models) with fixes for the cases it gets wrong in Russian and
Kazakh news (initials, abbreviations before a lower-case word).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

from sentencex import segment

from digest.ascii_twin import LETTERS, WordRuns
from digest.translit import KAZAKH_LATIN_LETTERS

# Bumped whenever split_sentences changes where sentences end: reference summaries record
# sentence positions under the version they were made with (digest/evaluation/summaries.py).
SPLITTER_VERSION = "3"

KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")

# A URL or a bare domain is never split or touched by the glued-sentence repair. A domain's
# top-level part is all lower case (`gov.kz`) or all upper case (`BAQ.KZ`), so neither
# `development.In` nor `U.S` is a domain; it may be glued to the next paragraph's first word
# (`Kazpravda.kzКак`), which the repair then separates.
_TLDS = "kz|ru|com|org|net|gov|edu|int|info|io|uk|us|eu|de|fr|cn|in|qz"
# Upper-case domains only under the common news TLDs and with an upper-case name, so that
# `rise.US interest rates` stays a glued sentence.
# Linear on any input: a domain may only start where no word character, dot or hyphen
# precedes it (one start per run of such characters), and each label is matched
# possessively, so a failed match gives back whole labels, never characters one by one
# (`\b[\w-]+(?:\.[\w-]+)*\.` took 19 s on "ab-" * 8000).
_UPPER_DOMAIN = r"(?<![\w.-])(?:[A-Z0-9-]++\.)+(?:KZ|RU|COM|ORG|NET)"
_URL = re.compile(
    r"(?i:https?://|www\.)\S+"
    rf"|(?<![\w.-])(?:[\w-]++\.)+(?:{_TLDS})(?![^\W\d_])"
    rf"|{_UPPER_DOMAIN}(?![^\W\d_])"
)
# A domain glued to a capitalised word: `Kazpravda.kzКак отметил`.
# It starts with the dot, which the regex engine looks for quickly.
_DOMAIN_GLUED = re.compile(rf"\.(?<=[\w-]\.)({_TLDS})(?=[^\W\d_a-zа-яёәғқңөұүһі][^\W\d_])")
# Sentence punctuation, an optional closing quote, then a word that starts with a capital
# (or a one-letter word such as `A`, `I`, `В`, when a whole lower-case word ends before).
_GLUED = re.compile(
    r"([.!?])([\"”’»]?)"
    r"(?=[^\W\d_]{2}|[A-Z]\d|(?<=[a-zа-яёәғқңөұүһі%)][.!?])[^\W\d_] )"
)
# A straight quote after a full stop that opens the next sentence: `two years."I think`.
# It matches the quote itself (the sub puts it back) and checks what precedes it after: the
# engine then skips to quote marks, where the zero-width form was tried at every position.
_GLUED_STRAIGHT_QUOTE = re.compile(r'"(?<=[a-zа-яёәғқңөұүһі%\d][.!?]")(?=[^\W\d_])')
_OPENING_QUOTE = re.compile(r"([.!?])(?=[“«][^\W\d_])")
# Two paragraphs glued without a full stop: a lower-case word runs into a capitalised one
# (`развитияВ Акорде`, `годаПрезидент`). Only words that start in lower case with at least
# three lower-case letters qualify, so `ҚазАқпарат`, `КазМунайГаз` and `iPhone` stay whole.
# (The first letter is matched before the check of what precedes it: the same matches as
# with the lookbehind first, but the engine skips to candidate characters; several patterns
# below do the same.)
_GLUED_PARAGRAPH = re.compile(
    r"([a-zа-яёәғқңөұүһі](?<![^\W\d_].)[a-zа-яёәғқңөұүһі]{2,}+)"
    r"(?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ](?:[a-zа-яёәғқңөұүһі]|\s))"
)
# What every glued paragraph has: a lower-case letter right before a capital. Most texts
# have none, and looking for it is cheaper than the pattern above.
# (Matched from the capital, with the lower-case letter behind it: the engine then stops at
# capitals only, not at nearly every letter of the text.)
_LOWER_UPPER = re.compile(r"[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ](?<=[a-zа-яёәғқңөұүһі].)")
# Initials glued to a surname keep no space: `Ә.Тойбаев`, `Ж.Қасымбек`, `А.Б.Иванов`,
# `Sh.Ualiyev`. Latin sequences such as `H.E.` and `U.S.` are titles and abbreviations.
_LONE_INITIAL = re.compile(
    r"(?:^|[^\w.])(?:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]|Sh|Zh|Kh|Ch|Ts|Ye|Yu|Ya|Dzh|Шч)$"
)
_CYRILLIC_INITIALS = re.compile(r"(?:^|[^\w.])(?:[А-ЯЁӘҒҚҢӨҰҮҺІ]\.)+[А-ЯЁӘҒҚҢӨҰҮҺІ]$")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ODD_SPACE = re.compile(r"[\t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_BLANK_LINES = re.compile(r"\n{3,}")

_WORD = WordRuns(r"[^\W\d_]+", LETTERS)
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
    lines = [_normal_spaces(line) for line in text.split("\n")]
    text = "\n".join(lines)
    if "\n\n\n" in text:  # what the pattern needs; cheaper to look for
        text = _BLANK_LINES.sub("\n\n", text)
    text = text.strip()
    return _unglue(text)


def _normal_spaces(line: str) -> str:
    # Most lines have no space to fix, and looking for one is cheaper than rewriting them;
    # in an ASCII line the odd spaces can only be these three (found without the pattern).
    if "  " in line or (
        ("\t" in line or "\f" in line or "\v" in line) if line.isascii()
        else _ODD_SPACE.search(line)
    ):
        line = _SPACES.sub(" ", line)
    return line.strip()


def _unglue(text: str) -> str:
    text = _DOMAIN_GLUED.sub(r".\1 ", text)
    # Where the URLs of the current text are, found only when a rule asks: most texts have
    # no glued sentence, and the URL pattern is the slowest part of the repair.
    urls: list[tuple[int, int]] | None = None

    def inside_url(pos: int) -> bool:
        nonlocal urls
        if urls is None:
            urls = [(m.start(), m.end()) for m in _URL.finditer(text)]
        return any(start <= pos < end for start, end in urls)

    def glued(match: re.Match[str]) -> str:
        punct, quote = match.group(1), match.group(2)
        nxt = text[match.end()]
        after = text[match.end() + 1]
        if quote == '"' and text[: match.start()].count('"') % 2 == 0:
            # An even count before: this quote opens the next sentence (`summit"."We`).
            return f"{punct} {quote}" if nxt.isupper() else match.group(0)
        before = text[max(0, match.start() - 6) : match.start()]
        # `H.E.` and `U.S.` continue with a capital and a dot: an abbreviation, not a sentence.
        if not nxt.isupper() or after == "." or inside_url(match.start()):
            return match.group(0)
        if punct == "." and not quote and _is_initial(before):
            return match.group(0)
        return f"{punct}{quote} "

    text = _GLUED.sub(glued, text)
    if '."' in text or '!"' in text or '?"' in text:  # what the pattern needs
        text = _GLUED_STRAIGHT_QUOTE.sub(
            lambda m: ' "' if text[: m.start()].count('"') % 2 == 0 else '"', text
        )
    urls = None
    if "“" in text or "«" in text:  # what the pattern needs; cheaper to look for
        text = _OPENING_QUOTE.sub(
            lambda m: m.group(0) if inside_url(m.start()) else f"{m.group(1)} ", text
        )
    urls = None
    if not _LOWER_UPPER.search(text):
        return text
    return _GLUED_PARAGRAPH.sub(
        lambda m: m.group(0) if inside_url(m.start()) else f"{m.group(1)} ", text
    )


def _is_initial(before: str) -> bool:
    """Whether the text before a full stop is an initial (or Cyrillic initials) of a name."""
    return bool(_LONE_INITIAL.search(before) or _CYRILLIC_INITIALS.search(before))


def detect_language(text: str) -> str:
    """Return "en", "ru" or "kk": Latin vs Cyrillic words, then which language has more evidence.

    A Russian text that quotes a Kazakh name keeps its Russian function words, so it is not
    mistaken for Kazakh; a mixed text goes to whichever language has more evidence. A Latin
    text is Kazakh (kk) when it has more Kazakh-Latin evidence (letters such as ǵ, ń, ş, ū,
    a q outside "qu", function words such as jáne/jäne) than English function words.
    """
    if text.isascii() or _latin1_without_kazakh(text):
        # Every word is Latin and none Cyrillic: only the Latin votes count, and they are
        # read off the set of words at C speed (English news: a third of the time or less).
        # These are _latin_vote's rules as they stand without its Kazakh-Latin letters,
        # which no such word has: a change there belongs here too (calling it per distinct
        # word instead costs 70-110 us an article, measured 27 Nov). Latin-1 letters lower
        # one to one and stay letters, so the words of the lowered text are the lowered
        # words (an English text with a £ sign is Latin-1, not ASCII).
        lowered = text.lower()
        counts = Counter(_WORD.findall(lowered))
        english = sum(counts[w] for w in _EN_MARKERS.intersection(counts))
        evidence = set(_KK_LATIN_MARKERS.intersection(counts))
        # A q is a letter, so inside a word: a word has a q without u after it exactly when
        # the text has one (one scan instead of a Python step per distinct word).
        if _QU.search(lowered):
            evidence.update(w for w in counts if "q" in w and _QU.search(w))
        latin_kazakh = sum(counts[w] for w in evidence.difference(_EN_MARKERS))
        return "kk" if latin_kazakh >= 2 and latin_kazakh > english else "en"
    cyrillic = latin = kazakh = russian = latin_kazakh = english = 0
    # Each distinct word once, times its count: news repeats its words.
    for word, count in Counter(_WORD.findall(text)).items():
        kind = _word_kind(word)
        if kind.cyrillic:
            cyrillic += count
            kazakh += kind.kazakh * count
            russian += kind.russian * count
        if kind.latin:
            latin += count
            latin_kazakh += (kind.latin_vote > 0) * count
            english += (kind.latin_vote < 0) * count
    if not cyrillic or latin > cyrillic:
        # As _latin_is_kazakh: two pieces of evidence at least, and more than English has.
        return "kk" if latin_kazakh >= 2 and latin_kazakh > english else "en"
    return "kk" if kazakh > russian else "ru"


def _latin1_without_kazakh(text: str) -> bool:
    """Whether every character of the text is Latin-1 and none a Kazakh-Latin letter."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return KAZAKH_LATIN_LETTERS.isdisjoint(text)


class _WordKind(NamedTuple):
    """What one word says about the language of a text (see detect_language)."""

    cyrillic: bool  # has a Cyrillic letter
    latin: bool  # has a Latin letter, or a letter of a Kazakh Latin alphabet
    kazakh: bool  # (Cyrillic) a Kazakh letter or function word
    russian: bool  # (Cyrillic) a Russian function word
    latin_vote: int  # (Latin) 1 Kazakh evidence, -1 an English function word, 0 neither


# Detection looks at every word of every article, and news repeats its words: each word is
# classified once per process (a few hundred thousand distinct words at most).
WORD_KIND_CACHE = 200_000


@lru_cache(maxsize=WORD_KIND_CACHE)
def _word_kind(word: str) -> _WordKind:
    lower = word.lower()
    return _WordKind(
        cyrillic=bool(_CYRILLIC.search(word)),
        latin=bool(_LATIN.search(word) or KAZAKH_LATIN_LETTERS.intersection(word)),
        kazakh=bool(KAZAKH_LETTERS.intersection(lower) or lower in _KK_MARKERS),
        russian=lower in _RU_MARKERS,
        latin_vote=_latin_vote(lower),
    )


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
    votes = [_latin_vote(word.lower()) for word in latin]
    kazakh, english = votes.count(1), votes.count(-1)
    # Two pieces of evidence at least: one Kazakh name (Qasym) does not make a text Kazakh.
    return kazakh >= 2 and kazakh > english


def _latin_vote(lower: str) -> int:
    """-1 for an English function word, 1 for Kazakh evidence in a Latin-script word."""
    if lower in _EN_MARKERS:
        return -1
    if lower in _KK_LATIN_MARKERS or KAZAKH_LATIN_LETTERS.intersection(lower) or _QU.search(lower):
        return 1
    return 0


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
# A single capital letter and a dot at the end is an initial: `Б.`, `Ж.`, `U.`; so are the
# two-letter Latin initials of Kazakh names (`Zh.`, `Sh.`, `Kh.`) and Cyrillic runs (`А.Б.`).
_INITIAL = re.compile(r"(?:^|[\s(\"«“])(?:[^\W\d_a-zа-яёәғқңөұүһі]\.)+$")
_LATIN_INITIAL = re.compile(r"(?:^|[\s(\"«“])(?:Sh|Zh|Kh|Ch|Ts|Ye|Yu|Ya|Dzh)\.$")
# A dateline cut off by the splitter: `АСТАНА.` or `НҰР-СҰЛТАН.` before `KAZINFORM — …`.
_DATELINE_HEAD = re.compile(r"^[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][A-ZА-ЯЁӘҒҚҢӨҰҮҺІ -]{1,30}\.$")
# The next three patterns match the stop and capture the space after it, where the split
# goes (group 1): matching from the stop lets the engine skip to stops, where a lookbehind
# for the stop was tried at every position of the text (3-10x slower).
# A sentence end inside a fragment: sentencex does not split inside quotes.
_INNER_END = re.compile(r"[.!?…](\s+)(?=[\"«“„(—–-]?\s?[^\W\d_a-zа-яёәғқңөұүһі])")
# A sentence that opens with a quotation mark after another ends: `…a year. "What we…`.
_QUOTE_START = re.compile(r"[.!?](\s+)(?=[\"«“„][^\W\d_])")
# A sentence that starts with a number (`…отыр. 12,2 млн гектардан…`), which sentencex
# leaves glued to the one before: the word before the stop is a whole word, not `г.`/`млрд.`.
_NUMBER_START = re.compile(r"[.!?](?<=[^\W\d_]{4}[.!?])(\s+)(?=\d)")
_OPENING = "«“„"
_CLOSING = "»”“"


def split_sentences(text: str, lang: str) -> list[str]:
    """Sentences of `text` in order, stripped, none empty; a line break always ends one.

    Sentences are slices of the text: pieces rejoined after a wrong split keep their own
    spacing, so `Ә.Тойбаев` and `BAQ.KZ` come out as written. Sentences inside a quotation
    are split too (`«Это важно. Мы начнём».` is two); the summariser keeps quotes whole.
    """
    sentences: list[str] = []
    language = lang if lang in ("en", "ru", "kk") else "en"
    initials = lang != "en"
    for line in text.splitlines():
        if not line.strip():
            continue
        if len(line) <= SPLIT_CACHE_LINE:
            sentences.extend(_split_line_cached(line, language, initials))
        else:
            sentences.extend(_split_line(line, language, initials))
    return sentences


# The ingest splits each article twice, line by line: to cap what the summariser ranks
# (digest.prepare.summary_text) and in the summariser itself. The lines of the last few
# articles are kept, up to a length that bounds the cache's memory (a few MB).
SPLIT_CACHE_LINES = 256
SPLIT_CACHE_LINE = 10_000  # characters; longer lines are split every time


def _split_line(line: str, language: str, initials: bool) -> tuple[str, ...]:
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in segment(language, line):
        piece = piece.strip()
        if not piece:
            continue
        start = line.find(piece, cursor)
        if start < 0:  # sentencex changed the text; fall back to its piece's length
            start = cursor
        cursor = start + len(piece)
        spans.extend(_split_inside(line, start, cursor))
    return tuple(line[a:b] for a, b in _merge(line, spans, initials=initials))


_split_line_cached = lru_cache(maxsize=SPLIT_CACHE_LINES)(_split_line)


def _split_inside(line: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a sentencex piece where it missed an end: before a number, inside a quote."""
    spans: list[tuple[int, int]] = []
    begin = start
    # From the character before the piece: its stop may precede a space the piece starts with.
    for match in _NUMBER_START.finditer(line, max(start - 1, 0), end):
        if not _at_end(_CONTINUES_INTO_LOWER, line[begin : match.start(1)]):
            spans.append((begin, match.start(1)))
            begin = match.end(1)
    spans.append((begin, end))
    opened: list[tuple[int, int]] = []
    for a, b in spans:
        for match in _QUOTE_START.finditer(line, max(a - 1, 0), b):
            if not _quote_open(line[a : match.start(1)]):
                opened.append((a, match.start(1)))
                a = match.end(1)
        opened.append((a, b))
    return [part for a, b in opened for part in _split_inside_quotes(line, a, b)]


def _split_inside_quotes(line: str, start: int, end: int) -> list[tuple[int, int]]:
    fragment = line[start:end]
    if not ('"' in fragment or "«" in fragment or "“" in fragment or "„" in fragment):
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _INNER_END.finditer(fragment):
        if _quote_open(fragment[: match.start(1)]):
            spans.append((begin, start + match.start(1)))
            begin = start + match.end(1)
    spans.append((begin, end))
    return [(a, b) for a, b in spans if line[a:b].strip()]


def _quote_open(text: str) -> bool:
    """Whether a quotation opened in `text` is still open at its end."""
    depth = 0
    straight = False
    for ch in text:
        if ch in "«„“":
            depth += 1
        elif ch in "»”":
            depth = max(0, depth - 1)
        elif ch == '"':
            straight = not straight
    return depth > 0 or straight


def _merge(line: str, spans: list[tuple[int, int]], *, initials: bool) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged:
            prev_start, prev_end = merged[-1]
            previous, fragment = line[prev_start:prev_end], line[start:end]
            # No space between the pieces: a split inside a word (`BAQ.KZ`, `Ә.Тойбаев`).
            if start == prev_end or _continues(
                previous, fragment, initials=initials, first=len(merged) == 1
            ):
                merged[-1] = (prev_start, end)
                continue
        merged.append((start, end))
    return merged


def _continues(previous: str, fragment: str, *, initials: bool, first: bool = False) -> bool:
    head = fragment[0]
    if head.islower() or _at_end(_ALWAYS_CONTINUES, previous):
        return True
    if _at_end(_LATIN_INITIAL, previous):
        return True
    # `АСТАНА.` alone is the dateline of the sentence that follows it.
    if first and _DATELINE_HEAD.match(previous):
        return True
    # sentencex keeps English initials together itself; `Plan B.` may end a sentence there.
    if initials and _INITIAL.search(previous):
        return True
    return not head.isupper() and bool(_at_end(_CONTINUES_INTO_LOWER, previous))


def _at_end(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """`pattern.search(text)` for the three patterns above, which match at most 8 characters
    at the end (a separator, an abbreviation of up to 5 letters, the stop, and a newline
    `$` allows after it): tried only from there, instead of at every position of a
    sentence. A search from `pos` keeps `^` at the text's real start."""
    return pattern.search(text, max(0, len(text) - _END))


_END = 8
