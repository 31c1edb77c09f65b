"""Articles and digests as Telegram HTML messages. Pure: strings in, strings out.

Everything that comes from a dump (titles, summaries, URLs) and from configuration (topic
names) is escaped here and nowhere else. Messages are split between articles so that none
is longer than Telegram's 4096 characters; an article too long for a message on its own has
its summary cut at a sentence boundary. Lengths are counted in UTF-16 code units, as
Telegram counts them, and over the HTML source, which is never shorter than what the reader
sees, so the limit holds with room to spare.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from telegram.constants import MessageLimit

from digest.compose import Digest
from digest.models import Article

MAX_MESSAGE: int = MessageLimit.MAX_TEXT_LENGTH  # 4096 UTF-16 code units
MAX_TITLE = 300  # a "title" longer than this is a parsing accident; keep it from eating a message
ELLIPSIS = "…"

TopicName = Callable[[str], str]

_SENTENCE_END = re.compile(r"[.!?…](?:[\"'»”)\]]*)(?=\s|$)")
_URL_OK = re.compile(r"^https?://\S+$", re.IGNORECASE)
# How another language version is named under an item, in that language.
LANGUAGE_LABELS = {"kk": "Қаз", "ru": "Рус", "en": "Eng"}


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send, with the articles it carries (recorded once it is sent)."""

    text: str
    article_ids: tuple[int, ...] = ()
    thread_id: int | None = None  # a forum topic's message_thread_id (channel digests)


@dataclass(frozen=True, slots=True)
class _Item:
    section: str | None  # escaped section heading, or None outside a digest
    article: Article


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def cut_at_sentence(text: str, limit: int) -> str:
    """The longest start of `text` whose escaped form fits `limit`, ending on a full sentence.

    Without a sentence end in the part that fits (or only a very early one), the text is cut
    at a word boundary and marked with an ellipsis.
    """
    if tg_len(escape(text)) <= limit:
        return text
    if limit <= tg_len(ELLIPSIS):
        return ""
    # Escaping only ever lengthens, and monotonically with the prefix: binary search.
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if tg_len(escape(text[:mid])) + tg_len(ELLIPSIS) <= limit:
            lo = mid
        else:
            hi = mid - 1
    fits = text[:lo]
    ends = [m.end() for m in _SENTENCE_END.finditer(fits)]
    if ends and ends[-1] >= len(fits) // 3:
        return fits[: ends[-1]].rstrip()
    space = fits.rfind(" ")
    if space > len(fits) // 2:
        fits = fits[:space]
    return fits.rstrip() + ELLIPSIS


def link(url: str | None, label_html: str) -> str:
    """`label_html` linked to `url` when it is a plain http(s) URL, else left as it is."""
    if url and _URL_OK.match(url):
        return f'<a href="{escape(url, quote=True)}">{label_html}</a>'
    return label_html


def _short_title(title: str) -> str:
    return title if len(title) <= MAX_TITLE else cut_at_sentence(title, MAX_TITLE)


def other_languages_html(article: Article, *, titles: bool = False) -> list[str]:
    """The story's other languages, each linked to its version: one line "🌐 Рус · Eng",
    or with `titles` (a reader of every language) one line per language with its title."""
    others = article.other_languages()
    if not others:
        return []
    if titles:
        return [
            f"🌐 {LANGUAGE_LABELS.get(v.lang, escape(v.lang))}: "
            f"{link(v.url, escape(_short_title(v.title)))}"
            for v in others
        ]
    return ["🌐 " + " · ".join(
        link(v.url, LANGUAGE_LABELS.get(v.lang, escape(v.lang))) for v in others
    )]


def article_html(
    article: Article,
    topic_name: TopicName | None = None,
    *,
    limit: int = MAX_MESSAGE,
    all_languages: bool = False,
) -> str:
    """Bold title (linked to its source), date (and topics), the story's other languages,
    summary; at most `limit` long."""
    head = f"<b>{link(article.source_url, escape(_short_title(article.title)))}</b>"
    meta = article.date.strftime("%d.%m.%Y")
    if topic_name is not None and article.topics:
        meta += " · " + ", ".join(topic_name(t) for t in article.topics)
    lines = [head, f"<i>{escape(meta)}</i>",
             *other_languages_html(article, titles=all_languages)]
    fixed = tg_len("\n".join(lines)) + 1
    if article.summary:
        summary = cut_at_sentence(article.summary, max(0, limit - fixed))
        if summary:
            lines.append(escape(summary))
    return "\n".join(lines)


def render_articles(
    articles: Sequence[Article],
    topic_name: TopicName,
    header_html: str,
    *,
    limit: int = MAX_MESSAGE,
    all_languages: bool = False,
) -> list[Outgoing]:
    """A list of articles (/latest, /search) under a heading, split into messages."""
    return _pack(header_html, [_Item(None, a) for a in articles], topic_name, limit,
                 all_languages)


def render_digest(
    digest: Digest, header_html: str, *, limit: int = MAX_MESSAGE, all_languages: bool = False
) -> list[Outgoing]:
    """A digest, grouped by topic; each message knows the article ids it carries."""
    items = [
        _Item(f"<b>▪ {escape(section.title)}</b>", article)
        for section in digest.sections
        for article in section.articles
    ]
    return _pack(header_html, items, None, limit, all_languages)


def _pack(
    header: str, items: Sequence[_Item], topic_name: TopicName | None, limit: int,
    all_languages: bool = False,
) -> list[Outgoing]:
    messages: list[Outgoing] = []
    text, ids = header, list[int]()
    section: str | None = None
    for item in items:
        # Reserve room for the heading and the section heading, so a lone article always fits.
        reserve = tg_len(header) + tg_len(item.section or "") + 4
        block = article_html(item.article, topic_name, limit=limit - reserve,
                             all_languages=all_languages)
        new_section = item.section is not None and item.section != section
        addition = (f"{item.section}\n" if new_section else "") + block
        candidate = f"{text}\n\n{addition}" if text else addition
        if tg_len(candidate) > limit and ids:
            messages.append(Outgoing(text, tuple(ids)))
            # A continued section gets its heading again at the top of the next message.
            addition = (f"{item.section}\n" if item.section else "") + block
            text, ids = addition, []
        else:
            text = candidate
        section = item.section
        ids.append(item.article.id)
    if ids or (text and not messages):
        messages.append(Outgoing(text, tuple(ids)))
    return messages
