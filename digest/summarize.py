"""Extractive summaries of whole, self-standing sentences from our own offline splitter.

The article is cleaned first: the title, `Source : URL`, datelines, photo credits, links,
bullets, list line-ups, headings and fragments under five words never reach a summary. The
sentences are then ranked (by the default's learned model, `digest.summary_model`, or by a
stock Sumy algorithm) and the best ones that fit the length are returned in their original
order. A quotation that spans sentences is taken whole or not at all. Pure functions: this
runs in worker processes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial

from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.summarizers._summarizer import AbstractSummarizer, SentenceInfo
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from digest.algorithms import ALGORITHMS
from digest.ascii_twin import WORD_CHARS, WordRuns
from digest.stemming import stem, stop_words
from digest.summary_model import (
    Profile,
    SentenceModel,
    content_words,
    feature_matrix,
    load_model,
    lower_words_of,
    profile,
    quote_balance,
    words_of,
)
from digest.text import split_sentences

ELLIPSIS = "…"

_WORD = WordRuns(r"\w+(?:['’-]\w+)*", WORD_CHARS, "'-")
_URL = re.compile(r"https?://|www\.\S", re.IGNORECASE)
# Boilerplate: a credit line's head (matched at the start), a copyright sign or a photo note.
# Three checks rather than one pattern with `^` among its alternatives, which the engine
# tries at every position of every sentence.
_BOILERPLATE_HEAD = re.compile(
    r"(?:source|sources|photo|photos|image|video|read more|источник|фото|видео|подробнее|"
    r"дереккөз|сурет|бейне|толығырақ)\s*[:©|-]",
    re.IGNORECASE,
)
_PHOTO_NOTE = re.compile(r"\((?:photo|фото|сурет)\b", re.IGNORECASE)
_DATE_ONLY = re.compile(r"^\W*\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\W*$")
# `New Delhi, 10 Febuary 2026 - ` or `АСТАНА, 10 февраля 2026 г. — ` before the first sentence.
_DATELINE = re.compile(
    r"^[^\W\d_][\w .’'-]{0,40},\s*(?:\d{1,2}\s+[^\W\d_]+|\d{1,2}[./]\d{1,2}[./])\s*\d{4}"
    r"(?:\s*(?:г\.|ж\.|жылы))?\s*[-–—]+\s+"
)
# A news agency's dateline: `АСТАНА. KAZINFORM — `, `НҰР-СҰЛТАН. ҚазАқпарат – `,
# `АЛМАТЫ, 12 қараша – Sputnik. `, `Алматы. 11 июня. КазТАГ – `.
_AGENCY = (
    r"(?:KAZINFORM|Kazinform|ҚазАқпарат|QazAqparat|КазТАГ|KazTAG|Sputnik|BNews\.kz|"
    r"QOGAMMEDIA\.KZ|Zakon\.kz|Tengrinews\.kz|INTERFAX\.RU|РИА Новости)"
)
_AGENCY_DATELINE = re.compile(
    r"^(?:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w-]*(?:[ -][A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w-]*)?)"
    r"(?:[.,]\s*\d{1,2}\s+[^\W\d_]+)?[.,]?\s*"
    rf"(?:{_AGENCY}\s*[-–—]+\s*|[-–—]+\s*{_AGENCY}\.\s+)"
)
# Bullets and list markers at the start of a line: `•`, `-` before a list item, `1)`, emoji.
_BULLET = re.compile(r"^(?:[•·▪►◦*]|\d{1,2}\)|[\U0001F300-\U0001FAFF\u2600-\u27BF])")
_TERMINAL_STOPS = (".", "!", "?", "…", "»", '"', "”", ")")  # the ends of a whole sentence
MIN_WORDS = 5  # shorter sentences are fragments, never fillers
# A sentence without a full stop at the end must be this long to count as a sentence
# rather than a heading or a list item.
MIN_WORDS_UNTERMINATED = 8


class _Tokenizer:
    """Sumy's tokenizer interface over our splitter; no NLTK data is involved."""

    def __init__(self, lang: str) -> None:
        self.language = lang

    def to_sentences(self, text: str) -> tuple[str, ...]:
        return tuple(split_sentences(text, self.language))

    @staticmethod
    def to_words(sentence: str) -> tuple[str, ...]:
        return tuple(_WORD.findall(sentence))


def summarize(
    title: str,
    body: str,
    lang: str,
    *,
    algorithm: str = "default",
    sentences: int = 3,
    max_chars: int | None = None,
) -> str:
    """The best `sentences` sentences of the body (within `max_chars`), in original order.

    Only whole sentences are returned: a summary never ends mid-sentence. If even the best
    single sentence is longer than `max_chars`, the summary is empty rather than cut.
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown summary algorithm {algorithm!r}; one of {', '.join(ALGORITHMS)}")
    candidates = candidate_sentences(title, body, lang)
    if not candidates:
        return ""
    units = quote_units(candidates)
    whole = [i for start, end in units for i in range(start, end)]
    if len(whole) <= sentences and (
        max_chars is None or sum(len(candidates[i]) + 1 for i in whole) - 1 <= max_chars
    ):
        # A short article is its own summary.
        return " ".join(candidates[i] for i in whole)
    if algorithm == "default":
        chosen = select_default(title, candidates, units, lang, sentences, max_chars)
    else:
        order = rank(title, candidates, lang, algorithm)
        chosen = select(candidates, units, order, sentences, max_chars)
    return " ".join(candidates[i] for i in chosen)


def candidate_sentences(title: str, body: str, lang: str) -> list[str]:
    """The body's sentences that may appear in a summary.

    No title, links, boilerplate, datelines, bullets, list line-ups (`… were discussed:`),
    headings, fragments under five words or sentences that start in lower case.
    """
    title_key = _key(title)
    seen: set[str] = set()
    result: list[str] = []
    for paragraph in body.splitlines():
        for raw in split_sentences(paragraph, lang):
            sentence = raw
            if not result:
                sentence = _AGENCY_DATELINE.sub("", _DATELINE.sub("", sentence)).strip()
            key = _key(sentence)
            if not key or key == title_key or key in seen or _is_boilerplate(sentence):
                continue
            seen.add(key)
            if _is_whole_sentence(sentence):
                result.append(sentence)
    return result


def _is_whole_sentence(sentence: str) -> bool:
    words = len(words_of(sentence))
    if words < MIN_WORDS or _BULLET.match(sentence) or sentence[:1].islower():
        return False
    if sentence.endswith((":", ";", ",")):
        return False  # a line-up's introduction or one of its items
    return _is_terminated(sentence) or words >= MIN_WORDS_UNTERMINATED


def quote_units(candidates: Sequence[str]) -> list[tuple[int, int]]:
    """Runs of sentences `[start, end)` that must be taken together: a quotation's sentences.

    A sentence that closes a quotation opened outside the candidates is a fragment and forms
    no unit at all; a quotation that does not close within five sentences is treated as a
    stray quote mark, each sentence on its own.
    """
    units: list[tuple[int, int]] = []
    balances = [quote_balance(s) for s in candidates]
    i = 0
    while i < len(candidates):
        if balances[i] < 0:
            i += 1  # the tail of a quotation whose start is not a candidate
            continue
        end, depth = i + 1, balances[i]
        while depth > 0 and end < len(candidates) and end - i < 6:
            depth += balances[end]
            end += 1
        if depth > 0:
            end = i + 1
        units.append((i, end))
        i = end
    return units


def _key(text: str) -> str:
    if text.isascii():  # casefold is lower there
        return " ".join(lower_words_of(text))
    folded = text.casefold()
    if folded == text.lower():
        # Nearly always: the words are then those the summariser reads again (and caches)
        # for each candidate, split once for both.
        return " ".join(lower_words_of(text))
    return " ".join(_WORD.findall(folded))


def _is_terminated(sentence: str) -> bool:
    """Whether the sentence ends in a stop, a closing quote or bracket (or in one followed
    by a final newline, where the regular expression this replaces matched too)."""
    return sentence.endswith(_TERMINAL_STOPS) or (
        sentence.endswith("\n") and sentence[:-1].endswith(_TERMINAL_STOPS))


def _is_boilerplate(sentence: str) -> bool:
    # "://" or "w." is in every text _URL matches (only w and W match `w` ignoring case):
    # looking for them first spares the case-blind pattern most sentences.
    has_url = ("://" in sentence or "w." in sentence or "W." in sentence) and bool(
        _URL.search(sentence)
    )
    return bool(
        has_url
        or _BOILERPLATE_HEAD.match(sentence)
        or "©" in sentence
        or _PHOTO_NOTE.search(sentence)
        or _DATE_ONLY.match(sentence)
    )


def rank(title: str, candidates: Sequence[str], lang: str, algorithm: str) -> list[int]:
    """Indices of `candidates`, best first."""
    if algorithm == "lead":
        return list(range(len(candidates)))
    ratings = sumy_ratings(title, candidates, lang, algorithm)
    # A stable sort keeps document order among equal ratings, as Sumy itself does.
    return sorted(range(len(candidates)), key=lambda i: -ratings[i])


def sumy_ratings(title: str, candidates: Sequence[str], lang: str, algorithm: str) -> list[float]:
    """Sumy's rating of each candidate under `algorithm` (higher is better)."""
    tokenizer = _Tokenizer(lang)
    document = _document(title, candidates, tokenizer)
    summarizer = _summarizer(algorithm, lang, title, tokenizer)
    ranked: list[SentenceInfo] = []

    def keep_all(infos: list[SentenceInfo]) -> list[SentenceInfo]:
        # Sumy hands over every sentence sorted by rating; we keep all the ratings so that a
        # character budget can go past the sentence count.
        ranked.extend(infos)
        return infos

    summarizer(document, keep_all)
    by_text = {str(info.sentence): float(info.rating) for info in ranked}
    lowest = min(by_text.values(), default=0.0)
    return [by_text.get(text, lowest) for text in candidates]


def select_default(
    title: str,
    candidates: Sequence[str],
    units: Sequence[tuple[int, int]],
    lang: str,
    sentences: int,
    max_chars: int | None,
    model: SentenceModel | None = None,
) -> list[int]:
    """The default's choice of sentences (indices in document order)."""
    model = model or load_model(lang)
    words = content_words(candidates, lang)
    prof = profile(candidates, lang, words)
    rows = feature_matrix(title, candidates, lang, prof, model.features, words)
    probabilities = model.probabilities(rows)
    return choose(candidates, units, prof, probabilities, model, sentences, max_chars)


def choose(
    candidates: Sequence[str],
    units: Sequence[tuple[int, int]],
    prof: Profile,
    probabilities: Sequence[float],
    model: SentenceModel,
    sentences: int,
    max_chars: int | None,
) -> list[int]:
    """The units worth most, less their overlap with those already chosen (MMR), greedily.

    A sentence is worth (probability it belongs in a reference summary - threshold) x its
    length, which maximises expected ROUGE F1 rather than recall. Under a character budget
    the summary stops early rather than take a sentence worth less than nothing. Linear in
    the number of sentences for a fixed summary length.
    """
    lengths = [len(c) for c in candidates]
    worth = [(p - model.threshold) * n for p, n in zip(probabilities, lengths, strict=True)]
    overlap = [0.0] * len(candidates)  # highest similarity to a chosen sentence so far
    remaining = list(units)
    chosen: list[int] = []
    used = -1  # no separating space before the first sentence
    redundancy = model.redundancy
    # Each unit's characters with a separating space per sentence (integers: any order).
    spans = {(start, end): sum(lengths[start:end]) + end - start for start, end in units}
    while remaining and len(chosen) < sentences:
        best, best_value = None, 0.0
        for start, end in remaining:
            if chosen and len(chosen) + end - start > sentences:
                continue
            if max_chars is not None and used + spans[start, end] > max_chars:
                continue
            if end - start == 1:  # most units: the one term of the sum below
                value = worth[start] - redundancy * overlap[start] * lengths[start]
            else:
                value = sum(
                    worth[i] - redundancy * overlap[i] * lengths[i] for i in range(start, end)
                )
            if best is None or value > best_value:
                best, best_value = (start, end), value
        if best is None or (max_chars is not None and chosen and best_value < 0):
            break
        remaining.remove(best)
        start, end = best
        used += sum(lengths[start:end]) + end - start
        for i in range(start, end):
            chosen.append(i)
            if model.redundancy:
                # The cosines to sentence i (0 to itself, which is chosen by now).
                overlap = list(map(max, overlap, prof.cosines[i].tolist()))
    return sorted(chosen)


def _document(title: str, candidates: Sequence[str], tokenizer: _Tokenizer) -> ObjectDocumentModel:
    heading = [Sentence(title, tokenizer, is_heading=True)] if title.strip() else []
    sentences = [Sentence(text, tokenizer) for text in candidates]
    return ObjectDocumentModel([Paragraph(heading + sentences)])


_SIMPLE: dict[str, Callable[..., AbstractSummarizer]] = {
    "lexrank": LexRankSummarizer,
    "textrank": TextRankSummarizer,
    "lsa": LsaSummarizer,
    "luhn": LuhnSummarizer,
    "sumbasic": SumBasicSummarizer,
    "kl": KLSummarizer,
}

# Edmundson's cue method needs words that mark important and unimportant sentences.
_BONUS = {
    "en": "important key main major significant agreed announced approved decided result "
    "results increase growth first new",
    "ru": "важный важно ключевой главный основной значительный решение решил утвердил "
    "объявил результат рост увеличение первый новый",
    "kk": "маңызды негізгі басты шешім шешті бекітті жариялады нәтиже өсім өсу бірінші жаңа",
}
_STIGMA = {
    "en": "photo source copyright advertisement subscribe click reportedly perhaps maybe",
    "ru": "фото источник реклама подписывайтесь подробнее возможно якобы",
    "kk": "сурет фото дереккөз жарнама толығырақ мүмкін сияқты",
}


def _summarizer(algorithm: str, lang: str, title: str, tokenizer: _Tokenizer) -> AbstractSummarizer:
    stemmer = partial(stem, lang=lang)
    words = stop_words(lang)
    if algorithm in _SIMPLE:
        summarizer = _SIMPLE[algorithm](stemmer)
        summarizer.stop_words = words
        return summarizer
    if algorithm == "edmundson":
        edmundson = EdmundsonSummarizer(
            stemmer, cue_weight=1.0, key_weight=1.0, title_weight=1.0, location_weight=1.0
        )
        title_words = [w for w in tokenizer.to_words(title) if w.lower() not in words]
        edmundson.bonus_words = [*str.split(_BONUS.get(lang, _BONUS["en"])), *title_words]
        edmundson.stigma_words = str.split(_STIGMA.get(lang, _STIGMA["en"]))
        edmundson.null_words = words or frozenset({"the"})
        return edmundson
    raise ValueError(f"unknown summary algorithm {algorithm!r}")


def select(
    candidates: Sequence[str],
    units: Sequence[tuple[int, int]],
    order: Sequence[int],
    sentences: int,
    max_chars: int | None,
) -> list[int]:
    """Indices in document order: best-ranked first while they fit the count and budget.

    A ranked sentence brings its whole quotation unit with it; a unit that does not fit is
    skipped for one further down the ranking. Sentences in no unit (the tail of a quotation
    that started elsewhere) are never chosen.
    """
    unit_of = {i: unit for unit in units for i in range(*unit)}
    chosen: list[int] = []
    taken: set[tuple[int, int]] = set()
    used = 0
    for i in order:
        if len(chosen) >= sentences:
            break
        unit = unit_of.get(i)
        if unit is None or unit in taken:
            continue
        members = range(*unit)
        if chosen and len(chosen) + len(members) > sentences:
            continue
        cost = sum(len(candidates[j]) + 1 for j in members) - (0 if chosen else 1)
        if max_chars is not None and used + cost > max_chars:
            continue
        taken.add(unit)
        chosen.extend(members)
        used += cost
    return sorted(chosen)


def cut(sentence: str, limit: int) -> str:
    """`sentence` shortened to at most `limit` characters at a word boundary, with "…"."""
    if len(sentence) <= limit:
        return sentence
    head = sentence[: max(limit - len(ELLIPSIS), 0)]
    if " " in head.strip():
        head = head[: head.rstrip().rfind(" ")]
    return head.rstrip(" ,;:-–—") + ELLIPSIS
