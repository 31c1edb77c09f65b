"""A small stand-in for the Telegram Bot API server, served over HTTP on 127.0.0.1.

The bot under test talks to it exactly as it talks to api.telegram.org (python-telegram-bot,
httpx, form-encoded requests). It implements the methods the bot uses, queues updates for
``getUpdates`` (long polling), serves uploaded files through ``getFile`` and the file
download route, and records every call. Like Telegram, it parses the HTML of each message
(rejecting what Telegram would reject: unknown tags, unclosed tags, a bare ``<`` or ``&``,
more than 4096 characters) and keeps the text the reader would see, with its entities.

It can also misbehave on request: answer a chat with 403 (the user blocked the bot), with
429 (flood control) once, with 400 and ``migrate_to_chat_id`` (a group that became a
supergroup), with another error (always, or a few times after a few messages went through),
refuse to edit a message, or hold messages to simulate a crash mid-run. It can answer
after a set latency, as a distant server does, and counts the sendMessage requests it is
working on at once (``max_in_flight``).

Users can also type inline queries (``inline``); the answers are checked like Telegram
checks them and kept in ``inline_answers``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from .telegram_html import HtmlError, parse_html, utf16_len

TOKEN = "123456:TEST-token"
BOT_ID = 123456
MAX_TEXT = 4096
BOT_API_FILE_LIMIT = 20 * 1024 * 1024
LONG_POLL_CAP = 0.5  # seconds a getUpdates waits at most, whatever the client asks

_STRING_PARAMS = {
    "text", "caption", "parse_mode", "callback_query_id", "file_id", "language_code", "url",
    "secret_token", "description", "action", "inline_query_id", "next_offset", "offset",
}
_GIFTS = {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
          "premium_subscription": False, "gifts_from_channels": False}


class ApiError(Exception):
    def __init__(self, code: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _parse(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode, failing the request with 400 as Telegram does."""
    try:
        return parse_html(source)
    except HtmlError as exc:
        raise ApiError(400, str(exc)) from None


@dataclass
class _Failure:
    code: int
    description: str
    after: int  # requests still let through before failing
    times: int | None  # failures still to come; None: every one


def _trip(failures: dict[Any, _Failure], key: Any) -> None:
    """Raise the failure set up for `key`, if it is its turn to fail."""
    failure = failures.get(key)
    if failure is None:
        return
    if failure.after > 0:
        failure.after -= 1
        return
    if failure.times is not None:
        failure.times -= 1
        if failure.times <= 0:
            del failures[key]
    raise ApiError(failure.code, failure.description)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    ok: bool | None = None  # None while held
    done_at: float | None = None  # when it was answered

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


@dataclass
class SentMessage:
    """A message the bot sent, as the reader sees it."""

    chat_id: int
    message_id: int
    source: str  # what the bot sent (HTML)
    text: str  # what the reader sees
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    params: dict[str, Any]

    def links(self) -> list[tuple[str, str]]:
        """(visible text, URL) of every link."""
        return [(self.entity_text(e), e["url"]) for e in self.entities
                if e["type"] == "text_link"]

    def entity_text(self, entity: dict[str, Any]) -> str:
        encoded = self.text.encode("utf-16-le")
        start, length = entity["offset"] * 2, entity["length"] * 2
        return encoded[start : start + length].decode("utf-16-le")

    def buttons(self) -> list[tuple[str, str]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


@dataclass
class FakeChat:
    """A channel or group the fake server knows: its administrators, what the bot may do
    there, and (in a forum) its topic threads."""

    id: int
    type: str  # channel, group, supergroup
    title: str
    username: str | None = None
    is_forum: bool = False
    admins: set[int] = field(default_factory=set)  # the first added is the owner
    bot_status: str = "administrator"  # or member, left, kicked
    can_post: bool = True  # a channel administrator's can_post_messages
    threads: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            chat["username"] = self.username
        if self.is_forum:
            chat["is_forum"] = True
        return chat


_ADMIN_RIGHTS = (
    "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
    "can_manage_video_chats", "can_restrict_members", "can_promote_members", "can_change_info",
    "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
)


class FakeBotApi:
    def __init__(self, token: str = TOKEN, *, latency: float = 0.0) -> None:
        self.token = token
        self.latency = latency  # seconds before each answer (getUpdates aside)
        self.in_flight = 0  # sendMessage requests being answered now
        self.max_in_flight = 0
        self.calls: list[Call] = []
        self.sent: list[SentMessage] = []  # every successful sendMessage, in order
        self.messages: dict[tuple[int, int], SentMessage] = {}  # current state, edits applied
        self.commands: dict[str | None, list[dict[str, str]]] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}  # inline query id -> answer
        self.photos: dict[tuple[int, int], bytes] = {}  # (chat, message id) -> image bytes
        self.chats: dict[int, FakeChat] = {}  # channels and groups with members (add_chat)
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, data)
        # Set, getFile works like a self-hosted server in --local mode: it writes the file
        # here and answers with its absolute path instead of a download route.
        self.local_dir: Path | None = None
        self.downloads = 0  # requests to the file download route
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._new_update: asyncio.Event | None = None
        self.blocked: set[int] = set()
        self._flood: dict[int, float] = {}  # chat -> retry_after, answered once
        self._errors: dict[int, _Failure] = {}
        self._method_errors: dict[str, _Failure] = {}  # by Bot API method (fail_method)
        self._migrated: dict[int, int] = {}  # group -> the supergroup it became
        self._frozen: set[tuple[int, int]] = set()  # messages that can no longer be edited
        self._hold_after: int | None = None
        self._release: asyncio.Event | None = None
        self._deliver_held = True
        self.held = 0  # sendMessage requests waiting to be released
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.fetched_up_to = 0  # the last update id handed to the bot by getUpdates
        self.port = 0

    # -- server ---------------------------------------------------------------------------

    async def start(self, port: int = 0, *, reuse_port: bool = False) -> None:
        """Serve on 127.0.0.1 (`port` 0: any free one). With `reuse_port`, several processes
        can serve one port, the kernel sharing the connections out (benches use that)."""
        self._new_update = asyncio.Event()
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, reuse_port=reuse_port or None)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._closing = True
        if self._new_update is not None:
            self._new_update.set()  # wake pending long polls so shutdown does not wait
        self.release(deliver=False)
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- misbehaviour on request ----------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """Answer every message to this chat with 403, as when the user blocked the bot."""
        self.blocked.add(chat_id)

    def flood_once(self, chat_id: int, retry_after: float = 0.05) -> None:
        """Answer the next message to this chat with 429 Too Many Requests."""
        self._flood[chat_id] = retry_after

    def fail(self, chat_id: int, code: int = 400,
             description: str = "Bad Request: chat not found", *,
             after: int = 0, times: int | None = None) -> None:
        """Answer messages (and edits) in this chat with this error: all of them (`times`
        None) or `times` of them, once `after` more have gone through."""
        self._errors[chat_id] = _Failure(code, description, after, times)

    def fail_method(self, method: str, code: int = 401, description: str = "Unauthorized", *,
                    after: int = 0, times: int | None = None) -> None:
        """Answer calls of this Bot API method with this error, as `fail` does for a chat."""
        self._method_errors[method] = _Failure(code, description, after, times)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """The group became a supergroup: messages to the old id get 400 with its new id."""
        self._migrated[chat_id] = new_chat_id

    def freeze(self, message: SentMessage) -> None:
        """The message can no longer be edited (too old, as Telegram says)."""
        self._frozen.add((message.chat_id, message.message_id))

    def heal(self, chat_id: int) -> None:
        """Stop misbehaving towards this chat."""
        self.blocked.discard(chat_id)
        self._flood.pop(chat_id, None)
        self._errors.pop(chat_id, None)
        self._migrated.pop(chat_id, None)

    def hold_sends_after(self, count: int) -> None:
        """Accept `count` more sendMessage calls, then hold the rest until `release`."""
        self._hold_after = len([c for c in self.calls if c.method == "sendMessage"]) + count
        assert self._release is not None
        self._release.clear()

    def release(self, *, deliver: bool) -> None:
        """Let held messages go: delivered (answered OK) or lost (answered with 502)."""
        self._hold_after = None
        self._deliver_held = deliver
        if self._release is not None:
            self._release.set()

    # -- updates from users ---------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **update})
        assert self._new_update is not None
        self._new_update.set()
        return update_id

    @staticmethod
    def user(user_id: int, language_code: str | None = "en") -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    def add_chat(self, chat_id: int, type: str, title: str, **options: Any) -> FakeChat:
        """A channel or group with administrators (`admins`), the bot's status there, and
        forum threads; see FakeChat."""
        chat = FakeChat(chat_id, type, title, **options)
        self.chats[chat_id] = chat
        return chat

    def chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self.chats:
            return self.chats[chat_id].as_dict()
        if chat_id < 0:  # as in Telegram, groups have negative ids
            return {"id": chat_id, "type": "group", "title": f"Group{chat_id}"}
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}

    def _message(self, chat_id: int, user: dict[str, Any], **content: Any) -> dict[str, Any]:
        return {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": self.chat(chat_id), "from": user, **content}

    def send_text(self, chat_id: int, text: str, *, language_code: str | None = "en",
                  user_id: int | None = None, thread_id: int | None = None) -> int:
        content: dict[str, Any] = {"text": text}
        if thread_id is not None:  # written inside a forum topic
            content.update(message_thread_id=thread_id, is_topic_message=True)
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": utf16_len(command)}]
        user = self.user(user_id or chat_id, language_code)
        return self.push({"message": self._message(chat_id, user, **content)})

    def send_document(self, chat_id: int, name: str, data: bytes, *,
                      size: int | None = None, language_code: str | None = "en",
                      user_id: int | None = None) -> str:
        file_id = f"file{next(self._file_ids)}"
        self.files[file_id] = (f"documents/{file_id}_{name}", data)
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name,
                    "mime_type": "text/plain", "file_size": len(data) if size is None else size}
        user = self.user(user_id or chat_id, language_code)
        self.push({"message": self._message(chat_id, user, document=document)})
        return file_id

    def press(self, chat_id: int, message: SentMessage, data: str, *,
              language_code: str | None = "en") -> str:
        query_id = f"q{next(self._update_ids)}"
        current = self.messages[(message.chat_id, message.message_id)]
        self.push({"callback_query": {
            "id": query_id, "from": self.user(chat_id, language_code), "chat_instance": "ci",
            "data": data, "message": self._message_dict(current),
        }})
        return query_id

    def inline(self, user_id: int, query: str, *, offset: str = "",
               language_code: str | None = "en") -> str:
        """The user types `@bot query` in some chat; returns the inline query's id."""
        query_id = f"iq{next(self._update_ids)}"
        self.push({"inline_query": {"id": query_id, "from": self.user(user_id, language_code),
                                    "query": query, "offset": offset}})
        return query_id

    # -- what the bot did -----------------------------------------------------------------

    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method
                and (chat_id is None or c.chat_id == chat_id)]

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == chat_id]

    def current(self, message: SentMessage) -> SentMessage:
        return self.messages[(message.chat_id, message.message_id)]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0,
                       what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                recent = [(c.method, c.params.get("chat_id"), str(c.params.get("text", ""))[:80])
                          for c in self.calls[-8:]]
                raise AssertionError(f"timed out waiting for {what}; last calls: {recent}")
            await asyncio.sleep(0.01)

    async def wait_sent(self, chat_id: int, count: int, timeout: float = 10.0) -> list[SentMessage]:
        await self.wait_for(lambda: len(self.sent_to(chat_id)) >= count, timeout,
                            f"{count} messages to chat {chat_id}")
        return self.sent_to(chat_id)

    # -- HTTP -----------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        params = await _params(request)
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        call = Call(method, params)
        self.calls.append(call)
        handler = getattr(self, f"_m_{method}", None)
        sending = method == "sendMessage"
        if sending:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            _trip(self._method_errors, method)
            result = await handler(params)
        except ApiError as exc:
            call.ok = False
            return _error(exc)
        finally:
            call.done_at = time.monotonic()
            if sending:
                self.in_flight -= 1
        call.ok = True
        return _ok(result)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        self.downloads += 1
        path = request.match_info["path"]
        for file_path, data in self.files.values():
            if file_path == path:
                return web.Response(body=data)
        return web.Response(status=404)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        assert self._new_update is not None
        deadline = time.monotonic() + wait
        while True:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if self._updates or self._closing or time.monotonic() >= deadline:
                batch = list(self._updates[: int(params.get("limit") or 100)])
                if batch:
                    self.fetched_up_to = max(self.fetched_up_to, batch[-1]["update_id"])
                return batch
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())

    # -- methods --------------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Newsbot",
                "username": "newsbot_test_bot", "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": True}

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return self._bot_user()

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands[params.get("language_code")] = params["commands"]
        return True

    async def _m_getMyCommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(params.get("language_code"), [])

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_answerInlineQuery(self, params: dict[str, Any]) -> Any:
        """Checked like Telegram: at most 50 results, unique ids, and each message a valid
        message (its HTML parsed, at most 4096 characters); kept in `inline_answers`."""
        results = params.get("results") or []
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        if len({r["id"] for r in results}) != len(results):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        shown = []
        for r in results:
            content = r["input_message_content"]
            text, entities = self._render({"text": content["message_text"],
                                           "parse_mode": content.get("parse_mode")})
            shown.append({**r, "text": text, "entities": entities})
        self.inline_answers[str(params["inline_query_id"])] = {**params, "results": shown}
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_getFile(self, params: dict[str, Any]) -> Any:
        file_id = params["file_id"]
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, data = self.files[file_id]
        if self.local_dir is not None:
            local = self.local_dir / path
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(data)
            return {"file_id": file_id, "file_unique_id": f"u{file_id}",
                    "file_size": len(data), "file_path": str(local.resolve())}
        if len(data) > BOT_API_FILE_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data),
                "file_path": path}

    def _check_chat(self, chat_id: int) -> None:
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self._flood:
            retry_after = self._flood.pop(chat_id)
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}",
                           retry_after=retry_after)
        if chat_id in self._migrated:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           migrate_to_chat_id=self._migrated[chat_id])
        _trip(self._errors, chat_id)

    def _check_membership(self, chat_id: int, thread_id: Any) -> None:
        chat = self.chats.get(chat_id)
        if chat is None:
            return
        if chat.bot_status in {"left", "kicked"} or (
                chat.type == "channel" and (chat.bot_status != "administrator"
                                            or not chat.can_post)):
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        if thread_id is not None and int(thread_id) not in chat.threads:
            raise ApiError(400, "Bad Request: message thread not found")

    def _render(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        source = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML":
            text, entities = _parse(source)
        else:
            text, entities = source, []
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return text, entities

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        self._check_chat(chat_id)
        self._check_membership(chat_id, params.get("message_thread_id"))
        text, entities = self._render(params)
        if self._hold_after is not None and \
                len(self.calls_to("sendMessage")) > self._hold_after:
            assert self._release is not None
            self.held += 1
            try:
                await self._release.wait()
            finally:
                self.held -= 1
            if not self._deliver_held:
                raise ApiError(502, "Bad Gateway")
        message = SentMessage(chat_id, next(self._message_ids), str(params["text"]), text,
                              entities, params.get("reply_markup"), params)
        self.sent.append(message)
        self.messages[(chat_id, message.message_id)] = message
        return self._message_dict(message)

    async def _m_getChat(self, params: dict[str, Any]) -> Any:
        target = params["chat_id"]
        if isinstance(target, str) and target.startswith("@"):
            found = [c for c in self.chats.values()
                     if c.username and c.username.lower() == target[1:].lower()]
        else:
            found = [self.chats[int(target)]] if int(target) in self.chats else []
        if not found:
            if not isinstance(target, str) and int(target) > 0:
                return {**self.chat(int(target)), "accent_color_id": 0, "max_reaction_count": 11,
                        "accepted_gift_types": _GIFTS}
            raise ApiError(400, "Bad Request: chat not found")
        return {**found[0].as_dict(), "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": _GIFTS}

    async def _m_getChatMember(self, params: dict[str, Any]) -> Any:
        chat = self.chats.get(int(params["chat_id"]))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        user_id = int(params["user_id"])
        if user_id == BOT_ID:
            user, status = self._bot_user(), chat.bot_status
        else:
            user = self.user(user_id)
            owner = next(iter(sorted(chat.admins)), None) if chat.admins else None
            status = ("creator" if user_id == owner else "administrator"
                      if user_id in chat.admins else "member")
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update({right: right != "is_anonymous" for right in _ADMIN_RIGHTS})
            if chat.type == "channel":
                member["can_post_messages"] = chat.can_post if user_id == BOT_ID else True
        return member

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        """A photo upload (multipart): the bytes go to `photos`, the message (its caption as
        text) to `sent` like any message."""
        chat_id = int(params["chat_id"])
        self._check_chat(chat_id)
        photo = params.get("photo")
        if not hasattr(photo, "file"):
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        data = photo.file.read()
        if not data:
            raise ApiError(400, "Bad Request: file must be non-empty")
        caption = str(params.get("caption", ""))
        text, entities = (_parse(caption) if params.get("parse_mode") == "HTML"
                          else (caption, []))
        if utf16_len(text) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        message = SentMessage(chat_id, next(self._message_ids), caption, text, entities,
                              params.get("reply_markup"), params)
        self.sent.append(message)
        self.messages[(chat_id, message.message_id)] = message
        self.photos[(chat_id, message.message_id)] = data
        return {**self._message_dict(message), "photo": [
            {"file_id": f"photo{message.message_id}", "file_unique_id": f"up{message.message_id}",
             "width": 1, "height": 1, "file_size": len(data)}]}

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        self._check_chat(key[0])
        text, entities = self._render(params)
        old = self.messages[key]
        markup = params.get("reply_markup")
        if text == old.text and entities == old.entities and markup == old.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same as a current "
                                "content and reply markup of the message")
        edited = SentMessage(key[0], key[1], str(params["text"]), text, entities, markup, params)
        self.messages[key] = edited
        return self._message_dict(edited)

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        if key in self._frozen:
            raise ApiError(400, "Bad Request: message can't be edited")
        old = self.messages[key]
        markup = params.get("reply_markup")
        if markup == old.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same as a current "
                                "content and reply markup of the message")
        edited = SentMessage(key[0], key[1], old.source, old.text, old.entities, markup, params)
        self.messages[key] = edited
        return self._message_dict(edited)

    def _message_dict(self, message: SentMessage) -> dict[str, Any]:
        result: dict[str, Any] = {
            "message_id": message.message_id, "date": int(time.time()),
            "chat": self.chat(message.chat_id), "from": self._bot_user(),
            "text": message.text,
        }
        if message.entities:
            result["entities"] = message.entities
        if message.reply_markup:
            result["reply_markup"] = message.reply_markup
        return result


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return dict(await request.json())
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        raw.update(dict(await request.post()))
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _STRING_PARAMS or not isinstance(value, str):
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(exc: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.parameters:
        body["parameters"] = exc.parameters
    return web.json_response(body, status=exc.code)
