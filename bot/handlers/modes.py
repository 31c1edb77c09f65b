"""Delivery modes: buttons under /mysubs, and /mode for typing them.

/mysubs lists the reader's topics and follows with their modes and one button each; a tap
shows the modes (daily, weekly, instant, off), "weekly" then the weekdays; the choice is
saved and the list redrawn. ``/mode economy weekly mon`` or ``/mode "tax" instant`` does the
same by text.
"""

from __future__ import annotations

import re
from datetime import time
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.errors import is_not_modified
from bot.handlers.context import (
    echo,
    ensure_subscriber,
    local_time,
    reply,
    topic_names,
    with_reader,
)
from bot.i18n import t
from bot.services import NewsContext, Services
from digest.modes import (
    DAILY,
    INSTANT,
    INSTANT_PER_DAY,
    OFF,
    QUIET_FROM,
    QUIET_TO,
    ModeError,
    parse_mode,
    weekday_of,
)
from digest.modes import weekly as weekly_mode
from digest.schedule import parse_hhmm
from digest.storage import FollowMode, Subscriber

MODE_CALLBACK = "md:"
_QUOTED = re.compile(r'^\s*["“«]([^"”»]+)["”»]\s*(.*)$')


def mode_label(lang: str, mode: str) -> str:
    day = weekday_of(mode)
    if day is not None:
        return t(lang, "mode_weekly_on", day=t(lang, f"weekday_{day}"))
    return t(lang, f"mode_{mode}")


async def _overview(svc: Services, sub: Subscriber, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    topics = await svc.modes.topic_modes(sub.chat_id)
    follows = await svc.modes.follow_modes(sub.chat_id)
    lines = []
    if topics:
        lines.append(t(lang, "mysubs", topics=topic_names(svc.catalog, list(topics), lang),
                       time=escape(sub.digest_time), tz=escape(sub.timezone),
                       next=local_time(sub.next_digest_at, sub.timezone)))
    else:
        lines.append(t(lang, "mysubs_follows_only", time=escape(sub.digest_time),
                       tz=escape(sub.timezone), next=local_time(sub.next_digest_at,
                                                                sub.timezone)))
    lines += ["", t(lang, "modes_intro", max=INSTANT_PER_DAY)]
    buttons = []
    for topic, mode in topics.items():
        name = svc.catalog.name(topic, lang)
        lines.append(f"• {escape(name)} — {mode_label(lang, mode)}")
        buttons.append(InlineKeyboardButton(f"{name}: {mode_label(lang, mode)}",
                                            callback_data=f"{MODE_CALLBACK}t:{topic}"))
    for follow in follows:
        lines.append(f"• “{escape(follow.term)}” — {mode_label(lang, follow.mode)}")
        buttons.append(InlineKeyboardButton(f"“{follow.term}”: {mode_label(lang, follow.mode)}",
                                            callback_data=f"{MODE_CALLBACK}f:{follow.id}"))
    return "\n".join(lines), InlineKeyboardMarkup([[b] for b in buttons])


def _choices(lang: str, target: str) -> InlineKeyboardMarkup:
    base = f"{MODE_CALLBACK}{target}"
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t(lang, "mode_daily"), callback_data=f"{base}:{DAILY}"),
         InlineKeyboardButton(t(lang, "mode_weekly"), callback_data=f"{base}:weekly")],
        [InlineKeyboardButton(t(lang, "mode_instant"), callback_data=f"{base}:{INSTANT}"),
         InlineKeyboardButton(t(lang, "mode_off"), callback_data=f"{base}:{OFF}")],
        [InlineKeyboardButton(t(lang, "mode_back"), callback_data=f"{MODE_CALLBACK}back")],
    ])


def _weekdays(lang: str, target: str) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(t(lang, f"weekday_{d}"),
                                    callback_data=f"{MODE_CALLBACK}{target}:w{d}")
               for d in range(7)]
    return InlineKeyboardMarkup([buttons[:4], buttons[4:]])


@with_reader
async def mysubs(update: Update, context: NewsContext, lang: str, sub: Subscriber | None) -> None:
    svc = context.services
    if sub is None or not (await svc.modes.topic_modes(sub.chat_id)
                           or await svc.modes.follow_modes(sub.chat_id)):
        await reply(update, t(lang, "mysubs_none"))
        return
    text, keyboard = await _overview(svc, sub, lang)
    await reply(update, text, reply_markup=keyboard)


async def _set(svc: Services, sub: Subscriber, target: str, mode: str) -> str | None:
    """Save the mode of a topic (`t:ID`) or follow (`f:ROWID`); its display name, or None
    when the reader no longer has it."""
    kind, _, key = target.partition(":")
    modes = svc.modes
    if kind == "t":
        ok = await modes.set_topic_mode(sub.chat_id, key, mode)
        return svc.catalog.name(key, sub.language) if ok else None
    if kind == "f" and key.isdigit():
        follows = {f.id: f for f in await modes.follow_modes(sub.chat_id)}
        if await modes.set_follow_mode(sub.chat_id, int(key), mode):
            return f"“{follows[int(key)].term}”"
    return None


@with_reader
async def button(update: Update, context: NewsContext, lang: str, sub: Subscriber | None) -> None:
    svc = context.services
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.removeprefix(MODE_CALLBACK).split(":")
    if sub is None:
        await query.answer(t(lang, "mode_gone"))
        return
    if parts == ["back"]:
        await query.answer()
        await _redraw(query, svc, sub, lang)
        return
    if len(parts) < 2:
        await query.answer(t(lang, "mode_gone"))
        return
    target = f"{parts[0]}:{parts[1]}"
    choice = parts[2] if len(parts) > 2 else None
    if choice is None:
        await query.answer()
        await _markup(query, _choices(lang, target))
        return
    if choice == "weekly":
        await query.answer()
        await _markup(query, _weekdays(lang, target))
        return
    mode = weekly_mode(int(choice[1:])) if re.fullmatch(r"w[0-6]", choice) else choice
    if mode not in (DAILY, INSTANT, OFF) and weekday_of(mode) is None:
        await query.answer(t(lang, "mode_gone"))
        return
    name = await _set(svc, sub, target, mode)
    if name is None:
        await query.answer(t(lang, "mode_gone"))
    else:
        await query.answer(t(lang, "mode_set", item=name, mode=mode_label(lang, mode)))
    await _redraw(query, svc, sub, lang)


async def _markup(query: CallbackQuery, keyboard: InlineKeyboardMarkup) -> None:
    try:
        await query.edit_message_reply_markup(keyboard)
    except BadRequest as exc:
        if not is_not_modified(exc):
            raise


async def _redraw(query: CallbackQuery, svc: Services, sub: Subscriber, lang: str) -> None:
    text, keyboard = await _overview(svc, sub, lang)
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as exc:
        if not is_not_modified(exc):
            raise


@with_reader
async def mode_command(update: Update, context: NewsContext, lang: str,
                       sub: Subscriber | None) -> None:
    """/mode TOPIC MODE or /mode "FOLLOW" MODE."""
    svc = context.services
    text = " ".join(context.args or [])
    quoted = _QUOTED.match(text)
    if quoted:
        item, rest = quoted.group(1).strip().casefold(), quoted.group(2).split()
    else:
        words = text.split()
        item, rest = (words[0] if words else ""), words[1:]
    if not item or not rest:
        await reply(update, t(lang, "mode_usage"))
        return
    try:
        mode = parse_mode(rest)
    except ModeError as exc:
        await reply(update, t(lang, "mode_unknown", text=echo(exc.text)))
        return
    follows: list[FollowMode] = (
        await svc.modes.follow_modes(sub.chat_id) if sub else [])
    follow = next((f for f in follows if f.term == " ".join(item.split()).casefold()), None)
    topic = None if quoted else svc.catalog.resolve(item)
    name = None
    if sub is not None and topic is not None:
        name = await _set(svc, sub, f"t:{topic}", mode)
    if name is None and sub is not None and follow is not None:
        name = await _set(svc, sub, f"f:{follow.id}", mode)
    if name is None:
        await reply(update, t(lang, "mode_not_yours", item=echo(item)))
        return
    await reply(update, t(lang, "mode_set", item=escape(name), mode=mode_label(lang, mode)))


@with_reader
async def quiet_command(update: Update, context: NewsContext, lang: str,
                        sub: Subscriber | None) -> None:
    """/quiet [HH:MM HH:MM | off]: when no instant pushes come (local time)."""
    svc = context.services
    args = context.args or []
    if not args:
        start, end = await svc.modes.quiet_hours(sub.chat_id) if sub else (
            QUIET_FROM, QUIET_TO)
        await reply(update, _quiet_text(lang, start, end) + "\n" + t(lang, "quiet_usage"))
        return
    if len(args) == 1 and args[0].casefold() in {"off", "выкл", "өшіру"}:
        start = end = time(0, 0)
    else:
        try:
            start, end = (parse_hhmm(a) for a in " ".join(args).replace("-", " ").split())
        except ValueError:
            await reply(update, t(lang, "quiet_invalid", value=echo(" ".join(args))))
            return
    sub = await ensure_subscriber(update, svc)
    await svc.modes.set_quiet_hours(sub.chat_id, start, end)
    await reply(update, _quiet_text(lang, start, end))


def _quiet_text(lang: str, start: time, end: time) -> str:
    if start == end:
        return t(lang, "quiet_none")
    return t(lang, "quiet_set", start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))
