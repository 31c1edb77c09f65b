"""Topic catalog loading, multi-label classification and explanations."""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import pytest

from digest.parsing import parse_dump
from digest.settings import CONFIG_DIR
from digest.topics import TopicsFileError, classify, explain, load_catalog, parse_catalog

CATALOG = load_catalog(CONFIG_DIR / "topics.yaml")
REQUIRED = {
    "economy", "constitution", "foreign_policy", "health", "education", "society",
    "infrastructure", "agriculture", "security",
}


def labels(title: str, body: str) -> list[str]:
    return classify(CATALOG, title, body).labels


def test_catalog_has_the_required_topics_with_three_languages() -> None:
    assert set(CATALOG.ids) >= REQUIRED
    for topic_id in CATALOG.ids:
        names = {CATALOG.name(topic_id, lang) for lang in ("en", "ru", "kk")}
        assert all(names) and topic_id not in names


def test_names_and_resolution() -> None:
    assert CATALOG.name("foreign_policy", "ru") == "Внешняя политика"
    assert CATALOG.name("foreign_policy", "xx") == "Foreign policy"
    assert CATALOG.resolve("economy") == "economy"
    assert CATALOG.resolve("Foreign Policy") == "foreign_policy"
    assert CATALOG.resolve("foreign policy") == "foreign_policy"
    assert CATALOG.resolve("экономика") == "economy"
    assert CATALOG.resolve("Сыртқы саясат") == "foreign_policy"
    assert CATALOG.resolve("weather") is None


def test_catalog_survives_pickling_for_worker_processes() -> None:
    clone = pickle.loads(pickle.dumps(CATALOG))
    assert clone.ids == CATALOG.ids and clone.get("health") is not None
    text = ("Hospital opens", "The new hospital has 300 beds for patients.")
    assert classify(clone, *text).labels == classify(CATALOG, *text).labels


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("Экономика өсімі 6,5 пайызды құрады",
         "Елдің экономикалық дамуы жалғасуда. Экономиканың өсімі инвестициялар есебінен "
         "қамтамасыз етілді. Экономикасы тұрақты.", "economy"),
        ("Инфляция замедлилась до 8,9%",
         "Национальный банк сообщил, что инфляция в экономике страны снизилась.", "economy"),
        ("Минздрав открыл новую поликлинику",
         "В поликлинике будут работать 40 врачей, пациенты получат медицинскую помощь.",
         "health"),
        ("Жаңа мектеп ашылды", "Мектепте 600 оқушы білім алады, мұғалімдер дайын.",
         "education"),
        ("Spring sowing campaign begins",
         "Farmers will sow wheat on 12 million hectares; the harvest forecast is good.",
         "agriculture"),
    ],
)
def test_inflected_forms_in_three_languages(title: str, body: str, expected: str) -> None:
    assert expected in labels(title, body)


def test_title_hits_count_more_than_body_hits() -> None:
    in_title = classify(CATALOG, "Hospital news", "The event took place on Monday.")
    in_body = classify(CATALOG, "News", "The hospital event took place on Monday.")
    assert in_title.scores["health"] > in_body.scores["health"]


def test_passing_mention_does_not_assign_a_topic() -> None:
    body = (
        "The Ministry of Foreign Affairs held bilateral consultations with the delegation of "
        "Uzbekistan. The diplomats discussed consular cooperation and the next summit. The "
        "ambassador noted that health cooperation could be discussed later."
    )
    result = labels("Kazakhstan and Uzbekistan hold consultations", body)
    assert result == ["foreign_policy"]


def test_no_keyword_means_no_topic() -> None:
    assert labels("Weather tomorrow", "Sunny, 25 degrees.") == []


def test_seed_articles_get_their_topics(seed_path: Path) -> None:
    dump = parse_dump(seed_path.read_bytes(), seed_path.name)
    got = {a.title.split()[0]: set(labels(a.title, a.body)) for a in dump.articles[:5]}
    assert "economy" in got["Olzhas"] and "constitution" not in got["Olzhas"]
    assert "foreign_policy" in got["Kazakhstan"] and "constitution" not in got["Kazakhstan"]
    assert "constitution" in got["The"]
    medical, ethno = (set(labels(a.title, a.body)) for a in dump.articles[3:5])
    assert {"constitution", "health"} <= medical
    assert {"constitution", "society"} <= ethno


def test_explain_shows_scores_hits_and_cutoff() -> None:
    result = classify(CATALOG, "Hospital opens", "The new hospital in Almaty serves patients.")
    text = explain(result, CATALOG)
    assert text.startswith("assigned: health")
    assert "+ health" in text and "hospital* ×1 in title" in text
    assert "threshold 4" in text


@pytest.mark.parametrize(
    ("yaml_text", "reason"),
    [
        ("topics: [economy]", "mapping"),
        ("topics:\n  Economy!:\n    names: {en: E, ru: Э, kk: Э}\n    keywords: {en: {a: 1}}",
         "lower-case"),
        ("topics:\n  economy:\n    names: {en: E}\n    keywords: {en: {econ*: 1}}", "kk"),
        ("topics:\n  economy:\n    names: {en: E, ru: Э, kk: Э}\n    keywords: {de: {x: 1}}",
         "'de'"),
        ("topics:\n  economy:\n    names: {en: E, ru: Э, kk: Э}\n    keywords: {en: {ec*: 1}}",
         "too short"),
        ("topics:\n  economy:\n    names: {en: E, ru: Э, kk: Э}\n    keywords: {en: {'re:(': 1}}",
         "regular expression"),
        ("threshold: -1\ntopics: {}", "threshold"),
        ("topics:\n  society:\n    names: {en: E, ru: Э, kk: Э}\n"
         "    keywords: {ru: {молодеж*: 1}, kk: {молодёж*: 2}}", "listed twice"),
        ("topics:\n  economy: [oops", "line"),
    ],
)
def test_bad_topics_file_names_file_and_reason(tmp_path: Path, yaml_text: str, reason: str) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(TopicsFileError) as err:
        load_catalog(path)
    assert str(path) in str(err.value) and reason in str(err.value)


def test_missing_topics_file() -> None:
    with pytest.raises(TopicsFileError, match="cannot read"):
        load_catalog("/nonexistent/topics.yaml")


def test_regex_and_phrase_keywords() -> None:
    catalog = parse_catalog({
        "topics": {
            "space": {
                "names": {"en": "Space", "ru": "Космос", "kk": "Ғарыш"},
                "keywords": {"en": {"re:baikonur\\w*": 3, "launch pad*": 2}},
            }
        }
    })
    result = classify(catalog, "Baikonur launch", "A new launch pads test at the launch pad.")
    assert result.labels == ["space"]
    assert result.scores["space"] == pytest.approx(3 * 3 + 2 * (1 + math.log(2)),
                                                   abs=0.01)


def test_yo_and_ye_spellings_match_the_same_keyword() -> None:
    catalog = parse_catalog({
        "topics": {
            "society": {
                "names": {"en": "Society", "ru": "Общество", "kk": "Қоғам"},
                "keywords": {"ru": {"молодёж*": 2}},
            }
        }
    })
    for spelling in ("молодёжь", "молодежь", "МОЛОДЁЖИ"):
        assert classify(catalog, spelling, "").labels == ["society"], spelling


def test_a_word_matched_by_two_keywords_counts_once_at_the_heavier_weight() -> None:
    catalog = parse_catalog({
        "topics": {
            "infrastructure": {
                "names": {"en": "I", "ru": "И", "kk": "И"},
                "keywords": {"ru": {"строительств*": 2, "строит*": 1, "дорожн* строительств*": 1}},
            }
        }
    })
    result = classify(catalog, "", "Началось дорожное строительство.")
    hits = {h.keyword: h.count for h in result.hits}
    assert hits == {"строительств*": 1, "дорожн* строительств*": 1}
    assert result.scores["infrastructure"] == 3.0
    # строит* still counts the words only it matches
    other = classify(catalog, "", "Строители и строительство.")
    assert {h.keyword: h.count for h in other.hits} == {"строительств*": 1, "строит*": 1}
