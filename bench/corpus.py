"""Real-length articles for benches: the BBC articles of ../shared/eval, made distinct.

Nothing of them is stored in the repository: they are read from the shared folder at run
time. Each copy gets a number in its title and a quarter of its words replaced, so no two
are exact or near duplicates and the whole pipeline (dedup included) runs on every one.
"""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

from digest.models import RawArticle

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "bbc-news-summary" / "articles"
FILLER = ("region", "ministry", "programme", "project", "citizens", "budget", "district", "year")


def bbc_articles(root: Path = EVAL) -> list[tuple[str, str]]:
    """(headline, body) of every article; exits with a message when the folder is missing."""
    if not root.is_dir():
        sys.exit(f"{root}: not found (the BBC articles of ../shared/eval are needed)")
    found = []
    for path in sorted(root.rglob("*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        title, _, body = text.strip().partition("\n")
        found.append((title.strip(), " ".join(body.split())))
    return found


def distinct(
    count: int, seed: int = 7, root: Path = EVAL, *, start: int = 0
) -> list[RawArticle]:
    """`count` distinct real-length articles: the BBC ones, then changed copies (from
    `start` on: a `start` past the originals gives only changed copies, new to a database
    that holds the first ones)."""
    rng = random.Random(seed)
    base = bbc_articles(root)
    out = []
    for i in range(start, start + count):
        title, body = base[i % len(base)]
        words = body.split()
        if i >= len(base):  # the originals once, then changed copies
            for _ in range(len(words) // 4):
                words[rng.randrange(len(words))] = rng.choice(FILLER) + str(rng.randrange(10**6))
        out.append(RawArticle(
            title=f"{title} ({i})", date=date(2026, 2, 10),
            body=" ".join(words), line=i + 1,
            source_url=f"https://www.gov.kz/bench/{i}", lang="en",
        ))
    return out


def dump_text(articles: list[RawArticle]) -> bytes:
    """The articles as a gov.kz .txt dump."""
    lines = ["News"]
    for a in articles:
        lines += [a.title, a.date.strftime("%d.%m.%Y"), f"{a.body} Source : {a.source_url}"]
    return ("\n".join(lines) + "\n").encode()


def dump_of_size(megabytes: float, seed: int = 7) -> tuple[bytes, int]:
    """A .txt dump of about that many MB and its article count."""
    target = megabytes * 2**20
    count = int(target / (len(dump_text(distinct(200, seed))) / 200))
    data = dump_text(distinct(count, seed))
    while len(data) > target:  # changed copies are longer than the originals
        count = int(count * target / len(data) * 0.995)
        data = dump_text(distinct(count, seed))
    return data, count
