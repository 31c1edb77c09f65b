"""`newsbot eval topics`: precision, recall and F1 of the topic classifier on a labelled set.

The labelled set is a UTF-8 TSV file; see ``docs/topics.md`` for the format. Reading the file
and computing the metrics are pure functions; only `run` touches settings, the database and
stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.cli_errors import CliError
from digest.languages import LANGUAGES

if TYPE_CHECKING:
    from digest.topics import TopicCatalog

NO_TOPIC = "-"  # an explicit "no topic" in the topics column; an empty cell means the same
TITLE_CHARS = 60


class LabelledSetError(ValueError):
    """The labelled set cannot be used; the message names the file and the line."""


@dataclass(frozen=True, slots=True)
class LabelledRow:
    """One labelled article: its text inline, or the id of a stored article."""

    line: int
    expected: frozenset[str]
    title: str = ""
    body: str = ""
    lang: str | None = None  # None: detect from the text (or take the stored article's)
    article_id: int | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the classifier said about one row, next to what the label says."""

    line: int
    title: str
    lang: str
    expected: frozenset[str]
    predicted: frozenset[str]


@dataclass(frozen=True, slots=True)
class TopicMetrics:
    topic: str
    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def measured(self) -> bool:
        """False when the set neither labels nor predicts the topic: nothing to score."""
        return self.support > 0 or self.predicted > 0


@dataclass(frozen=True, slots=True)
class Report:
    per_topic: list[TopicMetrics]
    outcomes: list[Outcome]
    unmeasured: list[str] = field(default_factory=list)

    def _macro(self, metric: Callable[[TopicMetrics], float]) -> float:
        scored = [m for m in self.per_topic if m.measured]
        return sum(metric(m) for m in scored) / len(scored) if scored else 0.0

    @property
    def macro_precision(self) -> float:
        return self._macro(lambda m: m.precision)

    @property
    def macro_recall(self) -> float:
        return self._macro(lambda m: m.recall)

    @property
    def macro_f1(self) -> float:
        return self._macro(lambda m: m.f1)

    @property
    def exact_match(self) -> float:
        """Share of rows whose predicted set is exactly the labelled set."""
        if not self.outcomes:
            return 0.0
        return sum(o.expected == o.predicted for o in self.outcomes) / len(self.outcomes)

    @property
    def languages(self) -> dict[str, int]:
        counts = Counter(o.lang for o in self.outcomes)
        return {lang: counts[lang] for lang in sorted(counts, key=_lang_order)}


def _lang_order(lang: str) -> tuple[int, str]:
    return (LANGUAGES.index(lang) if lang in LANGUAGES else len(LANGUAGES), lang)


# -- pure core ----------------------------------------------------------------------------


def score(topics: Sequence[str], outcomes: Sequence[Outcome]) -> Report:
    """Per-topic counts over `outcomes`, for every topic in `topics` (in that order).

    Macro averages run over the topics the set measures: a topic that is neither labelled nor
    predicted anywhere has no precision or recall to speak of and is listed as unmeasured.
    """
    per_topic = [
        TopicMetrics(
            topic=t,
            tp=sum(t in o.expected and t in o.predicted for o in outcomes),
            fp=sum(t not in o.expected and t in o.predicted for o in outcomes),
            fn=sum(t in o.expected and t not in o.predicted for o in outcomes),
        )
        for t in topics
    ]
    unmeasured = [m.topic for m in per_topic if not m.measured]
    return Report(per_topic=per_topic, outcomes=list(outcomes), unmeasured=unmeasured)


def parse_labelled_set(
    text: str, source: str, resolve: Callable[[str], str | None]
) -> list[LabelledRow]:
    """Rows of a labelled TSV. `resolve` maps a topic id or name to its id, or None if unknown.

    A row is ``lang<TAB>title<TAB>body<TAB>topics`` (lang may be empty: detected) or
    ``article-id<TAB>topics``. Blank lines and lines starting with ``#`` are skipped; a first
    row whose last column is ``topics`` is a header.
    """
    rows: list[LabelledRow] = []
    seen_data = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if not seen_data and cells[-1].lower() == "topics":
            seen_data = True
            continue
        seen_data = True
        where = f"{source}, line {number}"
        expected = _expected_topics(cells[-1], where, resolve)
        if len(cells) == 2:
            rows.append(_id_row(cells[0], expected, number, where))
        elif len(cells) == 4:
            rows.append(_text_row(cells, expected, number, where))
        else:
            raise LabelledSetError(
                f"{where}: {len(cells)} tab-separated columns; expected 4 "
                "(lang, title, body, topics) or 2 (article id, topics)"
            )
    if not rows:
        raise LabelledSetError(f"{source}: no labelled rows")
    return rows


def _expected_topics(
    cell: str, where: str, resolve: Callable[[str], str | None]
) -> frozenset[str]:
    names = [n.strip() for n in cell.split(",") if n.strip()]
    if names == [NO_TOPIC]:
        return frozenset()
    found: set[str] = set()
    for name in names:
        topic = resolve(name)
        if topic is None:
            raise LabelledSetError(f"{where}: unknown topic {name!r}")
        found.add(topic)
    return frozenset(found)


def _id_row(cell: str, expected: frozenset[str], number: int, where: str) -> LabelledRow:
    if not cell.isdigit():
        raise LabelledSetError(
            f"{where}: a 2-column row starts with an article id (a number), not {cell[:30]!r}"
        )
    return LabelledRow(line=number, expected=expected, article_id=int(cell))


def _text_row(
    cells: list[str], expected: frozenset[str], number: int, where: str
) -> LabelledRow:
    lang, title, body = cells[0].lower(), cells[1], cells[2]
    if lang and lang not in LANGUAGES:
        raise LabelledSetError(
            f"{where}: language {cells[0]!r} is not one of {', '.join(LANGUAGES)} (or empty)"
        )
    if not title and not body:
        raise LabelledSetError(f"{where}: both title and body are empty")
    return LabelledRow(
        line=number, expected=expected, title=title, body=body, lang=lang or None
    )


def short(title: str, limit: int = TITLE_CHARS) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def format_report(report: Report, name: Callable[[str], str]) -> str:
    """The table and the confusions, as printed on a terminal."""
    width = max([len(m.topic) for m in report.per_topic] + [len("macro")])
    head = f"{'topic':<{width}}  {'P':>5}  {'R':>5}  {'F1':>5}  {'support':>7}  {'predicted':>9}"
    lines = [
        f"{len(report.outcomes)} rows ("
        + ", ".join(f"{k} {v}" for k, v in report.languages.items())
        + ")",
        "",
        head,
        "-" * len(head),
    ]
    for m in report.per_topic:
        if not m.measured:
            lines.append(f"{m.topic:<{width}}  {'n/a':>5}  {'n/a':>5}  {'n/a':>5}  {0:>7}  {0:>9}")
            continue
        lines.append(
            f"{m.topic:<{width}}  {m.precision:5.3f}  {m.recall:5.3f}  {m.f1:5.3f}  "
            f"{m.support:>7}  {m.predicted:>9}"
        )
    lines.append("-" * len(head))
    lines.append(
        f"{'macro':<{width}}  {report.macro_precision:5.3f}  {report.macro_recall:5.3f}  "
        f"{report.macro_f1:5.3f}"
    )
    lines.append(f"exact match (all topics of a row right): {report.exact_match:.3f}")
    if report.unmeasured:
        lines.append(
            "not in the set, left out of the macro average: " + ", ".join(report.unmeasured)
        )
    lines.append("")
    lines.extend(_confusions(report, name))
    return "\n".join(lines)


def _confusions(report: Report, name: Callable[[str], str]) -> list[str]:
    lines: list[str] = []
    for m in report.per_topic:
        if not (m.fp or m.fn):
            continue
        missed = [o for o in report.outcomes if m.topic in o.expected - o.predicted]
        extra = [o for o in report.outcomes if m.topic in o.predicted - o.expected]
        lines.append(f"{m.topic} ({name(m.topic)}): {len(missed)} missed, {len(extra)} false")
        instead = Counter(t for o in missed for t in o.predicted - o.expected)
        if instead:
            lines.append("  predicted instead on missed rows: " + _tally(instead))
        wanted = Counter(t for o in extra for t in o.expected - o.predicted)
        if wanted:
            lines.append("  labels it pushed aside on false rows: " + _tally(wanted))
        for o in missed:
            lines.append(f"  missed  line {o.line:>4} [{o.lang}] {short(o.title)!r}"
                         f" -> predicted {_ids(o.predicted)}")
        for o in extra:
            lines.append(f"  false   line {o.line:>4} [{o.lang}] {short(o.title)!r}"
                         f" -> labelled {_ids(o.expected)}")
    return lines or ["no confusions: every row got exactly its labelled topics"]


def _tally(counts: Counter[str]) -> str:
    return ", ".join(f"{t} x{n}" for t, n in counts.most_common())


def _ids(topics: Iterable[str]) -> str:
    return ",".join(sorted(topics)) or "none"


def report_json(report: Report) -> dict[str, Any]:
    return {
        "rows": len(report.outcomes),
        "languages": report.languages,
        "topics": {
            m.topic: {
                "precision": round(m.precision, 4),
                "recall": round(m.recall, 4),
                "f1": round(m.f1, 4),
                "support": m.support,
                "predicted": m.predicted,
                "tp": m.tp,
                "fp": m.fp,
                "fn": m.fn,
                "measured": m.measured,
            }
            for m in report.per_topic
        },
        "macro_precision": round(report.macro_precision, 4),
        "macro_recall": round(report.macro_recall, 4),
        "macro_f1": round(report.macro_f1, 4),
        "exact_match": round(report.exact_match, 4),
        "unmeasured": report.unmeasured,
        "errors": [
            {
                "line": o.line,
                "lang": o.lang,
                "title": o.title,
                "expected": sorted(o.expected),
                "predicted": sorted(o.predicted),
            }
            for o in report.outcomes
            if o.expected != o.predicted
        ],
    }


# -- real articles: a manifest of addresses and labels, texts in a folder outside the repo --

MANIFEST_COLUMNS = ("id", "lang", "script", "split", "url", "topics")
_ARTICLE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """One real article: where it was published, its language and script, labels and split."""

    line: int
    id: str
    lang: str
    script: str  # "cyrl" or "latn"
    split: str  # "dev" (may be tuned on) or "test" (reported only)
    url: str
    expected: frozenset[str]

    @property
    def group(self) -> str:
        """The reporting group: the language, with Kazakh split by script."""
        return f"{self.lang}-{self.script}" if self.lang == "kk" else self.lang


@dataclass(frozen=True, slots=True)
class RealOutcome:
    row: ManifestRow
    detected: str
    predicted: frozenset[str]

    def outcome(self) -> Outcome:
        return Outcome(self.row.line, self.row.id, self.row.lang, self.row.expected,
                       self.predicted)


def parse_manifest(
    text: str, source: str, resolve: Callable[[str], str | None]
) -> list[ManifestRow]:
    """Rows of ``id lang script split url topics`` (tab-separated, header required)."""
    rows: list[ManifestRow] = []
    header_seen = False
    ids: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        where = f"{source}, line {number}"
        if not header_seen:
            if tuple(c.lower() for c in cells) != MANIFEST_COLUMNS:
                raise LabelledSetError(
                    f"{where}: expected the header {' '.join(MANIFEST_COLUMNS)} (tab-separated)"
                )
            header_seen = True
            continue
        if len(cells) != len(MANIFEST_COLUMNS):
            raise LabelledSetError(f"{where}: {len(cells)} columns; expected 6 "
                                   f"({', '.join(MANIFEST_COLUMNS)})")
        article_id, lang, script, split, url, topics = cells
        if not _ARTICLE_ID.match(article_id) or article_id in ids:
            raise LabelledSetError(f"{where}: id {article_id!r} is not a unique file-name id")
        if lang not in LANGUAGES:
            raise LabelledSetError(f"{where}: language {lang!r} is not one of "
                                   f"{', '.join(LANGUAGES)}")
        if script not in ("cyrl", "latn"):
            raise LabelledSetError(f"{where}: script {script!r} is not cyrl or latn")
        if split not in ("dev", "test"):
            raise LabelledSetError(f"{where}: split {split!r} is not dev or test")
        ids.add(article_id)
        rows.append(ManifestRow(number, article_id, lang, script, split, url,
                                _expected_topics(topics, where, resolve)))
    if not rows:
        raise LabelledSetError(f"{source}: no articles")
    return rows


def split_article(text: str) -> tuple[str, str]:
    """An article file: the title on the first line, the body after it."""
    title, _, body = text.strip().partition("\n")
    return title.strip(), body.strip()


GROUP_ORDER = ("en", "ru", "kk", "kk-cyrl", "kk-latn", "all")


def real_report(topics: Sequence[str], results: Sequence[RealOutcome]) -> dict[str, Any]:
    """Macro-F1 and exact match per split and group, and language detection accuracy."""
    splits: dict[str, dict[str, dict[str, Any]]] = {}
    for split in ("dev", "test"):
        in_split = [r for r in results if r.row.split == split]
        if not in_split:
            continue
        groups = {
            "all": in_split,
            "kk": [r for r in in_split if r.row.lang == "kk"],
            **{g: [r for r in in_split if r.row.group == g]
               for g in ("en", "ru", "kk-cyrl", "kk-latn")},
        }
        splits[split] = {}
        for name in GROUP_ORDER:
            members = groups.get(name) or []
            if not members:
                continue
            rep = score(topics, [r.outcome() for r in members])
            splits[split][name] = {
                "rows": len(members),
                "macro_f1": round(rep.macro_f1, 4),
                "macro_precision": round(rep.macro_precision, 4),
                "macro_recall": round(rep.macro_recall, 4),
                "exact_match": round(rep.exact_match, 4),
            }
    detection: dict[str, dict[str, int]] = {}
    for r in results:
        d = detection.setdefault(r.row.group, {"rows": 0, "right": 0})
        d["rows"] += 1
        d["right"] += r.detected == r.row.lang
    return {
        "rows": len(results),
        "splits": splits,
        "language_detection": detection,
        "errors": [
            {"id": r.row.id, "split": r.row.split, "group": r.row.group, "detected": r.detected,
             "expected": sorted(r.row.expected), "predicted": sorted(r.predicted)}
            for r in results if r.row.expected != r.predicted
        ],
    }


def format_real_report(
    report: dict[str, Any], topics: Sequence[str], results: Sequence[RealOutcome],
    name: Callable[[str], str],
) -> str:
    lines = [f"{report['rows']} real articles", ""]
    head = f"{'split':<5}  {'group':<8}  {'rows':>4}  {'macro-F1':>8}  {'P':>5}  {'R':>5}  exact"
    lines += [head, "-" * len(head)]
    for split, groups in report["splits"].items():
        for group, m in groups.items():
            lines.append(
                f"{split:<5}  {group:<8}  {m['rows']:>4}  {m['macro_f1']:8.3f}  "
                f"{m['macro_precision']:5.3f}  {m['macro_recall']:5.3f}  {m['exact_match']:.3f}"
            )
    lines.append("")
    detection = report["language_detection"]
    lines.append("language detected as labelled: " + ", ".join(
        f"{g} {d['right']}/{d['rows']}" for g, d in sorted(detection.items())))
    for split in report["splits"]:
        in_split = [r.outcome() for r in results if r.row.split == split]
        lines += ["", f"== {split} split, per topic ==",
                  format_report(score(topics, in_split), name)]
    return "\n".join(lines)


# -- shell ------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "topics",
        help="precision, recall and F1 of the topic classifier on a labelled TSV",
        description="Classify every row of a labelled set and compare with its labels. "
        "Rows: lang<TAB>title<TAB>body<TAB>topics, or article-id<TAB>topics "
        "(see docs/topics.md).",
    )
    p.add_argument("--data", type=Path, required=True, metavar="FILE.tsv",
                   help="the labelled set, or with --texts a manifest of real articles")
    p.add_argument("--texts", type=Path, metavar="DIR",
                   help="folder of article texts (<id>.txt) named by a manifest such as "
                   "tests/data/topics-real.tsv; prints macro-F1 per split and language")
    p.add_argument("--topics-file", type=Path, metavar="YAML",
                   help="topic catalog (default: NEWSBOT_TOPICS_FILE)")
    # SUPPRESS keeps `newsbot --db X eval topics` working: a None default here would
    # overwrite the global option's value.
    p.add_argument("--db", type=Path, default=argparse.SUPPRESS,
                   help="database for rows that give an article id (default: NEWSBOT_DB_PATH)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--min-f1", type=float, metavar="X",
                   help="exit with status 1 when macro-F1 is below X")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from digest.topics import load_catalog

    settings: Any = None

    def get_settings() -> Any:
        nonlocal settings
        if settings is None:
            from digest.settings import load_settings

            settings = load_settings()
        return settings

    catalog = load_catalog(args.topics_file or get_settings().topics_file)
    data: Path = args.data
    text = _read_text(data, CliError)
    if getattr(args, "texts", None) is not None:
        return _run_real(args, catalog, text, CliError)
    try:
        rows = parse_labelled_set(text, str(data), catalog.resolve)
    except LabelledSetError as exc:
        raise CliError(str(exc)) from None

    stored: dict[int, Any] = {}
    wanted = sorted({r.article_id for r in rows if r.article_id is not None})
    if wanted:
        db_path = getattr(args, "db", None) or get_settings().db_path
        stored = asyncio.run(_load_articles(Path(db_path), wanted))
        for r in rows:
            if r.article_id is not None and r.article_id not in stored:
                raise CliError(f"{data}, line {r.line}: no article {r.article_id} in {db_path}")

    report = score(catalog.ids, [_classify(catalog, r, stored) for r in rows])
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, catalog.name))
    if args.min_f1 is not None and report.macro_f1 < args.min_f1:
        print(
            f"newsbot: macro-F1 {report.macro_f1:.3f} is below --min-f1 {args.min_f1}",
            file=sys.stderr,
        )
        return 1
    return 0


def _read_text(path: Path, error: type[Exception]) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from None


def _run_real(
    args: argparse.Namespace, catalog: TopicCatalog, manifest: str, error: type[Exception]
) -> int:
    from digest.text import detect_language
    from digest.topics import classify

    folder: Path = args.texts
    if not folder.is_dir():
        raise error(f"{folder}: no such folder (--texts names the folder of article texts)")
    try:
        rows = parse_manifest(manifest, str(args.data), catalog.resolve)
    except LabelledSetError as exc:
        raise error(str(exc)) from None
    results: list[RealOutcome] = []
    for row in rows:
        path = folder / f"{row.id}.txt"
        if not path.is_file():
            raise error(f"{args.data}, line {row.line}: no text {path} for article {row.id}")
        title, body = split_article(_read_text(path, error))
        detected = detect_language(f"{title}\n{body}")
        predicted = classify(catalog, title, body, detected).labels
        results.append(RealOutcome(row, detected, frozenset(predicted)))
    report = real_report(catalog.ids, results)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_real_report(report, catalog.ids, results, catalog.name))
    worst = min((g["macro_f1"] for g in report["splits"].get("test", {}).values()), default=1.0)
    if args.min_f1 is not None and worst < args.min_f1:
        print(f"newsbot: test macro-F1 {worst:.3f} (worst group) is below --min-f1 {args.min_f1}",
              file=sys.stderr)
        return 1
    return 0


def _classify(catalog: TopicCatalog, row: LabelledRow, stored: dict[int, Any]) -> Outcome:
    from digest.text import detect_language
    from digest.topics import classify

    if row.article_id is not None:
        article = stored[row.article_id]
        title, body, lang = article.title, article.body, article.lang
    else:
        title, body = row.title, row.body
        lang = row.lang or detect_language(f"{title}\n{body}")
    result = classify(catalog, title, body, lang)
    return Outcome(
        line=row.line, title=title, lang=lang,
        expected=row.expected, predicted=frozenset(result.labels),
    )


async def _load_articles(db_path: Path, ids: Sequence[int]) -> dict[int, Any]:
    from digest.storage import Store

    if not db_path.is_file():
        raise CliError(f"database {db_path} does not exist (rows give article ids)")
    found: dict[int, Any] = {}
    async with await Store.open(db_path) as store:
        for article_id in ids:
            article = await store.get_article(article_id)
            if article is not None:
                found[article_id] = article
    return found
