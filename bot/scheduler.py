"""Daily digests: compose each due subscriber's digest, send it message by message, record.

Delivery guarantees, in the order things happen for one subscriber:

1. the digest is the stories on their topics none of whose versions (translations,
   reposts) was ever delivered to them, each in their news language when it exists;
2. after each message Telegram accepted, the articles it carried are recorded
   (``deliveries``), so a crash or restart never sends them again;
3. only after the last message is ``next_digest_at`` advanced, to the next occurrence after
   *now*: a subscriber interrupted halfway is picked up again on restart, and a digest
   missed while the bot was down is sent once, not once per missed day.

``Forbidden`` (the user blocked the bot) and "chat not found" (the chat is gone for good)
deactivate the subscriber. ``ChatMigrated`` (a group became a supergroup) moves the
subscriber to the new chat id and their digest is sent there in the same run. Any other
error is logged and the subscriber is tried again a little later; the run goes on either way.
``RetryAfter`` is waited out by the rate limiter, which then retries the message. A stop
request (SIGTERM) lets the message being sent finish and be recorded, then the run ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from weakref import WeakValueDictionary
from zoneinfo import ZoneInfo

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram.ext import Application

from bot.i18n import t
from bot.render import Message, render_digest
from digest.compose import Digest, compose_digest
from digest.models import Article
from digest.store import Store
from digest.subscribers import Subscriber, Subscribers
from digest.topics import TopicCatalog

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
DigestExtension = Callable[[Subscriber, Digest], Awaitable[Digest]]
DigestLayout = Callable[[Subscriber, Digest, str], Awaitable[list[Message]]]

# A digest covers what the bot learnt in the last week: a new subscriber is not sent the
# whole archive, and an unsent backlog never trickles out day after day.
DIGEST_WINDOW = timedelta(days=7)
DIGEST_MAX_ARTICLES = 50
# After an error other than Forbidden, the subscriber is tried again this much later (never
# later than their next regular digest).
RETRY_DELAY = timedelta(minutes=15)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass(slots=True)
class Delivery:
    """What happened to one subscriber's digest."""

    messages: int = 0  # messages Telegram accepted
    failed: bool = False
    blocked: bool = False  # unreachable: the user blocked the bot, or the chat is gone
    stopped: bool = False  # a stop request came before the last message
    migrated_to: int | None = None  # the chat's new id; the subscriber was moved there

    def then(self, retried: Delivery) -> Delivery:
        """This delivery to a chat's old id followed by `retried`, to its new id."""
        return Delivery(
            messages=self.messages + retried.messages, failed=retried.failed,
            blocked=retried.blocked, stopped=retried.stopped, migrated_to=retried.migrated_to,
        )


@dataclass(slots=True)
class RunSummary:
    """Counted per subscriber: digests sent, failed, and subscribers who blocked the bot."""

    due: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    empty: int = 0
    stopped: bool = False

    def add(self, outcome: Delivery) -> None:
        if outcome.blocked:
            self.blocked += 1
        elif outcome.failed:
            self.failed += 1
        elif outcome.messages:
            self.sent += 1
        else:
            self.empty += 1
        self.stopped = self.stopped or outcome.stopped


class DigestScheduler:
    def __init__(
        self,
        bot: Bot,
        store: Store,
        subscribers: Subscribers,
        catalog: TopicCatalog,
        clock: Clock,
    ) -> None:
        self.bot = bot
        self.store = store
        self.subscribers = subscribers
        self.catalog = catalog
        self.clock = clock
        self._lock = asyncio.Lock()
        self._stopping = False
        self._task: asyncio.Task[RunSummary | None] | None = None
        self._chat_locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()
        # Adds sections to (or removes articles from) a composed digest; set by the app.
        self.extend: DigestExtension | None = None
        # Renders a digest into messages when a chat needs more than one stream (forums).
        self.layout: DigestLayout | None = None

    # -- control --------------------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        return self._stopping

    def request_stop(self) -> None:
        """Finish the message being sent, record it, and send nothing more."""
        self._stopping = True

    def start_run(self, application: Application) -> asyncio.Task[RunSummary | None] | None:
        """Start a run in the background unless one is going (the job calls this each minute).

        The run is a task of the application, not of the job queue: the job queue cancels
        its jobs on shutdown, while the application waits for its tasks, which is what lets
        a stopping run finish its current message.
        """
        if self._stopping or self._lock.locked() or (self._task and not self._task.done()):
            return None
        self._task = application.create_task(self.run_due_digests(), name="digest-run")
        return self._task

    async def wait_idle(self) -> None:
        """Wait for the background run started by `start_run`, if any."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    # -- runs -----------------------------------------------------------------------------

    async def run_due_digests(self) -> RunSummary | None:
        """Serve every subscriber whose digest is due now; None if another run is going."""
        if self._lock.locked():
            return None
        async with self._lock:
            due = await self.subscribers.due(self.clock())
            summary = RunSummary(due=len(due))
            if not due:
                return summary
            run_id = await self.subscribers.start_run(self.clock())
            for subscriber in due:
                if self._stopping:
                    summary.stopped = True
                    break
                outcome = await self._serve_or_fail(subscriber)
                summary.add(outcome)
                await self.subscribers.update_run(
                    run_id, sent=summary.sent, failed=summary.failed, blocked=summary.blocked
                )
            await self.subscribers.update_run(
                run_id, sent=summary.sent, failed=summary.failed, blocked=summary.blocked,
                finished=self.clock(),
            )
            log.info(
                "digest run: %d due, %d sent, %d empty, %d failed, %d blocked%s",
                summary.due, summary.sent, summary.empty, summary.failed, summary.blocked,
                " (stopped)" if summary.stopped else "",
            )
            return summary

    async def serve(self, subscriber: Subscriber, *, follow: bool = True) -> Delivery:
        """One subscriber's daily digest, then their next digest time."""
        async with self._chat_lock(subscriber.chat_id):
            messages = await self.compose(subscriber)
            outcome = await self.deliver(subscriber.chat_id, messages)
            if outcome.migrated_to is None:
                await self._schedule_after(subscriber, outcome)
                return outcome
        # Outside the old chat's lock: the retry takes the new chat's own.
        return await self._follow(outcome, follow, lambda moved: self.serve(moved, follow=False))

    async def _schedule_after(self, subscriber: Subscriber, outcome: Delivery) -> None:
        if outcome.blocked or outcome.stopped:
            return  # not advanced: the rest goes out when they are reachable
        if outcome.failed:
            await self._retry_later(subscriber)
        else:
            await self.subscribers.advance(subscriber.chat_id, self.clock())

    async def _serve_or_fail(self, subscriber: Subscriber) -> Delivery:
        """`serve`, but an unexpected error (a bug, a bad row) fails only this subscriber:
        the longest-waiting subscriber raising every minute would otherwise starve the rest."""
        try:
            return await self.serve(subscriber)
        except Exception:
            log.exception("digest for chat %s failed", subscriber.chat_id)
        try:
            await self._retry_later(subscriber)
        except Exception:  # still due: the next run tries again, and serves the others too
            log.exception("could not postpone the digest for chat %s", subscriber.chat_id)
        return Delivery(failed=True)

    async def send_now(self, subscriber: Subscriber, *, follow: bool = True) -> Delivery | None:
        """/digest: what the daily digest would send now, recorded the same way (None: nothing
        new). The daily digest time is left as it is."""
        async with self._chat_lock(subscriber.chat_id):
            messages = await self.compose(subscriber)
            if not messages:
                return None
            outcome = await self.deliver(subscriber.chat_id, messages)
        if outcome.migrated_to is None:
            return outcome
        return await self._follow(outcome, follow, self._send_now_once)

    async def _send_now_once(self, subscriber: Subscriber) -> Delivery:
        return await self.send_now(subscriber, follow=False) or Delivery()

    async def _follow(
        self, outcome: Delivery, follow: bool,
        again: Callable[[Subscriber], Awaitable[Delivery]],
    ) -> Delivery:
        """After a chat migrated: the digest again, to the chat's new id (what the old id was
        sent is recorded and moved with the subscriber, so it is not repeated). A chat that
        migrates once more is left to the next run, its row still due under the newest id."""
        assert outcome.migrated_to is not None
        moved = await self.subscribers.get(outcome.migrated_to)
        if not follow or moved is None or not moved.active:
            return outcome
        return outcome.then(await again(moved))

    def _chat_lock(self, chat_id: int) -> asyncio.Lock:
        """One digest at a time per chat: /digest and the daily run must not both send the
        same undelivered articles."""
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = self._chat_locks[chat_id] = asyncio.Lock()
        return lock

    async def compose(self, subscriber: Subscriber) -> list[Message]:
        """The digest as messages: new articles on their topics, newest first, by topic."""
        topics = await self.subscribers.topics(subscriber.chat_id)
        articles = await self.undelivered(subscriber.chat_id, topics, subscriber.reads)
        lang = subscriber.language
        digest = compose_digest(articles, topics, self.catalog, lang)
        if self.extend is not None:  # keyword follows and mutes (bot.follow_digest)
            digest = await self.extend(subscriber, digest)
        if digest.is_empty:  # nothing new (or only topics the topics file no longer has)
            return []
        today = self.clock().astimezone(ZoneInfo(subscriber.timezone)).date()
        header = t(lang, "digest_header", date=today.strftime("%d.%m.%Y"))
        if self.layout is not None:  # forum threads (bot.channel_digest)
            return await self.layout(subscriber, digest, header)
        return render_digest(digest, header, all_languages=subscriber.reads_all)

    async def undelivered(
        self, chat_id: int, topics: list[str], lang: str | None = None
    ) -> list[Article]:
        """Stories on the topics none of whose versions the chat was sent, each in `lang`."""
        if not topics:
            return []
        return await self.store.articles_for_topics(
            topics,
            undelivered_to=chat_id,
            ingested_since=self.clock() - DIGEST_WINDOW,
            limit=DIGEST_MAX_ARTICLES,
            lang=lang,
        )

    async def deliver(self, chat_id: int, messages: list[Message]) -> Delivery:
        """Send the messages in order, recording each one's articles as soon as it is sent."""
        outcome = Delivery()
        for message in messages:
            if self._stopping:
                outcome.stopped = True
                break
            try:
                await self.bot.send_message(
                    chat_id, message.text, parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW, message_thread_id=message.thread_id,
                )
            except ChatMigrated as exc:
                new_chat_id = int(exc.new_chat_id)
                log.info("chat %s is now chat %s: subscriber moved", chat_id, new_chat_id)
                await self.subscribers.migrate(chat_id, new_chat_id, self.clock())
                outcome.migrated_to = new_chat_id
                break
            except Exception as exc:  # any failure on one chat must not stop the run
                if _unreachable(exc):
                    log.info("chat %s is unreachable (%s): marked inactive", chat_id, exc)
                    await self.subscribers.mark_blocked(chat_id, self.clock())
                    outcome.blocked = True
                else:
                    log.warning("digest to chat %s failed: %r", chat_id, exc)
                    outcome.failed = True
                break
            outcome.messages += 1
            await self.subscribers.record_deliveries(chat_id, message.article_ids, self.clock())
        return outcome

    async def _retry_later(self, subscriber: Subscriber) -> None:
        now = self.clock()
        await self.subscribers.postpone(subscriber.chat_id, now + RETRY_DELAY, now)

    def chat_lock(self, chat_id: int) -> asyncio.Lock:
        """The chat's digest lock, for other senders to the same chat (bot.instant): the
        daily digest and an instant push must not both send the same undelivered article."""
        return self._chat_lock(chat_id)


def _unreachable(exc: Exception) -> bool:
    """The chat will not take messages again: the user blocked the bot (or left, or the
    group kicked it), or the chat no longer exists. Trying every 15 minutes would be futile."""
    if isinstance(exc, Forbidden):
        return True
    return isinstance(exc, BadRequest) and "chat not found" in exc.message.lower()
