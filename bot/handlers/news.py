"""Reading the news: /latest, /digest, /search, and the news language (/newslang).

Every list has one item per story, in the reader's news language when the story has a
version in it (digest.stories), with links to its other languages.
"""

from __future__ import annotations

import re
from html import escape

from telegram import Update

from bot.handlers.context import (
    echo,
    ensure_subscriber,
    reply,
    reply_all,
    reply_unknown_topic,
    topics_of,
    with_reader,
)
from bot.i18n import LANGUAGE_NAMES, t
from bot.render import render_articles
from bot.services import NewsContext, Services
from digest.languages import LANGUAGES
from digest.storage import Subscriber
from digest.stories import ALL

DEFAULT_LATEST = 5
MAX_LATEST = 20
MAX_SEARCH = 10
_NUMBER = re.compile(r"[+-]?\d{1,6}")


@with_reader
async def latest(update: Update, context: NewsContext, lang: str, sub: Subscriber | None) -> None:
    """/latest [TOPIC] [N]: the newest N stories (default 5, at most 20), of a topic or all."""
    svc = context.services
    args = list(context.args or [])
    count = DEFAULT_LATEST
    if args and _NUMBER.fullmatch(args[-1]):
        count = max(1, min(MAX_LATEST, int(args.pop())))
    topic = None
    if args:
        topic = svc.catalog.resolve(" ".join(args))
        if topic is None:
            await reply_unknown_topic(update, svc, lang, " ".join(args))
            return
    reads, all_languages = news_language(lang, sub)
    articles = await svc.store.latest(topic, count, lang=reads)
    if not articles:
        await reply(update, t(lang, "no_articles"))
        return
    header = (
        t(lang, "latest_topic_header", topic=escape(svc.catalog.name(topic, lang)))
        if topic else t(lang, "latest_header")
    )
    await reply_all(update, render_articles(
        articles, lambda tid: svc.catalog.name(tid, lang), header, all_languages=all_languages
    ))


@with_reader
async def digest_now(update: Update, context: NewsContext, lang: str,
                     sub: Subscriber | None) -> None:
    """/digest: the daily digest now. What it sends counts as delivered (see docs/bot.md)."""
    svc = context.services
    if sub is None or not (await topics_of(svc, sub) or await _follows_any(svc, sub.chat_id)):
        await reply(update, t(lang, "digest_no_topics"))
        return
    outcome = await svc.scheduler.send_now(sub)
    if outcome is None:
        await reply(update, t(lang, "digest_nothing"))
    elif outcome.failed:
        # What did go out is recorded as delivered, so trying again sends only the rest. (A
        # blocked or vanished chat cannot be answered; a moved one was served at its new id.)
        await reply(update, t(lang, "digest_failed"))


@with_reader
async def search(update: Update, context: NewsContext, lang: str, sub: Subscriber | None) -> None:
    svc = context.services
    query = " ".join(context.args or []).strip()
    if not query:
        await reply(update, t(lang, "search_usage"))
        return
    reads, all_languages = news_language(lang, sub)
    articles = await svc.store.search(query, MAX_SEARCH, lang=reads)
    if not articles:
        await reply(update, t(lang, "search_nothing", query=echo(query)))
        return
    await reply_all(update, render_articles(
        articles, lambda tid: svc.catalog.name(tid, lang),
        t(lang, "search_header", query=echo(query)), all_languages=all_languages,
    ))


def news_language(lang: str, sub: Subscriber | None) -> tuple[str, bool]:
    """The language of the versions a reader is shown, and whether they read them all."""
    if sub is None:
        return lang, False
    return sub.reads, sub.reads_all


@with_reader
async def newslang(update: Update, context: NewsContext, lang: str,
                   sub: Subscriber | None) -> None:
    """/newslang en|ru|kk|all|auto: the language of the stories' versions a reader gets."""
    svc = context.services
    wanted = (context.args or [""])[0].lower()
    if wanted not in (*LANGUAGES, ALL, "auto"):
        await reply(update, t(lang, "newslang_usage", current=_describe(lang, sub)))
        return
    sub = await ensure_subscriber(update, svc)
    await svc.subscribers.set_news_language(
        sub.chat_id, None if wanted == "auto" else wanted, svc.clock()
    )
    updated = await svc.subscribers.get(sub.chat_id)
    await reply(update, t(sub.language, "newslang_set", current=_describe(sub.language, updated)))


def _describe(lang: str, sub: Subscriber | None) -> str:
    if sub is None or sub.news_language is None:
        return t(lang, "newslang_auto", language=LANGUAGE_NAMES[lang])
    if sub.news_language == ALL:
        return t(lang, "newslang_all")
    return LANGUAGE_NAMES[sub.news_language]


async def _follows_any(svc: Services, chat_id: int) -> bool:
    """Whether the chat follows a keyword: that alone makes a digest (issue 12)."""
    return any(not f.mute for f in await svc.follows.of(chat_id))
