"""`newsbot eval summaries`: ROUGE of every summariser against reference extractive summaries.

Two data layouts are read:

- BBC style: `articles/<category>/<NNN>.txt` (headline, blank line, paragraphs) and
  `summaries/<category>/<NNN>.txt` (the reference: article sentences glued together);
- positional: a folder of `<id>.txt` articles (headline, blank line, body) whose reference
  sentences are given by position in a references file (by default the shipped
  `digest/evaluation/data/summary_references.tsv`, for real Russian and Kazakh news whose
  texts are third-party and stay outside the repository).

References go through the same repair and sentence splitter as the articles. ROUGE is
counted over Unicode word tokens stemmed with the project's own stemmer for the article's
language (rouge-score's default tokenizer keeps only `[a-z0-9]`, so it cannot score Russian
or Kazakh). Each article is summarised by every system at both lengths in a worker process;
the table shows mean ROUGE-1/2/L F1, the greedy ROUGE-2 oracle and the share of the
TextRank-to-oracle gap each system closes, per language (and per split of the references).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from digest.cli_errors import EXIT_USAGE, CliError
from digest.stemming import stem
from digest.summarize import candidate_sentences, summarize
from digest.text import SPLITTER_VERSION, detect_language, repair, split_sentences

REFERENCES_FILE = Path(__file__).resolve().parent / "data" / "summary_references.tsv"

# (algorithm id, name in the table); the project's own summariser is the one named `default`.
SYSTEMS: tuple[tuple[str, str], ...] = (
    ("lead", "Lead-3"),
    ("lexrank", "LexRank"),
    ("textrank", "TextRank"),
    ("lsa", "LSA"),
    ("luhn", "Luhn"),
    ("sumbasic", "SumBasic"),
    ("edmundson", "Edmundson"),
    ("kl", "KL"),
    ("default", "default"),
)
SYSTEM_NAMES = dict(SYSTEMS)
ORACLE = ("oracle", "oracle")  # greedy ROUGE-2 oracle: the best the candidates allow


@dataclass(frozen=True, slots=True)
class Length:
    label: str
    sentences: int
    max_chars: int | None


LENGTHS: tuple[Length, ...] = (
    Length("3 sentences", 3, None),
    # A digest item: as many ranked sentences as fit 600 characters.
    Length("600 chars", 1000, 600),
)
KL_MAX_SENTENCES = 120  # KL is cubic in the number of sentences
METRICS = ("rouge1", "rouge2", "rougeL")
INSTALL_HINT = "rouge-score is not installed; install with pip install -e '.[eval]'"


class DataError(ValueError):
    """The data folder cannot be used; the message names the folder or file."""


@dataclass(frozen=True, slots=True)
class EvalArticle:
    path: str  # `<category>/<NNN>.txt` or `<id>.txt`, for messages
    title: str
    body: str
    reference: str  # reference sentences, one per line
    lang: str = ""  # detected from the body when empty
    split: str = "all"  # `dev` or `kept` for positional references

    @property
    def language(self) -> str:
        return self.lang or detect_language(self.body)


@dataclass(frozen=True, slots=True)
class Row:
    system: str
    length: str
    rouge1: float
    rouge2: float
    rougeL: float
    ms_per_article: float
    articles: int
    lang: str = ""
    split: str = "all"
    gap_share: float | None = None  # share of the TextRank-to-oracle ROUGE-2 gap, in %

    def as_json(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "length": self.length,
            "lang": self.lang,
            "split": self.split,
            "rouge1": round(self.rouge1, 2),
            "rouge2": round(self.rouge2, 2),
            "rougeL": round(self.rougeL, 2),
            "gap_share": None if self.gap_share is None else round(self.gap_share, 1),
            "ms_per_article": round(self.ms_per_article, 2),
            "articles": self.articles,
        }


# -- reading the data ---------------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Latin-1: real data has the odd Latin-1 file."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def load_articles(
    root: Path,
    *,
    category: str | None = None,
    limit: int | None = None,
    references: Path | None = None,
    split: str | None = None,
    lang: str | None = None,
) -> list[EvalArticle]:
    """Articles with their references: BBC style if `root` has articles/ and summaries/."""
    if not (root / "articles").is_dir() and root.is_dir() and any(root.glob("*.txt")):
        articles = load_positional(root, references or REFERENCES_FILE)
    else:
        if references is not None:
            raise DataError(f"{root}: --references needs a folder of <id>.txt articles")
        articles = _load_bbc(root, category)
    if split is not None:
        articles = [a for a in articles if a.split in (split, "all")]
    if lang is not None:
        articles = [a for a in articles if a.language == lang]
    if limit is not None:
        articles = articles[:limit]
    if not articles:
        raise DataError(f"{root}: no articles match (split {split or 'any'}, lang {lang or 'any'})")
    return articles


def _load_bbc(root: Path, category: str | None) -> list[EvalArticle]:
    articles_dir, summaries_dir = root / "articles", root / "summaries"
    for folder in (articles_dir, summaries_dir):
        if not folder.is_dir():
            raise DataError(f"{folder}: no such directory (expected articles/ and summaries/)")
    categories = sorted(p.name for p in articles_dir.iterdir() if p.is_dir())
    if category is not None:
        if category not in categories:
            known = ", ".join(categories) or "none"
            raise DataError(f"no category {category!r} in {articles_dir} (categories: {known})")
        categories = [category]
    paths = [p for c in categories for p in sorted((articles_dir / c).glob("*.txt"))]
    if not paths:
        raise DataError(f"{articles_dir}: no articles (<category>/<NNN>.txt) found")
    return [_read_pair(p, summaries_dir / p.parent.name / p.name) for p in paths]


def _read_pair(article_path: Path, summary_path: Path) -> EvalArticle:
    name = f"{article_path.parent.name}/{article_path.name}"
    if not summary_path.is_file():
        raise DataError(f"{summary_path}: missing reference summary for article {name}")
    title, body = _read_article(article_path)
    lang = detect_language(body)
    reference = split_sentences(repair(decode(summary_path.read_bytes())), lang)
    if not reference:
        raise DataError(f"{summary_path}: empty reference summary")
    return EvalArticle(name, title, body, "\n".join(reference), lang)


def _read_article(path: Path) -> tuple[str, str]:
    title, _, body = decode(path.read_bytes()).strip().partition("\n")
    if not body.strip():
        raise DataError(f"{path}: no body after the headline line")
    return repair(title), repair(body)


@dataclass(frozen=True, slots=True)
class Reference:
    """One line of a references file: which sentences of which article a reader picked."""

    id: str
    lang: str
    split: str
    splitter: str
    positions: tuple[int, ...]
    checks: tuple[str, ...]
    url: str


def read_references(path: Path) -> list[Reference]:
    """The rows of a references file (tab-separated, `#` comments, a header line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot read the references file ({exc.strerror})") from None
    rows: list[Reference] = []
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1)]
    content = [(n, line) for n, line in lines if line.strip() and not line.startswith("#")]
    for n, line in content[1:]:  # the first content line is the header
        fields = line.split("\t")
        if len(fields) != 7:
            raise DataError(f"{path}, line {n}: expected 7 tab-separated fields")
        ident, lang, split, splitter, positions, checks, url = fields
        try:
            numbers = tuple(int(p) for p in positions.split(","))
        except ValueError:
            raise DataError(f"{path}, line {n}: positions must be numbers") from None
        if split not in ("dev", "kept") or lang not in ("en", "ru", "kk"):
            raise DataError(f"{path}, line {n}: unknown split {split!r} or language {lang!r}")
        rows.append(
            Reference(ident, lang, split, splitter, numbers, tuple(checks.split(",")), url)
        )
    return rows


def sentence_check(sentence: str) -> str:
    """The short checksum a references file keeps of each chosen sentence."""
    return hashlib.sha1(sentence.encode("utf-8")).hexdigest()[:8]


def load_positional(root: Path, references: Path) -> list[EvalArticle]:
    """The articles of `root` named in `references`, with their reference sentences."""
    articles = []
    for ref in read_references(references):
        path = root / f"{ref.id}.txt"
        if not path.is_file():
            continue  # a folder may hold only some of the referenced articles
        if ref.splitter != SPLITTER_VERSION:
            raise DataError(
                f"{references}: {ref.id} was made with splitter {ref.splitter}, this is "
                f"{SPLITTER_VERSION}; re-record its positions"
            )
        title, body = _read_article(path)
        sentences = split_sentences(body, ref.lang)
        if max(ref.positions) >= len(sentences) or tuple(
            sentence_check(sentences[p]) for p in ref.positions
        ) != ref.checks:
            raise DataError(f"{path}: not the text the references were made on ({ref.url})")
        reference = "\n".join(sentences[p] for p in ref.positions)
        articles.append(EvalArticle(path.name, title, body, reference, ref.lang, ref.split))
    if not articles:
        raise DataError(f"{root}: none of the articles named in {references} is there")
    return articles


# -- scoring one article (runs in a worker) -------------------------------------------------

Result = dict[tuple[str, str], tuple[float, float, float, float]]
_scorers: dict[str, Any] = {}
_WORDS = re.compile(r"\w+")


class WordTokenizer:
    """Unicode word tokens, lower-cased and stemmed with the project's stemmer for `lang`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def tokenize(self, text: str) -> list[str]:
        return [stem(w, self.lang) for w in _WORDS.findall(text.lower())]


def _rouge(lang: str) -> Any:
    if lang not in _scorers:
        from rouge_score import rouge_scorer

        _scorers[lang] = rouge_scorer.RougeScorer(list(METRICS), tokenizer=WordTokenizer(lang))
    return _scorers[lang]


def _bigrams(tokens: Sequence[str]) -> Counter[tuple[str, str]]:
    return Counter(pairwise(tokens))


def rouge2_f(candidate: Counter[tuple[str, str]], reference: Counter[tuple[str, str]]) -> float:
    """ROUGE-2 F1 of bigram counts, as rouge-score computes it."""
    overlap = sum((candidate & reference).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(candidate.values())
    recall = overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def oracle(
    candidates: Sequence[str], reference: str, lang: str, sentences: int, max_chars: int | None
) -> list[int]:
    """Greedy ROUGE-2 oracle: add the sentence that raises ROUGE-2 F1 most, while one does.

    Stops at `sentences` sentences or when no sentence that fits `max_chars` raises the score.
    """
    tokenizer = WordTokenizer(lang)
    target = _bigrams(tokenizer.tokenize(reference))
    tokens = [tokenizer.tokenize(s) for s in candidates]
    chosen: list[int] = []
    best = 0.0
    used = -1
    while len(chosen) < sentences:
        pick = None
        for i in range(len(candidates)):
            if i in chosen or (max_chars is not None and used + 1 + len(candidates[i]) > max_chars):
                continue
            # Bigrams of the summary as the scorer sees it: sentences joined in order.
            order = sorted([*chosen, i])
            joined = [t for j in order for t in tokens[j]]
            score = rouge2_f(_bigrams(joined), target)
            if score > best:
                best, pick = score, i
        if pick is None:
            break
        chosen.append(pick)
        used += 1 + len(candidates[pick])
    return sorted(chosen)


def score_article(article: EvalArticle, systems: Sequence[str]) -> Result:
    """(system id, length label) → (R-1, R-2, R-L F1 in %, milliseconds) for one article."""
    lang = article.language
    scorer = _rouge(lang)
    result: Result = {}
    candidates = candidate_sentences(article.title, article.body, lang)
    too_long_for_kl = len(candidates) >= KL_MAX_SENTENCES
    for system in [*systems, ORACLE[0]]:
        if system == "kl" and too_long_for_kl:
            continue
        for length in LENGTHS:
            start = time.perf_counter()
            if system == ORACLE[0]:
                chosen = oracle(
                    candidates, article.reference, lang, length.sentences, length.max_chars
                )
                summary = " ".join(candidates[i] for i in chosen)
            else:
                summary = summarize(
                    article.title,
                    article.body,
                    lang,
                    algorithm=system,
                    sentences=length.sentences,
                    max_chars=length.max_chars,
                )
            elapsed_ms = (time.perf_counter() - start) * 1000
            scores = scorer.score(article.reference, summary)
            r1, r2, rl = (scores[m].fmeasure * 100 for m in METRICS)
            result[(system, length.label)] = (r1, r2, rl, elapsed_ms)
    return result


def _score_chunk(
    chunk: Sequence[EvalArticle], systems: Sequence[str]
) -> list[tuple[tuple[str, str], Result]]:
    return [((a.language, a.split), score_article(a, systems)) for a in chunk]


def evaluate(
    articles: Sequence[EvalArticle],
    systems: Sequence[str],
    *,
    workers: int = 2,
    progress: bool = True,
) -> list[Row]:
    """Mean scores per language, split, system and length over `articles`, in table order."""
    from tqdm import tqdm

    results: dict[tuple[str, str], list[Result]] = {}
    with tqdm(
        total=len(articles),
        desc="summaries",
        unit="article",
        file=sys.stderr,
        disable=not progress or None,
    ) as bar:
        for chunk_results in _run_chunks(articles, systems, workers):
            for group, result in chunk_results:
                results.setdefault(group, []).append(result)
            bar.update(len(chunk_results))
    rows: list[Row] = []
    for (lang, split) in sorted(results, key=_group_order):
        rows.extend(aggregate(results[(lang, split)], systems, lang=lang, split=split))
    return rows


def _group_order(group: tuple[str, str]) -> tuple[int, int]:
    lang, split = group
    return ("en", "ru", "kk").index(lang) if lang in ("en", "ru", "kk") else 3, (
        ["all", "dev", "kept"].index(split) if split in ("all", "dev", "kept") else 3
    )


def _run_chunks(
    articles: Sequence[EvalArticle], systems: Sequence[str], workers: int
) -> Iterator[list[tuple[tuple[str, str], Result]]]:
    size = 8
    chunks = [articles[i : i + size] for i in range(0, len(articles), size)]
    if workers <= 1:
        for chunk in chunks:
            yield _score_chunk(chunk, systems)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_score_chunk, chunks, [systems] * len(chunks))


def aggregate(
    results: Iterable[Result], systems: Sequence[str], *, lang: str = "", split: str = "all"
) -> list[Row]:
    sums: dict[tuple[str, str], list[float]] = {}
    counts: dict[tuple[str, str], int] = {}
    for result in results:
        for key, values in result.items():
            total = sums.setdefault(key, [0.0] * 4)
            for i, value in enumerate(values):
                total[i] += value
            counts[key] = counts.get(key, 0) + 1
    names = {**SYSTEM_NAMES, ORACLE[0]: ORACLE[1]}
    rows = []
    for length in LENGTHS:
        means = {
            system: [v / counts[(system, length.label)] for v in sums[(system, length.label)]]
            for system in [*systems, ORACLE[0]]
            if (system, length.label) in counts
        }
        low = means.get("textrank", [0.0, 0.0])[1] if "textrank" in means else None
        high = means[ORACLE[0]][1] if ORACLE[0] in means else None
        for system, (r1, r2, rl, ms) in means.items():
            share = None
            if low is not None and high is not None and high > low:
                share = (r2 - low) / (high - low) * 100
            n = counts[(system, length.label)]
            rows.append(Row(names[system], length.label, r1, r2, rl, ms, n, lang, split, share))
    return rows


def render_table(rows: Sequence[Row], total: int) -> str:
    lines = [
        f"ROUGE F1 (%) over Unicode word tokens, stemmed per language, {total} articles; "
        "gap = share of the TextRank-to-oracle ROUGE-2 gap closed; ms = milliseconds per article"
    ]
    previous: tuple[str, str, str] | None = None
    for row in rows:
        group = (row.lang, row.split, row.length)
        if group[:2] != (previous or ("", "", ""))[:2]:
            lines += ["", f"[{row.lang or '?'}, {row.split}]", (
                f"{'length':<12} {'system':<10} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8} "
                f"{'gap':>7} {'ms':>8} {'articles':>9}"
            )]
        elif previous is not None and row.length != previous[2]:
            lines.append("")
        previous = group
        gap = "" if row.gap_share is None else f"{row.gap_share:6.0f}%"
        lines.append(
            f"{row.length:<12} {row.system:<10} {row.rouge1:8.1f} {row.rouge2:8.1f} "
            f"{row.rougeL:8.1f} {gap:>7} {row.ms_per_article:8.1f} {row.articles:9d}"
        )
    return "\n".join(lines)


# -- command line ---------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "summaries",
        help="ROUGE of every summariser against reference summaries",
        description="Summarise every article of a data folder (articles/<category>/<NNN>.txt "
        "with references in summaries/<category>/<NNN>.txt, or <id>.txt articles with "
        "positional references) with Lead-3, each stock Sumy algorithm and the project's "
        "default, at 3 sentences and at 600 characters, and print ROUGE-1/2/L F1, the greedy "
        "ROUGE-2 oracle, each system's share of the TextRank-to-oracle gap and milliseconds "
        "per article, per language and split. With --fit, refit the default's sentence model "
        "on the data instead (development data only).",
    )
    p.add_argument("--data", type=Path, required=True, metavar="DIR", action="append",
                   help="a data folder (repeat to use several, e.g. with --fit)")
    p.add_argument("--references", type=Path, metavar="FILE",
                   help="positional references for a folder of <id>.txt articles "
                   "(default: the shipped Russian and Kazakh references)")
    p.add_argument("--split", choices=("dev", "kept"),
                   help="only the development or the kept-aside references")
    p.add_argument("--lang", choices=("en", "ru", "kk"), help="only articles in this language")
    p.add_argument("--limit", type=_positive, metavar="N", help="only the first N articles")
    p.add_argument("--category", metavar="C", help="only this category (a sub-folder name)")
    p.add_argument(
        "--systems",
        type=_systems,
        metavar="LIST",
        help="comma-separated subset of: " + ",".join(SYSTEM_NAMES),
    )
    p.add_argument(
        "--workers", type=_positive, default=2, metavar="N", help="worker processes (default 2)"
    )
    p.add_argument("--json", action="store_true", help="print the table as a JSON list")
    p.add_argument("--fit", action="store_true",
                   help="fit the default's sentence model on the data (5-fold cross-validated) "
                   "and write it to --model")
    p.add_argument("--model", type=Path, metavar="FILE",
                   help="where --fit writes the model (default: the shipped model file)")
    p.set_defaults(func=run)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return number


def _systems(value: str) -> tuple[str, ...]:
    chosen = tuple(s.strip().lower() for s in value.split(",") if s.strip())
    unknown = [s for s in chosen if s not in SYSTEM_NAMES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown system {', '.join(unknown) or value!r}; choose from {','.join(SYSTEM_NAMES)}"
        )
    return tuple(s for s in SYSTEM_NAMES if s in chosen)


def run(args: argparse.Namespace) -> int:
    try:
        import rouge_score  # noqa: F401
    except ImportError:
        raise CliError(INSTALL_HINT, EXIT_USAGE) from None
    try:
        articles = [
            article
            for folder in args.data
            for article in load_articles(
                folder,
                category=args.category,
                limit=args.limit,
                references=args.references,
                split=args.split,
                lang=args.lang,
            )
        ]
    except DataError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    if args.fit:
        from digest.evaluation.summary_fit import fit_command

        return fit_command(articles, args.model, workers=args.workers, quiet=args.json)
    systems = args.systems or tuple(SYSTEM_NAMES)
    rows = evaluate(articles, systems, workers=args.workers, progress=not args.json)
    if args.json:
        print(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=1))
    else:
        print(render_table(rows, len(articles)))
    return 0
