"""`newsbot eval linking FOLDER`: precision and recall of cross-language linking on labelled
pairs, with our own short articles standing in for a scratch folder of real ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.story_dump import govkz_item, other_story

NEWSBOT = Path(sys.executable).with_name("newsbot")


def newsbot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    return subprocess.run([str(NEWSBOT), *args], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=120)


def write_folder(folder: Path, pairs: list[str]) -> None:
    folder.mkdir()
    articles = [
        {**govkz_item("en"), "url": "https://a.example/en"},
        {**govkz_item("ru"), "url": "https://b.example/ru"},
        {**govkz_item("kk"), "url": "https://c.example/kk"},
        {**other_story(), "url": "https://b.example/other"},
    ]
    (folder / "articles.jsonl").write_text(
        "\n".join(json.dumps(a, ensure_ascii=False) for a in articles) + "\n", encoding="utf-8"
    )
    (folder / "pairs.tsv").write_text("# url_a\turl_b\tlabel\tkind\n" + "\n".join(pairs) + "\n",
                                      encoding="utf-8")


def test_eval_linking_counts_links_and_hard_negatives(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    write_folder(folder, [
        "https://a.example/en\thttps://b.example/ru\t1\tpositive",
        "https://c.example/kk\thttps://b.example/ru\t1\tpositive",
        "https://a.example/en\thttps://b.example/other\t0\thard_negative",
        "https://c.example/kk\thttps://b.example/other\t1\tpositive",  # a wrong label
    ])
    result = newsbot(tmp_path, "eval", "linking", str(folder), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["pairs"], report["positives"], report["hard_negatives"]) == (4, 3, 1)
    assert (report["tp"], report["fp"], report["fn"]) == (2, 0, 1)
    assert report["precision"] == 1.0 and report["recall"] == 0.6667
    assert set(report["by_languages"]) == {"en-ru", "kk-ru"}

    table = newsbot(tmp_path, "eval", "linking", str(folder), "-v").stdout
    assert table.splitlines()[1].split()[:8] == ["all", "4", "3", "1", "1", "2", "0", "1"]
    assert "missed (line 5): https://c.example/kk / https://b.example/other" in table
    assert "apart as ingested (line 5): https://c.example/kk / https://b.example/other" in table


def test_eval_linking_rejects_a_pair_it_cannot_find_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    write_folder(folder, ["https://a.example/en\thttps://nowhere.example/x\t1\tpositive"])
    result = newsbot(tmp_path, "eval", "linking", str(folder))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "pairs.tsv, line 2: https://nowhere.example/x is not in articles.jsonl" in result.stderr
    bad = tmp_path / "bad.tsv"
    bad.write_text("https://a.example/en\thttps://b.example/ru\tyes\n", encoding="utf-8")
    result = newsbot(tmp_path, "eval", "linking", str(folder), "--pairs", str(bad))
    assert result.returncode == 1 and "bad.tsv, line 1: expected" in result.stderr


def test_eval_linking_reports_each_split_and_checks_dates(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    write_folder(folder, [
        "https://a.example/en\thttps://b.example/ru\t1\tpositive\tdev\t2026-05-14\t2026-05-14",
        "https://c.example/kk\thttps://b.example/ru\t1\tpositive\ttest",
        "https://a.example/en\thttps://b.example/other\t0\thard_negative\ttest",
    ])
    report = json.loads(newsbot(tmp_path, "eval", "linking", str(folder), "--json").stdout)
    assert report["pairs"] == 3
    assert {k: v["pairs"] for k, v in report["by_split"].items()} == {"dev": 1, "test": 2}
    assert report["by_split"]["test"]["hard_negatives"] == 1
    assert set(report["by_split"]["test"]["by_languages"]) == {"en-ru", "kk-ru"}
    table = newsbot(tmp_path, "eval", "linking", str(folder)).stdout
    assert "\ndev split\n" in table and "\ntest split\n" in table

    bad = tmp_path / "bad.tsv"
    bad.write_text("https://a.example/en\thttps://b.example/ru\t1\tpositive\tdev\t2026-05-15\n",
                   encoding="utf-8")
    result = newsbot(tmp_path, "eval", "linking", str(folder), "--pairs", str(bad))
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "bad.tsv, line 1: https://a.example/en is dated 2026-05-14" in result.stderr
    bad.write_text("https://a.example/en\thttps://b.example/ru\t1\tpositive\ttrain\n",
                   encoding="utf-8")
    result = newsbot(tmp_path, "eval", "linking", str(folder), "--pairs", str(bad))
    assert "split must be dev or test" in result.stderr


def test_the_matcher_sees_content_not_the_news_id() -> None:
    from datetime import date

    from digest.evaluation.linking import Item, content_only

    url = "https://www.gov.kz/memleket/entities/economy/press/news/details/3005001?lang=en"
    item = Item(url, date(2026, 5, 14), "en", "Item 3005001",
                f"Text. Source: {url} (news 3005001), 12.5% growth.")
    title, body = content_only(item)
    assert "3005001" not in title + body and "12.5%" in body


def test_eval_linking_lists_links_made_between_articles_of_no_labelled_pair(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "stories"
    write_folder(folder, ["https://a.example/en\thttps://b.example/other\t0\thard_negative"])
    report = json.loads(newsbot(tmp_path, "eval", "linking", str(folder), "--json").stdout)
    links = {(link["a"], link["b"]): link["rule"] for link in report["unlabelled_links"]}
    # The item's three translations link to each other; the other story links to nothing.
    assert set(links) == {("https://a.example/en", "https://b.example/ru"),
                          ("https://a.example/en", "https://c.example/kk"),
                          ("https://b.example/ru", "https://c.example/kk")}
    assert set(links.values()) <= {"numbers", "names", "words"}
    table = newsbot(tmp_path, "eval", "linking", str(folder)).stdout
    assert "links made between articles of no labelled pair: 3" in table
    assert "unlabelled link (" in table and "https://a.example/en / https://b.example/ru" in table

    # Once labelled, a link is no longer listed.
    write_pairs = folder / "pairs.tsv"
    write_pairs.write_text(write_pairs.read_text(encoding="utf-8")
                           + "https://b.example/ru\thttps://a.example/en\t1\tpositive\n",
                           encoding="utf-8")
    report = json.loads(newsbot(tmp_path, "eval", "linking", str(folder), "--json").stdout)
    assert len(report["unlabelled_links"]) == 2


def test_eval_linking_counts_pairs_by_the_story_they_end_in_as_ingested(tmp_path: Path) -> None:
    from tests.test_linking import FORUM_DIGITAL_RU, FORUM_EN, FORUM_RU, FORUM_RU_REWRITE

    folder = tmp_path / "forum"
    folder.mkdir()
    # Both Russian retellings are dated first, so an ingest meets them before the English.
    articles = [{**a, "date": "2026-08-13"} for a in (FORUM_RU, FORUM_RU_REWRITE,
                                                     FORUM_DIGITAL_RU)] + [FORUM_EN]
    (folder / "articles.jsonl").write_text(
        "\n".join(json.dumps(a, ensure_ascii=False) for a in articles) + "\n", encoding="utf-8"
    )
    (folder / "pairs.tsv").write_text("\n".join([
        f"{FORUM_EN['url']}\t{FORUM_RU['url']}\t1\tpositive",
        f"{FORUM_EN['url']}\t{FORUM_RU_REWRITE['url']}\t1\tpositive",
        f"{FORUM_EN['url']}\t{FORUM_DIGITAL_RU['url']}\t0\thard_negative",
    ]) + "\n", encoding="utf-8")
    result = newsbot(tmp_path, "eval", "linking", str(folder), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # Each Russian retelling picks the English translation, and the ingest puts all three
    # in one story (the second retelling as a rewrite of the first); the other item of the
    # meeting stays apart.
    assert (report["tp"], report["fp"], report["fn"]) == (2, 0, 0)
    ingested = report["as_ingested"]
    assert (ingested["tp"], ingested["fp"], ingested["fn"]) == (2, 0, 0)
    table = newsbot(tmp_path, "eval", "linking", str(folder)).stdout
    row = next(line for line in table.splitlines() if line.startswith("ingested"))
    assert row.split()[:8] == ["ingested", "3", "2", "1", "1", "2", "0", "0"]
    # No story the ingest started joins another as a whole: each found its story as placed.
    assert report["story_merges"] == []
    assert "stories joined by the story rule as ingested: 0" in table
