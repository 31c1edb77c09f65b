"""Reading the news: /latest, /digest, /search."""

from __future__ import annotations

import re
from html import escape

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.context import (
    echo,
    reader,
    reader_topics,
    reply,
    reply_all,
    reply_unknown_topic,
    services,
)
from bot.i18n import t
from bot.render import render_articles

DEFAULT_LATEST = 5
MAX_LATEST = 20
MAX_SEARCH = 10
_NUMBER = re.compile(r"[+-]?\d{1,6}")


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/latest [TOPIC] [N]: the newest N articles (default 5, at most 20), of a topic or all."""
    svc = services(context)
    lang, _ = await reader(update, svc)
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
    articles = await svc.store.latest(topic, count)
    if not articles:
        await reply(update, t(lang, "no_articles"))
        return
    header = (
        t(lang, "latest_topic_header", topic=escape(svc.catalog.name(topic, lang)))
        if topic else t(lang, "latest_header")
    )
    await reply_all(update, render_articles(
        articles, lambda tid: svc.catalog.name(tid, lang), header
    ))


async def digest_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest: the daily digest now. What it sends counts as delivered (see docs/bot.md)."""
    svc = services(context)
    lang, sub, topics = await reader_topics(update, svc)
    if sub is None or not topics:
        await reply(update, t(lang, "digest_no_topics"))
        return
    outcome = await svc.scheduler.send_now(sub)
    if outcome is None:
        await reply(update, t(lang, "digest_nothing"))
    elif outcome.failed:
        # What did go out is recorded as delivered, so trying again sends only the rest. (A
        # blocked or vanished chat cannot be answered; a moved one was served at its new id.)
        await reply(update, t(lang, "digest_failed"))


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    lang, _ = await reader(update, svc)
    query = " ".join(context.args or []).strip()
    if not query:
        await reply(update, t(lang, "search_usage"))
        return
    articles = await svc.store.search(query, MAX_SEARCH)
    if not articles:
        await reply(update, t(lang, "search_nothing", query=echo(query)))
        return
    await reply_all(update, render_articles(
        articles, lambda tid: svc.catalog.name(tid, lang),
        t(lang, "search_header", query=echo(query)),
    ))
