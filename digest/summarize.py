"""Extractive summaries: Sumy ranks the sentences of our own offline splitter.

The article is cleaned first (title, `Source : URL`, datelines, photo credits and links never
reach a summary), then ranked by the chosen algorithm, then the best sentences that fit the
length are returned in their original order. Pure functions: this runs in worker processes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
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

from digest.stemming import stem, stop_words
from digest.text import split_sentences

ALGORITHMS: tuple[str, ...] = (
    "default",
    "lead",
    "lexrank",
    "textrank",
    "lsa",
    "luhn",
    "sumbasic",
    "edmundson",
    "kl",
)

ELLIPSIS = "…"

_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_URL = re.compile(r"https?://|www\.\S", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"^(?:source|sources|photo|photos|image|video|read more|источник|фото|видео|подробнее|"
    r"дереккөз|сурет|бейне|толығырақ)\s*[:©|-]"
    r"|©|\((?:photo|фото|сурет)\b",
    re.IGNORECASE,
)
_DATE_ONLY = re.compile(r"^\W*\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\W*$")
# `New Delhi, 10 Febuary 2026 - ` or `АСТАНА, 10 февраля 2026 г. — ` before the first sentence.
_DATELINE = re.compile(
    r"^[^\W\d_][\w .’'-]{0,40},\s*(?:\d{1,2}\s+[^\W\d_]+|\d{1,2}[./]\d{1,2}[./])\s*\d{4}"
    r"(?:\s*(?:г\.|ж\.|жылы))?\s*[-–—]+\s+"
)


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
    """The best `sentences` sentences of the body (within `max_chars`), in original order."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown summary algorithm {algorithm!r}; one of {', '.join(ALGORITHMS)}")
    candidates = candidate_sentences(title, body, lang)
    if not candidates:
        return ""
    if len(candidates) <= sentences and max_chars is None:
        return " ".join(candidates)
    order = rank(title, candidates, lang, algorithm)
    summary = " ".join(candidates[i] for i in select(candidates, order, sentences, max_chars))
    # Only a single best sentence longer than the whole budget can overflow it.
    return cut(summary, max_chars) if max_chars is not None else summary


def candidate_sentences(title: str, body: str, lang: str) -> list[str]:
    """The body's sentences that may appear in a summary: no title, links or boilerplate."""
    title_key = _key(title)
    seen: set[str] = set()
    result: list[str] = []
    for paragraph in body.splitlines():
        for raw in split_sentences(paragraph, lang):
            sentence = _DATELINE.sub("", raw) if not result else raw
            key = _key(sentence)
            if not key or key == title_key or key in seen or _is_boilerplate(sentence):
                continue
            seen.add(key)
            result.append(sentence)
    return result


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def _is_boilerplate(sentence: str) -> bool:
    return bool(
        _URL.search(sentence) or _BOILERPLATE.search(sentence) or _DATE_ONLY.match(sentence)
    )


def rank(title: str, candidates: Sequence[str], lang: str, algorithm: str) -> list[int]:
    """Indices of `candidates`, best first."""
    if algorithm == "lead":
        return list(range(len(candidates)))
    if algorithm == "default":
        scores = default_scores(title, candidates, lang)
        return sorted(range(len(candidates)), key=lambda i: -scores[i])
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


# The default: the probability that a sentence belongs in a reference summary, from a
# logistic model over Sumy's TextRank rating, SumBasic's word probability (the mean document
# frequency of the sentence's content words), the sentence's length and its position. Fitted
# on the development half of the BBC News Summary set; see docs/quality.md.
_W_TEXTRANK = 0.83
_W_WORD_PROBABILITY = 1.29
_W_LOG_WORDS = 0.30
_W_POSITION = -0.45
_BIAS = -1.40
# A sentence is worth its expected words in the reference minus a cost per word, so long
# sentences win only when they are likely to belong (this maximises ROUGE F1, not recall).
_COST_PER_WORD = 0.2


def default_scores(title: str, candidates: Sequence[str], lang: str) -> list[float]:
    """The tuned default's score of each candidate (higher is better)."""
    n = len(candidates)
    textrank = _standardise(sumy_ratings(title, candidates, lang, "textrank"))
    probability = _standardise(_word_probability(candidates, lang))
    scores = []
    for i, sentence in enumerate(candidates):
        linear = (
            _W_TEXTRANK * textrank[i]
            + _W_WORD_PROBABILITY * probability[i]
            + _W_LOG_WORDS * math.log(len(_WORD.findall(sentence)) + 1)
            + _W_POSITION * (i / (n - 1) if n > 1 else 0.0)
            + _BIAS
        )
        belongs = 1.0 / (1.0 + math.exp(-linear))
        scores.append((belongs - _COST_PER_WORD) * len(sentence))
    return scores


def _word_probability(candidates: Sequence[str], lang: str) -> list[float]:
    # Surface forms, not stems: measured better on the development set.
    ignored = stop_words(lang)
    words = [[w for w in _WORD.findall(s.lower()) if w not in ignored] for s in candidates]
    counts = Counter(w for sentence in words for w in sentence)
    return [sum(counts[w] for w in ws) / len(ws) if ws else 0.0 for ws in words]


def _standardise(values: Sequence[float]) -> list[float]:
    n = len(values)
    mean = sum(values) / n if n else 0.0
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / n) if n else 0.0
    return [(v - mean) / spread if spread > 0 else 0.0 for v in values]


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
        summarizer.stop_words = words  # type: ignore[attr-defined]
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
    candidates: Sequence[str], order: Sequence[int], sentences: int, max_chars: int | None
) -> list[int]:
    """Indices in document order: best-ranked first while they fit the count and budget.

    A sentence that does not fit is skipped for a shorter one further down the ranking. At
    least one sentence is always chosen, even if it alone is longer than the budget.
    """
    chosen: list[int] = []
    used = 0
    for i in order:
        if len(chosen) >= sentences:
            break
        cost = len(candidates[i]) + (1 if chosen else 0)
        if max_chars is not None and used + cost > max_chars:
            continue
        chosen.append(i)
        used += cost
    if not chosen and order:
        chosen = [order[0]]
    return sorted(chosen)


def cut(sentence: str, limit: int) -> str:
    """`sentence` shortened to at most `limit` characters at a word boundary, with "…"."""
    if len(sentence) <= limit:
        return sentence
    head = sentence[: max(limit - len(ELLIPSIS), 0)]
    if " " in head.strip():
        head = head[: head.rstrip().rfind(" ")]
    return head.rstrip(" ,;:-–—") + ELLIPSIS
