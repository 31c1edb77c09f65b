"""Topic matching and prepare() on a batch of articles, with the cost of keyword matching.

    python bench/bench_topics.py [--texts DIR] [--repeat 3]

Articles come from a folder of texts (<id>.txt: title, blank line, body), such as the real
articles that `newsbot eval topics --texts` reads, or, without --texts, from the labelled
sets in tests/data. Prints, per article: classify() time, prepare() time (repair, language,
topics, summary, fingerprints) and the share of prepare() spent on topics, plus how many
str.startswith calls one pass of classify() makes (the old matcher scanned every keyword
for every word; the index looks stems up instead).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from datetime import date
from pathlib import Path

from digest.models import RawArticle
from digest.paths import CONFIG_DIR
from digest.prepare import PrepareConfig, prepare
from digest.text import detect_language
from digest.topics import classify, load_catalog

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def articles(folder: Path | None) -> list[tuple[str, str]]:
    if folder is not None:
        found = []
        for path in sorted(folder.glob("*.txt")):
            title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
            found.append((title.strip(), body.strip()))
        return found
    found = []
    for name in ("topics.tsv", "topics-holdout.tsv"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            cells = line.split("\t")
            if len(cells) == 4 and not line.startswith("#") and cells[3] != "topics":
                found.append((cells[1], cells[2]))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, help="folder of <id>.txt article texts")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the batch")
    args = parser.parse_args()
    batch = articles(args.texts)
    if not batch:
        print("bench_topics: no articles found", file=sys.stderr)
        return 1
    catalog = load_catalog(CONFIG_DIR / "topics.yaml")
    langs = [detect_language(f"{t}\n{b}") for t, b in batch]
    words = sum(len(f"{t} {b}".split()) for t, b in batch)
    print(f"{len(batch)} articles, {words / len(batch):.0f} words each on average, "
          f"{args.repeat} passes")

    start = time.perf_counter()
    for _ in range(args.repeat):
        for (title, body), lang in zip(batch, langs, strict=True):
            classify(catalog, title, body, lang)
    per_classify = (time.perf_counter() - start) / (args.repeat * len(batch))

    config = PrepareConfig(catalog=catalog, algorithm="textrank", sentences=3)
    raws = [RawArticle(title=t, date=date(2026, 1, 1), body=b, line=i + 1)
            for i, (t, b) in enumerate(batch)]
    start = time.perf_counter()
    for _ in range(args.repeat):
        for raw in raws:
            prepare(raw, config)
    per_prepare = (time.perf_counter() - start) / (args.repeat * len(batch))

    profile = cProfile.Profile()
    profile.enable()
    for (title, body), lang in zip(batch, langs, strict=True):
        classify(catalog, title, body, lang)
    profile.disable()
    stats = pstats.Stats(profile)
    startswith = sum(
        calls for (_, _, name), (_, calls, *_rest) in stats.stats.items()  # type: ignore[attr-defined]
        if name in ("<method 'startswith' of 'str' objects>",
                    "<method 'endswith' of 'str' objects>")
    )
    print(f"classify: {per_classify * 1000:.2f} ms/article")
    print(f"prepare:  {per_prepare * 1000:.2f} ms/article "
          f"(topics {per_classify / per_prepare:.0%} of it)")
    print(f"str.startswith/endswith calls in one classify pass: {startswith:,} "
          f"({startswith / len(batch):,.0f} per article)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
