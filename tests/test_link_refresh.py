"""`newsbot refresh-link-keys`: articles stored by an older newsbot (no concept keys, an
older lexicon) are found again by the translations ingested after it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from tests.test_linking import FORUM_DIGITAL_RU, FORUM_EN, FORUM_RU, newsbot


def ingest(tmp_path: Path, name: str, *articles: dict[str, str]) -> dict[str, Any]:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in articles) + "\n",
                    encoding="utf-8")
    result = newsbot(tmp_path, "ingest", str(path), "--json")
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def as_before_the_words_rule(db: Path) -> None:
    """What a database written before the words rule holds: features without concepts, and
    no concept keys to find the rows by."""
    with sqlite3.connect(db) as con:
        for article_id, stored in con.execute("SELECT id, link_features FROM articles").fetchall():
            data = json.loads(stored)
            data.pop("c")
            con.execute("UPDATE articles SET link_features = ? WHERE id = ?",
                        (json.dumps(data), article_id))
        con.execute("DELETE FROM article_numbers WHERE number LIKE '@%'")


def keys(db: Path) -> set[tuple[str, str, str, str]]:
    with sqlite3.connect(db) as con:
        return set(con.execute(
            "SELECT n.number, n.date, n.lang, a.url_key FROM article_numbers n "
            "JOIN articles a ON a.id = n.article_id"
        ).fetchall())


def refresh(tmp_path: Path) -> dict[str, int]:
    result = newsbot(tmp_path, "refresh-link-keys", "--json")
    assert result.returncode == 0, result.stderr
    report: dict[str, int] = json.loads(result.stdout)
    return report


def test_an_old_database_is_found_by_new_translations_only_after_the_refresh(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    ingest(old, "ru.jsonl", FORUM_DIGITAL_RU, FORUM_RU)
    as_before_the_words_rule(old / "cli.db")
    # The English version shares no number and no name with the stored Russian one: only
    # the concepts would find it, and the old rows have none.
    report = ingest(old, "en.jsonl", FORUM_EN)
    assert (report["stories_new"], report["versions_linked"]) == (1, 0)

    new = tmp_path / "new"
    new.mkdir()
    ingest(new, "ru.jsonl", FORUM_DIGITAL_RU, FORUM_RU)
    fresh_keys = keys(new / "cli.db")
    as_before_the_words_rule(new / "cli.db")
    assert keys(new / "cli.db") != fresh_keys
    assert refresh(new) == {"checked": 2, "updated": 2}
    # The rows now hold what an ingest by this version writes, and a second run has
    # nothing left to do.
    assert keys(new / "cli.db") == fresh_keys
    assert refresh(new) == {"checked": 2, "updated": 0}
    report = ingest(new, "en.jsonl", FORUM_EN)
    assert (report["stories_new"], report["versions_linked"]) == (0, 1)
    latest = json.loads(newsbot(new, "latest", "--json", "--lang", "en").stdout)
    by_url = {a["url"]: a for a in latest}
    assert sorted(v["url"] for v in by_url[FORUM_EN["url"]]["versions"]) == [
        FORUM_EN["url"], FORUM_RU["url"]]


def test_refresh_text_output_and_a_missing_database(tmp_path: Path) -> None:
    result = newsbot(tmp_path, "refresh-link-keys")
    assert result.returncode != 0
    assert result.stderr.startswith("newsbot: ") and len(result.stderr.splitlines()) == 1
    ingest(tmp_path, "ru.jsonl", FORUM_RU)
    result = newsbot(tmp_path, "refresh-link-keys")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "stored articles: 1 checked, 0 updated"
