"""Telegram update handlers, one module per area (users, subscriptions, news, admin)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.handlers import (
    admin,
    channels,
    follows,
    inline,
    modes,
    news,
    stats_chart,
    subscriptions,
    users,
)
from bot.handlers.context import TOPIC_CALLBACK, reader
from bot.i18n import t
from bot.services import NewsApp, NewsContext

log = logging.getLogger(__name__)

COMMANDS = {
    "start": users.start,
    "help": users.help_command,
    "lang": users.lang_command,
    "newslang": news.newslang,
    "stop": users.stop,
    "topics": subscriptions.topics_command,
    "subscribe": subscriptions.subscribe,
    "unsubscribe": subscriptions.unsubscribe,
    "mysubs": modes.mysubs,  # subscriptions.mysubs' text, with modes and their buttons
    "time": subscriptions.time_command,
    "timezone": subscriptions.timezone_command,
    "latest": news.latest,
    "digest": news.digest_now,
    "search": news.search,
    "stats": stats_chart.stats,  # the chart, then admin.stats' text figures
    "follow": follows.follow,
    "unfollow": follows.unfollow,
    "follows": follows.follows_command,
    "mute": follows.mute,
    "unmute": follows.unmute,
    "channel": channels.channel,
    "mode": modes.mode_command,
    "quiet": modes.quiet_command,
}


def register(application: NewsApp) -> None:
    for name, callback in COMMANDS.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(
        CallbackQueryHandler(subscriptions.toggle_topic, pattern=f"^{TOPIC_CALLBACK}")
    )
    application.add_handler(InlineQueryHandler(inline.inline_query))
    application.add_handler(CallbackQueryHandler(modes.button, pattern=f"^{modes.MODE_CALLBACK}"))
    application.add_handler(
        CallbackQueryHandler(channels.toggle, pattern=f"^{channels.CHANNEL_CALLBACK}")
    )
    # Dumps are uploaded in a private chat with the bot; documents posted in groups are not
    # for it.
    application.add_handler(
        MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE, admin.upload)
    )
    # Everything else in a private chat (unknown commands, plain text, stickers...): one line
    # pointing at /help. In groups the bot keeps quiet about what is not for it.
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE, users.unknown))
    application.add_error_handler(on_error)


async def on_error(update: object, context: NewsContext) -> None:
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_message is None:
        return
    try:
        lang, _ = await reader(update, context.services)
        await update.effective_message.reply_text(t(lang, "error"))
    except Exception:  # the error reply is best effort; the error itself is logged above
        log.debug("could not tell the user about the error", exc_info=True)
