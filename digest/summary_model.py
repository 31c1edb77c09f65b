"""The default summariser's sentence model: features of each sentence and a logistic model.

An article's features take one pass over its words and one cosine matrix of its candidate
sentences (at most `digest.prepare.MAX_SUMMARY_SENTENCES`), all in numpy: centrality is
similarity to the article's word profile, the graphs' degree and rank come from the matrix.
The weights live in `digest/data/summary_model.json`, fitted by `newsbot eval summaries --fit`
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
from itertools import chain, filterfalse, repeat
from operator import itemgetter, sub, truediv
from pathlib import Path

import numpy as np

from digest.ascii_twin import WORD_CHARS, AsciiTwin, WordRuns
from digest.stemming import stem, stemmer, stop_words

MODEL_FILE = Path(__file__).resolve().parent / "data" / "summary_model.json"

_WORD = WordRuns(r"\w+(?:['’-]\w+)*", WORD_CHARS, "'-")
_DIGIT = AsciiTwin(r"\d")
_CAPITALISED = re.compile(r"^[^\W\d_a-zа-яёәғқңөұүһі]")
_SPEECH_DASHES = ("-", "–", "—")  # a sentence of direct speech starts with one
_QUOTE_MARKS = ('"', "«", "»", "“", "”", "„")  # each looked for at C speed

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
    "rank",  # TextRank-like score on the cosine graph, by power iteration
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
_DAMPING, _TELEPORT = np.float64(RANK_DAMPING), np.float64(1 - RANK_DAMPING)


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

    def probabilities(self, rows: np.ndarray) -> list[float]:
        """`probability` of each row of a sentences x `FEATURES` array, in one product."""
        linear = rows[:, list(self.columns)] @ np.asarray(self.weights) + self.bias
        return (1.0 / (1.0 + np.exp(-np.clip(linear, -30.0, 30.0)))).tolist()  # type: ignore[no-any-return]

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
    """An article's sentences as term counts (content stems, or whole words for the word
    graph), with every pair's cosine: what the features, the graphs and redundancy read.

    `terms` lists the article's terms in first-seen order (sentence by sentence, each
    sentence's in its order); `rows`, `cols` and `counts` give each sentence's count of each
    of its terms (a sparse matrix). The cosines are exact integer dot products divided by
    the two norms, so each equals the sum-over-shared-terms formula to the last bit; the
    diagonal is 0 (no sentence is its own neighbour).
    """

    terms: tuple[str, ...]
    rows: np.ndarray  # sentence of each (sentence, term) pair
    cols: np.ndarray  # term (index into `terms`) of each pair
    counts: np.ndarray  # float (small integers, so every sum of them is exact)
    norms: np.ndarray  # each sentence's Euclidean norm
    cosines: np.ndarray  # sentences x sentences, 0 on the diagonal

    def per_sentence(self, weights: np.ndarray) -> np.ndarray:
        """For each sentence, the sum over its terms of `weights` (one per pair)."""
        return np.bincount(self.rows, weights=weights, minlength=len(self.norms))


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


def content_words(candidates: Sequence[str], lang: str) -> list[list[str]]:
    """Each sentence's lower-cased words less stop words (the surface of the profile)."""
    ignored = stop_words(lang).__contains__
    return [list(filterfalse(ignored, lower_words_of(s))) for s in candidates]


def profile(
    candidates: Sequence[str], lang: str, words: Sequence[Sequence[str]] | None = None
) -> Profile:
    """The sentences as content stems; `words` are their `content_words` if known."""
    surface = content_words(candidates, lang) if words is None else words
    stems = stemmer(lang)
    return term_profile([list(map(stems, ws)) for ws in surface])


def similarity(prof: Profile, i: int, j: int) -> float:
    """Cosine similarity of two sentences' terms (1 for a sentence with terms and itself)."""
    if i == j:
        return 1.0 if prof.norms[i] else 0.0
    return float(prof.cosines[i, j])


def word_profile(candidates: Sequence[str], lang: str) -> Profile:
    """The sentences as whole lower-cased words less function words and bare numbers: the
    word graph.

    Bare numbers (`2004`, `15`) are left out: figures rarely recur in the sentences the
    references keep, and without them the graph's rank separates BBC reference sentences
    better (within-article AUC 0.941 against 0.933, docs/quality.md).
    """
    ignored = FUNCTION_WORDS.get(lang) or stop_words(lang)
    return term_profile([
        list(filterfalse(str.isdigit, filterfalse(ignored.__contains__, lower_words_of(s))))
        for s in candidates
    ])


# Up to this many multiply-adds (sentences x sentences x terms), the cosines come from the
# dense count matrix: fewer numpy calls, which is what a news article's profile costs (20
# sentences of 200 terms: 80,000).
DENSE_PRODUCT = 1 << 18


def term_profile(sentences: Sequence[Sequence[str]], dense_limit: int = DENSE_PRODUCT) -> Profile:
    """Counts, norms and cosines of sentences given as lists of terms.

    Numpy over the whole article. A short one (`dense_limit`) is a dense sentences x terms
    count matrix times its transpose; a long one is kept sparse, in time linear in its words
    plus the pairs of sentences that share a term: the (sentence, term) counts by one sort,
    the dot products by one bincount over, for each term, every two of its sentences. Both
    give the same profile: every dot product is a sum of small integers, exact in any order.
    """
    # Each term's column in first-seen order; the columns of all words by map() (in C).
    first_seen = dict.fromkeys(chain.from_iterable(sentences))
    index = dict(zip(first_seen, range(len(first_seen)), strict=True))
    n, width = len(sentences), max(1, len(index))
    lengths = list(map(len, sentences))
    flat = np.fromiter(map(index.__getitem__, chain.from_iterable(sentences)), dtype=np.int64,
                       count=sum(lengths))
    cells = np.repeat(np.arange(n, dtype=np.int64), lengths) * width + flat
    if n * n * width <= dense_limit:
        matrix = np.bincount(cells, minlength=n * width).reshape(n, width).astype(float)
        rows, cols = np.nonzero(matrix)
        counts = matrix[rows, cols]
        norms = np.sqrt((matrix * matrix).sum(axis=1))
        dots = matrix @ matrix.T
    else:
        keys, found = np.unique(cells, return_counts=True)
        rows, cols = np.divmod(keys, width)
        counts = found.astype(float)
        norms = np.sqrt(np.bincount(rows, weights=counts * counts, minlength=n))
        dots = _sparse_dots(rows, cols, counts, n, width)
    np.fill_diagonal(dots, 0.0)
    scale = np.outer(norms, norms)
    cosines = np.divide(dots, scale, out=np.zeros_like(dots), where=scale > 0)
    return Profile(tuple(index), rows, cols, counts, norms, cosines)


def _sparse_dots(
    rows: np.ndarray, cols: np.ndarray, counts: np.ndarray, n: int, width: int
) -> np.ndarray:
    """Every two sentences' dot product from the (sentence, term, count) triples."""
    # Every two entries of one term (itself included): `left` runs over each entry as often
    # as its term has entries, `right` over those entries.
    order = np.argsort(cols, kind="stable")
    r, c, v = rows[order], cols[order], counts[order]
    per_term = np.bincount(c, minlength=width)
    size = per_term[c]
    left = np.repeat(np.arange(len(r)), size)
    ends = np.cumsum(size)
    right = np.repeat(np.cumsum(per_term)[c] - size, size) + (
        np.arange(len(left)) - np.repeat(ends - size, size)
    )
    dots = np.bincount(r[left] * n + r[right], weights=v[left] * v[right], minlength=n * n)
    return dots.reshape(n, n)


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
    return feature_matrix(title, candidates, lang, prof, names).tolist()  # type: ignore[no-any-return]


def feature_matrix(
    title: str,
    candidates: Sequence[str],
    lang: str,
    prof: Profile,
    names: Collection[str] | None = None,
    words: Sequence[Sequence[str]] | None = None,
) -> np.ndarray:
    """`features` as a sentences x `FEATURES` array; `words` are the `content_words`."""
    n = len(candidates)
    ignored = stop_words(lang)
    surface = content_words(candidates, lang) if words is None else words
    terms = {t: j for j, t in enumerate(prof.terms)}
    title_stems = set(map(stemmer(lang), filterfalse(ignored.__contains__, lower_words_of(title))))
    # The document's term counts; the terms are in first-seen order, which is the order
    # Counter.most_common breaks ties by, so a stable sort picks the same top terms.
    document = np.bincount(prof.cols, weights=prof.counts, minlength=len(terms))
    in_document = document[prof.cols]
    with_doc = prof.per_sentence(prof.counts * in_document).tolist()  # integers: exact
    frequency = prof.per_sentence(in_document).tolist()
    document_square = float(document @ document)
    norms = prof.norms.tolist()
    surface_counts = Counter(chain.from_iterable(surface))
    count_of = surface_counts.__getitem__
    centrality, probability = [], []
    for i in range(n):
        # Cosine with the rest of the article (its profile minus this sentence): linear time.
        dot = with_doc[i] - norms[i] ** 2
        rest = math.sqrt(max(0.0, document_square - 2 * with_doc[i] + norms[i] ** 2))
        centrality.append(dot / (norms[i] * rest) if norms[i] and rest else 0.0)
        ws = surface[i]
        probability.append(sum(map(count_of, ws)) / len(ws) if ws else 0.0)
    degree, rank = _graph(prof)
    ranks = _standardise(rank)
    word_degree, word_rank = [0.0] * n, [0.0] * n
    if names is None or WORD_GRAPH_FEATURES.intersection(names):
        word_degree, word_rank = _word_graph(candidates, lang)
    centrality, degree = _standardise(centrality), _standardise(degree)
    top = np.argsort(-document, kind="stable")[:TOP_WORDS]

    def sentences_with(columns: Sequence[int] | np.ndarray) -> np.ndarray:
        """How many of these terms each sentence has."""
        return prof.per_sentence(_mask(len(terms), columns)[prof.cols])

    top_share = (sentences_with(top) / len(top)).tolist() if len(top) else [0.0] * n
    in_title = sentences_with(_ids(terms, title_stems))
    has_cue = sentences_with(_ids(terms, _cue_stems(lang))).tolist()
    title_share = (in_title / len(title_stems)).tolist() if title_stems else [0.0] * n
    in_title_list = in_title.tolist()
    written = list(map(words_of, candidates))  # each sentence's words as written
    word_counts = list(map(len, written))
    log_words = [math.log(k + 1) for k in word_counts]
    lengths = _standardise(log_words)
    frequency = _standardise([float(f) for f in frequency])
    probability = _standardise(probability)
    cap = _capitalised_start

    if not n:
        return np.zeros((0, len(FEATURES)))
    # Column by column, in the order of FEATURES: one conversion of the whole table at the
    # end, where a row at a time converted a tuple per sentence.
    last = n - 1
    position = [i / last for i in range(n)] if n > 1 else [0.0] * n
    flags = (0.0, 1.0)
    log_n = math.log(n)
    columns = (
        position,
        [1.0] + [0.0] * last,
        [flags[i == 1] for i in range(n)],
        log_words,
        [flags[k < 8] for k in word_counts],
        [flags[k >= 40] for k in word_counts],
        [flags[k >= 50] for k in word_counts],
        title_share,
        list(map(math.log1p, in_title_list)),
        centrality,
        degree,
        probability,
        frequency,
        [flags[_DIGIT.search(s) is not None] for s in candidates],
        [sum(map(cap, map(_FIRST, ws[1:]))) / k if k else 0.0
         for ws, k in zip(written, word_counts, strict=True)],
        [flags[any(map(s.__contains__, _QUOTE_MARKS))] for s in candidates],
        [flags[quote_balance(s) != 0] for s in candidates],
        [flags[s.startswith(_SPEECH_DASHES)] for s in candidates],
        [flags[s.rstrip().endswith(":")] for s in candidates],
        [flags[s[:1].islower()] for s in candidates],
        [flags[2 <= i <= 4] for i in range(n)],
        [0.0] * last + [flags[n > 1]],
        lengths,
        top_share,
        ranks,
        [flags[bool(c)] for c in has_cue],
        [title_share[0]] + [0.0] * last,
        word_degree,
        word_rank,
        [d**2 for d in word_degree],
        [r**2 for r in word_rank],
        [d * w for d, w in zip(word_degree, log_words, strict=True)],
        [d * p for d, p in zip(word_degree, position, strict=True)],
        [r * w for r, w in zip(word_rank, log_words, strict=True)],
        [log_n] * n,
        [math.log1p(i) for i in range(n)],
        [math.log1p(last - i) for i in range(n)],
    )
    return np.array(columns, dtype=float).T.copy()


def _ids(terms: dict[str, int], wanted: Collection[str]) -> list[int]:
    """The columns of the wanted terms the article has."""
    return [j for t in wanted if (j := terms.get(t)) is not None]


def _mask(width: int, columns: Sequence[int] | np.ndarray) -> np.ndarray:
    """1.0 at `columns`, 0.0 elsewhere."""
    mask = np.zeros(width)
    mask[columns] = 1.0
    return mask


_FIRST = itemgetter(0)  # a word's first letter


@lru_cache(maxsize=4096)
def _capitalised_start(char: str) -> bool:
    return _CAPITALISED.match(char) is not None


def _word_graph(candidates: Sequence[str], lang: str) -> tuple[list[float], list[float]]:
    """Standardised degree and rank of each sentence on the cosine graph of `word_profile`."""
    degree, rank = _graph(word_profile(candidates, lang))
    return _standardise(degree), _standardise(rank)


@cache
def _cue_stems(lang: str) -> frozenset[str]:
    return frozenset(stem(w, lang) for w in CUE_WORDS.get(lang, CUE_WORDS["en"]).split())


def _graph(prof: Profile) -> tuple[list[float], list[float]]:
    """Degree and TextRank score of each sentence on the cosine graph.

    The graph is the profile's cosine matrix (at most `MAX_SUMMARY_SENTENCES` squared
    entries), so each power-iteration step is one matrix-vector product.
    """
    n = len(prof.norms)
    if not n:
        return [], []
    degree = prof.cosines.sum(axis=1)
    linked = degree > 1e-9
    safe = np.where(linked, degree, 1.0)
    keep = np.where(linked, 1.0, 0.0)
    scores = np.ones(n)
    # A sentence without neighbours passes nothing on (its share is 0). When every sentence
    # has one, multiplying by `keep` (all ones) changes no bit and is left out. Each step
    # writes into the same arrays, with the constants as numpy scalars: the same
    # operations in the same order, without new arrays or converting the constants.
    everyone = bool(linked.all())
    share, spread = np.empty(n), np.empty(n)
    for _ in range(RANK_ITERATIONS):
        np.divide(scores, safe, out=share)
        if not everyone:
            np.multiply(share, keep, out=share)
        np.matmul(prof.cosines, share, out=spread)
        np.multiply(_DAMPING, spread, out=spread)
        np.add(_TELEPORT, spread, out=scores)
    return degree.tolist(), scores.tolist()


@lru_cache(maxsize=WORDS_CACHE)  # read twice per candidate: its unit, then its features
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
    if not n:
        return []
    mean = sum(values) / n
    # (v - mean), its square and its share of the spread, by map() over C functions: the
    # same operations as the expressions they replace, in the same order.
    deviations = list(map(sub, values, repeat(mean, n)))
    spread = math.sqrt(sum(map(pow, deviations, repeat(2, n))) / n)
    if spread > 1e-9:
        return list(map(truediv, deviations, repeat(spread, n)))
    return [0.0] * n
