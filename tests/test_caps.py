"""Caps and hostile text at the parser and the worker, in process (fast).

The same cases run through the command line in tests/test_faults.py; these pin the details.
"""

from __future__ import annotations

import gzip
import json
import random
import string
from datetime import date

import pytest

from digest.models import RawArticle
from digest.parsing import (
    MAX_BODY_CHARS,
    MAX_PROBLEMS,
    MAX_TITLE_CHARS,
    DumpError,
    DumpReader,
    parse_dump,
)
from digest.prepare import MAX_SUMMARY_SENTENCES, prepare
from digest.settings import load_settings
from digest.topics import load_catalog
from digest.workers import PrepareConfig

TODAY = date(2026, 3, 5)
BODY = "The akimat opened a new school for twelve hundred pupils in the north of the city."


def govkz(*articles: tuple[str, str, str]) -> bytes:
    lines = ["News"] + [line for article in articles for line in article]
    return ("\n".join(lines) + "\n").encode()


def test_the_summariser_ranks_only_the_first_sentences() -> None:
    rng = random.Random(3)
    vocab = ["".join(rng.choice(string.ascii_lowercase) for _ in range(7)) for _ in range(5000)]
    first = [" ".join(rng.choice(vocab) for _ in range(12)).capitalize() + "."
             for _ in range(MAX_SUMMARY_SENTENCES)]
    # Beyond the cap: sentences every ranker would put first (they repeat the title's words).
    late = [f"Zebra budget growth report {vocab[i]} shows zebra budget growth again."
            for i in range(60)]
    raw = RawArticle(title="Zebra budget growth report", date=TODAY,
                     body=" ".join(first + late), line=1, lang="en")
    catalog = load_catalog(load_settings().topics_file)
    for algorithm in ("default", "textrank", "lexrank", "luhn"):
        article = prepare(raw, PrepareConfig(catalog, algorithm, 3))
        assert article.summary and "zebra" not in article.summary.lower(), algorithm
        assert "Zebra" in article.body  # the body itself keeps every sentence


def test_long_title_and_body_are_cut_with_a_problem() -> None:
    title = "Akimat " + "report " * 200
    body = "The akimat met. " * 20_000
    parsed = parse_dump(govkz((title, "05.03.2026", body + "Source : https://gov.kz/a/1")),
                        "d.txt", today=TODAY)
    [article] = parsed.articles
    assert len(article.title) <= MAX_TITLE_CHARS and title.startswith(article.title)
    assert len(article.body) <= MAX_BODY_CHARS and body.startswith(article.body)
    assert article.source_url == "https://gov.kz/a/1"
    reasons = [p.reason for p in parsed.problems]
    assert any(f"title cut to {MAX_TITLE_CHARS} characters" in r for r in reasons)
    assert any(f"body cut to {MAX_BODY_CHARS:,} characters" in r for r in reasons)
    assert {p.line for p in parsed.problems} == {2}


def test_many_body_lines_are_cut_and_the_trailer_on_the_last_line_still_counts() -> None:
    lines = "\n".join(["A line of the body that goes on for a while."] * 5000)
    parsed = parse_dump(govkz(("A long report of the akimat", "05.03.2026",
                               lines + "\nSource : https://gov.kz/a/2")), "d.txt", today=TODAY)
    [article] = parsed.articles
    assert len(article.body) <= MAX_BODY_CHARS
    assert article.source_url == "https://gov.kz/a/2"
    assert "body cut" in parsed.problems[0].reason


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_byte_order_mark_sets_the_encoding(encoding: str) -> None:
    data = govkz(("Мектеп ашылды Шымкентте", "05.03.2026", BODY)).decode().encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    [article] = parse_dump(data, "d.txt", today=TODAY).articles
    assert article.title == "Мектеп ашылды Шымкентте"


def test_utf16_without_a_mark_is_still_binary() -> None:
    data = govkz(("School opens", "05.03.2026", BODY)).decode().encode("utf-16-le")
    with pytest.raises(DumpError, match="binary"):
        parse_dump(data, "d.txt")


def test_invisible_and_direction_characters_are_removed() -> None:
    rows = [
        {"title": "\u200b\u200d\u2060\ufeff", "date": "2026-03-05", "body": BODY},
        {"title": "\u202eloohcs weN\u202c opens", "date": "2026-03-05",
         "body": "\ufeffThe \u202eakimat\u202c opened\x1b[2J a school.\x07"},
    ]
    parsed = parse_dump("\n".join(json.dumps(r) for r in rows).encode(), "d.jsonl", today=TODAY)
    [article] = parsed.articles
    assert article.title == "loohcs weN opens"
    assert article.body == "The akimat opened[2J a school."
    assert [(p.line, p.reason) for p in parsed.problems] == [(1, "the title has no visible text")]


@pytest.mark.parametrize("when", ["01.01.9999", "07.03.2026"])
def test_dates_more_than_a_day_ahead_are_refused(when: str) -> None:
    parsed = parse_dump(govkz(("School opens in the north", "06.03.2026", BODY),
                              ("Another school opens", when, BODY)), "d.txt", today=TODAY)
    assert [a.date for a in parsed.articles] == [date(2026, 3, 6)]  # tomorrow is fine
    assert parsed.problems[0].line == 6 and "in the future" in parsed.problems[0].reason


def test_a_nul_past_the_first_64_kib_is_removed_and_reported() -> None:
    filler = [(f"Report number {n} of the akimat", "05.03.2026", BODY * 3) for n in range(300)]
    data = govkz(*filler)
    assert len(data) > 65536
    at = data.rindex(b"pupils")
    data = data[:at] + b"\x00" + data[at:]
    parsed = parse_dump(data, "d.txt", today=TODAY)
    assert len(parsed.articles) == 300
    assert all("\x00" not in a.body for a in parsed.articles)
    [problem] = parsed.problems
    assert problem.line == data[:at].count(b"\n") + 1 and "NUL" in problem.reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [("[" * 100_000, "nested too deeply"), ('{"title": 1' + "0" * 5000 + "}", "not valid JSON"),
     ('{"title": "T", "date": "2026-03-05", "body": "' + "\\ud800" + ' x"}', None)],
)
def test_hostile_json_lines_are_problems_or_cleaned(line: str, reason: str | None) -> None:
    good = json.dumps({"title": "School opens", "date": "2026-03-05", "body": BODY})
    parsed = parse_dump(f"{good}\n{line}\n{good}\n".encode(), "d.jsonl", today=TODAY)
    if reason:
        assert len(parsed.articles) == 2
        assert parsed.problems[0].line == 2 and reason in parsed.problems[0].reason
    else:  # a lone surrogate could not be stored: it becomes U+FFFD
        assert parsed.articles[1].body == "\ufffd x"


def test_problems_are_capped_and_counted() -> None:
    good = json.dumps({"title": "School opens", "date": "2026-03-05", "body": BODY})
    parsed = parse_dump(("\n".join([good] + ["nope"] * (MAX_PROBLEMS + 7))).encode(), "d.jsonl")
    assert len(parsed.problems) == MAX_PROBLEMS + 1
    assert parsed.problems[-1].reason == "7 more problems not listed"
    assert parsed.problems[-1].line is None


def test_non_http_links_are_not_kept() -> None:
    row = {"title": "School opens", "date": "2026-03-05", "body": BODY,
           "url": "javascript:alert(1)"}
    parsed = parse_dump(json.dumps(row).encode(), "d.jsonl", today=TODAY)
    assert parsed.articles[0].source_url is None
    assert "not an http(s) link" in parsed.problems[0].reason


def test_a_gzip_bomb_stops_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.parsing as parsing

    monkeypatch.setattr(parsing, "MAX_DUMP_BYTES", 1 << 20)
    data = gzip.compress(govkz(("School opens", "05.03.2026", BODY)) + b"\n" * (2 << 20))
    with pytest.raises(DumpError, match="more than 1 MiB once unpacked"):
        parse_dump(data, "bomb.txt.gz")


def test_the_reader_streams_and_counts() -> None:
    data = govkz(*[(f"Report number {n} of the akimat", "05.03.2026", BODY) for n in range(50)])
    reader = DumpReader(data, "d.txt", today=TODAY)
    assert reader.estimate() == 50
    first = next(iter(reader))
    assert first.title == "Report number 0 of the akimat"
