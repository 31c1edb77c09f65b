"""The default summariser's sentence model: features of each sentence and a logistic model.

Everything here is linear in the article's length (no sentence-by-sentence similarity
matrix): centrality is similarity to the article's word profile, not TextRank's graph. The
weights live in `digest/data/summary_model.json`, fitted by `newsbot eval summaries --fit`
(see docs/quality.md); the runtime needs only this module and that file.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import chain
from pathlib import Path

from digest.stemming import stem, stop_words

MODEL_FILE = Path(__file__).resolve().parent / "data" / "summary_model.json"

_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_DIGIT = re.compile(r"\d")
_CAPITALISED = re.compile(r"^[^\W\d_a-zа-яёәғқңөұүһі]")
_SPEECH_START = re.compile(r"^[-–—]")
_QUOTES = re.compile(r"[\"«»“”„]")

# The order of the features in the model file; `fit` and `features` agree on it.
FEATURES: tuple[str, ...] = (
    "position",  # relative position in the article, 0 (first) to 1 (last)
    "first",  # the first sentence
    "second",  # the second sentence
    "log_words",  # log of the word count
    "short",  # fewer than 8 words
    "long",  # 40 words or more
    "very_long",  # 50 words or more: rarely a summary sentence
    "title",  # share of the title's content stems the sentence has
    "title_hits",  # log of 1 + the number of title stems it has
    "centrality",  # cosine with the rest of the article's content stems (standardised)
    "degree",  # summed cosine with every other sentence, as in LexRank (standardised)
    "word_probability",  # mean article frequency of its content words (standardised)
    "frequency_sum",  # summed article frequency of its content stems (standardised)
    "numbers",  # has a number
    "names",  # share of capitalised words after the first
    "quotes",  # has quotation marks: direct speech
    "quote_part",  # part of a quotation that spans sentences (opens or closes one)
    "speech",  # starts with a speech dash
    "line_up",  # ends with a colon: introduces a list
    "lower_start",  # starts in lower case: a fragment
    "early",  # third to fifth sentence
    "last",  # the last sentence
    "relative_length",  # log word count, standardised within the article
    "top_words",  # share of the article's ten most frequent content stems it has
    "rank",  # TextRank-like score on the cosine graph, by power iteration in linear time
    "cue",  # has a cue word of importance (Edmundson's bonus words)
    "first_title",  # the first sentence's share of the title's stems
    "word_degree",  # degree on whole words less function words only (standardised)
    "word_rank",  # TextRank-like score on that graph (standardised)
    # The word graph's scores bend: squares and products with length and position.
    "word_degree_squared",
    "word_rank_squared",
    "word_degree_x_length",  # x log word count
    "word_degree_x_position",  # x relative position
    "word_rank_x_length",
    "log_sentences",  # log of the number of candidate sentences: how many a reference keeps
    "log_index",  # log(1 + the sentence's index): position counted from the start
    "log_from_end",  # log(1 + sentences after it)
)
# Features that cost a second pass over the words; computed only for a model that reads them.
WORD_GRAPH_FEATURES = frozenset({
    "word_degree",
    "word_rank",
    "word_degree_squared",
    "word_rank_squared",
    "word_degree_x_length",
    "word_degree_x_position",
    "word_rank_x_length",
})

# Edmundson's cue method: words that mark a sentence as important, stemmed per language.
CUE_WORDS = {
    "en": "important key main major significant agreed announced approved decided result "
    "results increase growth first new",
    "ru": "важный важно ключевой главный основной значительный решение решил утвердил "
    "объявил результат рост увеличение первый новый",
    "kk": "маңызды негізгі басты шешім шешті бекітті жариялады нәтиже өсім өсу бірінші жаңа",
}
# The short list of function words the word graph leaves out. Unstemmed words with only these
# removed separate the BBC reference sentences better than stems less the long stop-word list
# (within-article AUC of the degree 0.94 against 0.89, docs/quality.md): inflections and
# common content words ("said", "year") carry what the references follow.
FUNCTION_WORDS = {
    "en": frozenset(str.split(
        "a an the and but or nor if because as until while so than too very not no only own "
        "same such both each few more most other some any all of at by for with about against "
        "between into through during before after above below to from up down in out on off "
        "over under again further then once here there when where why how what which who whom "
        "this that these those i me my myself we our ours ourselves you your yours yourself "
        "yourselves he him his himself she her hers herself it its itself they them their "
        "theirs themselves am is are was were be been being have has had having do does did "
        "doing can will just should now s t don"
    )),
}
TOP_WORDS = 10
RANK_DAMPING = 0.85
RANK_ITERATIONS = 12


@dataclass(frozen=True, slots=True)
class SentenceModel:
    """A logistic model over some of `FEATURES`, with the selection settings fitted alongside.

    Each model names the features it uses: the English news and the Cyrillic gov.kz releases
    are served best by different subsets (measured: docs/quality.md).
    """

    weights: tuple[float, ...]
    bias: float
    threshold: float  # a sentence is worth (probability - threshold) x its length
    redundancy: float  # MMR: worth lost per unit of similarity to a chosen sentence, x length
    fitted_on: str = ""
    features: tuple[str, ...] = FEATURES
    columns: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown or len(self.features) != len(self.weights):
            raise ValueError("the summary model was fitted on other features; refit it")
        object.__setattr__(self, "columns", tuple(FEATURES.index(f) for f in self.features))

    def probability(self, row: Sequence[float]) -> float:
        """`row` has every one of `FEATURES`; the model reads its own."""
        pairs = zip(self.weights, self.columns, strict=True)
        linear = self.bias + sum(w * row[c] for w, c in pairs)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, linear))))

    def as_json(self) -> dict[str, object]:
        return {
            "features": list(self.features),
            "weights": [round(w, 6) for w in self.weights],
            "bias": round(self.bias, 6),
            "threshold": self.threshold,
            "redundancy": self.redundancy,
            "fitted_on": self.fitted_on,
        }


def parse_model(data: dict[str, object]) -> SentenceModel:
    """A model from its JSON form; its features must be ones this code computes."""
    weights, names = data["weights"], data.get("features")
    assert isinstance(weights, list)
    if not isinstance(names, list):
        raise ValueError("the summary model names no features; refit it")
    return SentenceModel(
        weights=tuple(float(w) for w in weights),
        bias=float(data["bias"]),  # type: ignore[arg-type]
        threshold=float(data["threshold"]),  # type: ignore[arg-type]
        redundancy=float(data["redundancy"]),  # type: ignore[arg-type]
        fitted_on=str(data.get("fitted_on", "")),
        features=tuple(str(f) for f in names),
    )


@cache
def load_models(path: Path = MODEL_FILE) -> dict[str, SentenceModel]:
    """The models by language (`en`, `ru`, `kk`); `default` serves any other language."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {lang: parse_model(model) for lang, model in data["models"].items()}


def load_model(lang: str, path: Path = MODEL_FILE) -> SentenceModel:
    models = load_models(path)
    return models.get(lang) or models["default"]


def models_json(models: dict[str, SentenceModel]) -> dict[str, object]:
    return {"models": {lang: model.as_json() for lang, model in models.items()}}


# -- features ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Profile:
    """An article's sentences as content stems, for features and for redundancy."""

    stems: list[Counter[str]]
    norms: list[float]


# An article's sentences are split into words several times over (the profile, the word
# graph, the features, the summariser's filter): the last few thousand sentences' words are
# kept, so each is split once. Tuples: callers must not change them.
WORDS_CACHE = 4096


@lru_cache(maxsize=WORDS_CACHE)
def words_of(sentence: str) -> tuple[str, ...]:
    """The words of a sentence as written."""
    return tuple(_WORD.findall(sentence))


@lru_cache(maxsize=WORDS_CACHE)
def lower_words_of(sentence: str) -> tuple[str, ...]:
    """The words of a lower-cased sentence."""
    return tuple(_WORD.findall(sentence.lower()))


def profile(candidates: Sequence[str], lang: str) -> Profile:
    ignored = stop_words(lang)
    stems = [
        Counter(stem(w, lang) for w in lower_words_of(s) if w not in ignored)
        for s in candidates
    ]
    norms = [math.sqrt(sum(c * c for c in counts.values())) for counts in stems]
    return Profile(stems, norms)


def similarity(prof: Profile, i: int, j: int) -> float:
    """Cosine similarity of two sentences' content stems."""
    a, b = prof.stems[i], prof.stems[j]
    if not prof.norms[i] or not prof.norms[j]:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    # .get, not large[w]: a Counter's missing key goes through a Python-level __missing__.
    get = large.get
    return sum(c * get(w, 0) for w, c in small.items()) / (prof.norms[i] * prof.norms[j])


def word_profile(candidates: Sequence[str], lang: str) -> Profile:
    """The sentences as whole lower-cased words less function words and bare numbers: the
    word graph.

    Bare numbers (`2004`, `15`) are left out: figures rarely recur in the sentences the
    references keep, and without them the graph's rank separates BBC reference sentences
    better (within-article AUC 0.941 against 0.933, docs/quality.md).
    """
    ignored = FUNCTION_WORDS.get(lang) or stop_words(lang)
    words = [
        Counter(w for w in lower_words_of(s) if w not in ignored and not w.isdigit())
        for s in candidates
    ]
    return Profile(words, [math.sqrt(sum(c * c for c in counts.values())) for counts in words])


def features(
    title: str,
    candidates: Sequence[str],
    lang: str,
    prof: Profile,
    names: Collection[str] | None = None,
) -> list[list[float]]:
    """One row of `FEATURES` per candidate sentence.

    `names` are the features the caller reads; the word graph's (`WORD_GRAPH_FEATURES`) cost
    a second pass and are left at 0 unless named (`None` names every feature).
    """
    n = len(candidates)
    ignored = stop_words(lang)
    title_stems = {stem(w, lang) for w in _WORD.findall(title.lower()) if w not in ignored}
    # The sentences' stems in order, counted in C (Counter.update with a Counter is a Python
    # loop); the same counts, in the same first-seen order (most_common breaks ties by it).
    document: Counter[str] = Counter(chain.from_iterable(c.elements() for c in prof.stems))
    surface = [[w for w in lower_words_of(s) if w not in ignored] for s in candidates]
    surface_counts = Counter(w for words in surface for w in words)

    document_square = float(sum(v * v for v in document.values()))
    degree, rank = _graph(prof)
    centrality, probability, frequency = [], [], []
    for i, counts in enumerate(prof.stems):
        # Cosine with the rest of the article (its profile minus this sentence): linear time.
        with_doc = float(sum(c * document[w] for w, c in counts.items()))
        dot = with_doc - prof.norms[i] ** 2
        rest = math.sqrt(max(0.0, document_square - 2 * with_doc + prof.norms[i] ** 2))
        centrality.append(dot / (prof.norms[i] * rest) if prof.norms[i] and rest else 0.0)
        words: Sequence[str] = surface[i]
        probability.append(sum(surface_counts[w] for w in words) / len(words) if words else 0.0)
        frequency.append(float(sum(document[w] for w in counts)))
    ranks = _standardise(rank)
    word_degree, word_rank = [0.0] * n, [0.0] * n
    if names is None or WORD_GRAPH_FEATURES.intersection(names):
        word_degree, word_rank = _word_graph(candidates, lang)
    centrality, degree = _standardise(centrality), _standardise(degree)
    top = {w for w, _ in document.most_common(TOP_WORDS)}
    cues = _cue_stems(lang)
    lengths = _standardise([math.log(len(words_of(s)) + 1) for s in candidates])
    probability, frequency = _standardise(probability), _standardise(frequency)

    rows = []
    for i, sentence in enumerate(candidates):
        words = words_of(sentence)
        counts = prof.stems[i]
        in_title = len(title_stems.intersection(counts))
        rows.append([
            i / (n - 1) if n > 1 else 0.0,
            1.0 if i == 0 else 0.0,
            1.0 if i == 1 else 0.0,
            math.log(len(words) + 1),
            1.0 if len(words) < 8 else 0.0,
            1.0 if len(words) >= 40 else 0.0,
            1.0 if len(words) >= 50 else 0.0,
            in_title / len(title_stems) if title_stems else 0.0,
            math.log1p(in_title),
            centrality[i],
            degree[i],
            probability[i],
            frequency[i],
            1.0 if _DIGIT.search(sentence) else 0.0,
            sum(1 for w in words[1:] if _CAPITALISED.match(w)) / len(words) if words else 0.0,
            1.0 if _QUOTES.search(sentence) else 0.0,
            1.0 if quote_balance(sentence) != 0 else 0.0,
            1.0 if _SPEECH_START.match(sentence) else 0.0,
            1.0 if sentence.rstrip().endswith(":") else 0.0,
            1.0 if sentence[:1].islower() else 0.0,
            1.0 if 2 <= i <= 4 else 0.0,
            1.0 if i == n - 1 and n > 1 else 0.0,
            lengths[i],
            len(top.intersection(counts)) / len(top) if top else 0.0,
            ranks[i],
            1.0 if cues.intersection(counts) else 0.0,
            in_title / len(title_stems) if title_stems and i == 0 else 0.0,
            word_degree[i],
            word_rank[i],
            word_degree[i] ** 2,
            word_rank[i] ** 2,
            word_degree[i] * math.log(len(words) + 1),
            word_degree[i] * (i / (n - 1) if n > 1 else 0.0),
            word_rank[i] * math.log(len(words) + 1),
            math.log(n),
            math.log1p(i),
            math.log1p(n - 1 - i),
        ])
    return rows


def _word_graph(candidates: Sequence[str], lang: str) -> tuple[list[float], list[float]]:
    """Standardised degree and rank of each sentence on the cosine graph of `word_profile`."""
    degree, rank = _graph(word_profile(candidates, lang))
    return _standardise(degree), _standardise(rank)


@cache
def _cue_stems(lang: str) -> frozenset[str]:
    return frozenset(stem(w, lang) for w in CUE_WORDS.get(lang, CUE_WORDS["en"]).split())


def _graph(prof: Profile) -> tuple[list[float], list[float]]:
    """Degree and TextRank score of each sentence on the cosine graph, in linear time.

    An edge's weight is the cosine of two sentences, so the weighted sum over neighbours
    `sum_j cos(i, j) x_j` is sentence i's unit vector against `sum_j x_j u_j`, less x_i
    (itself): each power-iteration step is two passes over the (sentence, word) pairs, done
    by numpy's bincount. No sentence-by-sentence matrix is built.
    """
    import numpy as np  # imported here to keep importing this module light

    n = len(prof.stems)
    if not n:
        return [], []
    index: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, (counts, norm) in enumerate(zip(prof.stems, prof.norms, strict=True)):
        if norm:
            for w, c in counts.items():
                rows.append(i)
                cols.append(index.setdefault(w, len(index)))
                vals.append(c / norm)
    if not vals:
        return [0.0] * n, [1 - RANK_DAMPING] * n
    row, col, val = np.array(rows), np.array(cols), np.array(vals)
    has_words = np.bincount(row, minlength=n) > 0

    def neighbours(x: np.ndarray, own: np.ndarray) -> np.ndarray:
        """`sum_j cos(i, j) x_j` over j != i, for every i; `own` is x where i has words."""
        total = np.bincount(col, weights=val * x[row], minlength=len(index))
        result: np.ndarray = np.bincount(row, weights=val * total[col], minlength=n) - own
        return result

    degree = np.maximum(neighbours(np.ones(n), np.where(has_words, 1.0, 0.0)), 0.0)
    scores = np.ones(n)
    linked = degree > 1e-9
    safe = np.where(linked, degree, 1.0)
    # Each step is a dozen small numpy calls, so fewer calls is what saves time. A sentence
    # without words has no degree, so its share is 0 already: it is its own `own` term, and
    # its neighbour sum is 0.0 without masking it (the same values as masking both).
    for _ in range(RANK_ITERATIONS):
        share = np.divide(scores, safe, out=np.zeros(n), where=linked)
        scores = (1 - RANK_DAMPING) + RANK_DAMPING * neighbours(share, share)
    return degree.tolist(), scores.tolist()


def quote_balance(sentence: str) -> int:
    """Quotation marks opened minus closed; an odd number of straight quotes counts as one.

    `«…»` and `“…”` pair up; in `„…“` (German-style inner quotes) `“` closes.
    """
    low = sentence.count("„")
    balance = sentence.count("«") - sentence.count("»") + low - sentence.count("”")
    balance += -sentence.count("“") if low else sentence.count("“")
    if sentence.count('"') % 2:
        # An odd straight quote opens at the start of a sentence and closes anywhere else.
        balance += 1 if sentence.lstrip().startswith('"') else -1
    return balance


def _standardise(values: Sequence[float]) -> list[float]:
    n = len(values)
    mean = sum(values) / n if n else 0.0
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / n) if n else 0.0
    return [(v - mean) / spread if spread > 1e-9 else 0.0 for v in values]
