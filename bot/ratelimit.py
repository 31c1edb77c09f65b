"""One rate limiter for the whole bot: overall, paid broadcasts, per group and per private chat.

Telegram allows a bot about 30 messages a second in all (up to 1000 a second for messages
sent with ``allow_paid_broadcast``, paid in Stars), 20 a minute in one group and about one a
second in one private chat. This limiter paces every request that names a chat accordingly,
so callers may send as concurrently as they like: the pace is set here and only here.

- A private chat's next request leaves no sooner than ``1 / private_max_rate`` seconds after
  Telegram *answered* the previous one, so two messages reach one reader at least that far
  apart as Telegram sees them, whatever the network's jitter or else is queued (it costs one
  round trip per message, and only to a reader who gets several in a row). Requests to one
  chat go one at a time, in the order they came.
- ``RetryAfter`` (flood control) pauses every request for the time Telegram asks, then the
  request is tried again, up to ``max_retries`` times.

PTB's ``AIORateLimiter`` does the overall and group part but not private chats, and its paid
budget is fixed at 1000/s; this class replaces it rather than wrapping it, so that a request
waits in exactly one queue per budget and per-message bookkeeping stays O(1).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
RequestCallback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]

PAID_MAX_RATE = 1000.0  # Telegram's ceiling for paid broadcasts
MIN_FORGET = 1024  # the per-chat tables are swept when they outgrow this (or twice their size)


class ChatRateLimiter(BaseRateLimiter[int]):
    def __init__(
        self,
        *,
        overall_max_rate: float,
        private_max_rate: float,
        paid_max_rate: float = PAID_MAX_RATE,
        group_max_rate: float = 20,
        group_time_period: float = 60,
        max_retries: int = 3,
    ) -> None:
        if min(overall_max_rate, private_max_rate, paid_max_rate, group_max_rate) <= 0:
            raise ValueError("rates must be positive")
        self._overall = AsyncLimiter(overall_max_rate, 1)
        self._paid = AsyncLimiter(min(paid_max_rate, PAID_MAX_RATE), 1)
        self._group_rate = group_max_rate
        self._group_period = group_time_period
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._private_gap = 1 / private_max_rate
        self._left: dict[int, float] = {}  # private chat -> when its last message left
        self._queues: dict[int, asyncio.Lock] = {}  # private chat -> FIFO of its requests
        self._sweep_at = MIN_FORGET
        self._max_retries = max_retries
        self._resume = asyncio.Event()  # cleared while Telegram's RetryAfter is waited out
        self._resume.set()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: RequestCallback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        chat = _chat(data.get("chat_id"))
        paid = bool(data.get("allow_paid_broadcast"))
        for attempt in range(retries + 1):
            try:
                if isinstance(chat, int) and chat > 0:
                    return await self._private(chat, paid, callback, args, kwargs)
                if chat is not None:
                    await self._budget_turn(chat, paid)
                else:  # no chat (getFile, answerCallbackQuery): not limited, but paused
                    await self._resume.wait()
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                pause = _seconds(exc) + 0.1
                log.info("flood control: every request waits %.1f s", pause)
                self._resume.clear()
                try:
                    await asyncio.sleep(pause)
                finally:
                    self._resume.set()
        raise AssertionError("unreachable")

    async def _budget_turn(self, chat: int | str, paid: bool) -> None:
        """Wait for a slot of the budget (and the group's, for a group)."""
        await self._resume.wait()
        if paid:
            await self._paid.acquire()
            return
        if isinstance(chat, str) or chat < 0:  # groups and channels
            await self._group(chat).acquire()
        await self._overall.acquire()

    async def _private(
        self, chat: int, paid: bool, callback: RequestCallback, args: Any, kwargs: dict[str, Any]
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for this chat's turn and gap, then for a slot; the gap counts from the answer."""
        loop = asyncio.get_running_loop()
        queue = self._queues.get(chat)
        if queue is None:
            queue = self._queues[chat] = asyncio.Lock()
        try:
            async with queue:
                wait = self._left.get(chat, -math.inf) + self._private_gap - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                await self._budget_turn(chat, paid)
                try:
                    return await callback(*args, **kwargs)
                finally:
                    self._left[chat] = loop.time()
        finally:
            self._sweep(loop.time())

    def _sweep(self, now: float) -> None:
        """Forget chats that are idle and past their gap; amortised O(1) per request."""
        if len(self._left) < self._sweep_at:
            return
        for chat, left in list(self._left.items()):
            queue = self._queues.get(chat)
            if left + self._private_gap <= now and (queue is None or not queue.locked()):
                del self._left[chat]
                self._queues.pop(chat, None)
        self._sweep_at = max(MIN_FORGET, 2 * len(self._left))

    def _group(self, chat: int | str) -> AsyncLimiter:
        limiter = self._groups.get(chat)
        if limiter is None:
            if len(self._groups) >= MIN_FORGET:  # drop the groups whose budget is full again
                for key, old in list(self._groups.items()):
                    if old.has_capacity(old.max_rate):
                        del self._groups[key]
            limiter = self._groups[chat] = AsyncLimiter(self._group_rate, self._group_period)
        return limiter


def _seconds(exc: RetryAfter) -> float:
    # The public `retry_after` warns (its int form is deprecated in PTB 22); the timedelta
    # behind it is what PTB's own limiter reads too.
    delay = getattr(exc, "_retry_after", None)
    if isinstance(delay, timedelta):
        return delay.total_seconds()
    return float(exc.retry_after)  # type: ignore[arg-type]


def _chat(value: object) -> int | str | None:
    if value is None:
        return None
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return str(value)  # a channel's @username
