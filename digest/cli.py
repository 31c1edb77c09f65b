"""The `newsbot` command line: ingest dumps, read what is stored, explain, evaluate.

Every expected failure (missing file, rejected dump, bad setting, unknown topic or article)
is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from digest.cli_errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliError
from digest.compose import compose_digest, render_plain
from digest.evaluation import linking as eval_linking
from digest.evaluation import summaries as eval_summaries
from digest.evaluation import topics as eval_topics
from digest.ingest import ingest_file
from digest.languages import LANGUAGES
from digest.link_refresh import refresh_link_keys
from digest.models import Article, IngestReport
from digest.parsing import DumpError
from digest.settings import Settings, SettingsError, load_settings
from digest.stemming import use_kazakh_stop_words
from digest.storage import Store, StoreError, describe
from digest.topics import TopicCatalog, TopicsFileError, classify, explain, load_catalog
from digest.workers import worker_pool

MAX_COUNT = 100_000  # the most articles one reading command lists
MAX_ID = 2**63 - 1  # SQLite's largest integer

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def build_parser(
    extra_commands: (
        Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None] | None
    ) = None,
) -> argparse.ArgumentParser:
    """The parser; `extra_commands` lets the bot package add `run` without digest importing it."""
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Deduplicated, summarised, topic-filtered digests of gov.kz news dumps.",
    )
    parser.add_argument("--db", type=Path, help="SQLite database (default: NEWSBOT_DB_PATH)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="ingest dump files (.txt gov.kz format or .jsonl)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(command_func=cmd_ingest)

    p = sub.add_parser("latest", help="the newest stories, one version each")
    p.add_argument("--topic", "-t")
    p.add_argument("-n", type=_count, default=5, help="how many (default 5)")
    p.add_argument("--lang", choices=list(LANGUAGES),
                   help="show each story in this language when it has a version in it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(command_func=cmd_latest)

    p = sub.add_parser("search", help="full-text search over stored stories")
    p.add_argument("words", nargs="+")
    p.add_argument("-n", type=_count, default=10, help="how many at most (default 10)")
    p.add_argument("--lang", choices=list(LANGUAGES),
                   help="show each story in this language when it has a version in it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(command_func=cmd_search)

    p = sub.add_parser("topics", help="the topics with their article counts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(command_func=cmd_topics)

    p = sub.add_parser("explain", help="why an article got its topics and joined its story")
    p.add_argument("article_id", type=_article_id, metavar="ID")
    p.set_defaults(command_func=cmd_explain)

    p = sub.add_parser("digest", help="the digest for topics, as the bot would send it")
    p.add_argument("--topic", "-t", action="append", required=True,
                   help="topic id or name; repeat for several")
    p.add_argument("--since", type=_iso_date, help="only articles dated on or after YYYY-MM-DD")
    p.add_argument("--lang", default="en", choices=["en", "ru", "kk"])
    p.add_argument("-n", type=_count, default=50,
                   help="at most this many articles (default 50)")
    p.set_defaults(command_func=cmd_digest)

    p = sub.add_parser("stats", help="articles per topic per day and digests sent, 30 days")
    p.add_argument("--png", type=Path, metavar="FILE", help="also draw the chart /stats sends")
    p.add_argument("--lang", default="en", choices=["en", "ru", "kk"],
                   help="language of the chart's topic names")
    p.add_argument("--until", type=_iso_date, metavar="YYYY-MM-DD",
                   help="the last day shown (default: today in NEWSBOT_TIMEZONE)")
    p.set_defaults(command_func=cmd_stats)

    p = sub.add_parser(
        "refresh-link-keys",
        help="recompute stored articles' story-linking features and lookup keys",
        description="Recompute every stored article's cross-language linking features and "
        "lookup keys with this version's rules and lexicon, so that new translations find "
        "articles stored by an older newsbot. Stories already formed are left as they are. "
        "Safe to run while the bot runs; a second run changes nothing.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(command_func=cmd_refresh_link_keys)

    p = sub.add_parser("demo", help="ingest the bundled sample and print each topic's digest")
    p.set_defaults(command_func=cmd_demo)

    evaluation = sub.add_parser("eval", help="measure summary and topic quality")
    eval_sub = evaluation.add_subparsers(dest="eval_command", required=True, metavar="WHAT")
    eval_summaries.register(eval_sub)
    eval_topics.register(eval_sub)
    eval_linking.register(eval_sub)
    if extra_commands:
        extra_commands(sub)
    return parser


def _count(value: str) -> int:
    """A number of articles: a whole number from 1 to MAX_COUNT (0 and below mean 1)."""
    try:
        number = int(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value[:40]!r} is not a whole number") from None
    if number > MAX_COUNT:
        raise argparse.ArgumentTypeError(f"{value[:40]} is too many; at most {MAX_COUNT:,}")
    return max(1, number)


def _article_id(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value[:40]!r} is not an article id") from None


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date as YYYY-MM-DD") from None


def main(argv: Sequence[str] | None = None, parser: argparse.ArgumentParser | None = None) -> int:
    parser = parser or build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "func", None) is not None:  # eval and run build what they need
            return int(args.func(args))
        overrides: dict[str, Any] = {"db_path": args.db} if args.db else {}
        settings = load_settings(**overrides)
        use_kazakh_stop_words(settings.kazakh_stopwords_file)
        command: Command = args.command_func
        return asyncio.run(command(args, settings))
    except CliError as exc:
        return _fail(exc, exc.code)
    except (SettingsError, TopicsFileError) as exc:
        return _fail(exc, EXIT_USAGE)
    except (DumpError, StoreError) as exc:
        return _fail(exc, EXIT_FAILED)
    except sqlite3.Error as exc:  # a fault the store did not expect: still one line
        return _fail(describe(exc, str(args.db or "the database")), EXIT_FAILED)
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `newsbot latest | head`: the reader went away; that is not an error of ours.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _fail(exc: Exception | str, code: int) -> int:
    print(f"newsbot: {exc}", file=sys.stderr)
    return code


# -- commands ---------------------------------------------------------------------------


async def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    catalog = load_catalog(settings.topics_file)
    reports: list[IngestReport] = []
    rejected: list[str] = []
    async with await Store.open(settings.db_path) as store:
        with worker_pool(settings.workers,
                         kazakh_stop_words=settings.kazakh_stopwords_file) as pool:
            for path in args.files:
                try:
                    with _progress_bar(path.name, enabled=not args.json) as progress:
                        report = await ingest_file(
                            store, path, settings, catalog, progress=progress, executor=pool,
                        )
                except DumpError as exc:
                    print(f"newsbot: {exc}", file=sys.stderr)
                    rejected.append(str(exc))
                    continue
                except StoreError as exc:
                    # The database cannot take anything now: the next files would fail alike.
                    print(f"newsbot: {exc}", file=sys.stderr)
                    rejected.append(str(exc))
                    break
                reports.append(report)
                if not args.json:
                    print(format_report(report, catalog))
    if args.json:
        print(json.dumps(_reports_json(reports, rejected), ensure_ascii=False, indent=2))
    return EXIT_FAILED if rejected else EXIT_OK


def _reports_json(reports: list[IngestReport], rejected: list[str]) -> dict[str, Any]:
    topics: dict[str, int] = {}
    languages: dict[str, int] = {}
    for r in reports:
        for k, v in r.topics.items():
            topics[k] = topics.get(k, 0) + v
        for k, v in r.languages.items():
            languages[k] = languages.get(k, 0) + v
    return {
        "parsed": sum(r.parsed for r in reports),
        "stored": sum(r.stored for r in reports),
        "duplicates_exact": sum(r.duplicates_exact for r in reports),
        "duplicates_near": sum(r.duplicates_near for r in reports),
        "replaced": sum(r.replaced for r in reports),
        "stories_new": sum(r.stories_new for r in reports),
        "versions_linked": sum(r.versions_linked for r in reports),
        "topics": topics,
        "languages": languages,
        "problems": [
            {"file": r.file, "line": p.line, "reason": p.reason}
            for r in reports
            for p in r.problems
        ],
        "rejected": rejected,
        "files": [r.as_json() for r in reports],
    }


def format_report(report: IngestReport, catalog: TopicCatalog) -> str:
    dups = report.duplicates_exact + report.duplicates_near
    lines = [
        f"{report.file}: {report.parsed} records parsed, {report.stored} stored, "
        f"{dups} duplicates ({report.duplicates_exact} exact, {report.duplicates_near} near)"
        + (f", {report.replaced} kept copies replaced by a better one" if report.replaced else ""),
        f"  stories: {report.stories_new} new; versions linked to a story (translations, "
        f"reposts): {report.versions_linked}",
        "  languages: " + (", ".join(f"{k} {v}" for k, v in report.languages.items()) or "-"),
        "  topics of stored articles: "
        + (", ".join(f"{catalog.name(k)} {v}" for k, v in report.topics.items()) or "none"),
    ]
    if report.problems:
        lines.append(f"  problems ({len(report.problems)}):")
        lines.extend(f"    {p}" for p in report.problems)
    return "\n".join(lines)


class _progress_bar:
    """A tqdm bar on stderr while preparing articles, only when stderr is a terminal."""

    def __init__(self, name: str, enabled: bool) -> None:
        self.name = name
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        if not self.enabled:
            return None
        from tqdm import tqdm

        def update(done: int, total: int) -> None:
            if self.bar is None:
                self.bar = tqdm(total=total, desc=self.name, unit="article", file=sys.stderr,
                                leave=False)
            self.bar.update(done - self.bar.n)

        return update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


async def cmd_latest(args: argparse.Namespace, settings: Settings) -> int:
    catalog = load_catalog(settings.topics_file)
    topic = _topic(catalog, args.topic) if args.topic else None
    async with await Store.open(settings.db_path, create=False) as store:
        articles = await store.latest(topic, args.n, lang=args.lang)
    _print_articles(articles, catalog, args.json, empty="No articles yet.")
    return EXIT_OK


async def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    catalog = load_catalog(settings.topics_file)
    async with await Store.open(settings.db_path, create=False) as store:
        articles = await store.search(" ".join(args.words), args.n, lang=args.lang)
    _print_articles(articles, catalog, args.json, empty="Nothing found.")
    return EXIT_OK


async def cmd_topics(args: argparse.Namespace, settings: Settings) -> int:
    catalog = load_catalog(settings.topics_file)
    async with await Store.open(settings.db_path, create=False) as store:
        counts = await store.topic_counts()
    rows: list[dict[str, Any]] = [
        {"id": t, "name": catalog.name(t), "articles": counts.get(t, 0)} for t in catalog.ids
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        width = max(len(r["id"]) for r in rows)
        for r in rows:
            print(f"{r['id']:<{width}}  {r['articles']:>5}  {r['name']}")
    return EXIT_OK


async def cmd_explain(args: argparse.Namespace, settings: Settings) -> int:
    catalog = load_catalog(settings.topics_file)
    async with await Store.open(settings.db_path, create=False) as store:
        # An id SQLite cannot hold is one no article has.
        wanted = args.article_id
        article = await store.get_article(wanted) if 0 < wanted <= MAX_ID else None
        if article is None:
            raise CliError(f"no article with id {args.article_id}")
        stored = await store.topic_scores(article.id)
        story = await store.story_link(article.id)
    print(f"#{article.id} {article.title} ({article.date.isoformat()}, {article.lang})")
    print("stored scores: " + (", ".join(
        f"{t} {s:.2f}{' (assigned)' if a else ''}" for t, s, a in stored) or "none"))
    print(explain(classify(catalog, article.title, article.body, article.lang), catalog))
    if story is not None:
        print(explain_story(article, story))
    return EXIT_OK


def explain_story(article: Article, story: dict[str, Any]) -> str:
    """Why the article is in its story, its sources (reposts merged into it), the versions."""
    lines = [f"story {story['story']}: {_link_reason(story['reason'])}"]
    for url, reason in story["sources"]:
        lines.append(f"  source {url}: {_source_reason(reason)}")
    others = [v for v in article.versions if v.id != article.id]
    if others:
        lines.append("  other versions: " + ", ".join(
            f"#{v.id} {v.lang}" + (f" {v.url}" if v.url else "") for v in others
        ))
    return "\n".join(lines)


def _link_reason(reason: dict[str, Any]) -> str:
    how = reason.get("how")
    if how == "news_id":
        if reason.get("migrated"):
            return "joined by its gov.kz news id when stories were introduced"
        return (f"joined the story of #{reason.get('with')} ({reason.get('with_lang')}): the "
                f"same gov.kz news id {reason.get('news_id')} in another language")
    if how == "content":
        return (f"joined the story of #{reason.get('with')} ({reason.get('with_lang')}) as a "
                "translation: published within a day; shared numbers: "
                f"{', '.join(reason.get('numbers', [])) or '-'}; shared names (skeletons): "
                f"{', '.join(reason.get('names', [])) or '-'}"
                + (f"; {reason['rule']}" if reason.get("rule") else ""))
    if how == "rewrite":
        return (f"joined the story of #{reason.get('with')} ({reason.get('with_lang')}) as "
                "another outlet's rewrite in the same language: published within a day"
                + (f"; {reason['rule']}" if reason.get("rule") else ""))
    if how == "story":
        return (f"started a story of its own, which joined the story of #{reason.get('with')} "
                f"({reason.get('with_lang')}) at the end of its ingest"
                + (f"; {reason['rule']}" if reason.get("rule") else ""))
    if how == "migrated":
        return "its own story (stored before stories were introduced)"
    return "a new story: no stored article is a version of it"


def _source_reason(reason: dict[str, Any]) -> str:
    how = reason.get("how")
    if how == "near_duplicate":
        return (f"a repost: near-duplicate text (similarity {reason.get('similarity')}); the "
                "better copy is kept as the text")
    if how == "exact":
        return "the same text again"
    if how == "migrated":
        return "its address before stories were introduced"
    return "where this text was first found"


async def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    catalog = load_catalog(settings.topics_file)
    topics = [_topic(catalog, t) for t in args.topic]
    async with await Store.open(settings.db_path, create=False) as store:
        articles = await store.articles_for_topics(
            topics, since=args.since, limit=args.n, lang=args.lang
        )
    print(render_plain(compose_digest(articles, topics, catalog, args.lang)), end="")
    return EXIT_OK


async def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    """Per topic, the articles of each of the last 30 days; digests sent; optionally the PNG.

    The chart is the bot's (same data, same drawing); its labels come from the caller so
    that ``digest`` needs no bot strings: English here unless --lang says otherwise.
    """
    from zoneinfo import ZoneInfo

    from digest.activity import activity
    from digest.chart import ChartLabels, render_chart

    catalog = load_catalog(settings.topics_file)
    today = args.until or datetime.now(ZoneInfo(settings.timezone)).date()
    names = {tid: catalog.name(tid, args.lang) for tid in catalog.ids}
    async with await Store.open(settings.db_path, create=False) as store:
        data = await activity(store, today, settings.timezone, names, ChartLabels())
    first, last = data.days[0], data.days[-1]
    print(f"{first.isoformat()} .. {last.isoformat()} ({settings.timezone})")
    width = max((len(n) for n in data.topics), default=0)
    for name, counts in data.topics.items():
        print(f"{name:<{width}}  {sum(counts):>5}  " + " ".join(str(c) for c in counts))
    print(f"{'articles on topics':<{width}}  {data.total_articles:>5}")
    print(f"{'digests sent':<{width}}  {sum(data.digests):>5}  "
          + " ".join(str(c) for c in data.digests))
    if args.png is not None:
        png = await asyncio.get_running_loop().run_in_executor(None, render_chart, data)
        try:
            args.png.write_bytes(png)
        except OSError as exc:
            raise CliError(f"cannot write {args.png}: {exc.strerror or exc}") from None
        print(f"chart: {args.png} ({len(png)} bytes)")
    return EXIT_OK


async def cmd_refresh_link_keys(args: argparse.Namespace, settings: Settings) -> int:
    async with await Store.open(settings.db_path, create=False) as store:
        with worker_pool(1, kazakh_stop_words=settings.kazakh_stopwords_file) as pool:
            report = await refresh_link_keys(store, pool)
    if args.json:
        print(json.dumps({"checked": report.checked, "updated": report.updated}))
    else:
        print(f"stored articles: {report.checked} checked, {report.updated} updated")
    return EXIT_OK


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    catalog = load_catalog(settings.topics_file)
    sample = resources.files("digest").joinpath("data/sample_dump.txt")
    with resources.as_file(sample) as path:
        async with await Store.open(settings.db_path) as store:
            report = await ingest_file(store, Path(path), settings, catalog)
            print(format_report(report, catalog))
            print(f"database: {settings.db_path}\n")
            for topic in catalog.ids:
                # A reader of English: each story once, in English when it has a version.
                articles = await store.articles_for_topics([topic], limit=20, lang="en")
                if articles:
                    print(render_plain(compose_digest(articles, [topic], catalog)))
    return EXIT_OK


# -- helpers ----------------------------------------------------------------------------


def _topic(catalog: TopicCatalog, text: str) -> str:
    topic = catalog.resolve(text)
    if topic is None:
        raise CliError(f"unknown topic {text!r}; topics are: {', '.join(catalog.ids)}", EXIT_USAGE)
    return topic


def article_json(article: Article) -> dict[str, Any]:
    """One story as shown: the chosen version, and every version (reposts included)."""
    return {
        "id": article.id,
        "story": article.story_id,
        "title": article.title,
        "date": article.date.isoformat(),
        "url": article.source_url,
        "lang": article.lang,
        "topics": article.topics,
        "summary": article.summary,
        "versions": [{"id": v.id, "lang": v.lang, "url": v.url} for v in article.versions],
    }


def _print_articles(
    articles: list[Article], catalog: TopicCatalog, as_json: bool, empty: str
) -> None:
    if as_json:
        print(json.dumps([article_json(a) for a in articles], ensure_ascii=False, indent=2))
        return
    if not articles:
        print(empty)
        return
    for a in articles:
        topics = ", ".join(catalog.name(t) for t in a.topics) or "no topic"
        print(f"#{a.id} {a.title}")
        print(f"  {a.date.strftime('%d.%m.%Y')} · {a.lang} · {topics}")
        if a.source_url:
            print(f"  {a.source_url}")
        others = a.other_languages()
        if others:
            print("  also in: " + ", ".join(f"{v.lang} {v.url or f'#{v.id}'}" for v in others))
        print(f"  {a.summary}\n")


if __name__ == "__main__":
    sys.exit(main())
