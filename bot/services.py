"""What start-up makes and every handler and job uses, and the typed context that hands it out.

PTB builds one ``CallbackContext`` per update and per job run; ``ContextTypes`` lets the
application build ours instead (python-telegram-bot's ``contexttypesbot.py`` example), so
``context.services`` is a typed attribute rather than a lookup in an untyped dict. The
services live in the bot-wide data (``BotData``), which start-up (``bot.app``'s ``post_init``)
fills once; handlers run only after it.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.instant import InstantPusher
from bot.scheduler import DigestScheduler
from digest.clock import Clock
from digest.settings import Settings
from digest.storage import Channels, FollowStore, Modes, Store, Subscribers
from digest.topics import TopicCatalog

ADict: TypeAlias = dict[Any, Any]  # user_data and chat_data: PTB's default, unused here
# The bots (replies and digests) are rate limited by bot.ratelimit.ChatRateLimiter, whose
# per-request argument is an int (PTB's type parameter of ExtBot).
NewsBot: TypeAlias = ExtBot[int]


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
    follows: FollowStore  # keyword follows and mutes
    channels: Channels  # channels and groups set up with /channel
    modes: Modes  # delivery modes of topics and follows
    instant: InstantPusher  # instant pushes, started by the minute job next to digests
    # One ingest at a time: a second would wait for the first's write lock and might time out.
    ingest_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def is_admin(self, update: Update) -> bool:
        user = update.effective_user
        return user is not None and user.id in self.settings.admin_ids


class BotData:
    """PTB's bot-wide data (``context.bot_data``), typed: the services, once start-up ran."""

    __slots__ = ("_services",)

    def __init__(self) -> None:
        self._services: Services | None = None

    @property
    def services(self) -> Services:
        if self._services is None:
            # A handler or job before post_init: a wiring mistake, not a user's.
            raise RuntimeError("the bot's services are made by post_init, which has not run")
        return self._services

    @services.setter
    def services(self, services: Services) -> None:
        self._services = services


class NewsContext(CallbackContext[NewsBot, ADict, ADict, BotData]):
    """The context every handler, error handler and job of the bot gets."""

    __slots__ = ()

    @property
    def services(self) -> Services:
        return self.bot_data.services


# The application as built by bot.app.build_application: what mypy checks handlers against.
NewsApp: TypeAlias = Application[
    NewsBot, NewsContext, ADict, ADict, BotData, JobQueue[NewsContext]
]
