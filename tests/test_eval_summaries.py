"""`newsbot eval summaries` on tiny data folders laid out like the BBC News Summary set."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from digest.cli import main
from digest.evaluation.summaries import SYSTEMS, load_articles

NEWSBOT = Path(sys.executable).with_name("newsbot")

BUSINESS_1 = (
    "Budget deficit falls in Kazakhstan\n\n"
    "The budget deficit of Kazakhstan fell to 0.9% of GDP this year. "
    "Tax reforms made it possible to form a three-year budget without the National Fund.\n\n"
    "Local budgets depend less on the republican budget than before. "
    "Growth reached 6.5% thanks to construction and transport. "
    "The minister said more reforms will follow next year.\n"
)
BUSINESS_1_REFERENCE = (
    "The budget deficit of Kazakhstan fell to 0.9% of GDP this year.Tax reforms made it "
    "possible to form a three-year budget without the National Fund.Local budgets depend "
    "less on the republican budget than before."
)
BUSINESS_2 = (
    "Grain exports grow\n\n"
    "Kazakh grain exports rose by a fifth in the season. "
    "Farmers sold more wheat to Central Asian neighbours. "
    "Prices stayed stable despite a strong harvest. "
    "The agriculture ministry expects further growth.\n"
)
BUSINESS_2_REFERENCE = (
    "Kazakh grain exports rose by a fifth in the season.Farmers sold more wheat to Central "
    "Asian neighbours.Prices stayed stable despite a strong harvest."
)
# Written in Latin-1, as one file of the real data set is.
SPORT_1 = (
    "Café owner wins marathon\n\n"
    "The owner of a small café in Almaty won the city marathon on Sunday. "
    "He finished in two hours and eleven minutes. "
    "Thousands of runners took part in the race. "
    "The organisers promised a bigger event next year.\n"
)
SPORT_1_REFERENCE = (
    "The owner of a small café in Almaty won the city marathon on Sunday.He finished in two "
    "hours and eleven minutes.Thousands of runners took part in the race."
)


def write_data(root: Path) -> Path:
    files = {
        ("business", "001.txt"): (BUSINESS_1, BUSINESS_1_REFERENCE, "utf-8"),
        ("business", "003.txt"): (BUSINESS_2, BUSINESS_2_REFERENCE, "utf-8"),
        ("sport", "001.txt"): (SPORT_1, SPORT_1_REFERENCE, "latin-1"),
    }
    for (category, name), (article, reference, encoding) in files.items():
        (root / "articles" / category).mkdir(parents=True, exist_ok=True)
        (root / "summaries" / category).mkdir(parents=True, exist_ok=True)
        (root / "articles" / category / name).write_bytes(article.encode(encoding))
        (root / "summaries" / category / name).write_text(reference, encoding="utf-8")
    return root


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_data(tmp_path / "data")


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["eval", "summaries", *args, "--json", "--workers", "1"]) == 0
    return json.loads(capsys.readouterr().out)


def by_key(rows: list[dict[str, object]]) -> dict[tuple[object, object], dict[str, object]]:
    return {(r["system"], r["length"]): r for r in rows}


def test_json_table_covers_every_system_at_both_lengths(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = run_json(capsys, "--data", str(data))
    names = [name for _, name in SYSTEMS]
    assert [(r["system"], r["length"]) for r in rows] == [
        *((name, "3 sentences") for name in [*names, "oracle"]),
        *((name, "600 chars") for name in [*names, "oracle"]),
    ]
    assert {(r["lang"], r["split"]) for r in rows} == {("en", "all")}
    for row in rows:
        assert set(row) >= {"system", "length", "rouge1", "rouge2", "rougeL", "ms_per_article"}
        for metric in ("rouge1", "rouge2", "rougeL"):
            assert 0.0 < float(row[metric]) <= 100.0  # type: ignore[arg-type]
        assert float(row["ms_per_article"]) >= 0.0  # type: ignore[arg-type]
        assert row["articles"] == 3
    table = by_key(rows)
    # Each reference is its article's first three sentences: Lead-3 reproduces it exactly.
    lead = table[("Lead-3", "3 sentences")]
    assert (lead["rouge1"], lead["rouge2"], lead["rougeL"]) == (100.0, 100.0, 100.0)
    assert float(table[("TextRank", "3 sentences")]["rouge2"]) < 100.0  # type: ignore[arg-type]
    # The oracle is the ceiling: no system beats it, and the gap shares are measured on it.
    for length in ("3 sentences", "600 chars"):
        ceiling = float(table[("oracle", length)]["rouge2"])  # type: ignore[arg-type]
        assert all(float(r["rouge2"]) <= ceiling + 1e-9 for r in rows if r["length"] == length)
        assert table[("oracle", length)]["gap_share"] == 100.0
        assert table[("TextRank", length)]["gap_share"] == 0.0


def test_limit_and_category_choose_the_articles(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert {r["articles"] for r in run_json(capsys, "--data", str(data), "--limit", "1")} == {1}
    sport = run_json(capsys, "--data", str(data), "--category", "sport", "--systems", "lead")
    assert [(r["system"], r["articles"]) for r in sport] == [
        ("Lead-3", 1), ("oracle", 1), ("Lead-3", 1), ("oracle", 1)
    ]


def test_latin1_article_is_decoded(data: Path) -> None:
    sport = load_articles(data, category="sport")
    assert sport[0].title == "Café owner wins marathon"
    assert "small café in Almaty" in sport[0].body
    # The glued reference is split into the article's sentences.
    assert sport[0].reference.splitlines()[1] == "He finished in two hours and eleven minutes."


def test_kl_only_runs_on_articles_under_120_sentences(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_body = " ".join(f"Runner number {i} finished the race in good time." for i in range(130))
    (data / "articles" / "sport" / "003.txt").write_text(f"Long race\n\n{long_body}\n")
    (data / "summaries" / "sport" / "003.txt").write_text("Runner number 1 finished the race.")
    rows = by_key(run_json(capsys, "--data", str(data), "--systems", "kl,lead"))
    assert rows[("KL", "3 sentences")]["articles"] == 3
    assert rows[("Lead-3", "3 sentences")]["articles"] == 4


def test_text_table_through_the_console_script_with_two_workers(data: Path) -> None:
    done = subprocess.run(
        [str(NEWSBOT), "eval", "summaries", "--data", str(data), "--systems", "lead,default"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "3 articles" in lines[0]
    assert lines[2] == "[en, all]"
    assert lines[3].split() == ["length", "system", "ROUGE-1", "ROUGE-2", "ROUGE-L", "gap",
                                "ms", "articles"]
    assert lines[4].split()[:5] == ["3", "sentences", "Lead-3", "100.0", "100.0"]
    assert any(line.startswith("600 chars    default") for line in lines)
    assert any(line.startswith("600 chars    oracle") for line in lines)
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, ["--data", "{root}/nowhere"], "nowhere/articles: no such directory"),
        ("data", ["--data", "{root}/data", "--category", "politics"],
         "no category 'politics'"),
        ("no-summary", ["--data", "{root}/data"], "missing reference summary for article"),
        ("empty", ["--data", "{root}/data"], "no articles"),
    ],
)
def test_bad_data_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str | None, args: list[str],
    message: str,
) -> None:
    if setup == "data":
        write_data(tmp_path / "data")
    elif setup == "no-summary":
        write_data(tmp_path / "data")
        (tmp_path / "data" / "summaries" / "business" / "003.txt").unlink()
    elif setup == "empty":
        (tmp_path / "data" / "articles").mkdir(parents=True)
        (tmp_path / "data" / "summaries").mkdir()
    code = main(["eval", "summaries", *(a.format(root=tmp_path) for a in args)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_missing_rouge_score_gives_the_install_hint(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "rouge_score", None)
    assert main(["eval", "summaries", "--data", str(data)]) == 2
    assert "pip install -e '.[eval]'" in capsys.readouterr().err


def test_bad_options_are_usage_errors(data: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", "summaries", "--data", str(data), "--systems", "magic"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        main(["eval", "summaries", "--data", str(data), "--limit", "0"])


# -- positional references (real Russian and Kazakh news are scored this way) ---------------

RU_ARTICLE = (
    "Минфин рассказал о бюджете\n\n"
    "Министр финансов сообщил, что доходы бюджета составили 63,5 млрд тенге. "
    "Расходы на образование выросли на десять процентов за год. "
    "В ведомстве также рассказали о новых программах поддержки села. "
    "Погода в столице в этот день была солнечной и тёплой.\n"
)
KK_ARTICLE = (
    "Жаңа мектеп ашылды\n\n"
    "АСТАНА. KAZINFORM — Ауылда үш жүз орындық жаңа мектеп пайдалануға берілді. "
    "Мектеп құрылысына республикалық бюджеттен қаржы бөлінген. "
    "Ашылу салтанатына облыс әкімі мен ауыл тұрғындары қатысты. "
    "Келесі жылы ауданда тағы екі мектеп салу жоспарланып отыр.\n"
)


def write_positional(root: Path, *, splitter: str | None = None) -> tuple[Path, Path]:
    from digest.evaluation.summaries import sentence_check
    from digest.text import SPLITTER_VERSION, repair, split_sentences

    folder = root / "texts"
    folder.mkdir(parents=True)
    rows = ["# test references", "id\tlang\tsplit\tsplitter\tpositions\tchecks\turl"]
    for ident, lang, split, text, positions in (
        ("ru001", "ru", "dev", RU_ARTICLE, (0, 1, 2)),
        ("kk001", "kk", "kept", KK_ARTICLE, (0, 1, 3)),
    ):
        (folder / f"{ident}.txt").write_text(text, encoding="utf-8")
        body = repair(text.split("\n", 1)[1].strip())
        sentences = split_sentences(body, lang)
        checks = ",".join(sentence_check(sentences[p]) for p in positions)
        rows.append("\t".join([ident, lang, split, splitter or SPLITTER_VERSION,
                               ",".join(map(str, positions)), checks, f"https://example.kz/{ident}"]))
    references = root / "refs.tsv"
    references.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder, references


def test_positional_references_are_scored_per_language_and_split(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, references = write_positional(tmp_path)
    rows = run_json(capsys, "--data", str(folder), "--references", str(references),
                    "--systems", "lead,textrank")
    assert {(r["lang"], r["split"]) for r in rows} == {("ru", "dev"), ("kk", "kept")}
    table = {(r["lang"], r["system"], r["length"]): r for r in rows}
    # The Russian reference is the first three sentences: Cyrillic words are scored, so
    # Lead-3 is perfect (rouge-score's default tokenizer would only have seen the digits).
    assert table[("ru", "Lead-3", "3 sentences")]["rouge2"] == 100.0
    assert float(table[("kk", "Lead-3", "3 sentences")]["rouge2"]) < 100.0  # type: ignore[arg-type]
    # The oracle finds the reference; only the dateline it leaves out (`АСТАНА. KAZINFORM —`)
    # keeps it under 100.
    assert 95.0 < float(table[("kk", "oracle", "3 sentences")]["rouge2"]) < 100.0  # type: ignore[arg-type]
    kept = run_json(capsys, "--data", str(folder), "--references", str(references),
                    "--systems", "lead", "--split", "kept")
    assert {r["lang"] for r in kept} == {"kk"}


def test_positional_references_refuse_another_text_or_splitter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, references = write_positional(tmp_path)
    (folder / "ru001.txt").write_text(RU_ARTICLE.replace("63,5", "70,1"), encoding="utf-8")
    assert main(["eval", "summaries", "--data", str(folder), "--references", str(references)]) == 2
    assert "ru001.txt: not the text the references were made on" in capsys.readouterr().err
    folder, references = write_positional(tmp_path / "old", splitter="1")
    assert main(["eval", "summaries", "--data", str(folder), "--references", str(references)]) == 2
    assert "was made with splitter 1" in capsys.readouterr().err


def test_the_shipped_references_name_real_articles_with_three_positions() -> None:
    from digest.evaluation.summaries import REFERENCES_FILE, read_references
    from digest.text import SPLITTER_VERSION

    refs = read_references(REFERENCES_FILE)
    for lang in ("ru", "kk"):
        assert sum(r.lang == lang for r in refs) >= 40
        assert {r.split for r in refs if r.lang == lang} == {"dev", "kept"}
    assert all(len(r.positions) == 3 and len(r.checks) == 3 for r in refs)
    assert all(r.url.startswith("http") and r.splitter == SPLITTER_VERSION for r in refs)
    assert len({r.url for r in refs}) == len(refs)


def test_fit_writes_a_model_the_summariser_loads_and_refuses_kept_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from digest.summary_model import MODEL_FILE, load_model

    data = write_data(tmp_path / "data")
    for n in range(3, 9):  # five folds need at least five articles
        shutil.copy(data / "articles" / "business" / "001.txt",
                    data / "articles" / "business" / f"{n:03d}b.txt")
        shutil.copy(data / "summaries" / "business" / "001.txt",
                    data / "summaries" / "business" / f"{n:03d}b.txt")
    model = tmp_path / "model.json"
    shutil.copy(MODEL_FILE, model)
    assert main(["eval", "summaries", "--data", str(data), "--fit", "--model", str(model),
                 "--workers", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["en"]["articles"] == 9
    # A few articles are cross-validated over several fold assignments: mean within its range.
    assert report["en"]["fold_assignments"] == 10
    for label, (low, high) in report["en"]["cross_validated_range"]["en"].items():
        assert low <= report["en"]["cross_validated_rouge2"]["en"][label] + 1e-9
        assert report["en"]["cross_validated_rouge2"]["en"][label] <= high + 1e-9
    fitted = load_model("en", model)
    assert fitted.fitted_on.startswith("9 articles; cross-validated ROUGE-2 (mean of 10 fold")
    assert fitted != load_model("en")
    assert load_model("ru", model) == load_model("ru")  # no Russian data: kept as it was
    folder, references = write_positional(tmp_path / "pos")
    code = main(["eval", "summaries", "--data", str(folder), "--references", str(references),
                 "--fit", "--model", str(model)])
    assert code == 2 and "development data only" in capsys.readouterr().err
