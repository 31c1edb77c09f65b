"""What a Telegram error means for the bot, decided in one place.

Telegram reports most failures as ``400 Bad Request`` with a free-text description, so some of
these checks have to read that text. Keeping them here means the decision "deactivate this
subscriber" or "the keyboard is already up to date" is made the same way everywhere.
"""

from __future__ import annotations

from telegram.error import BadRequest, Forbidden, TelegramError

# Lower-cased fragments of Telegram's descriptions, as the Bot API sends them.
_GONE = ("chat not found", "user not found", "peer_id_invalid", "group chat was deactivated")
_NOT_MODIFIED = ("message is not modified",)
_UNEDITABLE = (
    "message to edit not found",
    "message can't be edited",
    "message_id_invalid",
    "there is no text in the message to edit",
)


def _description(exc: BaseException) -> str:
    return exc.message.lower() if isinstance(exc, TelegramError) else ""


def is_unreachable(exc: BaseException) -> bool:
    """The chat will not take messages again: the user blocked the bot, the bot was removed
    from the group or channel, or the chat no longer exists."""
    if isinstance(exc, Forbidden):
        return True
    return isinstance(exc, BadRequest) and any(part in _description(exc) for part in _GONE)


def is_not_modified(exc: BaseException) -> bool:
    """An edit that would leave the message exactly as it is: nothing to do."""
    return isinstance(exc, BadRequest) and any(
        part in _description(exc) for part in _NOT_MODIFIED
    )


def is_uneditable(exc: BaseException) -> bool:
    """The message can no longer be edited (too old, deleted, or not the bot's own)."""
    return isinstance(exc, BadRequest) and any(part in _description(exc) for part in _UNEDITABLE)
