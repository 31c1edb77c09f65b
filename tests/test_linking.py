"""digest.linking: gov.kz news keys, name skeletons across alphabets, numbers across
conventions, and the cautious choice of a translation among candidates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from digest.dedup import canonical_url
from digest.linking import (
    MIN_SHARED_CONCEPTS,
    REWRITE_LINK_SIMILARITY,
    Candidate,
    LexiconError,
    LinkFeatures,
    best_link,
    best_rewrite,
    concepts,
    features,
    names_match,
    news_key,
    numbers,
    proper_names,
    read_lexicon,
    skeleton,
)

NEWSBOT = Path(sys.executable).with_name("newsbot")


def newsbot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env["NEWSBOT_DB_PATH"] = str(tmp_path / "cli.db")
    return subprocess.run([str(NEWSBOT), *args], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=120)


def test_news_key_is_shared_by_the_languages_of_one_govkz_item() -> None:
    base = "https://www.gov.kz/memleket/entities/mfa/press/news/details/1158714"
    keys = {news_key(canonical_url(f"{base}?lang={lang}")) for lang in ("kk", "ru", "en")}
    assert keys == {"https://gov.kz/memleket/entities/mfa/press/news/details/1158714"}
    assert news_key(canonical_url(base)) in keys
    assert news_key(canonical_url(base.replace("1158714", "1158715"))) not in keys
    assert news_key(canonical_url("https://inform.kz/news/details/1158714")) is None
    assert news_key(None) is None


@pytest.mark.parametrize("spellings", [
    ("Токаев", "Тоқаев", "Tokayev", "Toqaev", "Токаеву"),
    ("Жаксылыков", "Жақсылықов", "Zhaksylykov", "Jaqsylyqov"),
    ("Шымкент", "Shymkent", "Şymkent", "Шымкенте"),
    ("Ескараев", "Yeskarayev", "Eskaraev"),
    ("Щучинск", "Shchuchinsk"),
    ("Чолпон", "Cholpon", "Çolpon"),
])
def test_spellings_of_one_name_share_a_skeleton(spellings: tuple[str, ...]) -> None:
    keys = [skeleton(s) for s in spellings]
    assert all(names_match(keys[0], k) for k in keys), keys


def test_different_names_do_not_match() -> None:
    assert not names_match(skeleton("Бектенов"), skeleton("Bekenov"))
    assert not names_match(skeleton("Astana"), skeleton("Aktau"))
    assert not names_match(skeleton("Ли"), skeleton("Li"))  # too short to say anything


def test_numbers_are_written_one_way_whatever_the_language() -> None:
    ru = numbers("ВВП вырос на 6,1%, 1 200 школ, 126 468 заявок, 5,50 млн га, 300 тысяч т", "ru")
    en = numbers("GDP grew by 6.1%, 1,200 schools, 126,468 applications, 5.5 million ha, "
                 "300,000 t", "en")
    kk = numbers("ІЖӨ 6,1%-ға өсті, 1 200 мектеп, 126 468 өтінім, 5,5 млн га, 300 мың т", "kk")
    assert ru == en == kk == {"6.1", "1200", "126468", "5500000", "300000"}
    # Currency codes and magnitudes glued on; codes and words ending in digits are no numbers.
    assert numbers("KZT425bn and USD3.5mn in 4.6tn", "en") == {
        "425000000000", "3500000", "4600000000000"}
    assert numbers("region4521 and COVID19", "en") == frozenset()
    # Day numbers and years around now are in every story of the day.
    assert numbers("On 14 May 2026 at 10:30", "en") == frozenset()


def test_proper_names_skip_sentence_starts_and_the_names_every_story_has() -> None:
    names = proper_names("The minister met Dauren Zhaksylykov in Shymkent. Kazakhstan and "
                         "Astana are everywhere.")
    assert names == {skeleton("Dauren"), skeleton("Zhaksylykov"), skeleton("Shymkent")}


def test_serialised_features_round_trip() -> None:
    feats = features("Title", "Body with 5.7% and Dauren Zhaksylykov of Shymkent.", "en")
    assert LinkFeatures.loads(feats.dumps()) == feats
    assert LinkFeatures.loads(None) == LinkFeatures(frozenset(), frozenset())


DAY = date(2026, 5, 14)


def candidate(key: str, lang: str, nums: set[str], names: set[str], day: date = DAY) -> Candidate:
    return Candidate(key, key, lang, day, LinkFeatures(frozenset(nums), frozenset(names)))


def test_best_link_needs_shared_numbers_and_a_clear_winner() -> None:
    own = LinkFeatures(frozenset({"5.7", "7.3", "11.8", "3900000000000"}),
                       frozenset({"dvrn", "jkslkv"}))
    right = candidate("right", "ru", {"5.7", "7.3", "11.8", "640"}, {"dvrn", "jkslkvm"})
    same_minister = candidate("other", "ru", {"640"}, {"dvrn", "jkslkv", "šmknt"})
    found = best_link("en", DAY, own, [right, same_minister])
    assert found is not None and found[0].key == "right"
    assert found[1].numbers == ("11.8", "5.7", "7.3")
    # Names alone (the same minister, another business of the day) are not enough.
    assert best_link("en", DAY, own, [same_minister]) is None
    # Two shared numbers are not enough either, nor three out of many.
    assert best_link("en", DAY, own, [candidate("two", "ru", {"5.7", "7.3"}, set())]) is None
    many = {str(n) for n in range(100, 110)}
    assert best_link("en", DAY, LinkFeatures(frozenset({"5.7", "7.3", "11.8"} | many),
                                             frozenset()),
                     [candidate("few", "ru", {"5.7", "7.3", "11.8"} | {str(n) for n in
                                                                     range(200, 210)}, set())]
                     ) is None
    # Two stories that fit equally well: unsure, so no link.
    twin = candidate("twin", "ru", {"5.7", "7.3", "11.8", "641"}, {"dvrn", "jkslkv"})
    assert best_link("en", DAY, own, [right, twin]) is None
    # Too far apart in time, or the same language: not a translation.
    late = Candidate("late", "late", "ru", date(2026, 5, 16), right.features)
    assert best_link("en", DAY, own, [late]) is None
    assert best_link("ru", DAY, own, [right]) is None


# -- the names rule: stories without numbers (talks, visits, speeches) ---------------------
# Our own short texts: a minister's talks in Portugal in English and Russian, and two other
# stories of the same minister on the same day.

VISIT_EN = {
    "title": "Saparov and Duarte discuss a wind farm near Sintra",
    "date": "2026-06-02",
    "lang": "en",
    "url": "https://agency-en.example.kz/news/saparov-duarte",
    "body": (
        "Foreign Minister Aibek Saparov held talks in Lisbon with the Minister of Economy of "
        "Portugal, Marcelo Duarte. The ministers discussed a wind farm that a company from "
        "Coimbra plans to build near Sintra, and flights between the two capitals. Saparov "
        "invited Duarte to visit the country in the autumn."
    ),
}
VISIT_RU = {
    "title": "Сапаров и Дуарте обсудили ветряную электростанцию у Синтры",
    "date": "2026-06-02",
    "lang": "ru",
    "url": "https://agency-ru.example.kz/news/saparov-duarte",
    "body": (
        "Министр иностранных дел Айбек Сапаров провёл в Лиссабоне переговоры с министром "
        "экономики Португалии Марселу Дуарте. Министры обсудили ветряную электростанцию, "
        "которую компания из Коимбры намерена построить у Синтры, и авиасообщение между "
        "столицами. Сапаров пригласил Дуарте посетить страну осенью."
    ),
}
# The same minister, city and country that day, with someone else: another story.
OTHER_MEETING_RU = {
    "title": "Сапаров встретился с португальскими предпринимателями",
    "date": "2026-06-02",
    "lang": "ru",
    "url": "https://agency-ru.example.kz/news/saparov-business",
    "body": (
        "Министр иностранных дел Айбек Сапаров встретился в Лиссабоне с руководителями "
        "компаний Португалии. Обсуждались поставки зерна и логистика через порт Синиш. "
        "Со стороны бизнеса выступила Инеш Роша."
    ),
}
ELSEWHERE_RU = {
    "title": "Сапаров принял посла Японии",
    "date": "2026-06-02",
    "lang": "ru",
    "url": "https://agency-ru.example.kz/news/saparov-japan",
    "body": "Министр иностранных дел Айбек Сапаров принял в Астане посла Японии Кэндзи Ямаду.",
}


def feats(item: dict[str, str]) -> LinkFeatures:
    return features(item["title"], item["body"], item["lang"])


def test_skeletons_read_the_other_kazakh_latin_spellings() -> None:
    assert skeleton("Jaŋa") == skeleton("Жаңа") == "jn"
    assert skeleton("Qaraǧandy") == skeleton("Қарағанды")


def test_headline_names_are_only_words_the_text_writes_as_names() -> None:
    f = feats(VISIT_EN)
    # Title Case would make every headline word a name; only those the body capitalises
    # mid-sentence count.
    assert f.title_names == {skeleton("Saparov"), skeleton("Duarte"), skeleton("Sintra")}
    assert LinkFeatures.loads(f.dumps()) == f


def test_names_rule_links_rare_shared_names_and_keeps_the_same_ministers_day_apart() -> None:
    own = feats(VISIT_EN)
    pool = [
        Candidate(name, name, "ru", date(2026, 6, 2), feats(item))
        for name, item in (("visit", VISIT_RU), ("business", OTHER_MEETING_RU),
                           ("japan", ELSEWHERE_RU))
    ]
    found = best_link("en", date(2026, 6, 2), own, pool)
    assert found is not None and found[0].key == "visit"
    score = found[1]
    assert score.rule == "names" and not score.numbers
    # The minister, Lisbon and Portugal are in the other stories too and weigh less; what
    # only the translation has decides.
    assert {skeleton("Duarte"), skeleton("Coimbra")} <= set(score.rare)
    assert skeleton("Saparov") not in score.rare
    assert "names rule" in score.rule_text()

    # Without the translation, the minister's other meeting in Lisbon the same day shares
    # his name, the city and the country: not enough to be the same story.
    assert best_link("en", date(2026, 6, 2), own, pool[1:]) is None
    # Two candidate stories that fit equally well are too close for the names rule; they
    # are two copies of one Russian item, so the words rule takes them as one and links.
    twin = Candidate("twin", "twin", "ru", date(2026, 6, 2), feats(VISIT_RU))
    found = best_link("en", date(2026, 6, 2), own, [pool[0], twin])
    assert found is not None and found[1].rule == "words"
    assert found[0].key in ("visit", "twin")


def test_names_rule_needs_a_shared_headline_name() -> None:
    own = feats({**VISIT_EN, "title": "Talks on a wind farm"})
    ru = feats({**VISIT_RU, "title": "Переговоры о ветряной электростанции"})
    assert own.title_names == frozenset() and ru.title_names == frozenset()
    found = best_link("en", date(2026, 6, 2), own,
                      [Candidate("visit", "visit", "ru", date(2026, 6, 2), ru)])
    # The names rule refuses; the words rule, which needs no headline name, links them.
    assert found is not None and found[1].rule == "words"


def test_names_rule_links_through_the_ingest_and_explain_says_why(tmp_path: Path) -> None:
    dump_path = tmp_path / "visit.jsonl"
    dump_path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in (
        OTHER_MEETING_RU, ELSEWHERE_RU, VISIT_EN, VISIT_RU)) + "\n", encoding="utf-8")
    result = newsbot(tmp_path, "ingest", str(dump_path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["stories_new"], report["versions_linked"]) == (3, 1)
    latest = json.loads(newsbot(tmp_path, "latest", "--json", "--lang", "ru").stdout)
    by_url = {a["url"]: a for a in latest}
    assert len(latest) == 3
    visit = by_url[VISIT_RU["url"]]
    assert sorted(v["url"] for v in visit["versions"]) == [VISIT_EN["url"], VISIT_RU["url"]]
    for other in (OTHER_MEETING_RU, ELSEWHERE_RU):
        assert len(by_url[other["url"]]["versions"]) == 1
    ru_id = next(v["id"] for v in visit["versions"] if v["lang"] == "ru")
    explained = newsbot(tmp_path, "explain", str(ru_id)).stdout
    assert "as a translation" in explained and "names rule" in explained
    assert skeleton("Duarte") in explained


def test_a_different_meeting_of_the_same_day_stays_apart_through_the_ingest(
    tmp_path: Path,
) -> None:
    dump_path = tmp_path / "apart.jsonl"
    dump_path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in (
        VISIT_EN, OTHER_MEETING_RU, ELSEWHERE_RU)) + "\n", encoding="utf-8")
    report = json.loads(newsbot(tmp_path, "ingest", str(dump_path), "--json").stdout)
    assert (report["stories_new"], report["versions_linked"]) == (3, 0)


# -- the numbers rule with a headline figure --------------------------------------------------
# Our own short texts: a headline figure ("4 817 rural clinics") in Kazakh and Russian, and
# another story of the same ministry that day with the body's other figure but not the headline's.

CLINICS_KK = {
    "title": "Елде 4 817 ауылдық емхана жұмыс істейді",
    "date": "2026-07-09",
    "lang": "kk",
    "url": "https://agency-kk.example.kz/news/clinics",
    "body": (
        "Денсаулық сақтау министрлігінің мәліметінше, елде 4 817 ауылдық емхана жұмыс "
        "істейді. Биыл олардың 356-сы жөндеуден өтеді."
    ),
}
CLINICS_RU = {
    "title": "В стране работают 4 817 сельских поликлиник",
    "date": "2026-07-09",
    "lang": "ru",
    "url": "https://agency-ru.example.kz/news/clinics",
    "body": (
        "По данным министерства здравоохранения, в стране работают 4 817 сельских "
        "поликлиник. В этом году 356 из них отремонтируют."
    ),
}
# The same ministry that day: the 356 repairs again, but not the headline's figure.
REPAIRS_RU = {
    "title": "Минздрав рассказал о ремонте больниц",
    "date": "2026-07-09",
    "lang": "ru",
    "url": "https://agency-ru.example.kz/news/repairs",
    "body": "Ремонт пройдут 356 объектов здравоохранения, на него выделят 72,4 млрд тенге.",
}


def test_headline_numbers_are_the_titles_own() -> None:
    kk, ru = feats(CLINICS_KK), feats(CLINICS_RU)
    assert kk.title_numbers == ru.title_numbers == {"4817"}
    assert kk.numbers == ru.numbers == {"4817", "356"}
    assert LinkFeatures.loads(kk.dumps()) == kk
    assert feats(REPAIRS_RU).title_numbers == frozenset()


def test_two_shared_numbers_link_when_one_stands_in_both_headlines() -> None:
    own = feats(CLINICS_KK)
    day = date(2026, 7, 9)
    pool = [Candidate(k, k, "ru", day, feats(item))
            for k, item in (("clinics", CLINICS_RU), ("repairs", REPAIRS_RU))]
    found = best_link("kk", day, own, pool)
    assert found is not None and found[0].key == "clinics"
    score = found[1]
    assert score.rule == "numbers" and score.headline_numbers == ("4817",)
    assert "both headlines: 4817" in score.rule_text()
    # The same two numbers without the headline figure in the other headline: not enough.
    untitled = feats({**CLINICS_RU, "title": "Сельские поликлиники"})
    assert untitled.numbers == {"4817", "356"} and not untitled.title_numbers
    assert best_link("kk", day, own, [Candidate("clinics", "clinics", "ru", day, untitled)]) is None
    # Nor one shared number, even a headline one.
    lone = feats({**CLINICS_RU, "body": "В стране работают 4 817 сельских поликлиник."})
    assert best_link("kk", day, own, [Candidate("clinics", "clinics", "ru", day, lone)]) is None


def test_headline_number_link_through_the_ingest_and_explain_says_why(tmp_path: Path) -> None:
    dump_path = tmp_path / "clinics.jsonl"
    dump_path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in (
        REPAIRS_RU, CLINICS_RU, CLINICS_KK)) + "\n", encoding="utf-8")
    result = newsbot(tmp_path, "ingest", str(dump_path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["stories_new"], report["versions_linked"]) == (2, 1)
    latest = json.loads(newsbot(tmp_path, "latest", "--json", "--lang", "kk").stdout)
    by_url = {a["url"]: a for a in latest}
    clinics = by_url[CLINICS_KK["url"]]
    assert sorted(v["url"] for v in clinics["versions"]) == [CLINICS_KK["url"], CLINICS_RU["url"]]
    assert len(by_url[REPAIRS_RU["url"]]["versions"]) == 1
    kk_id = next(v["id"] for v in clinics["versions"] if v["lang"] == "kk")
    explained = newsbot(tmp_path, "explain", str(kk_id)).stdout
    assert "numbers rule" in explained and "both headlines: 4817" in explained


# -- the words rule: items of one speech, no names but the President's, no numbers ----------
# Our own short texts: the President at a meeting of rural akims, one item in three
# languages, and another item cut from the same speech.

FORUM_EN = {
    "title": "Rural akims must know the needs of villagers, President says",
    "date": "2026-08-14",
    "lang": "en",
    "url": "https://agency-en.example.kz/news/akims-needs",
    "body": (
        "Speaking at a meeting of rural akims, the Head of State said that an akim is first "
        "of all a public servant who works directly with people. The President stressed that "
        "village akims must be competent specialists who know the problems of every district "
        "and keep an open dialogue with residents. Responsibility for the welfare of "
        "villagers lies with the local authorities, he noted."
    ),
}
FORUM_RU = {
    "title": "Сельские акимы должны знать нужды жителей села – Президент",
    "date": "2026-08-14",
    "lang": "ru",
    "url": "https://agency-ru.example.kz/news/akims-needs",
    "body": (
        "Выступая на встрече сельских акимов, Глава государства заявил, что аким – прежде "
        "всего государственный служащий, который работает напрямую с людьми. Президент "
        "подчеркнул, что акимы сел должны быть компетентными специалистами, знающими "
        "проблемы каждого округа, и вести открытый диалог с жителями. Ответственность за "
        "благополучие сельчан лежит на местной власти, отметил он."
    ),
}
# Another item cut from the same speech: the same meeting, akims and villages.
FORUM_DIGITAL_RU = {
    "title": "Президент поручил перевести услуги для сел на цифровую платформу",
    "date": "2026-08-14",
    "lang": "ru",
    "url": "https://agency-ru.example.kz/news/akims-digital",
    "body": (
        "На встрече с сельскими акимами Глава государства поручил правительству перевести "
        "государственные услуги для жителей сел на единую цифровую платформу. По словам "
        "Президента, искусственный интеллект и интернет должны прийти в каждый округ, а "
        "акимы обязаны следить за качеством связи и дорог."
    ),
}
FORUM_KK = {
    "title": "Президент: ауыл әкімі халықтың мұқтажын білуі керек",
    "date": "2026-08-14",
    "lang": "kk",
    "url": "https://agency-kk.example.kz/news/akims-needs",
    "body": (
        "Ауыл әкімдерінің кездесуінде сөйлеген Мемлекет басшысы әкім ең алдымен халықпен "
        "тікелей жұмыс істейтін мемлекеттік қызметші екенін айтты. Президент ауыл әкімдері "
        "әр округтің мәселелерін білетін білікті мамандар болуы және тұрғындармен ашық "
        "диалог жүргізуі тиіс екенін атап өтті. Ауыл тұрғындарының әл-ауқаты үшін "
        "жауапкершілік жергілікті билікке жүктеледі, деді ол."
    ),
}


def test_concepts_are_read_the_same_in_three_languages_and_two_kazakh_alphabets() -> None:
    en, ru, kk = feats(FORUM_EN), feats(FORUM_RU), feats(FORUM_KK)
    assert {"akim", "village", "servant", "dialogue", "competence"} <= (
        en.concepts & ru.concepts & kk.concepts)
    assert LinkFeatures.loads(ru.dumps()) == ru
    # Latin-script Kazakh is read through its Cyrillic form.
    assert concepts("Aýyl ákimderin saılaý, jasandy ıntellekt", "kk") == {
        "village", "akim", "election", "ai"}
    # A word takes the concept of its longest matching beginning: сельскохозяйственный is
    # agriculture, not village (сел-); "important" is not "import".
    assert concepts("сельскохозяйственный", "ru") == {"agriculture"}
    assert concepts("an important visit", "en") == {"visit"}
    assert concepts("Президент", "de") == frozenset()


def test_words_rule_links_a_translation_among_items_of_one_speech() -> None:
    own = feats(FORUM_EN)
    day = date(2026, 8, 14)
    pool = [Candidate(k, k, "ru", day, feats(item))
            for k, item in (("needs", FORUM_RU), ("digital", FORUM_DIGITAL_RU))]
    # No numbers, no names but the President's: only the words tell the items apart.
    assert not own.numbers and not own.names
    found = best_link("en", day, own, pool)
    assert found is not None and found[0].key == "needs"
    assert found[1].rule == "words" and found[1].similarity >= 0.6
    assert "servant" in found[1].concepts and "words rule" in found[1].rule_text()
    # Without the translation, the other item of the same meeting is not taken for it.
    assert best_link("en", day, own, pool[1:]) is None


def test_words_rule_needs_a_clear_lead_over_another_story() -> None:
    own = feats(FORUM_EN)
    day = date(2026, 8, 14)
    ru = Candidate("ru", "ru-story", "ru", day, feats(FORUM_RU))
    kk = Candidate("kk", "kk-story", "kk", day, feats(FORUM_KK))
    assert best_link("en", day, own, [kk]) is not None
    # Two stories in other languages that both fit: unsure which, so no link.
    assert best_link("en", day, own, [ru, kk]) is None
    # Versions of one story compete as one.
    assert best_link("en", day, own, [ru, Candidate("kk", "ru-story", "kk", day, kk.features)])


def test_words_rule_needs_enough_shared_concepts() -> None:
    day = date(2026, 8, 14)
    short_en = feats({**FORUM_EN, "body": "Akims must keep an open dialogue."})
    short_ru = feats({**FORUM_RU, "body": "Акимы должны вести открытый диалог."})
    assert len(short_en.concepts & short_ru.concepts) < MIN_SHARED_CONCEPTS
    assert best_link("en", day, short_en, [Candidate("ru", "ru", "ru", day, short_ru)]) is None


def test_a_malformed_lexicon_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "concepts.tsv"
    path.write_text("# comment\nakim\t1\takim\tаким\tәкім\nvillage\tmany\tvillage\n",
                    encoding="utf-8")
    with pytest.raises(LexiconError, match=r"concepts.tsv, line 3: expected concept"):
        read_lexicon(path)


def test_words_rule_links_through_the_ingest_and_explain_says_why(tmp_path: Path) -> None:
    dump_path = tmp_path / "forum.jsonl"
    dump_path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in (
        FORUM_DIGITAL_RU, FORUM_RU, FORUM_EN)) + "\n", encoding="utf-8")
    result = newsbot(tmp_path, "ingest", str(dump_path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["stories_new"], report["versions_linked"]) == (2, 1)
    latest = json.loads(newsbot(tmp_path, "latest", "--json", "--lang", "en").stdout)
    by_url = {a["url"]: a for a in latest}
    needs = by_url[FORUM_EN["url"]]
    assert sorted(v["url"] for v in needs["versions"]) == [FORUM_EN["url"], FORUM_RU["url"]]
    assert len(by_url[FORUM_DIGITAL_RU["url"]]["versions"]) == 1
    en_id = next(v["id"] for v in needs["versions"] if v["lang"] == "en")
    explained = newsbot(tmp_path, "explain", str(en_id)).stdout
    assert "words rule" in explained and "servant" in explained


def test_english_titles_months_and_weekdays_are_not_names() -> None:
    # English capitalises them in mid-sentence, Russian and Kazakh do not: as names they
    # would never match the other language and only lengthen the English vector.
    found = proper_names("Talks were held on Monday. Foreign Minister Yermek Kosherbayev met "
                         "Deputy Prime Minister Serik Zhumangarin on 27 January in the Ministry.")
    assert found == {skeleton("Yermek"), skeleton("Kosherbayev"), skeleton("Serik"),
                     skeleton("Zhumangarin")}
    # Compared as whole words: a name that starts like a month keeps its key.
    assert skeleton("Marchenko") in proper_names("The envoy met Mr Marchenko.")
    assert proper_names("Сенатор встретился с Мемлекет басшысы.") == frozenset()


def test_word_beginnings_do_not_catch_other_words() -> None:
    assert concepts("a joint statement", "en") == {"statement"}
    assert concepts("a constructive dialogue in residential areas", "en") == {"dialogue"}
    assert concepts("семь лет назад", "ru") == frozenset()
    assert concepts("семья", "ru") == {"family"}
    assert concepts("ынтымақтастықты нығайту", "kk") == {"cooperation", "strengthen"}
    # "In order to" and an agency that "reports" say nothing of instructions or reports.
    assert concepts("in order to help, the agency reports", "en") == frozenset()
    assert concepts("the report to the President", "en") == {"report", "president"}


# -- the rewrite rule: several outlets retell one item in one language ------------------------
# Another outlet's Russian retelling of FORUM_RU (not a near-duplicate: its own words), and
# another item of the same meeting that shares much of its vocabulary (akims, villages, an
# open dialogue with residents) but reports something else.

FORUM_RU_REWRITE = {
    "title": "Токаев: аким села – это прежде всего госслужащий",
    "date": "2026-08-14",
    "lang": "ru",
    "url": "https://other-outlet.example.kz/akim-gossluzhashchiy",
    "body": (
        "Глава государства на встрече с сельскими акимами напомнил, что аким работает "
        "напрямую с людьми и прежде всего является государственным служащим. По словам "
        "Президента, акимы сел обязаны быть компетентными специалистами: знать проблемы "
        "своего округа и поддерживать открытый диалог с жителями. Местная власть отвечает "
        "за благополучие сельчан, подчеркнул он."
    ),
}
FORUM_REPORTS_RU = {
    "title": "Президент призвал сельских акимов чаще отчитываться перед жителями",
    "date": "2026-08-14",
    "lang": "ru",
    "url": "https://other-outlet.example.kz/akimy-otchety",
    "body": (
        "На встрече с сельскими акимами Глава государства призвал их вести открытый диалог "
        "с жителями и регулярно отчитываться о своей работе в социальных сетях. Президент "
        "поручил акимам сел каждые полгода проводить встречи с людьми и публиковать "
        "отчеты о расходах бюджета округа."
    ),
}


def test_rewrite_rule_joins_another_outlets_retelling_in_the_same_language() -> None:
    day = date(2026, 8, 14)
    own = feats(FORUM_RU_REWRITE)
    needs = Candidate("needs", "s1", "ru", day, feats(FORUM_RU))
    reports = Candidate("reports", "s2", "ru", day, feats(FORUM_REPORTS_RU))
    digital = Candidate("digital", "s3", "ru", day, feats(FORUM_DIGITAL_RU))
    found = best_rewrite("ru", day, own, [reports, digital, needs])
    assert found is not None and found[0].key == "needs"
    assert found[1].rule == "rewrite" and found[1].similarity >= REWRITE_LINK_SIMILARITY
    assert "rewrite rule" in found[1].rule_text() and "servant" in found[1].concepts
    # Another item of the same meeting, close in words but under the threshold, is not a
    # rewrite of it; nor is anything in another language or two days away.
    assert best_rewrite("ru", day, own, [reports, digital]) is None
    assert best_rewrite("ru", day, feats(FORUM_REPORTS_RU), [needs, digital]) is None
    en = Candidate("en", "s4", "en", day, feats(FORUM_EN))
    assert best_rewrite("ru", day, own, [en]) is None
    assert best_rewrite("ru", date(2026, 8, 16), own, [needs]) is None


def test_rewrites_and_their_translation_are_one_story_through_the_ingest(
    tmp_path: Path,
) -> None:
    # Every Russian item first, then the English translation: without the rewrite rule the
    # two retellings are two stories and the translation joins only one of them.
    dump_path = tmp_path / "forum.jsonl"
    dump_path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in (
        FORUM_RU, FORUM_DIGITAL_RU, FORUM_RU_REWRITE, FORUM_REPORTS_RU, FORUM_EN)) + "\n",
        encoding="utf-8")
    result = newsbot(tmp_path, "ingest", str(dump_path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["stories_new"], report["versions_linked"]) == (3, 2)
    latest = json.loads(newsbot(tmp_path, "latest", "--json", "--lang", "ru").stdout)
    stories = sorted(sorted(v["url"] for v in item["versions"]) for item in latest)
    assert stories == sorted([
        sorted([FORUM_RU["url"], FORUM_RU_REWRITE["url"], FORUM_EN["url"]]),
        [FORUM_DIGITAL_RU["url"]],
        [FORUM_REPORTS_RU["url"]],
    ])
    needs = next(i for i in latest if len(i["versions"]) == 3)
    rewrite_id = next(v["id"] for v in needs["versions"]
                      if v["url"] == FORUM_RU_REWRITE["url"])
    explained = newsbot(tmp_path, "explain", str(rewrite_id)).stdout
    assert "rewrite in the same language" in explained and "rewrite rule" in explained
