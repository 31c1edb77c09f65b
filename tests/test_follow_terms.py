"""Keyword terms and delivery modes: what a reader types, and when things may be sent."""

from __future__ import annotations

from datetime import date, time

import pytest

from digest.follows import TermError, contains_phrase, index_stems, parse_terms, term_keys
from digest.modes import ModeError, in_digest, parse_mode, quiet


def test_terms_split_on_commas_and_keep_quoted_phrases_whole() -> None:
    assert parse_terms('tax, "Constitutional  Court", «Жер, су»') == [
        "tax", "constitutional court", "жер, су"]
    assert parse_terms("Tax, tax") == ["tax"]
    for empty in ("", " , ", '""', "?!"):
        with pytest.raises(TermError) as caught:
            parse_terms(empty)
        assert caught.value.reason == "empty"
    with pytest.raises(TermError) as caught:
        parse_terms("a b c d e f")
    assert caught.value.reason == "too_long"


def test_latin_kazakh_meets_cyrillic_kazakh_through_the_stemmer() -> None:
    assert any(key.lang == "kk" and key.stems == ("салық",) for key in term_keys("salyq"))
    assert "салық" in index_stems("Салықтық жеңілдіктер", "", "kk")
    assert "салық" in index_stems("Salyqtyq jeñildikter", "", "kk")  # a Latin-script article


def test_a_phrase_needs_its_words_together_in_order() -> None:
    [key] = [k for k in term_keys("constitutional court") if k.lang == "en"][:1]
    assert contains_phrase("The Constitutional Court ruled", "en", key.stems)
    assert not contains_phrase("The court heard constitutional claims", "en", key.stems)


def test_modes_typed_in_three_languages_and_unknown_ones() -> None:
    assert parse_mode(["weekly", "Fri"]) == "weekly:4"
    assert parse_mode(["еженедельно", "пн"]) == "weekly:0"
    assert parse_mode(["апталық", "жексенбі"]) == "weekly:6"
    assert parse_mode(["сразу"]) == "instant"
    for bad in (["hourly"], ["weekly"], ["weekly", "funday"], ["daily", "twice"], []):
        with pytest.raises(ModeError):
            parse_mode(bad)


def test_weekly_goes_in_on_its_weekday_only_and_quiet_hours_span_midnight() -> None:
    wednesday = date(2026, 2, 11)
    assert in_digest("weekly:2", wednesday) and not in_digest("weekly:4", wednesday)
    assert in_digest("daily", wednesday) and in_digest("instant", wednesday)
    assert not in_digest("off", wednesday)
    assert quiet(time(22, 0)) and quiet(time(3, 0)) and quiet(time(7, 59))
    assert not quiet(time(8, 0)) and not quiet(time(21, 59))
    assert quiet(time(13, 0), time(12, 0), time(14, 0)) and not quiet(time(12), time(9), time(9))
