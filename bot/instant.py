"""Instant pushes: articles on a reader's ``instant`` topics and follows, one message each,
within a minute of the upload that brought them.

The minute job (``bot.app.digest_tick``) starts a push run next to the digest run. For each
active chat with something set to instant: nothing in its quiet hours (22:00-08:00 local),
at most ``INSTANT_PER_DAY`` pushes per local day, only articles stored during the last
``INSTANT_WINDOW`` and never delivered to the chat; muted keywords apply. Whatever is not
pushed (over the cap, in quiet hours, while the bot was down) stays undelivered and comes in
the next daily digest. A push is sent through the digest scheduler's ``deliver`` under the
same per-chat lock as the digest: each message is recorded as delivered as soon as Telegram
accepts it, so a push never comes again, neither as a push nor in the digest, across
restarts; blocked, vanished and migrated chats are handled the same way.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.follow_digest import FollowDigest
from bot.i18n import t
from bot.render import Outgoing, render_articles
from bot.scheduler import DigestScheduler
from digest.clock import Clock
from digest.follows import story_key
from digest.models import Article
from digest.modes import INSTANT, INSTANT_PER_DAY, quiet
from digest.storage import FollowStore, Modes, Subscriber, Subscribers
from digest.topics import TopicCatalog

log = logging.getLogger(__name__)

INSTANT_WINDOW = timedelta(hours=1)  # older news waits for the digest


class InstantPusher:
    def __init__(
        self, scheduler: DigestScheduler, subscribers: Subscribers, follows: FollowStore,
        modes: Modes, extras: FollowDigest, catalog: TopicCatalog, clock: Clock,
    ) -> None:
        self.scheduler = scheduler
        self.subscribers = subscribers
        self.follows = follows
        self.modes = modes
        self.extras = extras
        self.catalog = catalog
        self.clock = clock
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[int | None] | None = None

    def start(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Start a push run in the background unless one is going (called each minute)."""
        if self.scheduler.stopping or self._lock.locked() or (
                self._task is not None and not self._task.done()):
            return
        self._task = application.create_task(self.run(), name="instant-run")

    async def run(self) -> int | None:
        """Push to every chat that has something instant; the number of pushes sent (None if
        a run is going already)."""
        if self._lock.locked():
            return None
        async with self._lock:
            sent = 0
            now = self.clock()
            # Keep the keyword index fresh within a minute of an upload, so digest runs
            # seldom have articles to stem before they can match follows.
            try:
                await self.follows.index_new()
            except Exception:
                log.exception("indexing new articles for keyword follows failed")
            for chat_id in await self.modes.instant_chats():
                if self.scheduler.stopping:
                    break
                try:
                    sent += await self.push(chat_id, now)
                except Exception:  # one chat's failure must not stop the others' pushes
                    log.exception("instant push to chat %s failed", chat_id)
            return sent

    async def push(self, chat_id: int, now: datetime) -> int:
        sub = await self.subscribers.get(chat_id)
        if sub is None or not sub.active:
            return 0
        zone = ZoneInfo(sub.timezone)
        local = now.astimezone(zone)
        if quiet(local.time(), *await self.modes.quiet_hours(chat_id)):
            return 0
        midnight = datetime.combine(local.date(), time(), tzinfo=zone)
        async with self.scheduler.chat_lock(chat_id):
            room = INSTANT_PER_DAY - await self.modes.pushes_since(chat_id, midnight)
            if room <= 0:
                return 0
            items = await self.candidates(sub, now - INSTANT_WINDOW, room)
            if not items:
                return 0
            lang = sub.language
            messages: list[Outgoing] = [
                render_articles(
                    [article], lambda tid: self.catalog.name(tid, lang),
                    t(lang, "instant_header", section=escape(section)),
                    all_languages=sub.reads_all,
                )[0]
                for section, article in items
            ]
            outcome = await self.scheduler.deliver(chat_id, messages)
            pushed = [i for m in messages[: outcome.messages] for i in m.article_ids]
            await self.modes.record_pushes(outcome.migrated_to or chat_id, pushed, self.clock())
            return outcome.messages

    async def candidates(
        self, sub: Subscriber, since: datetime, room: int
    ) -> list[tuple[str, Article]]:
        """(section name, story as the reader gets it) to push, oldest first, at most `room`."""
        chat_id, lang = sub.chat_id, sub.language
        chosen: dict[int, tuple[str, Article]] = {}  # by story
        follows = [f.term for f in await self.modes.follow_modes(chat_id) if f.mode == INSTANT]
        if follows:
            matches = await self.follows.matching(
                follows, undelivered_to=chat_id, ingested_since=since, limit=room * 4)
            found = {story_key(a): a for a in await self.follows.stories(
                list(dict.fromkeys(i for ids in matches.values() for i in ids)), sub.reads)}
            for term in follows:
                for story in matches.get(term, []):
                    if story in found and story not in chosen:
                        chosen[story] = (t(lang, "follow_section", term=term), found[story])
        topics = [tp for tp, mode in (await self.modes.topic_modes(chat_id)).items()
                  if mode == INSTANT]
        if topics:
            order = [tp for tp in self.catalog.ids if tp in topics]
            for article in await self.scheduler.store.articles_for_topics(
                    topics, undelivered_to=chat_id, ingested_since=since, limit=room * 4,
                    lang=sub.reads):
                home = next((tp for tp in order if tp in article.topics), None)
                if home is not None and story_key(article) not in chosen:
                    chosen[story_key(article)] = (self.catalog.name(home, lang), article)
        muted_terms = [f.term for f in await self.follows.of(chat_id) if f.mute]
        muted = await self.extras.muted(muted_terms, set(chosen))
        ordered = sorted((v for k, v in chosen.items() if k not in muted),
                         key=lambda item: (item[1].ingested_at or since, item[1].id))
        return ordered[:room]
