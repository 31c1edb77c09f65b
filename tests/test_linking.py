"""digest.linking: gov.kz news keys, name skeletons across alphabets, numbers across
conventions, and the cautious choice of a translation among candidates."""

from __future__ import annotations

from datetime import date

import pytest

from digest.dedup import canonical_url
from digest.linking import (
    Candidate,
    LinkFeatures,
    best_link,
    features,
    names_match,
    news_key,
    numbers,
    proper_names,
    skeleton,
)


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
