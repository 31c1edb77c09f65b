"""Latin-script Kazakh through the whole pipeline: detected as kk, topics and summary from
its Cyrillic reading, the original text kept for the reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

ARTICLE = {
    "title": "Aýrýhanada jańa emhana ashyldy",
    "date": "2026-01-15",
    "body": "Dárigerler naýqastarǵa medıtsınalyq kómek kórsetedi. Densaýlyq saqtaý "
            "mınıstrligi jańa jabdyq satyp aldy, dep habarlaıdy agenttik tilshisi. Emhanada "
            "kúnine 200 naýqas qabyldanady.",
    "url": "https://example.kz/kk/news/1",
}


def test_latin_kazakh_is_stored_as_kk_with_its_topic_and_original_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    dump = tmp_path / "latin.jsonl"
    dump.write_text(json.dumps(ARTICLE, ensure_ascii=False) + "\n", encoding="utf-8")
    db = str(tmp_path / "news.db")
    assert main(["--db", db, "ingest", str(dump), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["languages"] == {"kk": 1} and report["topics"] == {"health": 1}

    assert main(["--db", db, "latest", "--json"]) == 0
    [item] = json.loads(capsys.readouterr().out)
    assert item["lang"] == "kk" and item["topics"] == ["health"]
    # the reader sees the text as published, not the transliteration used for analysis
    assert item["title"] == ARTICLE["title"]
    assert "naýqastarǵa" in item["summary"] and "науқас" not in item["summary"]

    assert main(["--db", db, "explain", str(item["id"])]) == 0
    explanation = capsys.readouterr().out
    assert "Cyrillic transliteration" in explanation and "+ health" in explanation
