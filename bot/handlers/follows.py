"""Keyword follows and mutes: /follow, /unfollow, /follows, /mute, /unmute."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.handlers.context import echo, ensure_subscriber, reply, with_reader
from bot.i18n import t
from bot.services import NewsContext
from digest.follows import MAX_FOLLOWS, MAX_TERM_CHARS, MAX_TERM_WORDS, TermError, parse_terms
from digest.storage import Subscriber

ALL = {"all", "все", "всё", "барлығы", "барлық"}


async def _terms(update: Update, lang: str, text: str) -> list[str] | None:
    """The terms typed, or None after telling the reader what is wrong with them."""
    try:
        return parse_terms(text)
    except TermError as exc:
        if exc.reason == "too_long":
            await reply(update, t(lang, "term_too_long", term=echo(exc.term),
                                  words=MAX_TERM_WORDS, chars=MAX_TERM_CHARS))
        else:
            await reply(update, t(lang, "term_empty"))
        return None


@with_reader
async def _add(update: Update, context: NewsContext, lang: str, sub: Subscriber | None,
               mute: bool) -> None:
    svc = context.services
    kind = "mute" if mute else "follow"
    text = " ".join(context.args or []).strip()
    if not text:
        await reply(update, t(lang, f"{kind}_usage"))
        return
    terms = await _terms(update, lang, text)
    if terms is None:
        return
    sub = await ensure_subscriber(update, svc)
    done = await svc.follows.add(sub.chat_id, terms, mute, svc.clock())
    lines = [t(lang, f"{kind}_added", term=escape(x)) for x in done.added]
    lines += [t(lang, f"{kind}_switched", term=escape(x)) for x in done.switched]
    lines += [t(lang, f"{kind}_already", term=escape(x)) for x in done.already]
    lines += [t(lang, f"{kind}_limit", term=escape(x), max=MAX_FOLLOWS) for x in done.over_limit]
    await reply(update, "\n".join(lines))


@with_reader
async def _remove(update: Update, context: NewsContext, lang: str, sub: Subscriber | None,
                  mute: bool) -> None:
    svc = context.services
    kind = "unmute" if mute else "unfollow"
    text = " ".join(context.args or []).strip()
    if not text:
        await reply(update, t(lang, f"{kind}_usage"))
        return
    every = text.casefold() in ALL
    terms = None if every else await _terms(update, lang, text)
    if terms is None and not every:
        return
    removed = (
        await svc.follows.remove(sub.chat_id, terms, mute, svc.clock()) if sub else []
    )
    if every:
        await reply(update, t(lang, f"{kind}_all", count=len(removed)))
        return
    assert terms is not None
    await reply(update, "\n".join(
        t(lang, f"{kind}_done" if x in removed else f"{kind}_missing", term=escape(x))
        for x in terms
    ))


async def follow(update: Update, context: NewsContext) -> None:
    await _add(update, context, mute=False)


async def mute(update: Update, context: NewsContext) -> None:
    await _add(update, context, mute=True)


async def unfollow(update: Update, context: NewsContext) -> None:
    await _remove(update, context, mute=False)


async def unmute(update: Update, context: NewsContext) -> None:
    await _remove(update, context, mute=True)


@with_reader
async def follows_command(update: Update, context: NewsContext, lang: str,
                          sub: Subscriber | None) -> None:
    entries = await context.services.follows.of(sub.chat_id) if sub else []
    followed = [e.term for e in entries if not e.mute]
    muted = [e.term for e in entries if e.mute]
    if not entries:
        await reply(update, t(lang, "follows_none"))
        return
    none = t(lang, "none")
    await reply(update, t(
        lang, "follows_list",
        follows=", ".join(f"“{escape(x)}”" for x in followed) or none, count=len(followed),
        mutes=", ".join(f"“{escape(x)}”" for x in muted) or none, max=MAX_FOLLOWS,
    ))
