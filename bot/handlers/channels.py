"""/channel: digests for channels and groups, set up by their administrators in a private chat.

    /channel add @name|ID          the bot must be able to post there, the requester must be
                                   an administrator there (both asked of Telegram: getChatMember)
    /channel list                  the channels you added, with their settings
    /channel remove @name|ID       no more digests there
    /channel topics @name|ID       the topic keyboard, for that channel
    /channel time @name|ID HH:MM   /channel timezone @name|ID Area/City   /channel lang @name|ID xx
    /channel mode @name|ID TOPIC MODE   daily, weekly DAY, instant or off for that channel
    /channel thread TOPIC          sent inside a forum topic of a forum group: that topic's
                                   news goes to this thread (sent in General: back to General)

Every change asks Telegram again whether the requester is an administrator of the channel:
rights change, and a stale answer must not let a former administrator steer a channel.
"""

from __future__ import annotations

import logging
from functools import cache
from html import escape
from zoneinfo import available_timezones

from telegram import (
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberRestricted,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.errors import is_not_modified
from bot.handlers.context import (
    echo,
    ensure_subscriber,
    local_time,
    reply,
    topics_keyboard,
    with_reader,
)
from bot.handlers.modes import mode_label
from bot.i18n import t
from bot.services import NewsContext, Services
from digest.languages import LANGUAGES
from digest.modes import ModeError, parse_mode
from digest.schedule import parse_hhmm
from digest.storage import Channel, Subscriber
from digest.topics import TopicCatalog

log = logging.getLogger(__name__)

CHANNEL_CALLBACK = "ch:"
ADMINS = {ChatMember.OWNER, ChatMember.ADMINISTRATOR}


def channel_keyboard(
    catalog: TopicCatalog, chat_id: int, subscribed: list[str], lang: str
) -> InlineKeyboardMarkup:
    return topics_keyboard(catalog, subscribed, lang, prefix=f"{CHANNEL_CALLBACK}{chat_id}:")


@with_reader
async def channel(update: Update, context: NewsContext, lang: str,
                  sub: Subscriber | None) -> None:
    svc = context.services
    args = list(context.args or [])
    action = args.pop(0).lower() if args else ""
    chat = update.effective_chat
    if action == "thread":
        await _thread(update, context, svc, lang, args)
        return
    if chat is None or chat.type != ChatType.PRIVATE:
        await reply(update, t(lang, "channel_private_only"))
        return
    handler = {
        "add": _add, "list": _list, "remove": _remove, "topics": _topics,
        "time": _time, "timezone": _timezone, "lang": _lang, "mode": _mode,
    }.get(action)
    if handler is None:
        await reply(update, t(lang, "channel_usage"))
        return
    await handler(update, context, svc, lang, args)


# -- checks ---------------------------------------------------------------------------------


async def _is_admin(context: NewsContext, chat_id: int, user_id: int) -> bool:
    return bool(await _admin_status(context, chat_id, user_id))


async def _admin_status(
    context: NewsContext, chat_id: int, user_id: int
) -> bool | None:
    """Whether the user administers the chat; None when Telegram will not say (the bot was
    removed from it, or the chat is gone)."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return None
    return member.status in ADMINS


def _bot_may_post(member: ChatMember, kind: str) -> bool:
    if kind == ChatType.CHANNEL:
        return isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)
    if isinstance(member, ChatMemberRestricted):
        return bool(member.can_send_messages)
    return member.status in {*ADMINS, ChatMember.MEMBER}


async def _managed(
    update: Update, context: NewsContext, svc: Services, lang: str,
    args: list[str],
) -> Channel | None:
    """The channel named in `args` (popped; optional when the user has just one), after
    checking with Telegram that the user administers it; None after a reply saying why."""
    user = update.effective_user
    assert user is not None
    store = svc.channels
    mine = await store.added_by(user.id)
    if args and (args[0].startswith("@") or args[0].lstrip("-").isdigit()
                 or args[0].startswith(("t.me/", "https://t.me/"))):
        target = args.pop(0)
        found = await store.find(target)
        if found is None:
            await reply(update, t(lang, "channel_unknown", target=echo(target)))
            return None
    elif len(mine) == 1:
        found = mine[0]
    else:
        await reply(update, t(lang, "channel_which"))
        return None
    status = await _admin_status(context, found.chat_id, user.id)
    # A channel that removed the bot can no longer be asked: whoever added it may still
    # manage (and remove) it here.
    if not status and not (status is None and found.added_by == user.id):
        await reply(update, t(lang, "channel_not_admin", channel=escape(found.label)))
        return None
    return found


# -- actions --------------------------------------------------------------------------------


async def _add(update: Update, context: NewsContext, svc: Services, lang: str,
               args: list[str]) -> None:
    user = update.effective_user
    assert user is not None
    if len(args) != 1:
        await reply(update, t(lang, "channel_add_usage"))
        return
    target = args[0].removeprefix("https://").removeprefix("t.me/")
    if not target.lstrip("-").isdigit() and not target.startswith("@"):
        target = "@" + target
    try:
        chat = await context.bot.get_chat(int(target) if target.lstrip("-").isdigit() else target)
    except (BadRequest, Forbidden):
        await reply(update, t(lang, "channel_not_found", target=echo(args[0])))
        return
    if chat.type == ChatType.PRIVATE:
        await reply(update, t(lang, "channel_not_found", target=echo(args[0])))
        return
    name = chat.title or chat.username or str(chat.id)
    try:
        bot_member = await context.bot.get_chat_member(chat.id, context.bot.id)
    except TelegramError:
        bot_member = None
    if bot_member is None or not _bot_may_post(bot_member, chat.type):
        key = ("channel_bot_not_admin" if chat.type == ChatType.CHANNEL
               else "channel_bot_cannot_post")
        await reply(update, t(lang, key, channel=escape(name)))
        return
    if not await _is_admin(context, chat.id, user.id):
        await reply(update, t(lang, "channel_not_admin", channel=escape(name)))
        return
    entry = Channel(chat.id, name, chat.username, chat.type, bool(chat.is_forum), user.id)
    await svc.channels.add(entry, lang, svc.clock())
    topics = await svc.subscribers.topics(chat.id)
    sub = await svc.subscribers.get(chat.id)
    assert sub is not None
    text = t(lang, "channel_added", channel=escape(entry.label), time=escape(sub.digest_time),
             tz=escape(sub.timezone), language=escape(sub.language))
    if entry.is_forum:
        text += "\n" + t(lang, "channel_forum_hint")
    await reply(update, text,
                reply_markup=channel_keyboard(svc.catalog, chat.id, topics, lang))


async def _list(update: Update, context: NewsContext, svc: Services, lang: str,
                args: list[str]) -> None:
    user = update.effective_user
    assert user is not None
    mine = await svc.channels.added_by(user.id)
    if not mine:
        await reply(update, t(lang, "channel_none"))
        return
    lines = [t(lang, "channel_list")]
    for entry in mine:
        sub = await svc.subscribers.get(entry.chat_id)
        topics = await svc.subscribers.topics(entry.chat_id)
        names = ", ".join(escape(svc.catalog.name(tp, lang)) for tp in topics) or t(lang, "none")
        if sub is None:
            continue
        lines.append(t(
            lang, "channel_line", channel=escape(entry.label), id=entry.chat_id, topics=names,
            time=escape(sub.digest_time), tz=escape(sub.timezone), language=escape(sub.language),
            next=local_time(sub.next_digest_at, sub.timezone) if sub.active else "—",
        ))
    await reply(update, "\n".join(lines))


async def _remove(update: Update, context: NewsContext, svc: Services, lang: str,
                  args: list[str]) -> None:
    found = await _managed(update, context, svc, lang, args)
    if found is None:
        return
    await svc.channels.remove(found.chat_id, svc.clock())
    await reply(update, t(lang, "channel_removed", channel=escape(found.label)))


async def _topics(update: Update, context: NewsContext, svc: Services, lang: str,
                  args: list[str]) -> None:
    found = await _managed(update, context, svc, lang, args)
    if found is None:
        return
    topics = await svc.subscribers.topics(found.chat_id)
    await reply(update, t(lang, "channel_topics", channel=escape(found.label)),
                reply_markup=channel_keyboard(svc.catalog, found.chat_id, topics, lang))


async def _time(update: Update, context: NewsContext, svc: Services, lang: str,
                args: list[str]) -> None:
    found = await _managed(update, context, svc, lang, args)
    if found is None:
        return
    value = " ".join(args)
    try:
        clock = parse_hhmm(value)
    except ValueError:
        await reply(update, t(lang, "time_invalid", value=echo(value)))
        return
    sub = await svc.subscribers.set_schedule(found.chat_id, svc.clock(),
                                             digest_time=clock.strftime("%H:%M"))
    await reply(update, t(lang, "channel_time_set", channel=escape(found.label),
                          time=escape(sub.digest_time), tz=escape(sub.timezone)))


async def _timezone(update: Update, context: NewsContext, svc: Services,
                    lang: str, args: list[str]) -> None:
    found = await _managed(update, context, svc, lang, args)
    if found is None:
        return
    value = " ".join(args)
    zone = _zones().get(value.casefold())
    if zone is None:
        await reply(update, t(lang, "tz_invalid", value=echo(value)))
        return
    sub = await svc.subscribers.set_schedule(found.chat_id, svc.clock(), timezone=zone)
    await reply(update, t(lang, "channel_time_set", channel=escape(found.label),
                          time=escape(sub.digest_time), tz=escape(sub.timezone)))


async def _lang(update: Update, context: NewsContext, svc: Services, lang: str,
                args: list[str]) -> None:
    found = await _managed(update, context, svc, lang, args)
    if found is None:
        return
    wanted = (args or [""])[0].lower()
    if wanted not in LANGUAGES:
        await reply(update, t(lang, "channel_lang_usage"))
        return
    await svc.subscribers.set_language(found.chat_id, wanted, svc.clock())
    await reply(update, t(lang, "channel_lang_set", channel=escape(found.label), language=wanted))


async def _mode(update: Update, context: NewsContext, svc: Services, lang: str,
                args: list[str]) -> None:
    """/channel mode [@name] TOPIC daily|weekly DAY|instant|off."""
    found = await _managed(update, context, svc, lang, args)
    if found is None:
        return
    topic = svc.catalog.resolve(args[0]) if args else None
    if topic is None or len(args) < 2:
        await reply(update, t(lang, "channel_mode_usage"))
        return
    try:
        mode = parse_mode(args[1:])
    except ModeError as exc:
        await reply(update, t(lang, "mode_unknown", text=echo(exc.text)))
        return
    name = escape(svc.catalog.name(topic, lang))
    if not await svc.modes.set_topic_mode(found.chat_id, topic, mode):
        await reply(update, t(lang, "channel_mode_not_subscribed", channel=escape(found.label),
                              topic=name))
        return
    await reply(update, t(lang, "mode_set", item=f"{escape(found.label)} · {name}",
                          mode=mode_label(lang, mode)))


async def _thread(update: Update, context: NewsContext, svc: Services, lang: str,
                  args: list[str]) -> None:
    """In a forum group: this thread gets TOPIC's news (General: back to General)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    assert message is not None
    if chat is None or user is None or not chat.is_forum:
        await reply(update, t(lang, "channel_thread_forum_only"))
        return
    topic = svc.catalog.resolve(" ".join(args)) if args else None
    if topic is None:
        await reply(update, t(lang, "channel_thread_usage"))
        return
    if not await _is_admin(context, chat.id, user.id):
        await reply(update, t(lang, "channel_not_admin", channel=escape(chat.title or "")))
        return
    thread = message.message_thread_id if message.is_topic_message else None
    await ensure_subscriber(update, svc)  # the group's row, which its threads hang on
    await svc.channels.set_thread(chat.id, topic, thread)
    name = escape(svc.catalog.name(topic, lang))
    await reply(update, t(lang, "channel_thread_set" if thread else "channel_thread_general",
                          topic=name))


@with_reader
async def toggle(update: Update, context: NewsContext, lang: str, sub: Subscriber | None) -> None:
    """A tap on a channel's topic keyboard: checked, flipped, answered, redrawn."""
    svc = context.services
    query = update.callback_query
    assert query is not None and query.data is not None
    chat_text, _, topic = query.data.removeprefix(CHANNEL_CALLBACK).partition(":")
    entry = await svc.channels.get(int(chat_text)) if chat_text.lstrip("-").isdigit() \
        else None
    if entry is None or svc.catalog.get(topic) is None:
        await query.answer(t(lang, "channel_gone"))
        return
    if not await _is_admin(context, entry.chat_id, query.from_user.id):
        await query.answer(t(lang, "channel_not_admin", channel=entry.label))
        return
    subscribed = await svc.subscribers.toggle(entry.chat_id, topic, svc.clock())
    name = svc.catalog.name(topic, lang)
    await query.answer(t(lang, "channel_cb_on" if subscribed else "channel_cb_off",
                         topic=name, channel=entry.label))
    topics = await svc.subscribers.topics(entry.chat_id)
    try:
        await query.edit_message_reply_markup(
            channel_keyboard(svc.catalog, entry.chat_id, topics, lang))
    except BadRequest as exc:
        if not is_not_modified(exc):
            log.info("channel keyboard not redrawn: %s", exc.message)


@cache
def _zones() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}
