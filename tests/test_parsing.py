"""The dump parser: formats, encodings and every trap of the real gov.kz dumps."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

from digest.parsing import DumpError, parse_dump, split_source

ARTICLE_1 = (
    "Olzhas Bektenov reported to the President on the economy",
    "10.02.2026",
    "Prime Minister Olzhas Bektenov reported on sustainable economic development.The Head of "
    "Government noted growth of 0.9% in trade. Source : https://www.gov.kz/memleket/entities/"
    "x/press/news/details/1158714?lang=kk",
)
ARTICLE_2 = (
    "Kazakhstan and India reaffirm commitment to political dialogue",
    "11.02.2026",
    "New Delhi, 10 February 2026 - H.E. Azamat Yeskarayev, Ambassador of the Republic of "
    "Kazakhstan, held a meeting with the Ministry of External Affairs of India.",
)


def dump(*blocks: tuple[str, ...], header: tuple[str, ...] = ("News", "More")) -> bytes:
    lines = [*header, *(line for block in blocks for line in block)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_govkz_articles_sections_and_source_trailer() -> None:
    data = dump(ARTICLE_1, ("Society", "More"), ARTICLE_2)
    parsed = parse_dump(data, "d.txt")
    assert parsed.format == "govkz"
    assert parsed.problems == []
    first, second = parsed.articles
    assert first.title == ARTICLE_1[0]
    assert first.date == date(2026, 2, 10)
    assert first.line == 3
    assert first.section == "News"
    assert first.source_url.endswith("/details/1158714?lang=kk")
    assert "Source" not in first.body and first.body.endswith("0.9% in trade.")
    assert second.section == "Society"
    assert second.line == 8
    assert second.source_url is None
    assert second.body.startswith("New Delhi")


def test_section_names_are_not_hardcoded() -> None:
    parsed = parse_dump(dump(ARTICLE_1, ("Экономика",), ARTICLE_2, header=("Жаңалықтар",)), "x.txt")
    assert [a.section for a in parsed.articles] == ["Жаңалықтар", "Экономика"]
    assert len(parsed.articles) == 2


def test_bom_and_crlf_are_accepted() -> None:
    data = b"\xef\xbb\xbf" + dump(ARTICLE_1, ARTICLE_2).replace(b"\n", b"\r\n")
    parsed = parse_dump(data, "crlf.txt")
    assert [a.title for a in parsed.articles] == [ARTICLE_1[0], ARTICLE_2[0]]
    assert not parsed.articles[0].title.startswith("\ufeff")
    assert "\r" not in parsed.articles[0].body


def test_gzip_is_unpacked() -> None:
    parsed = parse_dump(gzip.compress(dump(ARTICLE_1)), "d.txt.gz")
    assert parsed.articles[0].title == ARTICLE_1[0]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("Economy news\n10.02.2026\nCafé prices rose.\n".encode("latin-1"), "not UTF-8"),
        (b"News\nMore\nSociety\n", "no article"),
        (b"\x1f\x8b\x08\x00broken", "gzip"),
    ],
)
def test_unreadable_files_are_rejected_with_the_file_name(data: bytes, reason: str) -> None:
    with pytest.raises(DumpError) as err:
        parse_dump(data, "bad.txt")
    assert str(err.value).startswith("bad.txt: ")
    assert reason in str(err.value)


def test_latin1_error_names_the_line() -> None:
    data = dump(ARTICLE_1) + "Caf\u00e9\n".encode("latin-1")
    with pytest.raises(DumpError, match=r"byte 0xe9 on line 6"):
        parse_dump(data, "latin.txt")


def test_second_article_without_date_is_reported_and_the_rest_goes_in() -> None:
    third = ("Farmers of Kostanay region start the spring field work", "12.02.2026",
             "Farmers started preparing for sowing. " * 3)
    no_date = (ARTICLE_2[0], ARTICLE_2[2] + " " + "More text about the meeting. " * 6)
    parsed = parse_dump(dump(ARTICLE_1, no_date, third), "d.txt")
    assert [a.title for a in parsed.articles] == [ARTICLE_1[0], third[0]]
    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert problem.line == 6
    assert "no date" in problem.reason
    # The undated article's body did not leak into the first article.
    assert "Yeskarayev" not in parsed.articles[0].body


@pytest.mark.parametrize("bad_date", ["31.02.2026", "10.13.2026", "10.02.20"])
def test_impossible_or_truncated_date_is_reported(bad_date: str) -> None:
    broken = (ARTICLE_2[0], bad_date, ARTICLE_2[2])
    parsed = parse_dump(dump(ARTICLE_1, broken), "d.txt")
    assert [a.title for a in parsed.articles] == [ARTICLE_1[0]]
    assert parsed.problems[0].line == 7
    assert bad_date in parsed.problems[0].reason


def test_empty_body_is_reported() -> None:
    parsed = parse_dump(dump((ARTICLE_2[0], ARTICLE_2[1]), ARTICLE_1), "d.txt")
    assert [a.title for a in parsed.articles] == [ARTICLE_1[0]]
    assert parsed.problems[0].line == 3
    assert "empty body" in parsed.problems[0].reason


def test_truncated_last_line_keeps_what_is_there() -> None:
    data = dump(ARTICLE_1, ARTICLE_2)[:-40]  # cut in the middle of the last body, no newline
    parsed = parse_dump(data, "cut.txt")
    assert len(parsed.articles) == 2
    assert parsed.articles[1].body == ARTICLE_2[2][:-39]


def test_dump_cut_after_a_title_reports_it() -> None:
    data = dump(ARTICLE_1) + ARTICLE_2[0].encode() + b"\n10.0"
    parsed = parse_dump(data, "cut.txt")
    assert len(parsed.articles) == 1
    assert parsed.problems and parsed.problems[0].line == 7


def test_source_trailer_variants() -> None:
    assert split_source("Text. Source : https://a.kz/x?lang=ru") == ("Text.", "https://a.kz/x?lang=ru")
    assert split_source("Text.Source: https://a.kz/1") == ("Text.", "https://a.kz/1")
    assert split_source("Мәтін. Дереккөз : https://a.kz/2") == ("Мәтін.", "https://a.kz/2")
    assert split_source("The Source : of the river is here.") == (
        "The Source : of the river is here.", None)


def test_short_source_line_is_the_url_not_a_section_header() -> None:
    own_line = (ARTICLE_2[0], ARTICLE_2[1], ARTICLE_2[2], "Source : https://gov.kz/a")
    parsed = parse_dump(dump(own_line, ARTICLE_1), "d.txt")
    first, second = parsed.articles
    assert first.source_url == "https://gov.kz/a" and "Source" not in first.body
    assert second.section == "News"


def test_only_cr_and_lf_end_lines() -> None:
    # U+2028 and U+0085 inside a body neither shift line numbers nor start a new line.
    body = ARTICLE_1[2].replace(" noted", "\u2028noted").replace("growth", "gro\x85wth")
    broken = (ARTICLE_2[0], "31.02.2026", ARTICLE_2[2])
    parsed = parse_dump(dump((ARTICLE_1[0], ARTICLE_1[1], body), broken), "d.txt")
    assert "Government\u2028noted gro\x85wth" in parsed.articles[0].body
    assert [p.line for p in parsed.problems] == [7]


def test_jsonl_string_with_a_line_separator_and_odd_lang() -> None:
    rows = [
        {"title": "A", "date": "2026-02-10", "body": "First.\u2028Second.", "lang": ["en"]},
        {"title": "B", "date": "2026-02-10", "body": "Body b.", "lang": "fr"},
    ]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    parsed = parse_dump(text.encode(), "a.jsonl")
    assert parsed.problems == []
    assert [(a.body, a.lang) for a in parsed.articles] == [("First.\u2028Second.", None),
                                                           ("Body b.", None)]


def test_jsonl_format_with_bad_lines_reported() -> None:
    rows = [
        {"title": "A", "date": "2026-02-10", "body": "Body a.", "url": "https://a.kz/1"},
        {"title": "B", "date": "10.02.2026", "body": "Body b.", "lang": "kk"},
        {"title": "C", "date": "2026-02-30", "body": "Body c."},
        {"title": "D", "date": "2026-02-10", "body": ""},
    ]
    text = "\n".join(json.dumps(r) for r in rows) + "\n{not json\n"
    parsed = parse_dump(text.encode(), "a.jsonl")
    assert parsed.format == "jsonl"
    assert [a.title for a in parsed.articles] == ["A", "B"]
    assert parsed.articles[0].source_url == "https://a.kz/1"
    assert parsed.articles[1].lang == "kk" and parsed.articles[1].date == date(2026, 2, 10)
    assert [(p.line, p.reason.split(" ")[0]) for p in parsed.problems] == [
        (3, "missing"), (4, "article"), (5, "not")]


def test_real_seed_parses_into_ten_records(seed_path) -> None:
    parsed = parse_dump(seed_path.read_bytes(), seed_path.name)
    assert len(parsed.articles) == 10
    assert parsed.problems == []
    assert [a.section for a in parsed.articles] == ["News"] * 5 + ["Society"] * 5
    assert sum(1 for a in parsed.articles if a.source_url) == 4
    assert all("Source :" not in a.body for a in parsed.articles)
