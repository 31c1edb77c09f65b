"""Greeting, help, interface language, /stop, and the hint for anything not understood."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.context import (
    ensure_subscriber,
    reader,
    reply,
    services,
    topics_keyboard,
)
from bot.i18n import LANGUAGE_NAMES, t
from digest.languages import LANGUAGES


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    sub = await ensure_subscriber(update, svc)
    await svc.subscribers.reactivate(sub.chat_id, svc.clock())
    lang = sub.language
    topics = await svc.subscribers.topics(sub.chat_id)
    welcome = t(lang, "welcome", time=escape(sub.digest_time), tz=escape(sub.timezone))
    await reply(update, f"{welcome}\n\n{t(lang, 'topics_prompt')}",
                reply_markup=topics_keyboard(svc.catalog, topics, lang))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    lang, _ = await reader(update, svc)
    text = t(lang, "help")
    if svc.is_admin(update):
        text += t(lang, "help_admin")
    await reply(update, text)


async def lang_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    lang, _ = await reader(update, svc)
    wanted = (context.args or [""])[0].lower()
    if wanted not in LANGUAGES:
        await reply(update, t(lang, "lang_usage", current=LANGUAGE_NAMES[lang]))
        return
    sub = await ensure_subscriber(update, svc)
    await svc.subscribers.set_language(sub.chat_id, wanted, svc.clock())
    await reply(update, t(wanted, "lang_set"))


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    lang, sub = await reader(update, svc)
    if sub is not None:
        await svc.subscribers.stop(sub.chat_id, svc.clock())
    await reply(update, t(lang, "stopped"))


async def unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    lang, _ = await reader(update, svc)
    await reply(update, t(lang, "unknown"))
