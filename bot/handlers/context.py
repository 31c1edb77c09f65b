"""What every handler needs: the reader (``with_reader``), replies, topic lists and keyboards.

The services themselves come with the context: ``context.services`` (``bot.services``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from functools import wraps
from html import escape
from typing import Any, Concatenate, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.i18n import language_of, t
from bot.render import Outgoing
from bot.scheduler import NO_PREVIEW
from bot.services import NewsContext, Services
from digest.storage import Subscriber
from digest.topics import TopicCatalog

TOPIC_CALLBACK = "topic:"
P = ParamSpec("P")
R = TypeVar("R")


# A handler given the reader by `with_reader`: update, context, the reader's interface
# language and subscriber row (None if they have none), then any arguments of its own.
ReaderHandler = Callable[Concatenate[Update, NewsContext, str, Subscriber | None, P],
                         Coroutine[Any, Any, R]]


def with_reader(
    handler: ReaderHandler[P, R],
) -> Callable[Concatenate[Update, NewsContext, P], Coroutine[Any, Any, R]]:
    """A handler of PTB's kind (update, context) that looks up the reader, then calls
    `handler` with their language and subscriber row."""

    @wraps(handler)
    async def handle(update: Update, context: NewsContext, /, *args: P.args,
                     **kwargs: P.kwargs) -> R:
        lang, sub = await reader(update, context.services)
        return await handler(update, context, lang, sub, *args, **kwargs)

    return handle


async def reader(update: Update, svc: Services) -> tuple[str, Subscriber | None]:
    """The reader's interface language and subscriber row (None if they have none)."""
    chat = update.effective_chat
    sub = await svc.subscribers.get(chat.id) if chat else None
    if sub is not None:
        return sub.language, sub
    user = update.effective_user
    return language_of(user.language_code if user else None), None


async def topics_of(svc: Services, sub: Subscriber | None) -> list[str]:
    """The subscriber's topics (none without a row)."""
    return await svc.subscribers.topics(sub.chat_id) if sub else []


async def ensure_subscriber(update: Update, svc: Services) -> Subscriber:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    return await svc.subscribers.ensure(
        chat.id, user.id if user else None,
        language_of(user.language_code if user else None), svc.clock(),
    )


async def reply(update: Update, text: str, **kwargs: object) -> Message:
    message = update.effective_message
    assert message is not None
    return await message.reply_text(text, **kwargs)  # type: ignore[arg-type]


async def reply_all(update: Update, messages: Sequence[Outgoing]) -> None:
    for rendered in messages:
        await reply(update, rendered.text, link_preview_options=NO_PREVIEW)


async def reply_unknown_topic(update: Update, svc: Services, lang: str, typed: str) -> None:
    await reply(update, t(lang, "unknown_topic", text=echo(typed),
                          topics=topic_list(svc.catalog, lang)))


def echo(text: str, limit: int = 100) -> str:
    """What the user typed, escaped and shortened, for quoting it back in a reply."""
    return escape(text if len(text) <= limit else text[: limit - 1] + "…")


def topic_list(catalog: TopicCatalog, lang: str) -> str:
    """Every topic as “Name (id)”, escaped: what to type after /subscribe."""
    return ", ".join(
        f"{escape(catalog.name(tid, lang))} (<code>{escape(tid)}</code>)" for tid in catalog.ids
    )


def topic_names(catalog: TopicCatalog, topics: Sequence[str], lang: str) -> str:
    return ", ".join(escape(catalog.name(tid, lang)) for tid in topics)


def topics_keyboard(
    catalog: TopicCatalog, subscribed: Sequence[str], lang: str, prefix: str = TOPIC_CALLBACK
) -> InlineKeyboardMarkup:
    """Every topic as a button, ticked when subscribed; a tap sends `prefix` + topic id."""
    buttons = [
        InlineKeyboardButton(
            ("✅ " if tid in subscribed else "") + catalog.name(tid, lang),
            callback_data=f"{prefix}{tid}",
        )
        for tid in catalog.ids
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def local_time(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y %H:%M")
