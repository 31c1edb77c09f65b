"""HTML rendering of articles and digests: escaping, links, splitting at 4096, cutting."""

from __future__ import annotations

from datetime import date

import pytest

from bot.render import (
    MAX_MESSAGE,
    article_html,
    cut_at_sentence,
    render_articles,
    render_digest,
    tg_len,
)
from digest.compose import Digest, DigestSection
from digest.models import Article
from tests.support.telegram_html import parse_html


def article(i: int, summary: str = "A short summary.", **kw: object) -> Article:
    fields: dict[str, object] = {
        "id": i, "title": f"Title {i}", "date": date(2026, 2, 10), "body": "body",
        "source_url": None, "lang": "en", "summary": summary, "topics": ["economy"],
    }
    fields.update(kw)
    return Article(**fields)  # type: ignore[arg-type]


def name(topic: str) -> str:
    return {"economy": "Economy", "health": "Health & care"}[topic]


def test_dump_text_is_escaped_and_the_title_links_to_its_source() -> None:
    a = article(1, summary="Prices <b>rose</b> & fell.", title="A <i>title</i> & more",
                source_url='https://gov.kz/news?a=1&b="2"', topics=["economy", "health"])
    html = article_html(a, name)
    assert html.startswith(
        '<b><a href="https://gov.kz/news?a=1&amp;b=&quot;2&quot;">'
        "A &lt;i&gt;title&lt;/i&gt; &amp; more</a></b>\n"
    )
    assert "<i>10.02.2026 · Economy, Health &amp; care</i>" in html
    assert html.endswith("Prices &lt;b&gt;rose&lt;/b&gt; &amp; fell.")
    # What the reader sees: the markup-like text as text, the title a link to its source.
    text, entities = parse_html(html)
    assert text.startswith("A <i>title</i> & more\n")
    assert text.endswith("Prices <b>rose</b> & fell.")
    [link] = [e for e in entities if e["type"] == "text_link"]
    assert link["url"] == 'https://gov.kz/news?a=1&b="2"'
    assert text[link["offset"]:link["offset"] + link["length"]] == "A <i>title</i> & more"


def test_no_link_without_a_plain_http_url() -> None:
    for url in (None, "javascript:alert(1)"):
        _, entities = parse_html(article_html(article(1, source_url=url)))
        assert entities and all(e["type"] != "text_link" for e in entities)


def test_short_list_is_one_message_with_its_ids() -> None:
    messages = render_articles([article(1), article(2)], name, "<b>Latest</b>")
    assert len(messages) == 1
    assert messages[0].article_ids == (1, 2)
    assert messages[0].text.startswith("<b>Latest</b>\n\n<b>Title 1</b>")


def test_long_digest_splits_between_articles_and_repeats_the_section_heading() -> None:
    summary = "This sentence is about the economy. " * 20  # ~720 characters
    articles = [article(i, summary=summary.strip()) for i in range(1, 16)]
    digest = Digest([DigestSection("economy", "Economy", articles[:10]),
                     DigestSection("health", "Health", articles[10:])])
    messages = render_digest(digest, "<b>Your digest</b>")
    assert len(messages) >= 3
    assert all(tg_len(m.text) <= MAX_MESSAGE for m in messages)
    # Each message is HTML Telegram accepts (a split never leaves a tag open).
    visible = [parse_html(m.text)[0] for m in messages]
    # Every article exactly once, in order, and no article split across messages.
    assert [i for m in messages for i in m.article_ids] == list(range(1, 16))
    for m, text in zip(messages, visible, strict=True):
        assert text.count("Title ") == len(m.article_ids)
    assert messages[0].text.startswith("<b>Your digest</b>\n\n<b>▪ Economy</b>\n")
    # A message that starts in the middle of a section shows the section again.
    assert messages[1].text.startswith("<b>▪ ")


def test_a_single_huge_summary_is_cut_at_a_sentence_boundary() -> None:
    sentences = [f"Sentence number {i} says something long about the budget." for i in range(400)]
    huge = article(7, summary=" ".join(sentences))
    messages = render_digest(Digest([DigestSection("economy", "Economy", [huge])]), "<b>D</b>")
    assert len(messages) == 1
    text = messages[0].text
    assert tg_len(text) <= MAX_MESSAGE
    assert parse_html(text)[0].endswith("about the budget.")
    assert tg_len(text) > MAX_MESSAGE - 200  # cut near the limit, not far before it


def test_cut_counts_the_escaped_length() -> None:
    text = "&&&&. " * 400
    cut = cut_at_sentence(text, 500)
    assert tg_len(cut.replace("&", "&amp;")) <= 500
    assert cut.endswith(".")


def test_cut_without_sentences_falls_back_to_a_word_and_an_ellipsis() -> None:
    cut = cut_at_sentence("word " * 1000, 100)
    assert cut.endswith("word…")
    assert tg_len(cut) <= 100


def test_cut_leaves_short_text_alone() -> None:
    assert cut_at_sentence("Short. Text", 100) == "Short. Text"


@pytest.mark.parametrize(("emoji", "units"), [("😀", 2), ("🇰🇿", 4)])
def test_lengths_are_counted_in_utf16_units_as_telegram_does(emoji: str, units: int) -> None:
    assert tg_len(emoji) == units
    summary = (emoji * 10 + ". ") * 500  # 11,000 units, 6,000 code points: must be cut
    [message] = render_articles([article(1, summary=summary)], name, "H")
    # Counted here independently of tg_len: with code points the cut would come far too late.
    utf16_units = len(message.text.encode("utf-16-le")) // 2
    assert MAX_MESSAGE - 100 < utf16_units <= MAX_MESSAGE


def test_rendered_text_round_trips_to_the_original() -> None:
    a = article(3, summary="5 < 6 & \"quotes\" 'apostrophes'")
    text, _ = parse_html(article_html(a))
    assert text.endswith("5 < 6 & \"quotes\" 'apostrophes'")
