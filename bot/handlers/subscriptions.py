"""Topics (keyboard and commands) and when the daily digest comes."""

from __future__ import annotations

from functools import cache
from html import escape
from zoneinfo import available_timezones

from telegram import Update
from telegram.error import BadRequest

from bot.errors import is_not_modified
from bot.handlers.context import (
    TOPIC_CALLBACK,
    echo,
    ensure_subscriber,
    local_time,
    reader,
    reply,
    reply_unknown_topic,
    topic_list,
    topics_keyboard,
    topics_of,
    with_reader,
)
from bot.i18n import t
from bot.services import NewsContext, Services
from digest.schedule import parse_hhmm
from digest.storage import Subscriber


@with_reader
async def topics_command(update: Update, context: NewsContext, lang: str,
                         sub: Subscriber | None) -> None:
    svc = context.services
    await reply(update, t(lang, "topics_prompt"),
                reply_markup=topics_keyboard(svc.catalog, await topics_of(svc, sub), lang))


async def toggle_topic(update: Update, context: NewsContext) -> None:
    """A tap on the topic keyboard: flip the subscription, answer, redraw the ✅ marks."""
    svc = context.services
    query = update.callback_query
    assert query is not None and query.data is not None
    topic = query.data.removeprefix(TOPIC_CALLBACK)
    if svc.catalog.get(topic) is None:  # a keyboard from before the topics file changed
        lang, _ = await reader(update, svc)
        await query.answer(t(lang, "unknown_topic", text=topic, topics="/topics"))
        return
    sub = await ensure_subscriber(update, svc)
    lang = sub.language
    subscribed = await svc.subscribers.toggle(sub.chat_id, topic, svc.clock())
    topics = await svc.subscribers.topics(sub.chat_id)
    name = svc.catalog.name(topic, lang)
    await query.answer(t(lang, "cb_subscribed" if subscribed else "cb_unsubscribed", topic=name))
    keyboard = topics_keyboard(svc.catalog, topics, lang)
    try:
        await query.edit_message_reply_markup(keyboard)
    except BadRequest as exc:
        # The change is made and the answer says so. Nothing to redraw (two quick taps, or a
        # keyboard that already showed this state) is fine; a message that can no longer be
        # edited (too old, gone) gets a fresh keyboard below it instead.
        if is_not_modified(exc):
            return
        await context.bot.send_message(sub.chat_id, t(lang, "topics_prompt"),
                                       reply_markup=keyboard)


async def _typed_topics(
    update: Update, svc: Services, lang: str, args: list[str]
) -> list[str] | None:
    """Topic ids for what the user typed (one name, or several ids), each once; None, after
    telling the user which topics there are, when any of it is not a topic."""
    whole = svc.catalog.resolve(" ".join(args))
    if whole is not None:
        return [whole]
    found = [svc.catalog.resolve(word) for word in (w.strip(",") for w in args) if word]
    topics = [topic for topic in found if topic is not None]
    if not topics or len(topics) < len(found):
        await reply_unknown_topic(update, svc, lang, " ".join(args))
        return None
    return list(dict.fromkeys(topics))


@with_reader
async def subscribe(update: Update, context: NewsContext, lang: str,
                    sub: Subscriber | None) -> None:
    svc = context.services
    args = context.args or []
    if not args:
        await reply(update, t(lang, "subscribe_usage", topics=topic_list(svc.catalog, lang)))
        return
    topics = await _typed_topics(update, svc, lang, args)
    if topics is None:
        return
    sub = await ensure_subscriber(update, svc)
    added = await svc.subscribers.subscribe(sub.chat_id, topics, svc.clock())
    sub = await svc.subscribers.get(sub.chat_id) or sub
    lines = [
        t(lang, "subscribed", topic=escape(svc.catalog.name(topic, lang)),
          time=escape(sub.digest_time), tz=escape(sub.timezone))
        if topic in added else
        t(lang, "already_subscribed", topic=escape(svc.catalog.name(topic, lang)))
        for topic in topics
    ]
    await reply(update, "\n".join(lines))


@with_reader
async def unsubscribe(update: Update, context: NewsContext, lang: str,
                      sub: Subscriber | None) -> None:
    svc = context.services
    current = await topics_of(svc, sub)
    args = context.args or []
    if not args:
        await reply(update, t(lang, "unsubscribe_usage"))
        return
    if len(args) == 1 and args[0].lower() in {"all", "все", "всё", "барлығы", "барлық"}:
        if sub is not None:
            await svc.subscribers.unsubscribe(sub.chat_id, None, svc.clock())
        await reply(update, t(lang, "unsubscribed_all"))
        return
    topics = await _typed_topics(update, svc, lang, args)
    if topics is None:
        return
    if sub is not None:
        await svc.subscribers.unsubscribe(sub.chat_id, topics, svc.clock())
    await reply(update, "\n".join(
        t(lang, "unsubscribed" if topic in current else "not_subscribed",
          topic=escape(svc.catalog.name(topic, lang)))
        for topic in topics
    ))


@with_reader
async def time_command(update: Update, context: NewsContext, lang: str,
                       sub: Subscriber | None) -> None:
    svc = context.services
    value = " ".join(context.args or [])
    if not value:
        await reply(update, t(lang, "time_current",
                              time=escape(sub.digest_time if sub else svc.settings.digest_time),
                              tz=escape(sub.timezone if sub else svc.settings.timezone)))
        return
    try:
        clock = parse_hhmm(value)
    except ValueError:
        await reply(update, t(lang, "time_invalid", value=echo(value)))
        return
    sub = await ensure_subscriber(update, svc)
    sub = await svc.subscribers.set_schedule(
        sub.chat_id, svc.clock(), digest_time=clock.strftime("%H:%M")
    )
    await reply(update, _with_next(
        lang, sub, t(lang, "time_set", time=escape(sub.digest_time), tz=escape(sub.timezone))
    ))


@with_reader
async def timezone_command(update: Update, context: NewsContext, lang: str,
                           sub: Subscriber | None) -> None:
    svc = context.services
    value = " ".join(context.args or [])
    if not value:
        await reply(update, t(lang, "tz_current",
                              tz=escape(sub.timezone if sub else svc.settings.timezone)))
        return
    # Only names in the zone database: ZoneInfo itself would also try to open "Asia" (a
    # directory) or a 300-character name as files, and fail with OSError, not ValueError.
    zone = _known_zones().get(value.casefold())
    if zone is None:
        await reply(update, t(lang, "tz_invalid", value=echo(value)))
        return
    sub = await ensure_subscriber(update, svc)
    sub = await svc.subscribers.set_schedule(sub.chat_id, svc.clock(), timezone=zone)
    await reply(update, _with_next(
        lang, sub, t(lang, "tz_set", tz=escape(sub.timezone), time=escape(sub.digest_time))
    ))


def _with_next(lang: str, sub: Subscriber, text: str) -> str:
    if sub.next_digest_at is None:
        return text
    return f"{text}\n{t(lang, 'next_digest', next=local_time(sub.next_digest_at, sub.timezone))}"


@cache
def _known_zones() -> dict[str, str]:
    """IANA names by their case-folded form, so `asia/almaty` is understood too."""
    return {name.casefold(): name for name in available_timezones()}
