"""The `newsbot` console script, run as a user would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

NEWSBOT = Path(sys.executable).with_name("newsbot")


@pytest.fixture
def run(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env["NEWSBOT_DB_PATH"] = str(tmp_path / "cli.db")

    def _run(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(NEWSBOT), *args], capture_output=True, text=True, cwd=tmp_path,
            env={**env, **(extra_env or {})}, timeout=120,
        )

    return _run


def assert_one_line_error(result: subprocess.CompletedProcess, code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert text in result.stderr


def test_ingest_seed_json_and_read_back(run, seed_path: Path) -> None:
    result = run("ingest", str(seed_path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["parsed"] == 10 and report["stored"] == 5
    assert (report["duplicates_exact"], report["duplicates_near"]) == (2, 3)
    assert report["problems"] == []
    assert report["topics"]["constitution"] == 3
    assert report["topics"]["economy"] >= 1 and report["topics"]["foreign_policy"] >= 1

    latest = json.loads(run("latest", "--topic", "economy", "--json").stdout)
    assert latest[0]["title"].startswith("Olzhas Bektenov")
    assert latest[0]["date"] == "2026-02-10"
    assert latest[0]["url"].startswith("https://www.gov.kz/")
    assert {"id", "title", "date", "url", "lang", "topics", "summary"} <= set(latest[0])
    assert "economy" in latest[0]["topics"]

    found = json.loads(run("search", "constitution", "--json").stdout)
    assert len(found) >= 3
    assert all("constitution" in a["topics"] for a in found[:3])

    topics = run("topics", "--json")
    counts = {t["id"]: t["articles"] for t in json.loads(topics.stdout)}
    assert counts["constitution"] == 3

    explained = run("explain", str(latest[0]["id"]))
    assert explained.returncode == 0 and "economy" in explained.stdout

    digest = run("digest", "--topic", "economy")
    assert digest.returncode == 0
    assert "Olzhas Bektenov" in digest.stdout and "Source :" not in digest.stdout

    again = json.loads(run("ingest", str(seed_path), "--json").stdout)
    assert again["stored"] == 0


def test_ingest_json_problems_carry_line_and_reason(run, tmp_path: Path) -> None:
    (tmp_path / "dump.txt").write_text(
        "News\nFarmers of Kostanay start spring sowing\n03.03.2026\n"
        "Farmers in Kostanay region started the sowing campaign for wheat and barley.\n"
        "Budget revenues grew by ten percent\n31.02.2026\nThe budget grew.\n",
        encoding="utf-8",
    )
    result = run("ingest", "dump.txt", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["parsed"], report["stored"]) == (1, 1)
    [problem] = report["problems"]
    assert problem["line"] == 6 and "31.02.2026" in problem["reason"]


def test_ingest_text_report(run, seed_path: Path) -> None:
    result = run("ingest", str(seed_path))
    assert result.returncode == 0
    assert "10 records parsed, 5 stored, 5 duplicates (2 exact, 3 near)" in result.stdout


def test_rejected_and_missing_files(run, tmp_path: Path) -> None:
    (tmp_path / "latin.txt").write_bytes("Title\n10.02.2026\nCafé\n".encode("latin-1"))
    (tmp_path / "empty.txt").write_bytes(b"")
    assert_one_line_error(run("ingest", "latin.txt"), 1, "latin.txt: not UTF-8")
    assert_one_line_error(run("ingest", "empty.txt"), 1, "empty.txt: the file is empty")
    assert_one_line_error(run("ingest", "nope.txt"), 1, "nope.txt: no such file")
    latest = run("latest", "--json")
    assert json.loads(latest.stdout) == []


def test_bad_input_errors_are_one_line(run, tmp_path: Path) -> None:
    assert_one_line_error(run("latest", "--topic", "astrology"), 2, "unknown topic 'astrology'")
    (tmp_path / "notes.txt").write_text("not a database\n" * 20)
    assert_one_line_error(run("--db", "notes.txt", "latest"), 1, "file is not a database")
    # Reading commands refuse a database that is not there (a mistyped --db) ...
    assert_one_line_error(run("explain", "999"), 1, "cli.db does not exist")
    assert not (tmp_path / "cli.db").exists()
    (tmp_path / "one.jsonl").write_text(
        '{"title": "School opens", "date": "2026-02-10", "body": "A new school opened."}\n')
    assert run("ingest", "one.jsonl").returncode == 0
    # ... and say what is missing in one that is.
    assert_one_line_error(run("explain", "999"), 1, "no article with id 999")
    assert_one_line_error(run("topics", extra_env={"NEWSBOT_TIMEZONE": "Nowhere/City"}), 2,
                          "NEWSBOT_TIMEZONE")
    assert_one_line_error(run("run"), 2, "NEWSBOT_BOT_TOKEN")


def test_demo_runs_without_token_or_network(run) -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    assert "stored" in result.stdout and "duplicates" in result.stdout
    assert "== " in result.stdout  # at least one topic digest was printed
    assert "Source :" not in result.stdout
