"""Latin-script Kazakh read back into Cyrillic (for analysis only), in both alphabets."""

from __future__ import annotations

import pytest

from digest.translit import (
    ALPHABET_2018,
    ALPHABET_2021,
    alphabet_of,
    to_cyrillic,
    to_latin_variants,
    word_to_cyrillic,
)


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        # official 2021 alphabet: ı = і, i = и/й, u = у, ū = ұ, ş = ш, ñ/ŋ = ң, ğ/ǧ = ғ
        ("Qazaqstan Respublikasy", "Қазақстан Республикасы"),
        ("Būl turaly ministrlık habarlaidy", "Бұл туралы министрлік хабарлайды"),
        ("jaña jol şaqyrym", "жаңа жол шақырым"),
        ("myŋ jobalardyŋ aumaǧyndaǧy", "мың жобалардың аумағындағы"),
        ("Äkımdık Ükımet öñır", "Әкімдік Үкімет өңір"),
        # acute 2018 alphabet: ı = и/й, i = і, u = ұ, ý = у, sh, ch, ıa = я
        ("Qyrǵyzstanda halyqaralyq is-sharalar ótkiziledi",
         "Қырғызстанда халықаралық іс-шаралар өткізіледі"),
        ("Konstıtýtsııalyq reforma jónindegi komıssııa",
         "Конституциялық реформа жөніндегі комиссия"),
        ("tsıfrlandyrý, bıýdjet, kúsheıtti, ıaǵnı, aıtty, Prezıdent",
         "цифрландыру, бюджет, күшейтті, яғни, айтты, Президент"),
    ],
)
def test_both_alphabets_read_back_into_cyrillic(latin: str, cyrillic: str) -> None:
    assert to_cyrillic(latin) == cyrillic


def test_the_alphabet_is_judged_from_the_letters_only_one_of_them_has() -> None:
    assert alphabet_of("Densaýlyq saqtaý mınıstrligi jáne") == ALPHABET_2018
    assert alphabet_of("Densaulyq saqtau ministrlıgı jäne") == ALPHABET_2021
    assert alphabet_of("bala") == ALPHABET_2021  # no telling letter: the official one
    # the same word reads differently in the two alphabets (ı and u disagree)
    assert to_cyrillic("bul", ALPHABET_2018) == "бұл"
    assert to_cyrillic("bul", ALPHABET_2021) == "бул"


def test_cyrillic_digits_and_punctuation_are_left_alone() -> None:
    text = "Ақорда: 2026 jyly «Qazaqstan» – 5,8 myń."
    assert to_cyrillic(text) == "Ақорда: 2026 жылы «Қазақстан» – 5,8 мың."
    assert word_to_cyrillic("Ükımet") == "Үкімет"


def test_latin_spellings_of_a_cyrillic_word_cover_both_alphabets() -> None:
    assert to_latin_variants("бойынша") == {"boiynşa", "boıynsha"}
    assert to_latin_variants("және") == {"jäne", "jáne"}
    assert to_cyrillic("boıynsha") == "бойынша" and to_cyrillic("boiynşa") == "бойынша"
