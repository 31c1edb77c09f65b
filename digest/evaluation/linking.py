"""`newsbot eval linking FOLDER`: precision and recall of cross-language story linking.

The folder holds real articles, which are third-party text and stay outside the
repository (docs/stories.md says how to build one):

* ``articles.jsonl``: one JSON object a line with ``url`` (the article's identity here),
  ``date`` (YYYY-MM-DD), ``lang`` (en, ru, kk), ``title`` and ``body``;
* ``pairs.tsv`` (or ``--pairs FILE``):
  ``url_a<TAB>url_b<TAB>label[<TAB>kind[<TAB>split[<TAB>date_a<TAB>date_b]]]`` where label
  is 1 (the same story in two languages) or 0 (two different stories), kind says how the
  pair was chosen (``positive``, ``hard_negative``: the same day and the same ministry,
  session or speech), split is ``dev`` (rules may be tuned on it) or ``test`` (never tuned
  on), and the dates, when given, must agree with articles.jsonl (so a scratch folder
  rebuilt from the addresses is checked against the labelled one). Lines starting with
  ``#`` are comments. The repository keeps such a file of addresses, dates, labels and
  splits only (tests/data/linking-pairs.tsv).

A pair counts as linked when the ingest would link it in either order: the article picks
the other from among every article of the other's language in the folder, so the margins
of ``digest.linking.best_link`` and the rarity of names among the day's candidates meet
real competitors. Only the content is compared: the matcher never sees an address, and an
address's numeric id (a gov.kz or primeminister.kz news id) is removed from the text too,
so a pair is never linked by the id the ingest would use first.

Each table also has an ``ingested`` row: the pairs whose two articles end in one story when
the folder is ingested as one dump in date order (:func:`ingested_stories`). That is what a
reader sees; it can be lower than the pairwise figure, since a pair is linked when either
picks the other but a story holds what the ingest's order and rules put in it.

Precision on labelled pairs says nothing of the links made between articles no pair names,
so the report also lists every link the matcher makes among all the folder's articles
whose pair is not labelled (``unlabelled_links``): candidates for labelling, and false
links the labelled pairs would miss. The stories the story rule joins at the end of the
folder's ingest are listed too (``story_merges``), labelled pairs or not.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

from digest import linking
from digest.cli_errors import CliError


class LinkingSetError(ValueError):
    """The folder or pairs file cannot be used; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Item:
    url: str
    date: date
    lang: str
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class Pair:
    line: int
    a: str
    b: str
    label: bool
    kind: str
    split: str = ""


@dataclass(frozen=True, slots=True)
class PairOutcome:
    pair: Pair
    predicted: bool
    score: linking.LinkScore
    together: bool = False  # both articles end in one story when the folder is ingested


def read_items(path: Path) -> dict[str, Item]:
    items: dict[str, Item] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LinkingSetError(f"{path}: cannot read ({exc.strerror or exc})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            item = Item(str(data["url"]), date.fromisoformat(data["date"]), str(data["lang"]),
                        str(data.get("title", "")), str(data.get("body", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise LinkingSetError(f"{path}, line {number}: not an article ({exc})") from None
        items[item.url] = item
    return items


def read_pairs(path: Path, items: dict[str, Item]) -> list[Pair]:
    pairs: list[Pair] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LinkingSetError(f"{path}: cannot read ({exc.strerror or exc})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < 3 or cells[2].strip() not in ("0", "1"):
            raise LinkingSetError(
                f"{path}, line {number}: expected url_a<TAB>url_b<TAB>0|1[<TAB>kind]"
            )
        a, b = cells[0].strip(), cells[1].strip()
        for url in (a, b):
            if url not in items:
                raise LinkingSetError(f"{path}, line {number}: {url} is not in articles.jsonl")
        kind = cells[3].strip() if len(cells) > 3 else ""
        split = cells[4].strip() if len(cells) > 4 else ""
        if split not in ("", "dev", "test"):
            raise LinkingSetError(
                f"{path}, line {number}: split must be dev or test, not {split!r}"
            )
        for url, day in zip((a, b), cells[5:7], strict=False):
            if day.strip() and day.strip() != items[url].date.isoformat():
                raise LinkingSetError(
                    f"{path}, line {number}: {url} is dated {items[url].date.isoformat()} in "
                    f"articles.jsonl, not {day.strip()}"
                )
        pairs.append(Pair(number, a, b, cells[2].strip() == "1", kind, split))
    return pairs


_URL_ID = re.compile(r"(\d{4,})(?:\D*)$")


def content_only(item: Item) -> tuple[str, str]:
    """The title and body with the item's own address and its numeric id taken out, so a
    pair is linked by what the texts say, never by the id they are published under."""
    title, body = item.title, item.body
    found = _URL_ID.search(item.url.split("?", 1)[0].rstrip("/"))
    for token in (item.url, found.group(1) if found else None):
        if token:
            title, body = title.replace(token, " "), body.replace(token, " ")
    return title, body


def _features(items: dict[str, Item]) -> dict[str, linking.LinkFeatures]:
    return {url: linking.features(*content_only(i), i.lang) for url, i in items.items()}


def _pick(items: dict[str, Item], feats: dict[str, linking.LinkFeatures], x: Item,
          lang: str) -> tuple[str, linking.LinkScore] | None:
    """The article of `lang` that `x` would be linked to, among all of the folder's."""
    pool = [
        linking.Candidate(u, u, i.lang, i.date, feats[u])
        for u, i in items.items() if i.lang == lang and u != x.url
    ]
    found = linking.best_link(x.lang, x.date, feats[x.url], pool)
    return (str(found[0].key), found[1]) if found is not None else None


def ingested_stories(items: dict[str, Item], feats: dict[str, linking.LinkFeatures],
                     merges: list[dict[str, Any]] | None = None) -> dict[str, int]:
    """The story each article ends in when the folder is ingested as one dump in date order
    (the file's order within a day), by the ingest's content rules (digest/ingest.py,
    _story_for): another outlet's rewrite in the same language joins that story
    (``linking.best_rewrite``); else a translation joins the story of an article of
    another language (``linking.best_link``) whose story has no version in its language
    yet; else it is a new story. Near-duplicate copies, which the ingest folds into one row
    before any of this, are not folded here, so this is what content linking alone does.

    Once every article is placed, the stories started by an article that came near other
    stories are compared with those as wholes, and joined (``linking.story_merges``), as
    at the end of an ingest.

    A pair counted as linked by :func:`evaluate` (either article picks the other) may still
    end in two stories: of four Russian retellings of one item, a translation joins one.
    Each story-rule merge is appended to `merges`, when given: the first article of the
    story that went and of the one it joined, their versions and the similarity.
    """
    story: dict[str, int] = {}
    near: dict[int, frozenset[int]] = {}
    headlines: dict[int, frozenset[str]] = {}
    for url in sorted(items, key=lambda u: items[u].date):
        item, own = items[url], feats[url]
        window = [u for u in story
                  if linking.days_apart(items[u].date, item.date) <= linking.MAX_DAYS_APART]
        same = [linking.Candidate(u, story[u], items[u].lang, items[u].date, feats[u])
                for u in window if items[u].lang == item.lang]
        found = linking.best_rewrite(item.lang, item.date, own, same)
        others: list[linking.Candidate] = []
        if found is None:
            has_lang = {story[u] for u in window if items[u].lang == item.lang}
            others = [linking.Candidate(u, story[u], items[u].lang, items[u].date, feats[u])
                      for u in window
                      if items[u].lang != item.lang and story[u] not in has_lang
                      and linking.is_candidate(own.index_keys(), feats[u])]
            found = linking.best_link(item.lang, item.date, own, others)
        if found is not None:
            story[url] = cast(int, found[0].story)
            continue
        story[url] = len(story)
        close = linking.near_stories(
            item.lang, item.date, own,
            [c for c in same if linking.is_candidate(own.index_keys(), c.features)] + others)
        if close:
            near[story[url]] = cast(frozenset[int], close)
            headlines[story[url]] = linking.headline_concepts(item.title, item.lang)
    wanted = set(near).union(*near.values())
    versions: dict[int, list[linking.LinkFeatures]] = {}
    for url, s in story.items():
        if s in wanted:
            versions.setdefault(s, []).append(feats[url])
    joined = linking.story_merges(near, versions, headlines)
    into = {m.source: m.target for m in joined}
    if merges is not None:
        members: dict[int, list[str]] = {}
        for url, s in story.items():
            members.setdefault(s, []).append(url)
        for m in joined:
            merges.append({"a": members[m.source][0], "b": members[m.target][0],
                           "versions_a": len(members[m.source]),
                           "versions_b": len(members[m.target]),
                           "similarity": m.score.similarity})
            members[m.target] += members.pop(m.source)
    for url, s in story.items():
        while s in into:
            s = into[s]
        story[url] = s
    return story


def evaluate(items: dict[str, Item], pairs: Sequence[Pair]) -> list[PairOutcome]:
    feats = _features(items)
    stories = ingested_stories(items, feats)

    def picks(x: Item, y: Item) -> bool:
        found = _pick(items, feats, x, y.lang)
        return found is not None and found[0] == y.url

    outcomes = []
    for pair in pairs:
        a, b = items[pair.a], items[pair.b]
        predicted = a.lang != b.lang and (picks(a, b) or picks(b, a))
        outcomes.append(PairOutcome(pair, predicted, linking.compare(feats[a.url], feats[b.url]),
                                    stories[a.url] == stories[b.url]))
    return outcomes


def unlabelled_links(items: dict[str, Item], pairs: Sequence[Pair]) -> list[dict[str, str]]:
    """Every link the matcher makes among the folder's articles (each article, each other
    language) whose pair is not labelled, with the rule that made it."""
    feats = _features(items)
    labelled = {frozenset((p.a, p.b)) for p in pairs}
    links: dict[frozenset[str], dict[str, str]] = {}
    for url, item in items.items():
        for lang in sorted({i.lang for i in items.values()} - {item.lang}):
            found = _pick(items, feats, item, lang)
            if found is None or frozenset((url, found[0])) in labelled:
                continue
            a, b = sorted((url, found[0]))
            links.setdefault(frozenset((a, b)), {"a": a, "b": b, "rule": found[1].rule})
    return sorted(links.values(), key=lambda link: (link["a"], link["b"]))


def summary(outcomes: Sequence[PairOutcome], *, as_ingested: bool = False) -> dict[str, Any]:
    """Counts and precision/recall; with `as_ingested`, a pair counts as linked when both
    articles end in one story (:func:`ingested_stories`) rather than when either picks the
    other."""
    linked = [o.together if as_ingested else o.predicted for o in outcomes]
    tp = sum(o.pair.label and p for o, p in zip(outcomes, linked, strict=True))
    fp = sum(not o.pair.label and p for o, p in zip(outcomes, linked, strict=True))
    fn = sum(o.pair.label and not p for o, p in zip(outcomes, linked, strict=True))
    positives = sum(o.pair.label for o in outcomes)
    return {
        "pairs": len(outcomes),
        "positives": positives,
        "negatives": len(outcomes) - positives,
        "hard_negatives": sum(o.pair.kind == "hard_negative" for o in outcomes),
        "tp": tp, "fp": fp, "fn": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
    }


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "linking",
        help="precision and recall of cross-language story linking on labelled real pairs",
        description="Link labelled article pairs as the ingest would and compare with the "
        "labels. FOLDER holds articles.jsonl (and pairs.tsv unless --pairs is given).",
    )
    p.add_argument("folder", type=Path, metavar="FOLDER")
    p.add_argument("--pairs", type=Path, metavar="FILE.tsv",
                   help="labelled pairs (default: FOLDER/pairs.tsv)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="print every wrong decision with its evidence")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        items = read_items(args.folder / "articles.jsonl")
        pairs = read_pairs(args.pairs or args.folder / "pairs.tsv", items)
    except LinkingSetError as exc:
        raise CliError(str(exc)) from None
    if not pairs:
        raise CliError(f"{args.pairs or args.folder / 'pairs.tsv'}: no labelled pairs")
    outcomes = evaluate(items, pairs)
    result = _report(items, outcomes)
    result["unlabelled_links"] = unlabelled_links(items, pairs)
    merges: list[dict[str, Any]] = []
    ingested_stories(items, _features(items), merges)
    result["story_merges"] = merges
    splits = sorted({o.pair.split for o in outcomes if o.pair.split})
    if splits:
        result["by_split"] = {
            name: _report(items, [o for o in outcomes if o.pair.split == name])
            for name in splits
        }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    sections = [("", result)] + [
        (f"{name} split", r) for name, r in result.get("by_split", {}).items()
    ]
    for title, section in sections:
        if title:
            print(f"\n{title}")
        _print_table(section)
    unlabelled = result["unlabelled_links"]
    print(f"\nlinks made between articles of no labelled pair: {len(unlabelled)}")
    for link in unlabelled:
        print(f"unlabelled link ({link['rule']} rule): {link['a']} / {link['b']}")
    print(f"\nstories joined by the story rule as ingested: {len(merges)}")
    for m in merges:
        print(f"story rule ({m['similarity']:.2f}): {m['a']} ({m['versions_a']} versions) "
              f"joined {m['b']} ({m['versions_b']} versions)")
    if args.verbose:
        for o in outcomes:
            if o.predicted != o.pair.label:
                what = "false link" if o.predicted else "missed"
                split = f" [{o.pair.split}]" if o.pair.split else ""
                print(f"{what} (line {o.pair.line}){split}: {o.pair.a} / {o.pair.b}: "
                      f"{o.score.describe()}", file=sys.stdout)
            if o.together != o.pair.label:
                what = "one story as ingested" if o.together else "apart as ingested"
                split = f" [{o.pair.split}]" if o.pair.split else ""
                print(f"{what} (line {o.pair.line}){split}: {o.pair.a} / {o.pair.b}")
    return 0


def _report(items: dict[str, Item], outcomes: Sequence[PairOutcome]) -> dict[str, Any]:
    result = summary(outcomes)
    by_languages: dict[str, list[PairOutcome]] = {}
    for o in outcomes:
        key = "-".join(sorted((items[o.pair.a].lang, items[o.pair.b].lang)))
        by_languages.setdefault(key, []).append(o)
    result["by_languages"] = {k: summary(v) for k, v in sorted(by_languages.items())}
    result["as_ingested"] = summary(outcomes, as_ingested=True)
    return result


def _print_table(result: dict[str, Any]) -> None:
    print(f"{'':<8} {'pairs':>5} {'pos':>4} {'neg':>4} {'hard':>4} {'tp':>4} {'fp':>4} "
          f"{'fn':>4} {'precision':>9} {'recall':>7}")
    rows = [("all", result), *result["by_languages"].items()]
    for name, r in rows:
        print(f"{name:<8} {r['pairs']:>5} {r['positives']:>4} {r['negatives']:>4} "
              f"{r['hard_negatives']:>4} {r['tp']:>4} {r['fp']:>4} {r['fn']:>4} "
              f"{_fmt(r['precision']):>9} {_fmt(r['recall']):>7}")
    r = result["as_ingested"]
    print(f"{'ingested':<8} {r['pairs']:>5} {r['positives']:>4} {r['negatives']:>4} "
          f"{r['hard_negatives']:>4} {r['tp']:>4} {r['fp']:>4} {r['fn']:>4} "
          f"{_fmt(r['precision']):>9} {_fmt(r['recall']):>7}  (both in one story after an "
          "ingest of the folder)")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
