"""The HTTP transport of the digest fan-out: PTB's request interface on an aiohttp session,
and ``MessageSender``, which posts a digest message as one JSON document.

PTB talks to the Bot API through httpx by default. For the daily digests, which send
thousands of messages with hundreds in flight, that transport is where the CPU goes:
measured against the local Bot API stand-in, one httpx request cost 1.5 ms of CPU sent one
at a time and 2.7 ms with 64 in flight (httpcore's pool scans every queued request against
every connection on each request), against 0.4-0.7 ms for aiohttp, whose connector hands out
connections in constant time. Only the digest bot uses this; updates and replies stay on
PTB's own transport.

Even on aiohttp, PTB's way of sending (a ``RequestParameter`` object and a JSON encoding per
parameter, then the form URL-encoded byte by byte in Python: 0.1 ms for a 1,000-character
digest) cost more than the rest of a message. ``MessageSender`` skips it: the message is
one ``json.dumps`` posted as ``application/json`` (the Bot API takes both), paced by the
bot's rate limiter like any PTB request, and the answer is read as PTB reads it, raising
the same errors (``RetryAfter``, ``ChatMigrated``, ``Forbidden``, ``BadRequest``...).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import aiohttp
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import BaseRateLimiter
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 5.0  # seconds, PTB's default for connect, read and write
MEDIA_WRITE_TIMEOUT = 20.0


class AiohttpRequest(BaseRequest):
    def __init__(self, connections: int, *, read_timeout: float = DEFAULT_TIMEOUT) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None
        # `do_request`'s timeouts when the caller gives none, made once.
        self._json_timeout = aiohttp.ClientTimeout(
            total=None, connect=DEFAULT_TIMEOUT, sock_connect=DEFAULT_TIMEOUT,
            sock_read=read_timeout + DEFAULT_TIMEOUT,
        )

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read = _seconds(read_timeout, self._read_timeout)
        write = _seconds(write_timeout, MEDIA_WRITE_TIMEOUT if files else DEFAULT_TIMEOUT)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_seconds(pool_timeout, DEFAULT_TIMEOUT),  # waiting for a free connection
            sock_connect=_seconds(connect_timeout, DEFAULT_TIMEOUT),
            # aiohttp has no separate write timeout: a read cannot start before the write ends.
            sock_read=None if read is None or write is None else read + write,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err


    async def post_json(self, url: str, body: bytes) -> Any:
        """POST a JSON document and return the answer's ``result``; a refusal is raised as
        PTB raises it (``answer_error``)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        try:
            async with self._session.post(
                url, data=body, headers=JSON, timeout=self._json_timeout
            ) as response:
                status, payload = response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
        try:
            answer = json.loads(payload)
        except ValueError as err:
            raise answer_error(status, None) from err
        if HTTPStatus.OK <= status <= 299 and isinstance(answer, dict) and answer.get("ok"):
            return answer.get("result")
        raise answer_error(status, answer if isinstance(answer, dict) else None)


JSON = {"Content-Type": "application/json"}


def answer_error(status: int, answer: dict[str, Any] | None) -> TelegramError:
    """The error PTB raises for this answer of the Bot API (``BaseRequest._request_wrapper``):
    the parameters first (a group's new id, flood control's wait), then by HTTP status."""
    try:
        message = f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        message = f"Unknown HTTPError ({status})"
    if answer is None:
        message += ". The server's answer was not JSON"
    else:
        message = answer.get("description") or message
        parameters = answer.get("parameters")
        if parameters:
            if migrate_to_chat_id := parameters.get("migrate_to_chat_id"):
                return ChatMigrated(migrate_to_chat_id)
            if retry_after := parameters.get("retry_after"):
                return RetryAfter(retry_after)
            message += f". The server response contained unknown parameters: {parameters}"
    if status == HTTPStatus.FORBIDDEN:
        return Forbidden(message)
    if status in (HTTPStatus.NOT_FOUND, HTTPStatus.UNAUTHORIZED):
        return InvalidToken(message)
    if status == HTTPStatus.BAD_REQUEST:
        return BadRequest(message)
    if status == HTTPStatus.CONFLICT:
        return Conflict(message)
    return NetworkError(message)


class MessageSender:
    """sendMessage for digests: HTML, no link preview, paced by the bot's rate limiter.

    `base_url` is the bot's (``Bot.base_url``: the API address with the token), so this
    sender talks to the same server as the bot it is built from.
    """

    def __init__(
        self, base_url: str, request: AiohttpRequest, limiter: BaseRateLimiter[Any] | None
    ) -> None:
        self._url = f"{base_url}/sendMessage"
        self._request = request
        self._limiter = limiter
        # A run sends the same rendered digest to many chats: its text is encoded once.
        self._encoded: dict[str, bytes] = {}

    async def send(
        self, chat_id: int, text: str, *, thread_id: int | None = None, paid: bool = False
    ) -> None:
        body = b"".join((
            b'{"chat_id":%d,"text":' % chat_id, self._encode(text),
            b',"parse_mode":"HTML","link_preview_options":{"is_disabled":true}',
            b',"message_thread_id":%d' % thread_id if thread_id is not None else b"",
            b',"allow_paid_broadcast":true' if paid else b"",
            b"}",
        ))
        if self._limiter is None:
            await self._request.post_json(self._url, body)
            return
        # What the limiter reads from a request: its chat and whether it is a paid broadcast.
        await self._limiter.process_request(
            self._request.post_json, (self._url, body), {}, "sendMessage",
            {"chat_id": chat_id, "allow_paid_broadcast": paid}, None,
        )


    def _encode(self, text: str) -> bytes:
        encoded = self._encoded.get(text)
        if encoded is None:
            if len(self._encoded) >= ENCODED_TEXTS:
                self._encoded.clear()
            encoded = self._encoded[text] = json.dumps(text, ensure_ascii=False).encode()
        return encoded


ENCODED_TEXTS = 256  # distinct texts kept encoded (a run has one per distinct digest message)


def _seconds(value: object, default: float) -> float | None:
    if value is None or isinstance(value, int | float):
        return value
    return default  # PTB's DEFAULT_NONE: not given by the caller


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields as PTB encodes them (values JSON where needed); files as multipart."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        filename, content, mime = part[0], part[1], part[2] if len(part) > 2 else None
        form.add_field(name, content, filename=filename, content_type=mime)
    return form
