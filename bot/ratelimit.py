"""One rate limiter for the whole bot: overall, per group and per private chat.

PTB's ``AIORateLimiter`` paces the bot as a whole and each group, and waits out
``RetryAfter``; it does not pace private chats, where Telegram allows about one message per
second. This subclass adds that: requests to the same private chat are spaced at
``private_max_rate`` per second before they take a slot of the overall budget.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

MAX_IDLE_LIMITERS = 512  # beyond this many chats, forget the limiters with full capacity

JSONDict = dict[str, Any]
RequestCallback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class ChatRateLimiter(AIORateLimiter):
    def __init__(
        self,
        *,
        overall_max_rate: float,
        private_max_rate: float,
        group_max_rate: float = 20,
        group_time_period: float = 60,
        max_retries: int = 3,
    ) -> None:
        super().__init__(
            overall_max_rate=overall_max_rate,
            overall_time_period=1,
            group_max_rate=group_max_rate,
            group_time_period=group_time_period,
            max_retries=max_retries,
        )
        if private_max_rate <= 0:
            raise ValueError("private_max_rate must be positive")
        # One request per 1/rate seconds: a steady pace, no burst at the start.
        self._private_period = 1 / private_max_rate
        self._private: dict[int, AsyncLimiter] = {}

    def _private_limiter(self, chat_id: object) -> AsyncLimiter | None:
        with contextlib.suppress(TypeError, ValueError):
            chat = int(chat_id)  # type: ignore[call-overload]
            if chat > 0:  # private chats have positive ids, groups and channels negative
                if len(self._private) > MAX_IDLE_LIMITERS:
                    for key, limiter in list(self._private.items()):
                        if key != chat and limiter.has_capacity(limiter.max_rate):
                            del self._private[key]
                if chat not in self._private:
                    self._private[chat] = AsyncLimiter(1, self._private_period)
                return self._private[chat]
        return None

    async def process_request(
        self,
        callback: RequestCallback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        limiter = self._private_limiter(data.get("chat_id"))
        if limiter is None:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        async with limiter:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
