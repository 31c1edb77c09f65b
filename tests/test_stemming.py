"""Stemmers and stop-word lists for English, Russian and Kazakh."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.paths import KAZAKH_STOPWORDS_FILE
from digest.stemming import read_stop_words_file, stem, stop_words, use_kazakh_stop_words
from digest.workers import worker_pool


@pytest.mark.parametrize(
    "family",
    [
        ["экономика", "экономикалық", "экономиканың", "экономикасы", "экономикаға", "экономикасына"],
        ["мемлекет", "мемлекеттік", "мемлекеттің", "мемлекетке"],
        ["ел", "елдің", "елге", "елде", "елдер", "елдердің", "елдегі"],
        ["заң", "заңы", "заңның", "заңдар"],
        ["жыл", "жылы", "жылғы"],
        ["мектеп", "мектептер", "мектепте", "мектептің"],
        ["оқу", "оқушы", "оқушылар"],
        ["денсаулық", "денсаулықты", "денсаулыққа"],
    ],
)
def test_kazakh_suffix_family_collapses_to_one_stem(family: list[str]) -> None:
    assert len({stem(word, "kk") for word in family}) == 1


def test_kazakh_stemmer_keeps_short_and_distinct_words_apart() -> None:
    assert stem("ел", "kk") == "ел"
    assert stem("сот", "kk") == "сот"
    # A single-letter ending is not cut off a root it would leave as two letters.
    assert stem("заң", "kk") == "заң"
    assert stem("оқу", "kk") == "оқу"
    assert stem("экономика", "kk") != stem("денсаулық", "kk")
    assert len(stem("экономикаларымыздың", "kk")) >= 3


def test_stems_are_lower_case() -> None:
    assert stem("Экономикалық", "kk") == stem("экономикалық", "kk")
    assert stem("Economy", "en") == stem("economy", "en")


def test_snowball_for_english_and_russian() -> None:
    assert stem("economic", "en") == stem("economics", "en") == "econom"
    assert stem("development", "en") == stem("developments", "en")
    assert stem("экономика", "ru") == stem("экономики", "ru") == stem("экономику", "ru")
    assert stem("конституции", "ru") == stem("конституция", "ru")


# Words that meet the rules of `digest.stemming` (on most of them the C Snowball 2.2 alone gives
# another stem than NLTK: "realization", "18-rated", "earrings'", "объём", "следующая", "abaı"),
# then generated ones.
_NLTK_RULE_WORDS = {
    "en": str.split("realization organizer 18-rated blabbed agreed nationality sensational earrings' "
    "outing's people’s astana’s d’ark ’s"),
    "ru": str.split("объём подъём следующая рь бвь бейше краюй знаюёт землям заяц отцья abaı мaма "
    "2024-сь шчётка йод бйвши"),
}
_ROOTS = {
    "en": str.split("nation form organ real rate bless need act able civil logic hope run fly sky "
    "state sense fear mode"),
    "ru": str.split("работ сил город стран закон нов велик красн пис говор сдела объ люб тёпл мо ша "
    "вод цен"),
}
_ENDINGS = {
    "en": str.split("'' s es ed ing ingly edly eed ly ation ational ization izer ator ative alize ness "
    "ful ousness iveness ible able ment ence ance ity ities al ally er ic ical ist ism ous "
    "ive ize ized ion ions y ies ied 's ’s ' li logy ency tional bility lessly ently fully e"),
    "ru": str.split("'' в вши вшись ив ся сь ее ие ые ое ими ыми ей ий ый ой ем им ом его ого ему ых ую юю "
    "ая яя ою нн ющ ующ ла на ете йте ли й л н ет ют ть ешь нно ила ена уйте ите или ил ен ует "
    "уют ит ить ишь ю а ев ов ье е ями ами ии и ией ам о у ах ях ы ь ию ью ия ья я ост ость "
    "ейш ейше ъ ё ённый ёт ъе ующая"),
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_stems_are_nltks_snowball_stems(lang: str) -> None:
    # The C stemmer gives every stem where its Snowball release agrees with NLTK's port;
    # stored summaries and the keyword index hold NLTK's stems, so they must not change.
    from nltk.stem.snowball import SnowballStemmer

    nltk_stem = SnowballStemmer({"en": "english", "ru": "russian"}[lang]).stem
    endings = [e.strip("'") for e in _ENDINGS[lang]]
    words = [*_NLTK_RULE_WORDS[lang]]
    words += [r + a + b for r in _ROOTS[lang] for a in endings for b in endings[::5]]
    assert len(words) > 5_000
    assert [(w, stem(w, lang)) for w in words if stem(w, lang) != nltk_stem(w)] == []


def test_unknown_language_only_lower_cases() -> None:
    assert stem("Économie", "fr") == "économie"


def test_stop_words_for_all_three_languages() -> None:
    en, ru, kk = stop_words("en"), stop_words("ru"), stop_words("kk")
    assert {"the", "and", "of"} <= en
    assert {"и", "в", "что", "на"} <= ru
    assert {"және", "мен", "үшін", "бойынша", "туралы", "осы", "бұл", "олар"} <= kk
    assert len(kk) >= 150
    assert "экономика" not in kk and "economy" not in en
    assert stop_words("xx") == frozenset()


def test_stop_word_file_skips_comments_and_blanks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "words.txt"
    path.write_text("# a comment\n\nЖӘНЕ\n  мен  \n", encoding="utf-8")
    assert read_stop_words_file(path) == frozenset({"және", "мен"})


def test_latin_script_kazakh_stems_like_its_cyrillic_spelling() -> None:
    forms = ["ekonomıkalyq", "Ekonomıkanyń", "ekonomıkasy"]  # the acute 2018 alphabet
    assert len({stem(w, "kk") for w in forms}) == 1
    assert stem("bıýdjettik", "kk") == stem("бюджеттік", "kk")
    assert stem("ministrlıgı", "kk") == stem("министрлігі", "kk")  # the 2021 alphabet
    assert stem("jañalyqtar", "kk") == stem("жаңалықтар", "kk")


def test_kazakh_stop_words_cover_both_latin_alphabets() -> None:
    words = stop_words("kk")
    assert {"және", "jáne", "jäne", "boıynsha", "boiynşa"} <= words


@pytest.fixture
def own_kazakh_list(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "kk.txt"
    path.write_text("# ours\nсалық\n", encoding="utf-8")
    yield path
    use_kazakh_stop_words(KAZAKH_STOPWORDS_FILE)  # other tests expect the bundled list


def test_the_kazakh_stop_word_list_can_be_another_file(own_kazakh_list: Path) -> None:
    assert "және" in stop_words("kk")
    use_kazakh_stop_words(own_kazakh_list)
    assert stop_words("kk") == {"салық", "salyq"}  # with its Latin spelling
    assert "the" in stop_words("en")  # the other languages keep theirs
    use_kazakh_stop_words(KAZAKH_STOPWORDS_FILE)
    assert "және" in stop_words("kk") and "салық" not in stop_words("kk")


def test_worker_processes_read_the_kazakh_list_they_are_given(own_kazakh_list: Path) -> None:
    with worker_pool(1, multiprocessing.get_context("spawn"),
                     kazakh_stop_words=own_kazakh_list) as pool:
        assert pool.submit(stop_words, "kk").result(timeout=120) == {"салық", "salyq"}
    assert "және" in stop_words("kk")  # this process keeps its own list


def test_stemmer_gives_stem_for_each_language() -> None:
    from digest.stemming import stem, stemmer

    words = ["realization", "people’s", "объём", "экономикалық", "abaı", "ran", "running"]
    for lang in ("en", "ru", "kk", "de"):
        assert [stemmer(lang)(w) for w in words] == [stem(w, lang) for w in words]
