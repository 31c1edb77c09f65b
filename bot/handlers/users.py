"""Greeting, help, interface language, /stop, and the hint for anything not understood."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.handlers.context import ensure_subscriber, reply, topics_keyboard, with_reader
from bot.i18n import LANGUAGE_NAMES, t
from bot.services import NewsContext
from digest.languages import LANGUAGES
from digest.storage import Subscriber


async def start(update: Update, context: NewsContext) -> None:
    svc = context.services
    sub = await ensure_subscriber(update, svc)
    await svc.subscribers.reactivate(sub.chat_id, svc.clock())
    lang = sub.language
    topics = await svc.subscribers.topics(sub.chat_id)
    welcome = t(lang, "welcome", time=escape(sub.digest_time), tz=escape(sub.timezone))
    await reply(update, f"{welcome}\n\n{t(lang, 'topics_prompt')}",
                reply_markup=topics_keyboard(svc.catalog, topics, lang))


@with_reader
async def help_command(update: Update, context: NewsContext, lang: str,
                       sub: Subscriber | None) -> None:
    text = t(lang, "help")
    if context.services.is_admin(update):
        text += t(lang, "help_admin")
    await reply(update, text)


@with_reader
async def lang_command(update: Update, context: NewsContext, lang: str,
                       sub: Subscriber | None) -> None:
    svc = context.services
    wanted = (context.args or [""])[0].lower()
    if wanted not in LANGUAGES:
        await reply(update, t(lang, "lang_usage", current=LANGUAGE_NAMES[lang]))
        return
    sub = await ensure_subscriber(update, svc)
    await svc.subscribers.set_language(sub.chat_id, wanted, svc.clock())
    await reply(update, t(wanted, "lang_set"))


@with_reader
async def stop(update: Update, context: NewsContext, lang: str, sub: Subscriber | None) -> None:
    if sub is not None:
        svc = context.services
        await svc.subscribers.stop(sub.chat_id, svc.clock())
    await reply(update, t(lang, "stopped"))


@with_reader
async def unknown(update: Update, context: NewsContext, lang: str,
                  sub: Subscriber | None) -> None:
    await reply(update, t(lang, "unknown"))
