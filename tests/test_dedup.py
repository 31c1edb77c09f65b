"""Fingerprints: canonical URLs, normalised-text identity, MinHash near-duplicates."""

from __future__ import annotations

import numpy as np

from digest import dedup

STORY = (
    "A round table was held at the \"House of Friendship\" in Shymkent with representatives of "
    "ethnocultural associations on the topic \"The basis of Kazakhstan's statehood is unity.\" "
    "Members of the Council of Elders under the city's Assembly of the People of Kazakhstan "
    "took part, and the Mothers' Council spoke about the draft of the new Constitution. "
    "The participants discussed the draft extensively and expressed their full support."
)
STRIPPED = STORY.replace('"', "").replace("'", "")


def test_canonical_url_keeps_lang_and_drops_noise() -> None:
    base = "https://www.gov.kz/memleket/entities/mfa/press/news/details/1158580?lang=kk"
    assert dedup.canonical_url(base) == dedup.canonical_url(
        "HTTP://WWW.GOV.KZ/memleket/entities/mfa/press/news/details/1158580/?utm_source=tg&lang=kk#top"
    )
    # A translation under another ?lang= is a different text.
    assert dedup.canonical_url(base) != dedup.canonical_url(base.replace("lang=kk", "lang=ru"))
    assert dedup.canonical_url(None) is None
    assert dedup.canonical_url("not a url") is None


def test_text_key_ignores_case_spacing_and_unicode_forms() -> None:
    assert dedup.text_key("Title", "Growth  was\u00a00.9%.") == dedup.text_key("TITLE", "growth was 0.9% .")
    assert dedup.text_key("Title", "Growth was 0.9%.") != dedup.text_key("Title", "Growth was 0.8%.")


def test_quote_stripped_copy_is_not_exact_but_is_near() -> None:
    assert dedup.text_key("T", STORY) != dedup.text_key("T", STRIPPED)
    assert dedup.similarity(dedup.minhash(STORY), dedup.minhash(STRIPPED)) >= 0.95


def test_different_stories_are_far_apart() -> None:
    other = ("Farmers of Kostanay region started the spring sowing campaign on 4.9 million "
             "hectares, with subsidies for seeds and fertilisers paid through a digital platform.")
    assert dedup.similarity(dedup.minhash(STORY), dedup.minhash(other)) < 0.2


def test_changed_sentence_is_still_near() -> None:
    changed = STORY.replace("expressed their full support", "voiced their complete backing")
    assert dedup.similarity(dedup.minhash(STORY), dedup.minhash(changed)) >= 0.7


def test_bands_share_a_key_exactly_when_signatures_agree() -> None:
    a = dedup.band_keys(dedup.minhash(STORY))
    b = dedup.band_keys(dedup.minhash(STRIPPED))
    assert len(a) == dedup.BANDS and dedup.BANDS * dedup.ROWS <= dedup.NUM_PERM
    # Quotes do not count in shingles, so the stripped copy has the same signature.
    assert a == b
    changed = STORY.replace("expressed their full support", "voiced their complete backing")
    assert set(a) & set(dedup.band_keys(dedup.minhash(changed)))
    unrelated = dedup.band_keys(dedup.minhash("completely different words about sport events"))
    assert not set(a) & set(unrelated)


def test_quality_prefers_url_then_quotes_then_length() -> None:
    assert dedup.quality(STRIPPED, "https://a.kz/1") > dedup.quality(STORY, None)
    assert dedup.quality(STORY, None) > dedup.quality(STRIPPED, None)
    assert dedup.quality(STRIPPED + " More.", None) > dedup.quality(STRIPPED, None)


def test_signatures_stay_what_stored_databases_hold() -> None:
    # Signatures are stored and compared with those of later ingests: the scheme (datasketch
    # 2.0's "affine32", seed 1) must never change, whatever library versions are installed.
    signature = dedup.minhash("The ministry approved the regional budget for next year.")
    assert signature.dtype == np.uint32 and len(signature) == dedup.NUM_PERM
    assert signature[:6].tolist() == [
        439431608, 24708541, 257644448, 266225161, 788872669, 368286950
    ]
    assert set(dedup.minhash("").tolist()) == {2**32 - 1}


def test_fingerprints_fold_title_and_body_once_with_the_same_results() -> None:
    # ASCII, a pound sign, letters that NFKC or case folding change (ligature, superscript,
    # long s, Kelvin sign, sharp s), combining marks on either side of the line break, Cyrillic.
    pairs = [("Title", STORY), ("Profit £600m", "Up 76% to $1.13bn (£600m)."),
             ("ﬁnal ²", "Straße ſ K Å"), ("e\u0301", "\u0301a"), ("Заголовок", "Тоқаев «сказал»."),
             ("", ""), ("a", "b")]
    for title, body in pairs:
        signature, key = dedup.fingerprints(title, body)
        assert np.array_equal(signature, dedup.minhash(f"{title}\n{body}"))
        assert key == dedup.text_key(title, body)
