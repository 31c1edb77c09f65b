"""`newsbot eval summaries`: ROUGE of every summariser against reference extractive summaries.

The data folder is laid out as `articles/<category>/<NNN>.txt` (headline, blank line,
paragraphs) and `summaries/<category>/<NNN>.txt` (the reference: article sentences glued
together). References go through the same repair and sentence splitter as the articles.
Each article is summarised by every system at both length settings in a worker process;
the table shows mean ROUGE-1/2/L F1 (stemming on) and milliseconds per article.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digest.summarize import candidate_sentences, summarize
from digest.text import detect_language, repair, split_sentences

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
    path: str  # `<category>/<NNN>.txt`, for messages
    title: str
    body: str
    reference: str  # reference sentences, one per line


@dataclass(frozen=True, slots=True)
class Row:
    system: str
    length: str
    rouge1: float
    rouge2: float
    rougeL: float
    ms_per_article: float
    articles: int

    def as_json(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "length": self.length,
            "rouge1": round(self.rouge1, 2),
            "rouge2": round(self.rouge2, 2),
            "rougeL": round(self.rougeL, 2),
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
    root: Path, *, category: str | None = None, limit: int | None = None
) -> list[EvalArticle]:
    """Articles with their references, sorted by category and file name."""
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
    if limit is not None:
        paths = paths[:limit]
    if not paths:
        raise DataError(f"{articles_dir}: no articles (<category>/<NNN>.txt) found")
    return [_read_pair(p, summaries_dir / p.parent.name / p.name) for p in paths]


def _read_pair(article_path: Path, summary_path: Path) -> EvalArticle:
    name = f"{article_path.parent.name}/{article_path.name}"
    if not summary_path.is_file():
        raise DataError(f"{summary_path}: missing reference summary for article {name}")
    title, _, body = decode(article_path.read_bytes()).strip().partition("\n")
    if not body.strip():
        raise DataError(f"{article_path}: no body after the headline line")
    title, body = repair(title), repair(body)
    lang = detect_language(body)
    reference = split_sentences(repair(decode(summary_path.read_bytes())), lang)
    if not reference:
        raise DataError(f"{summary_path}: empty reference summary")
    return EvalArticle(name, title, body, "\n".join(reference))


# -- scoring one article (runs in a worker) -------------------------------------------------

Result = dict[tuple[str, str], tuple[float, float, float, float]]
_scorer: Any = None


def _rouge() -> Any:
    global _scorer
    if _scorer is None:
        from rouge_score import rouge_scorer

        _scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    return _scorer


def score_article(article: EvalArticle, systems: Sequence[str]) -> Result:
    """(system id, length label) → (R-1, R-2, R-L F1 in %, milliseconds) for one article."""
    scorer = _rouge()
    lang = detect_language(article.body)
    result: Result = {}
    too_long_for_kl = len(candidate_sentences(article.title, article.body, lang)) >= (
        KL_MAX_SENTENCES
    )
    for system in systems:
        if system == "kl" and too_long_for_kl:
            continue
        for length in LENGTHS:
            start = time.perf_counter()
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


def _score_chunk(chunk: Sequence[EvalArticle], systems: Sequence[str]) -> list[Result]:
    return [score_article(a, systems) for a in chunk]


def evaluate(
    articles: Sequence[EvalArticle],
    systems: Sequence[str],
    *,
    workers: int = 2,
    progress: bool = True,
) -> list[Row]:
    """Mean scores per system and length over `articles`, in table order."""
    from tqdm import tqdm

    results: list[Result] = []
    with tqdm(
        total=len(articles),
        desc="summaries",
        unit="article",
        file=sys.stderr,
        disable=not progress or None,
    ) as bar:
        for chunk_results in _run_chunks(articles, systems, workers):
            results.extend(chunk_results)
            bar.update(len(chunk_results))
    return aggregate(results, systems)


def _run_chunks(
    articles: Sequence[EvalArticle], systems: Sequence[str], workers: int
) -> Iterator[list[Result]]:
    size = 8
    chunks = [articles[i : i + size] for i in range(0, len(articles), size)]
    if workers <= 1:
        for chunk in chunks:
            yield _score_chunk(chunk, systems)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_score_chunk, chunks, [systems] * len(chunks))


def aggregate(results: Iterable[Result], systems: Sequence[str]) -> list[Row]:
    sums: dict[tuple[str, str], list[float]] = {}
    counts: dict[tuple[str, str], int] = {}
    for result in results:
        for key, values in result.items():
            total = sums.setdefault(key, [0.0] * 4)
            for i, value in enumerate(values):
                total[i] += value
            counts[key] = counts.get(key, 0) + 1
    rows = []
    for length in LENGTHS:
        for system in systems:
            key = (system, length.label)
            if key not in counts:
                continue
            n = counts[key]
            r1, r2, rl, ms = (v / n for v in sums[key])
            rows.append(Row(SYSTEM_NAMES[system], length.label, r1, r2, rl, ms, n))
    return rows


def render_table(rows: Sequence[Row], total: int) -> str:
    lines = [
        f"ROUGE F1 (%) with stemming over {total} articles; ms = milliseconds per article",
        f"{'length':<12} {'system':<10} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8} "
        f"{'ms':>8} {'articles':>9}",
    ]
    previous = None
    for row in rows:
        if previous is not None and row.length != previous:
            lines.append("")
        previous = row.length
        lines.append(
            f"{row.length:<12} {row.system:<10} {row.rouge1:8.1f} {row.rouge2:8.1f} "
            f"{row.rougeL:8.1f} {row.ms_per_article:8.1f} {row.articles:9d}"
        )
    return "\n".join(lines)


# -- command line ---------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "summaries",
        help="ROUGE of every summariser against reference summaries",
        description="Summarise every article of a data folder (articles/<category>/<NNN>.txt "
        "with references in summaries/<category>/<NNN>.txt) with Lead-3, each stock Sumy "
        "algorithm and the project's default, at 3 sentences and at 600 characters, and "
        "print ROUGE-1/2/L F1 and milliseconds per article.",
    )
    p.add_argument("--data", type=Path, required=True, metavar="DIR", help="the data folder")
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
    from digest.cli import EXIT_USAGE, CliError  # the CLI imports this module

    try:
        import rouge_score  # noqa: F401
    except ImportError:
        raise CliError(INSTALL_HINT, EXIT_USAGE) from None
    try:
        articles = load_articles(args.data, category=args.category, limit=args.limit)
    except DataError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    systems = args.systems or tuple(SYSTEM_NAMES)
    rows = evaluate(articles, systems, workers=args.workers, progress=not args.json)
    if args.json:
        print(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=1))
    else:
        print(render_table(rows, len(articles)))
    return 0
