"""Delivery records and digest advances, written a batch at a time (group commit).

A digest run with hundreds of messages in flight records each sent message's articles and,
after a subscriber's last message, advances their next digest. One statement each cost a
thread hop and a commit per message; here every sender hands its write over and waits until
it is committed, and what was handed over while one batch was being written goes into the
next batch, in one transaction. Nothing waits longer than one batch, and a sender still
moves on only once its write is committed, so the delivery guarantees are unchanged: a
confirmed message's articles are recorded before that chat's next message is sent, and a
subscriber is advanced only after the records of all their messages.

A batch that fails is written again one write at a time, so that one bad write fails only
its own sender.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from digest.storage import Subscriber, Subscribers

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Record:
    chat_id: int
    article_ids: Sequence[int]
    at: datetime


@dataclass(frozen=True, slots=True)
class _Advance:
    subscriber: Subscriber
    at: datetime


_Write = _Record | _Advance


class DeliveryLog:
    def __init__(self, subscribers: Subscribers) -> None:
        self.subscribers = subscribers
        self._pending: list[tuple[_Write, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def delivered(self, chat_id: int, article_ids: Sequence[int], at: datetime) -> None:
        """Record what one sent message carried; returns once it is committed."""
        if article_ids:
            await self._submit(_Record(chat_id, list(article_ids), at))

    async def advance(self, subscriber: Subscriber, at: datetime) -> None:
        """After a digest: the subscriber's next one is the next occurrence after `at`."""
        await self._submit(_Advance(subscriber, at))

    async def _submit(self, write: _Write) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((write, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all(), name="delivery-log")
        # A sender cancelled here (the process going down) leaves its write in the batch:
        # the message was confirmed, so recording it is right.
        await future

    async def _write_all(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await self._write([write for write, _ in batch])
                except Exception:
                    log.warning("a batch of %d delivery records failed; writing them one by "
                                "one", len(batch), exc_info=True)
                    for write, future in batch:
                        try:
                            await self._write([write])
                        except Exception as exc:
                            _settle(future, exc)
                        else:
                            _settle(future)
                else:
                    for _, future in batch:
                        _settle(future)
        finally:
            self._writer = None

    async def _write(self, writes: list[_Write]) -> None:
        records = [(w.chat_id, w.article_ids, w.at) for w in writes if isinstance(w, _Record)]
        advances = [(w.subscriber, w.at) for w in writes if isinstance(w, _Advance)]
        changed = await self.subscribers.record_progress(records, advances)
        # Their time or zone changed while the run went on: computed again from their row.
        for subscriber, at in advances:
            if subscriber.chat_id in changed:
                await self.subscribers.advance(subscriber.chat_id, at)


def _settle(future: asyncio.Future[None], error: Exception | None = None) -> None:
    if future.done():  # its sender was cancelled
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
