"""Fuzzing the dump parsers: any input gives articles plus problems, or one DumpError.

Arbitrary bytes (raw and gzipped), arbitrary JSON values in every field of a JSON Lines
dump, arbitrary Unicode in the gov.kz text format. Whatever comes out must also be safe to
store and show: no lone surrogates (SQLite could not encode them), no NUL or other control
characters, no bidi overrides in titles, titles and bodies within their caps.
"""

from __future__ import annotations

import gzip
import json
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.models import ParsedDump
from digest.parsing import MAX_BODY_CHARS, MAX_TITLE_CHARS, DumpError, parse_dump

TODAY = date(2026, 3, 5)
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
HIDDEN = {chr(c) for c in range(32) if chr(c) not in "\t\n\r\f"} | set(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")


def check(data: bytes, name: str) -> ParsedDump | None:
    try:
        parsed = parse_dump(data, name, today=TODAY)
    except DumpError as exc:
        message = str(exc)
        assert message.startswith(f"{name}: ") and "\n" not in message
        return None
    assert parsed.articles  # otherwise it is a DumpError
    for article in parsed.articles:
        for value in (article.title, article.body, article.source_url or "",
                      article.section or ""):
            value.encode("utf-8")  # no lone surrogate
            assert not HIDDEN & set(value), repr(value)
        assert article.title.strip() and any(ch.isalnum() for ch in article.title)
        assert len(article.title) <= MAX_TITLE_CHARS and len(article.body) <= MAX_BODY_CHARS
        assert article.body.strip()
        assert article.date <= date(2026, 3, 6)
        assert article.lang in (None, "en", "ru", "kk")
        assert article.line >= 1
    for problem in parsed.problems:
        assert "\n" not in problem.reason
    return parsed


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["d.txt", "d.jsonl", "d.txt.gz"]))
def test_arbitrary_bytes(data: bytes, name: str) -> None:
    check(data, name)
    check(gzip.compress(data), name)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=200),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
FIELD = st.one_of(
    JSON_VALUES,
    st.sampled_from(["2026-03-05", "05.03.2026", "2026-02-30", "9999-01-01", "01.01.9999",
                     "", "https://www.gov.kz/x", "javascript:alert(1)", "en", "kk", "ru"]),
)


@FUZZ
@given(st.lists(st.dictionaries(
    st.sampled_from(["title", "date", "body", "url", "lang", "extra"]), FIELD, max_size=6),
    min_size=1, max_size=6))
def test_arbitrary_json_values_per_field(rows: list[dict[str, object]]) -> None:
    text = "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    parsed = check(text.encode("utf-8", "surrogatepass"), "d.jsonl")
    if parsed is not None:
        assert len(parsed.articles) <= len(rows)


LINE = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=120)


@FUZZ
@given(st.lists(st.one_of(LINE, st.sampled_from(["05.03.2026", "31.02.2026", "News", "",
                                                 "Source : https://gov.kz/a", "01.01.9999"])),
                min_size=1, max_size=30))
def test_arbitrary_unicode_in_the_text_format(lines: list[str]) -> None:
    check("\n".join(lines).encode("utf-8"), "d.txt")


@FUZZ
@given(st.text(max_size=300), st.text(max_size=2000))
def test_arbitrary_unicode_title_and_body(title: str, body: str) -> None:
    row = json.dumps({"title": title, "date": "2026-03-05", "body": body})
    check(row.encode(), "d.jsonl")
    text = f"News\n{title}\n05.03.2026\n{body}\n".encode("utf-8", "surrogatepass")
    check(text, "d.txt")
