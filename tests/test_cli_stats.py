"""`newsbot stats [--png FILE]`: the /stats chart and its figures from the command line."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from tests.test_cli import assert_one_line_error, run  # noqa: F401  (fixture)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def article(i: int, day: str, title: str) -> str:
    return json.dumps({"title": f"{title} {i}", "date": day, "lang": "en",
                       "body": f"Report number {i} about {title.lower()} and the budget plan. "
                               "The ministry gave the figures for the quarter."})


def test_stats_prints_the_figures_and_writes_the_chart(run, tmp_path: Path) -> None:  # noqa: F811
    dump = tmp_path / "d.jsonl"
    dump.write_text("\n".join(
        [article(i, "2026-02-10", "GDP growth and inflation") for i in range(3)]
        + [article(9, "2026-02-09", "Hospital doctors and patients")]
        + [article(7, "2025-12-01", "GDP growth and inflation")]  # outside the 30 days
    ) + "\n", encoding="utf-8")
    assert run("ingest", str(dump)).returncode == 0
    png = tmp_path / "chart.png"
    result = run("stats", "--until", "2026-02-11", "--png", str(png))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2026-01-13 .. 2026-02-11 (Asia/Almaty)"
    economy = next(line for line in lines if line.startswith("Economy"))
    assert economy.split()[1] == "3" and economy.split()[2:][-2:] == ["3", "0"]
    health = next(line for line in lines if line.startswith("Health"))
    assert health.split()[1] == "1" and health.split()[2:][-3:] == ["1", "0", "0"]
    assert lines[-1].startswith(f"chart: {png} (")
    assert png_size(png.read_bytes()) == (1000, 700)


def test_stats_to_an_unwritable_file_is_one_line(run, tmp_path: Path) -> None:  # noqa: F811
    # A reading command needs a database: make one (stats of an empty one are fine).
    (tmp_path / "d.jsonl").write_text(article(1, "2026-02-10", "GDP growth") + "\n")
    assert run("ingest", str(tmp_path / "d.jsonl")).returncode == 0
    result = run("stats", "--png", str(tmp_path / "no" / "such" / "dir" / "c.png"))
    assert_one_line_error(result, 1, "cannot write")
