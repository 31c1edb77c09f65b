"""What every handler needs: the bot's services, the reader's language, replies, topics."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.i18n import language_of, t
from bot.render import Outgoing
from bot.scheduler import NO_PREVIEW, DigestScheduler
from digest.clock import Clock
from digest.settings import Settings
from digest.storage import Channels, FollowStore, Modes, Store, Subscriber, Subscribers
from digest.topics import TopicCatalog

TOPIC_CALLBACK = "topic:"


@dataclass(slots=True)
class Services:
    settings: Settings
    store: Store
    subscribers: Subscribers
    catalog: TopicCatalog
    scheduler: DigestScheduler
    clock: Clock
    executor: Executor
    progress_interval: float  # seconds between edits of an upload's progress message
    # One ingest at a time: a second would wait for the first's write lock and might time out.
    ingest_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    follows: FollowStore | None = None  # keyword follows and mutes (issue 12)
    channels: Channels | None = None  # channels and groups set up with /channel (issue 12)
    modes: Modes | None = None  # delivery modes of topics and follows (issue 12)

    def is_admin(self, update: Update) -> bool:
        user = update.effective_user
        return user is not None and user.id in self.settings.admin_ids


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data["services"]  # type: ignore[no-any-return]


async def reader(update: Update, svc: Services) -> tuple[str, Subscriber | None]:
    """The reader's interface language and subscriber row (None if they have none)."""
    chat = update.effective_chat
    sub = await svc.subscribers.get(chat.id) if chat else None
    if sub is not None:
        return sub.language, sub
    user = update.effective_user
    return language_of(user.language_code if user else None), None


async def reader_topics(update: Update, svc: Services) -> tuple[str, Subscriber | None, list[str]]:
    """`reader`, plus the subscriber's topics (none without a row)."""
    lang, sub = await reader(update, svc)
    return lang, sub, (await svc.subscribers.topics(sub.chat_id) if sub else [])


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
