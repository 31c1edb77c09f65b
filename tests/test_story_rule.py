"""The story rule: at the end of an ingest, a story it started joins another story when the
two, as wholes, are versions of one item (digest.linking.story_merges). Own short texts: a
meeting on irrigation canals reported in English and Russian, an English excerpt of it by
another outlet, and another item of the same meeting (pasture land) in the same words."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from digest.linking import (
    STORY_MERGE_SIMILARITY,
    features,
    headline_concepts,
    similarity,
    story_features,
    story_merges,
)

NEWSBOT = Path(sys.executable).parent / "newsbot"

CANALS_EN = {
    "title": "President orders faster construction of irrigation canals in the south",
    "date": "2026-09-03",
    "lang": "en",
    "url": "https://news.example.kz/en/irrigation-canals",
    "body": (
        "At a meeting on water supply the President instructed the Government to speed up the "
        "construction and repair of irrigation canals in the southern regions. Farmers lost "
        "part of the harvest to drought this summer, and crops on thousands of hectares were "
        "left without water. The Head of State said the budget will fund the project, and the "
        "Ministry of Agriculture must report on its progress every month. He also criticised "
        "the akims of the districts for slow work and warned of personal responsibility."
    ),
}
CANALS_RU = {
    "title": "Президент поручил ускорить строительство оросительных каналов на юге",
    "date": "2026-09-03",
    "lang": "ru",
    "url": "https://news.example.kz/ru/orositelnye-kanaly",
    "body": (
        "На совещании по водоснабжению Президент поручил Правительству ускорить строительство "
        "и ремонт оросительных каналов в южных регионах. Этим летом из-за засухи фермеры "
        "потеряли часть урожая, посевы на тысячах гектаров остались без воды. Глава "
        "государства отметил, что проект будет профинансирован из бюджета, а Министерство "
        "сельского хозяйства должно ежемесячно отчитываться о ходе работ. Он также "
        "раскритиковал акимов районов за медленную работу и напомнил о персональной "
        "ответственности. Кроме того, Президент поручил обеспечить прозрачность закупок и "
        "усилить контроль качества."
    ),
}
# Another outlet's excerpt: the akims' part and the last instruction, which only the
# Russian version has. Too short and too partial to be a rewrite of the English version.
CANALS_EXCERPT_EN = {
    "title": "Akims to answer for slow canal repair, Tokayev warns",
    "date": "2026-09-03",
    "lang": "en",
    "url": "https://other.example.com/akims-canal-repair",
    "body": (
        "The President criticised district akims for the slow repair of irrigation canals "
        "and warned of their personal responsibility. He instructed to ensure transparent "
        "procurement and stricter quality control, and the Ministry of Agriculture is to "
        "report every month."
    ),
}
# Another item of the same meeting, in the same vocabulary (akims, farmers, drought, the
# ministry's reports), about something else: pasture land for livestock.
PASTURE_EN = {
    "title": "President calls for new pasture lands for livestock farmers",
    "date": "2026-09-03",
    "lang": "en",
    "url": "https://other.example.com/pasture-lands",
    "body": (
        "At the same meeting the President instructed the akims of the southern districts "
        "to return unused pasture lands to livestock farmers. The Ministry of Agriculture is "
        "to report on the land inspection, and the Government will support farmers hit by "
        "drought with cheaper feed."
    ),
}


def newsbot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env["NEWSBOT_DB_PATH"] = str(tmp_path / "cli.db")
    return subprocess.run([str(NEWSBOT), *args], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=120)


def ingest(tmp_path: Path, *articles: dict[str, str]) -> dict[str, Any]:
    dump = tmp_path / "meeting.jsonl"
    dump.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles),
                    encoding="utf-8")
    result = newsbot(tmp_path, "ingest", str(dump), "--json")
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def stories(tmp_path: Path) -> list[list[str]]:
    latest = json.loads(newsbot(tmp_path, "latest", "--json").stdout)
    return sorted(sorted(v["url"] for v in item["versions"]) for item in latest)


def test_a_partial_retelling_placed_before_its_bridge_joins_the_story(tmp_path: Path) -> None:
    # The excerpt comes second: then the English version alone is not close enough to take
    # it as a rewrite, and it starts a story. The Russian version joins the English one as
    # its translation; at the end the excerpt's story and theirs are one item as wholes.
    report = ingest(tmp_path, CANALS_EN, CANALS_EXCERPT_EN, CANALS_RU)
    assert (report["stories_new"], report["versions_linked"]) == (1, 2)
    assert stories(tmp_path) == [
        sorted([CANALS_EN["url"], CANALS_EXCERPT_EN["url"], CANALS_RU["url"]])]
    latest = json.loads(newsbot(tmp_path, "latest", "--json").stdout)
    excerpt_id = next(v["id"] for v in latest[0]["versions"]
                      if v["url"] == CANALS_EXCERPT_EN["url"])
    explained = newsbot(tmp_path, "explain", str(excerpt_id)).stdout
    assert "at the end of its ingest" in explained and "story rule" in explained
    assert "shared concepts" in explained


def test_another_item_of_the_meeting_stays_apart(tmp_path: Path) -> None:
    # Close to the canals story in words (above the story rule's similarity), but its
    # headline speaks of what that story never does: pasture land and livestock.
    pasture, canals = features(PASTURE_EN["title"], PASTURE_EN["body"], "en"), [
        features(a["title"], a["body"], a["lang"]) for a in (CANALS_EN, CANALS_RU)]
    assert similarity(pasture, story_features(canals)) >= STORY_MERGE_SIMILARITY
    assert not headline_concepts(PASTURE_EN["title"], "en") <= story_features(canals).concepts
    report = ingest(tmp_path, CANALS_EN, CANALS_EXCERPT_EN, PASTURE_EN, CANALS_RU)
    assert (report["stories_new"], report["versions_linked"]) == (2, 2)
    assert stories(tmp_path) == sorted([
        sorted([CANALS_EN["url"], CANALS_EXCERPT_EN["url"], CANALS_RU["url"]]),
        [PASTURE_EN["url"]],
    ])


def test_story_merges_keep_the_older_story_and_two_govkz_items_apart() -> None:
    en, ru, excerpt = (features(a["title"], a["body"], a["lang"])
                       for a in (CANALS_EN, CANALS_RU, CANALS_EXCERPT_EN))
    headline = headline_concepts(CANALS_EXCERPT_EN["title"], "en")
    versions = {3: [en, ru], 7: [excerpt]}
    merges = story_merges({7: {3}}, versions, {7: headline})
    assert [(m.source, m.target, m.score.rule) for m in merges] == [(7, 3, "story")]
    assert merges[0].score.similarity >= STORY_MERGE_SIMILARITY
    # The younger story goes whichever of the two was looked at first.
    merges = story_merges({3: {7}}, {3: [excerpt], 7: [en, ru]}, {3: headline})
    assert [(m.source, m.target) for m in merges] == [(7, 3)]
    # Two gov.kz items are two items, however close; two versions alone are not enough.
    assert story_merges({7: {3}}, versions, {7: headline}, apart={3, 7}) == []
    assert story_merges({7: {3}}, {3: [en], 7: [excerpt]}, {7: headline}) == []


def test_eval_linking_lists_the_stories_the_story_rule_joins(tmp_path: Path) -> None:
    folder = tmp_path / "meeting"
    folder.mkdir()
    (folder / "articles.jsonl").write_text("".join(
        json.dumps(a, ensure_ascii=False) + "\n"
        for a in (CANALS_EN, CANALS_EXCERPT_EN, PASTURE_EN, CANALS_RU)), encoding="utf-8")
    (folder / "pairs.tsv").write_text("".join(f"{a}\t{b}\t{label}\t{kind}\n" for a, b, label, kind in (
        (CANALS_EN["url"], CANALS_RU["url"], 1, "positive"),
        (CANALS_EXCERPT_EN["url"], CANALS_RU["url"], 1, "positive"),
        (PASTURE_EN["url"], CANALS_RU["url"], 0, "hard_negative"),
        (PASTURE_EN["url"], CANALS_EXCERPT_EN["url"], 0, "hard_negative"),
    )), encoding="utf-8")
    result = newsbot(tmp_path, "eval", "linking", str(folder), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    ingested = report["as_ingested"]
    assert (ingested["tp"], ingested["fp"], ingested["fn"]) == (2, 0, 0)
    assert [(m["a"], m["b"], m["versions_a"], m["versions_b"])
            for m in report["story_merges"]] == [
        (CANALS_EXCERPT_EN["url"], CANALS_EN["url"], 1, 2)]
