"""Daily digests: compose each due subscriber's digest, send it message by message, record.

A run serves many subscribers at once: a producer pages through the due subscribers
(longest-waiting first; within a page, the digests of most stories first) into a bounded
queue, and a pool of sender tasks takes them one by one. Each sender serves one subscriber
at a time, message after message, so a chat's messages keep their order; how fast messages
leave is decided by the bot's rate limiter alone (``bot.ratelimit``: the overall or paid-
broadcast budget, one message a second per private chat, 20 a minute per group), so a run
reaches Telegram's ceiling whatever the network's latency. What a page of due subscribers'
digests need is read for the whole page at once, and what subscribers share (each set of
topics' stories, rendered digests) once a run (``bot.digests``); messages go out as one JSON
POST each (``bot.transport``), and the senders' delivery records are committed together
(``bot.delivery_log``).

Delivery guarantees, in the order things happen for one subscriber:

1. the digest is the stories on their topics none of whose versions (translations,
   reposts) was ever delivered to them, each in their news language when it exists;
2. after each message Telegram accepted, the articles it carried are recorded
   (``deliveries``; the sender waits for that commit, shared with other senders' records,
   before it goes on), so a crash or restart never sends them again;
3. only after the last message is ``next_digest_at`` advanced, to the next occurrence after
   *now*: a subscriber interrupted halfway is picked up again on restart, and a digest
   missed while the bot was down is sent once, not once per missed day.

``Forbidden`` (the user blocked the bot) and "chat not found" (the chat is gone for good)
deactivate the subscriber. ``ChatMigrated`` (a group became a supergroup) moves the
subscriber to the new chat id and their digest is sent there in the same run. Any other
error is logged and the subscriber is tried again a little later; the run goes on either way.
``RetryAfter`` is waited out by the rate limiter, which then retries the message. A stop
request (SIGTERM) lets the messages being sent finish and be recorded (at most one per
sender), then the run ends. A crash loses at most the records of messages in flight, which
Telegram had not confirmed: those go out again on restart, nothing confirmed does.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from weakref import WeakValueDictionary

from telegram import LinkPreviewOptions
from telegram.error import ChatMigrated
from telegram.ext import Application

from bot.delivery_log import DeliveryLog
from bot.digests import DigestExtension, DigestLayout, DigestPlanner, OutsideSends
from bot.errors import is_unreachable
from bot.render import Outgoing
from bot.transport import MessageSender
from digest.clock import Clock
from digest.storage import Channels, FollowStore, Store, Subscriber, Subscribers
from digest.topics import TopicCatalog

log = logging.getLogger(__name__)

# After an error other than Forbidden, the subscriber is tried again this much later (never
# later than their next regular digest).
RETRY_DELAY = timedelta(minutes=15)
# Due subscribers read at a time. Within a page the longest digests start first, so a page
# should hold what the senders get through while a several-message digest is paced out (a
# few seconds at up to 1000 msg/s): with 500, those of the last page of a 2,000-subscriber
# run started 1.5 s late and set its end. A page's reads are a few queries either way.
PAGE = 2000
PROGRESS_EVERY = 1.0  # seconds between updates of the run's row while it goes on
# Senders per message/s of budget: each holds one subscriber for the round trip of each of
# their messages, and a digest of several messages for a second per message (per-chat pace).
SENDERS_PER_RATE = 2.0
# At most this many: 512 keep 1000 msg/s going at round trips of half a second, and each
# sender holds an HTTP connection while it sends.
MIN_SENDERS, MAX_SENDERS = 4, 512

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _longest_first(page: list[Subscriber], planner: DigestPlanner) -> list[Subscriber]:
    """The page with the digests of most stories first, longest-waiting first among equals.

    A private chat gets one message a second, so a digest of four messages holds its sender
    for three seconds more than a digest of one. Started last, those seconds are the run's
    tail whatever the budget; started first, they overlap with the one-message digests
    (longest job first). Only the order within a page changes: pages still come
    longest-waiting first.
    """
    return sorted(page, key=lambda s: -planner.stories_prepared(s.chat_id))


def sender_count(rate: float, configured: int | None = None) -> int:
    """Digests served at once: as configured, else enough to keep a budget of `rate`
    messages/s busy at round trips up to a second or so."""
    if configured:
        return configured
    return max(MIN_SENDERS, min(MAX_SENDERS, math.ceil(rate * SENDERS_PER_RATE)))


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

    due: int = 0  # subscribers the run took
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
        sender: MessageSender,
        store: Store,
        subscribers: Subscribers,
        catalog: TopicCatalog,
        clock: Clock,
        *,
        senders: int = MIN_SENDERS,
        paid_broadcast: bool = False,
        follows: FollowStore | None = None,
        channels: Channels | None = None,
    ) -> None:
        self.sender = sender
        self.store = store
        self.subscribers = subscribers
        self.follows = follows
        self.channels = channels
        self.log = DeliveryLog(subscribers)
        self._outside = OutsideSends()
        self.catalog = catalog
        self.clock = clock
        self.senders = max(1, senders)
        self.paid_broadcast = paid_broadcast
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
        """Finish the messages being sent, record them, and send nothing more."""
        self._stopping = True

    def start_run(
        self, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> asyncio.Task[RunSummary | None] | None:
        """Start a run in the background unless one is going (the job calls this each minute).

        The run is a task of the application, not of the job queue: the job queue cancels
        its jobs on shutdown, while the application waits for its tasks, which is what lets
        a stopping run finish its current messages.
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
        """Serve every subscriber whose digest is due now; None if another run is going.

        Subscribers who become due while the run goes on are left to the next run, as are
        those postponed after a failure; each subscriber is served at most once a run.
        """
        if self._lock.locked():
            return None
        async with self._lock:
            now = self.clock()
            page = await self.subscribers.due(now, PAGE)
            summary = RunSummary()
            if not page:
                return summary
            self._outside.forget()  # only this run's page reads look at it
            run = _Run(await self.subscribers.start_run(now), summary, self._planner(now))
            queue: asyncio.Queue[Subscriber | None] = asyncio.Queue(maxsize=self.senders)
            async with asyncio.TaskGroup() as group:
                for number in range(self.senders):
                    group.create_task(self._sender(queue, run), name=f"digest-sender-{number}")
                try:
                    await self._feed(queue, run, now, page)
                except Exception:  # those already taken are still served; the rest wait
                    log.exception("digest run: could not read the due subscribers")
                # A cancellation (the process going down) is not caught: the task group then
                # cancels the senders where they are, as a crash would.
                for _ in range(self.senders):
                    await queue.put(None)
            await self._progress(run, finished=True)
            log.info(
                "digest run: %d due, %d sent, %d empty, %d failed, %d blocked%s",
                summary.due, summary.sent, summary.empty, summary.failed, summary.blocked,
                " (stopped)" if summary.stopped else "",
            )
            return summary

    async def _feed(
        self, queue: asyncio.Queue[Subscriber | None], run: _Run, now: datetime,
        page: list[Subscriber],
    ) -> None:
        """Hand the due subscribers to the senders, a page at a time, until none is left;
        what a page's digests need is read for the whole page first."""
        while page:
            try:
                await run.planner.prepare(page)
            except Exception:  # each digest is then read on its own, as for /digest
                log.exception("digest run: could not read a page's digests at once")
            for subscriber in _longest_first(page, run.planner):
                if self._stopping:
                    run.summary.stopped = True
                    return
                if subscriber.chat_id in run.seen:  # e.g. a migrated chat's new id
                    continue
                run.seen.add(subscriber.chat_id)
                run.summary.due += 1
                await queue.put(subscriber)
            page = await self.subscribers.due(now, PAGE, after=page[-1])

    async def _sender(self, queue: asyncio.Queue[Subscriber | None], run: _Run) -> None:
        while (subscriber := await queue.get()) is not None:
            if self._stopping:
                run.summary.stopped = True
                continue  # drain: the producer is stopping too
            outcome = await self._serve_or_fail(subscriber, run)
            run.summary.add(outcome)
            await self._progress(run)

    async def _progress(self, run: _Run, *, finished: bool = False) -> None:
        """The run's counts in its row: about once a second while it goes on, and at the
        end (a row per subscriber would cost a write per digest)."""
        moment = asyncio.get_running_loop().time()
        if not finished and moment < run.next_progress:
            return
        run.next_progress = moment + PROGRESS_EVERY
        summary = run.summary
        try:
            await self.subscribers.update_run(
                run.id, sent=summary.sent, failed=summary.failed, blocked=summary.blocked,
                finished=self.clock() if finished else None,
            )
        except Exception:  # statistics only: the digests matter more
            log.exception("could not update digest run %d", run.id)

    async def serve(
        self, subscriber: Subscriber, *, follow: bool = True, run: _Run | None = None
    ) -> Delivery:
        """One subscriber's daily digest, then their next digest time."""
        planner = run.planner if run else self._planner()
        async with self._chat_lock(subscriber.chat_id):
            messages = await self.compose(subscriber, planner)
            outcome = await self.deliver(subscriber.chat_id, messages, broadcast=True)
            if outcome.migrated_to is None:
                await self._schedule_after(subscriber, outcome)
                return outcome
        if run is not None:
            run.seen.add(outcome.migrated_to)
        # Outside the old chat's lock: the retry takes the new chat's own.
        return await self._follow(
            outcome, follow, lambda moved: self.serve(moved, follow=False, run=run))

    async def _schedule_after(self, subscriber: Subscriber, outcome: Delivery) -> None:
        if outcome.blocked or outcome.stopped:
            return  # not advanced: the rest goes out when they are reachable
        if outcome.failed:
            await self._retry_later(subscriber)
        else:
            await self.log.advance(subscriber, self.clock())

    async def _serve_or_fail(self, subscriber: Subscriber, run: _Run) -> Delivery:
        """`serve`, but an unexpected error (a bug, a bad row) fails only this subscriber:
        the longest-waiting subscriber raising every minute would otherwise starve the rest."""
        try:
            return await self.serve(subscriber, run=run)
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
            messages = await self.compose(subscriber, self._planner())
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

    def _planner(self, now: datetime | None = None) -> DigestPlanner:
        return DigestPlanner(
            self.store, self.subscribers, self.follows, self.channels, self.catalog,
            now or self.clock(), self._outside,
        )

    async def compose(
        self, subscriber: Subscriber, planner: DigestPlanner | None = None
    ) -> list[Outgoing]:
        """The digest as messages: new articles on their topics, newest first, by topic."""
        messages, _ = await (planner or self._planner()).messages_for(
            subscriber, extend=self.extend, layout=self.layout)
        return messages

    async def deliver(
        self, chat_id: int, messages: list[Outgoing], *, broadcast: bool = False
    ) -> Delivery:
        """Send the messages in order, recording each one's articles as soon as it is sent.

        `broadcast`: the daily digest, sent as a paid broadcast when the bot is set up so.
        """
        try:
            return await self._deliver(chat_id, messages, broadcast)
        finally:
            if not broadcast:  # a run's page read of this chat may be out of date now
                self._outside.sent(chat_id)

    async def _deliver(
        self, chat_id: int, messages: list[Outgoing], broadcast: bool
    ) -> Delivery:
        outcome = Delivery()
        paid = broadcast and self.paid_broadcast
        for message in messages:
            if self._stopping:
                outcome.stopped = True
                break
            try:
                await self.sender.send(
                    chat_id, message.text, thread_id=message.thread_id, paid=paid)
            except ChatMigrated as exc:
                new_chat_id = int(exc.new_chat_id)
                log.info("chat %s is now chat %s: subscriber moved", chat_id, new_chat_id)
                await self.subscribers.migrate(chat_id, new_chat_id, self.clock())
                outcome.migrated_to = new_chat_id
                break
            except Exception as exc:  # any failure on one chat must not stop the run
                if is_unreachable(exc):
                    log.info("chat %s is unreachable (%s): marked inactive", chat_id, exc)
                    await self.subscribers.mark_blocked(chat_id, self.clock())
                    outcome.blocked = True
                else:
                    log.warning("digest to chat %s failed: %r", chat_id, exc)
                    outcome.failed = True
                break
            outcome.messages += 1
            await self.log.delivered(chat_id, message.article_ids, self.clock())
        return outcome

    async def _retry_later(self, subscriber: Subscriber) -> None:
        now = self.clock()
        await self.subscribers.postpone(subscriber.chat_id, now + RETRY_DELAY, now)

    def chat_lock(self, chat_id: int) -> asyncio.Lock:
        """The chat's digest lock, for other senders to the same chat (bot.instant): the
        daily digest and an instant push must not both send the same undelivered article."""
        return self._chat_lock(chat_id)


@dataclass(slots=True)
class _Run:
    """One run's shared state: its row, its counts, its planner, the chats it took."""

    id: int
    summary: RunSummary
    planner: DigestPlanner
    seen: set[int] = field(default_factory=set)
    next_progress: float = 0.0

