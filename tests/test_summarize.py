"""Summaries: cleaning, length, order and every algorithm offline in three languages."""

from __future__ import annotations

import math
import socket
from collections import Counter

import pytest

from digest.summarize import ALGORITHMS, candidate_sentences, quote_units, summarize
from digest.text import split_sentences

EN_TITLE = "Kazakhstan budget deficit to fall to 0.9% of GDP by 2028"
EN_BODY = (
    "Astana, 10 February 2026 - Kazakhstan budget deficit to fall to 0.9% of GDP by 2028. "
    "The Prime Minister reported on the budget reform to the President of Kazakhstan. "
    "Tax and budget reforms made it possible to form a three-year budget without transfers "
    "from the National Fund. As a result, the budget deficit will fall to 0.9% of GDP by 2028. "
    "The dependence of local budgets on the republican budget is also decreasing. "
    "Photo: press service of the Government. "
    "GDP growth for the year reached 6.5%, driven by construction and transport. "
    "The President said the budget reform must continue next year.\n"
    "Source : https://www.gov.kz/memleket/entities/kostanai/press/news/details/1158714?lang=kk"
)
RU_TITLE = "Бюджет Казахстана станет устойчивее"
RU_BODY = (
    "На расширенном заседании Правительства премьер-министр доложил Президенту о реформе. "
    "Налоговая и бюджетная реформы позволили сформировать трехлетний бюджет без трансфертов. "
    "В 2024 г. рост экономики составил 5,1%, а инвестиции выросли на 1,5 млрд. долларов. "
    "Дефицит бюджета снизится до 0,9% ВВП к 2028 году. "
    "Зависимость местных бюджетов от республиканского бюджета также снижается. "
    "Президент поручил продолжить реформу бюджета в следующем году. "
    "Источник: https://www.gov.kz/memleket/entities/mfa?lang=ru"
)
KK_TITLE = "Қазақстан экономикасы тұрақты өсуде"
KK_BODY = (
    "Үкіметтің кеңейтілген отырысында Премьер-министр Президентке экономикалық реформалар "
    "туралы баяндады. Салық және бюджет реформалары үш жылдық бюджетті қалыптастыруға "
    "мүмкіндік берді. 2025 ж. экономиканың өсімі 6,5% құрады. Құрылыс пен көлік салалары "
    "экономиканың өсуіне үлкен үлес қосты. Жергілікті бюджеттердің республикалық бюджетке "
    "тәуелділігі азаюда. Б. Момышұлы атындағы орталықта да экономикалық реформа талқыланды. "
    "Дереккөз: https://www.gov.kz/memleket/entities/mfa?lang=kk"
)
ARTICLES = [("en", EN_TITLE, EN_BODY), ("ru", RU_TITLE, RU_BODY), ("kk", KK_TITLE, KK_BODY)]


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket or load NLTK data fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the summariser tried to use the network or NLTK data")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    import nltk

    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(nltk.data, "load", refuse)
    monkeypatch.setattr(nltk.data, "find", refuse)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize(("lang", "title", "body"), ARTICLES)
def test_every_algorithm_runs_offline_in_every_language(
    offline: None, algorithm: str, lang: str, title: str, body: str
) -> None:
    summary = summarize(title, body, lang, algorithm=algorithm, sentences=3)
    sentences = split_sentences(summary, lang)
    assert len(sentences) == 3
    assert all(s in body for s in sentences)
    assert "http" not in summary and "Source" not in summary
    assert "Источник" not in summary and "Дереккөз" not in summary
    assert title not in summary


def test_title_dateline_photo_credit_and_source_never_appear() -> None:
    candidates = candidate_sentences(EN_TITLE, EN_BODY, "en")
    assert candidates[0].startswith("The Prime Minister reported")
    assert not any("Photo" in c or "Source" in c or "Astana, 10" in c for c in candidates)
    assert EN_TITLE + "." not in candidates
    for n in (1, 3, 5, 20):
        summary = summarize(EN_TITLE, EN_BODY, "en", algorithm="lead", sentences=n)
        assert "Photo:" not in summary and "Source" not in summary and EN_TITLE not in summary


def test_a_dateline_prefix_is_stripped_but_its_sentence_kept() -> None:
    body = "New Delhi, 10 Febuary 2026 - H.E. Azamat Yeskarayev met Dr. Bina George. They talked."
    assert candidate_sentences("Meeting", body, "en")[0] == (
        "H.E. Azamat Yeskarayev met Dr. Bina George."
    )


def test_short_article_is_kept_whole() -> None:
    body = "The first sentence is here. The second one follows it.\nSource : https://gov.kz/x"
    for algorithm in ALGORITHMS:
        assert summarize("Title", body, "en", algorithm=algorithm, sentences=3) == (
            "The first sentence is here. The second one follows it."
        )


def test_empty_body_gives_an_empty_summary() -> None:
    assert summarize("Title", "", "en") == ""
    assert summarize("Title", "Source : https://gov.kz/x", "en") == ""


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_sentences_keep_their_original_order(algorithm: str) -> None:
    summary = summarize(EN_TITLE, EN_BODY, "en", algorithm=algorithm, sentences=4)
    positions = [EN_BODY.index(s) for s in split_sentences(summary, "en")]
    assert positions == sorted(positions) and len(positions) == 4


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("budget", [100, 150, 300])
def test_max_chars_is_respected(algorithm: str, budget: int) -> None:
    summary = summarize(EN_TITLE, EN_BODY, "en", algorithm=algorithm, sentences=50,
                        max_chars=budget)
    assert 0 < len(summary) <= budget


def test_max_chars_fills_the_budget_past_a_sentence_that_does_not_fit() -> None:
    body = "The first one is short. " + "A much longer sentence " * 10 + "ends. The last one is tiny."
    summary = summarize("T", body, "en", algorithm="lead", sentences=5, max_chars=50)
    assert summary == "The first one is short. The last one is tiny."


@pytest.mark.parametrize("algorithm", ["default", "lead", "textrank"])
def test_a_sentence_longer_than_the_budget_is_left_out_never_cut(algorithm: str) -> None:
    body = "One very long sentence with many words that goes on and on. Another long one, too long."
    assert summarize("T", body, "en", algorithm=algorithm, sentences=1, max_chars=20) == ""
    summary = summarize("T", body, "en", algorithm=algorithm, sentences=3, max_chars=70)
    assert summary in ("One very long sentence with many words that goes on and on.",
                       "Another long one, too long.")


QUALITY_TITLE = "Pensions and benefits grow from January"
QUALITY_BODY = (
    "ASTANA. KAZINFORM — Pensions and state benefits in Kazakhstan grew by ten percent "
    "from the first of January.\n"
    "Main figures\n"
    "The ministry named the new amounts:\n"
    "• the minimum pension is 69,049 tenge;\n"
    "- the subsistence minimum is 50,851 tenge;\n"
    "🔹 benefits for large families also grew\n"
    "Good news.\n"
    "The minister said that payments will keep pace with inflation next year as well. "
    "\"We have kept our promise. Every pension was recalculated on time. Nobody needs to "
    "apply,\" the minister told reporters at the briefing in Astana. "
    "The increase covers more than two million pensioners across all regions of the country."
)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("max_chars", [None, 600, 250])
def test_summaries_are_whole_self_standing_sentences(
    algorithm: str, max_chars: int | None
) -> None:
    summary = summarize(QUALITY_TITLE, QUALITY_BODY, "en", algorithm=algorithm, sentences=3,
                        max_chars=max_chars)
    assert summary
    for banned in ("KAZINFORM", "Main figures", "amounts:", "•", "subsistence", "🔹",
                   "Good news."):
        assert banned not in summary
    assert summary.endswith((".", '"')) and summary.lstrip('"')[0].isupper()
    # The three-sentence quotation is there whole or not at all.
    parts = ["We have kept our promise.", "Every pension was recalculated on time.",
             "Nobody needs to apply"]
    assert sum(p in summary for p in parts) in (0, 3)
    if max_chars is not None:
        assert len(summary) <= max_chars


def test_candidates_drop_fragments_bullets_line_ups_headings_and_datelines() -> None:
    candidates = candidate_sentences(QUALITY_TITLE, QUALITY_BODY, "en")
    assert candidates[0].startswith("Pensions and state benefits in Kazakhstan grew")
    assert len(candidates) == 6
    assert not any(c.endswith(":") or c.startswith(("•", "-", "🔹")) for c in candidates)


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("АСТАНА. KAZINFORM — Бүгін Үкімет отырысында бюджет мәселесі қаралды.",
         "Бүгін Үкімет отырысында бюджет мәселесі қаралды."),
        ("НҰР-СҰЛТАН. ҚазАқпарат – Бүгін Үкімет отырысында бюджет мәселесі қаралды.",
         "Бүгін Үкімет отырысында бюджет мәселесі қаралды."),
        ("АЛМАТЫ, 12 қараша – Sputnik. Бүгін Үкімет отырысында бюджет мәселесі қаралды.",
         "Бүгін Үкімет отырысында бюджет мәселесі қаралды."),
        ("АСТАНА.KAZINFORM – Бүгін Үкімет отырысында бюджет мәселесі қаралды.",
         "Бүгін Үкімет отырысында бюджет мәселесі қаралды."),
    ],
)
def test_agency_datelines_are_stripped(first: str, expected: str) -> None:
    body = f"{first} Қатысушылар ұсыныстарды толық қолдады деп хабарланды."
    assert candidate_sentences("Бюджет", body, "kk")[0] == expected


def test_quotation_units_keep_a_quote_together_and_drop_a_stray_tail() -> None:
    sentences = [
        "«Мы выполним план в срок.",
        "Это наша главная задача», — сказал министр.",
        "Работы начнутся весной следующего года.",
        "Об этом сообщили в министерстве», — добавил он.",
    ]
    assert quote_units(sentences) == [(0, 2), (2, 3)]


def test_the_speaker_initial_is_quoted_exactly() -> None:
    body = (
        "Бүгін Ә.Тойбаев жиналыста жаңа бағдарламаны таныстырды. "
        "Бағдарлама бойынша биыл елу мектеп салынады деп хабарланды."
    )
    summary = summarize("Бағдарлама", body, "kk", sentences=3)
    assert "Ә.Тойбаев" in summary and "Ә. Тойбаев" not in summary


def test_unknown_algorithm_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown summary algorithm 'magic'"):
        summarize("T", EN_BODY, "en", algorithm="magic")


def test_algorithms_match_the_settings_literal() -> None:
    from typing import get_args

    from digest.settings import Algorithm

    assert set(get_args(Algorithm)) == set(ALGORITHMS)


def _naive_rank(title: str, body: str, lang: str, words: bool = False) -> list[float]:
    """TextRank on the explicit sentence-by-sentence cosine matrix (quadratic), for reference:
    of content stems, or with `words` of whole words less function words."""
    from digest.summary_model import (
        RANK_DAMPING,
        RANK_ITERATIONS,
        profile,
        similarity,
        word_profile,
    )

    candidates = candidate_sentences(title, body, lang)
    prof = word_profile(candidates, lang) if words else profile(candidates, lang)
    n = len(candidates)
    matrix = [[similarity(prof, i, j) if i != j else 0.0 for j in range(n)] for i in range(n)]
    degree = [sum(row) for row in matrix]
    scores = [1.0] * n
    for _ in range(RANK_ITERATIONS):
        scores = [
            (1 - RANK_DAMPING)
            + RANK_DAMPING
            * sum(matrix[i][j] * scores[j] / degree[j] for j in range(n) if degree[j] > 1e-9)
            for i in range(n)
        ]
    return _standardised(scores)


def _standardised(values: list[float]) -> list[float]:
    import math

    mean = sum(values) / len(values)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return [(v - mean) / spread for v in values]


@pytest.mark.parametrize("lang, title, body", ARTICLES)
def test_the_rank_feature_is_textrank_on_the_cosine_graph(
    lang: str, title: str, body: str
) -> None:
    from digest.summary_model import FEATURES, features, profile

    candidates = candidate_sentences(title, body, lang)
    rows = features(title, candidates, lang, profile(candidates, lang))
    column = FEATURES.index("rank")
    expected = _naive_rank(title, body, lang)
    assert len(set(round(e, 6) for e in expected)) > 1  # the sentences do differ
    assert [row[column] for row in rows] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("lang, title, body", ARTICLES)
def test_the_word_graph_features_are_degree_and_textrank_on_whole_words(
    lang: str, title: str, body: str
) -> None:
    from digest.summary_model import (
        FEATURES,
        WORD_GRAPH_FEATURES,
        features,
        profile,
        similarity,
        word_profile,
    )

    candidates = candidate_sentences(title, body, lang)
    prof = profile(candidates, lang)
    rows = features(title, candidates, lang, prof)
    words = word_profile(candidates, lang)
    n = len(candidates)
    degree = _standardised(
        [sum(similarity(words, i, j) for j in range(n) if j != i) for i in range(n)]
    )
    rank = _naive_rank(title, body, lang, words=True)
    assert len(set(round(r, 6) for r in rank)) > 1
    assert [row[FEATURES.index("word_degree")] for row in rows] == pytest.approx(degree, abs=1e-9)
    assert [row[FEATURES.index("word_rank")] for row in rows] == pytest.approx(rank, abs=1e-9)
    # A model that does not read them does not pay for them: they are left at zero.
    others = [f for f in FEATURES if f not in WORD_GRAPH_FEATURES]
    lean = features(title, candidates, lang, prof, others)
    assert all(row[FEATURES.index("word_rank")] == 0.0 for row in lean)
    kept = [FEATURES.index(f) for f in others]
    assert [[row[c] for c in kept] for row in lean] == [[row[c] for c in kept] for row in rows]


def test_the_word_graph_keeps_inflections_apart_and_drops_only_function_words() -> None:
    from digest.summary_model import profile, similarity, word_profile

    candidates = ["The council approved the plan.", "It approves such plans yearly."]
    # Stems link "approved" with "approves" and "plan" with "plans"; whole words do not.
    assert similarity(profile(candidates, "en"), 0, 1) > 0.5
    assert similarity(word_profile(candidates, "en"), 0, 1) == 0.0
    # "said" is a stop word for the stemmed profile but a word of the graph.
    said = ["The minister said it twice.", "Officials said nothing more."]
    assert similarity(profile(said, "en"), 0, 1) == 0.0
    assert similarity(word_profile(said, "en"), 0, 1) > 0.0


@pytest.mark.parametrize("lang, title, body", ARTICLES)
def test_a_long_article_gets_the_same_profile_kept_sparse_as_dense(
    lang: str, title: str, body: str
) -> None:
    """Long articles skip the dense count matrix; the counts, norms and cosines (exact
    integer sums over the same norms) must not depend on which way they were computed."""
    import numpy as np

    from digest.summary_model import content_words, similarity, term_profile

    candidates = candidate_sentences(title, body, lang)
    sentences = content_words(candidates, lang)
    dense, sparse = term_profile(sentences), term_profile(sentences, dense_limit=0)
    assert dense.terms == sparse.terms
    for field in ("rows", "cols", "counts", "norms", "cosines"):
        assert np.array_equal(getattr(dense, field), getattr(sparse, field)), field
    # And each cosine is the formula's: shared counts' products over the two norms.
    assert len(candidates) > 2
    for i in range(len(candidates)):
        for j in range(len(candidates)):
            a, b = Counter(sentences[i]), Counter(sentences[j])
            norms = math.sqrt(sum(c * c for c in a.values())) * math.sqrt(
                sum(c * c for c in b.values()))
            expected = 1.0 if i == j and norms else (
                sum(c * b[w] for w, c in a.items()) / norms if norms else 0.0)
            assert similarity(sparse, i, j) == expected


def test_each_model_reads_its_own_features_and_unknown_ones_are_refused(tmp_path) -> None:
    import json

    from digest.summary_model import FEATURES, MODEL_FILE, load_model, load_models

    english, russian = load_model("en"), load_model("ru")
    assert english.features == FEATURES
    assert set(russian.features) < set(FEATURES)  # the Cyrillic model uses a subset
    assert "word_rank" in english.features and "word_rank" not in russian.features
    assert russian == load_model("kk")
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["models"]["ru"]["features"][0] = "no_such_feature"
    broken = tmp_path / "model.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="refit"):
        load_models(broken)
